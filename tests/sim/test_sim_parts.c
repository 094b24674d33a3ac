/* SPDX-License-Identifier: MIT */
/*
 * The simulator's parts that the end-to-end tests only reach as a whole:
 * the tag-ordered merge (any number of workers, one order), the queue's
 * shuffle and split (the reference's draws), the timer wheel (each sleeping
 * node wakes once, at its round, across laps and re-timings) and the run's
 * lifetime record (everything recorded is released, teardown in reverse).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/sim_int.h"

/* A message that says where it came from: sender = its tag, ticket = its
 * place among the messages of that tag. */
static ec_msg
msg_of(size_t tag, uint64_t seq)
{
	return (ec_msg){.sender = tag, .ticket = seq, .type = EC_MSG_VOTE};
}

static void
push_tagged(ecsim_life *l, tagged_msgs *t, size_t tag, uint64_t seq)
{
	size_t cap = t->cap;
	assert_true(grow(l, t->len + 1, sizeof *t->v, (void **)&t->v, &cap));
	cap = t->cap;
	assert_true(grow(l, t->len + 1, sizeof *t->tag, (void **)&t->tag, &cap));
	t->cap = cap;
	t->v[t->len] = msg_of(tag, seq);
	t->tag[t->len++] = tag;
}

/* 200 tags, 0 to 3 messages each, spread over k lists as workers would:
 * each tag's messages in one list (one handle, one worker), a list's tags
 * in any order (a handle's tag is its delivery index, a tick's its node's). */
static void
merge_with(size_t k, ec_msg *out, size_t *nout)
{
	ecsim_life life = {0};
	tagged_msgs lists[4] = {{0}};
	tagged_msgs *ptrs[4] = {&lists[0], &lists[1], &lists[2], &lists[3]};
	ec_rng rng;
	uint8_t seed[EC_RNG_SEED_BYTES] = {7};
	ec_rng_init(&rng, seed);
	for (size_t i = 0; i < 200; i++) {
		size_t tag = (i * 7919) % 200; /* not in order */
		size_t list = (size_t)ec_rng_index(&rng, k);
		for (uint64_t seq = 0; seq < tag % 4; seq++)
			push_tagged(&life, &lists[list], tag, seq);
	}
	msgq to = {0};
	assert_int_equal(ecsim__merge_tagged(&life, ptrs, (uint32_t)k, &to), EC_OK);
	for (size_t i = 0; i < k; i++)
		assert_int_equal(lists[i].len, 0);
	memcpy(out, to.v, to.len * sizeof *out);
	*nout = to.len;
	ecsim_life_release(&life);
	ecsim_huge_realloc(NULL, to.v, to.cap * sizeof *to.v, 0);
}

static void
test_merge_any_split(void **state)
{
	(void)state;
	static ec_msg one[600], more[600];
	size_t n1, nk;
	merge_with(1, one, &n1);
	assert_int_equal(n1, 50 * (0 + 1 + 2 + 3));
	for (size_t i = 1; i < n1; i++) { /* by tag; a tag's messages as sent */
		assert_true(one[i - 1].sender <= one[i].sender);
		if (one[i - 1].sender == one[i].sender)
			assert_int_equal(one[i - 1].ticket + 1, one[i].ticket);
	}
	for (size_t k = 2; k <= 4; k++) {
		merge_with(k, more, &nk);
		assert_int_equal(nk, n1);
		assert_memory_equal(one, more, n1 * sizeof *one);
	}
}

static void
test_shuffle_split_matches_rng_shuffle(void **state)
{
	(void)state;
	enum { N = 1000 };
	static ec_msg from[N], copy[N], head[N], tail[N];
	static uint32_t perm[N];
	for (size_t i = 0; i < N; i++)
		from[i] = copy[i] = msg_of(i, 0);
	uint8_t seed[EC_RNG_SEED_BYTES] = {1, 2, 3};
	for (size_t keep = 0; keep <= N; keep += 250) {
		ec_rng a, b;
		ec_rng_init(&a, seed);
		ec_rng_init(&b, seed);
		memcpy(copy, from, sizeof copy);
		ec_rng_shuffle(&a, copy, N, sizeof *copy);
		ecsim__shuffle_split(&b, from, N, keep, perm, head, tail);
		assert_memory_equal(head, copy, keep * sizeof *head);
		assert_memory_equal(tail, copy + keep, (N - keep) * sizeof *tail);
		assert_int_equal(ec_rng_u64(&a), ec_rng_u64(&b)); /* the same draws */
	}
	ec_rng r;
	ec_rng_init(&r, seed);
	ecsim__shuffle_split(&r, from, 1, 0, perm, head, tail); /* one message: no draw */
	assert_int_equal(tail[0].sender, 0);
}

static void
test_wheel_fires_once_at_due(void **state)
{
	(void)state;
	enum { NODES = 128, ROUNDS = 400 };
	ecsim_life life = {0};
	ecsim_wheel w = {0};
	uint64_t due[NODES], want[NODES], active[NODES / 64];
	for (uint32_t i = 0; i < NODES; i++) {
		due[i] = ECSIM_NOT_DUE;
		/* due rounds in this lap, the next ones and 5 laps ahead */
		want[i] = 1 + (i * 37u) % (5 * ECSIM_WHEEL_SLOTS);
		assert_true(ecsim_wheel_set(&life, &w, due, i, want[i]));
	}
	/* re-timed nodes: the earlier filing is stale and must not fire */
	for (uint32_t i = 0; i < NODES; i += 3) {
		want[i] += ECSIM_WHEEL_SLOTS + 5;
		assert_true(ecsim_wheel_set(&life, &w, due, i, want[i]));
	}
	assert_true(ecsim_wheel_set(&life, &w, due, 1, ECSIM_NOT_DUE)); /* cancelled */
	want[1] = ECSIM_NOT_DUE;
	assert_int_equal(w.ntimed, NODES - 1);
	unsigned fired[NODES] = {0};
	for (uint64_t r = 0; r < ROUNDS; r++) {
		memset(active, 0, sizeof active);
		ecsim_wheel_fire(&w, due, r, active);
		for (uint32_t i = 0; i < NODES; i++)
			if (active[i / 64] >> (i % 64) & 1) {
				assert_int_equal(want[i], r);
				fired[i]++;
			}
	}
	for (uint32_t i = 0; i < NODES; i++)
		assert_int_equal(fired[i], want[i] == ECSIM_NOT_DUE ? 0 : 1);
	assert_int_equal(w.ntimed, 0);
	ecsim_life_release(&life);
}

static int order[8];
static int norder;

static void
note(void *arg)
{
	order[norder++] = *(int *)arg;
}

static void
test_life_releases_in_reverse(void **state)
{
	(void)state;
	ecsim_life life = {0};
	static int one = 1, two = 2, three = 3;
	uint64_t *a = NULL, *b = NULL;
	uint32_t *h = NULL;
	size_t acap = 0;
	norder = 0;
	assert_int_equal(ecsim_life_defer(&life, note, &one), EC_OK);
	assert_true(ecsim_life_grow(&life, 1000, sizeof *a, (void **)&a, &acap));
	assert_true(ecsim_life_grow(&life, 5000, sizeof *a, (void **)&a, &acap)); /* moved */
	assert_int_equal(ecsim_life_defer(&life, note, &two), EC_OK);
	assert_int_equal(ecsim_life_calloc(&life, 10, sizeof *b, (void **)&b), EC_OK);
	assert_int_equal(ecsim_life_huge(&life, 1u << 20, sizeof *h, (void **)&h), EC_OK);
	assert_int_equal(ecsim_life_defer(&life, note, &three), EC_OK);
	a[4999] = b[9] = h[(1u << 20) - 1] = 1;
	ecsim_life_release(&life); /* LeakSanitizer checks that all is freed */
	assert_null(a);
	assert_null(b);
	assert_null(h);
	assert_int_equal(norder, 3);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_merge_any_split),
	    cmocka_unit_test(test_shuffle_split_matches_rng_shuffle),
	    cmocka_unit_test(test_wheel_fires_once_at_due),
	    cmocka_unit_test(test_life_releases_in_reverse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
