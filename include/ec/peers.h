/* SPDX-License-Identifier: MIT */
/*
 * ec_peers: a node's trusted peers as a sorted, duplicate-free array of ids,
 * and the ring-position routing helpers of the seed protocol (seed-protocol.md §2.3).
 * Distances are positions in this sorted list, in ring order by numeric id;
 * indices wrap around the ends.  A node's own id is never in its list.
 *
 * The array is owned by the ec_peers value and grows through the context
 * allocator; release it with ec_peers_fini.
 */
#ifndef EC_PEERS_H
#define EC_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/ctx.h"

typedef struct ec_peers {
	uint64_t *ids;  /* sorted ascending */
	uint32_t len;
	uint32_t cap;
	uint32_t version; /* changes whenever the list does (for derived caches) */
} ec_peers;

typedef struct ec_range {
	uint64_t low;
	uint64_t high;
} ec_range;

/* An empty list (no allocation). */
void ec_peers_init(ec_peers *p);
/* Frees the array through ctx->realloc_fn; p is then empty.  Accepts a
 * zeroed or initialised list. */
void ec_peers_fini(ec_peers *p, const ec_ctx *ctx);

/* Replaces the list with n ids that are already sorted ascending and
 * distinct (self excluded by the caller); copies them.  Errors: EC_ENOMEM
 * (the list is then unchanged). */
EC_WUR ec_err ec_peers_assign(ec_peers *p, const ec_ctx *ctx, const uint64_t *sorted, size_t n);

/* Inserts id in sorted position unless it is self or already present.
 * Out: *added (may be NULL) tells whether the list changed.  Errors:
 * EC_ENOMEM (the list is then unchanged, *added false). */
EC_WUR ec_err ec_peers_add(ec_peers *p, const ec_ctx *ctx, uint64_t self, uint64_t id,
                           bool *added);

/* Binary search.  Returns true if found; *idx is the position of key, or
 * the insertion point (index of the first element > key). */
bool ec_peers_search(const ec_peers *p, uint64_t key, uint32_t *idx);

/* Whether id is in the list. */
bool ec_peers_trusted(const ec_peers *p, uint64_t id);

/* peers_for: two vote targets, lower first.  Both 0 if the list is empty. */
void ec_peers_for(const ec_peers *p, uint64_t self, uint64_t key, uint64_t t, uint64_t out[2]);

/* peer_for: one target (block requests, query forwarding); 0 if empty. */
uint64_t ec_peer_for(const ec_peers *p, uint64_t self, uint64_t key, uint64_t t);

/* peer_range: the ids 4 positions below and above key's position; the
 * whole ring if the list has at most 10 peers. */
ec_range ec_peer_range(const ec_peers *p, uint64_t key);

/* Whether k lies in r, with ranges wrapping around the ring when
 * r.low >= r.high. */
static inline bool
ec_range_contains(ec_range r, uint64_t k)
{
	if (r.low < r.high)
		return r.low <= k && k <= r.high;
	return k <= r.high || k >= r.low;
}

#endif
