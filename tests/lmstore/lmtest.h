/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the eclmstore tests: temporary store directories, raw
 * LMDB writes (to plant corruption), random canonical blocks and
 * certificates, the verifier's sentences, and the crash test's child.
 * Failures are cmocka assertions.
 */
#ifndef LMTEST_H
#define LMTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/ecp.h"
#include "lmstore/lmstore.h"

#define LMT_DIR_MAX 256

/* xorshift64: a test's own deterministic stream (x not 0). */
uint64_t lmt_rand(uint64_t *x);

/* A fresh empty directory (mode 0700) under $TMPDIR or /tmp. */
void lmt_tmpdir(char dir[LMT_DIR_MAX]);
/* Removes a store directory (data.mdb, lock.mdb and the directory). */
void lmt_rmdir(const char *dir);

/* Opens dir (asserts EC_OK). */
ecn_lmstore *lmt_open(const char *dir, size_t map_bytes, unsigned flags);

/* Writes key -> val (or deletes key when val is NULL) into database db of
 * the closed store in dir with plain LMDB, bypassing the store. */
void lmt_raw_put(const char *dir, const char *db, const void *key, size_t klen, const void *val,
                 size_t vlen);

/* Reads key of database db of the closed store in dir into buf (cap
 * bytes); returns its length (asserts it is present and fits). */
size_t lmt_raw_get(const char *dir, const char *db, const void *key, size_t klen, void *buf,
                   size_t cap);

/* A malloc'd canonical block of nparts parts with random ascending tokens
 * (the first at position pos0 unless it is 0): creates, or when transfers,
 * parts with a random parent, signer and signature (which no check would
 * accept, but which encode).  Its id is computed. */
ecp_block *lmt_block(uint64_t *x, uint32_t nparts, uint64_t pos0, bool transfers);
/* A malloc'd canonical certificate of n yes votes on the roles of a block
 * of nparts parts and its witness. */
ecp_cert *lmt_cert(uint64_t *x, uint32_t nparts, uint32_t n);

/* Whether two blocks, or two certificates (either may be NULL), are equal. */
bool lmt_block_eq(const ecp_block *a, const ecp_block *b);
bool lmt_cert_eq(const ecp_cert *a, const ecp_cert *b);

/* Runs ecn_lmstore_check on dir with Ed25519 (asserts EC_OK) and returns
 * the summary; the sentences are kept for lmt_reported. */
ecn_lmstore_summary lmt_check(const char *dir);
/* Whether a sentence of the last lmt_check contains both a and b (b may
 * be NULL). */
bool lmt_reported(const char *a, const char *b);
/* Lower-case hex of an id (out: 65 bytes). */
const char *lmt_hex(const ec_id *id, char out[65]);

/* ---- the crash test (crash_child.c) ---- */

/* Parts of every block of batch c, and blocks in batch c. */
#define CRASH_PARTS 8u
uint32_t crash_blocks(uint64_t c);
/* Block k of batch c (room for CRASH_PARTS parts): creates of tokens
 * that depend on (c, k) only, its id computed. */
void crash_block(uint64_t c, uint32_t k, ecp_block *b);
/* The child: opens dir and commits batches from the stored counter + 1 on
 * (each: its blocks, their token mappings, a vote record and meta
 * "counter" = c) until killed or after `seconds`.  Never returns. */
_Noreturn void crash_child_run(const char *dir, unsigned seconds);

#endif
