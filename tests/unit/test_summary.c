/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for ec_summary (ec/summary.h): mean, sample standard deviation,
 * median, linearly interpolated 5th/95th percentiles, the Student-t 95 %
 * confidence interval, edge cases n = 0 and n = 1, and the ec_t95 table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/summary.h"

static void
check_close(double got, double want, double eps, const char *what, int line)
{
	if (!(fabs(got - want) <= eps))
		fail_msg("line %d: %s = %.12g, want %.12g (+/- %g)", line, what, got, want, eps);
}
#define CLOSE(got, want, eps) check_close((got), (want), (eps), #got, __LINE__)

static void
test_even_n(void **state)
{
	(void)state;
	const double v[4] = {3, 1, 4, 2}; /* unsorted on purpose */
	double copy[4];
	memcpy(copy, v, sizeof v);
	ec_summary s;
	assert_int_equal(ec_summary_compute(v, 4, &s), EC_OK);
	assert_memory_equal(v, copy, sizeof v); /* input untouched */
	assert_int_equal(s.n, 4);
	CLOSE(s.mean, 2.5, 1e-12);
	CLOSE(s.sd, sqrt(5.0 / 3.0), 1e-12); /* sample sd (n - 1) */
	CLOSE(s.median, 2.5, 1e-12);
	CLOSE(s.p5, 1.15, 1e-12);  /* pos 0.05 * 3 = 0.15 */
	CLOSE(s.p95, 3.85, 1e-12); /* pos 2.85 */
	CLOSE(s.min, 1, 0);
	CLOSE(s.max, 4, 0);
	double half = 3.1824 * sqrt(5.0 / 3.0) / 2.0; /* t95(3) * sd / sqrt(4) */
	CLOSE(s.ci_low, 2.5 - half, 1e-9);
	CLOSE(s.ci_high, 2.5 + half, 1e-9);
	CLOSE(s.ci_low, 0.445769633, 1e-8);
}

static void
test_odd_n(void **state)
{
	(void)state;
	const double v[3] = {5, 1, 3};
	ec_summary s;
	assert_int_equal(ec_summary_compute(v, 3, &s), EC_OK);
	assert_int_equal(s.n, 3);
	CLOSE(s.mean, 3, 1e-12);
	CLOSE(s.sd, 2, 1e-12);
	CLOSE(s.median, 3, 1e-12);
	CLOSE(s.p5, 1.2, 1e-12);  /* pos 0.1 */
	CLOSE(s.p95, 4.8, 1e-12); /* pos 1.9 */
	CLOSE(s.min, 1, 0);
	CLOSE(s.max, 5, 0);
	double half = 4.3027 * 2 / sqrt(3.0);
	CLOSE(s.ci_low, 3 - half, 1e-9);
	CLOSE(s.ci_high, 3 + half, 1e-9);
}

static void
test_larger_n(void **state)
{
	(void)state;
	/* 1..21: mean 11, median 11, p5 at pos 1.0 -> 2, p95 at pos 19 -> 20 */
	double v[21];
	for (int i = 0; i < 21; i++)
		v[i] = (double)(21 - i);
	ec_summary s;
	assert_int_equal(ec_summary_compute(v, 21, &s), EC_OK);
	CLOSE(s.mean, 11, 1e-12);
	CLOSE(s.median, 11, 1e-12);
	CLOSE(s.p5, 2, 1e-12);
	CLOSE(s.p95, 20, 1e-12);
	CLOSE(s.sd, sqrt(38.5), 1e-12); /* sum of squares 770 / 20 */
	double half = ec_t95(20) * sqrt(38.5) / sqrt(21.0);
	CLOSE(s.ci_high - s.mean, half, 1e-9);
	CLOSE(s.mean - s.ci_low, half, 1e-9);
}

static void
test_n0_n1(void **state)
{
	(void)state;
	ec_summary s;
	memset(&s, 0x7F, sizeof s);
	assert_int_equal(ec_summary_compute(NULL, 0, &s), EC_OK);
	assert_int_equal(s.n, 0);
	CLOSE(s.mean, 0, 0);
	CLOSE(s.sd, 0, 0);
	CLOSE(s.median, 0, 0);
	CLOSE(s.p5, 0, 0);
	CLOSE(s.p95, 0, 0);
	CLOSE(s.min, 0, 0);
	CLOSE(s.max, 0, 0);
	CLOSE(s.ci_low, 0, 0);
	CLOSE(s.ci_high, 0, 0);

	const double one = 42.5;
	assert_int_equal(ec_summary_compute(&one, 1, &s), EC_OK);
	assert_int_equal(s.n, 1);
	CLOSE(s.mean, 42.5, 0);
	CLOSE(s.sd, 0, 0);
	CLOSE(s.median, 42.5, 0);
	CLOSE(s.p5, 42.5, 0);
	CLOSE(s.p95, 42.5, 0);
	CLOSE(s.min, 42.5, 0);
	CLOSE(s.max, 42.5, 0);
	CLOSE(s.ci_low, 42.5, 0); /* equal to the mean when n < 2 */
	CLOSE(s.ci_high, 42.5, 0);
}

static void
test_constant_and_negative(void **state)
{
	(void)state;
	const double c[5] = {7, 7, 7, 7, 7};
	ec_summary s;
	assert_int_equal(ec_summary_compute(c, 5, &s), EC_OK);
	CLOSE(s.sd, 0, 0);
	CLOSE(s.ci_low, 7, 0);
	CLOSE(s.ci_high, 7, 0);
	CLOSE(s.p5, 7, 0);

	const double v[2] = {-10, 10};
	assert_int_equal(ec_summary_compute(v, 2, &s), EC_OK);
	CLOSE(s.mean, 0, 0);
	CLOSE(s.median, 0, 1e-12);
	CLOSE(s.p5, -9, 1e-12);
	CLOSE(s.p95, 9, 1e-12);
	CLOSE(s.sd, sqrt(200.0), 1e-12);
	CLOSE(s.ci_high, 12.7062 * sqrt(200.0) / sqrt(2.0), 1e-9);
}

static void
test_quantile_sorted(void **state)
{
	(void)state;
	const double s[5] = {10, 20, 30, 40, 50};
	CLOSE(ec_quantile_sorted(s, 5, 0.0), 10, 0);
	CLOSE(ec_quantile_sorted(s, 5, 1.0), 50, 0);
	CLOSE(ec_quantile_sorted(s, 5, 0.5), 30, 1e-12);
	CLOSE(ec_quantile_sorted(s, 5, 0.25), 20, 1e-12);
	CLOSE(ec_quantile_sorted(s, 5, 0.1), 14, 1e-12);
	CLOSE(ec_quantile_sorted(s, 5, 0.9), 46, 1e-12);
	CLOSE(ec_quantile_sorted(s, 1, 0.3), 10, 0);
}

static void
test_t95(void **state)
{
	(void)state;
	CLOSE(ec_t95(1), 12.7062, 1e-12);
	CLOSE(ec_t95(2), 4.3027, 1e-12);
	CLOSE(ec_t95(3), 3.1824, 1e-12);
	CLOSE(ec_t95(10), 2.2281, 1e-12);
	/* beyond the table: close to the exact quantiles */
	CLOSE(ec_t95(11), 2.200985, 5e-4);
	CLOSE(ec_t95(20), 2.085963, 1e-4);
	CLOSE(ec_t95(30), 2.042272, 1e-4);
	CLOSE(ec_t95(120), 1.979930, 1e-4);
	CLOSE(ec_t95(1000000), 1.959964, 1e-4);
	/* decreasing in df */
	for (size_t df = 1; df < 200; df++)
		assert_true(ec_t95(df + 1) < ec_t95(df));
	assert_true(ec_t95(1000000) > 1.959963);
}

/* Latencies: the nearest rank gives a value some block had. */
static void
test_nearest_rank(void **state)
{
	(void)state;
	const uint64_t v[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	assert_int_equal(ec_nearest_rank_u64(v, 10, 50), 5);
	assert_int_equal(ec_nearest_rank_u64(v, 10, 95), 10);
	assert_int_equal(ec_nearest_rank_u64(v, 10, 0), 1);
	assert_int_equal(ec_nearest_rank_u64(v, 10, 100), 10);
	const uint64_t one[1] = {7};
	assert_int_equal(ec_nearest_rank_u64(one, 1, 99), 7);
	const uint64_t w[20] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
	assert_int_equal(ec_nearest_rank_u64(w, 20, 95), 18); /* rank 19 */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nearest_rank),
		cmocka_unit_test(test_even_n),
		cmocka_unit_test(test_odd_n),
		cmocka_unit_test(test_larger_n),
		cmocka_unit_test(test_n0_n1),
		cmocka_unit_test(test_constant_and_negative),
		cmocka_unit_test(test_quantile_sorted),
		cmocka_unit_test(test_t95),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
