/* SPDX-License-Identifier: MIT */
/*
 * ec_b3sum: prints the BLAKE3 of files (or of standard input) in hex, using
 * libec's ec_blake3, with b3sum's option names and output format ("HEX  NAME"
 * per file, or just HEX with --no-names) so that the oracle test
 * (tests/unit/b3sum_oracle.sh) can run both tools the same way and compare
 * their output byte for byte.  Many files per run keeps that test fast.
 *
 * usage: ec_b3sum [--keyed] [--derive-key CONTEXT] [-l|--length N] [--no-names] [FILE...]
 * With --keyed the 32-byte raw key is read from standard input (as b3sum
 * does), so at least one FILE (not "-") is then required.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec/blake3.h"

static int
usage(void)
{
	fprintf(stderr, "usage: ec_b3sum [--keyed] [--derive-key CONTEXT] [-l|--length N] "
	                "[--no-names] [FILE...]\n");
	return 2;
}

/* Hashes one stream from the prepared initial state h0; 0 on success. */
static int
hash_stream(const ec_blake3 *h0, FILE *f, uint8_t *out, size_t out_len)
{
	static uint8_t buf[1 << 16];
	ec_blake3 h = *h0; /* the hasher owns no memory, so a copy is a fork */
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		ec_blake3_update(&h, buf, n);
	if (ferror(f))
		return -1;
	ec_blake3_final(&h, out, out_len);
	return 0;
}

int
main(int argc, char **argv)
{
	int keyed = 0, names = 1, nfiles = 0;
	const char *context = NULL;
	size_t out_len = EC_BLAKE3_OUT_LEN;
	char **files = calloc((size_t)argc, sizeof *files);
	if (files == NULL)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--keyed") == 0) {
			keyed = 1;
		} else if (strcmp(argv[i], "--no-names") == 0) {
			names = 0;
		} else if (strcmp(argv[i], "--derive-key") == 0 && i + 1 < argc) {
			context = argv[++i];
		} else if ((strcmp(argv[i], "--length") == 0 || strcmp(argv[i], "-l") == 0) &&
		           i + 1 < argc) {
			char *end;
			errno = 0;
			unsigned long long n = strtoull(argv[++i], &end, 10);
			if (errno != 0 || *end != '\0' || argv[i][0] == '-' || n > (1ull << 30))
				return usage();
			out_len = (size_t)n;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return usage();
		} else {
			files[nfiles++] = argv[i];
		}
	}
	if (nfiles == 0)
		files[nfiles++] = "-";
	if (keyed && context != NULL)
		return usage();

	ec_blake3 h0;
	if (keyed) {
		uint8_t key[EC_BLAKE3_KEY_LEN];
		for (int i = 0; i < nfiles; i++)
			if (strcmp(files[i], "-") == 0)
				return usage();
		if (fread(key, 1, sizeof key, stdin) != sizeof key || getchar() != EOF) {
			fprintf(stderr, "ec_b3sum: the key must be exactly 32 bytes on stdin\n");
			return 1;
		}
		ec_blake3_init_keyed(&h0, key);
	} else if (context != NULL) {
		ec_blake3_init_derive_key(&h0, context);
	} else {
		ec_blake3_init(&h0);
	}

	uint8_t *out = malloc(out_len ? out_len : 1);
	if (out == NULL)
		return 1;
	int status = 0;
	for (int i = 0; i < nfiles; i++) {
		int is_stdin = strcmp(files[i], "-") == 0;
		FILE *f = is_stdin ? stdin : fopen(files[i], "rb");
		if (f == NULL) {
			fprintf(stderr, "ec_b3sum: %s: %s\n", files[i], strerror(errno));
			status = 1;
			continue;
		}
		int rc = hash_stream(&h0, f, out, out_len);
		if (!is_stdin)
			fclose(f);
		if (rc != 0) {
			fprintf(stderr, "ec_b3sum: %s: read error\n", files[i]);
			status = 1;
			continue;
		}
		for (size_t j = 0; j < out_len; j++)
			printf("%02x", out[j]);
		if (names)
			printf("  %s", files[i]);
		printf("\n");
	}
	free(out);
	free(files);
	return status;
}
