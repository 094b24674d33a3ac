/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for proof of storage (ec/storage_proof.h), part one: the
 * challenge point (determinism, binding to every query field, a golden value
 * from b3sum), answer selection on hand-built rings (wrap-around at 2^256
 * both ways, stores of fewer than 10 tokens) and against a slow reference on
 * random stores, and verification against the requester's knowledge and
 * across peers.  The wire encodings are tested in
 * test_storage_proof_wire.c; the fixtures both use are in sp_fixtures.c.
 * Random loops take their seed from EC_TEST_SEED (default 1) and print it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec/rng.h"
#include "ec/storage_proof.h"

#include "sp_fixtures.h"

static void
expect_tokens(const ec_sp_answer *a, const ec_id *want, unsigned n)
{
	assert_int_equal(a->count, n);
	for (unsigned i = 0; i < n; i++) {
		if (!ec_id_eq(&a->entries[i].token, &want[i]))
			fail_msg("entry %u: got w0=%llx want w0=%llx", i,
			         (unsigned long long)a->entries[i].token.w[0],
			         (unsigned long long)want[i].w[0]);
		ec_id b = block_of(&want[i]);
		assert_true(ec_id_eq(&a->entries[i].block, &b));
	}
	for (unsigned i = n; i < EC_SP_ENTRIES; i++) {
		assert_true(ec_id_is_zero(&a->entries[i].token));
		assert_true(ec_id_is_zero(&a->entries[i].block));
	}
}

/* ---- challenge ---- */

static void
test_challenge_golden(void **state)
{
	(void)state;
	ec_sp_query q = base_query();
	ec_id p;
	ec_sp_challenge(&q, &p);
	/* b3sum 1.2.0: b3sum --derive-key "ecRust 2026 proof of storage v1" over
	 * the 80 input bytes (ids big-endian, nonce and round little-endian) */
	ec_id want = id4(0xdae154326f9b7268ull, 0x87695ca388e0ad16ull, 0xaf69d451cca8d0d8ull,
	                 0x7e6ce3460ed5f937ull);
	assert_true(ec_id_eq(&p, &want));
}

static void
test_challenge_binding(void **state)
{
	(void)state;
	ec_sp_query q = base_query();
	ec_id p, p2;
	ec_sp_challenge(&q, &p);
	ec_sp_challenge(&q, &p2);
	assert_true(ec_id_eq(&p, &p2)); /* deterministic */

	ec_sp_query v[6] = {q, q, q, q, q, q};
	v[0].requester.w[3] ^= 1;            /* another requester */
	v[1].responder.w[0] ^= 1ull << 63;   /* another audited node */
	v[2].nonce++;
	v[3].round++;
	v[4].requester = q.responder;        /* roles swapped */
	v[4].responder = q.requester;
	v[5].nonce = q.round;                /* nonce and round swapped */
	v[5].round = q.nonce;
	ec_id pts[7];
	pts[6] = p;
	for (int i = 0; i < 6; i++)
		ec_sp_challenge(&v[i], &pts[i]);
	for (int i = 0; i < 7; i++)
		for (int j = i + 1; j < 7; j++)
			assert_false(ec_id_eq(&pts[i], &pts[j]));

	/* over many nonces the point's top bit is fair (a weak sanity check
	 * that all 256 bits come from the hash) */
	unsigned top = 0;
	for (uint64_t n = 0; n < 2000; n++) {
		q.nonce = n;
		ec_sp_challenge(&q, &p);
		top += (unsigned)(p.w[0] >> 63);
	}
	assert_in_range(top, 900, 1100);
}

/* ---- answer selection ---- */

static void
test_select_middle(void **state)
{
	(void)state;
	ec_sp_mapping m[20];
	size_t n = linear_ring(m);
	ec_sp_answer a = build(m, n, id0(1050));
	ec_id want[10] = {id0(1100), id0(1200), id0(1300), id0(1400), id0(1500),
	                  id0(1000), id0(900),  id0(800),  id0(700),  id0(600)};
	expect_tokens(&a, want, 10);
	ec_id me = id0(77), pt = id0(1050);
	assert_true(ec_id_eq(&a.responder, &me));
	assert_true(ec_id_eq(&a.point, &pt));

	/* a point on a token: that token is the first up entry, not a down one */
	a = build(m, n, id0(1000));
	ec_id want2[10] = {id0(1000), id0(1100), id0(1200), id0(1300), id0(1400),
	                   id0(900),  id0(800),  id0(700),  id0(600),  id0(500)};
	expect_tokens(&a, want2, 10);

	/* one above a token (lower words count): 1000 is below the point */
	a = build(m, n, id4(1000, 0, 0, 1));
	ec_id want3[10] = {id0(1100), id0(1200), id0(1300), id0(1400), id0(1500),
	                   id0(1000), id0(900),  id0(800),  id0(700),  id0(600)};
	expect_tokens(&a, want3, 10);
}

/* tokens 10..100 step 10, plus three near the top, the highest being
 * 2^256 - 1 itself */
static size_t
wrap_ring(ec_sp_mapping *m)
{
	size_t n = 0;
	for (uint64_t i = 1; i <= 10; i++)
		m[n++] = mp(id0(10 * i));
	m[n++] = mp(id4(MAXW - 20, 0, 0, 0));
	m[n++] = mp(id4(MAXW - 10, 0, 0, 0));
	m[n++] = mp(id4(MAXW, MAXW, MAXW, MAXW));
	sort_unique(m, &n);
	return n;
}

static void
test_select_wrap(void **state)
{
	(void)state;
	ec_sp_mapping m[16];
	size_t n = wrap_ring(m);
	ec_id top = id4(MAXW, MAXW, MAXW, MAXW);

	/* up wraps through 2^256 */
	ec_sp_answer a = build(m, n, id0(MAXW - 15));
	ec_id want[10] = {id0(MAXW - 10), top,     id0(10), id0(20), id0(30),
	                  id0(MAXW - 20), id0(100), id0(90), id0(80), id0(70)};
	expect_tokens(&a, want, 10);

	/* down wraps through 0 */
	a = build(m, n, id0(15));
	ec_id want2[10] = {id0(20), id0(30),        id0(40),        id0(50),  id0(60),
	                   id0(10), top,            id0(MAXW - 10), id0(MAXW - 20), id0(100)};
	expect_tokens(&a, want2, 10);

	/* point 0: nothing is below it without wrapping */
	a = build(m, n, id0(0));
	ec_id want3[10] = {id0(10), id0(20),        id0(30),        id0(40), id0(50),
	                   top,     id0(MAXW - 10), id0(MAXW - 20), id0(100), id0(90)};
	expect_tokens(&a, want3, 10);

	/* point 2^256 - 1, itself a token */
	a = build(m, n, top);
	ec_id want4[10] = {top,            id0(10),        id0(20), id0(30), id0(40),
	                   id0(MAXW - 10), id0(MAXW - 20), id0(100), id0(90), id0(80)};
	expect_tokens(&a, want4, 10);
}

static void
test_select_few(void **state)
{
	(void)state;
	ec_sp_mapping m[16];
	memset(m, 0, sizeof m);
	/* empty store */
	ec_sp_answer a = build(m, 0, id0(5));
	expect_tokens(&a, NULL, 0);

	/* one token, above or below the point: always the single up entry */
	m[0] = mp(id0(50));
	a = build(m, 1, id0(5));
	ec_id w1[1] = {id0(50)};
	expect_tokens(&a, w1, 1);
	a = build(m, 1, id0(500));
	expect_tokens(&a, w1, 1);

	/* three tokens: all up, in cyclic order from the point */
	m[1] = mp(id0(60));
	m[2] = mp(id0(70));
	a = build(m, 3, id0(65));
	ec_id w3[3] = {id0(70), id0(50), id0(60)};
	expect_tokens(&a, w3, 3);

	/* seven tokens: 5 up, then the remaining 2 scanning down */
	size_t n = 0;
	for (uint64_t i = 1; i <= 7; i++)
		m[n++] = mp(id0(10 * i));
	a = build(m, n, id0(25));
	ec_id w7[7] = {id0(30), id0(40), id0(50), id0(60), id0(70), id0(20), id0(10)};
	expect_tokens(&a, w7, 7);

	/* exactly ten: every token once, the halves meeting on both sides */
	for (uint64_t i = 8; i <= 10; i++)
		m[n++] = mp(id0(10 * i));
	a = build(m, n, id0(25));
	ec_id w10[10] = {id0(30), id0(40), id0(50), id0(60), id0(70),
	                 id0(20), id0(10), id0(100), id0(90), id0(80)};
	expect_tokens(&a, w10, 10);
}

/* The slow reference: order all tokens by up-distance, take the first 5;
 * order the rest by down-distance, take up to 5. */
static ec_sp_answer
reference(const ec_sp_mapping *m, size_t n, ec_id point)
{
	ec_sp_answer a;
	memset(&a, 0, sizeof a);
	a.responder = id0(77);
	a.point = point;
	bool used[64] = {false};
	for (int side = 0; side < 2; side++) {
		unsigned want = side == 0 ? EC_SP_HALF : EC_SP_ENTRIES;
		while (a.count < want) {
			int best = -1;
			ec_id bd = {{0, 0, 0, 0}};
			for (size_t i = 0; i < n; i++) {
				if (used[i])
					continue;
				ec_id d;
				/* distance via the 2's-complement difference, word by word */
				const ec_id *x = side == 0 ? &m[i].token : &point;
				const ec_id *y = side == 0 ? &point : &m[i].token;
				uint64_t borrow = 0;
				for (int w = 3; w >= 0; w--) {
					uint64_t xw = x->w[w], yw = y->w[w];
					d.w[w] = xw - yw - borrow;
					borrow = (xw < yw || (xw == yw && borrow)) ? 1 : 0;
				}
				if (best < 0 || ec_id_cmp(&d, &bd) < 0) {
					best = (int)i;
					bd = d;
				}
			}
			if (best < 0)
				break;
			used[best] = true;
			a.entries[a.count++] = m[best];
		}
	}
	return a;
}

static void
test_select_reference(void **state)
{
	(void)state;
	ec_rng r = seeded(1);
	for (int it = 0; it < 3000; it++) {
		ec_sp_mapping m[40];
		size_t n = ec_rng_range_u32(&r, 0, 30);
		bool small = ec_rng_u32(&r) & 1;
		for (size_t i = 0; i < n; i++)
			m[i] = mp(small ? rand_small_id(&r) : rand_id(&r));
		sort_unique(m, &n);
		ec_id p = small ? rand_small_id(&r) : rand_id(&r);
		if (n && ec_rng_range_u32(&r, 0, 3) == 0)
			p = m[ec_rng_index(&r, n)].token; /* point on a token */
		ec_sp_answer got = build(m, n, p);
		ec_sp_answer want = reference(m, n, p);
		assert_int_equal(got.count, n < 10 ? n : 10);
		assert_int_equal(got.count, want.count);
		assert_memory_equal(got.entries, want.entries, sizeof got.entries);
	}
}

/* A view that breaks its contract (returns a token below x): the builder
 * refuses to produce a non-canonical answer. */
static bool
liar_above(const void *impl, const ec_id *x, ec_sp_mapping *out)
{
	(void)impl;
	(void)x;
	*out = mp(id0(5));
	return true;
}

static bool
liar_below(const void *impl, const ec_id *x, ec_sp_mapping *out)
{
	(void)impl;
	*out = mp(id4(x->w[0] + 1, 0, 0, 0));
	return true;
}

static void
test_select_bad_view(void **state)
{
	(void)state;
	static const ec_sp_view_ops ops = {liar_above, liar_below};
	ec_sp_view v = {&ops, NULL};
	ec_id me = id0(1), p = id0(1000);
	ec_sp_answer a;
	assert_int_equal(ec_sp_answer_build(&me, &p, &v, &a), EC_EINVAL);
	assert_int_equal(a.count, 0);
}

/* ---- verification across peers ---- */

static ec_sp_answer
with_responder(ec_sp_answer a, uint64_t who)
{
	a.responder = id0(who);
	return a;
}

/* Replaces the blocks of the first `k` entries (a wrong mapping). */
static ec_sp_answer
corrupt_blocks(ec_sp_answer a, unsigned k)
{
	for (unsigned i = 0; i < k; i++)
		a.entries[(i * 3) % a.count].block.w[3] ^= 0xBAD;
	return a;
}

static void
test_compare_honest_and_wrong(void **state)
{
	(void)state;
	ec_sp_mapping m[20];
	size_t n = linear_ring(m);
	ec_id p = id0(1050);
	ec_sp_answer h = build(m, n, p);
	ec_sp_answer ans[5];
	for (unsigned i = 0; i < 5; i++)
		ans[i] = with_responder(h, 100 + i);
	ec_sp_verdict v[5];
	uint8_t ag[5];
	assert_int_equal(ec_sp_compare(ans, 5, &p, EC_SP_MIN_AGREE, v, ag), EC_OK);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(v[i], EC_SP_PASS);
		assert_int_equal(ag[i], 10);
	}
	for (unsigned bad = 1; bad <= 6; bad++) {
		ans[2] = with_responder(corrupt_blocks(h, bad), 102);
		assert_int_equal(ec_sp_compare(ans, 5, &p, EC_SP_MIN_AGREE, v, ag), EC_OK);
		assert_int_equal(ag[2], 10 - bad);
		assert_int_equal(v[2], bad <= 2 ? EC_SP_PASS : EC_SP_FAIL_MISMATCH);
		for (int i = 0; i < 5; i++)
			if (i != 2)
				assert_int_equal(v[i], EC_SP_PASS);
	}
	/* the threshold is a parameter */
	ans[2] = with_responder(corrupt_blocks(h, 3), 102);
	assert_int_equal(ec_sp_compare(ans, 5, &p, 7, v, ag), EC_OK);
	assert_int_equal(v[2], EC_SP_PASS);
	assert_int_equal(ec_sp_compare(ans, 5, &p, 10, v, ag), EC_OK);
	assert_int_equal(v[2], EC_SP_FAIL_MISMATCH);
	assert_int_equal(v[0], EC_SP_PASS);

	/* two wrong answers out of five: still a majority for the truth */
	ans[3] = with_responder(corrupt_blocks(h, 4), 103);
	assert_int_equal(ec_sp_compare(ans, 5, &p, EC_SP_MIN_AGREE, v, ag), EC_OK);
	assert_int_equal(v[2], EC_SP_FAIL_MISMATCH);
	assert_int_equal(v[3], EC_SP_FAIL_MISMATCH);
	assert_int_equal(v[0], EC_SP_PASS);
	assert_int_equal(v[4], EC_SP_PASS);

	/* a 2-2 tie is no majority: the disputed entries count for nobody */
	ans[1] = with_responder(corrupt_blocks(h, 3), 101);
	ans[2] = with_responder(h, 102);
	ans[3] = with_responder(corrupt_blocks(h, 3), 103);
	assert_int_equal(ec_sp_compare(ans, 4, &p, EC_SP_MIN_AGREE, v, ag), EC_OK);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(ag[i], 7);
		assert_int_equal(v[i], EC_SP_FAIL_MISMATCH);
	}
	/* with a fifth honest answer the truth has its majority back */
	assert_int_equal(ec_sp_compare(ans, 5, &p, EC_SP_MIN_AGREE, v, ag), EC_OK);
	assert_int_equal(v[0], EC_SP_PASS);
	assert_int_equal(v[1], EC_SP_FAIL_MISMATCH);
	assert_int_equal(v[2], EC_SP_PASS);
	assert_int_equal(v[3], EC_SP_FAIL_MISMATCH);
}

/* A lazy node that dropped some of the true 10 tokens answers with the
 * next ones it has: each gap costs one entry. */
static void
test_compare_lazy(void **state)
{
	(void)state;
	ec_sp_mapping m[20];
	size_t n = linear_ring(m);
	ec_id p = id0(1050);
	ec_sp_answer h = build(m, n, p);
	/* the true entries are 600..1500; drop 700, 1200, 1400 progressively */
	static const uint64_t drop[3] = {700, 1200, 1400};
	for (unsigned k = 1; k <= 3; k++) {
		ec_sp_mapping lazy[20];
		size_t ln = 0;
		for (size_t i = 0; i < n; i++) {
			bool keep = true;
			for (unsigned d = 0; d < k; d++)
				keep = keep && m[i].token.w[0] != drop[d];
			if (keep)
				lazy[ln++] = m[i];
		}
		ec_sp_answer ans[4] = {with_responder(h, 1), with_responder(h, 2),
		                       with_responder(h, 3), with_responder(build(lazy, ln, p), 4)};
		ec_sp_verdict v[4];
		uint8_t ag[4];
		assert_int_equal(ec_sp_compare(ans, 4, &p, EC_SP_MIN_AGREE, v, ag), EC_OK);
		assert_int_equal(ans[3].count, 10);
		assert_int_equal(ag[3], 10 - k);
		assert_int_equal(v[3], k <= 2 ? EC_SP_PASS : EC_SP_FAIL_MISMATCH);
	}
}

static void
test_compare_edge_cases(void **state)
{
	(void)state;
	ec_sp_mapping m[20];
	size_t n = linear_ring(m);
	ec_id p = id0(1050);
	ec_sp_answer h = build(m, n, p);
	ec_sp_answer ans[EC_SP_MAX_PEERS + 1];
	ec_sp_verdict v[EC_SP_MAX_PEERS + 1];
	uint8_t ag[EC_SP_MAX_PEERS + 1];
	for (unsigned i = 0; i <= EC_SP_MAX_PEERS; i++)
		ans[i] = with_responder(h, 100 + i);

	/* too few answers for a majority */
	assert_int_equal(ec_sp_compare(ans, 2, &p, EC_SP_MIN_AGREE, v, ag), EC_OK);
	assert_int_equal(v[0], EC_SP_INCONCLUSIVE);
	assert_int_equal(v[1], EC_SP_INCONCLUSIVE);
	assert_int_equal(ec_sp_compare(ans, 0, &p, EC_SP_MIN_AGREE, v, ag), EC_OK);

	/* wrong point, malformed, duplicate responder: excluded, so the two
	 * remaining honest answers are inconclusive */
	ans[1].point = id0(1051);
	ans[2].entries[0] = h.entries[1];
	ans[2].entries[1] = h.entries[0];
	ans[3].responder = ans[0].responder;
	assert_int_equal(ec_sp_compare(ans, 5, &p, EC_SP_MIN_AGREE, v, ag), EC_OK);
	assert_int_equal(v[0], EC_SP_INCONCLUSIVE);
	assert_int_equal(v[1], EC_SP_FAIL_POINT);
	assert_int_equal(v[2], EC_SP_FAIL_MALFORMED);
	assert_int_equal(v[3], EC_SP_FAIL_DUPLICATE);
	assert_int_equal(v[4], EC_SP_INCONCLUSIVE);
	assert_int_equal(ag[1], 0);

	/* argument errors write nothing */
	v[0] = EC_SP_FAIL_POINT;
	assert_int_equal(ec_sp_compare(ans, EC_SP_MAX_PEERS + 1, &p, 8, v, ag), EC_EINVAL);
	assert_int_equal(ec_sp_compare(ans, 3, &p, 11, v, ag), EC_EINVAL);
	assert_int_equal(v[0], EC_SP_FAIL_POINT);
	/* 64 answers are accepted; agree may be NULL */
	for (unsigned i = 0; i < EC_SP_MAX_PEERS; i++)
		ans[i] = with_responder(h, 100 + i);
	assert_int_equal(ec_sp_compare(ans, EC_SP_MAX_PEERS, &p, 8, v, NULL), EC_OK);
	assert_int_equal(v[EC_SP_MAX_PEERS - 1], EC_SP_PASS);
	/* only answers that take part can make a later one a duplicate */
	ans[0].point = id0(1049); /* still canonical, but another point */
	assert_int_equal(ec_sp_compare(ans, 4, &p, 8, v, ag), EC_OK);
	assert_int_equal(v[0], EC_SP_FAIL_POINT);
	ans[1].responder = ans[0].responder;
	assert_int_equal(ec_sp_compare(ans, 4, &p, 8, v, ag), EC_OK);
	assert_int_equal(v[1], EC_SP_PASS);
	assert_int_equal(v[3], EC_SP_PASS);

	/* short stores: honest answers of 7 pass; one short by 3 fails, one
	 * padded with 3 made-up entries fails too */
	ec_sp_mapping few[7];
	for (uint64_t i = 0; i < 7; i++)
		few[i] = mp(id0(10 * (i + 1)));
	ec_id q = id0(25);
	ec_sp_answer s = build(few, 7, q);
	ec_sp_answer s4 = build(few + 3, 4, q);
	ec_sp_mapping pad[10];
	memcpy(pad, few, sizeof few);
	pad[7] = mp(id0(1000));
	pad[8] = mp(id0(1001));
	pad[9] = mp(id0(1002));
	ec_sp_answer s10 = build(pad, 10, q);
	ec_sp_answer sa[5] = {with_responder(s, 1), with_responder(s, 2), with_responder(s, 3),
	                      with_responder(s4, 4), with_responder(s10, 5)};
	assert_int_equal(ec_sp_compare(sa, 5, &q, EC_SP_MIN_AGREE, v, ag), EC_OK);
	assert_int_equal(v[0], EC_SP_PASS);
	assert_int_equal(v[2], EC_SP_PASS);
	assert_int_equal(ag[3], 4);
	assert_int_equal(v[3], EC_SP_FAIL_MISMATCH);
	assert_int_equal(ag[4], 7);
	assert_int_equal(v[4], EC_SP_FAIL_MISMATCH);
	/* short by 2 is within the tolerance */
	sa[3] = with_responder(build(few + 2, 5, q), 4);
	assert_int_equal(ec_sp_compare(sa, 4, &q, EC_SP_MIN_AGREE, v, ag), EC_OK);
	assert_int_equal(v[3], EC_SP_PASS);
}

/* ---- verification against the requester's knowledge ---- */

/* The query whose challenge point is the answer's point (the tests choose
 * points, so they re-target the answer to the query's point instead). */
static ec_sp_answer
answer_for(const ec_sp_mapping *m, size_t n, const ec_sp_query *q)
{
	ec_id p;
	ec_sp_challenge(q, &p);
	ec_sp_answer a = build(m, n, p);
	a.responder = q->responder;
	return a;
}

/* Forty tokens spread evenly over the ring. */
static size_t
spread_ring(ec_sp_mapping *m)
{
	for (uint64_t i = 0; i < 40; i++)
		m[i] = mp(id4(i * (MAXW / 40), i, 0, 0));
	return 40;
}

static void
test_verify_known(void **state)
{
	(void)state;
	ec_sp_mapping m[40];
	size_t n = spread_ring(m);
	ec_sp_query q = base_query();
	ec_sp_array all = {m, n};
	ec_sp_view kv = ec_sp_array_view(&all);
	ec_sp_answer h = answer_for(m, n, &q);
	ec_sp_verdict v;
	ec_sp_tally t;

	assert_int_equal(ec_sp_verify_known(&q, &h, &kv, EC_SP_MIN_AGREE, &v, &t), EC_OK);
	assert_int_equal(v, EC_SP_PASS);
	assert_int_equal(t.checked, 10);
	assert_int_equal(t.wrong, 0);
	assert_int_equal(t.omitted, 0);

	/* the requester knows only two of the answered tokens (and other
	 * tokens outside the span, which do not matter) */
	ec_sp_mapping part[4] = {h.entries[2], h.entries[7], m[0], m[20]};
	size_t pn = 4;
	sort_unique(part, &pn);
	ec_sp_array pa = {part, pn};
	ec_sp_view pv = ec_sp_array_view(&pa);
	assert_int_equal(ec_sp_verify_known(&q, &h, &pv, EC_SP_MIN_AGREE, &v, &t), EC_OK);
	assert_int_equal(v, EC_SP_PASS);
	assert_int_equal(t.checked, 2);
	assert_int_equal(t.omitted, 0);

	/* nothing known in the span */
	ec_sp_array none = {m, 0};
	ec_sp_view nv = ec_sp_array_view(&none);
	assert_int_equal(ec_sp_verify_known(&q, &h, &nv, EC_SP_MIN_AGREE, &v, NULL), EC_OK);
	assert_int_equal(v, EC_SP_INCONCLUSIVE);

	/* wrong blocks: 2 tolerated, 3 not */
	ec_sp_answer w = corrupt_blocks(h, 2);
	assert_int_equal(ec_sp_verify_known(&q, &w, &kv, EC_SP_MIN_AGREE, &v, &t), EC_OK);
	assert_int_equal(v, EC_SP_PASS);
	assert_int_equal(t.wrong, 2);
	w = corrupt_blocks(h, 3);
	assert_int_equal(ec_sp_verify_known(&q, &w, &kv, EC_SP_MIN_AGREE, &v, &t), EC_OK);
	assert_int_equal(v, EC_SP_FAIL_MISMATCH);
	assert_int_equal(t.wrong, 3);
	assert_int_equal(ec_sp_verify_known(&q, &w, &kv, 7, &v, &t), EC_OK);
	assert_int_equal(v, EC_SP_PASS);

	/* a lazy node missing k of the true ten: k omissions */
	for (unsigned k = 1; k <= 4; k++) {
		ec_sp_mapping lazy[40];
		size_t ln = 0;
		for (size_t i = 0; i < n; i++) {
			bool keep = true;
			for (unsigned d = 0; d < k; d++) /* drop entries 0, 3, 6, 9 */
				keep = keep && !ec_id_eq(&m[i].token, &h.entries[3 * d].token);
			if (keep)
				lazy[ln++] = m[i];
		}
		ec_sp_answer la = answer_for(lazy, ln, &q);
		assert_int_equal(ec_sp_verify_known(&q, &la, &kv, EC_SP_MIN_AGREE, &v, &t), EC_OK);
		assert_int_equal(t.omitted, k);
		assert_int_equal(t.wrong, 0);
		assert_int_equal(v, k <= 2 ? EC_SP_PASS : EC_SP_FAIL_MISMATCH);
	}

	/* a short answer claims the node stores nothing else: every known token
	 * it left out is an omission */
	ec_sp_answer sh = answer_for(m, 7, &q);
	ec_sp_array seven = {m, 7}, nine = {m, 9}, ten = {m, 10};
	ec_sp_view sv = ec_sp_array_view(&seven);
	assert_int_equal(ec_sp_verify_known(&q, &sh, &sv, EC_SP_MIN_AGREE, &v, &t), EC_OK);
	assert_int_equal(v, EC_SP_PASS);
	assert_int_equal(t.checked, 7);
	sv = ec_sp_array_view(&nine);
	assert_int_equal(ec_sp_verify_known(&q, &sh, &sv, EC_SP_MIN_AGREE, &v, &t), EC_OK);
	assert_int_equal(v, EC_SP_PASS);
	assert_int_equal(t.omitted, 2);
	sv = ec_sp_array_view(&ten);
	assert_int_equal(ec_sp_verify_known(&q, &sh, &sv, EC_SP_MIN_AGREE, &v, &t), EC_OK);
	assert_int_equal(v, EC_SP_FAIL_MISMATCH);
	assert_int_equal(t.omitted, 3);
	/* the scan is bounded: a short answer against a large store stops
	 * counting once the answer has failed */
	assert_int_equal(ec_sp_verify_known(&q, &sh, &kv, EC_SP_MIN_AGREE, &v, &t), EC_OK);
	assert_int_equal(v, EC_SP_FAIL_MISMATCH);
	assert_int_equal(t.omitted, 11);

	/* not the audited node, not the challenge point, not canonical */
	ec_sp_answer o = h;
	o.responder = q.requester;
	assert_int_equal(ec_sp_verify_known(&q, &o, &kv, EC_SP_MIN_AGREE, &v, &t), EC_OK);
	assert_int_equal(v, EC_SP_FAIL_RESPONDER);
	o = h;
	o.point.w[3] ^= 1;
	assert_int_equal(ec_sp_verify_known(&q, &o, &kv, EC_SP_MIN_AGREE, &v, &t), EC_OK);
	assert_int_equal(v, EC_SP_FAIL_POINT);
	o = h;
	o.entries[8] = h.entries[9];
	o.entries[9] = h.entries[8];
	assert_int_equal(ec_sp_verify_known(&q, &o, &kv, EC_SP_MIN_AGREE, &v, &t), EC_OK);
	assert_int_equal(v, EC_SP_FAIL_MALFORMED);
	o.count = 11;
	assert_int_equal(ec_sp_verify_known(&q, &o, &kv, EC_SP_MIN_AGREE, &v, &t), EC_OK);
	assert_int_equal(v, EC_SP_FAIL_MALFORMED);

	v = EC_SP_PASS;
	assert_int_equal(ec_sp_verify_known(&q, &h, &kv, 11, &v, &t), EC_EINVAL);
	assert_int_equal(v, EC_SP_PASS);
}

/* ec_sp_verify_point: the same verdicts against a point the caller
 * derived; an answer to another point fails, and so does another
 * responder, whatever the point. */
static void
test_verify_point(void **state)
{
	(void)state;
	ec_sp_mapping m[40];
	size_t n = spread_ring(m);
	ec_sp_query q = base_query();
	ec_sp_array all = {m, n};
	ec_sp_view kv = ec_sp_array_view(&all);
	ec_sp_verdict v;
	ec_sp_tally t;
	/* a point of the caller's own, far from the challenge's */
	ec_id point = id4(17 * (MAXW / 40) + 5, 0, 0, 0);
	ec_sp_answer h;
	assert_int_equal(ec_sp_answer_build(&q.responder, &point, &kv, &h), EC_OK);
	assert_int_equal(ec_sp_verify_point(&q.responder, &point, &h, &kv, EC_SP_ENTRIES, &v, &t),
	                 EC_OK);
	assert_int_equal(v, EC_SP_PASS);
	assert_int_equal(t.checked, 10);
	/* verify_known derives the challenge point: not this one */
	assert_int_equal(ec_sp_verify_known(&q, &h, &kv, EC_SP_MIN_AGREE, &v, NULL), EC_OK);
	assert_int_equal(v, EC_SP_FAIL_POINT);
	ec_id other = point;
	other.w[3] ^= 1;
	assert_int_equal(ec_sp_verify_point(&q.responder, &other, &h, &kv, EC_SP_ENTRIES, &v, NULL),
	                 EC_OK);
	assert_int_equal(v, EC_SP_FAIL_POINT);
	assert_int_equal(ec_sp_verify_point(&q.requester, &point, &h, &kv, EC_SP_ENTRIES, &v, NULL),
	                 EC_OK);
	assert_int_equal(v, EC_SP_FAIL_RESPONDER);
	/* with all 10 required, one wrong block fails */
	ec_sp_answer w = corrupt_blocks(h, 1);
	assert_int_equal(ec_sp_verify_point(&q.responder, &point, &w, &kv, EC_SP_ENTRIES, &v, &t),
	                 EC_OK);
	assert_int_equal(v, EC_SP_FAIL_MISMATCH);
	assert_int_equal(t.wrong, 1);
	assert_int_equal(ec_sp_verify_point(&q.responder, &point, &h, &kv, 11, &v, NULL), EC_EINVAL);
}

int
main(void)
{
	const char *s = getenv("EC_TEST_SEED");
	if (s && *s)
		test_seed = strtoull(s, NULL, 0);
	printf("test_storage_proof: EC_TEST_SEED=%llu\n", (unsigned long long)test_seed);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_challenge_golden),
		cmocka_unit_test(test_challenge_binding),
		cmocka_unit_test(test_select_middle),
		cmocka_unit_test(test_select_wrap),
		cmocka_unit_test(test_select_few),
		cmocka_unit_test(test_select_reference),
		cmocka_unit_test(test_select_bad_view),
		cmocka_unit_test(test_compare_honest_and_wrong),
		cmocka_unit_test(test_compare_lazy),
		cmocka_unit_test(test_compare_edge_cases),
		cmocka_unit_test(test_verify_known),
		cmocka_unit_test(test_verify_point),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
