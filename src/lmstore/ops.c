/* SPDX-License-Identifier: MIT */
/*
 * The ec protocol's store operations over LMDB (ecp_store_ops, lmstore.h).
 * Keys are ids in their big-endian byte form, so LMDB's key order is the
 * ids' numeric order, which is ring order by position: a catch-up scan is
 * one or two cursor walks (two when its range wraps past 2^64), and the
 * nearest mapping is one cursor positioning.
 */
#include "lmstore_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec/hex.h"
#include "ec/wire.h"

/* Enters the failed state for a stored entry of db d that is malformed. */
static void
corrupt(ecn_lmstore *s, const char *op, int d, const uint8_t *key, size_t klen,
        const char *what)
{
	char hex[2 * 64 + 1], text[sizeof s->last.text];
	ec_hex_encode(key, klen < 64 ? klen : 64, hex);
	snprintf(text, sizeof text, "%s %s: %s", ecn__db_names[d], hex, what);
	(void)ecn__fail_text(s, op, MDB_CORRUPTED, text);
}

/* Looks key up in db d within the tick's transaction: true with *v if
 * present; false if absent, in the failed state or on an LMDB failure
 * (which enters it). */
static bool
lookup(ecn_lmstore *s, const char *op, int d, const uint8_t *key, size_t klen, MDB_val *v)
{
	MDB_txn *txn;
	if (ecn__txn(s, op, &txn))
		return false;
	MDB_val k = {klen, ecn__unconst(key)};
	int rc = mdb_get(txn, s->dbi[d], &k, v);
	if (rc && rc != MDB_NOTFOUND)
		(void)ecn__fail(s, op, rc);
	return rc == 0;
}

/* ---- tokens ---- */

static bool
x_token_get(void *impl, const ec_id *token, ec_id *block, uint64_t *time)
{
	ecn_lmstore *s = impl;
	uint8_t k[32];
	MDB_val v;
	ec_id_to_bytes(token, k);
	if (!lookup(s, "xtoken_get", ECN_DB_TOKENS, k, sizeof k, &v))
		return false;
	if (v.mv_size != ECN_TOKEN_VAL) {
		corrupt(s, "xtoken_get", ECN_DB_TOKENS, k, sizeof k, "value of the wrong size");
		return false;
	}
	const uint8_t *p = v.mv_data;
	*block = ec_id_from_bytes(p);
	*time = ecn__be64_get(p + 32);
	return true;
}

static ec_err
x_token_put(void *impl, const ec_id *token, const ec_id *block, uint64_t time)
{
	uint8_t k[32], v[ECN_TOKEN_VAL];
	ec_id_to_bytes(token, k);
	ec_id_to_bytes(block, v);
	ecn__be64_put(v + 32, time);
	return ecn__put(impl, "xtoken_put", ECN_DB_TOKENS, k, sizeof k, v, sizeof v);
}

/* A cursor on db d in the tick's transaction, or NULL (failed state). */
static MDB_cursor *
cursor(ecn_lmstore *s, const char *op, int d)
{
	MDB_txn *txn;
	MDB_cursor *c = NULL;
	if (ecn__txn(s, op, &txn))
		return NULL;
	int rc = mdb_cursor_open(txn, s->dbi[d], &c);
	if (rc) {
		(void)ecn__fail(s, op, rc);
		return NULL;
	}
	return c;
}

/* Reads the tokens entry under the cursor: true with its token and block,
 * false if the entry is malformed (the store then failed). */
static bool
token_entry(ecn_lmstore *s, const char *op, const MDB_val *k, const MDB_val *v, ec_id *token,
            ec_id *block)
{
	if (k->mv_size != 32 || v->mv_size != ECN_TOKEN_VAL) {
		corrupt(s, op, ECN_DB_TOKENS, k->mv_data, k->mv_size, "key or value of the wrong size");
		return false;
	}
	*token = ec_id_from_bytes(k->mv_data);
	*block = ec_id_from_bytes(v->mv_data);
	return true;
}

/* Copies the mappings from *start (after it when excl) up to position
 * last, at most max.  Returns how many, or SIZE_MAX on a failure. */
static size_t
scan_run(ecn_lmstore *s, MDB_cursor *c, const ec_id *start, bool excl, uint64_t last,
         ec_id *tokens, ec_id *blocks, size_t max)
{
	uint8_t kb[32];
	ec_id_to_bytes(start, kb);
	MDB_val k = {sizeof kb, kb}, v;
	int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	if (rc == 0 && excl && k.mv_size == 32 && memcmp(k.mv_data, kb, 32) == 0)
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	size_t n = 0;
	for (; rc == 0 && n < max; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (!token_entry(s, "xtoken_scan", &k, &v, &tokens[n], &blocks[n]))
			return SIZE_MAX;
		if (ec_id_pos(&tokens[n]) > last)
			break;
		n++;
	}
	if (rc && rc != MDB_NOTFOUND) {
		(void)ecn__fail(s, "xtoken_scan", rc);
		return SIZE_MAX;
	}
	return n;
}

/* The ring range [lo, hi] is one run of positions, or two when it wraps
 * (lo > hi): [lo, 2^64 - 1] then [0, hi].  A resume point starts the run
 * that holds its position, just after it. */
static size_t
x_token_scan(void *impl, uint64_t lo, uint64_t hi, const ec_id *after, ec_id *tokens,
             ec_id *blocks, size_t max)
{
	ecn_lmstore *s = impl;
	bool resume = after && !ec_id_is_zero(after);
	if (max == 0 || (resume && ec_id_pos(after) - lo > hi - lo))
		return 0;
	MDB_cursor *c = cursor(s, "xtoken_scan", ECN_DB_TOKENS);
	if (!c)
		return 0;
	const uint64_t last[2] = {lo <= hi ? hi : UINT64_MAX, hi};
	int runs = lo <= hi ? 1 : 2, r = 0;
	ec_id start = {{lo, 0, 0, 0}};
	if (resume) {
		r = lo > hi && ec_id_pos(after) < lo;
		start = *after;
	}
	size_t n = 0;
	for (bool excl = resume; r < runs && n < max; r++, excl = false) {
		size_t got = scan_run(s, c, &start, excl, last[r], tokens + n, blocks + n, max - n);
		if (got == SIZE_MAX) {
			n = 0;
			break;
		}
		n += got;
		start = (ec_id){{0, 0, 0, 0}};
	}
	if (!s->failed)
		mdb_cursor_close(c); /* a failure's abort closed it */
	return n;
}

/* Positions c on the largest key <= kb (not up) or the smallest >= kb. */
static int
near_get(MDB_cursor *c, const uint8_t kb[32], bool up, MDB_val *k, MDB_val *v)
{
	*k = (MDB_val){32, ecn__unconst(kb)};
	int rc = mdb_cursor_get(c, k, v, MDB_SET_RANGE);
	if (up)
		return rc;
	if (rc == MDB_NOTFOUND)
		return mdb_cursor_get(c, k, v, MDB_LAST);
	if (rc == 0 && !(k->mv_size == 32 && memcmp(k->mv_data, kb, 32) == 0))
		rc = mdb_cursor_get(c, k, v, MDB_PREV);
	return rc;
}

static bool
x_token_near(void *impl, const ec_id *x, bool up, ec_id *token, ec_id *block)
{
	ecn_lmstore *s = impl;
	MDB_cursor *c = cursor(s, "xtoken_near", ECN_DB_TOKENS);
	if (!c)
		return false;
	uint8_t kb[32];
	ec_id_to_bytes(x, kb);
	MDB_val k, v;
	int rc = near_get(c, kb, up, &k, &v);
	bool found = rc == 0 && token_entry(s, "xtoken_near", &k, &v, token, block);
	if (rc && rc != MDB_NOTFOUND)
		(void)ecn__fail(s, "xtoken_near", rc);
	if (!s->failed)
		mdb_cursor_close(c);
	return found;
}

/* ---- blocks ---- */

/* Decodes the blocks value v of id into the store's memory and caches it.
 * False: the value is malformed (the store failed) or memory ran out
 * (noted, the store goes on). */
static bool
block_decode(ecn_lmstore *s, const ec_id *id, const MDB_val *v, const ecp_block **bp,
             const ecp_cert **cp)
{
	uint8_t k[32];
	char why[128];
	ecn__bval bv;
	ec_id_to_bytes(id, k);
	if (!ecn__bval_split(v->mv_data, v->mv_size, &bv, why, sizeof why)) {
		corrupt(s, "xblock_get", ECN_DB_BLOCKS, k, sizeof k, why);
		return false;
	}
	ecp_block *b = ecn__arena_alloc(s, ecp_block_size(bv.nparts));
	ecp_cert *c = bv.cert ? ecn__arena_alloc(s, ecp_cert_bytes(bv.nvotes, bv.csigs)) : NULL;
	if (!b || (bv.cert && !c)) {
		s->last = (ecn_lmstore_error){ENOMEM, "xblock_get", "out of memory decoding a block"};
		return false;
	}
	if (!ecn__bval_decode(&bv, b, c, why, sizeof why)) {
		corrupt(s, "xblock_get", ECN_DB_BLOCKS, k, sizeof k, why);
		return false;
	}
	if (!ec_id_eq(&b->id, id)) {
		corrupt(s, "xblock_get", ECN_DB_BLOCKS, k, sizeof k, "block stored under another id");
		return false;
	}
	(void)ecn__cache_add(s, id, b, c); /* only an optimisation */
	*bp = b;
	*cp = c;
	return true;
}

static bool
x_block_get(void *impl, const ec_id *id, const ecp_block **block, const ecp_cert **cert)
{
	ecn_lmstore *s = impl;
	if (s->failed)
		return false;
	const ecn__cslot *e = ecn__cache_find(s, id);
	const ecp_block *b = e ? e->b : NULL;
	const ecp_cert *c = e ? e->c : NULL;
	if (!e) {
		uint8_t k[32];
		MDB_val v;
		ec_id_to_bytes(id, k);
		if (!lookup(s, "xblock_get", ECN_DB_BLOCKS, k, sizeof k, &v))
			return false;
		if (!block && !cert)
			return true; /* a question of presence: nothing to decode */
		if (!block_decode(s, id, &v, &b, &c))
			return false;
	}
	if (block)
		*block = b;
	if (cert)
		*cert = c;
	return true;
}

/* The encoding buffer, at least n bytes. */
static uint8_t *
scratch(ecn_lmstore *s, size_t n)
{
	if (s->scap < n) {
		uint8_t *p = realloc(s->scratch, n);
		if (!p)
			return NULL;
		s->scratch = p;
		s->scap = n;
	}
	return s->scratch;
}

static ec_err
x_block_put(void *impl, const ecp_block *block, const ecp_cert *cert)
{
	ecn_lmstore *s = impl;
	if (!block || ec_wire_block_check(block) || (cert && ec_wire_cert_check(cert, block->nparts)))
		return EC_EINVAL;
	ec_id id;
	ec_wire_block_id(block, &id);
	if (!ec_id_eq(&id, &block->id))
		return EC_EINVAL;
	size_t n = ecn__bval_size(block, cert);
	uint8_t *buf = scratch(s, n), k[32];
	if (!buf)
		return EC_ENOMEM;
	if (ecn__bval_encode(block, cert, buf, n))
		return EC_EINVAL;
	ec_id_to_bytes(&id, k);
	ec_err e = ecn__put(s, "xblock_put", ECN_DB_BLOCKS, k, sizeof k, buf, n);
	if (!e)
		ecn__cache_stale(s, &id);
	return e;
}

/* ---- yes-vote reservations ---- */

static void
vote_key(const ec_id *token, const ec_id *parent, uint8_t k[64])
{
	ec_id_to_bytes(token, k);
	ec_id_to_bytes(parent, k + 32);
}

/* A record is the block (32 bytes), the origin (u64 BE) and the role
 * (u16 BE); a store written before those were kept holds the block alone,
 * read as a record nobody can be asked about. */
#define VOTE_REC 42u

static bool
x_vote_get(void *impl, const ec_id *token, const ec_id *parent, ecp_xvote *rec)
{
	ecn_lmstore *s = impl;
	uint8_t k[64];
	MDB_val v;
	vote_key(token, parent, k);
	if (!lookup(s, "xvote_get", ECN_DB_VOTES, k, sizeof k, &v))
		return false;
	if (v.mv_size != VOTE_REC && v.mv_size != 32) {
		corrupt(s, "xvote_get", ECN_DB_VOTES, k, sizeof k, "value of the wrong size");
		return false;
	}
	const uint8_t *p = v.mv_data;
	*rec = (ecp_xvote){.block = ec_id_from_bytes(p)};
	if (v.mv_size == VOTE_REC) {
		rec->known = true;
		for (int i = 0; i < 8; i++)
			rec->origin = rec->origin << 8 | p[32 + i];
		rec->role = (uint16_t)(p[40] << 8 | p[41]);
	}
	return true;
}

static ec_err
x_vote_put(void *impl, const ec_id *token, const ec_id *parent, const ecp_xvote *rec)
{
	uint8_t k[64], v[VOTE_REC];
	vote_key(token, parent, k);
	ec_id_to_bytes(&rec->block, v);
	for (int i = 0; i < 8; i++)
		v[32 + i] = (uint8_t)(rec->origin >> (56 - 8 * i));
	v[40] = (uint8_t)(rec->role >> 8);
	v[41] = (uint8_t)rec->role;
	/* an unknown origin stays unknown across a write */
	return ecn__put(impl, "xvote_put", ECN_DB_VOTES, k, sizeof k, v,
	                rec->known ? sizeof v : 32u);
}

static const ecp_store_ops ops = {
	.xtoken_get = x_token_get,
	.xtoken_put = x_token_put,
	.xblock_get = x_block_get,
	.xblock_put = x_block_put,
	.xblock_prefetch = NULL,
	.xtoken_scan = x_token_scan,
	.xtoken_near = x_token_near,
	.xvote_get = x_vote_get,
	.xvote_put = x_vote_put,
};

const ecp_store_ops *
ecn_lmstore_ops(void)
{
	return &ops;
}
