/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the RFC 6479 replay window (net/replay.h): counters in
 * order, reordering inside the window, duplicates, counters too old, far
 * jumps that clear the whole ring, the exact window edge, word boundaries,
 * the floor a forgotten window is restored to, and a comparison with a
 * plain set over a long pseudo-random stream.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ec/rng.h"
#include "net/replay.h"

static void
accept_ok(ecn_replay *w, uint64_t c)
{
	assert_int_equal(ecn_replay_check(w, c), ECN_REPLAY_OK);
	ecn_replay_accept(w, c);
	assert_int_equal(ecn_replay_check(w, c), ECN_REPLAY_SEEN);
}

static void
test_in_order(void **state)
{
	(void)state;
	ecn_replay w;
	ecn_replay_init(&w);
	assert_int_equal(ecn_replay_check(&w, 0), ECN_REPLAY_OK);
	for (uint64_t c = 0; c < 10000; c++)
		accept_ok(&w, c);
	for (uint64_t c = 10000 - ECN_REPLAY_WINDOW; c < 10000; c++)
		assert_int_equal(ecn_replay_check(&w, c), ECN_REPLAY_SEEN);
	assert_int_equal(ecn_replay_check(&w, 10000 - ECN_REPLAY_WINDOW - 1), ECN_REPLAY_OLD);
	assert_int_equal(ecn_replay_check(&w, 0), ECN_REPLAY_OLD);

	/* moving into a recycled word forgets what it held 2048 counters ago:
	 * counters skipped on the way are new, not seen */
	ecn_replay_init(&w);
	for (uint64_t c = 0; c < ECN_REPLAY_BITS; c++)
		accept_ok(&w, c);
	accept_ok(&w, ECN_REPLAY_BITS + 2);
	assert_int_equal(ecn_replay_check(&w, ECN_REPLAY_BITS), ECN_REPLAY_OK);
	assert_int_equal(ecn_replay_check(&w, ECN_REPLAY_BITS + 1), ECN_REPLAY_OK);
	accept_ok(&w, ECN_REPLAY_BITS + 64 * 5 + 3); /* several words at once */
	for (uint64_t c = ECN_REPLAY_BITS + 64; c < ECN_REPLAY_BITS + 64 * 5 + 3; c += 5)
		assert_int_equal(ecn_replay_check(&w, c), ECN_REPLAY_OK);
}

static void
test_reorder(void **state)
{
	(void)state;
	ecn_replay w;
	ecn_replay_init(&w);
	accept_ok(&w, 100);
	accept_ok(&w, 105);
	accept_ok(&w, 101); /* late, inside the window */
	accept_ok(&w, 104);
	assert_int_equal(ecn_replay_check(&w, 102), ECN_REPLAY_OK);
	assert_int_equal(ecn_replay_check(&w, 103), ECN_REPLAY_OK);
	/* a counter below the first one is still inside the window */
	accept_ok(&w, 50);
	accept_ok(&w, 2000);
	/* 2000 - 1984 = 16: 16 is too old, 17 is the oldest still known */
	assert_int_equal(ecn_replay_check(&w, 16), ECN_REPLAY_OLD);
	assert_int_equal(ecn_replay_check(&w, 17), ECN_REPLAY_OK);
	assert_int_equal(ecn_replay_check(&w, 100), ECN_REPLAY_SEEN);
	accept_ok(&w, 17);
	/* accepting a too-old counter changes nothing */
	ecn_replay before = w;
	ecn_replay_accept(&w, 3);
	assert_memory_equal(&before, &w, sizeof w);
}

static void
test_far_jump(void **state)
{
	(void)state;
	ecn_replay w;
	ecn_replay_init(&w);
	for (uint64_t c = 0; c < 64 * 40; c += 3)
		accept_ok(&w, c);
	/* jumping past the whole ring forgets everything below */
	uint64_t far = (uint64_t)1 << 40;
	accept_ok(&w, far);
	for (uint64_t c = far - ECN_REPLAY_WINDOW + 1; c < far; c += 7)
		assert_int_equal(ecn_replay_check(&w, c), ECN_REPLAY_OK);
	assert_int_equal(ecn_replay_check(&w, 3), ECN_REPLAY_OLD);
	/* a jump of less than the ring clears only the passed words */
	accept_ok(&w, far + 200);
	assert_int_equal(ecn_replay_check(&w, far), ECN_REPLAY_SEEN);
	assert_int_equal(ecn_replay_check(&w, far + 199), ECN_REPLAY_OK);
	/* the very top of the counter space */
	accept_ok(&w, UINT64_MAX);
	assert_int_equal(ecn_replay_check(&w, UINT64_MAX - 1), ECN_REPLAY_OK);
	assert_int_equal(ecn_replay_check(&w, far), ECN_REPLAY_OLD);
}

static void
test_floor(void **state)
{
	(void)state;
	ecn_replay w;
	ecn_replay_floor(&w, 5000);
	assert_int_equal(ecn_replay_check(&w, 5000), ECN_REPLAY_SEEN);
	assert_int_equal(ecn_replay_check(&w, 4999), ECN_REPLAY_SEEN);
	assert_int_equal(ecn_replay_check(&w, 5001 - ECN_REPLAY_WINDOW), ECN_REPLAY_SEEN);
	assert_int_equal(ecn_replay_check(&w, 5000 - ECN_REPLAY_WINDOW), ECN_REPLAY_OLD);
	/* counters above the floor are new, those in the floor's own word too */
	accept_ok(&w, 5001);
	accept_ok(&w, 5055);
	accept_ok(&w, 5070);
	assert_int_equal(ecn_replay_check(&w, 5010), ECN_REPLAY_OK);
	assert_int_equal(ecn_replay_check(&w, 4990), ECN_REPLAY_SEEN);
	ecn_replay_floor(&w, 127); /* top at the last bit of a word */
	assert_int_equal(ecn_replay_check(&w, 127), ECN_REPLAY_SEEN);
	accept_ok(&w, 128);
}

/* Against a plain bitmap over a bounded range: any counter at most
 * ECN_REPLAY_WINDOW - 1 below the top is judged exactly. */
static void
test_model(void **state)
{
	(void)state;
	enum { N = 1 << 22 };
	static uint8_t seen[N];
	memset(seen, 0, sizeof seen);
	uint8_t key[EC_RNG_SEED_BYTES];
	ec_rng_seed_from_u64(7, key);
	ec_rng rng;
	ec_rng_init(&rng, key);
	ecn_replay w;
	ecn_replay_init(&w);
	uint64_t top = 0;
	bool any = false;
	for (int i = 0; i < 400000; i++) {
		uint64_t c;
		uint32_t mode = ec_rng_range_u32(&rng, 0, 99);
		if (!any || mode < 60)
			c = top + ec_rng_range_u32(&rng, 1, 3); /* forward, skipping a few */
		else if (mode < 99)
			c = top > 2100 ? top - ec_rng_range_u32(&rng, 0, 2100)
			               : ec_rng_range_u32(&rng, 0, (uint32_t)top);
		else
			c = top + ec_rng_range_u32(&rng, 0, 3000); /* a jump */
		if (c >= N)
			break;
		ecn_replay_result r = ecn_replay_check(&w, c);
		ecn_replay_result want;
		if (any && c + ECN_REPLAY_WINDOW <= top)
			want = ECN_REPLAY_OLD;
		else
			want = seen[c] ? ECN_REPLAY_SEEN : ECN_REPLAY_OK;
		assert_int_equal(r, want);
		if (r == ECN_REPLAY_OK) {
			ecn_replay_accept(&w, c);
			seen[c] = 1;
			if (!any || c > top)
				top = c;
			any = true;
		}
	}
	assert_true(top > N / 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_reorder),
		cmocka_unit_test(test_far_jump),
		cmocka_unit_test(test_floor),
		cmocka_unit_test(test_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
