/* SPDX-License-Identifier: MIT */
/*
 * Workload options: tokens per node, an offered rate, warm-up rounds and the
 * derived metrics (throughput, uncommitted fraction, bytes), and the order in
 * which the simulator looks for commits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ec/ecp.h"
#include "ec/seed.h"
#include "ecsim/sim.h"

typedef struct counts {
	uint64_t created[64];
	uint64_t rounds;
} counts;

static void
on_created(void *user, uint64_t round, const ec_txn *b, ec_peer_id target)
{
	counts *c = user;
	(void)b;
	(void)target;
	if (round < 64)
		c->created[round]++;
}

static ec_sim_config
base(void)
{
	ec_sim_config cfg;
	ec_sim_config_default(&cfg);
	cfg.nodes = 200;
	cfg.rounds = 40;
	cfg.topology = (ec_topology){EC_TOPO_SMALL_WORLD, 0, 0, 16};
	return cfg;
}

static void
test_tokens_per_node(void **state)
{
	(void)state;
	ec_sim_config cfg = base();
	cfg.tokens_per_node = 2;
	ec_sim *sim = NULL;
	assert_int_equal(ec_sim_new(&cfg, &sim), EC_OK);
	assert_int_equal(ec_sim_token_count(sim), 400);
	ec_sim_free(sim);
}

static void
test_tx_rate(void **state)
{
	(void)state;
	counts c;
	memset(&c, 0, sizeof c);
	ec_sim_config cfg = base();
	cfg.tokens_per_node = 1;
	cfg.tx_rate = 7;
	cfg.block_min = cfg.block_max = 1;
	cfg.hooks = (ec_sim_hooks){.user = &c, .block_created = on_created};
	ec_sim *sim = NULL;
	assert_int_equal(ec_sim_new(&cfg, &sim), EC_OK);
	assert_int_equal(ec_sim_run(sim), EC_OK);
	/* one token per block, at most 7 offered per round, 7 while enough are free */
	for (int r = 0; r < 20; r++)
		assert_int_equal(c.created[r], 7);
	ec_sim_free(sim);
	/* without a rate every token is offered at once */
	memset(&c, 0, sizeof c);
	cfg.tx_rate = 0;
	assert_int_equal(ec_sim_new(&cfg, &sim), EC_OK);
	assert_int_equal(ec_sim_run(sim), EC_OK);
	assert_int_equal(c.created[0], 200);
	ec_sim_free(sim);
}

static void
test_warmup(void **state)
{
	(void)state;
	ec_sim_config cfg = base();
	cfg.tokens_per_node = 1;
	cfg.tx_rate = 5;
	ec_sim *full = NULL, *warm = NULL;
	assert_int_equal(ec_sim_new(&cfg, &full), EC_OK);
	cfg.warmup = 15;
	assert_int_equal(ec_sim_new(&cfg, &warm), EC_OK);
	assert_int_equal(ec_sim_run(full), EC_OK);
	assert_int_equal(ec_sim_run(warm), EC_OK);
	ec_sim_result rf, rw;
	assert_int_equal(ec_sim_result_get(full, &rf), EC_OK);
	assert_int_equal(ec_sim_result_get(warm, &rw), EC_OK);
	/* the same trajectory, measured over fewer rounds */
	assert_int_equal(rf.rounds, 40);
	assert_int_equal(rw.rounds, 25);
	assert_true(rw.messages < rf.messages);
	assert_true(rw.committed <= rf.committed);
	assert_true(rw.created < rf.created);
	assert_true(rw.uncommitted <= rw.created);
	assert_int_equal(rf.degree_min, rw.degree_min);
	ec_sim_free(full);
	ec_sim_free(warm);
}

/* Commits in the order the simulator finds them. */
typedef struct commit_log {
	uint64_t round, last;
	uint64_t calls, shared; /* shared: commits found in a round with another */
	bool ordered;
} commit_log;

static void
on_committed(void *user, uint64_t round, ec_block_id b, ec_peer_id target, uint64_t latency)
{
	commit_log *c = user;
	(void)target;
	(void)latency;
	if (c->calls && round == c->round) {
		c->shared++;
		if (b <= c->last)
			c->ordered = false;
	}
	c->round = round;
	c->last = b;
	c->calls++;
}

/* The simulator looks for commits among the outstanding blocks in ascending
 * block id (what comes free first is offered first, so the order decides
 * the run); the blocks of a round are merged into that list at once. */
static void
test_commit_order(void **state)
{
	(void)state;
	for (int proto = 0; proto < 2; proto++) {
		commit_log c = {.ordered = true};
		ecp_config ecfg;
		ecp_config_default(&ecfg);
		ec_sim_config cfg = base();
		cfg.nodes = 300;
		cfg.rounds = 60;
		cfg.tokens_per_node = 1;
		cfg.tx_rate = 25;
		cfg.block_min = 1;
		cfg.block_max = 3;
		if (proto) {
			cfg.protocol = &ec_protocol_ec;
			cfg.protocol_config = &ecfg;
			cfg.neighbourhood = ecfg.window;
			cfg.conflict_rate = 0.2;
		}
		cfg.hooks = (ec_sim_hooks){.user = &c, .block_committed = on_committed};
		ec_sim *sim = NULL;
		assert_int_equal(ec_sim_new(&cfg, &sim), EC_OK);
		assert_int_equal(ec_sim_run(sim), EC_OK);
		ec_sim_free(sim);
		assert_true(c.shared > 50); /* many rounds find several commits */
		assert_true(c.ordered);
	}
}

static void
test_wire_size(void **state)
{
	(void)state;
	ec_msg m = {.type = EC_MSG_VOTE};
	assert_int_equal(ec_seed_msg_ops.wire_size(&m), 43);
	m.type = EC_MSG_QUERY_BLOCK;
	assert_int_equal(ec_seed_msg_ops.wire_size(&m), 57);
	ec_block b;
	memset(&b, 0, sizeof b);
	b.used = 2;
	b.sig_present = 1;
	m.type = EC_MSG_BLOCK;
	m.u.block.block = &b;
	assert_int_equal(ec_seed_msg_ops.wire_size(&m), 33 + 17 + 25 + 8 + 25);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens_per_node),
		cmocka_unit_test(test_tx_rate),
		cmocka_unit_test(test_warmup),
		cmocka_unit_test(test_wire_size),
		cmocka_unit_test(test_commit_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
