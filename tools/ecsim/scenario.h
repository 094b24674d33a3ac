/* SPDX-License-Identifier: MIT */
/*
 * Scenario files: a YAML mapping of option names to values, holding a run's
 * complete configuration.  Keys are the long option names with '-' or '_'
 * (nodes, rounds, seed, seed_hex, topology, degree, delay, loss,
 * initial_tokens, tokens_per_node, tx_rate, warmup, block_size, protocol,
 * tiebreak_salt, runs, safety_check, ...); values use the command line's
 * syntax.
 */
#ifndef ECSIM_SCENARIO_H
#define ECSIM_SCENARIO_H

#include <stddef.h>
#include <stdio.h>

#include "options.h"

/*
 * Reads path into an argv of options ("--nodes", "2000", ...), every value
 * checked on its own.  Out: *args (free with ecsim_scenario_free) and
 * *nargs.  Returns 0, or 2 with err holding "PATH:LINE:COLUMN: problem".
 */
int ecsim_scenario_load(const char *path, char ***args, int *nargs, char *err, size_t errlen);
void ecsim_scenario_free(char **args, int nargs);

/* Writes o's effective configuration as a scenario file. */
int ecsim_scenario_print(FILE *out, const ecsim_options *o);

#endif
