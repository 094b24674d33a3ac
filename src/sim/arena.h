/* SPDX-License-Identifier: MIT */
/*
 * Internal: the simulator's allocator.  During set-up, fresh allocations
 * (the nodes' peer lists: 12.8 MB for the published run, far more at scale)
 * are carved from large anonymous mappings marked for transparent huge
 * pages, which turns thousands of page faults into a handful.  Everything
 * else, and any later growth of an arena block, goes to the C library.
 * Arena memory is released all at once by sim_arena_fini.
 */
#ifndef EC_SIM_ARENA_H
#define EC_SIM_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sim_arena_chunk {
	unsigned char *base;
	size_t size, used;
} sim_arena_chunk;

typedef struct sim_arena {
	sim_arena_chunk *chunks;
	size_t nchunks;
	bool setup;   /* fresh allocations come from the arena while true */
} sim_arena;

void sim_arena_init(sim_arena *a);
void sim_arena_fini(sim_arena *a);

/* ec_realloc_fn over a sim_arena (user = the arena). */
void *sim_arena_realloc(void *user, void *ptr, size_t old_size, size_t new_size);

/* Bytes of address space mapped by the arena. */
size_t sim_arena_mapped(const sim_arena *a);

#endif
