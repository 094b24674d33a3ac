/* SPDX-License-Identifier: MIT */
/*
 * The protocol seam, tried with a third protocol that neither the
 * simulator nor ecsim knows: "toy", written here and handed to ec_sim
 * through its table alone.  A submitted block commits at once; a node that
 * hears of a block commits it too and tells one peer, so a block spreads
 * like a rumour.  Its messages carry a body (a copy of the block id) that
 * the sender frees after the send call, so the simulator must keep it
 * through the protocol's keep(); its counters must reach the result.  If
 * the simulator depended on the seed or ec protocol anywhere, this test
 * could not run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ec/seed.h"
#include "ecsim/sim.h"

#define TOY_SEEN 64

typedef struct toy_node {
	ec_peer_id id;
	uint64_t now;
	uint64_t peer;              /* one peer: the lowest id it was given */
	ec_block_id seen[TOY_SEEN]; /* committed blocks, newest last */
	uint32_t nseen;
	ec_block_id news;           /* to tell on the next tick, or 0 */
} toy_node;

static ec_err
toy_init(void *node, ec_peer_id id, const void *config)
{
	(void)config;
	memset(node, 0, sizeof(toy_node));
	((toy_node *)node)->id = id;
	return EC_OK;
}

static void
toy_fini(void *node, const ec_ctx *ctx)
{
	(void)node;
	(void)ctx;
}

static ec_err
toy_set_peers(void *node, const ec_ctx *ctx, const uint64_t *sorted, size_t n)
{
	(void)ctx;
	((toy_node *)node)->peer = n ? sorted[0] : 0;
	return EC_OK;
}

static size_t
toy_peer_count(const void *node)
{
	return ((const toy_node *)node)->peer != 0;
}

static bool
toy_idle(const void *node)
{
	return ((const toy_node *)node)->news == 0;
}

static void
toy_advance(void *node, uint64_t ticks)
{
	((toy_node *)node)->now += ticks;
}

static uint64_t
toy_now(const void *node)
{
	return ((const toy_node *)node)->now;
}

static bool
toy_has(const toy_node *t, ec_block_id b)
{
	for (uint32_t i = 0; i < t->nseen; i++)
		if (t->seen[i] == b)
			return true;
	return false;
}

static void
toy_commit(toy_node *t, const ec_ctx *ctx, ec_block_id b)
{
	if (toy_has(t, b))
		return;
	if (t->nseen == TOY_SEEN) /* forget the oldest */
		memmove(t->seen, t->seen + 1, (TOY_SEEN - 1) * sizeof *t->seen);
	t->seen[t->nseen < TOY_SEEN ? t->nseen++ : TOY_SEEN - 1] = b;
	t->news = b;
	if (ctx->event)
		ctx->event(ctx->event_user, t->id, EC_EV_COMMIT, b, 0);
}

static ec_err
toy_submit(void *node, const ec_ctx *ctx, const ec_txn *txn)
{
	toy_commit(node, ctx, txn->id);
	return EC_OK;
}

static bool
toy_committed(const void *node, const ec_ctx *ctx, ec_block_id id, const ec_id *full)
{
	(void)ctx;
	(void)full;
	return toy_has(node, id);
}

/* The body is the block id in an ec_answer, on the sender's stack. */
static ec_err
toy_handle(void *node, const ec_ctx *ctx, const ec_msg *msg)
{
	if (msg->type == EC_MSG_ANSWER && msg->u.answer.answer)
		toy_commit(node, ctx, msg->u.answer.answer->answer.block);
	return EC_OK;
}

static ec_err
toy_tick(void *node, const ec_ctx *ctx)
{
	toy_node *t = node;
	t->now++;
	if (!t->news || !t->peer)
		return EC_OK;
	ec_answer body = {.answer = {0, t->news}};
	ec_msg m = {.sender = t->id, .receiver = t->peer, .time = t->now, .type = EC_MSG_ANSWER};
	m.u.answer.answer = &body;
	t->news = 0;
	ec_err err = ctx->send(ctx->send_user, &m);
	memset(&body, 0xAB, sizeof body); /* the sender's copy is gone */
	return err;
}

static ec_err
toy_keep(ec_msg *m, const ec_msg_keeper *k)
{
	ec_answer *a = k->scratch(k->user, sizeof *a);
	if (!a)
		return EC_ENOMEM;
	*a = *m->u.answer.answer;
	m->u.answer.answer = a;
	return EC_OK;
}

static uint64_t
toy_wire_size(const ec_msg *m)
{
	(void)m;
	return 41;
}

static uint32_t
toy_logical(const ec_msg *m)
{
	(void)m;
	return 1;
}

static void
toy_count(const ec_msg *m, uint64_t *c)
{
	(void)m;
	c[0]++;
}

static const ec_msg_stat toy_stats[] = {{"toy_rumours", "Rumour", 0, -1, false}};
static const ec_msg_ops toy_msg = {.keep = toy_keep, .wire_size = toy_wire_size,
                                   .logical = toy_logical, .count = toy_count,
                                   .stats = toy_stats, .nstats = 1};

static const ec_protocol toy = {
	.name = "toy",
	.store_api = EC_SEED_STORE_API, /* it stores nothing, but a node has a store */
	.msg = &toy_msg,
	.node_size = sizeof(toy_node),
	.max_block_tokens = 5,
	.node_init = toy_init,
	.node_fini = toy_fini,
	.set_peers = toy_set_peers,
	.peer_count = toy_peer_count,
	.idle = toy_idle,
	.advance = toy_advance,
	.now = toy_now,
	.submit = toy_submit,
	.committed = toy_committed,
	.handle = toy_handle,
	.tick = toy_tick,
};

static void
run_toy(uint32_t threads, ec_sim_result *res)
{
	ec_sim_config cfg;
	ec_sim_config_default(&cfg);
	cfg.protocol = &toy;
	cfg.nodes = 300;
	cfg.rounds = 60;
	cfg.topology = (ec_topology){EC_TOPO_SMALL_WORLD, 0, 0, 8};
	cfg.tokens_per_node = 1;
	cfg.tx_rate = 10;
	cfg.threads = threads;
	ec_sim *sim = NULL;
	assert_int_equal(ec_sim_new(&cfg, &sim), EC_OK);
	assert_int_equal(ec_sim_run(sim), EC_OK);
	assert_int_equal(ec_sim_result_get(sim, res), EC_OK);
	ec_sim_free(sim);
}

static void
test_toy_runs(void **state)
{
	(void)state;
	ec_sim_result one, two;
	run_toy(1, &one);
	assert_ptr_equal(one.protocol, &toy);
	assert_true(one.committed > 100);          /* submitted blocks commit at once */
	assert_true(one.messages > 100);           /* rumours were delivered */
	assert_int_equal(one.msg_counters[0], one.messages); /* its counter: every delivery */
	assert_int_equal(one.bytes, 41 * one.messages);      /* its wire size */
	assert_true(one.nodes_committed > one.committed);   /* rumours made others commit */
	run_toy(2, &two); /* any thread count gives the same run */
	assert_int_equal(one.messages, two.messages);
	assert_int_equal(one.nodes_committed, two.nodes_committed);
	assert_memory_equal(&one.latency, &two.latency, sizeof one.latency);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_toy_runs)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
