/* SPDX-License-Identifier: MIT */
/*
 * Internal: an index from 64-bit ids to entry numbers, for the simulator's
 * arrays of records that carry their own id (nodes by id, blocks by
 * handle).  Open addressing with linear probing over a power-of-two table
 * of entry number + 1 (0: empty); the keys stay in the records, read at
 * keys + i * stride, so the table costs 4 bytes a slot.  Keep it at most
 * half full.  Ids may repeat: find returns the first inserted.
 */
#ifndef ECSIM_IDINDEX_H
#define ECSIM_IDINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ec/rng.h"

typedef struct ecsim_idindex {
	uint32_t *slots; /* nslots of them, zeroed when empty */
	size_t nslots;   /* a power of two */
} ecsim_idindex;

/* The slot where id's probe starts (for prefetching). */
static inline const uint32_t *
ecsim_idindex_home(const ecsim_idindex *x, uint64_t id)
{
	return &x->slots[(size_t)ec_mix64(id) & (x->nslots - 1)];
}

/* Entry number of id, or UINT32_MAX when absent. */
static inline uint32_t
ecsim_idindex_find(const ecsim_idindex *x, uint64_t id, const void *keys, size_t stride)
{
	if (!x->nslots)
		return UINT32_MAX;
	size_t mask = x->nslots - 1;
	for (size_t h = (size_t)ec_mix64(id) & mask;; h = (h + 1) & mask) {
		uint32_t v = x->slots[h];
		if (v == 0)
			return UINT32_MAX;
		uint64_t key;
		memcpy(&key, (const char *)keys + (size_t)(v - 1) * stride, sizeof key);
		if (key == id)
			return v - 1;
	}
}

/* Adds entry i under id; the table must have a free slot. */
static inline void
ecsim_idindex_put(ecsim_idindex *x, uint64_t id, uint32_t i)
{
	size_t mask = x->nslots - 1, h = (size_t)ec_mix64(id) & mask;
	while (x->slots[h])
		h = (h + 1) & mask;
	x->slots[h] = i + 1;
}

/* Doubles x over the n records at keys (stride bytes apart, each led by
 * its 64-bit id), keeping it at most half full.  False when out of
 * memory: x is then unchanged.  The old table is freed (tables come from
 * calloc). */
static inline bool
ecsim_idindex_double(ecsim_idindex *x, const void *keys, size_t stride, size_t n)
{
	ecsim_idindex y = {calloc(x->nslots * 2, sizeof *y.slots), x->nslots * 2};
	if (!y.slots)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint64_t key;
		memcpy(&key, (const char *)keys + i * stride, sizeof key);
		ecsim_idindex_put(&y, key, (uint32_t)i);
	}
	free(x->slots);
	*x = y;
	return true;
}

/* Slots for n entries at most half full: 16 or more, a power of two. */
static inline size_t
ecsim_idindex_slots_for(size_t n)
{
	size_t s = 16;
	while (s < 2 * n)
		s *= 2;
	return s;
}

#endif
