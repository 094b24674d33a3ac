/* SPDX-License-Identifier: MIT */
/*
 * The ec protocol in the simulator: byte-identical results for any thread
 * count, no double commit under conflicts, batching, every non-conflicting
 * block committed, the side-by-side claim on the published configuration,
 * and the seed protocol still replaying exactly after ec runs in the same
 * process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ec/ecp.h"
#include "ecsim/sim.h"

static ec_sim_result
run(const ec_sim_config *cfg)
{
	ec_sim *sim = NULL;
	ec_sim_result res;
	assert_int_equal(ec_sim_new(cfg, &sim), EC_OK);
	assert_int_equal(ec_sim_run(sim), EC_OK);
	assert_int_equal(ec_sim_result_get(sim, &res), EC_OK);
	ec_sim_free(sim);
	return res;
}

static ec_sim_config
loaded(ecp_config *ecfg)
{
	ec_sim_config cfg;
	ec_sim_config_default(&cfg);
	ecp_config_default(ecfg);
	cfg.nodes = 1500;
	cfg.rounds = 160;
	cfg.warmup = 30;
	cfg.topology = (ec_topology){EC_TOPO_SMALL_WORLD, 0, 0, 32};
	cfg.tokens_per_node = 1;
	cfg.tx_rate = 30;
	cfg.conflict_rate = 0.3;
	cfg.protocol = &ec_protocol_ec;
	cfg.protocol_config = ecfg;
	cfg.neighbourhood = ecfg->window;
	return cfg;
}

static void
same(const ec_sim_result *a, const ec_sim_result *b)
{
	assert_int_equal(a->messages, b->messages);
	assert_int_equal(a->envelopes, b->envelopes);
	assert_int_equal(a->bytes, b->bytes);
	assert_int_equal(a->committed, b->committed);
	assert_int_equal(a->nodes_committed, b->nodes_committed);
	assert_memory_equal(a->msg_counters, b->msg_counters, sizeof a->msg_counters);
	assert_memory_equal(&a->latency, &b->latency, sizeof a->latency);
	assert_memory_equal(&a->latency_all, &b->latency_all, sizeof a->latency_all);
	assert_memory_equal(&a->conflicts, &b->conflicts, sizeof a->conflicts);
	assert_memory_equal(a->events, b->events, sizeof a->events);
}

static void
test_threads_and_conflicts(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = loaded(&ecfg);
	cfg.threads = 1;
	ec_sim_result one = run(&cfg);
	cfg.threads = 2;
	ec_sim_result two = run(&cfg);
	cfg.threads = 3;
	ec_sim_result three = run(&cfg);
	same(&one, &two);
	same(&one, &three);
	/* the workload really ran, with conflicts, and none was won twice */
	assert_true(one.committed > 1000);
	assert_true(one.conflicts.families > 200);
	assert_int_equal(one.conflicts.both, 0);
	/* nor at any node in any round, warm-up included: the views are exact
	 * (16 nearest on each side), so the safety check ran, and found nothing */
	assert_true(one.safety.checked);
	assert_false(one.safety.violated);
	assert_true(one.conflicts.highest_wins > one.conflicts.lower_wins);
	/* blocks outside conflict families commit (bar those of the last 15 rounds) */
	assert_true(one.plain_committed * 100 >= one.plain_created * 90);
	assert_true(one.envelopes < one.messages);
	assert_true(one.latency.p50 >= 3 && one.latency.p50 <= 12);
}

static void
test_batching_off(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = loaded(&ecfg);
	cfg.conflict_rate = 0;
	cfg.rounds = 80;
	ec_sim_result on = run(&cfg);
	ecfg.batch = 0;
	ec_sim_result off = run(&cfg);
	assert_int_equal(off.envelopes, off.messages);
	assert_true(on.envelopes < on.messages);
	assert_true(on.committed > 0 && off.committed > 0);
}

/* On the published configuration ec needs at least 10 times fewer messages
 * and 5 times fewer rounds per commit than the seed protocol's replay. */
static void
test_published_side_by_side(void **state)
{
	(void)state;
	ec_sim_config cfg;
	ec_sim_config_default(&cfg);
	cfg.protocol = &ec_protocol_ec;
	ec_sim_result ec = run(&cfg);
	ec_sim_config_default(&cfg);
	ec_sim_result seed = run(&cfg);
	assert_int_equal(seed.messages, 322375); /* the replay is unchanged */
	assert_int_equal(seed.committed, 64);
	assert_true(ec.committed > 0);
	double seed_mpc = (double)seed.messages / (double)seed.committed;
	double ec_mpc = (double)ec.messages / (double)ec.committed;
	double seed_rpc = (double)seed.rounds / (double)seed.committed;
	double ec_rpc = (double)ec.rounds / (double)ec.committed;
	assert_true(seed_mpc >= 10 * ec_mpc);
	assert_true(seed_rpc >= 5 * ec_rpc);
	assert_false(ec.stalled);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_threads_and_conflicts),
	    cmocka_unit_test(test_batching_off),
	    cmocka_unit_test(test_published_side_by_side),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
