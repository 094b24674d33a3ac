/* SPDX-License-Identifier: MIT */
/*
 * Internal: what a simulator run owns, released in one call.  Every array
 * a run keeps is allocated or grown through an ecsim_life, which records it
 * the first time it gets memory, with how to free it; teardown releases the
 * records in reverse order (the last acquired first), so no list of frees
 * is kept by hand and nothing allocated can be missed.  Other teardown
 * steps (a node's fini, a thread pool's stop) are recorded as callbacks in
 * the same stack, so they run at their place in that order.
 *
 * Pointers recorded are the addresses of the fields that hold the arrays:
 * those fields must stay at one address for the run (members of the
 * simulator or of its workers) and hold the array's current start.
 */
#ifndef ECSIM_LIFE_H
#define ECSIM_LIFE_H

#include <stdbool.h>
#include <stddef.h>

#include "ec/err.h"

typedef struct ecsim_life_rec ecsim_life_rec;

typedef struct ecsim_life {
	ecsim_life_rec *recs;
	size_t n, cap;
} ecsim_life;

/* Grows the heap array *p (capacity *cap elements of elem bytes) to hold
 * at least need, doubling from 16; records it on first growth.  Returns
 * false when out of memory (the array is then unchanged). */
bool ecsim_life_grow(ecsim_life *l, size_t need, size_t elem, void **p, size_t *cap);
/* The same for arrays read at random, which live on huge pages from 2 MiB
 * on (ecsim_huge_realloc). */
bool ecsim_life_grow_huge(ecsim_life *l, size_t need, size_t elem, void **p, size_t *cap);
/* A fixed, zeroed array of n elements of elem bytes on huge pages (a
 * mapping: untouched pages cost nothing) into *p, recorded.  Errors:
 * EC_ENOMEM (overflow or no memory; *p is then NULL). */
EC_WUR ec_err ecsim_life_huge(ecsim_life *l, size_t n, size_t elem, void **p);
/* A fixed, zeroed heap array (calloc) into *p, recorded.  Errors as above. */
EC_WUR ec_err ecsim_life_calloc(ecsim_life *l, size_t n, size_t elem, void **p);
/* Records fn(arg) to run at its place in the release order.  Errors:
 * EC_ENOMEM (fn is then run at once, so nothing is left unreleased). */
EC_WUR ec_err ecsim_life_defer(ecsim_life *l, void (*fn)(void *arg), void *arg);
/* Releases everything recorded, the last recorded first; l is then empty. */
void ecsim_life_release(ecsim_life *l);

#endif
