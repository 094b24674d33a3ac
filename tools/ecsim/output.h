/* SPDX-License-Identifier: MIT */
/* ecsim's human-readable reports beyond the reference lines. */
#ifndef ECSIM_OUTPUT_H
#define ECSIM_OUTPUT_H

#include <stdio.h>

#include "ecsim/sim.h"

/* Compares a run of the published configuration with the published
 * figures; salted/salt say which mempool order produced it. */
void ecsim_compare_published(FILE *out, const ec_sim_result *r, bool salted, uint64_t salt);

/* The published figures, the seed protocol's run and the ec protocol's run
 * on the same configuration, side by side. */
void ecsim_side_by_side(FILE *out, const ec_sim_result *seed, const ec_sim_result *ec,
                        uint32_t nodes);

/* Accumulates per-run metrics and prints the --runs summary. */
typedef struct ecsim_runs ecsim_runs;
ecsim_runs *ecsim_runs_new(size_t runs);
void ecsim_runs_free(ecsim_runs *rs);
void ecsim_runs_add(ecsim_runs *rs, const ec_sim_result *r);
/* Returns 0, or -1 if out of memory. */
int ecsim_runs_print(ecsim_runs *rs, FILE *out, bool json);

#endif
