/* SPDX-License-Identifier: MIT */
/*
 * Replay of the reference simulator (seed-protocol.md §6.2-§6.3) with the
 * published seed: set-up figures, the first block, queue lengths, block
 * creation rounds, cumulative counters through round 599 (the last round
 * every Rust run agrees on), the reference's internal debug counters for
 * rounds 0..499, and the two full-run results (insertion order, salt 28).
 * These are the project's regression anchor: they must stay green.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ec/seed.h"
#include "ecsim/sim.h"

typedef struct trace {
	size_t queue[40];
	uint64_t created_round[32];
	size_t ncreated;
	ec_block first;
	ec_peer_id first_target;
} trace;

static void
on_round(void *user, uint64_t round, size_t queue, size_t delivered, size_t lost)
{
	trace *t = user;
	(void)delivered;
	(void)lost;
	if (round < 40)
		t->queue[round] = queue;
}

static void
on_created(void *user, uint64_t round, const ec_txn *b, ec_peer_id target)
{
	trace *t = user;
	if (t->ncreated == 0) {
		memset(&t->first, 0, sizeof t->first);
		t->first.id = b->id;
		t->first.time = b->time;
		t->first.used = (uint8_t)b->used;
		for (uint32_t i = 0; i < b->used && i < EC_TOKENS_PER_BLOCK; i++) {
			t->first.parts[i] = b->parts[i];
			t->first.signatures[i] = b->signatures[i];
			t->first.sig_present |= (uint8_t)(1u << i);
		}
		t->first_target = target;
	}
	if (t->ncreated < 32)
		t->created_round[t->ncreated] = round;
	t->ncreated++;
}

static ec_sim *
published(trace *t, const ec_seed_config *scfg)
{
	ec_sim_config cfg;
	ec_sim_config_default(&cfg);
	cfg.protocol_config = scfg;
	if (t)
		cfg.hooks = (ec_sim_hooks){.user = t, .round_done = on_round, .block_created = on_created};
	ec_sim *sim = NULL;
	assert_int_equal(ec_sim_new(&cfg, &sim), EC_OK);
	return sim;
}

static void
run_rounds(ec_sim *sim, uint64_t upto)
{
	bool more = true;
	while (more && ec_sim_round(sim) < upto)
		assert_int_equal(ec_sim_step(sim, &more), EC_OK);
}

static void
test_setup(void **state)
{
	(void)state;
	ec_sim *sim = published(NULL, NULL);
	assert_int_equal(ec_sim_peer_id(sim, 0), 0x80ded0263576580dull);
	assert_int_equal(ec_sim_peer_id(sim, 1), 0x963dbc88394ebcdfull);
	assert_int_equal(ec_sim_peer_id(sim, 2), 0x28041fe106bcba48ull);
	assert_int_equal(ec_sim_token_count(sim), 1);
	assert_int_equal(ec_sim_initial_token(sim, 0), 0x3d679731e5c0ef91ull);
	size_t total = 0, min = SIZE_MAX, max = 0;
	for (uint32_t k = 0; k < 2000; k++) {
		size_t d = ec_sim_degree(sim, k);
		total += d;
		min = d < min ? d : min;
		max = d > max ? d : max;
	}
	assert_int_equal(total, 1599406);
	assert_int_equal(min, 728);
	assert_int_equal(max, 879);
	const size_t first5[5] = {749, 804, 785, 810, 774};
	for (uint32_t k = 0; k < 5; k++)
		assert_int_equal(ec_sim_degree(sim, k), first5[k]);
	ec_sim_free(sim);
}

static void
test_first_rounds(void **state)
{
	(void)state;
	trace t;
	memset(&t, 0, sizeof t);
	ec_sim *sim = published(&t, NULL);
	run_rounds(sim, 600);
	assert_int_equal(t.first.id, 0x63aa0886093594faull);
	assert_int_equal(t.first.time, 0);
	assert_int_equal(t.first.used, 1);
	assert_int_equal(t.first.parts[0].token, 0x3d679731e5c0ef91ull);
	assert_int_equal(t.first.parts[0].last, 0);
	assert_int_equal(t.first.parts[0].key, 0xdc0482d7d054edb8ull);
	assert_int_equal(t.first.sig_present, 1);
	assert_int_equal(t.first.signatures[0], 0);
	assert_int_equal(t.first_target, 0xec4ec0b469911a51ull);
	const size_t queue[40] = {0, 4, 6, 8, 8, 9, 12, 18, 32, 45, 66, 95, 122, 150,
	                          180, 198, 229, 275, 279, 302, 309, 305, 329, 310, 269, 216, 173,
	                          142, 106, 83, 68, 57, 50, 42, 43, 49, 57, 65, 93, 119};
	for (int r = 0; r < 40; r++)
		assert_int_equal(t.queue[r], queue[r]);
	const uint64_t created[18] = {29, 67, 97, 135, 169, 206, 236, 267, 297,
	                              331, 356, 389, 425, 452, 489, 521, 559, 586};
	assert_true(t.ncreated >= 19);
	assert_int_equal(t.created_round[0], 0);
	for (int b = 0; b < 18; b++)
		assert_int_equal(t.created_round[b + 1], created[b]);
	ec_sim_free(sim);
}

static void
test_cumulative_counters(void **state)
{
	(void)state;
	static const uint64_t want[6][7] = {
		/* after round, total, Query, Vote, Block, Answer, commits */
		{99, 15674, 287, 15102, 285, 0, 3},
		{199, 46022, 809, 44410, 803, 0, 5},
		{299, 57533, 1015, 55512, 1006, 0, 9},
		{399, 77024, 1394, 74259, 1368, 0, 12},
		{499, 91292, 1656, 88015, 1618, 0, 15},
		{599, 107752, 1994, 103811, 1944, 0, 18}};
	/* the prefix is the same under every tie-break order (seed-protocol.md §5 B1) */
	const ec_seed_config orders[2] = {{false, 0}, {true, 28}};
	for (int o = 0; o < 2; o++) {
		ec_sim *sim = published(NULL, &orders[o]);
		for (int i = 0; i < 6; i++) {
			run_rounds(sim, want[i][0] + 1);
			ec_sim_result r;
			assert_int_equal(ec_sim_result_get(sim, &r), EC_OK);
			assert_int_equal(r.messages, want[i][1]);
			assert_int_equal(r.by_type[EC_MSG_QUERY_BLOCK] + r.by_type[EC_MSG_QUERY_TOKEN], want[i][2]);
			assert_int_equal(r.by_type[EC_MSG_VOTE], want[i][3]);
			assert_int_equal(r.by_type[EC_MSG_BLOCK], want[i][4]);
			assert_int_equal(r.by_type[EC_MSG_ANSWER], want[i][5]);
			assert_int_equal(r.committed, want[i][6]);
		}
		ec_sim_free(sim);
	}
}

static void
test_debug_counters(void **state)
{
	(void)state;
	ec_sim *sim = published(NULL, NULL);
	run_rounds(sim, 500);
	ec_sim_result r;
	assert_int_equal(ec_sim_result_get(sim, &r), EC_OK);
	const uint64_t *e = r.events;
	assert_int_equal(e[EC_EV_VOTE_TRUSTED], 38372);
	assert_int_equal(e[EC_EV_VOTE_COMMITTED], 26869);
	assert_int_equal(e[EC_EV_VOTE_NEW_TRUSTED], 1671);
	assert_int_equal(e[EC_EV_VOTE_NEW_UNTRUSTED], 1517);
	assert_int_equal(e[EC_EV_VOTE_UNTRUSTED], 19586);
	assert_int_equal(e[EC_EV_QUERY_ANSWERED], 1652);
	assert_int_equal(e[EC_EV_QUERY_REFERRED], 3);
	assert_int_equal(e[EC_EV_QUERY_FORWARDED], 0);
	assert_int_equal(e[EC_EV_QUERY_DROPPED], 1);
	assert_int_equal(e[EC_EV_BLOCK_NEW], 1603);
	assert_int_equal(e[EC_EV_BLOCK_DUPLICATE], 15);
	assert_int_equal(e[EC_EV_COMMIT], 1605);
	assert_int_equal(r.negative_commits, 50);
	assert_int_equal(e[EC_EV_TOKEN_WRITE], 165);
	assert_int_equal(e[EC_EV_PARENT_COMMIT_REQ], 23);
	assert_int_equal(e[EC_EV_VOTE_REQ_TOKEN], 17749);
	assert_int_equal(e[EC_EV_VOTE_REQ_WITNESS], 17161);
	assert_int_equal(e[EC_EV_EVALUATED], 23199);
	assert_int_equal(e[EC_EV_EXPIRED], 1030);
	assert_int_equal(e[EC_EV_VOTE_CONFLICT], 0);
	assert_int_equal(e[EC_EV_VOTE_BLOCKED], 0);
	assert_int_equal(e[EC_EV_POOL_FULL], 0);
	/* the Vote rows add up to the delivered votes, likewise Query and Block */
	assert_int_equal(e[EC_EV_VOTE_TRUSTED] + e[EC_EV_VOTE_COMMITTED] + e[EC_EV_VOTE_NEW_TRUSTED] +
	                     e[EC_EV_VOTE_NEW_UNTRUSTED] + e[EC_EV_VOTE_UNTRUSTED],
	                 88015);
	ec_sim_free(sim);
}

static void
full_run(const ec_seed_config *scfg, ec_sim_result *r)
{
	ec_sim *sim = published(NULL, scfg);
	assert_int_equal(ec_sim_run(sim), EC_OK);
	assert_int_equal(ec_sim_result_get(sim, r), EC_OK);
	ec_sim_free(sim);
}

static void
test_insertion_order_result(void **state)
{
	(void)state;
	ec_sim_result r;
	full_run(NULL, &r);
	assert_int_equal(r.peers_max, 896);
	assert_int_equal(r.peers_min, 729);
	assert_true(r.peers_avg >= 801.65 && r.peers_avg < 801.75);
	assert_int_equal(r.messages, 322375);
	assert_int_equal(r.committed, 64);
	assert_int_equal(r.by_type[EC_MSG_QUERY_BLOCK] + r.by_type[EC_MSG_QUERY_TOKEN], 6167);
	assert_int_equal(r.by_type[EC_MSG_VOTE], 310136);
	assert_int_equal(r.by_type[EC_MSG_BLOCK], 6064);
	assert_int_equal(r.by_type[EC_MSG_ANSWER], 0);
	assert_false(r.stalled);
}

static void
test_published_result(void **state)
{
	(void)state;
	const ec_seed_config salt28 = {true, 28};
	ec_sim_result r;
	full_run(&salt28, &r);
	assert_int_equal(r.peers_max, 890);
	assert_int_equal(r.peers_min, 728);
	assert_true(r.peers_avg >= 801.65 && r.peers_avg < 801.75);
	assert_int_equal(r.messages, 331089);
	assert_int_equal(r.committed, 63);
	assert_int_equal(r.by_type[EC_MSG_QUERY_BLOCK] + r.by_type[EC_MSG_QUERY_TOKEN], 6417);
	assert_int_equal(r.by_type[EC_MSG_VOTE], 318356);
	assert_int_equal(r.by_type[EC_MSG_BLOCK], 6307);
	assert_int_equal(r.by_type[EC_MSG_ANSWER], 0);
	assert_int_equal(r.by_type[EC_MSG_REFERRAL], 9);
	/* rounds/commit 31.7 and messages/commit 5,255 as printed */
	assert_int_equal(2000 * 10 / r.committed, 317);
	assert_int_equal((r.messages + r.committed / 2) / r.committed, 5255);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup),
		cmocka_unit_test(test_first_rounds),
		cmocka_unit_test(test_cumulative_counters),
		cmocka_unit_test(test_debug_counters),
		cmocka_unit_test(test_insertion_order_result),
		cmocka_unit_test(test_published_result),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
