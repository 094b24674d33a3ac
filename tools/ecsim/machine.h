/* SPDX-License-Identifier: MIT */
/* What the machine offers a run: its available memory, and the check of a
 * run's estimated memory against it before the run is built. */
#ifndef ECSIM_MACHINE_H
#define ECSIM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "ecsim/sim.h"

/* Bytes of memory a new run of this process can use: MemAvailable from
 * /proc/meminfo (else the physical memory, sysconf), at most the cgroup's
 * memory.max when one is set, plus what this process already holds (an
 * earlier run's memory, freed and reused).  Out: *bytes; *source, a static
 * phrase naming where the figure comes from.  Returns false if nothing
 * could be read (then no check is possible). */
bool ecsim_memory_available(uint64_t *bytes, const char **source);

/* Compares cfg's memory estimate (ec_sim_estimate) with
 * ecsim_memory_available.  Returns 0 if the run may start (it fits, force
 * is set, or the machine cannot be read); otherwise prints one "ecsim: "
 * line stating the estimate and the limit and returns 2.  Out: *estimate
 * (may be NULL): the estimate, 0 if there is none. */
int ecsim_memory_check(const ec_sim_config *cfg, bool force, uint64_t *estimate);

#endif
