/* SPDX-License-Identifier: MIT */
/*
 * Stand-alone driver for the fuzz targets when libFuzzer is not used (gcc
 * builds, the sanitized test suite): runs every file given on the command
 * line, then N inputs made by a seeded generator that mixes random bytes
 * with mutations of those files, so failures replay from the seed.
 *
 * usage: fuzz_X [-n N] [-s SEED] [FILE...]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec/rng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT 4096
#define MAX_FILES 64

static const char *const tokens[] = {
	"--nodes", "--rounds", "--seed", "--seed-hex", "--topology", "--delay", "--loss",
	"--initial-tokens", "--block-size", "--protocol", "--tiebreak-salt", "--runs", "--json",
	"--csv-events", "--quiet", "--help", "random:", "ring-gradient:", "ring-gaussian:", "0.5",
	"1", "2", "-1", "1e308", "nan", "inf", ",", ":", "18446744073709551616", "seed", "0x10",
	"b860c72afac8b41eaa8fe192bae387a74e4c31d492c0c9c6c25737e4fbbf0d5f"};

int
main(int argc, char **argv)
{
	uint64_t n = 20000, seed = 1;
	static uint8_t files[MAX_FILES][MAX_INPUT];
	size_t sizes[MAX_FILES], nfiles = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			n = strtoull(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 10);
		} else if (nfiles < MAX_FILES) {
			FILE *f = fopen(argv[i], "rb");
			if (!f) {
				perror(argv[i]);
				return 1;
			}
			sizes[nfiles] = fread(files[nfiles], 1, MAX_INPUT, f);
			fclose(f);
			LLVMFuzzerTestOneInput(files[nfiles], sizes[nfiles]);
			nfiles++;
		}
	}
	uint8_t key[EC_RNG_SEED_BYTES];
	ec_rng_seed_from_u64(seed, key);
	ec_rng rng;
	ec_rng_init(&rng, key);
	uint8_t buf[MAX_INPUT];
	for (uint64_t it = 0; it < n; it++) {
		size_t len = 0;
		uint32_t mode = ec_rng_range_u32(&rng, 0, 2);
		if (mode == 0 && nfiles) { /* mutate a corpus file */
			size_t f = ec_rng_index(&rng, nfiles);
			len = sizes[f];
			memcpy(buf, files[f], len);
			for (uint32_t k = ec_rng_range_u32(&rng, 1, 4); k > 0 && len; k--)
				buf[ec_rng_index(&rng, len)] = (uint8_t)ec_rng_u32(&rng);
		} else if (mode == 1) { /* NUL-separated tokens */
			for (uint32_t k = ec_rng_range_u32(&rng, 1, 8); k > 0; k--) {
				const char *t = tokens[ec_rng_index(&rng, sizeof tokens / sizeof tokens[0])];
				size_t tl = strlen(t);
				if (len + tl + 1 > MAX_INPUT)
					break;
				memcpy(buf + len, t, tl);
				len += tl;
				buf[len++] = (uint8_t)(ec_rng_range_u32(&rng, 0, 3) ? 0 : ',');
			}
			if (len)
				len--; /* no trailing separator */
		} else { /* random bytes */
			len = ec_rng_range_u32(&rng, 0, 80);
			for (size_t k = 0; k < len; k++)
				buf[k] = (uint8_t)ec_rng_u32(&rng);
		}
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("%llu generated inputs and %zu files: no failure\n", (unsigned long long)n, nfiles);
	return 0;
}
