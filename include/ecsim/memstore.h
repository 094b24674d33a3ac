/* SPDX-License-Identifier: MIT */
/*
 * ec_memstore: an in-memory backend for ec_store (both protocols' storage
 * interfaces, ec_memstore_bind) that holds the block and
 * token stores of many nodes in two shared open-addressing tables keyed by
 * (owner, id), plus a block arena that interns identical blocks.  A node is
 * an owner index; ec_memstore_view binds one owner to the ec_store seam.
 * There are no per-node heap objects, so a million owners cost nothing until
 * they store something.
 *
 * The ec protocol's interface includes xtoken_scan (catch-up answers): each
 * owner's token mappings are linked through their table slots (no bytes
 * added per mapping), with a 4-byte list head per owner in one array over
 * the range of owner indexes that have stored a mapping (lowest to
 * highest: give a store's owners nearby indexes, as the simulator's
 * workers do); a scan walks one owner's list (its mappings, never the
 * whole table) and allocates nothing.
 *
 * Interned blocks live until ec_memstore_free; pointers to them are stable
 * (the arena grows by chunks and never moves a block).
 */
#ifndef EC_MEMSTORE_H
#define EC_MEMSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "ec/block.h"
#include "ec/ctx.h"
#include "ec/store.h"

typedef struct ec_memstore ec_memstore;

typedef struct ec_memstore_view {
	ec_memstore *store;
	uint32_t owner;
	/* the share of the ec protocol's token mappings written through this
	 * view that are dropped, in units of 2^-32 of a hash of (token, owner);
	 * UINT32_MAX: all (a freeloader in a simulation of storage audits);
	 * 0: none.  Which tokens go is fixed per node. */
	uint32_t drop_tokens;
} ec_memstore_view;

/* Creates an empty store.  Out: *out, to be released with ec_memstore_free. */
EC_WUR ec_err ec_memstore_new(ec_realloc_fn realloc_fn, void *alloc_user, ec_memstore **out);
void ec_memstore_free(ec_memstore *s);

/* Returns an ec_store over view (which must outlive every use of it) that
 * offers the storage interface named api (ec_protocol.store_api: the seed
 * protocol's or the ec protocol's); one with ops NULL when the memstore
 * does not offer it. */
ec_store ec_memstore_bind(ec_memstore_view *view, const char *api);

/* Returns a stable copy of block, shared with earlier identical blocks.
 * Out: *out, owned by the store, valid until ec_memstore_free. */
EC_WUR ec_err ec_memstore_intern(ec_memstore *s, const ec_block *block, const ec_block **out);

/* Direct reads without a view (the simulator's commit detection). */
const ec_block *ec_memstore_block_get(const ec_memstore *s, uint32_t owner, ec_block_id id);

/* Copies len bytes into the store's body arena and returns a pointer that
 * stays valid until ec_memstore_free (an ec_intern_fn with user = the
 * store).  NULL when out of memory. */
const void *ec_memstore_intern_bytes(ec_memstore *s, const void *data, size_t len);

/* The same, with EC_MEMO_BYTES of zeroed verdict memo in front of the
 * body; ec_memstore_memo (an ec_memo_fn, any user) returns them.  Only for
 * bodies from this function. */
const void *ec_memstore_intern_memo(ec_memstore *s, const void *data, size_t len);
ec_memo_byte *ec_memstore_memo(void *user, const void *body);

/* Bytes held by the store's tables (the owners' list heads included) and
 * arena. */
size_t ec_memstore_bytes(const ec_memstore *s);

#endif
