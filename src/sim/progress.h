/* SPDX-License-Identifier: MIT */
/* Internal: reports set-up progress through ec_sim_hooks.setup_progress. */
#ifndef ECSIM_PROGRESS_H
#define ECSIM_PROGRESS_H

#include "ecsim/sim.h"

/* Units (nodes) between two reports inside a long step: cheap next to the
 * work, frequent enough for a display (a few times a second at 1M nodes). */
#define SIM_PROGRESS_EVERY 65536u

/* Calls hooks->setup_progress when hooks is not NULL and the hook is set. */
static inline void
sim_progress(const ec_sim_hooks *hooks, const char *phase, uint64_t done, uint64_t total)
{
	if (hooks && hooks->setup_progress)
		hooks->setup_progress(hooks->user, phase, done, total);
}

#endif
