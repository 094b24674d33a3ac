/* SPDX-License-Identifier: MIT */
/* Descriptive statistics over runs (see ec/summary.h). */
#include "ecsim/summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double
ec_quantile_sorted(const double *s, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t lo = (size_t)pos;
	if (lo + 1 >= n)
		return s[n - 1];
	double frac = pos - (double)lo;
	return s[lo] + (s[lo + 1] - s[lo]) * frac;
}

uint64_t
ec_nearest_rank_u64(const uint64_t *sorted, size_t n, unsigned pct)
{
	size_t rank = (n * pct + 99) / 100;
	return sorted[rank ? rank - 1 : 0];
}

double
ec_t95(size_t df)
{
	/* exact table for small df, then the Cornish-Fisher expansion */
	static const double table[] = {0, 12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469,
	                               2.3646, 2.3060, 2.2622, 2.2281};
	if (df == 0)
		return 0;
	if (df < sizeof table / sizeof table[0])
		return table[df];
	const double z = 1.959963984540054, v = (double)df;
	double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
	return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v) +
	       (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v);
}

ec_err
ec_summary_compute(const double *v, size_t n, ec_summary *out)
{
	memset(out, 0, sizeof *out);
	out->n = n;
	if (n == 0)
		return EC_OK;
	double *s = malloc(n * sizeof *s);
	if (!s)
		return EC_ENOMEM;
	memcpy(s, v, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += s[i];
	out->mean = sum / (double)n;
	double ss = 0;
	for (size_t i = 0; i < n; i++)
		ss += (s[i] - out->mean) * (s[i] - out->mean);
	out->sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
	out->median = ec_quantile_sorted(s, n, 0.5);
	out->p5 = ec_quantile_sorted(s, n, 0.05);
	out->p95 = ec_quantile_sorted(s, n, 0.95);
	out->min = s[0];
	out->max = s[n - 1];
	double half = n > 1 ? ec_t95(n - 1) * out->sd / sqrt((double)n) : 0;
	out->ci_low = out->mean - half;
	out->ci_high = out->mean + half;
	free(s);
	return EC_OK;
}
