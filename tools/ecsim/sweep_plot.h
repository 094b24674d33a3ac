/* SPDX-License-Identifier: MIT */
/* The plots of `ecsim sweep`: metrics against N on logarithmic axes, from
 * summary.csv, as a gnuplot script (plots.gp) and as PNG and SVG files. */
#ifndef ECSIM_SWEEP_PLOT_H
#define ECSIM_SWEEP_PLOT_H

#include <stddef.h>
#include <stdio.h>

#include "outfile.h"
#include "sweep_fit.h"
#include "sweep_grid.h"

enum { SWEEP_PLOTS = 4 }; /* the plots there are */

/* The plots to draw, in their order. */
typedef struct sweep_plots {
	size_t n;
	const struct sweep_plot *plot[SWEEP_PLOTS]; /* static: not to free */
} sweep_plots;

/* The plots that have a point on logarithmic axes: a positive mean at some
 * size of g (summarised).  Every other is left out with a warning on
 * stderr (gnuplot would fail on it). */
void sweep_plots_choose(const sweep_grid *g, sweep_plots *p);

/* plots.gp: the script that draws p into the plots' real names (run in the
 * output directory), titled with fit's exponents.  Returns 0, or 1 when out
 * of memory (reported); write errors are left to f's owner. */
int sweep_plots_write_script(FILE *f, const sweep_plots *p, const sweep_fit *fit);

/* Draws p with gnuplot into d: each plot under a temporary name, all
 * renamed into place once gnuplot has written every one.  Does nothing
 * when p is empty.  Returns 0, also when gnuplot is not installed (a
 * warning says so); 1 (reported) when out of memory, a file could not be
 * created or renamed, or gnuplot failed or wrote an empty file; then no
 * plot is written. */
int sweep_plots_draw(const outdir *d, const sweep_plots *p, const sweep_fit *fit);

#endif
