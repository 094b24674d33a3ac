/* SPDX-License-Identifier: MIT */
/* The command line of `ecsim sweep`: its own options, the run options it
 * passes on to ecsim's parser for each size, and the options it refuses. */
#ifndef ECSIM_SWEEP_ARGS_H
#define ECSIM_SWEEP_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "options.h"

typedef struct sweep_args {
	const char *out;       /* borrowed from argv: --out */
	const char *sizes_arg; /* borrowed from argv: --sweep-nodes */
	unsigned long long seeds;
	bool help;
	bool quiet;      /* set by sweep_args_check */
	uint32_t *sizes; /* owned; set by sweep_args_check */
	size_t nsizes;
	char **rest; /* owned array of borrowed strings: argv[0], the run
	                options, then room for --nodes N and NULL */
	int nrest;
} sweep_args;

/* Takes sweep's own options out of argv (argv[1] is "sweep"); the rest are
 * run options, not yet checked.  argv is borrowed and must outlive a.
 * Returns 0; 1 when out of memory; 2 for a malformed --out, --sweep-nodes
 * or --seeds (each reported on stderr).  Free a with sweep_args_free in
 * every case. */
int sweep_args_split(int argc, char **argv, sweep_args *a);

/* Checks every option, and the run options at every size, before anything
 * is written; sets sizes, nsizes and quiet, or help when a run option
 * abbreviates --help.  Returns 0, or 2 for a usage error (reported). */
int sweep_args_check(sweep_args *a);

/* Parses the run options for a network of `nodes`, as `ecsim --nodes N`
 * would: every check that depends on the size, and the default thread
 * count for that size.  o must outlive the run (it points into itself).
 * Returns 0, or 2 for a usage error (reported). */
int sweep_configure(sweep_args *a, uint32_t nodes, ecsim_options *o);

/* Frees what a owns; harmless on a zeroed or failed a. */
void sweep_args_free(sweep_args *a);

/* The text of ecsim sweep --help. */
void sweep_usage(FILE *out);

#endif
