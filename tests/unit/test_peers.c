/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for ec_peers (ec/peers.h): the sorted, duplicate-free peer list
 * and the ring routing helpers of seed-protocol.md §2.3.  peers_for, peer_for and
 * peer_range are checked against a slow reference written straight from the
 * spec's formulas, over many random lists, keys and times.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "ec/ctx.h"
#include "ec/peers.h"
#include "ec/rng.h"

static ec_ctx
test_ctx(void)
{
	ec_ctx ctx = {0};
	ctx.realloc_fn = ec_libc_realloc;
	return ctx;
}

/* ---- slow reference (seed-protocol.md §2.3) ---- */

/* Linear search: Found(i) or NotFound(insertion point). */
static bool
ref_search(const uint64_t *a, uint32_t len, uint64_t key, uint32_t *idx)
{
	uint32_t i = 0;
	while (i < len && a[i] < key)
		i++;
	*idx = i;
	return i < len && a[i] == key;
}

/* j reduced into [0, len) (lists here are long enough for one wrap). */
static uint32_t
ref_wrap(int64_t j, uint32_t len)
{
	int64_t l = len;
	if (j < 0)
		j += l;
	if (j >= l)
		j -= l;
	assert_true(j >= 0 && j < l);
	return (uint32_t)j;
}

static void
ref_peers_for(const uint64_t *a, uint32_t len, uint64_t self, uint64_t key, uint64_t t,
              uint64_t out[2])
{
	uint32_t i;
	bool found = ref_search(a, len, key, &i);
	int64_t idx = found ? (i + 1) % len : i % len;
	int64_t adj = (int64_t)(((key ^ self) + t) & 3) + 1;
	out[0] = a[ref_wrap(idx - adj, len)];
	out[1] = a[ref_wrap(idx + adj, len)];
}

static uint64_t
ref_peer_for(const uint64_t *a, uint32_t len, uint64_t self, uint64_t key, uint64_t t)
{
	uint32_t i;
	bool found = ref_search(a, len, key, &i);
	int64_t idx = found ? (i + 1) % len : i % len;
	int64_t adj = (int64_t)(((key ^ self) + t) & 7) - 3;
	return a[ref_wrap(idx + adj, len)];
}

static ec_range
ref_peer_range(const uint64_t *a, uint32_t len, uint64_t key)
{
	if (len <= 10)
		return (ec_range){0, UINT64_MAX};
	uint32_t i;
	(void)ref_search(a, len, key, &i);
	int64_t idx = i % len;
	return (ec_range){a[ref_wrap(idx - 4, len)], a[ref_wrap(idx + 4, len)]};
}

/* ---- helpers ---- */

static void
assert_sorted_distinct(const ec_peers *p)
{
	for (uint32_t i = 1; i < p->len; i++)
		assert_true(p->ids[i - 1] < p->ids[i]);
}

/* Fills p with n random distinct ids (never self) through ec_peers_add. */
static void
fill_random(ec_peers *p, const ec_ctx *ctx, ec_rng *rng, uint64_t self, uint32_t n)
{
	while (p->len < n) {
		uint64_t id = ec_rng_u64(rng);
		bool added;
		assert_int_equal(ec_peers_add(p, ctx, self, id, &added), EC_OK);
		(void)added;
	}
	assert_sorted_distinct(p);
}

/* ---- tests ---- */

static void
test_add_sorted_dedup_self(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_peers p;
	ec_peers_init(&p);
	const uint64_t self = 500;
	static const uint64_t in[] = {300, 100, 900, 500, 100, 0, UINT64_MAX, 700, 300, 500};
	static const bool want_added[] = {true, true, true, false, false,
	                                  true, true,  true, false, false};
	for (size_t k = 0; k < sizeof in / sizeof in[0]; k++) {
		bool added = !want_added[k];
		assert_int_equal(ec_peers_add(&p, &ctx, self, in[k], &added), EC_OK);
		assert_int_equal(added, want_added[k]);
		assert_sorted_distinct(&p);
	}
	/* a NULL *added is accepted */
	assert_int_equal(ec_peers_add(&p, &ctx, self, 800, NULL), EC_OK);
	static const uint64_t want[] = {0, 100, 300, 700, 800, 900, UINT64_MAX};
	assert_int_equal(p.len, 7);
	for (uint32_t i = 0; i < p.len; i++)
		assert_int_equal(p.ids[i], want[i]);
	assert_false(ec_peers_trusted(&p, self));
	assert_true(ec_peers_trusted(&p, 0));
	assert_true(ec_peers_trusted(&p, UINT64_MAX));
	assert_false(ec_peers_trusted(&p, 301));
	ec_peers_fini(&p, &ctx);
	assert_int_equal(p.len, 0);
	assert_null(p.ids);
}

static void
test_add_random_growth(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_rng rng;
	uint8_t seed[EC_RNG_SEED_BYTES];
	ec_rng_seed_from_u64(7, seed);
	ec_rng_init(&rng, seed);
	ec_peers p;
	ec_peers_init(&p);
	/* small id space so duplicates are common */
	uint32_t distinct = 0;
	static bool have[600];
	for (int k = 0; k < 3000; k++) {
		uint64_t id = ec_rng_index(&rng, 600);
		bool added;
		assert_int_equal(ec_peers_add(&p, &ctx, 17, id, &added), EC_OK);
		assert_int_equal(added, id != 17 && !have[id]);
		if (added) {
			have[id] = true;
			distinct++;
		}
		assert_int_equal(p.len, distinct);
	}
	assert_sorted_distinct(&p);
	for (uint64_t id = 0; id < 600; id++)
		assert_int_equal(ec_peers_trusted(&p, id), have[id]);
	for (uint64_t key = 0; key <= 601; key++) {
		uint32_t want_idx, got_idx = 12345;
		bool want = ref_search(p.ids, p.len, key, &want_idx);
		assert_int_equal(ec_peers_search(&p, key, &got_idx), want);
		assert_int_equal(got_idx, want_idx);
	}
	ec_peers_fini(&p, &ctx);
}

static void
test_assign(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_peers p;
	ec_peers_init(&p);
	static const uint64_t good[] = {1, 5, 9};
	static const uint64_t unsorted[] = {1, 9, 5};
	static const uint64_t dup[] = {1, 5, 5};
	assert_int_equal(ec_peers_assign(&p, &ctx, good, 3), EC_OK);
	assert_int_equal(p.len, 3);
	assert_int_equal(p.ids[2], 9);
	assert_int_equal(ec_peers_assign(&p, &ctx, unsorted, 3), EC_EINVAL);
	assert_int_equal(ec_peers_assign(&p, &ctx, dup, 3), EC_EINVAL);
	/* after assign, add still inserts in order */
	assert_int_equal(ec_peers_add(&p, &ctx, 0, 7, NULL), EC_OK);
	assert_int_equal(p.len, 4);
	assert_int_equal(p.ids[2], 7);
	assert_int_equal(ec_peers_assign(&p, &ctx, good, 0), EC_OK);
	assert_int_equal(p.len, 0);
	ec_peers_fini(&p, &ctx);
}

static void
test_search(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_peers p;
	ec_peers_init(&p);
	uint32_t idx = 99;
	assert_false(ec_peers_search(&p, 5, &idx));
	assert_int_equal(idx, 0);

	static const uint64_t ids[] = {10, 20, 30};
	assert_int_equal(ec_peers_assign(&p, &ctx, ids, 3), EC_OK);
	static const struct { uint64_t key; bool found; uint32_t idx; } cases[] = {
		{0, false, 0},  {5, false, 0},  {10, true, 0},  {11, false, 1}, {20, true, 1},
		{25, false, 2}, {30, true, 2},  {31, false, 3}, {UINT64_MAX, false, 3},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		idx = 99;
		assert_int_equal(ec_peers_search(&p, cases[k].key, &idx), cases[k].found);
		assert_int_equal(idx, cases[k].idx);
	}

	/* every length 1..300, every element, every gap: against linear search */
	uint64_t buf[300];
	for (uint32_t len = 1; len <= 300; len++) {
		for (uint32_t i = 0; i < len; i++)
			buf[i] = 10 + 10 * (uint64_t)i;
		assert_int_equal(ec_peers_assign(&p, &ctx, buf, len), EC_OK);
		for (uint64_t key = 0; key <= 10 * (uint64_t)len + 15; key += 5) {
			uint32_t want_idx, got_idx = 12345;
			bool want = ref_search(buf, len, key, &want_idx);
			assert_int_equal(ec_peers_search(&p, key, &got_idx), want);
			assert_int_equal(got_idx, want_idx);
		}
	}
	ec_peers_fini(&p, &ctx);
}

/* Inserting into an assigned list keeps search exact after every insert,
 * at the front, the back and inside. */
static void
test_search_after_inserts(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_peers p;
	ec_peers_init(&p);
	uint64_t even[150];
	for (uint32_t i = 0; i < 150; i++)
		even[i] = 10 + 2 * (uint64_t)i; /* 10, 12, ..., 308 */
	assert_int_equal(ec_peers_assign(&p, &ctx, even, 150), EC_OK);
	ec_rng rng;
	uint8_t seed[EC_RNG_SEED_BYTES];
	ec_rng_seed_from_u64(3, seed);
	ec_rng_init(&rng, seed);
	uint64_t odd[160];
	for (uint32_t i = 0; i < 150; i++)
		odd[i] = 11 + 2 * (uint64_t)i;
	for (uint32_t i = 150; i < 160; i++)
		odd[i] = i - 150; /* 0..9: below the first */
	ec_rng_shuffle(&rng, odd, 160, sizeof odd[0]);
	for (uint32_t k = 0; k < 160; k++) {
		bool added;
		assert_int_equal(ec_peers_add(&p, &ctx, UINT64_MAX, odd[k], &added), EC_OK);
		assert_true(added);
		assert_int_equal(p.len, 151 + k);
		assert_sorted_distinct(&p);
		for (uint64_t key = 0; key <= 312; key++) {
			uint32_t want_idx, got_idx = 12345;
			bool want = ref_search(p.ids, p.len, key, &want_idx);
			assert_int_equal(ec_peers_search(&p, key, &got_idx), want);
			assert_int_equal(got_idx, want_idx);
		}
	}
	ec_peers_fini(&p, &ctx);
}

static void
test_empty_list_routing(void **state)
{
	(void)state;
	ec_peers p;
	ec_peers_init(&p);
	uint64_t out[2] = {1, 1};
	ec_peers_for(&p, 3, 4, 5, out);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 0);
	assert_int_equal(ec_peer_for(&p, 3, 4, 5), 0);
	ec_range r = ec_peer_range(&p, 4);
	assert_int_equal(r.low, 0);
	assert_int_equal(r.high, UINT64_MAX);
}

/* A hand-computed case: ids 100..1000 step 100, self 0x10 (so key ^ self is
 * easy to follow). */
static void
test_routing_by_hand(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_peers p;
	ec_peers_init(&p);
	uint64_t ids[12];
	for (int i = 0; i < 12; i++)
		ids[i] = 100 * (uint64_t)(i + 1); /* 100 .. 1200 */
	assert_int_equal(ec_peers_assign(&p, &ctx, ids, 12), EC_OK);
	uint64_t out[2];

	/* key 550 (not a peer): insertion point 5 (600).  self 0: (550 + 0) & 3 = 2,
	 * adj 3 -> [ids[2], ids[8]] = [300, 900] */
	ec_peers_for(&p, 0, 550, 0, out);
	assert_int_equal(out[0], 300);
	assert_int_equal(out[1], 900);
	/* t = 2: (550 + 2) & 3 = 0, adj 1 -> [500, 700] */
	ec_peers_for(&p, 0, 550, 2, out);
	assert_int_equal(out[0], 500);
	assert_int_equal(out[1], 700);

	/* key 600 (a peer, index 5): idx 6; (600 + 0) & 3 = 0, adj 1 -> [600, 800] */
	ec_peers_for(&p, 0, 600, 0, out);
	assert_int_equal(out[0], 600);
	assert_int_equal(out[1], 800);

	/* key 1200 (last peer): idx (11 + 1) % 12 = 0; (1200+1)&3 = 1, adj 2
	 * -> [ids[10], ids[2]] = [1100, 300] */
	ec_peers_for(&p, 0, 1200, 1, out);
	assert_int_equal(out[0], 1100);
	assert_int_equal(out[1], 300);

	/* key 5 (below the first): idx 0; (5 ^ 0x10) = 21, +0 & 3 = 1, adj 2
	 * -> [ids[10], ids[2]] */
	ec_peers_for(&p, 0x10, 5, 0, out);
	assert_int_equal(out[0], 1100);
	assert_int_equal(out[1], 300);

	/* peer_for key 550, self 0, t 0: (550 & 7) = 6, adj 3 -> ids[8] = 900;
	 * t 5: (555 & 7) = 3, adj 0 -> ids[5] = 600 (the first peer above) */
	assert_int_equal(ec_peer_for(&p, 0, 550, 0), 900);
	assert_int_equal(ec_peer_for(&p, 0, 550, 5), 600);
	/* t 8 - 6 = 2 -> (550 + 2) & 7 = 0, adj -3 -> ids[2] = 300 */
	assert_int_equal(ec_peer_for(&p, 0, 550, 2), 300);

	/* peer_range 550: insertion 5 -> [ids[1], ids[9]] = [200, 1000] */
	ec_range r = ec_peer_range(&p, 550);
	assert_int_equal(r.low, 200);
	assert_int_equal(r.high, 1000);
	/* peer_range of a peer (600, index 5): no +1 shift -> [200, 1000] */
	r = ec_peer_range(&p, 600);
	assert_int_equal(r.low, 200);
	assert_int_equal(r.high, 1000);
	/* above the last: idx 12 % 12 = 0 -> [ids[8], ids[4]] = [900, 500], wrapping */
	r = ec_peer_range(&p, 5000);
	assert_int_equal(r.low, 900);
	assert_int_equal(r.high, 500);
	/* below the first: same window */
	r = ec_peer_range(&p, 1);
	assert_int_equal(r.low, 900);
	assert_int_equal(r.high, 500);
	ec_peers_fini(&p, &ctx);
}

static void
test_range_contains(void **state)
{
	(void)state;
	ec_range plain = {10, 100};
	assert_true(ec_range_contains(plain, 10));
	assert_true(ec_range_contains(plain, 50));
	assert_true(ec_range_contains(plain, 100));
	assert_false(ec_range_contains(plain, 9));
	assert_false(ec_range_contains(plain, 101));
	assert_false(ec_range_contains(plain, 0));
	assert_false(ec_range_contains(plain, UINT64_MAX));

	ec_range wrap = {100, 10}; /* low > high: wraps around the ring */
	assert_true(ec_range_contains(wrap, 0));
	assert_true(ec_range_contains(wrap, 10));
	assert_true(ec_range_contains(wrap, 100));
	assert_true(ec_range_contains(wrap, UINT64_MAX));
	assert_false(ec_range_contains(wrap, 11));
	assert_false(ec_range_contains(wrap, 50));
	assert_false(ec_range_contains(wrap, 99));

	ec_range same = {7, 7}; /* low == high is the wrapping branch: the whole ring */
	assert_true(ec_range_contains(same, 0));
	assert_true(ec_range_contains(same, 7));
	assert_true(ec_range_contains(same, 8));
	assert_true(ec_range_contains(same, UINT64_MAX));

	ec_range full = {0, UINT64_MAX};
	assert_true(ec_range_contains(full, 0));
	assert_true(ec_range_contains(full, UINT64_MAX));
	assert_true(ec_range_contains(full, 1ull << 63));
}

static void
test_range_small_list_is_full_ring(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_peers p;
	ec_peers_init(&p);
	for (uint64_t n = 1; n <= 11; n++) {
		assert_int_equal(ec_peers_add(&p, &ctx, 0, n * 1000, NULL), EC_OK);
		for (uint64_t key = 0; key < 13000; key += 250) {
			ec_range r = ec_peer_range(&p, key);
			if (n <= 10) {
				assert_int_equal(r.low, 0);
				assert_int_equal(r.high, UINT64_MAX);
			} else {
				ec_range w = ref_peer_range(p.ids, p.len, key);
				assert_int_equal(r.low, w.low);
				assert_int_equal(r.high, w.high);
				assert_false(r.low == 0 && r.high == UINT64_MAX);
			}
		}
	}
	ec_peers_fini(&p, &ctx);
}

/* Draws a key: random, an exact peer id, just off a peer id, below the first
 * id, above the last id, or an extreme value. */
static uint64_t
draw_key(ec_rng *rng, const ec_peers *p)
{
	uint32_t kind = ec_rng_index(rng, 7);
	uint64_t any = p->ids[ec_rng_index(rng, p->len)];
	switch (kind) {
	case 0: return ec_rng_u64(rng);
	case 1: return any;
	case 2: return any + 1;
	case 3: return any - 1;
	case 4: return p->ids[0] ? ec_rng_range_u64(rng, 0, p->ids[0] - 1) : 0;
	case 5:
		return p->ids[p->len - 1] != UINT64_MAX
		           ? ec_rng_range_u64(rng, p->ids[p->len - 1] + 1, UINT64_MAX)
		           : UINT64_MAX;
	default: return ec_rng_index(rng, 2) ? 0 : UINT64_MAX;
	}
}

/* Property loop: ec_peers_for / ec_peer_for / ec_peer_range equal the
 * reference for random lists of 4..200 peers, keys and times. */
static void
test_routing_against_reference(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_rng rng;
	uint8_t seed[EC_RNG_SEED_BYTES];
	ec_rng_seed_from_u64(2024, seed);
	ec_rng_init(&rng, seed);
	for (int list = 0; list < 60; list++) {
		ec_peers p;
		ec_peers_init(&p);
		uint64_t self = ec_rng_u64(&rng);
		uint32_t n = 4 + ec_rng_index(&rng, 197);
		if (list % 3 == 0) {
			/* ids that sit at the ends of the ring */
			assert_int_equal(ec_peers_add(&p, &ctx, self, 0, NULL), EC_OK);
			assert_int_equal(ec_peers_add(&p, &ctx, self, UINT64_MAX, NULL), EC_OK);
		}
		fill_random(&p, &ctx, &rng, self, n);
		for (int k = 0; k < 400; k++) {
			uint64_t key = draw_key(&rng, &p);
			uint64_t t = k % 4 == 0 ? ec_rng_u64(&rng) : ec_rng_index(&rng, 3000);
			uint64_t got[2], want[2];
			ec_peers_for(&p, self, key, t, got);
			ref_peers_for(p.ids, p.len, self, key, t, want);
			assert_int_equal(got[0], want[0]);
			assert_int_equal(got[1], want[1]);
			assert_int_equal(ec_peer_for(&p, self, key, t),
			                 ref_peer_for(p.ids, p.len, self, key, t));
			ec_range r = ec_peer_range(&p, key), w = ref_peer_range(p.ids, p.len, key);
			assert_int_equal(r.low, w.low);
			assert_int_equal(r.high, w.high);
		}
		ec_peers_fini(&p, &ctx);
	}
}

/* For a key that is not a peer, the range holds exactly 9 peers: the 4
 * below it and the 5 at or above it in ring order.  The first peer above the
 * key is never a peers_for target, whatever t, while over 4 consecutive t
 * the targets cover 8 distinct peers (the others of the window). */
static void
test_range_window_and_skipped_peer(void **state)
{
	(void)state;
	ec_ctx ctx = test_ctx();
	ec_rng rng;
	uint8_t seed[EC_RNG_SEED_BYTES];
	ec_rng_seed_from_u64(99, seed);
	ec_rng_init(&rng, seed);
	for (int list = 0; list < 40; list++) {
		ec_peers p;
		ec_peers_init(&p);
		uint64_t self = ec_rng_u64(&rng);
		uint32_t n = 11 + ec_rng_index(&rng, 100);
		fill_random(&p, &ctx, &rng, self, n);
		for (int k = 0; k < 200; k++) {
			uint64_t key = draw_key(&rng, &p);
			if (ec_peers_trusted(&p, key))
				continue;
			uint32_t ins;
			assert_false(ec_peers_search(&p, key, &ins));
			uint32_t first_above = ins % p.len;
			ec_range r = ec_peer_range(&p, key);
			uint32_t inside = 0;
			for (uint32_t i = 0; i < p.len; i++) {
				if (!ec_range_contains(r, p.ids[i]))
					continue;
				inside++;
				/* ring offset from the first peer at or above the key */
				uint32_t off = (i + p.len - first_above) % p.len;
				assert_true(off <= 4 || off >= p.len - 4);
			}
			assert_int_equal(inside, 9);

			uint64_t seen[8];
			uint32_t nseen = 0;
			uint64_t t0 = ec_rng_u64(&rng);
			for (uint64_t t = t0; t != t0 + 8; t++) {
				uint64_t out[2];
				ec_peers_for(&p, self, key, t, out);
				for (int s = 0; s < 2; s++) {
					assert_int_not_equal(out[s], p.ids[first_above]);
					assert_true(ec_range_contains(r, out[s]));
					bool dup = false;
					for (uint32_t q = 0; q < nseen; q++)
						dup |= seen[q] == out[s];
					if (!dup) {
						assert_true(nseen < 8);
						seen[nseen++] = out[s];
					}
				}
			}
			assert_int_equal(nseen, 8);
		}
		ec_peers_fini(&p, &ctx);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_sorted_dedup_self),
		cmocka_unit_test(test_add_random_growth),
		cmocka_unit_test(test_assign),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_search_after_inserts),
		cmocka_unit_test(test_empty_list_routing),
		cmocka_unit_test(test_routing_by_hand),
		cmocka_unit_test(test_range_contains),
		cmocka_unit_test(test_range_small_list_is_full_ring),
		cmocka_unit_test(test_routing_against_reference),
		cmocka_unit_test(test_range_window_and_skipped_peer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
