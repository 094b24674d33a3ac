/* SPDX-License-Identifier: MIT */
/*
 * The verifier behind `ecnode --check` (ecn_lmstore_check, lmstore.h): one
 * read transaction over a read-only environment, every database walked
 * once, each problem reported as a sentence naming the key in hex.
 */
#include "lmstore_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec/hex.h"
#include "ec/lifecycle.h"
#include "ec/wire.h"

typedef struct chk {
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi[ECN_DB_COUNT];
	bool have[ECN_DB_COUNT];
	const ec_sig_scheme *scheme;
	ecn_lmstore_report_fn report;
	void *user;
	ecn_lmstore_summary *sum;
	ecp_block *b, *pb; /* a block and a parent, ECP_MAX_PARTS parts each */
	ecp_cert *c;       /* EC_WIRE_CERT_MAX_VOTES votes */
} chk;

__attribute__((format(printf, 2, 3))) static void
problem(chk *k, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	k->sum->problems++;
	if (k->report)
		k->report(k->user, line);
}

/* Lower-case hex of up to 64 bytes of key into out (129 bytes). */
static const char *
hex(const void *key, size_t len, char out[129])
{
	ec_hex_encode(key, len < 64 ? len : 64, out);
	return out;
}

static const char *
idhex(const ec_id *id, char out[129])
{
	uint8_t b[32];
	ec_id_to_bytes(id, b);
	return hex(b, sizeof b, out);
}

/* The part of b for token, or NULL. */
static const ecp_part *
part_of(const ecp_block *b, const ec_id *token)
{
	for (uint32_t r = 0; r < b->nparts; r++)
		if (ec_id_eq(&b->parts[r].token, token))
			return &b->parts[r];
	return NULL;
}

/* Decodes the blocks value v (of key kb) into b and k->c.  False, with a
 * sentence in why, if it is malformed or stored under another id. */
static bool
decode(chk *k, const uint8_t *kb, const MDB_val *v, ecp_block *b, bool *certless, char *why,
       size_t cap)
{
	ecn__bval bv;
	if (!ecn__bval_split(v->mv_data, v->mv_size, &bv, why, cap) ||
	    !ecn__bval_decode(&bv, b, k->c, why, cap))
		return false;
	uint8_t idb[32];
	ec_id_to_bytes(&b->id, idb);
	if (memcmp(idb, kb, 32) != 0) {
		char h[129];
		snprintf(why, cap, "stored under another id (its content id is %s)", hex(idb, 32, h));
		return false;
	}
	*certless = !bv.cert;
	return true;
}

/* Loads stored block id into b: 1 loaded, 0 not stored, -1 stored but
 * malformed (reported when the blocks database is walked) or unreadable
 * (reported here). */
static int
load(chk *k, const ec_id *id, ecp_block *b)
{
	uint8_t kb[32];
	char why[256], h[129];
	bool certless;
	ec_id_to_bytes(id, kb);
	MDB_val key = {sizeof kb, kb}, v;
	int rc = mdb_get(k->txn, k->dbi[ECN_DB_BLOCKS], &key, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc) {
		problem(k, "blocks %s: cannot be read: %s", hex(kb, 32, h), mdb_strerror(rc));
		return -1;
	}
	return decode(k, kb, &v, b, &certless, why, sizeof why) ? 1 : -1;
}

/* Calls fn on every entry of db d (skipped if the database is missing). */
static void
walk(chk *k, int d, void (*fn)(chk *, const MDB_val *, const MDB_val *))
{
	MDB_cursor *c;
	MDB_val key, v;
	if (!k->have[d])
		return;
	int rc = mdb_cursor_open(k->txn, k->dbi[d], &c);
	if (rc) {
		problem(k, "%s: cannot be read: %s", ecn__db_names[d], mdb_strerror(rc));
		return;
	}
	while ((rc = mdb_cursor_get(c, &key, &v, MDB_NEXT)) == 0)
		fn(k, &key, &v);
	if (rc != MDB_NOTFOUND)
		problem(k, "%s: reading failed part way: %s", ecn__db_names[d], mdb_strerror(rc));
	mdb_cursor_close(c);
}

/* ---- blocks ---- */

/* Checks part r of k->b against its stored parent, if any. */
static void
check_part(chk *k, uint32_t r)
{
	const ecp_part *p = &k->b->parts[r];
	const ecp_block *parent = NULL;
	if (!ec_id_is_zero(&p->parent)) {
		if (load(k, &p->parent, k->pb) != 1)
			return; /* not stored (a caught-up node's), or reported */
		parent = k->pb;
	}
	k->sum->parts_checked += parent != NULL;
	ec_verdict v = ecp_part_check(k->scheme, k->b, r, parent);
	if (v != EC_ACCEPT) {
		char h[129], t[129];
		problem(k, "blocks %s: part %u (token %s) fails the lifecycle check: %s",
		        idhex(&k->b->id, h), r, idhex(&p->token, t), ec_verdict_str(v));
	}
}

static void
block_entry(chk *k, const MDB_val *key, const MDB_val *v)
{
	char why[256], h[129];
	bool certless;
	k->sum->blocks++;
	if (key->mv_size != 32) {
		problem(k, "blocks %s: key of %zu bytes, not 32", hex(key->mv_data, key->mv_size, h),
		        key->mv_size);
		return;
	}
	if (!decode(k, key->mv_data, v, k->b, &certless, why, sizeof why)) {
		problem(k, "blocks %s: %s", hex(key->mv_data, 32, h), why);
		return;
	}
	k->sum->certless += certless;
	for (uint32_t r = 0; r < k->b->nparts; r++)
		check_part(k, r);
}

/* ---- tokens ---- */

/* Walks token's chain back from block b (which has a part for it): to a
 * create (complete) or to a block not stored (partial). */
static void
chain(chk *k, const ec_id *token, const ecp_block *b)
{
	ec_id cur = part_of(b, token)->parent;
	for (uint64_t steps = 0; !ec_id_is_zero(&cur); steps++) {
		const ecp_part *p;
		if (steps > k->sum->blocks || load(k, &cur, k->pb) != 1 ||
		    !(p = part_of(k->pb, token))) {
			k->sum->chains_partial++; /* broken links are reported elsewhere */
			return;
		}
		cur = p->parent;
	}
	k->sum->chains_complete++;
}

static void
token_entry(chk *k, const MDB_val *key, const MDB_val *v)
{
	char h[129], bh[129];
	k->sum->tokens++;
	if (key->mv_size != 32 || v->mv_size != ECN_TOKEN_VAL) {
		problem(k, "tokens %s: key of %zu bytes or value of %zu bytes (want 32 and 40)",
		        hex(key->mv_data, key->mv_size, h), key->mv_size, v->mv_size);
		return;
	}
	ec_id token = ec_id_from_bytes(key->mv_data), block = ec_id_from_bytes(v->mv_data);
	uint64_t time = ecn__be64_get((const uint8_t *)v->mv_data + 32);
	int got = load(k, &block, k->b);
	hex(key->mv_data, 32, h);
	if (got == 0)
		problem(k, "tokens %s: maps to block %s, which is not stored", h, idhex(&block, bh));
	if (got != 1)
		return;
	if (!part_of(k->b, &token))
		problem(k, "tokens %s: maps to block %s, which has no part for it", h,
		        idhex(&block, bh));
	else if (k->b->time != time)
		problem(k, "tokens %s: mapping time %llu is not its block's time %llu", h,
		        (unsigned long long)time, (unsigned long long)k->b->time);
	else
		chain(k, &token, k->b);
}

/* ---- votes, peers, meta ---- */

static void
vote_entry(chk *k, const MDB_val *key, const MDB_val *v)
{
	char h[129], bh[129];
	k->sum->votes++;
	if (key->mv_size != 64 || (v->mv_size != 42 && v->mv_size != 32)) {
		problem(k, "votes %s: key of %zu bytes or value of %zu bytes (want 64 and 42 or 32)",
		        hex(key->mv_data, key->mv_size, h), key->mv_size, v->mv_size);
		return;
	}
	const uint8_t *kb = key->mv_data;
	ec_id token = ec_id_from_bytes(kb), parent = ec_id_from_bytes(kb + 32);
	ec_id block = ec_id_from_bytes(v->mv_data);
	if (load(k, &block, k->b) != 1)
		return; /* a vote for a block never committed here: fine */
	const ecp_part *p = part_of(k->b, &token);
	if (!p || !ec_id_eq(&p->parent, &parent))
		problem(k, "votes %s: names block %s, which does not move the token from that parent",
		        hex(kb, 64, h), idhex(&block, bh));
}

static void
peer_entry(chk *k, const MDB_val *key, const MDB_val *v)
{
	char h[129];
	k->sum->peers++;
	if (key->mv_size != 8 || v->mv_size > ECN_LMSTORE_PEER_MAX)
		problem(k, "peers %s: key of %zu bytes or value of %zu bytes (want 8 and at most %u)",
		        hex(key->mv_data, key->mv_size, h), key->mv_size, v->mv_size,
		        ECN_LMSTORE_PEER_MAX);
}

static void
meta_entry(chk *k, const MDB_val *key, const MDB_val *v)
{
	(void)key;
	(void)v;
	k->sum->meta++;
}

/* Whether the schema is ours (reported if not). */
static bool
schema_ok(chk *k)
{
	MDB_val key = {sizeof ECN_SCHEMA_KEY - 1, ecn__unconst(ECN_SCHEMA_KEY)}, v;
	int rc = mdb_get(k->txn, k->dbi[ECN_DB_META], &key, &v);
	if (rc) {
		problem(k, "meta schema: %s", rc == MDB_NOTFOUND ? "missing" : mdb_strerror(rc));
		return false;
	}
	if (v.mv_size != 4 || ecn__be32_get(v.mv_data) != ECN_LMSTORE_SCHEMA) {
		problem(k, "meta schema: unknown schema (this build reads version %u)",
		        ECN_LMSTORE_SCHEMA);
		return false;
	}
	return true;
}

/* ---- opening ---- */

static bool
open_env(chk *k, const char *dir)
{
	int rc = mdb_env_create(&k->env);
	if (rc) {
		k->env = NULL;
	} else if (!(rc = mdb_env_set_maxdbs(k->env, ECN_DB_COUNT)) &&
	           !(rc = mdb_env_open(k->env, dir, MDB_RDONLY | MDB_NOTLS, 0600)) &&
	           !(rc = mdb_txn_begin(k->env, NULL, MDB_RDONLY, &k->txn))) {
		return true;
	}
	problem(k, "the store %s cannot be opened: %s", dir, mdb_strerror(rc));
	return false;
}

static void
open_dbs(chk *k)
{
	for (int d = 0; d < ECN_DB_COUNT; d++) {
		int rc = mdb_dbi_open(k->txn, ecn__db_names[d], 0, &k->dbi[d]);
		k->have[d] = rc == 0;
		if (rc)
			problem(k, "database %s: %s", ecn__db_names[d],
			        rc == MDB_NOTFOUND ? "missing" : mdb_strerror(rc));
	}
}

static void
run(chk *k, const char *dir)
{
	if (!open_env(k, dir))
		return;
	open_dbs(k);
	if (k->have[ECN_DB_META] && !schema_ok(k))
		return; /* an unknown layout: reading on would only mislead */
	walk(k, ECN_DB_META, meta_entry);
	walk(k, ECN_DB_BLOCKS, block_entry);
	walk(k, ECN_DB_TOKENS, token_entry);
	walk(k, ECN_DB_VOTES, vote_entry);
	walk(k, ECN_DB_PEERS, peer_entry);
}

ec_err
ecn_lmstore_check(const char *dir, const ec_sig_scheme *scheme, ecn_lmstore_report_fn report,
                  void *user, ecn_lmstore_summary *out)
{
	if (!out)
		return EC_EINVAL;
	*out = (ecn_lmstore_summary){0};
	if (!dir || !scheme)
		return EC_EINVAL;
	chk k = {.scheme = scheme, .report = report, .user = user, .sum = out};
	k.b = malloc(ecp_block_size(ECP_MAX_PARTS));
	k.pb = malloc(ecp_block_size(ECP_MAX_PARTS));
	k.c = malloc(sizeof *k.c + EC_WIRE_CERT_MAX_VOTES * sizeof k.c->v[0]);
	ec_err e = k.b && k.pb && k.c ? EC_OK : EC_ENOMEM;
	if (!e)
		run(&k, dir);
	if (k.txn)
		mdb_txn_abort(k.txn);
	if (k.env)
		mdb_env_close(k.env);
	free(k.b);
	free(k.pb);
	free(k.c);
	return e;
}
