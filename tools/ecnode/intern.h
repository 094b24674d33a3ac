/* SPDX-License-Identifier: MIT */
/*
 * The daemon's body interner (ec_ctx.intern and ec_ctx.memo).  The ec node
 * keeps pointers to the blocks, certificates and identity claims it meets
 * (ec/ecp.h: "bodies ... must stay valid for as long as the driver keeps
 * the node"), so the daemon copies every such body it hands the node into
 * this table.  Equal bytes are stored once: a block that reaches a node by
 * ten paths costs one copy, and its memo (the verdicts of the checks that
 * are pure functions of its bytes, ec_ctx.memo) is shared by every path.
 *
 * Nothing is freed before ecn_intern_free: memory grows with the distinct
 * bodies a node meets.  That is bounded for a test or a testnet run but not
 * for months of operation; reclaiming needs the node to say which bodies it
 * still points to (docs/node.md, "Limits").
 */
#ifndef ECNODE_INTERN_H
#define ECNODE_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "ec/ctx.h"

typedef struct ecn_intern ecn_intern;

/* A new, empty table; NULL when out of memory. */
ecn_intern *ecn_intern_new(void);
/* Frees the table and every body in it; accepts NULL. */
void ecn_intern_free(ecn_intern *t);

/* ec_intern_fn: the stored copy of data[0..len) (an existing one if equal
 * bytes were interned before), aligned for any type; NULL when out of
 * memory.  user is the table. */
const void *ecn_intern_bytes(void *user, const void *data, size_t len);

/* ec_memo_fn: the EC_MEMO_BYTES of zeroed memo storage that belong to an
 * interned body, or NULL for a pointer this table did not hand out. */
ec_memo_byte *ecn_intern_memo(void *user, const void *body);

/* Bodies held and the bytes they take (metrics). */
void ecn_intern_stats(const ecn_intern *t, uint64_t *bodies, uint64_t *bytes);

#endif
