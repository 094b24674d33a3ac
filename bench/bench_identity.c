/* SPDX-License-Identifier: MIT */
/*
 * bench_identity: cost of Argon2id proof-of-work identities (ec/identity.h)
 * on this machine, single thread.
 *
 *  - verification: ec_identity_verify with no claimed address (always one
 *    full Argon2id evaluation), timed call by call; median, minimum and 90th
 *    percentile in ms, at the production parameters (4 MiB, 1 pass) and at
 *    the simulation parameters (64 KiB, 1 pass);
 *  - mining: ec_identity_mine at an unreachable difficulty, timed attempt
 *    by attempt, gives the time per attempt (median and mean), and from it
 *    the expected time to mine at the parameters' difficulty, 2^bits x time
 *    per attempt (the number of attempts is geometric with mean 2^bits, so
 *    one mining run varies widely around this figure).
 *
 * Inputs are fixed, so only timing varies between runs.  Use a build
 * without sanitizers for figures (libargon2 itself is not instrumented, but
 * the rest is).
 *
 * usage: ec_bench_identity [RUNS]   (default 50 production verifications;
 *                                    the simulation figures use 10 x RUNS)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec/identity.h"
#include "bench_clock.h"

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Times `runs` verifications; writes median, min and p90 in ms. */
static int
bench_verify(const ec_identity_params *p, size_t runs, double *median, double *min, double *p90)
{
	double *t = calloc(runs, sizeof *t);
	if (!t)
		return -1;
	uint8_t pk[32], salt[32], addr[32];
	for (unsigned i = 0; i < 32; i++) {
		pk[i] = (uint8_t)(0xa5 ^ i);
		salt[i] = (uint8_t)(3 * i);
	}
	for (size_t r = 0; r < runs; r++) {
		ec_identity_verdict v;
		salt[0] = (uint8_t)r; /* a different input each time */
		double t0 = now();
		ec_err e = ec_identity_verify(p, pk, salt, NULL, &v, addr);
		t[r] = (now() - t0) * 1e3;
		if (e) {
			fprintf(stderr, "ec_bench_identity: verify failed: %s\n", ec_strerror(e));
			free(t);
			return -1;
		}
	}
	qsort(t, runs, sizeof *t, cmp_double);
	*median = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
	*min = t[0];
	*p90 = t[(runs * 9) / 10 < runs ? (runs * 9) / 10 : runs - 1];
	free(t);
	return 0;
}

/* Mines `attempts` salts at an unreachable difficulty, one ec_identity_mine
 * call per attempt (each resuming from the salt the previous returned), and
 * writes the median and mean seconds per attempt.  The median is the
 * figure to trust on a loaded machine; the mean includes the stalls. */
static int
bench_mine(const ec_identity_params *p, size_t attempts, double *median, double *mean)
{
	ec_identity_params q = *p;
	q.bits = 256; /* never reached (an all-zero address) in practice */
	double *t = calloc(attempts, sizeof *t);
	if (!t)
		return -1;
	uint8_t pk[32], salt[32] = {0}, addr[32];
	memset(pk, 0x5a, sizeof pk);
	double sum = 0;
	for (size_t i = 0; i < attempts; i++) {
		bool found;
		uint64_t n;
		double t0 = now();
		ec_err e = ec_identity_mine(&q, pk, 1, salt, addr, &found, &n);
		t[i] = now() - t0;
		sum += t[i];
		if (e || n != 1) {
			fprintf(stderr, "ec_bench_identity: mining failed: %s\n", ec_strerror(e));
			free(t);
			return -1;
		}
	}
	qsort(t, attempts, sizeof *t, cmp_double);
	*median = attempts % 2 ? t[attempts / 2] : (t[attempts / 2 - 1] + t[attempts / 2]) / 2;
	*mean = sum / (double)attempts;
	free(t);
	return 0;
}

static void
print_duration(double s)
{
	if (s < 1)
		printf("%.1f ms", s * 1e3);
	else if (s < 120)
		printf("%.1f s", s);
	else if (s < 2 * 3600)
		printf("%.1f min", s / 60);
	else if (s < 3 * 86400)
		printf("%.1f h (%.2f days)", s / 3600, s / 86400);
	else
		printf("%.1f days", s / 86400);
}

static int
report(const char *name, const ec_identity_params *p, size_t runs, size_t mine_attempts)
{
	double med, min, p90, per, mean;
	if (bench_verify(p, runs, &med, &min, &p90) || bench_mine(p, mine_attempts, &per, &mean))
		return -1;
	double scale = (double)(UINT64_C(1) << (p->bits < 63 ? p->bits : 63));
	printf("%s: Argon2id %u KiB, %u pass, %u lane, difficulty %u bits\n", name,
	       (unsigned)p->memory_kib, (unsigned)p->passes, (unsigned)p->lanes, (unsigned)p->bits);
	printf("  verify: median %.3f ms, min %.3f ms, p90 %.3f ms over %zu runs (%.0f per second)\n",
	       med, min, p90, runs, 1e3 / med);
	printf("  mine:   median %.3f ms, mean %.3f ms per attempt over %zu attempts "
	       "(%.0f attempts per second at the median)\n",
	       per * 1e3, mean * 1e3, mine_attempts, 1 / per);
	printf("  expected mining time for %u bits: 2^%u x %.3f ms = ", (unsigned)p->bits,
	       (unsigned)p->bits, per * 1e3);
	print_duration(scale * per);
	printf(" on one core (at the mean: ");
	print_duration(scale * mean);
	printf(")\n");
	return 0;
}

int
main(int argc, char **argv)
{
	size_t runs = 50;
	if (argc > 2 || (argc == 2 && (runs = strtoul(argv[1], NULL, 10)) < 1)) {
		fprintf(stderr, "usage: ec_bench_identity [RUNS]   (RUNS >= 1, default 50)\n");
		return 2;
	}
	ec_identity_params prod = EC_IDENTITY_PARAMS_PRODUCTION, sim = EC_IDENTITY_PARAMS_SIM;
	if (report("production", &prod, runs, 2 * runs) ||
	    report("simulation", &sim, 10 * runs, 20 * runs))
		return 1;
	return 0;
}
