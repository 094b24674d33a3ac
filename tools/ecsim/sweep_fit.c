/* SPDX-License-Identifier: MIT */
#include "sweep_fit.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

/* y = a * x^b by least squares on the logs lx = log x, ly = log y of m
 * points: b needs two points (else NAN), its standard error three. */
static void
fit_power(const double *lx, const double *ly, size_t m, double *b, double *se)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	for (size_t i = 0; i < m; i++)
		sx += lx[i], sy += ly[i], sxx += lx[i] * lx[i], sxy += lx[i] * ly[i];
	*b = NAN;
	*se = NAN;
	if (m < 2)
		return;
	double den = (double)m * sxx - sx * sx;
	if (den == 0)
		return;
	*b = ((double)m * sxy - sx * sy) / den;
	if (m > 2) {
		double a = (sy - *b * sx) / (double)m, rss = 0;
		for (size_t i = 0; i < m; i++) {
			double r = ly[i] - (a + *b * lx[i]);
			rss += r * r;
		}
		*se = sqrt(rss / (double)(m - 2) / (sxx - sx * sx / (double)m));
	}
}

int
sweep_fit_all(const sweep_grid *g, sweep_fit *fit)
{
	double *lx = calloc(g->nsizes, sizeof *lx), *ly = calloc(g->nsizes, sizeof *ly);
	if (!lx || !ly) {
		free(lx);
		free(ly);
		fprintf(stderr, "ecsim sweep: out of memory\n");
		return 1;
	}
	for (size_t j = 0; j < SWEEP_METRICS; j++) {
		size_t m = 0;
		for (size_t k = 0; k < g->nsizes; k++) {
			if (!sweep_grid_positive(g, k, j))
				continue; /* no logarithm */
			lx[m] = log(g->sizes[k]);
			ly[m++] = log(sweep_grid_stat(g, k, j)->mean);
		}
		fit_power(lx, ly, m, &fit->b[j], &fit->se[j]);
	}
	free(lx);
	free(ly);
	return 0;
}

void
sweep_fit_write(FILE *f, unsigned long long seeds, const sweep_fit *fit)
{
	const double *b = fit->b, *se = fit->se;
	fprintf(f, "Fitted scaling exponents b in metric = a * N^b (least squares on log-log of\n"
	           "the per-N means over %llu seeds; +- one standard error):\n", seeds);
	bool undefined = false;
	for (int j = 0; j < SWEEP_METRICS; j++) {
		fprintf(f, "  %-30s b = ", sweep_metric_name[j]);
		if (isnan(b[j]))
			fprintf(f, "%8s", "n/a");
		else
			fprintf(f, "%8.4f", b[j]);
		if (isnan(se[j]))
			fputs("  +- n/a\n", f);
		else
			fprintf(f, "  +- %.4f\n", se[j]);
		undefined |= isnan(b[j]) || isnan(se[j]);
	}
	if (undefined)
		fputs("n/a: an exponent needs two sizes with a positive mean, its error three.\n", f);
}
