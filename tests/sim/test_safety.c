/* SPDX-License-Identifier: MIT */
/*
 * The simulator's safety check.  A planted violation: "careless", a
 * protocol written here, commits every block it is handed at once and
 * spreads it like a rumour, so an owner's conflicting twins both commit in
 * the round they are made; the check must stop the run at the end of that
 * round and name both blocks and the (token, parent) they share.  Also:
 * the default follows the protocol's claim and the exactness of the views,
 * the live mask, any thread count finding the same, and, with the real
 * seed protocol, agreement with the conflict families' own count of
 * double commits (conflict_both).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec/seed.h"
#include "ecsim/sim.h"
#include "sim/safety.h"

#define SEEN 64

typedef struct careless_node {
	ec_peer_id id;
	uint64_t now;
	uint64_t peer;         /* the lowest id it was given */
	ec_block_id seen[SEEN]; /* committed blocks, newest last */
	uint32_t nseen;
	ec_block_id news;      /* to tell on the next tick, or 0 */
} careless_node;

static ec_err
c_init(void *node, ec_peer_id id, const void *config)
{
	(void)config;
	memset(node, 0, sizeof(careless_node));
	((careless_node *)node)->id = id;
	return EC_OK;
}

static void
c_fini(void *node, const ec_ctx *ctx)
{
	(void)node;
	(void)ctx;
}

static ec_err
c_set_peers(void *node, const ec_ctx *ctx, const uint64_t *sorted, size_t n)
{
	(void)ctx;
	((careless_node *)node)->peer = n ? sorted[0] : 0;
	return EC_OK;
}

static size_t
c_peer_count(const void *node)
{
	return ((const careless_node *)node)->peer != 0;
}

static bool
c_idle(const void *node)
{
	return ((const careless_node *)node)->news == 0;
}

static void
c_advance(void *node, uint64_t ticks)
{
	((careless_node *)node)->now += ticks;
}

static uint64_t
c_now(const void *node)
{
	return ((const careless_node *)node)->now;
}

static bool
c_has(const careless_node *c, ec_block_id b)
{
	for (uint32_t i = 0; i < c->nseen; i++)
		if (c->seen[i] == b)
			return true;
	return false;
}

/* Commits b, whatever else it committed: the protocol's one flaw. */
static void
c_commit(careless_node *c, const ec_ctx *ctx, ec_block_id b)
{
	if (c_has(c, b))
		return;
	if (c->nseen == SEEN)
		memmove(c->seen, c->seen + 1, (SEEN - 1) * sizeof *c->seen);
	c->seen[c->nseen < SEEN ? c->nseen++ : SEEN - 1] = b;
	c->news = b;
	if (ctx->event)
		ctx->event(ctx->event_user, c->id, EC_EV_COMMIT, b, 0);
}

static ec_err
c_submit(void *node, const ec_ctx *ctx, const ec_txn *txn)
{
	c_commit(node, ctx, txn->id);
	return EC_OK;
}

static bool
c_committed(const void *node, const ec_ctx *ctx, ec_block_id id, const ec_id *full)
{
	(void)ctx;
	(void)full;
	return c_has(node, id);
}

static ec_err
c_handle(void *node, const ec_ctx *ctx, const ec_msg *msg)
{
	if (msg->type == EC_MSG_ANSWER && msg->u.answer.answer)
		c_commit(node, ctx, msg->u.answer.answer->answer.block);
	return EC_OK;
}

static ec_err
c_tick(void *node, const ec_ctx *ctx)
{
	careless_node *c = node;
	c->now++;
	if (!c->news || !c->peer)
		return EC_OK;
	ec_answer body = {.answer = {0, c->news}};
	ec_msg m = {.sender = c->id, .receiver = c->peer, .time = c->now, .type = EC_MSG_ANSWER};
	m.u.answer.answer = &body;
	c->news = 0;
	return ctx->send(ctx->send_user, &m);
}

static ec_err
c_keep(ec_msg *m, const ec_msg_keeper *k)
{
	ec_answer *a = k->scratch(k->user, sizeof *a);
	if (!a)
		return EC_ENOMEM;
	*a = *m->u.answer.answer;
	m->u.answer.answer = a;
	return EC_OK;
}

static uint64_t
c_wire_size(const ec_msg *m)
{
	(void)m;
	return 41;
}

static uint32_t
c_logical(const ec_msg *m)
{
	(void)m;
	return 1;
}

static const ec_msg_ops c_msg = {.keep = c_keep, .wire_size = c_wire_size, .logical = c_logical};

#define CARELESS_TABLE(claims)                                                                     \
	{                                                                                             \
		.name = "careless", .store_api = EC_SEED_STORE_API, .msg = &c_msg,                       \
		.node_size = sizeof(careless_node), .max_block_tokens = 5, .claims_safety = (claims),    \
		.node_init = c_init, .node_fini = c_fini, .set_peers = c_set_peers,                      \
		.peer_count = c_peer_count, .idle = c_idle, .advance = c_advance, .now = c_now,         \
		.submit = c_submit, .committed = c_committed, .handle = c_handle, .tick = c_tick,        \
	}

/* It claims safety, wrongly: the check is on by default. */
static const ec_protocol careless = CARELESS_TABLE(true);
/* The same, honest about it: the check is off by default. */
static const ec_protocol careless_modest = CARELESS_TABLE(false);

/* What the check must find: the first round in which a created block
 * spends a (token, parent) its predecessor spends (a twin comes right after
 * its block), and of that round's pairs and keys the one the check reports
 * (the least token, parent, then ids), the lower id as a. */
typedef struct twins {
	bool found;
	uint64_t round;
	ec_block_id a, b;
	ec_token_id token;
	ec_block_id parent;
	ec_token_part last[8]; /* the previous block's parts */
	uint32_t nlast;
	ec_block_id last_id;
} twins;

static bool
less(const twins *tw, ec_token_id token, ec_block_id parent, ec_block_id a, ec_block_id b)
{
	if (token != tw->token)
		return token < tw->token;
	if (parent != tw->parent)
		return parent < tw->parent;
	return a != tw->a ? a < tw->a : b < tw->b;
}

static void
on_created(void *user, uint64_t round, const ec_txn *t, ec_peer_id target)
{
	(void)target;
	twins *tw = user;
	if (tw->found && round != tw->round)
		return;
	ec_block_id a = t->id < tw->last_id ? t->id : tw->last_id;
	ec_block_id b = t->id < tw->last_id ? tw->last_id : t->id;
	for (uint32_t i = 0; i < t->used; i++)
		for (uint32_t j = 0; j < tw->nlast; j++) {
			const ec_token_part *p = &t->parts[i];
			if (p->token != tw->last[j].token || p->last != tw->last[j].last)
				continue;
			if (tw->found && !less(tw, p->token, p->last, a, b))
				continue;
			tw->found = true;
			tw->round = round;
			tw->a = a;
			tw->b = b;
			tw->token = p->token;
			tw->parent = p->last;
		}
	tw->nlast = t->used < 8 ? t->used : 8;
	memcpy(tw->last, t->parts, tw->nlast * sizeof *t->parts);
	tw->last_id = t->id;
}

static ec_sim_config
config(const ec_protocol *p, uint32_t degree, ec_safety_check check, uint32_t threads)
{
	ec_sim_config cfg;
	ec_sim_config_default(&cfg);
	cfg.protocol = p;
	cfg.nodes = 300;
	cfg.rounds = 60;
	/* degree 24: 6 nearest on each side, more than the w+1 = 5 an exact
	 * view needs; degree 16: 4, fewer */
	cfg.topology = (ec_topology){EC_TOPO_SMALL_WORLD, 0, 0, degree};
	cfg.tokens_per_node = 1;
	cfg.tx_rate = 10;
	cfg.conflict_rate = 0.2;
	cfg.safety_check = check;
	cfg.threads = threads;
	return cfg;
}

static ec_sim_result
run(ec_sim_config *cfg, twins *tw, char **report)
{
	*tw = (twins){0};
	cfg->hooks = (ec_sim_hooks){.user = tw, .block_created = on_created};
	ec_sim *sim = NULL;
	ec_sim_result res;
	assert_int_equal(ec_sim_new(cfg, &sim), EC_OK);
	assert_int_equal(ec_sim_run(sim), EC_OK);
	assert_int_equal(ec_sim_result_get(sim, &res), EC_OK);
	if (report) {
		size_t len = 0;
		FILE *f = open_memstream(report, &len);
		assert_non_null(f);
		assert_int_equal(ec_sim_safety_report(f, sim), 0);
		assert_int_equal(fclose(f), 0);
	}
	ec_sim_free(sim);
	return res;
}

static void
same_safety(const ec_safety_result *x, const ec_safety_result *y)
{
	assert_int_equal(x->checked, y->checked);
	assert_int_equal(x->violated, y->violated);
	assert_int_equal(x->round, y->round);
	assert_int_equal(x->block_a, y->block_a);
	assert_int_equal(x->block_b, y->block_b);
	assert_int_equal(x->token, y->token);
	assert_int_equal(x->parent, y->parent);
}

static bool
mentions(const char *text, uint64_t x)
{
	char hex[17];
	snprintf(hex, sizeof hex, "%016llx", (unsigned long long)x);
	return strstr(text, hex) != NULL;
}

static void
test_planted_violation(void **state)
{
	(void)state;
	ec_sim_config cfg = config(&careless, 24, EC_SAFETY_DEFAULT, 1);
	cfg.block_min = cfg.block_max = 3; /* twins share three keys: the least is reported */
	twins tw;
	char *report = NULL;
	ec_sim_result res = run(&cfg, &tw, &report);
	assert_true(tw.found); /* the workload made twins */
	assert_true(res.safety.checked);
	assert_true(res.safety.violated);
	/* both twins committed at their injection nodes on submission */
	assert_int_equal(res.safety.round, tw.round);
	assert_int_equal(res.rounds_run, tw.round + 1); /* stopped at the end of that round */
	assert_int_equal(res.safety.block_a, tw.a);   /* the same round: the lower id first */
	assert_int_equal(res.safety.block_b, tw.b);
	assert_int_equal(res.safety.token, tw.token);
	assert_int_equal(res.safety.parent, tw.parent);
	assert_false(res.stalled);
	/* the account names the round, both blocks, the token and the parent */
	char round[48];
	snprintf(round, sizeof round, "safety violation in round %llu:", (unsigned long long)tw.round);
	assert_non_null(strstr(report, round));
	assert_true(mentions(report, tw.a) && mentions(report, tw.b) && mentions(report, tw.token));
	assert_non_null(strstr(report, "  block a "));
	assert_non_null(strstr(report, "  block b "));
	assert_non_null(strstr(report, "committed at 1 node by then"));
	free(report);

	/* any number of threads finds the same */
	cfg = config(&careless, 24, EC_SAFETY_DEFAULT, 3);
	cfg.block_min = cfg.block_max = 3;
	char *report3 = NULL;
	ec_sim_result three = run(&cfg, &tw, &report3);
	same_safety(&three.safety, &res.safety);
	assert_int_equal(three.rounds_run, res.rounds_run);
	free(report3);
}

static void
test_off_runs_on(void **state)
{
	(void)state;
	twins tw;
	ec_sim_config cfg = config(&careless, 24, EC_SAFETY_OFF, 1);
	ec_sim_result res = run(&cfg, &tw, NULL);
	assert_false(res.safety.checked);
	assert_false(res.safety.violated);
	assert_int_equal(res.rounds_run, cfg.rounds);
	assert_true(res.conflicts.both > 0); /* the double commits it did not look for */
}

/* By default the check runs for a protocol that claims safety, and only
 * where every node's view is exact (the condition of the claim);
 * EC_SAFETY_ON checks any network and any protocol. */
static void
test_default(void **state)
{
	(void)state;
	twins tw;
	ec_sim_config cfg = config(&careless_modest, 24, EC_SAFETY_DEFAULT, 1);
	ec_sim_result res = run(&cfg, &tw, NULL);
	assert_false(res.safety.checked);
	assert_int_equal(res.rounds_run, cfg.rounds);
	cfg = config(&careless_modest, 24, EC_SAFETY_ON, 1);
	res = run(&cfg, &tw, NULL);
	assert_true(res.safety.checked && res.safety.violated);
	cfg = config(&careless, 16, EC_SAFETY_DEFAULT, 1); /* inexact views */
	res = run(&cfg, &tw, NULL);
	assert_false(res.safety.checked);
	assert_int_equal(res.rounds_run, cfg.rounds);
	cfg = config(&careless, 16, EC_SAFETY_ON, 1);
	res = run(&cfg, &tw, NULL);
	assert_true(res.safety.checked && res.safety.violated);
	assert_int_equal(res.safety.round, tw.round);
	cfg.topology.degree = 23; /* odd: 5 nearest on one side, 6 on the other */
	cfg.safety_check = EC_SAFETY_DEFAULT;
	res = run(&cfg, &tw, NULL);
	assert_true(res.safety.checked);
	cfg.topology.degree = 20; /* 5 a side: exactly w+1 */
	res = run(&cfg, &tw, NULL);
	assert_true(res.safety.checked);
	cfg.topology.degree = 19; /* 5 and 4 */
	res = run(&cfg, &tw, NULL);
	assert_false(res.safety.checked);
	/* dense: every pair linked, then the published ring gradient */
	cfg.topology = (ec_topology){EC_TOPO_RANDOM, 1.0, 0, 0};
	res = run(&cfg, &tw, NULL);
	assert_true(res.safety.checked);
	cfg.topology = (ec_topology){EC_TOPO_RING_GRADIENT, 0.1, 0.7, 0};
	res = run(&cfg, &tw, NULL);
	assert_false(res.safety.checked);
	cfg.safety_check = (ec_safety_check)7;
	assert_non_null(ec_sim_config_check(&cfg));
}

/* A commit counts only at a live node: with nobody live the check finds
 * nothing; with everybody live it finds what it always does. */
static void
test_live_mask(void **state)
{
	(void)state;
	uint64_t none[(300 + 63) / 64] = {0}, all[(300 + 63) / 64];
	memset(all, 0xff, sizeof all);
	const uint64_t *masks[] = {none, all};
	ec_sim_result res[2];
	for (int k = 0; k < 2; k++) {
		ec_sim_config cfg = config(&careless, 24, EC_SAFETY_DEFAULT, 1);
		ec_sim *sim = NULL;
		assert_int_equal(ec_sim_new(&cfg, &sim), EC_OK);
		ecsim__safety_set_live(sim, masks[k]);
		assert_int_equal(ec_sim_run(sim), EC_OK);
		assert_int_equal(ec_sim_result_get(sim, &res[k]), EC_OK);
		ec_sim_free(sim);
	}
	assert_false(res[0].safety.violated);
	assert_int_equal(res[0].rounds_run, 60);
	assert_true(res[1].safety.violated);
	twins tw;
	ec_sim_config cfg = config(&careless, 24, EC_SAFETY_DEFAULT, 1);
	ec_sim_result nomask = run(&cfg, &tw, NULL);
	same_safety(&res[1].safety, &nomask.safety);
}

/* The seed protocol double-commits by design.  Run it round by round with
 * the check off and find the first round after which the conflict
 * families count a double commit (conflict_both, judged from the block
 * records); the check must stop a run with it on at exactly that round,
 * and change nothing before. */
static void
test_seed_agrees_with_families(void **state)
{
	(void)state;
	ec_sim_config cfg;
	ec_sim_config_default(&cfg);
	cfg.nodes = 200;
	cfg.rounds = 80;
	cfg.initial_tokens = 4;
	cfg.conflict_rate = 0.5;
	ec_sim *sim = NULL;
	assert_int_equal(ec_sim_new(&cfg, &sim), EC_OK);
	bool more = true;
	uint64_t first = UINT64_MAX;
	ec_sim_result off;
	while (more && first == UINT64_MAX) {
		uint64_t round = ec_sim_round(sim);
		assert_int_equal(ec_sim_step(sim, &more), EC_OK);
		assert_int_equal(ec_sim_result_get(sim, &off), EC_OK);
		if (off.conflicts.both)
			first = round;
	}
	ec_sim_free(sim);
	assert_true(first != UINT64_MAX); /* this configuration double-commits */
	assert_false(off.safety.checked);  /* off by default for seed */

	cfg.safety_check = EC_SAFETY_ON;
	assert_int_equal(ec_sim_new(&cfg, &sim), EC_OK);
	assert_int_equal(ec_sim_run(sim), EC_OK);
	ec_sim_result on;
	assert_int_equal(ec_sim_result_get(sim, &on), EC_OK);
	ec_sim_free(sim);
	assert_true(on.safety.violated);
	assert_int_equal(on.safety.round, first);
	assert_int_equal(on.rounds_run, first + 1);
	assert_int_equal(on.messages, off.messages); /* the same run up to there */
	assert_int_equal(on.conflicts.both, off.conflicts.both);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_planted_violation), cmocka_unit_test(test_off_runs_on),
	    cmocka_unit_test(test_default), cmocka_unit_test(test_live_mask),
	    cmocka_unit_test(test_seed_agrees_with_families)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
