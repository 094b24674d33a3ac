/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of eclmstore's operations (lmstore/lmstore.h): every ecp op
 * against the memstore's on the same random sequences (put, get,
 * overwrite, scan with wrap-around and paging, near at the ring ends),
 * yes-vote records, the tick transaction (durable when committed, gone
 * when not), the lifetime of decoded blocks (until the release, and not
 * after, under ASan), the failed state after a full map with everything
 * committed before intact, the daemon's records (meta, peers, stats) and
 * the refusals of open.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>
#include <lmdb.h>

#include "ec/ctx.h"
#include "ec/ecp.h"
#include "ec/wire.h"
#include "ecsim/memstore.h"
#include "lmstore/lmstore.h"
#include "lmtest.h"

#if defined(__SANITIZE_ADDRESS__)
#define LMT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LMT_ASAN 1
#endif
#endif

static const ec_id zero_id = {{0, 0, 0, 0}};

/* The store under test and a memstore owner, side by side. */
typedef struct pair {
	char dir[LMT_DIR_MAX];
	ecn_lmstore *lm;
	const ecp_store_ops *L, *M;
	ec_memstore *ms;
	ec_memstore_view view;
	ec_store mst;
	/* what was put, kept alive for the memstore, which keeps pointers */
	ecp_block **blocks;
	ecp_cert **certs;
	size_t nblocks;
	ec_id *tokens;
	size_t ntokens;
} pair;

static void
pair_open(pair *p)
{
	memset(p, 0, sizeof *p);
	lmt_tmpdir(p->dir);
	p->lm = lmt_open(p->dir, 0, ECN_LMSTORE_NOSYNC);
	p->L = ecn_lmstore_ops();
	assert_int_equal(ec_memstore_new(ec_libc_realloc, NULL, &p->ms), EC_OK);
	p->view = (ec_memstore_view){p->ms, 5, 0};
	p->mst = ec_memstore_bind(&p->view, ECP_STORE_API);
	p->M = ecp_store(&p->mst);
	p->blocks = calloc(20000, sizeof *p->blocks);
	p->certs = calloc(20000, sizeof *p->certs);
	p->tokens = calloc(20000, sizeof *p->tokens);
	assert_non_null(p->blocks);
	assert_non_null(p->certs);
	assert_non_null(p->tokens);
}

static void
pair_close(pair *p)
{
	ecn_lmstore_close(p->lm);
	lmt_rmdir(p->dir);
	ec_memstore_free(p->ms);
	for (size_t i = 0; i < p->nblocks; i++) {
		free(p->blocks[i]);
		free(p->certs[i]);
	}
	free(p->blocks);
	free(p->certs);
	free(p->tokens);
}

static void
pair_reopen(pair *p)
{
	assert_int_equal(ecn_lmstore_commit(p->lm), EC_OK);
	ecn_lmstore_close(p->lm);
	p->lm = lmt_open(p->dir, 0, ECN_LMSTORE_NOSYNC);
}

static void
token_put(pair *p, const ec_id *t, const ec_id *b, uint64_t time)
{
	assert_int_equal(p->L->xtoken_put(p->lm, t, b, time), EC_OK);
	assert_int_equal(p->M->xtoken_put(p->mst.impl, t, b, time), EC_OK);
}

static void
cmp_token_get(pair *p, const ec_id *t)
{
	ec_id b1 = zero_id, b2 = zero_id;
	uint64_t t1 = 0, t2 = 0;
	bool f1 = p->L->xtoken_get(p->lm, t, &b1, &t1);
	bool f2 = p->M->xtoken_get(p->mst.impl, t, &b2, &t2);
	assert_int_equal(f1, f2);
	if (f1) {
		assert_true(ec_id_eq(&b1, &b2));
		assert_int_equal(t1, t2);
	}
}

static void
block_put(pair *p, ecp_block *b, ecp_cert *c)
{
	assert_true(p->nblocks < 20000);
	p->blocks[p->nblocks] = b;
	p->certs[p->nblocks++] = c;
	assert_int_equal(p->L->xblock_put(p->lm, b, c), EC_OK);
	assert_int_equal(p->M->xblock_put(p->mst.impl, b, c), EC_OK);
}

static void
cmp_block_get(pair *p, const ec_id *id)
{
	const ecp_block *b1 = NULL, *b2 = NULL;
	const ecp_cert *c1 = NULL, *c2 = NULL;
	bool f1 = p->L->xblock_get(p->lm, id, &b1, &c1);
	bool f2 = p->M->xblock_get(p->mst.impl, id, &b2, &c2);
	assert_int_equal(f1, f2);
	assert_int_equal(p->L->xblock_get(p->lm, id, NULL, NULL), f1);
	assert_int_equal(p->L->xblock_get(p->lm, id, NULL, &c1), f1);
	assert_int_equal(p->L->xblock_get(p->lm, id, &b1, NULL), f1);
	if (f1) {
		assert_true(lmt_block_eq(b1, b2));
		assert_true(lmt_cert_eq(c1, c2));
	}
}

static void
cmp_scan(pair *p, uint64_t lo, uint64_t hi, const ec_id *after, size_t max, ec_id *last,
         size_t *n)
{
	ec_id t1[64], b1[64], t2[64], b2[64];
	assert_true(max <= 64);
	size_t n1 = p->L->xtoken_scan(p->lm, lo, hi, after, t1, b1, max);
	size_t n2 = p->M->xtoken_scan(p->mst.impl, lo, hi, after, t2, b2, max);
	assert_int_equal(n1, n2);
	for (size_t i = 0; i < n1; i++) {
		assert_true(ec_id_eq(&t1[i], &t2[i]));
		assert_true(ec_id_eq(&b1[i], &b2[i]));
	}
	if (last && n1)
		*last = t1[n1 - 1];
	if (n)
		*n = n1;
}

/* Pages through [lo, hi] in pages of page on both stores, comparing. */
static size_t
cmp_paged(pair *p, uint64_t lo, uint64_t hi, size_t page)
{
	ec_id after = zero_id;
	size_t n, total = 0;
	do {
		cmp_scan(p, lo, hi, total ? &after : NULL, page, &after, &n);
		total += n;
	} while (n == page);
	return total;
}

static void
cmp_near(pair *p, const ec_id *x)
{
	for (int up = 0; up < 2; up++) {
		ec_id t1 = zero_id, b1 = zero_id, t2 = zero_id, b2 = zero_id;
		bool f1 = p->L->xtoken_near(p->lm, x, up, &t1, &b1);
		bool f2 = p->M->xtoken_near(p->mst.impl, x, up, &t2, &b2);
		assert_int_equal(f1, f2);
		if (f1) {
			assert_true(ec_id_eq(&t1, &t2));
			assert_true(ec_id_eq(&b1, &b2));
		}
	}
}

/* ---- random sequences ---- */

static ec_id
rand_id(uint64_t *x)
{
	return (ec_id){{lmt_rand(x), lmt_rand(x), lmt_rand(x), lmt_rand(x)}};
}

/* A position: often near the ring's ends or on a stored token's. */
static uint64_t
rand_pos(pair *p, uint64_t *x)
{
	uint64_t r = lmt_rand(x);
	switch (r % 5) {
	case 0: return r >> 3 & 7;
	case 1: return UINT64_MAX - (r >> 3 & 7);
	case 2: return p->ntokens ? ec_id_pos(&p->tokens[(r >> 3) % p->ntokens]) : 0;
	default: return lmt_rand(x);
	}
}

static ec_id
some_token(pair *p, uint64_t *x)
{
	uint64_t r = lmt_rand(x);
	if (p->ntokens && r % 2)
		return p->tokens[(r >> 1) % p->ntokens];
	ec_id t = rand_id(x);
	t.w[0] = rand_pos(p, x);
	if (r % 3 == 0 && p->ntokens) /* a shared position */
		t.w[0] = ec_id_pos(&p->tokens[(r >> 2) % p->ntokens]);
	if (ec_id_is_zero(&t))
		t.w[3] = 1;
	return t;
}

static void
step_token_put(pair *p, uint64_t *x)
{
	ec_id t = some_token(p, x), b = rand_id(x);
	if (p->nblocks && lmt_rand(x) % 2)
		b = p->blocks[lmt_rand(x) % p->nblocks]->id;
	bool known = false;
	for (size_t i = 0; i < p->ntokens && !known; i++)
		known = ec_id_eq(&p->tokens[i], &t);
	if (!known && p->ntokens < 20000)
		p->tokens[p->ntokens++] = t;
	token_put(p, &t, &b, lmt_rand(x));
}

/* A new block, or one already stored again with another certificate (or
 * none), or re-signed (same id, other signature bytes). */
static void
step_block_put(pair *p, uint64_t *x)
{
	uint64_t r = lmt_rand(x);
	ecp_block *b;
	if (p->nblocks && r % 3 == 0) {
		const ecp_block *old = p->blocks[(r >> 2) % p->nblocks];
		size_t size = ecp_block_size(old->nparts);
		b = malloc(size);
		assert_non_null(b);
		memcpy(b, old, size);
		if (!ec_id_is_zero(&b->parts[0].parent))
			b->parts[0].sig[(r >> 8) % 64] ^= 0x5A;
	} else {
		b = lmt_block(x, 1 + (uint32_t)(r >> 2) % 6, rand_pos(p, x), r % 2);
	}
	ecp_cert *c = r % 7 == 0 ? NULL : lmt_cert(x, b->nparts, (uint32_t)(r >> 12) % 12);
	block_put(p, b, c);
}

static void
step_scan(pair *p, uint64_t *x)
{
	uint64_t lo = rand_pos(p, x), hi = rand_pos(p, x);
	size_t max = 1 + lmt_rand(x) % 20;
	uint64_t r = lmt_rand(x);
	if (r % 4 == 0) {
		cmp_paged(p, lo, hi, max);
		return;
	}
	ec_id after = some_token(p, x);
	if (r % 4 == 1)
		after.w[0] = lo + lmt_rand(x) % 4; /* near the start: inside the range */
	cmp_scan(p, lo, hi, r % 4 == 2 ? NULL : &after, max, NULL, NULL);
}

static void
step(pair *p, uint64_t *x)
{
	uint64_t r = lmt_rand(x) % 20;
	if (r < 6) {
		step_token_put(p, x);
	} else if (r < 9) {
		ec_id t = some_token(p, x);
		cmp_token_get(p, &t);
	} else if (r < 11) {
		step_block_put(p, x);
	} else if (r < 14) {
		ec_id id = p->nblocks && r % 2 ? p->blocks[lmt_rand(x) % p->nblocks]->id : rand_id(x);
		cmp_block_get(p, &id);
	} else if (r < 17) {
		step_scan(p, x);
	} else if (r < 19) {
		ec_id t = some_token(p, x);
		if (r == 18)
			t.w[3] ^= 1; /* next to a stored one */
		cmp_near(p, &t);
	} else {
		assert_int_equal(ecn_lmstore_commit(p->lm), EC_OK);
		if (lmt_rand(x) % 2)
			ecn_lmstore_release(p->lm);
	}
}

/* Everything both stores hold is the same. */
static void
cmp_all(pair *p)
{
	for (size_t i = 0; i < p->ntokens; i++)
		cmp_token_get(p, &p->tokens[i]);
	for (size_t i = 0; i < p->nblocks; i++)
		cmp_block_get(p, &p->blocks[i]->id);
	assert_int_equal(cmp_paged(p, 0, UINT64_MAX, 7), p->ntokens);
	assert_int_equal(cmp_paged(p, 1ull << 63, (1ull << 63) - 1, 64), p->ntokens);
}

static void
test_ops_random(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 4; seed++) {
		pair p;
		pair_open(&p);
		uint64_t x = 0x9E3779B97F4A7C15ull * seed;
		for (int i = 0; i < 3000; i++)
			step(&p, &x);
		cmp_all(&p);
		pair_reopen(&p); /* and all of it was committed */
		cmp_all(&p);
		pair_close(&p);
	}
}

/* Fixed tokens at and near both ends of the ring, several sharing a
 * position: every range between edge positions, paged in 1..4. */
static void
test_scan_ring_ends(void **state)
{
	(void)state;
	pair p;
	pair_open(&p);
	const uint64_t pos[] = {0, 0, 1, 5, 5, 5, 1ull << 63, UINT64_MAX - 5, UINT64_MAX - 1,
	                        UINT64_MAX, UINT64_MAX};
	uint64_t x = 77;
	for (size_t i = 0; i < sizeof pos / sizeof pos[0]; i++) {
		ec_id t = {{pos[i], i + 1, lmt_rand(&x), 0}}, b = rand_id(&x);
		p.tokens[p.ntokens++] = t;
		token_put(&p, &t, &b, i);
	}
	const uint64_t edge[] = {0, 1, 2, 4, 5, 6, 1ull << 63, UINT64_MAX - 6, UINT64_MAX - 5,
	                         UINT64_MAX - 4, UINT64_MAX - 1, UINT64_MAX};
	enum { E = sizeof edge / sizeof edge[0] };
	for (size_t a = 0; a < E; a++)
		for (size_t b = 0; b < E; b++)
			for (size_t page = 1; page <= 4; page++)
				cmp_paged(&p, edge[a], edge[b], page);
	/* a resume point outside the range, max 0, the whole ring both ways */
	ec_id out = {{3, 0, 0, 0}};
	size_t n;
	cmp_scan(&p, UINT64_MAX - 5, 1, &out, 8, NULL, &n);
	assert_int_equal(n, 0);
	cmp_scan(&p, 0, UINT64_MAX, NULL, 0, NULL, &n);
	assert_int_equal(n, 0);
	assert_int_equal(cmp_paged(&p, 0, UINT64_MAX, 3), p.ntokens);
	assert_int_equal(cmp_paged(&p, 6, 5, 2), p.ntokens);
	/* near: the ends of the id space, on, between and beside tokens */
	const ec_id probes[] = {{{0, 0, 0, 0}},
	                        {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}},
	                        {{0, UINT64_MAX, UINT64_MAX, UINT64_MAX}},
	                        {{UINT64_MAX, 0, 0, 0}},
	                        {{5, 0, 0, 0}},
	                        {{5, UINT64_MAX, 0, 0}},
	                        {{2, 0, 0, 0}},
	                        {{UINT64_MAX - 3, 0, 0, 0}}};
	for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
		cmp_near(&p, &probes[i]);
	for (size_t i = 0; i < p.ntokens; i++)
		cmp_near(&p, &p.tokens[i]);
	pair_close(&p);
}

/* An empty store: nothing found anywhere, no failure. */
static void
test_empty(void **state)
{
	(void)state;
	pair p;
	pair_open(&p);
	ec_id t = {{1, 2, 3, 4}};
	cmp_token_get(&p, &t);
	cmp_block_get(&p, &t);
	cmp_near(&p, &t);
	assert_int_equal(cmp_paged(&p, 0, UINT64_MAX, 3), 0);
	ecp_xvote b;
	assert_false(p.L->xvote_get(p.lm, &t, &t, &b));
	assert_false(ecn_lmstore_failed(p.lm));
	assert_int_equal(ecn_lmstore_last_error(p.lm)->code, 0);
	pair_close(&p);
}

/* ---- votes ---- */

static bool
xv_eq(const ecp_xvote *a, const ecp_xvote *b)
{
	return ec_id_eq(&a->block, &b->block) && a->origin == b->origin && a->role == b->role &&
	       a->known == b->known;
}

static void
test_votes(void **state)
{
	(void)state;
	char dir[LMT_DIR_MAX];
	lmt_tmpdir(dir);
	ecn_lmstore *s = lmt_open(dir, 0, ECN_LMSTORE_NOSYNC);
	const ecp_store_ops *o = ecn_lmstore_ops();
	assert_non_null(o->xvote_get);
	assert_non_null(o->xvote_put);
	ec_id t = {{9, 9, 9, 9}}, par = {{1, 1, 1, 1}}, par2 = {{1, 1, 1, 2}}, par3 = {{1, 1, 1, 3}};
	ecp_xvote r1 = {{{7, 0, 0, 1}}, 0x0102030405060708u, 0xFFFF, true};
	ecp_xvote r2 = {{{7, 0, 0, 2}}, 42, 3, true};
	ecp_xvote old = {{{7, 0, 0, 3}}, 99, 5, false}, got;
	assert_false(o->xvote_get(s, &t, &par, &got));
	assert_int_equal(o->xvote_put(s, &t, &par, &r1), EC_OK);
	assert_true(o->xvote_get(s, &t, &par, &got));
	assert_true(xv_eq(&got, &r1));
	assert_false(o->xvote_get(s, &t, &par2, &got)); /* another parent */
	assert_false(o->xvote_get(s, &par, &t, &got));  /* the halves swapped */
	assert_int_equal(o->xvote_put(s, &t, &par, &r2), EC_OK); /* overwrites */
	assert_int_equal(o->xvote_put(s, &t, &par2, &r1), EC_OK);
	/* a record without submitter and role: 32 bytes, as older stores */
	assert_int_equal(o->xvote_put(s, &t, &par3, &old), EC_OK);
	assert_int_equal(ecn_lmstore_commit(s), EC_OK);
	ecn_lmstore_close(s);
	s = lmt_open(dir, 0, 0);
	assert_true(o->xvote_get(s, &t, &par, &got));
	assert_true(xv_eq(&got, &r2));
	assert_true(o->xvote_get(s, &t, &par2, &got));
	assert_true(xv_eq(&got, &r1));
	assert_true(o->xvote_get(s, &t, &par3, &got));
	assert_true(ec_id_eq(&got.block, &old.block));
	assert_false(got.known);
	assert_int_equal(got.origin, 0);
	ecn_lmstore_close(s);
	lmt_rmdir(dir);
}

/* ---- the tick transaction ---- */

static void
test_durability(void **state)
{
	(void)state;
	char dir[LMT_DIR_MAX];
	lmt_tmpdir(dir);
	const ecp_store_ops *o = ecn_lmstore_ops();
	ecn_lmstore *s = lmt_open(dir, 0, 0);
	assert_int_equal(ecn_lmstore_commit(s), EC_OK); /* nothing open: a no-op */
	uint64_t x = 5;
	ecp_block *b1 = lmt_block(&x, 3, 0, false), *b2 = lmt_block(&x, 2, 0, true);
	ecp_cert *c1 = lmt_cert(&x, 3, 5);
	ec_id t1 = b1->parts[0].token, t2 = b2->parts[0].token, got;
	ecp_xvote v1 = {.block = b1->id, .origin = 3, .known = true}, v2 = {.block = b2->id}, vgot;
	uint64_t when;
	/* committed: a block, a mapping, a vote, a meta value, a peer */
	assert_int_equal(o->xblock_put(s, b1, c1), EC_OK);
	assert_int_equal(o->xtoken_put(s, &t1, &b1->id, 11), EC_OK);
	assert_int_equal(o->xvote_put(s, &t1, &zero_id, &v1), EC_OK);
	assert_int_equal(ecn_lmstore_meta_put(s, "epoch", "A", 1), EC_OK);
	assert_int_equal(ecn_lmstore_peer_put(s, 42, "peer", 4), EC_OK);
	assert_true(o->xtoken_get(s, &t1, &got, &when)); /* the tick sees its writes */
	assert_int_equal(ecn_lmstore_commit(s), EC_OK);
	/* not committed: overwrites of all of those, and new entries */
	assert_int_equal(o->xblock_put(s, b2, NULL), EC_OK);
	assert_int_equal(o->xtoken_put(s, &t1, &b2->id, 12), EC_OK);
	assert_int_equal(o->xtoken_put(s, &t2, &b2->id, 12), EC_OK);
	assert_int_equal(o->xvote_put(s, &t1, &zero_id, &v2), EC_OK);
	assert_int_equal(ecn_lmstore_meta_put(s, "epoch", "B", 1), EC_OK);
	assert_int_equal(ecn_lmstore_peer_del(s, 42), EC_OK);
	assert_true(o->xtoken_get(s, &t2, &got, &when));
	ecn_lmstore_close(s);

	s = lmt_open(dir, 0, 0);
	const ecp_block *b;
	const ecp_cert *c;
	assert_true(o->xblock_get(s, &b1->id, &b, &c));
	assert_true(lmt_block_eq(b, b1));
	assert_true(lmt_cert_eq(c, c1));
	assert_false(o->xblock_get(s, &b2->id, &b, &c));
	assert_true(o->xtoken_get(s, &t1, &got, &when));
	assert_true(ec_id_eq(&got, &b1->id));
	assert_int_equal(when, 11);
	assert_false(o->xtoken_get(s, &t2, &got, &when));
	assert_true(o->xvote_get(s, &t1, &zero_id, &vgot));
	assert_true(ec_id_eq(&vgot.block, &b1->id));
	assert_int_equal(vgot.origin, 3);
	char v[8];
	size_t len;
	assert_int_equal(ecn_lmstore_meta_get(s, "epoch", v, sizeof v, &len), EC_OK);
	assert_int_equal(len, 1);
	assert_int_equal(v[0], 'A');
	ecn_lmstore_stat st;
	assert_int_equal(ecn_lmstore_stats(s, &st), EC_OK);
	assert_int_equal(st.peers, 1);
	ecn_lmstore_close(s);
	lmt_rmdir(dir);
	free(b1);
	free(b2);
	free(c1);
}

/* ---- decoded blocks live until the release ---- */

/* Under ASan: reading b (released) in a child process is reported, which
 * ends the child. */
static void
expect_reported(const ecp_block *b)
{
#ifdef LMT_ASAN
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 2);
		volatile uint64_t t = b->time;
		(void)t;
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
#else
	(void)b;
#endif
}

static void
test_release_lifetime(void **state)
{
	(void)state;
	char dir[LMT_DIR_MAX];
	lmt_tmpdir(dir);
	const ecp_store_ops *o = ecn_lmstore_ops();
	ecn_lmstore *s = lmt_open(dir, 0, ECN_LMSTORE_NOSYNC);
	uint64_t x = 99;
	ecp_block *a = lmt_block(&x, 4, 0, true);
	ecp_cert *ca = lmt_cert(&x, 4, 9), *ca2 = lmt_cert(&x, 4, 3);
	assert_int_equal(o->xblock_put(s, a, ca), EC_OK);
	assert_int_equal(ecn_lmstore_commit(s), EC_OK);
	const ecp_block *pa, *pa2;
	const ecp_cert *pc, *pc2;
	assert_true(o->xblock_get(s, &a->id, &pa, &pc));
	/* many writes (pages split and move), commits, an overwrite of a */
	for (int i = 0; i < 400; i++) {
		ecp_block *b = lmt_block(&x, 1 + (uint32_t)i % 40, 0, i % 2);
		ecp_cert *c = lmt_cert(&x, b->nparts, 20);
		assert_int_equal(o->xblock_put(s, b, c), EC_OK);
		const ecp_block *got;
		assert_true(o->xblock_get(s, &b->id, &got, NULL));
		assert_true(lmt_block_eq(got, b));
		free(b);
		free(c);
		if (i % 50 == 0)
			assert_int_equal(ecn_lmstore_commit(s), EC_OK);
		if (i == 200)
			assert_int_equal(o->xblock_put(s, a, ca2), EC_OK);
	}
	assert_int_equal(ecn_lmstore_commit(s), EC_OK);
	/* the first pointers still hold what was read then */
	assert_true(lmt_block_eq(pa, a));
	assert_true(lmt_cert_eq(pc, ca));
	assert_true(o->xblock_get(s, &a->id, &pa2, &pc2));
	assert_true(lmt_block_eq(pa2, a));
	assert_true(lmt_cert_eq(pc2, ca2)); /* a read after the overwrite sees it */
	ecn_lmstore_release(s);
	expect_reported(pa); /* its memory was freed */
	/* and the store reads on, from fresh memory */
	assert_true(o->xblock_get(s, &a->id, &pa, &pc));
	assert_true(lmt_cert_eq(pc, ca2));
	ecn_lmstore_release(s);
	expect_reported(pa); /* its memory is kept for reuse, poisoned */
	assert_true(o->xblock_get(s, &a->id, &pa, &pc));
	assert_true(lmt_block_eq(pa, a));
	ecn_lmstore_close(s);
	lmt_rmdir(dir);
	free(a);
	free(ca);
	free(ca2);
}

/* xblock_put refuses what it cannot store faithfully, and goes on. */
static void
test_block_put_refusals(void **state)
{
	(void)state;
	char dir[LMT_DIR_MAX];
	lmt_tmpdir(dir);
	const ecp_store_ops *o = ecn_lmstore_ops();
	ecn_lmstore *s = lmt_open(dir, 0, ECN_LMSTORE_NOSYNC);
	uint64_t x = 3;
	ecp_block *b = lmt_block(&x, 2, 0, false);
	ecp_cert *c = lmt_cert(&x, 2, 4);
	assert_int_equal(o->xblock_put(s, NULL, c), EC_EINVAL);
	b->id.w[2] ^= 1; /* not its content id */
	assert_int_equal(o->xblock_put(s, b, c), EC_EINVAL);
	b->id.w[2] ^= 1;
	c->v[0].role = 7; /* a role the block does not have */
	assert_int_equal(o->xblock_put(s, b, c), EC_EINVAL);
	c->v[0].role = ECP_ROLE_WITNESS;
	ec_wire_cert_sort(c);
	b->parts[1].token = b->parts[0].token; /* not canonical */
	assert_int_equal(o->xblock_put(s, b, c), EC_EINVAL);
	assert_false(ecn_lmstore_failed(s));
	free(b);
	b = lmt_block(&x, 2, 0, false);
	assert_int_equal(o->xblock_put(s, b, c), EC_OK);
	assert_true(o->xblock_get(s, &b->id, NULL, NULL));
	ecn_lmstore_close(s);
	lmt_rmdir(dir);
	free(b);
	free(c);
}

/* A malformed stored entry, met by a read: the store fails closed. */
static void
test_corrupt_entry(void **state)
{
	(void)state;
	char dir[LMT_DIR_MAX], hex[65];
	lmt_tmpdir(dir);
	const ecp_store_ops *o = ecn_lmstore_ops();
	ecn_lmstore_close(lmt_open(dir, 0, 0));
	ec_id t = {{1, 2, 3, 4}}, b = {{5, 6, 7, 8}}, got;
	uint8_t k[32];
	uint64_t when;
	ec_id_to_bytes(&t, k);
	lmt_raw_put(dir, "tokens", k, 32, "short", 5);
	ec_id_to_bytes(&b, k);
	lmt_raw_put(dir, "blocks", k, 32, "\0\0\0\1x", 5);
	for (int which = 0; which < 3; which++) {
		ecn_lmstore *s = lmt_open(dir, 0, 0);
		if (which == 0)
			assert_false(o->xtoken_get(s, &t, &got, &when));
		else if (which == 1)
			assert_false(o->xblock_get(s, &b, NULL, &(const ecp_cert *){NULL}));
		else
			assert_int_equal(o->xtoken_scan(s, 0, UINT64_MAX, NULL, &got, &got, 1), 0);
		assert_true(ecn_lmstore_failed(s));
		const ecn_lmstore_error *le = ecn_lmstore_last_error(s);
		assert_int_equal(le->code, MDB_CORRUPTED);
		assert_non_null(strstr(le->text, lmt_hex(which == 1 ? &b : &t, hex)));
		assert_int_equal(o->xtoken_put(s, &t, &b, 1), EC_EIO);
		assert_int_equal(ecn_lmstore_commit(s), EC_EIO);
		ecn_lmstore_close(s);
	}
	assert_true(lmt_check(dir).problems == 2);
	lmt_rmdir(dir);
}

/* ---- a full map ---- */

static void
test_map_full(void **state)
{
	(void)state;
	char dir[LMT_DIR_MAX];
	lmt_tmpdir(dir);
	const ecp_store_ops *o = ecn_lmstore_ops();
	const size_t map = 64 << 10;
	ecn_lmstore *s = lmt_open(dir, map, 0);
	enum { MAXB = 4000 };
	ecp_block **blk = calloc(MAXB, sizeof *blk);
	assert_non_null(blk);
	uint64_t x = 11;
	size_t n = 0, committed = 0;
	ec_err e = EC_OK;
	while (!e && n < MAXB) {
		blk[n] = lmt_block(&x, 1, 0, false);
		ecp_block *b = blk[n++];
		if (!(e = o->xblock_put(s, b, NULL)))
			e = o->xtoken_put(s, &b->parts[0].token, &b->id, b->time);
		if (!e && n % 4 == 0 && !(e = ecn_lmstore_commit(s)))
			committed = n;
	}
	assert_int_equal(e, EC_EFULL);
	assert_true(committed > 0);
	assert_true(ecn_lmstore_failed(s));
	const ecn_lmstore_error *le = ecn_lmstore_last_error(s);
	assert_int_equal(le->code, MDB_MAP_FULL);
	assert_non_null(le->op);
	assert_true(strlen(le->text) > 0);
	/* the failed state: writes refused, reads find nothing, commit fails */
	ec_id got = zero_id;
	uint64_t when;
	assert_int_equal(o->xtoken_put(s, &blk[0]->parts[0].token, &blk[0]->id, 1), EC_EFULL);
	assert_int_equal(o->xvote_put(s, &got, &got, &(ecp_xvote){.known = true}), EC_EFULL);
	assert_false(o->xtoken_get(s, &blk[0]->parts[0].token, &got, &when));
	assert_false(o->xblock_get(s, &blk[0]->id, NULL, NULL));
	assert_int_equal(ecn_lmstore_commit(s), EC_EFULL);
	size_t len;
	assert_int_equal(ecn_lmstore_meta_get(s, "x", NULL, 0, &len), EC_EFULL);
	ecn_lmstore_close(s);

	/* reopened: everything committed before is there, the rest is not */
	s = lmt_open(dir, map, 0);
	assert_false(ecn_lmstore_failed(s));
	for (size_t i = 0; i < n; i++) {
		bool have = o->xtoken_get(s, &blk[i]->parts[0].token, &got, &when);
		assert_int_equal(have, i < committed);
		const ecp_block *b;
		assert_int_equal(o->xblock_get(s, &blk[i]->id, &b, NULL), i < committed);
		if (have)
			assert_true(lmt_block_eq(b, blk[i]));
	}
	ecn_lmstore_stat st;
	assert_int_equal(ecn_lmstore_stats(s, &st), EC_OK);
	assert_int_equal(st.tokens, committed);
	assert_true(st.used_bytes <= st.map_bytes);
	ecn_lmstore_close(s);
	ecn_lmstore_summary sum = lmt_check(dir);
	assert_int_equal(sum.problems, 0);
	assert_int_equal(sum.blocks, committed);
	/* a larger map: the store grows and takes writes again */
	s = lmt_open(dir, 1 << 20, 0);
	assert_int_equal(o->xtoken_put(s, &blk[committed]->parts[0].token, &blk[committed]->id, 1),
	                 EC_OK);
	assert_int_equal(ecn_lmstore_commit(s), EC_OK);
	ecn_lmstore_close(s);
	lmt_rmdir(dir);
	for (size_t i = 0; i < n; i++)
		free(blk[i]);
	free(blk);
}

/* ---- meta, peers, stats ---- */

static bool
collect_peer(void *user, uint64_t pos, const void *value, size_t len)
{
	uint64_t *seen = user;
	assert_int_equal(len, 8);
	uint64_t v;
	memcpy(&v, value, 8);
	assert_int_equal(v, pos * 3);
	seen[++seen[0]] = pos;
	return seen[0] < 4; /* stop after four */
}

static void
test_meta_peers_stats(void **state)
{
	(void)state;
	char dir[LMT_DIR_MAX];
	lmt_tmpdir(dir);
	ecn_lmstore *s = lmt_open(dir, 0, ECN_LMSTORE_NOSYNC);
	char buf[16];
	size_t len = 99;
	assert_int_equal(ecn_lmstore_meta_get(s, "identity", buf, sizeof buf, &len), EC_ENOTFOUND);
	assert_int_equal(len, 0);
	assert_int_equal(ecn_lmstore_meta_put(s, "identity", "0123456789abcdefXYZ", 19), EC_OK);
	assert_int_equal(ecn_lmstore_meta_get(s, "identity", buf, sizeof buf, &len), EC_ERANGE);
	assert_int_equal(len, 19);
	assert_int_equal(ecn_lmstore_meta_put(s, "empty", NULL, 0), EC_OK);
	assert_int_equal(ecn_lmstore_meta_get(s, "empty", NULL, 0, &len), EC_OK);
	assert_int_equal(len, 0);
	assert_int_equal(ecn_lmstore_meta_put(s, "schema", "x", 1), EC_EINVAL);
	assert_int_equal(ecn_lmstore_meta_put(s, "", "x", 1), EC_EINVAL);
	assert_int_equal(ecn_lmstore_meta_put(s, "bad name", "x", 1), EC_EINVAL);
	char longname[ECN_LMSTORE_NAME_MAX + 2];
	memset(longname, 'n', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	assert_int_equal(ecn_lmstore_meta_put(s, longname, "x", 1), EC_EINVAL);
	longname[ECN_LMSTORE_NAME_MAX] = 0;
	assert_int_equal(ecn_lmstore_meta_put(s, longname, "x", 1), EC_OK);
	assert_int_equal(ecn_lmstore_meta_get(s, "schema", buf, sizeof buf, &len), EC_OK);
	assert_int_equal(len, 4);

	uint8_t big[ECN_LMSTORE_PEER_MAX + 1] = {0};
	assert_int_equal(ecn_lmstore_peer_put(s, 1, big, sizeof big), EC_EINVAL);
	assert_int_equal(ecn_lmstore_peer_put(s, 1, big, sizeof big - 1), EC_OK);
	const uint64_t pos[] = {UINT64_MAX, 1, 1ull << 40, 7, 300, 2};
	for (size_t i = 0; i < 6; i++) {
		uint64_t v = pos[i] * 3;
		assert_int_equal(ecn_lmstore_peer_put(s, pos[i], &v, 8), EC_OK); /* 1: overwritten */
	}
	assert_int_equal(ecn_lmstore_peer_del(s, 300), EC_OK);
	assert_int_equal(ecn_lmstore_peer_del(s, 301), EC_OK); /* absent: fine */
	uint64_t seen[8] = {0};
	assert_int_equal(ecn_lmstore_peer_foreach(s, collect_peer, seen), EC_OK);
	assert_int_equal(seen[0], 4);
	assert_int_equal(seen[1], 1);
	assert_int_equal(seen[2], 2);
	assert_int_equal(seen[3], 7);
	assert_int_equal(seen[4], 1ull << 40);

	const ecp_store_ops *o = ecn_lmstore_ops();
	uint64_t x = 8;
	for (int i = 0; i < 10; i++) {
		ecp_block *b = lmt_block(&x, 2, 0, false);
		assert_int_equal(o->xblock_put(s, b, NULL), EC_OK);
		assert_int_equal(o->xtoken_put(s, &b->parts[0].token, &b->id, b->time), EC_OK);
		assert_int_equal(o->xtoken_put(s, &b->parts[1].token, &b->id, b->time), EC_OK);
		free(b);
	}
	ecn_lmstore_stat st;
	assert_int_equal(ecn_lmstore_stats(s, &st), EC_OK);
	assert_int_equal(st.tokens, 20);
	assert_int_equal(st.blocks, 10);
	assert_int_equal(st.votes, 0);
	assert_int_equal(st.peers, 5);
	assert_int_equal(st.meta, 4); /* schema, identity, empty, the long name */
	assert_int_equal(st.map_bytes, ECN_LMSTORE_MAP_DEFAULT);
	assert_true(st.page_bytes >= 512);
	uint64_t before = st.used_bytes;
	assert_int_equal(ecn_lmstore_commit(s), EC_OK);
	assert_int_equal(ecn_lmstore_stats(s, &st), EC_OK);
	assert_true(st.used_bytes > before); /* counted at the commit */
	ecn_lmstore_close(s);
	lmt_rmdir(dir);
}

/* ---- open ---- */

static void
expect_refusal(const char *dir, ec_err want, const char *words)
{
	static int dummy;
	ecn_lmstore *s = (ecn_lmstore *)(void *)&dummy;
	char err[256];
	assert_int_equal(ecn_lmstore_open(dir, 0, 0, &s, err, sizeof err), want);
	assert_null(s);
	if (!strstr(err, words))
		fprintf(stderr, "message: %s\n", err);
	assert_non_null(strstr(err, words));
}

static void
test_open_refusals(void **state)
{
	(void)state;
	char dir[LMT_DIR_MAX], path[LMT_DIR_MAX + 16];
	lmt_tmpdir(dir);
	/* created when missing, mode 0700 */
	snprintf(path, sizeof path, "%s/new", dir);
	ecn_lmstore *s = lmt_open(path, 0, 0);
	ecn_lmstore_close(s);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* group or world writable */
	assert_int_equal(chmod(path, 0770), 0);
	expect_refusal(path, EC_EINVAL, "writable by its group or others");
	assert_int_equal(chmod(path, 0702), 0);
	expect_refusal(path, EC_EINVAL, "writable by its group or others");
	assert_int_equal(chmod(path, 0755), 0); /* readable by others is fine */
	s = lmt_open(path, 0, 0);
	ecn_lmstore_close(s);
	/* owned by another user (only root can make one) */
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 65534, 65534), 0);
		expect_refusal(path, EC_EINVAL, "belongs to user 65534");
		assert_int_equal(chown(path, 0, 0), 0);
	}
	/* an unknown schema */
	uint8_t v99[4] = {0, 0, 0, 99};
	lmt_raw_put(path, "meta", "schema", 6, v99, 4);
	expect_refusal(path, EC_EINVAL, "unknown schema (version 99");
	/* data but no schema: not taken for a new store */
	lmt_raw_put(path, "meta", "schema", 6, NULL, 0);
	lmt_raw_put(path, "peers", "12345678", 8, "p", 1);
	expect_refusal(path, EC_EINVAL, "holds data but no schema");
	lmt_rmdir(path);
	/* a file, a missing parent, bad arguments */
	snprintf(path, sizeof path, "%s/file", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	expect_refusal(path, EC_EINVAL, "not a directory");
	unlink(path);
	snprintf(path, sizeof path, "%s/no/such", dir);
	expect_refusal(path, EC_EIO, "cannot create");
	char err[64];
	assert_int_equal(ecn_lmstore_open(dir, 0, 0x80, &s, err, sizeof err), EC_EINVAL);
	assert_int_equal(ecn_lmstore_open(NULL, 0, 0, &s, NULL, 0), EC_EINVAL);
	ecn_lmstore_close(NULL);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ops_random),
		cmocka_unit_test(test_scan_ring_ends),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_votes),
		cmocka_unit_test(test_durability),
		cmocka_unit_test(test_release_lifetime),
		cmocka_unit_test(test_block_put_refusals),
		cmocka_unit_test(test_corrupt_entry),
		cmocka_unit_test(test_map_full),
		cmocka_unit_test(test_meta_peers_stats),
		cmocka_unit_test(test_open_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
