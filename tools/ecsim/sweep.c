/* SPDX-License-Identifier: MIT */
/*
 * ecsim sweep --out DIR --sweep-nodes N1,N2,... [--seeds K] [run options]
 *
 * For every network size N and every seed s = base .. base+K-1 it runs the
 * configuration given by the other options and writes, into DIR:
 *   runs.csv     one row per run;
 *   summary.csv  per N: mean and 95 % CI (Student t) of each metric;
 *   fit.txt      the exponent b of metric ~ a * N^b, least squares on
 *                log(mean) against log(N), with its standard error;
 *   plots.gp     a gnuplot script, run to make *.png and *.svg (when gnuplot
 *                is installed) for messages per commit, messages per node
 *                per commit, latency and throughput against N.
 * A figure that has no value (messages per commit of a run without commits,
 * the interval of one run, ...) is an empty CSV field and n/a in text.
 *
 * Nothing is written before every option is checked (sweep_args.c).  Every
 * file is written under a hidden temporary name and renamed over its real
 * name once complete (outfile.c), so that a failed sweep leaves no partial
 * file.  Files are opened relative to DIR's descriptor (no path is ever
 * assembled), and gnuplot is started without a shell, in DIR, on a script
 * that names only files this code named (sweep_plot.c, gnuplot.c).  The
 * runs and the summary are sweep_grid.c's, the exponents sweep_fit.c's.
 */
#include "sweep.h"

#include <stdbool.h>
#include <stdio.h>

#include "outfile.h"
#include "sweep_args.h"
#include "sweep_fit.h"
#include "sweep_grid.h"
#include "sweep_plot.h"

/* runs.csv, written as the grid runs. */
static int
write_runs(const outdir *d, sweep_grid *g, sweep_args *a)
{
	outfile runs;
	int rc = outfile_create(d, "runs.csv", &runs);
	if (!rc)
		rc = sweep_grid_alloc(g, a);
	if (!rc)
		rc = sweep_grid_run(g, a, runs.f);
	if (!rc)
		rc = outfile_commit(&runs);
	outfile_discard(&runs);
	return rc;
}

/* summary.csv, fit.txt and plots.gp, each complete or not at all. */
static int
write_tables(const outdir *d, const sweep_grid *g, const sweep_fit *fit,
             const sweep_plots *plots)
{
	outfile sum, fitf, gp = {0};
	int rc = outfile_create(d, "summary.csv", &sum);
	if (!rc) {
		sweep_grid_write_summary(sum.f, g);
		rc = outfile_commit(&sum);
	}
	if (!rc)
		rc = outfile_create(d, "fit.txt", &fitf);
	if (!rc) {
		sweep_fit_write(fitf.f, g->seeds, fit);
		rc = outfile_commit(&fitf);
	}
	if (!rc)
		rc = outfile_create(d, "plots.gp", &gp);
	if (!rc)
		rc = sweep_plots_write_script(gp.f, plots, fit);
	if (!rc)
		rc = outfile_commit(&gp);
	outfile_discard(&gp);
	return rc;
}

static int
sweep_run(sweep_args *a, sweep_grid *g)
{
	outdir d;
	if (outdir_open(&d, "ecsim sweep", a->out, "--out"))
		return 1;
	int rc = write_runs(&d, g, a);
	sweep_fit fit;
	if (!rc)
		rc = sweep_grid_summarize(g);
	if (!rc)
		rc = sweep_fit_all(g, &fit);
	sweep_plots plots = {0};
	if (!rc)
		sweep_plots_choose(g, &plots);
	if (!rc)
		rc = write_tables(&d, g, &fit, &plots);
	bool tables = !rc;
	if (!rc)
		rc = sweep_plots_draw(&d, &plots, &fit);
	outdir_close(&d);
	if (tables) { /* written, even when the plots failed */
		sweep_fit_write(stdout, g->seeds, &fit);
		if (fflush(stdout) || ferror(stdout)) {
			fprintf(stderr, "ecsim sweep: writing to stdout failed\n");
			rc = 1;
		}
	}
	return rc;
}

int
ecsim_sweep(int argc, char **argv)
{
	sweep_args a;
	sweep_grid g = {0};
	int rc = sweep_args_split(argc, argv, &a);
	if (!rc && !a.help)
		rc = sweep_args_check(&a);
	if (!rc && a.help)
		sweep_usage(stdout);
	else if (!rc)
		rc = sweep_run(&a, &g);
	sweep_args_free(&a);
	sweep_grid_free(&g);
	return rc;
}
