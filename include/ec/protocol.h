/* SPDX-License-Identifier: MIT */
/*
 * ec_protocol: the interface between a consensus protocol's node logic and
 * whatever drives it (the simulator, tests, a daemon).  Each protocol is a
 * static table of functions over an opaque node state of node_size bytes
 * that the driver allocates; every call gets the context it may use.
 *
 * Calls on one node must not overlap.  The driver calls, per round or time
 * step: handle() for each delivered message, then tick() once (or, for an
 * idle node, nothing: advance() catches its clock up before its next call).
 */
#ifndef EC_PROTOCOL_H
#define EC_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/block.h"
#include "ec/ctx.h"
#include "ec/id.h"
#include "ec/msg.h"

typedef struct ec_protocol {
	const char *name;
	size_t node_size;
	uint32_t max_block_tokens; /* largest transaction submit() accepts */
	/* Initialises node storage for a node with this id at time 0.
	 * config is protocol-specific (may be NULL for defaults); copied. */
	ec_err (*node_init)(void *node, ec_peer_id id, const void *config);
	/* Releases everything the node owns; accepts zeroed storage. */
	void (*node_fini)(void *node, const ec_ctx *ctx);
	/* Set-up: replaces the trusted peer list with n sorted, distinct ids. */
	ec_err (*set_peers)(void *node, const ec_ctx *ctx, const uint64_t *sorted, size_t n);
	/* Number of trusted peers. */
	size_t (*peer_count)(const void *node);
	/* Whether the node would stay silent for ever if no message arrived
	 * (nothing pending that could make it send or change state on a tick). */
	bool (*idle)(const void *node);
	/* Optional (may be NULL): the earliest clock value now() at which a
	 * tick() would do more than count time, were no message or submit to
	 * arrive first; UINT64_MAX when idle.  The ticks before it are no-ops
	 * apart from the clock, so a driver may skip them (advance() catches
	 * up); it must tick the node when now() reaches it. */
	uint64_t (*wake_at)(const void *node);
	/* Same effect as `ticks` calls of tick() on an idle node, or on one
	 * whose wake_at() is at least now() + ticks: a driver may skip those
	 * ticks and let the node's clock catch up later. */
	void (*advance)(void *node, uint64_t ticks);
	/* The node's clock (logical time). */
	uint64_t (*now)(const void *node);
	/* A locally created transaction enters the node (no message is
	 * involved).  What a protocol does with more than max_block_tokens
	 * parts is its own rule (seed: the block is invalid and Blocked). */
	ec_err (*submit)(void *node, const ec_ctx *ctx, const ec_txn *txn);
	/* Whether the node has committed the block whose 64-bit handle is id
	 * (the seed's id, or the ring position of an ec block id); full is the
	 * complete 256-bit id where the driver has one (NULL otherwise). */
	bool (*committed)(const void *node, const ec_ctx *ctx, ec_block_id id, const ec_id *full);
	/* One delivered message. */
	ec_err (*handle)(void *node, const ec_ctx *ctx, const ec_msg *msg);
	/* One time step. */
	ec_err (*tick)(void *node, const ec_ctx *ctx);
	/* Optional (may be NULL): a hint that the node will soon handle msg
	 * (its first message this round; NULL: it will only tick) in this
	 * context; it may prefetch the memory it reaches through pointers or
	 * the store.  Reads only, changes nothing; the driver may skip it.
	 * Stage 0 comes first and should read only the node's own bytes;
	 * stage 1 comes later, when what stage 0 prefetched, and the message
	 * with its items, may be read without waiting for memory. */
	void (*prefetch)(const void *node, const ec_ctx *ctx, const ec_msg *msg, unsigned stage);
} ec_protocol;

/* Returns the protocol registered under name, or NULL. */
const ec_protocol *ec_protocol_find(const char *name);

/* NULL-terminated list of every available protocol, for help texts. */
extern const ec_protocol *const ec_protocols[];

#endif
