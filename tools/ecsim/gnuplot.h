/* SPDX-License-Identifier: MIT */
/* Running gnuplot on a script, without a shell. */
#ifndef ECSIM_GNUPLOT_H
#define ECSIM_GNUPLOT_H

#include "outfile.h"

typedef enum {
	GNUPLOT_DONE,   /* gnuplot ran and exited with status 0 */
	GNUPLOT_ABSENT, /* gnuplot is not installed (reported as a warning) */
	GNUPLOT_FAILED  /* it could not be started, failed or was killed (reported) */
} gnuplot_result;

/* Runs `gnuplot script` in d's directory, input from /dev/null; what
 * gnuplot prints is kept and copied to stderr only if it fails.  script
 * (borrowed) is a file name relative to d; shown (borrowed) is the name
 * the messages give it, as the user knows it.  Messages start with
 * d->prog. */
gnuplot_result gnuplot_run(const outdir *d, char *script, const char *shown);

#endif
