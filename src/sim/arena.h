/* SPDX-License-Identifier: MIT */
/*
 * Internal: the simulator's allocator.  During set-up, fresh allocations
 * (the nodes' peer lists: 12.8 MB for the published run, far more at scale)
 * are carved from large anonymous mappings marked for transparent huge
 * pages, which turns thousands of page faults into a handful.  Everything
 * else, and any later growth of an arena block, goes to the C library.
 * Arena memory is released all at once by ecsim_arena_fini.
 */
#ifndef ECSIM_ARENA_H
#define ECSIM_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ecsim_arena_chunk {
	unsigned char *base;
	size_t size, used;
} ecsim_arena_chunk;

typedef struct ecsim_arena {
	ecsim_arena_chunk *chunks;
	size_t nchunks;
	const unsigned char *lo, *hi; /* bounds of every chunk: a quick "not ours" */
	bool setup;   /* fresh allocations come from the arena while true */
} ecsim_arena;

void ecsim_arena_init(ecsim_arena *a);
void ecsim_arena_fini(ecsim_arena *a);

/* ec_realloc_fn over a ecsim_arena (user = the arena). */
void *ecsim_arena_realloc(void *user, void *ptr, size_t old_size, size_t new_size);

/* Large, randomly accessed arrays (node states, hash tables): anonymous
 * mappings marked for transparent huge pages, so that a million nodes'
 * scattered state does not cost a TLB miss per access; below ECSIM_HUGE_MIN
 * bytes, the C library's (a huge page would hold 2 MiB for a small array).
 * Memory is zeroed.  ecsim_huge_free takes the size passed to ecsim_huge_alloc. */
void *ecsim_huge_alloc(size_t size);
void ecsim_huge_free(void *p, size_t size);

/* ec_realloc_fn for the shared stores' tables: blocks of ECSIM_HUGE_MIN
 * bytes or more are huge-page mappings, smaller ones the C library's.
 * Every call must pass the block's true size. */
#define ECSIM_HUGE_MIN ((size_t)2 << 20)
void *ecsim_huge_realloc(void *user, void *ptr, size_t old_size, size_t new_size);

/* A worker's allocator for the rounds: small blocks (up to ECSIM_ALLOC_MAX
 * bytes) come from size classes with free lists carved from 32 MiB slabs, so
 * that the churn of a round (outboxes freed at every tick, vote and interest
 * arrays of short-lived pool entries) never reaches the C library.  The
 * class is picked from the size the caller passes, so every free must pass
 * the size of the allocation (the ec_realloc_fn contract).  Set-up
 * allocations and arena blocks behave as under ecsim_arena_realloc.  Slabs are
 * released by ecsim_alloc_fini only.  One thread at a time. */
#define ECSIM_ALLOC_CLASSES 32 /* 8 of 16-byte steps, 4 per power of two up to 8 KiB */
#define ECSIM_ALLOC_MAX 8192u

typedef struct ecsim_alloc {
	ecsim_arena *arena;             /* shared set-up arena */
	void *free[ECSIM_ALLOC_CLASSES];
	unsigned char *cur;           /* carving position in the newest slab
	                                 (slabs are huge-page mappings) */
	size_t left;
	void **slabs;
	size_t nslabs;
} ecsim_alloc;

void ecsim_alloc_init(ecsim_alloc *a, ecsim_arena *arena);
void ecsim_alloc_fini(ecsim_alloc *a);

/* ec_realloc_fn over a ecsim_alloc (user = the allocator). */
void *ecsim_alloc_realloc(void *user, void *ptr, size_t old_size, size_t new_size);

/* Bytes of address space mapped by the arena. */
size_t ecsim_arena_mapped(const ecsim_arena *a);

#endif
