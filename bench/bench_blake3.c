/* SPDX-License-Identifier: MIT */
/*
 * bench_blake3: micro-benchmark of ec_blake3 (portable scalar BLAKE3)
 * against libsodium's crypto_generichash (BLAKE2b, 32-byte output) as a
 * baseline, in the same process on the same buffers.  Short inputs (block
 * ids, key hashes, a 4-part block encoding of about 524 bytes) are reported
 * in ns per hash, long ones in MB/s (10^6 bytes per second).  Each figure is
 * the best of several timed batches, which filters out scheduling noise on a
 * shared machine.
 *
 * usage: ec_bench_blake3 [SECONDS_PER_FIGURE]   (default 0.3)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "ec/blake3.h"
#include "bench_clock.h"

/* Keeps the compiler from discarding the hashing. */
static volatile uint8_t sink;

static void
run_blake3(const uint8_t *in, size_t len, uint8_t out[32])
{
	ec_blake3_hash(in, len, out);
}

static void
run_blake2b(const uint8_t *in, size_t len, uint8_t out[32])
{
	crypto_generichash(out, 32, in, len, NULL, 0);
}

/* Seconds per call: the best of 5 batches, each sized to take about
 * budget/5 seconds. */
static double
time_per_call(void (*fn)(const uint8_t *, size_t, uint8_t[32]), const uint8_t *in, size_t len,
              double budget)
{
	uint8_t out[32];
	uint64_t iters = 1;
	for (;;) {
		double t0 = now();
		for (uint64_t i = 0; i < iters; i++)
			fn(in, len, out);
		double dt = now() - t0;
		if (dt > budget / 50 || iters > (1ull << 40))
			break;
		iters *= 2;
	}
	double t0 = now();
	for (uint64_t i = 0; i < iters; i++)
		fn(in, len, out);
	double dt = now() - t0;
	uint64_t batch = (uint64_t)((double)iters * (budget / 5) / (dt > 0 ? dt : 1e-9)) + 1;
	double best = 1e300;
	for (int b = 0; b < 5; b++) {
		t0 = now();
		for (uint64_t i = 0; i < batch; i++)
			fn(in, len, out);
		dt = (now() - t0) / (double)batch;
		if (dt < best)
			best = dt;
	}
	sink = out[0];
	return best;
}

int
main(int argc, char **argv)
{
	double budget = argc > 1 ? atof(argv[1]) : 0.3;
	if (!(budget > 0)) {
		fprintf(stderr, "usage: ec_bench_blake3 [SECONDS_PER_FIGURE]\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	static const size_t small[] = {32, 64, 524, 1024};
	static const size_t large[] = {1u << 20, 16u << 20};
	size_t max = large[1];
	uint8_t *in = malloc(max);
	if (in == NULL)
		return 1;
	for (size_t i = 0; i < max; i++)
		in[i] = (uint8_t)(i * 131u + 7u);

	printf("%-10s %14s %14s %16s\n", "input", "blake3", "blake2b", "blake3/blake2b");
	for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
		double b3 = time_per_call(run_blake3, in, small[i], budget);
		double b2 = time_per_call(run_blake2b, in, small[i], budget);
		printf("%-10zu %11.1f ns %11.1f ns %15.2fx\n", small[i], b3 * 1e9, b2 * 1e9, b3 / b2);
	}
	for (size_t i = 0; i < sizeof large / sizeof large[0]; i++) {
		double b3 = time_per_call(run_blake3, in, large[i], budget);
		double b2 = time_per_call(run_blake2b, in, large[i], budget);
		printf("%-7zuMiB %9.1f MB/s %9.1f MB/s %15.2fx\n", large[i] >> 20,
		       (double)large[i] / b3 / 1e6, (double)large[i] / b2 / 1e6, b3 / b2);
	}
	printf("(ratio = blake3 time / blake2b time; below 1 means blake3 is faster)\n");
	free(in);
	(void)sink;
	return 0;
}
