/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the memstore's xtoken_scan (ec/ecp.h, ecsim/memstore.h):
 * the token mappings of one owner in a ring range, in ring order from lo
 * (position - lo, then the full id), after a resume point, at most max.
 * Every scan is checked against a reference built here by filtering and
 * sorting all of the owner's mappings.  Also xtoken_near (the nearest
 * mapping at or above, or at or below, an id, without wrapping) and a view
 * that drops token mappings (drop_tokens).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec/ctx.h"
#include "ec/ecp.h"
#include "ecsim/memstore.h"

/* One owner's view of a store with the ec protocol's interface. */
typedef struct owner {
	ec_memstore_view view;
	ec_store st;
} owner;

static void
bind(owner *o, ec_memstore *s, uint32_t index)
{
	o->view = (ec_memstore_view){s, index, 0};
	o->st = ec_memstore_bind(&o->view, ECP_STORE_API);
	assert_non_null(o->st.ops);
	assert_non_null(ecp_store(&o->st)->xtoken_scan);
}

static void
put(const owner *o, const ec_id *token, const ec_id *block)
{
	assert_int_equal(ecp_store(&o->st)->xtoken_put(o->st.impl, token, block, 1), EC_OK);
}

static size_t
scan(const owner *o, uint64_t lo, uint64_t hi, const ec_id *after, ec_id *tokens,
     ec_id *blocks, size_t max)
{
	return ecp_store(&o->st)->xtoken_scan(o->st.impl, lo, hi, after, tokens, blocks, max);
}

static ec_memstore *
new_store(void)
{
	ec_memstore *s = NULL;
	assert_int_equal(ec_memstore_new(ec_libc_realloc, NULL, &s), EC_OK);
	return s;
}

static ec_id
id4(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	return (ec_id){{w0, w1, w2, w3}};
}

/* The block an owner maps a token to in these tests: tells both apart. */
static ec_id
block_of(uint32_t own, const ec_id *token)
{
	return id4(token->w[3] ^ 0xB10C, token->w[0], own, token->w[1] + 7);
}

static uint64_t
next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* --- the reference: filter, then sort by (position - lo, id) --- */

static uint64_t ref_lo;

static int
ref_cmp(const void *pa, const void *pb)
{
	const ec_id *a = pa, *b = pb;
	uint64_t da = ec_id_pos(a) - ref_lo, db = ec_id_pos(b) - ref_lo;
	if (da != db)
		return da < db ? -1 : 1;
	return ec_id_cmp(a, b);
}

/* Writes to out the tokens of all[0..n) that a scan of [lo, hi] after
 * *after (NULL or zero: from the start) returns, in order; returns how
 * many. */
static size_t
reference(const ec_id *all, size_t n, uint64_t lo, uint64_t hi, const ec_id *after, ec_id *out)
{
	size_t m = 0;
	ref_lo = lo;
	for (size_t k = 0; k < n; k++) {
		if (ec_id_pos(&all[k]) - lo > hi - lo)
			continue;
		if (after && !ec_id_is_zero(after)) {
			/* strictly after *after in scan order */
			if (ec_id_pos(after) - lo > hi - lo || ref_cmp(&all[k], after) <= 0)
				continue;
		}
		out[m++] = all[k];
	}
	qsort(out, m, sizeof *out, ref_cmp);
	return m;
}

/* Pages through [lo, hi] of owner o in pages of page and checks that the
 * concatenation is the reference: each mapping exactly once, in order,
 * with its block; the last page is short. */
static void
check_paged(const owner *o, const ec_id *all, size_t n, uint64_t lo, uint64_t hi, size_t page)
{
	ec_id *want = calloc(n + 1, sizeof *want);
	ec_id *tok = calloc(page, sizeof *tok), *blk = calloc(page, sizeof *blk);
	assert_non_null(want);
	assert_non_null(tok);
	assert_non_null(blk);
	size_t m = reference(all, n, lo, hi, NULL, want), got = 0;
	ec_id after = {{0, 0, 0, 0}};
	for (;;) {
		size_t k = scan(o, lo, hi, got ? &after : NULL, tok, blk, page);
		assert_true(k <= page);
		assert_true(got + k <= m);
		for (size_t j = 0; j < k; j++) {
			assert_memory_equal(&tok[j], &want[got + j], sizeof(ec_id));
			ec_id b = block_of(o->view.owner, &tok[j]);
			assert_memory_equal(&blk[j], &b, sizeof(ec_id));
		}
		got += k;
		if (k < page)
			break;
		after = tok[k - 1];
	}
	assert_int_equal(got, m);
	free(want);
	free(tok);
	free(blk);
}

/* A store with nothing, an owner with nothing, max 0. */
static void
test_scan_empty(void **state)
{
	(void)state;
	ec_memstore *s = new_store();
	owner a, b, c;
	bind(&a, s, 7);
	bind(&b, s, 8);
	bind(&c, s, 3);
	ec_id tok[4], blk[4];
	assert_int_equal(scan(&a, 0, UINT64_MAX, NULL, tok, blk, 4), 0);
	assert_int_equal(scan(&a, 5, 4, NULL, tok, blk, 4), 0);

	ec_id t = id4(100, 1, 2, 3), bl = block_of(7, &t);
	put(&a, &t, &bl);
	/* other owners, on both sides of the one that stored */
	assert_int_equal(scan(&b, 0, UINT64_MAX, NULL, tok, blk, 4), 0);
	assert_int_equal(scan(&c, 0, UINT64_MAX, NULL, tok, blk, 4), 0);
	/* a range that misses it, max 0, a resume point at it */
	assert_int_equal(scan(&a, 101, 99, NULL, tok, blk, 4), 0);
	assert_int_equal(scan(&a, 0, 99, NULL, tok, blk, 4), 0);
	assert_int_equal(scan(&a, 0, UINT64_MAX, NULL, NULL, NULL, 0), 0);
	assert_int_equal(scan(&a, 0, UINT64_MAX, &t, tok, blk, 4), 0);
	/* the single position of the range */
	assert_int_equal(scan(&a, 100, 100, NULL, tok, blk, 4), 1);
	assert_memory_equal(&tok[0], &t, sizeof t);
	assert_memory_equal(&blk[0], &bl, sizeof bl);
	/* an all-zero resume point starts from the beginning */
	ec_id zero = {{0, 0, 0, 0}};
	assert_int_equal(scan(&a, 0, UINT64_MAX, &zero, tok, blk, 4), 1);
	ec_memstore_free(s);
}

/* lo > hi wraps past 2^64; the order starts at lo, not at position 0. */
static void
test_scan_wraps(void **state)
{
	(void)state;
	ec_memstore *s = new_store();
	owner o;
	bind(&o, s, 2);
	const uint64_t pos[] = {UINT64_MAX, 3,  UINT64_MAX - 5, 0,  UINT64_MAX - 6, 10,
	                        11,         50, 1ull << 63,     UINT64_MAX - 4};
	enum { N = sizeof pos / sizeof pos[0] };
	ec_id all[N];
	for (size_t k = 0; k < N; k++) {
		all[k] = id4(pos[k], k + 1, 0, 0);
		ec_id b = block_of(2, &all[k]);
		put(&o, &all[k], &b);
	}
	ec_id tok[N], blk[N];
	size_t n = scan(&o, UINT64_MAX - 5, 10, NULL, tok, blk, N);
	const uint64_t want[] = {UINT64_MAX - 5, UINT64_MAX - 4, UINT64_MAX, 0, 3, 10};
	assert_int_equal(n, 6);
	for (size_t k = 0; k < n; k++)
		assert_int_equal(ec_id_pos(&tok[k]), want[k]);
	/* a bounded page takes the first in ring order, not the lowest ids */
	assert_int_equal(scan(&o, UINT64_MAX - 5, 10, NULL, tok, blk, 2), 2);
	assert_int_equal(ec_id_pos(&tok[0]), UINT64_MAX - 5);
	assert_int_equal(ec_id_pos(&tok[1]), UINT64_MAX - 4);
	/* resume across the wrap point */
	ec_id after = all[0]; /* the mapping at UINT64_MAX */
	assert_int_equal(scan(&o, UINT64_MAX - 5, 10, &after, tok, blk, N), 3);
	assert_int_equal(ec_id_pos(&tok[0]), 0);
	assert_int_equal(ec_id_pos(&tok[2]), 10);
	/* a resume point outside the range: nothing in the range follows it */
	ec_id outside = id4(50, 0, 0, 0);
	assert_int_equal(scan(&o, UINT64_MAX - 5, 10, &outside, tok, blk, N), 0);
	/* the whole ring from lo = 11 (hi = 10): all, 11 first, 10 last */
	n = scan(&o, 11, 10, NULL, tok, blk, N);
	assert_int_equal(n, N);
	assert_int_equal(ec_id_pos(&tok[0]), 11);
	assert_int_equal(ec_id_pos(&tok[N - 1]), 10);
	for (uint64_t lo = UINT64_MAX - 7; lo != 13; lo++)
		for (uint64_t span = 0; span < 20; span++)
			check_paged(&o, all, N, lo, lo + span, 3);
	check_paged(&o, all, N, 1ull << 63, 11, 3);
	check_paged(&o, all, N, 0, UINT64_MAX, 3);
	ec_memstore_free(s);
}

/* Ids with the same position differ in lower words: ordered by the full
 * id, and a resume point inside the group continues within it. */
static void
test_scan_equal_positions(void **state)
{
	(void)state;
	ec_memstore *s = new_store();
	owner o;
	bind(&o, s, 0);
	enum { N = 12 };
	ec_id all[N];
	/* put in an order that is neither ascending nor descending */
	const uint64_t low[N] = {5, 1, 9, 3, 7, 0, 11, 2, 10, 4, 8, 6};
	for (size_t k = 0; k < N; k++) {
		uint64_t pos = k < 9 ? 1000 : 999 + k; /* nine at 1000, then 1008.. */
		all[k] = id4(pos, low[k] >> 1, 77, low[k] & 1 ? UINT64_MAX : 1);
		ec_id b = block_of(0, &all[k]);
		put(&o, &all[k], &b);
	}
	ec_id tok[N], blk[N];
	size_t n = scan(&o, 1000, 1000, NULL, tok, blk, N);
	assert_int_equal(n, 9);
	for (size_t k = 1; k < n; k++)
		assert_true(ec_id_cmp(&tok[k - 1], &tok[k]) < 0);
	/* after the fourth of the group: the fifth onwards */
	ec_id after = tok[3];
	ec_id rest[N], rblk[N];
	assert_int_equal(scan(&o, 1000, 1000, &after, rest, rblk, N), 5);
	assert_memory_equal(&rest[0], &tok[4], sizeof(ec_id));
	/* a resume id not stored, between two of the group */
	ec_id between = tok[5];
	between.w[3]--;
	assert_int_equal(scan(&o, 1000, 1000, &between, rest, rblk, 1), 1);
	assert_memory_equal(&rest[0], &tok[5], sizeof(ec_id));
	for (uint64_t lo = 995; lo < 1010; lo++)
		for (uint64_t hi = 995; hi < 1025; hi++)
			for (size_t page = 1; page <= 4; page++)
				check_paged(&o, all, N, lo, hi, page);
	ec_memstore_free(s);
}

/* Hundreds of mappings (some sharing positions) paged in threes over many
 * ranges: each exactly once, in order. */
static void
test_scan_paging(void **state)
{
	(void)state;
	enum { N = 400 };
	ec_memstore *s = new_store();
	owner o;
	bind(&o, s, 41);
	ec_id *all = calloc(N, sizeof *all);
	assert_non_null(all);
	uint64_t x = 0x9E3779B97F4A7C15ull;
	for (size_t k = 0; k < N; k++) {
		uint64_t pos = next_rand(&x);
		if (k % 5 == 4)
			pos = ec_id_pos(&all[k - 1 - next_rand(&x) % 4]); /* a shared position */
		all[k] = id4(pos, next_rand(&x), next_rand(&x), next_rand(&x));
		ec_id b = block_of(41, &all[k]);
		put(&o, &all[k], &b);
	}
	check_paged(&o, all, N, 0, UINT64_MAX, 3);
	check_paged(&o, all, N, 0, UINT64_MAX, 64);
	for (int r = 0; r < 60; r++) {
		uint64_t lo = next_rand(&x), hi = next_rand(&x);
		if (r % 3 == 0)
			lo = ec_id_pos(&all[next_rand(&x) % N]); /* a range edge on a mapping */
		if (r % 4 == 0)
			hi = ec_id_pos(&all[next_rand(&x) % N]);
		check_paged(&o, all, N, lo, hi, 3);
		check_paged(&o, all, N, hi, lo, 3); /* the complement, plus the edges */
	}
	free(all);
	ec_memstore_free(s);
}

/* Owners with interleaved writes (and the same tokens) never see each
 * other's mappings; overwriting a mapping keeps one entry with the new
 * block. */
static void
test_scan_owners_and_overwrite(void **state)
{
	(void)state;
	enum { OWNERS = 4, PER = 50 };
	const uint32_t index[OWNERS] = {500000, 3, 499999, 70};
	ec_memstore *s = new_store();
	owner o[OWNERS];
	ec_id all[OWNERS][PER];
	for (uint32_t k = 0; k < OWNERS; k++)
		bind(&o[k], s, index[k]);
	uint64_t x = 12345;
	for (size_t i = 0; i < PER; i++) {
		for (uint32_t k = 0; k < OWNERS; k++) {
			/* half the tokens are shared by all owners */
			all[k][i] = i % 2 ? id4(i * 1000, i, 0, 0) : id4(next_rand(&x), k, i, 1);
			ec_id b = block_of(index[k], &all[k][i]);
			put(&o[k], &all[k][i], &b);
		}
	}
	for (uint32_t k = 0; k < OWNERS; k++) {
		check_paged(&o[k], all[k], PER, 0, UINT64_MAX, 3);
		check_paged(&o[k], all[k], PER, 20000, 9999, 3);
	}

	/* overwrite: same token, another block, twice */
	ec_id t = all[1][7], b1 = id4(1, 1, 1, 1), b2 = id4(2, 2, 2, 2);
	put(&o[1], &t, &b1);
	put(&o[1], &t, &b2);
	ec_id tok[PER + 1], blk[PER + 1];
	size_t n = scan(&o[1], 0, UINT64_MAX, NULL, tok, blk, PER + 1);
	assert_int_equal(n, PER);
	size_t seen = 0;
	for (size_t j = 0; j < n; j++)
		if (ec_id_eq(&tok[j], &t)) {
			seen++;
			assert_memory_equal(&blk[j], &b2, sizeof b2);
		}
	assert_int_equal(seen, 1);
	/* the other owners holding the same token keep their own block */
	n = scan(&o[0], ec_id_pos(&t), ec_id_pos(&t), NULL, tok, blk, PER);
	assert_int_equal(n, 1);
	ec_id b0 = block_of(index[0], &t);
	assert_memory_equal(&blk[0], &b0, sizeof b0);
	ec_memstore_free(s);
}

/* Thousands of mappings over owners that appear in no particular order
 * (the head array grows at both ends) and several table growths: every
 * list stays whole, and lookups still work. */
static void
test_scan_growth(void **state)
{
	(void)state;
	enum { OWNERS = 6, PER = 2500 };
	const uint32_t index[OWNERS] = {1000, 5000, 10, 2000000, 0, 4000};
	ec_memstore *s = new_store();
	owner o[OWNERS];
	ec_id *all[OWNERS];
	for (uint32_t k = 0; k < OWNERS; k++) {
		bind(&o[k], s, index[k]);
		all[k] = calloc(PER, sizeof(ec_id));
		assert_non_null(all[k]);
	}
	size_t bytes0 = ec_memstore_bytes(s);
	uint64_t x = 777;
	for (size_t i = 0; i < PER; i++) {
		for (uint32_t k = 0; k < OWNERS; k++) {
			if (i < 40 * k)
				continue; /* owners start at different times */
			all[k][i] = id4(next_rand(&x), i, k, next_rand(&x));
			ec_id b = block_of(index[k], &all[k][i]);
			put(&o[k], &all[k][i], &b);
		}
	}
	assert_true(ec_memstore_bytes(s) > bytes0);
	for (uint32_t k = 0; k < OWNERS; k++) {
		ec_id *mine = all[k] + 40 * k;
		size_t n = PER - 40 * k;
		check_paged(&o[k], mine, n, 0, UINT64_MAX, 64);
		check_paged(&o[k], mine, n, 1ull << 62, 3ull << 62, 3);
		check_paged(&o[k], mine, n, 3ull << 62, 1ull << 62, 50);
		for (size_t i = 0; i < n; i += 97) {
			ec_id b, want = block_of(index[k], &mine[i]);
			uint64_t time = 0;
			assert_true(ecp_store(&o[k].st)->xtoken_get(o[k].st.impl, &mine[i], &b, &time));
			assert_memory_equal(&b, &want, sizeof b);
		}
	}
	for (uint32_t k = 0; k < OWNERS; k++)
		free(all[k]);
	ec_memstore_free(s);
}

/* Owner indexes at both ends of uint32 (the head array stops at 2^32 and
 * at 0), and a store's bytes count the heads: a handful of owners far
 * apart cost their range, nearby ones little. */
static void
test_scan_owner_extremes(void **state)
{
	(void)state;
	const uint32_t index[] = {UINT32_MAX, UINT32_MAX - 100, UINT32_MAX - 1, 0};
	enum { OWNERS = sizeof index / sizeof index[0], PER = 5 };
	ec_memstore *hi = new_store(), *lo = new_store();
	owner o[OWNERS];
	ec_id all[OWNERS][PER];
	for (uint32_t k = 0; k < OWNERS; k++) {
		bind(&o[k], k < OWNERS - 1 ? hi : lo, index[k]);
		for (size_t i = 0; i < PER; i++) {
			/* never the all-zero id: as a resume point it means "from
			 * the start", so a page cannot end on it */
			all[k][i] = id4(i * 0x3000000000000000ull + k, i, k, 1);
			ec_id b = block_of(index[k], &all[k][i]);
			put(&o[k], &all[k][i], &b);
		}
	}
	for (uint32_t k = 0; k < OWNERS; k++) {
		check_paged(&o[k], all[k], PER, 0, UINT64_MAX, 3);
		check_paged(&o[k], all[k], PER, 1ull << 62, 1ull << 61, 2);
	}
	/* neither store grew a head array anywhere near 2^32 owners */
	assert_true(ec_memstore_bytes(hi) < ((size_t)1 << 20));
	assert_true(ec_memstore_bytes(lo) < ((size_t)1 << 20));
	ec_memstore_free(hi);
	ec_memstore_free(lo);
}

/* xtoken_near against a brute-force reference over random mappings of
 * two owners (each sees only its own), at ids on, between and beyond them. */
static void
test_near(void **state)
{
	(void)state;
	ec_memstore *s = new_store();
	owner a, b;
	bind(&a, s, 3);
	bind(&b, s, 4);
	assert_non_null(ecp_store(&a.st)->xtoken_near);
	ec_id tok[64];
	uint64_t x = 0x9E3779B97F4A7C15ull;
	for (int i = 0; i < 64; i++) {
		/* few distinct positions: equal positions, other words decide */
		tok[i] = id4(next_rand(&x) % 8 * (UINT64_MAX / 8), next_rand(&x), 0, next_rand(&x));
		ec_id blk = block_of(3, &tok[i]);
		put(&a, &tok[i], &blk);
		ec_id other = id4(tok[i].w[0], tok[i].w[1], 1, 0);
		blk = block_of(4, &other);
		put(&b, &other, &blk);
	}
	const ecp_store_ops *st = ecp_store(&a.st);
	for (int q = 0; q < 400; q++) {
		ec_id at = q < 64 ? tok[q] : id4(next_rand(&x), next_rand(&x), next_rand(&x), 0);
		if (q == 64)
			at = id4(0, 0, 0, 0);
		if (q == 65)
			at = id4(UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX);
		for (int up = 0; up < 2; up++) {
			const ec_id *best = NULL;
			for (int i = 0; i < 64; i++) {
				int c = ec_id_cmp(&tok[i], &at);
				if ((up ? c < 0 : c > 0))
					continue;
				if (!best || (up ? ec_id_cmp(&tok[i], best) < 0 : ec_id_cmp(&tok[i], best) > 0))
					best = &tok[i];
			}
			ec_id t, blk;
			bool got = st->xtoken_near(a.st.impl, &at, up, &t, &blk);
			assert_int_equal(got, best != NULL);
			if (got) {
				ec_id want = block_of(3, best);
				assert_true(ec_id_eq(&t, best));
				assert_true(ec_id_eq(&blk, &want));
			}
		}
	}
	ec_memstore_free(s);
}

/* A view with drop_tokens UINT32_MAX keeps no token mapping; another
 * owner's does; one with half of that keeps about half, the same tokens
 * whenever they are written. */
static void
test_drop_tokens(void **state)
{
	(void)state;
	ec_memstore *s = new_store();
	owner a, b, c;
	bind(&a, s, 1);
	bind(&b, s, 2);
	bind(&c, s, 3);
	a.view.drop_tokens = UINT32_MAX;
	c.view.drop_tokens = UINT32_MAX / 2;
	ec_id t = id4(5, 6, 7, 8), blk = id4(9, 9, 9, 9), got;
	uint64_t when;
	put(&a, &t, &blk);
	put(&b, &t, &blk);
	assert_false(ecp_store(&a.st)->xtoken_get(a.st.impl, &t, &got, &when));
	assert_false(ecp_store(&a.st)->xtoken_near(a.st.impl, &t, true, &got, &got));
	assert_true(ecp_store(&b.st)->xtoken_get(b.st.impl, &t, &got, &when));
	uint32_t kept = 0;
	for (uint64_t k = 1; k <= 1000; k++) {
		ec_id tk = id4(k, k * 7, k * 13, k * 31);
		put(&c, &tk, &blk);
		put(&c, &tk, &blk); /* written again: the same verdict */
		kept += ecp_store(&c.st)->xtoken_get(c.st.impl, &tk, &got, &when);
	}
	assert_in_range(kept, 400, 600);
	ec_memstore_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_empty),
		cmocka_unit_test(test_scan_wraps),
		cmocka_unit_test(test_scan_equal_positions),
		cmocka_unit_test(test_scan_paging),
		cmocka_unit_test(test_scan_owners_and_overwrite),
		cmocka_unit_test(test_scan_growth),
		cmocka_unit_test(test_scan_owner_extremes),
		cmocka_unit_test(test_near),
		cmocka_unit_test(test_drop_tokens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
