/* SPDX-License-Identifier: MIT */
/*
 * eclmstore's internals, shared between its files (never API): the store
 * object, the tick transaction, the decoded-block memory and the blocks
 * value codec.
 */
#ifndef ECN_LMSTORE_INT_H
#define ECN_LMSTORE_INT_H

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/ecp.h"
#include "ec/err.h"
#include "ec/id.h"
#include "lmstore/lmstore.h"

enum { ECN_DB_TOKENS, ECN_DB_BLOCKS, ECN_DB_VOTES, ECN_DB_PEERS, ECN_DB_META, ECN_DB_COUNT };

/* The databases' names, by ECN_DB_*. */
extern const char *const ecn__db_names[ECN_DB_COUNT];

#define ECN_SCHEMA_KEY "schema"
#define ECN_TOKEN_VAL 40u /* block id || time */

/* A chunk of decoded-block memory (memory.c). */
typedef struct ecn__chunk {
	struct ecn__chunk *next;
	size_t size, used; /* bytes of mem */
	_Alignas(16) unsigned char mem[];
} ecn__chunk;

/* A decoded block, by id, until the next release.  state: 0 empty, 1
 * live, 2 stale (a put replaced the stored value since: decode again). */
typedef struct ecn__cslot {
	ec_id id;
	const ecp_block *b;
	const ecp_cert *c;
	uint8_t state;
} ecn__cslot;

struct ecn_lmstore {
	MDB_env *env;
	MDB_dbi dbi[ECN_DB_COUNT];
	MDB_txn *txn;      /* the tick's write transaction; NULL: none open */
	bool failed;
	ec_err fail_err;   /* what writes return in the failed state */
	ecn_lmstore_error last;
	ecn__chunk *chunks; /* newest first */
	ecn__cslot *cache;
	size_t ccap, clen;  /* slots, slots not empty */
	uint8_t *scratch;   /* encoding buffer of xblock_put */
	size_t scap;
};

/* ---- the tick transaction (lmstore.c) ---- */

/* The tick's write transaction, begun if none is open.
 * Returns EC_OK with *txn; in the failed state its error; on an LMDB
 * failure that of ecn__fail. */
ec_err ecn__txn(ecn_lmstore *s, const char *op, MDB_txn **txn);

/* Records LMDB error rc of op, aborts the tick's transaction and enters
 * the failed state.  Returns EC_EFULL for MDB_MAP_FULL, else EC_EIO. */
ec_err ecn__fail(ecn_lmstore *s, const char *op, int rc);

/* As ecn__fail, with text instead of mdb_strerror(rc). */
ec_err ecn__fail_text(ecn_lmstore *s, const char *op, int rc, const char *text);

/* Writes key -> val into db d in the tick's transaction.  Returns EC_OK,
 * or the failed state's error (entering it on an LMDB failure). */
ec_err ecn__put(ecn_lmstore *s, const char *op, int d, const void *key, size_t klen,
                const void *val, size_t vlen);

/* LMDB's MDB_val is not const-correct: keys and values it only reads. */
static inline void *
ecn__unconst(const void *p)
{
	return (void *)(uintptr_t)p;
}

/* ---- decoded-block memory (memory.c) ---- */

/* size bytes, 16-aligned, valid until ecn__memory_reset.  NULL: out of
 * memory. */
void *ecn__arena_alloc(ecn_lmstore *s, size_t size);

/* The live slot of id, or NULL. */
const ecn__cslot *ecn__cache_find(const ecn_lmstore *s, const ec_id *id);

/* Remembers id's decoded block (b, c) until the reset.  Only an
 * optimisation: EC_ENOMEM leaves the cache as it was. */
ec_err ecn__cache_add(ecn_lmstore *s, const ec_id *id, const ecp_block *b, const ecp_cert *c);

/* Marks id's slot stale (its stored value changed).  Pointers handed out
 * stay valid. */
void ecn__cache_stale(ecn_lmstore *s, const ec_id *id);

/* Frees every decoded block and empties the cache (the release).  last:
 * also the memory kept for reuse (the close). */
void ecn__memory_reset(ecn_lmstore *s, bool last);

/* ---- the blocks value (value.c) ---- */

/* A blocks value, split: the block and certificate encodings and their
 * announced counts (nvotes 0 and cert NULL when there is none). */
typedef struct ecn__bval {
	const uint8_t *blk, *cert;
	size_t blen, clen;
	uint32_t nparts, nvotes;
	bool csigs; /* the certificate carries its votes' signatures */
} ecn__bval;

/* Splits the value v (len bytes) and peeks at both encodings.  Returns
 * true, or false with a sentence in why (cap bytes). */
bool ecn__bval_split(const uint8_t *v, size_t len, ecn__bval *out, char *why, size_t cap);

/* Decodes a split value into b (room for bv->nparts parts; its id is
 * computed) and c (ecp_cert_bytes(bv->nvotes, bv->csigs); unused without a
 * certificate), and checks the certificate's roles against the block.
 * Returns true, or false with a sentence in why. */
bool ecn__bval_decode(const ecn__bval *bv, ecp_block *b, ecp_cert *c, char *why, size_t cap);

/* The bytes the value of (b, c) takes (c may be NULL). */
size_t ecn__bval_size(const ecp_block *b, const ecp_cert *c);

/* Encodes the value of (b, c) into out (ecn__bval_size bytes).  Returns
 * EC_OK, or EC_EINVAL if b or c breaks a wire rule or c names a role b
 * does not have. */
ec_err ecn__bval_encode(const ecp_block *b, const ecp_cert *c, uint8_t *out, size_t cap);

/* Big-endian integers. */
void ecn__be64_put(uint8_t *p, uint64_t v);
uint64_t ecn__be64_get(const uint8_t *p);
void ecn__be32_put(uint8_t *p, uint32_t v);
uint32_t ecn__be32_get(const uint8_t *p);

#endif
