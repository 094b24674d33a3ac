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
 * Reclaiming: the node lists the bodies it still points to
 * (ec_protocol.bodies) into ecn_intern_mark, and ecn_intern_sweep frees
 * every body the listing did not name.  That is only sound when nothing
 * else points into the table: the daemon's store copies what it keeps
 * (the memstore, which keeps pointers, must not be swept), and the daemon
 * drops its own cached pointers to unmarked bodies first
 * (ecn_intern_marked).
 */
#ifndef ECNODE_INTERN_H
#define ECNODE_INTERN_H

#include <stdbool.h>
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

/* Marks body (an address this table handed out; others are ignored) as
 * still in use until the next sweep.  user is the table: the shape of
 * ec_protocol.bodies' callback. */
void ecn_intern_mark(void *user, const void *body);
/* Whether body is marked (false for an address the table does not hold). */
bool ecn_intern_marked(const ecn_intern *t, const void *body);
/* Frees every unmarked body and clears the marks; returns how many were
 * freed.  The tables shrink when most of them go.  Out of memory to
 * rebuild, it frees nothing (returns 0) and only clears the marks. */
uint64_t ecn_intern_sweep(ecn_intern *t);
/* Bodies held and the bytes they take (metrics). */
void ecn_intern_stats(const ecn_intern *t, uint64_t *bodies, uint64_t *bytes);

#endif
