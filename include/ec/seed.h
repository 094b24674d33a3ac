/* SPDX-License-Identifier: MIT */
/*
 * The seed protocol: ecRust's "echo-consent" node exactly as the reference
 * (EcProtocol/EcNode b2f6f1d) implements it, quirks included (seed-protocol.md §2, §5).
 * It exists to replay the published figures; do not "fix" it here, build a
 * new protocol beside it instead.
 */
#ifndef EC_SEED_H
#define EC_SEED_H

#include <stdbool.h>
#include <stdint.h>

#include "ec/mempool.h"
#include "ec/peers.h"
#include "ec/protocol.h"

#define EC_SEED_BREQ 2      /* ticket xor for a block request after a vote */
#define EC_SEED_PREQ 3      /* ticket xor for a parent-commit request */
#define EC_SEED_COMMITTED_VOTE 0xFF
#define EC_SEED_BLOCKED_VOTE 0x00

/* The storage the seed protocol needs (ec_store.ops of its nodes), keyed
 * by 64-bit ids as in the reference. */
#define EC_SEED_STORE_API "seed-store/1"
typedef struct ec_seed_store_ops {
	/* Returns the stored block with this id, or NULL.  The block belongs to
	 * the store and stays valid until the next write to this store. */
	const ec_block *(*block_get)(void *impl, ec_block_id id);
	/* Saves (or overwrites) a block; the store copies it.  Errors:
	 * EC_ENOMEM, or the store's own. */
	ec_err (*block_put)(void *impl, const ec_block *block);
	/* Looks a token up.  Returns true and fills *block and *time if present. */
	bool (*token_get)(void *impl, ec_token_id token, ec_block_id *block, uint64_t *time);
	/* Writes (or overwrites) a token mapping.  Errors: as block_put. */
	ec_err (*token_put)(void *impl, ec_token_id token, ec_block_id block, uint64_t time);
} ec_seed_store_ops;

/* The seed operations of a store. */
static inline const ec_seed_store_ops *
ec_seed_store(const ec_store *s)
{
	return (const ec_seed_store_ops *)s->ops;
}

typedef struct ec_seed_config {
	/* false: mempool in insertion order (deterministic default).
	 * true: ascending mix64(block_id ^ k), k = (salt * golden) | 1,
	 * ties in insertion order (seed-protocol.md §5 B1). */
	bool salted;
	uint64_t salt;
} ec_seed_config;

typedef struct ec_seed_node {
	ec_peer_id id;
	uint64_t time;
	uint64_t order_k;   /* 0 when unsalted */
	bool salted;
	ec_peers peers;
	ec_mempool pool;
} ec_seed_node;

extern const ec_protocol ec_protocol_seed;
/* How drivers carry its messages (also ec_protocol_seed.msg). */
extern const ec_msg_ops ec_seed_msg_ops;
extern const ec_proto_config ec_seed_config_ops;

/* The key a new pool entry for block id gets under this node's order. */
uint64_t ec_seed_order_key(const ec_seed_node *node, ec_block_id id);

#endif
