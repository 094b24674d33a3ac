/* SPDX-License-Identifier: MIT */
/* The grid of runs of `ecsim sweep`: every size with every seed, one row of
 * runs.csv per run, and per size the summary of each metric. */
#ifndef ECSIM_SWEEP_GRID_H
#define ECSIM_SWEEP_GRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ecsim/summary.h"
#include "sweep_args.h"

/* The metrics summarised per size, in the column order of summary.csv. */
enum {
	SWEEP_MPC,   /* messages per commit */
	SWEEP_MPNPC, /* messages per node per commit */
	SWEEP_LAT,   /* mean latency */
	SWEEP_LATP95,
	SWEEP_THR, /* throughput */
	SWEEP_COMMITS,
	SWEEP_MESSAGES,
	SWEEP_METRICS
};
/* Their names in the files: column stems, fit.txt rows, plot file stems. */
extern const char *const sweep_metric_name[SWEEP_METRICS];

typedef struct sweep_grid {
	const uint32_t *sizes; /* borrowed: the network sizes */
	size_t nsizes;
	unsigned long long seeds; /* runs per size */
	bool quiet;               /* no progress line per run */
	double *vals;     /* owned, [size][metric][seed]: the first nval[size][metric]
	                     hold the runs where the metric is defined */
	size_t *nval;     /* owned, [size][metric] */
	ec_summary *st;   /* owned, [size][metric]: set by sweep_grid_summarize */
} sweep_grid;

/* Sets g up for a's sizes, seeds and quiet (a, checked, must outlive g)
 * and allocates its tables.  Returns 0, or 1 when out of memory
 * (reported).  Free g with sweep_grid_free in either case. */
int sweep_grid_alloc(sweep_grid *g, const sweep_args *a);

/* Frees what g owns; harmless on a zeroed g. */
void sweep_grid_free(sweep_grid *g);

/* Runs every size and seed with a's run options, writing runs.csv's header
 * and rows into runs and keeping each run's metrics.  Returns 0; 1 when a
 * run failed (reported); 2 if the run options no longer parse (reported;
 * sweep_args_check has parsed them: cannot happen).  Write errors are left
 * to runs' owner. */
int sweep_grid_run(sweep_grid *g, sweep_args *a, FILE *runs);

/* The summary of every size and metric from the kept runs.  Returns 0, or
 * 1 when out of memory (reported). */
int sweep_grid_summarize(sweep_grid *g);

/* The summary of metric at size index k (after sweep_grid_summarize);
 * n == 0 when no run defined it. */
const ec_summary *sweep_grid_stat(const sweep_grid *g, size_t k, size_t metric);

/* Whether metric has a positive mean at size index k: the sizes that the
 * fit on logarithms and the plots on logarithmic axes can use. */
bool sweep_grid_positive(const sweep_grid *g, size_t k, size_t metric);

/* summary.csv: per size, the mean and 95 % interval of each metric. */
void sweep_grid_write_summary(FILE *f, const sweep_grid *g);

#endif
