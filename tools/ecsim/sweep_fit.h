/* SPDX-License-Identifier: MIT */
/* The scaling exponents of `ecsim sweep`: b in metric = a * N^b for every
 * metric, fitted to the per-size means, and fit.txt. */
#ifndef ECSIM_SWEEP_FIT_H
#define ECSIM_SWEEP_FIT_H

#include <stdio.h>

#include "sweep_grid.h"

/* NAN where undefined: an exponent needs two sizes with a positive mean,
 * its standard error three. */
typedef struct sweep_fit {
	double b[SWEEP_METRICS];  /* the exponent */
	double se[SWEEP_METRICS]; /* its standard error */
} sweep_fit;

/* Fits every metric of g (summarised) by least squares on the log-log of
 * its per-size means.  Returns 0, or 1 when out of memory (reported). */
int sweep_fit_all(const sweep_grid *g, sweep_fit *fit);

/* fit.txt (also printed on stdout): one row per metric, n/a where
 * undefined, with a line saying why when any is. */
void sweep_fit_write(FILE *f, unsigned long long seeds, const sweep_fit *fit);

#endif
