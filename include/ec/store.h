/* SPDX-License-Identifier: MIT */
/*
 * ec_store: the storage seam of a node.  Consensus code reads and writes
 * blocks and token mappings only through these operations, so the same node
 * logic runs on the simulator's in-memory store and on a persistent one.
 *
 * The store is a plain map; protocol rules (such as "only overwrite an older
 * mapping") live in the protocol, not here.
 */
#ifndef EC_STORE_H
#define EC_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "ec/block.h"
#include "ec/err.h"
#include "ec/id.h"

struct ecp_block;
struct ecp_cert;

typedef struct ec_store_ops {
	/* Returns the stored block with this id, or NULL.  The block belongs to
	 * the store and stays valid until the next write to this store. */
	const ec_block *(*block_get)(void *impl, ec_block_id id);
	/* Saves (or overwrites) a block; the store copies it. */
	ec_err (*block_put)(void *impl, const ec_block *block);
	/* Looks a token up.  Returns true and fills *block and *time if present. */
	bool (*token_get)(void *impl, ec_token_id token, ec_block_id *block, uint64_t *time);
	/* Writes (or overwrites) a token mapping. */
	ec_err (*token_put)(void *impl, ec_token_id token, ec_block_id block, uint64_t time);

	/* The ec protocol's 256-bit variants.  Committed blocks are kept with
	 * the certificate that committed them; bodies are immutable and
	 * outlive the store (ec/ecp.h), so the store keeps pointers. */
	bool (*xtoken_get)(void *impl, const ec_id *token, ec_id *block, uint64_t *time);
	ec_err (*xtoken_put)(void *impl, const ec_id *token, const ec_id *block, uint64_t time);
	bool (*xblock_get)(void *impl, const ec_id *id, const struct ecp_block **block,
	                   const struct ecp_cert **cert);
	ec_err (*xblock_put)(void *impl, const struct ecp_block *block,
	                     const struct ecp_cert *cert);
	/* Optional (may be NULL): a hint that xblock_get(id) follows soon;
	 * changes nothing. */
	void (*xblock_prefetch)(void *impl, const ec_id *id);
} ec_store_ops;

typedef struct ec_store {
	const ec_store_ops *ops;
	void *impl;
} ec_store;

#endif
