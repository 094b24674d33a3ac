/* SPDX-License-Identifier: MIT */
/* A worker's timer wheel (wheel.h). */
#include "wheel.h"

bool
ecsim_wheel_set(ecsim_life *l, ecsim_wheel *w, uint64_t *due, uint32_t i, uint64_t when)
{
	if (when == due[i])
		return true;
	if (due[i] != ECSIM_NOT_DUE)
		w->ntimed--;
	due[i] = when;
	if (when == ECSIM_NOT_DUE)
		return true;
	ecsim_wheel_slot *ws = &w->slot[when % ECSIM_WHEEL_SLOTS];
	if (ws->len == ws->cap &&
	    !ecsim_life_grow(l, ws->len + 1, sizeof *ws->v, (void **)&ws->v, &ws->cap)) {
		due[i] = ECSIM_NOT_DUE;
		return false;
	}
	ws->v[ws->len++] = i;
	w->ntimed++;
	return true;
}

void
ecsim_wheel_fire(ecsim_wheel *w, uint64_t *due, uint64_t round, uint64_t *active)
{
	ecsim_wheel_slot *ws = &w->slot[round % ECSIM_WHEEL_SLOTS];
	size_t kept = 0;
	for (size_t k = 0; k < ws->len; k++) {
		uint32_t i = ws->v[k];
		uint64_t d = due[i];
		if (d == round) {
			active[i / 64] |= 1ull << (i % 64);
			due[i] = ECSIM_NOT_DUE;
			w->ntimed--;
		} else if (d != ECSIM_NOT_DUE && d > round &&
		           d % ECSIM_WHEEL_SLOTS == round % ECSIM_WHEEL_SLOTS) {
			ws->v[kept++] = i; /* a later lap */
		} /* else stale: the node ticked since and was re-timed */
	}
	ws->len = kept;
}
