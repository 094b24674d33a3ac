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
	const unsigned char *lo, *hi; /* bounds of every chunk: a quick "not ours" */
	bool setup;   /* fresh allocations come from the arena while true */
} sim_arena;

void sim_arena_init(sim_arena *a);
void sim_arena_fini(sim_arena *a);

/* ec_realloc_fn over a sim_arena (user = the arena). */
void *sim_arena_realloc(void *user, void *ptr, size_t old_size, size_t new_size);

/* Large, randomly accessed arrays (node states, hash tables): anonymous
 * mappings marked for transparent huge pages, so that a million nodes'
 * scattered state does not cost a TLB miss per access.  Memory is zeroed.
 * sim_huge_free takes the size passed to sim_huge_alloc. */
void *sim_huge_alloc(size_t size);
void sim_huge_free(void *p, size_t size);

/* ec_realloc_fn for the shared stores' tables: blocks of SIM_HUGE_MIN
 * bytes or more are huge-page mappings, smaller ones the C library's.
 * Every call must pass the block's true size. */
#define SIM_HUGE_MIN ((size_t)2 << 20)
void *sim_huge_realloc(void *user, void *ptr, size_t old_size, size_t new_size);

/* A worker's allocator for the rounds: small blocks (up to SIM_ALLOC_MAX
 * bytes) come from size classes with free lists carved from 1 MiB slabs, so
 * that the churn of a round (outboxes freed at every tick, vote and interest
 * arrays of short-lived pool entries) never reaches the C library.  The
 * class is picked from the size the caller passes, so every free must pass
 * the size of the allocation (the ec_realloc_fn contract).  Set-up
 * allocations and arena blocks behave as under sim_arena_realloc.  Slabs are
 * released by sim_alloc_fini only.  One thread at a time. */
#define SIM_ALLOC_CLASSES 32 /* 8 of 16-byte steps, 4 per power of two up to 8 KiB */
#define SIM_ALLOC_MAX 8192u

typedef struct sim_alloc {
	sim_arena *arena;             /* shared set-up arena */
	void *free[SIM_ALLOC_CLASSES];
	unsigned char *cur;           /* carving position in the newest slab
	                                 (slabs are huge-page mappings) */
	size_t left;
	void **slabs;
	size_t nslabs;
} sim_alloc;

void sim_alloc_init(sim_alloc *a, sim_arena *arena);
void sim_alloc_fini(sim_alloc *a);

/* ec_realloc_fn over a sim_alloc (user = the allocator). */
void *sim_alloc_realloc(void *user, void *ptr, size_t old_size, size_t new_size);

/* Bytes of address space mapped by the arena. */
size_t sim_arena_mapped(const sim_arena *a);

#endif
