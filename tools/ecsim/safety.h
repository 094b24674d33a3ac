/* SPDX-License-Identifier: MIT */
/* What ecsim does when the simulator's safety check finds two conflicting
 * blocks committed: tell, and leave a scenario that replays it. */
#ifndef ECSIM_TOOL_SAFETY_H
#define ECSIM_TOOL_SAFETY_H

#include <stdint.h>

#include "ecsim/sim.h"
#include "options.h"

/* Reports run `run`'s safety violation (res->safety.violated; sim is the
 * run, not yet freed) on stderr, with the simulator's account of the two
 * blocks, and writes the scenario that replays the run up to the end of
 * the violation's round (the same options, rounds = that round + 1, one
 * run, the check on) to o->safety_report, or by default to
 * safety-violation-SEED.yaml in the current directory (SEED: the run's
 * seed as --seed takes it when it is one, else as --seed-hex does).
 * Returns 1: the exit status of a run that broke safety. */
int ecsim_safety_violation(const ecsim_options *o, uint64_t run, const ec_sim *sim,
                           const ec_sim_result *res);

/* Run `run` had Byzantine nodes and safety violations (res->byz): writes
 * the scenario that replays its first violation to o->safety_report, or
 * by default to safety-violation-SEED.yaml: the same options cut at the
 * end of that round, and with o->shrink the fewest nodes (halving while a
 * run still shows a violation, each halving cut at its own first one).
 * Such violations are what the run measures: returns 0 (1 only when the
 * file could not be written, reported). */
int ecsim_byz_violation(const ecsim_options *o, uint64_t run, const ec_sim_result *res);

#endif
