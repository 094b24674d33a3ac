/* SPDX-License-Identifier: MIT */
/* Helpers of the eclmstore tests (lmtest.h). */
#include "lmtest.h"

#include <lmdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ec/hex.h"
#include "ec/wire.h"

uint64_t
lmt_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

void
lmt_tmpdir(char dir[LMT_DIR_MAX])
{
	const char *base = getenv("TMPDIR");
	snprintf(dir, LMT_DIR_MAX, "%s/lmtest.XXXXXX", base && *base ? base : "/tmp");
	assert_non_null(mkdtemp(dir));
}

void
lmt_rmdir(const char *dir)
{
	char path[LMT_DIR_MAX + 16];
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/lock.mdb", dir);
	unlink(path);
	rmdir(dir);
}

ecn_lmstore *
lmt_open(const char *dir, size_t map_bytes, unsigned flags)
{
	ecn_lmstore *s = NULL;
	char err[256];
	ec_err e = ecn_lmstore_open(dir, map_bytes, flags, &s, err, sizeof err);
	if (e)
		fprintf(stderr, "open %s: %s\n", dir, err);
	assert_int_equal(e, EC_OK);
	assert_non_null(s);
	return s;
}

void
lmt_raw_put(const char *dir, const char *db, const void *key, size_t klen, const void *val,
            size_t vlen)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 8), 0);
	assert_int_equal(mdb_env_open(env, dir, MDB_NOTLS, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, db, 0, &dbi), 0);
	MDB_val k = {klen, (void *)(uintptr_t)key}, v = {vlen, (void *)(uintptr_t)val};
	if (val)
		assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	else
		assert_int_equal(mdb_del(txn, dbi, &k, NULL), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

size_t
lmt_raw_get(const char *dir, const char *db, const void *key, size_t klen, void *buf, size_t cap)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 8), 0);
	assert_int_equal(mdb_env_open(env, dir, MDB_NOTLS | MDB_RDONLY, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, db, 0, &dbi), 0);
	MDB_val k = {klen, (void *)(uintptr_t)key}, v;
	assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
	assert_true(v.mv_size <= cap);
	memcpy(buf, v.mv_data, v.mv_size);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return v.mv_size;
}

static ec_id
rand_id(uint64_t *x)
{
	return (ec_id){{lmt_rand(x), lmt_rand(x), lmt_rand(x), lmt_rand(x)}};
}

static void
rand_bytes(uint64_t *x, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)lmt_rand(x);
}

static int
id_cmp(const void *a, const void *b)
{
	return ec_id_cmp(a, b);
}

ecp_block *
lmt_block(uint64_t *x, uint32_t nparts, uint64_t pos0, bool transfers)
{
	ecp_block *b = calloc(1, ecp_block_size(nparts));
	ec_id tok[ECP_MAX_PARTS];
	assert_non_null(b);
	assert_true(nparts >= 1 && nparts <= ECP_MAX_PARTS);
	for (uint32_t r = 0; r < nparts; r++)
		tok[r] = rand_id(x);
	if (pos0)
		tok[0].w[0] = pos0;
	qsort(tok, nparts, sizeof tok[0], id_cmp);
	b->time = lmt_rand(x) >> 20;
	b->nparts = nparts;
	for (uint32_t r = 0; r < nparts; r++) {
		ecp_part *p = &b->parts[r];
		p->token = tok[r];
		p->next_key = rand_id(x);
		if (!transfers)
			continue;
		p->parent = rand_id(x);
		rand_bytes(x, p->signer, sizeof p->signer);
		p->signer[0] |= 1;
		rand_bytes(x, p->sig, sizeof p->sig);
	}
	assert_int_equal(ec_wire_block_check(b), EC_WIRE_OK);
	ec_wire_block_id(b, &b->id);
	return b;
}

ecp_cert *
lmt_cert(uint64_t *x, uint32_t nparts, uint32_t n)
{
	ecp_cert *c = calloc(1, sizeof *c + n * sizeof c->v[0]);
	assert_non_null(c);
	c->n = n;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t r = lmt_rand(x);
		uint32_t role = (uint32_t)(r % (nparts + 1));
		c->v[i] = (ecp_vote){.voter = lmt_rand(x),
		                     .stamp = (uint32_t)r & 0xFFFF,
		                     .role = (uint16_t)(role == nparts ? ECP_ROLE_WITNESS : role),
		                     .value = 1};
	}
	ec_wire_cert_sort(c);
	assert_int_equal(ec_wire_cert_check(c, nparts), EC_WIRE_OK);
	return c;
}

bool
lmt_block_eq(const ecp_block *a, const ecp_block *b)
{
	if (!a || !b)
		return a == b;
	return ec_id_eq(&a->id, &b->id) && a->time == b->time && a->nparts == b->nparts &&
	       memcmp(a->parts, b->parts, a->nparts * sizeof a->parts[0]) == 0;
}

bool
lmt_cert_eq(const ecp_cert *a, const ecp_cert *b)
{
	if (!a || !b)
		return a == b;
	if (a->n != b->n)
		return false;
	for (uint32_t i = 0; i < a->n; i++) {
		const ecp_vote *p = &a->v[i], *q = &b->v[i];
		if (p->voter != q->voter || p->stamp != q->stamp || p->role != q->role ||
		    p->value != q->value)
			return false;
	}
	return true;
}

/* The sentences of the last check, NUL-separated. */
static char reports[1 << 16];
static size_t reports_len;

static void
keep_report(void *user, const char *sentence)
{
	(void)user;
	if (getenv("LMTEST_VERBOSE"))
		fprintf(stderr, "check: %s\n", sentence);
	size_t n = strlen(sentence) + 1;
	if (reports_len + n <= sizeof reports) {
		memcpy(reports + reports_len, sentence, n);
		reports_len += n;
	}
}

ecn_lmstore_summary
lmt_check(const char *dir)
{
	ecn_lmstore_summary sum;
	reports_len = 0;
	assert_int_equal(ec_sig_init(), EC_OK);
	assert_int_equal(ecn_lmstore_check(dir, &ec_sig_ed25519, keep_report, NULL, &sum), EC_OK);
	return sum;
}

bool
lmt_reported(const char *a, const char *b)
{
	for (size_t off = 0; off < reports_len; off += strlen(reports + off) + 1)
		if (strstr(reports + off, a) && (!b || strstr(reports + off, b)))
			return true;
	return false;
}

const char *
lmt_hex(const ec_id *id, char out[65])
{
	uint8_t b[32];
	ec_id_to_bytes(id, b);
	ec_hex_encode(b, sizeof b, out);
	return out;
}
