/* SPDX-License-Identifier: MIT */
/* Progress lines on stderr while a run is built and while it runs, for a
 * terminal only: each line overwrites the last (carriage return, erase). */
#ifndef ECSIM_PROGRESS_H
#define ECSIM_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ecsim_progress {
	bool on;                /* stderr is a terminal and --quiet is not set */
	uint64_t run, runs;     /* this run (from 0) of runs */
	uint64_t rounds;        /* rounds of each run */
	const char *phase;      /* the set-up step last shown */
	double last;            /* wall time of the last line */
	double start;           /* wall time the rounds started */
	uint64_t delivered;     /* messages delivered since then */
} ecsim_progress;

/* Whether progress should be shown: stderr is a terminal and not quiet. */
bool ecsim_progress_wanted(bool quiet);

/* A set-up step (ec_sim_hooks.setup_progress): a line when the step
 * changes, and at most twice a second within one. */
void ecsim_progress_setup(ecsim_progress *p, const char *phase, uint64_t done, uint64_t total);

/* The rounds begin (set-up is over). */
void ecsim_progress_rounds(ecsim_progress *p);

/* Round `round` (from 0) is done with `delivered` messages: a line after
 * the first round, then every 2 seconds: the round, messages per second
 * and the time left at that pace. */
void ecsim_progress_round(ecsim_progress *p, uint64_t round, size_t delivered);

/* Erases the line (at the end of a run, before anything else is printed). */
void ecsim_progress_clear(ecsim_progress *p);

/* Seconds on the monotonic clock (0 if it cannot be read), for rates and
 * intervals. */
double ecsim_wall_seconds(void);

#endif
