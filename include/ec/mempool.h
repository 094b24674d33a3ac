/* SPDX-License-Identifier: MIT */
/*
 * ec_mempool: the seed protocol's pool of blocks under vote (seed-protocol.md §2.1-2.2).
 * Entries keep a deterministic order: ascending order_key, ties in insertion
 * order.  With every key 0 this is plain insertion order; a salted key gives
 * the hash-like orders of seed-protocol.md §5 B1.  Expiry removes entries without
 * reordering the rest.
 *
 * Entry pointers and indices are invalidated by any call that inserts or
 * removes entries; they stay valid across calls that only update entries.
 * All memory belongs to the pool and is released by ec_mempool_fini.
 */
#ifndef EC_MEMPOOL_H
#define EC_MEMPOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "ec/block.h"
#include "ec/ctx.h"
#include "ec/peers.h"

#define EC_MEMPOOL_GATE 100     /* votes are ignored while the pool holds this many entries */
#define EC_MEMPOOL_EXPIRY 200   /* entries live this many ticks after creation */

typedef enum ec_block_state {
	EC_STATE_PENDING = 0,
	EC_STATE_COMMIT,
	EC_STATE_BLOCKED
} ec_block_state;

typedef struct ec_vote_rec {
	ec_peer_id peer;
	uint64_t time;
	uint8_t vote;
} ec_vote_rec;

typedef struct ec_pool_entry {
	/* hot fields first: scans by id and state touch one cache line */
	ec_block_id id;
	uint64_t order_key;
	uint64_t time;       /* creation time of the entry */
	uint8_t state;       /* ec_block_state */
	bool has_block;
	bool updated;        /* votes or block changed since the last tally */
	bool negative;       /* last tally decided a part by a balance <= -3 */
	uint8_t validate;    /* bit i: part i still needs parent/signature check */
	uint8_t vote;        /* unused by the protocol; kept for fidelity */
	uint8_t remaining;   /* bit i: part i undecided; bit 6: witness undecided */
	uint32_t nvotes;
	uint32_t vcap;
	ec_vote_rec *votes;
	ec_block block;      /* valid only if has_block */
	/* the node's peer_range of each part's token and of the block id, kept
	 * for the tally while the peer list is unchanged (ranges_version) */
	bool ranges_ok;
	uint32_t ranges_version;
	ec_range ranges[EC_TOKENS_PER_BLOCK + 1];
} ec_pool_entry;

typedef struct ec_mempool {
	ec_pool_entry *e;
	uint32_t len;
	uint32_t cap;
	/* after a cleanup at scan_now, nothing expires before next_due (valid
	 * until an entry is added); saves the scan on most ticks */
	bool due_valid;
	uint64_t scan_now;
	uint64_t next_due;
} ec_mempool;

void ec_mempool_init(ec_mempool *pool);
void ec_mempool_fini(ec_mempool *pool, const ec_ctx *ctx);

/* Returns the entry for id, or NULL.  Valid until the next insert/removal. */
ec_pool_entry *ec_mempool_find(const ec_mempool *pool, ec_block_id id);

/*
 * pool_vote: records vote from sender at time t for block id.  Does nothing
 * (and sets *gated) when the pool holds EC_MEMPOOL_GATE entries or more,
 * even for an existing entry.  A new entry gets time t and order_key.
 */
EC_WUR ec_err ec_mempool_vote(ec_mempool *pool, const ec_ctx *ctx, ec_block_id id,
                              uint8_t vote, ec_peer_id sender, uint64_t t,
                              uint64_t order_key, bool *gated);

/*
 * pool_block: offers a block at time now.  *fresh is false if the entry
 * already had a block.  A block is valid iff used < 6 and
 * time <= now + 100; an invalid one marks the entry Blocked.
 */
EC_WUR ec_err ec_mempool_block(ec_mempool *pool, const ec_ctx *ctx, const ec_block *block,
                               uint64_t now, uint64_t order_key, bool *fresh);

/* Removes every entry with now - time >= EC_MEMPOOL_EXPIRY (u64 arithmetic).
 * Returns the number removed. */
uint32_t ec_mempool_cleanup(ec_mempool *pool, const ec_ctx *ctx, uint64_t now);

#endif
