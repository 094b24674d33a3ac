/* SPDX-License-Identifier: MIT */
/*
 * Internal: a worker's timer wheel.  A node that has nothing to do until a
 * later round (the protocol's wake_at) sleeps in slot due % ECSIM_WHEEL_SLOTS
 * instead of being ticked every round; due[node] holds its current due
 * round (ECSIM_NOT_DUE: none), so an entry filed before the node was
 * re-timed is recognised as stale and dropped, and an entry a lap or more
 * ahead stays in its slot.  Each node has one due round at a time.
 */
#ifndef ECSIM_WHEEL_H
#define ECSIM_WHEEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "life.h"

#define ECSIM_WHEEL_SLOTS 64u
#define ECSIM_NOT_DUE UINT64_MAX

typedef struct ecsim_wheel_slot {
	uint32_t *v;
	size_t len, cap;
} ecsim_wheel_slot;

typedef struct ecsim_wheel {
	ecsim_wheel_slot slot[ECSIM_WHEEL_SLOTS];
	size_t ntimed; /* nodes with a due round */
} ecsim_wheel;

/* Sets node i's due round to when (ECSIM_NOT_DUE: none), files it, and
 * keeps ntimed.  Slots grow in l.  Returns false when out of memory: the
 * node is then not filed and its due round is none. */
bool ecsim_wheel_set(ecsim_life *l, ecsim_wheel *w, uint64_t *due, uint32_t i, uint64_t when);

/* The nodes due at `round`: sets their bit in active, clears their due
 * round; drops stale entries of the slot.  Call once per round, in order. */
void ecsim_wheel_fire(ecsim_wheel *w, uint64_t *due, uint64_t round, uint64_t *active);

#endif
