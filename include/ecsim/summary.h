/* SPDX-License-Identifier: MIT */
/*
 * ec_summary: descriptive statistics of one metric over many runs (mean,
 * sample standard deviation, median, 5th and 95th percentiles with linear
 * interpolation, and a 95 % confidence interval for the mean using
 * Student's t).  Floating point is fine here: these are reports, never
 * consensus inputs.
 */
#ifndef EC_SUMMARY_H
#define EC_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "ec/err.h"

typedef struct ec_summary {
	size_t n;
	double mean, sd, median, p5, p95, min, max;
	double ci_low, ci_high; /* 95 % CI of the mean (equal to mean when n < 2) */
} ec_summary;

/* Summarises v[0..n-1] (n may be 0: everything is 0).  v is not modified. */
EC_WUR ec_err ec_summary_compute(const double *v, size_t n, ec_summary *out);

/* The two quantiles the reports use, in one place.  Across runs (a mean of
 * figures), linear interpolation: percentile q in [0, 1] of sorted[0..n-1]
 * (n >= 1). */
double ec_quantile_sorted(const double *sorted, size_t n, double q);
/* Within a run (latencies in whole rounds), the nearest rank, so that the
 * figure is a latency some block had: the value at rank ceil(n * pct /
 * 100) of sorted[0..n-1] (n >= 1, pct in 0..100). */
uint64_t ec_nearest_rank_u64(const uint64_t *sorted, size_t n, unsigned pct);

/* Two-sided 95 % Student t critical value for df degrees of freedom. */
double ec_t95(size_t df);

#endif
