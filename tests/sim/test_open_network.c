/* SPDX-License-Identifier: MIT */
/*
 * The simulator's open networks (docs/open-network.md, "Simulator"),
 * driven with a protocol written here: "gossip", which implements
 * ec_open_ops simply.  A node joins with its contacts as peers (ready at
 * once), says HELLO to them, and every round PINGs each peer with the id
 * of another of its peers nearest to that peer; it keeps the 24 peers
 * nearest to itself, drops a peer it has not heard of for 6 rounds, and
 * drops at once one that says BYE.  Views therefore converge to the exact
 * ring windows, and heal after departures.  On each block submitted to it,
 * a node casts EC_EV_VOTE_CAST on each part at its next tick with the time
 * of the block it last saw move that token (it never catches up, so a new
 * node votes on stale views).
 *
 * The tests check the driver: growth from the start nodes at the join
 * rate, the schedule of crashes, leaves and returns, that down nodes
 * neither tick nor receive (their messages are dropped and counted), one
 * output for 1 and 2 threads, the open figures only in open runs, the
 * stale-vote count against a recount from the hooks, and the ground truth
 * and token history parts on their own.
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
#include "ecsim/report.h"
#include "ecsim/sim.h"
#include "sim/open.h"

#define G_MAXP 24
#define G_DEAD 6
#define G_W 2
#define G_VOTES 8
#define G_MAP 32

enum { G_HELLO = 1, G_PING, G_BYE, G_NEAR };

typedef struct g_vote {
	ec_block_id block;
	uint64_t arg;
} g_vote;

typedef struct g_node {
	ec_peer_id id;
	uint64_t now, ready_at;
	bool open, ready;
	uint32_t np;
	uint64_t peers[G_MAXP + 1]; /* ascending */
	uint64_t heard[G_MAXP + 1];
	ec_block_id seen[8];        /* committed blocks, a ring */
	uint32_t nseen;
	struct {
		uint64_t token, time;
	} map[G_MAP];               /* the tokens it saw move, a ring */
	uint32_t nmap;
	g_vote votes[G_VOTES];      /* to cast at the next tick */
	uint32_t nvotes;
} g_node;

static uint64_t g_ticks; /* every node's ticks (atomic: workers tick) */

static ec_err
g_init(void *node, ec_peer_id id, const void *config)
{
	(void)config;
	memset(node, 0, sizeof(g_node));
	((g_node *)node)->id = id;
	return EC_OK;
}

static void
g_fini(void *node, const ec_ctx *ctx)
{
	(void)node;
	(void)ctx;
}

static uint64_t
ring_dist(uint64_t a, uint64_t b)
{
	return a - b < b - a ? a - b : b - a;
}

static int
g_find(const g_node *t, uint64_t id)
{
	for (uint32_t k = 0; k < t->np; k++)
		if (t->peers[k] == id)
			return (int)k;
	return -1;
}

static void
g_remove(g_node *t, uint32_t k)
{
	memmove(t->peers + k, t->peers + k + 1, (t->np - k - 1) * sizeof *t->peers);
	memmove(t->heard + k, t->heard + k + 1, (t->np - k - 1) * sizeof *t->heard);
	t->np--;
}

/* Learns of id, heard of at round `heard`; keeps the G_MAXP nearest. */
static void
g_learn(g_node *t, uint64_t id, uint64_t heard)
{
	if (id == t->id || heard + G_DEAD < t->now)
		return;
	int at = g_find(t, id);
	if (at >= 0) {
		if (t->heard[at] < heard)
			t->heard[at] = heard;
		return;
	}
	uint32_t k = t->np;
	while (k > 0 && t->peers[k - 1] > id) {
		t->peers[k] = t->peers[k - 1];
		t->heard[k] = t->heard[k - 1];
		k--;
	}
	t->peers[k] = id;
	t->heard[k] = heard;
	if (++t->np <= G_MAXP)
		return;
	uint32_t far = 0;
	for (uint32_t j = 1; j < t->np; j++)
		if (ring_dist(t->peers[j], t->id) > ring_dist(t->peers[far], t->id))
			far = j;
	g_remove(t, far);
}

/* A message of `kind` with two ids the sender knows (0: none) and when it
 * last heard of each: kind and the first time in query.id, the ids in
 * query.target and query.ticket, the second time in the envelope's ticket. */
static ec_err
g_send(const ec_ctx *ctx, const g_node *t, uint64_t to, uint64_t kind, uint64_t a, uint64_t ha,
       uint64_t b, uint64_t hb)
{
	ec_msg m = {.sender = t->id, .receiver = to, .time = t->now, .type = EC_MSG_QUERY_TOKEN,
	            .ticket = hb};
	m.u.query.id = kind | ha << 8;
	m.u.query.target = a;
	m.u.query.ticket = b;
	return ctx->send(ctx->send_user, &m);
}

/* Sends `to` the peers this node knows next to id on either side. */
static ec_err
g_tell_near(const ec_ctx *ctx, const g_node *t, uint64_t to, uint64_t kind, uint64_t id)
{
	if (!t->np)
		return g_send(ctx, t, to, kind, 0, 0, 0, 0);
	uint32_t k = 0; /* the first peer above id, around the ring */
	while (k < t->np && t->peers[k] <= id)
		k++;
	uint32_t up = k % t->np, down = (k + t->np - 1) % t->np;
	if (t->peers[down] == id) /* id itself is a peer: the one below it */
		down = (down + t->np - 1) % t->np;
	uint64_t a = t->peers[down] != id ? t->peers[down] : 0;
	uint64_t b = t->peers[up] != id ? t->peers[up] : 0;
	return g_send(ctx, t, to, kind, a, a ? t->heard[down] : 0, b, b ? t->heard[up] : 0);
}

static ec_err
g_set_peers(void *node, const ec_ctx *ctx, const uint64_t *sorted, size_t n)
{
	(void)ctx;
	g_node *t = node;
	t->np = 0;
	for (size_t k = 0; k < n; k++)
		g_learn(t, sorted[k], t->now);
	return EC_OK;
}

static size_t
g_peer_count(const void *node)
{
	return ((const g_node *)node)->np;
}

static bool
g_idle(const void *node)
{
	return !((const g_node *)node)->open && !((const g_node *)node)->nvotes;
}

static void
g_advance(void *node, uint64_t ticks)
{
	((g_node *)node)->now += ticks;
}

static uint64_t
g_now(const void *node)
{
	return ((const g_node *)node)->now;
}

static bool
g_has(const g_node *t, ec_block_id b)
{
	for (uint32_t i = 0; i < 8 && i < t->nseen; i++)
		if (t->seen[i] == b)
			return true;
	return false;
}

static void
g_commit(g_node *t, const ec_ctx *ctx, ec_block_id b)
{
	if (g_has(t, b))
		return;
	t->seen[t->nseen++ % 8] = b;
	if (ctx->event)
		ctx->event(ctx->event_user, t->id, EC_EV_COMMIT, b, 0);
}

/* A submitted block commits at once; its votes wait for the tick, with
 * the time of this node's view of each token (T + 1, or 0: none). */
static ec_err
g_submit(void *node, const ec_ctx *ctx, const ec_txn *txn)
{
	g_node *t = node;
	for (uint32_t p = 0; p < txn->used; p++) {
		uint64_t have = 0;
		for (uint32_t k = 0; k < G_MAP && k < t->nmap; k++)
			if (t->map[k].token == txn->parts[p].token && t->map[k].time + 1 > have)
				have = t->map[k].time + 1;
		/* the role is the part's rank among the block's tokens in
		 * ascending order (ctx.h, EC_EV_VOTE_CAST) */
		uint64_t role = 0;
		for (uint32_t q = 0; q < txn->used; q++)
			role += txn->parts[q].token < txn->parts[p].token;
		if (t->nvotes < G_VOTES)
			t->votes[t->nvotes++] = (g_vote){txn->id, role | 1u << 16 | have << 24};
		t->map[t->nmap % G_MAP].token = txn->parts[p].token;
		t->map[t->nmap++ % G_MAP].time = txn->time;
	}
	if (t->nvotes < G_VOTES)
		t->votes[t->nvotes++] = (g_vote){txn->id, 0xFFFF | 1u << 16}; /* a witness vote */
	g_commit(t, ctx, txn->id);
	return EC_OK;
}

static bool
g_committed(const void *node, const ec_ctx *ctx, ec_block_id id, const ec_id *full)
{
	(void)ctx;
	(void)full;
	return g_has(node, id);
}

static ec_err
g_handle(void *node, const ec_ctx *ctx, const ec_msg *msg)
{
	g_node *t = node;
	assert_true(t->open); /* the simulator delivers only to live nodes */
	uint64_t kind = msg->u.query.id & 0xFF;
	int at = g_find(t, msg->sender);
	if (kind == G_BYE) {
		if (at >= 0)
			g_remove(t, (uint32_t)at);
		return EC_OK;
	}
	g_learn(t, msg->sender, t->now);
	if (msg->u.query.target)
		g_learn(t, msg->u.query.target, msg->u.query.id >> 8);
	if (msg->u.query.ticket)
		g_learn(t, msg->u.query.ticket, msg->ticket);
	/* a newcomer, or a node it does not keep: tell it who is nearer */
	if (kind == G_HELLO || (kind == G_PING && g_find(t, msg->sender) < 0))
		return g_tell_near(ctx, t, msg->sender, G_NEAR, msg->sender);
	return EC_OK;
}

static ec_err
g_tick(void *node, const ec_ctx *ctx)
{
	g_node *t = node;
	t->now++;
	__atomic_fetch_add(&g_ticks, 1, __ATOMIC_RELAXED);
	for (uint32_t k = 0; k < t->nvotes; k++)
		if (ctx->event)
			ctx->event(ctx->event_user, t->id, EC_EV_VOTE_CAST, t->votes[k].block,
			           t->votes[k].arg);
	t->nvotes = 0;
	if (!t->open)
		return EC_OK;
	for (uint32_t k = t->np; k-- > 0;)
		if (t->heard[k] + G_DEAD < t->now)
			g_remove(t, k);
	for (uint32_t k = 0; k < t->np; k++) { /* each peer hears of its neighbours */
		ec_err err = g_tell_near(ctx, t, t->peers[k], G_PING, t->peers[k]);
		if (err)
			return err;
	}
	return EC_OK;
}

static ec_err
g_join(void *node, const ec_ctx *ctx, const ec_join *j)
{
	g_node *t = node;
	assert_non_null(j->self);
	assert_int_equal(j->addr.len, 4);
	assert_int_equal(j->admit.bits, 0);
	/* a seeded node's contacts are the peers it was set (the nearest G_MAXP) */
	assert_true(j->kind != EC_JOIN_SEEDED || j->nboot == t->np || t->np == G_MAXP);
	if (j->kind != EC_JOIN_RESUME)
		t->np = 0;
	t->open = t->ready = true;
	t->ready_at = t->now;
	for (size_t k = 0; k < j->nboot; k++) {
		assert_true(j->boot[k].id != t->id);
		g_learn(t, j->boot[k].id, t->now);
	}
	for (size_t k = 0; k < j->nboot; k++) {
		ec_err err = g_send(ctx, t, j->boot[k].id, G_HELLO, 0, 0, 0, 0);
		if (err)
			return err;
	}
	return EC_OK;
}

static ec_err
g_leave(void *node, const ec_ctx *ctx)
{
	g_node *t = node;
	for (uint32_t k = 0; k < t->np; k++) {
		ec_err err = g_send(ctx, t, t->peers[k], G_BYE, 0, 0, 0, 0);
		if (err)
			return err;
	}
	return EC_OK;
}

static void
g_status(const void *node, ec_node_status *out)
{
	const g_node *t = node;
	*out = (ec_node_status){t->open, t->ready, t->ready_at, t->peers, t->np};
}

static bool
g_address(const void *node, uint64_t id, ec_addr *out)
{
	(void)node;
	(void)id;
	(void)out;
	return false;
}

static ec_err
g_keep(ec_msg *m, const ec_msg_keeper *k)
{
	(void)m;
	(void)k;
	return EC_OK; /* no body */
}

static uint64_t
g_wire_size(const ec_msg *m)
{
	(void)m;
	return 40;
}

static uint32_t
g_logical(const ec_msg *m)
{
	(void)m;
	return 1;
}

static void
g_count(const ec_msg *m, uint64_t *c)
{
	c[0]++;
	c[1] += (m->u.query.id & 0xFF) == G_HELLO;
}

static void
g_cfg_init(void *config)
{
	(void)config;
}

static const char *
g_cfg_check(const void *config)
{
	(void)config;
	return NULL;
}

static uint32_t
g_cfg_w(const void *config)
{
	(void)config;
	return G_W;
}

static const ec_msg_stat g_stats[] = {{"gossip_messages", "Gossip", 0, -1, false},
                                      {"gossip_hellos", NULL, 1, -1, false}};
static const ec_msg_ops g_msg = {.keep = g_keep, .wire_size = g_wire_size, .logical = g_logical,
                                 .count = g_count, .stats = g_stats, .nstats = 2,
                                 .lifecycle_counter = 1};
static const ec_open_ops g_open = {.join = g_join, .leave = g_leave, .status = g_status,
                                   .address = g_address};
static const ec_proto_config g_config = {.size = 1, .init = g_cfg_init, .check = g_cfg_check,
                                         .neighbourhood = g_cfg_w};

static const ec_protocol gossip = {
	.name = "gossip",
	.config = &g_config,
	.store_api = EC_SEED_STORE_API,
	.msg = &g_msg,
	.open = &g_open,
	.node_size = sizeof(g_node),
	.max_block_tokens = 5,
	.node_init = g_init,
	.node_fini = g_fini,
	.set_peers = g_set_peers,
	.peer_count = g_peer_count,
	.idle = g_idle,
	.advance = g_advance,
	.now = g_now,
	.submit = g_submit,
	.committed = g_committed,
	.handle = g_handle,
	.tick = g_tick,
};

/* ---- what the hooks saw ------------------------------------------------- */

#define MAXB 4096
#define MAXN 512

typedef struct seen {
	/* nodes by index in ids[] (the order they were first heard of) */
	uint64_t ids[MAXN];
	uint64_t up[MAXN];      /* round each last came up */
	int state[MAXN];        /* 0 unknown (a starter, live), 1 live, 2 crashed, 3 left */
	uint64_t down_at[MAXN];
	size_t nids;
	uint64_t live;          /* the hooks' own count */
	uint64_t joins, crashes, leaves, rejoins;
	/* blocks */
	ec_block_id block[MAXB];
	uint64_t created[MAXB], token[MAXB][5];
	uint32_t parts[MAXB];
	size_t nblocks;
	/* token moves the ledger saw committed: token, block creation, round */
	uint64_t mv_token[MAXB * 5], mv_created[MAXB * 5], mv_seen[MAXB * 5];
	size_t nmoves;
	uint64_t votes, stale;
} seen;

static size_t
node_slot(seen *v, uint64_t id)
{
	for (size_t k = 0; k < v->nids; k++)
		if (v->ids[k] == id)
			return k;
	assert_true(v->nids < MAXN);
	v->ids[v->nids] = id;
	return v->nids++;
}

static void
on_member(void *user, uint64_t round, ec_peer_id node, ec_member_event ev)
{
	seen *v = user;
	size_t k = node_slot(v, node);
	switch (ev) {
	case EC_MEMBER_JOIN:
		assert_int_equal(v->state[k], 0);
		v->state[k] = 1;
		v->up[k] = round;
		v->live++;
		v->joins++;
		break;
	case EC_MEMBER_CRASH:
	case EC_MEMBER_LEAVE:
		assert_true(v->state[k] <= 1); /* a live node departs */
		v->state[k] = ev == EC_MEMBER_CRASH ? 2 : 3;
		v->down_at[k] = round;
		v->live--;
		*(ev == EC_MEMBER_CRASH ? &v->crashes : &v->leaves) += 1;
		break;
	case EC_MEMBER_REJOIN:
		assert_int_equal(v->state[k], 2); /* only a crashed node returns */
		assert_int_equal(round, v->down_at[k] + 7); /* --rejoin-after 7 */
		v->state[k] = 1;
		v->up[k] = round;
		v->live++;
		v->rejoins++;
		break;
	}
}

static void
on_created(void *user, uint64_t round, const ec_txn *b, ec_peer_id target)
{
	seen *v = user;
	(void)target;
	assert_true(v->nblocks < MAXB);
	size_t k = v->nblocks++;
	v->block[k] = b->id;
	v->created[k] = round;
	v->parts[k] = b->used;
	for (uint32_t p = 0; p < b->used && p < 5; p++) { /* in ascending order, as roles count */
		uint32_t at = p;
		for (; at > 0 && v->token[k][at - 1] > b->parts[p].token; at--)
			v->token[k][at] = v->token[k][at - 1];
		v->token[k][at] = b->parts[p].token;
	}
}

static size_t
block_of(const seen *v, ec_block_id b)
{
	for (size_t k = v->nblocks; k-- > 0;)
		if (v->block[k] == b)
			return k;
	return SIZE_MAX;
}

static void
on_committed(void *user, uint64_t round, ec_block_id b, ec_peer_id target, uint64_t latency)
{
	seen *v = user;
	(void)target;
	(void)latency;
	size_t k = block_of(v, b);
	assert_true(k != SIZE_MAX);
	for (uint32_t p = 0; p < v->parts[k]; p++) {
		v->mv_token[v->nmoves] = v->token[k][p];
		v->mv_created[v->nmoves] = v->created[k];
		v->mv_seen[v->nmoves++] = round;
	}
}

/* The definition of a stale vote, recounted from what the hooks saw. */
static void
on_event(void *user, uint64_t round, ec_peer_id node, ec_event ev, ec_block_id b, uint64_t arg)
{
	seen *v = user;
	(void)round;
	if (ev != EC_EV_VOTE_CAST || (arg & 0xFFFF) == 0xFFFF)
		return;
	size_t k = block_of(v, b), n = node_slot(v, node);
	uint32_t role = (uint32_t)(arg & 0xFFFF);
	assert_true(k != SIZE_MAX && role < v->parts[k]);
	v->votes++;
	uint64_t token = v->token[k][role], mapped = arg >> 24;
	for (size_t m = v->nmoves; m-- > 0;) /* the latest move seen by the round it came up */
		if (v->mv_token[m] == token && v->mv_seen[m] <= v->up[n]) {
			v->stale += mapped == 0 || v->mv_created[m] > mapped - 1;
			break;
		}
}

static void
on_round(void *user, uint64_t round, size_t q, size_t d, size_t l)
{
	(void)user;
	(void)round;
	(void)q;
	(void)d;
	(void)l;
}

static void
config_of(ec_sim_config *cfg, uint32_t nodes, uint32_t start, double churn, uint64_t rounds)
{
	ec_sim_config_default(cfg);
	cfg->protocol = &gossip;
	cfg->nodes = nodes;
	cfg->start_nodes = start;
	cfg->churn = churn;
	cfg->rounds = rounds;
	cfg->loss = 0;
	cfg->neighbourhood = G_W;
	cfg->topology = (ec_topology){EC_TOPO_SMALL_WORLD, 0, 0, 12};
	cfg->tokens_per_node = 1;
	cfg->tx_rate = 3;
	cfg->drain = 10;
	ec_rng_seed_from_u64(11, cfg->seed);
}

/* Runs cfg to the end; the result and the run's JSON (malloc'd) out. */
static void
run_json(const ec_sim_config *cfg, ec_sim_result *res, char **json)
{
	ec_sim *sim = NULL;
	assert_int_equal(ec_sim_new(cfg, &sim), EC_OK);
	assert_int_equal(ec_sim_run(sim), EC_OK);
	assert_int_equal(ec_sim_result_get(sim, res), EC_OK);
	ec_sim_free(sim);
	size_t len = 0;
	FILE *f = open_memstream(json, &len);
	assert_non_null(f);
	ec_run_meta meta = {.nodes = cfg->nodes, .threads = cfg->threads};
	assert_int_equal(ec_report_json(f, cfg->seed, &meta, res), 0);
	assert_int_equal(fclose(f), 0);
}

/* From 10 nodes to 40 at 3 a round: the live count after each round, the
 * joins, the views (the gossip converges), nothing dropped, and a tick
 * for each live node in each round (down or unborn nodes never tick). */
static void
test_growth(void **state)
{
	(void)state;
	ec_sim_config cfg;
	config_of(&cfg, 40, 10, 0, 80);
	cfg.join_rate = 3;
	ec_sim *sim = NULL;
	assert_int_equal(ec_sim_new(&cfg, &sim), EC_OK);
	assert_int_equal(ec_sim_nodes_live(sim), 10);
	__atomic_store_n(&g_ticks, 0, __ATOMIC_RELAXED);
	bool more = true;
	for (uint64_t r = 0; more; r++) {
		assert_int_equal(ec_sim_step(sim, &more), EC_OK);
		uint64_t want = 10 + 3 * (r + 1);
		assert_int_equal(ec_sim_nodes_live(sim), want < 40 ? want : 40);
	}
	ec_sim_result res;
	assert_int_equal(ec_sim_result_get(sim, &res), EC_OK);
	ec_sim_free(sim);
	const ec_open_result *o = &res.open;
	assert_true(o->open);
	assert_int_equal(o->start_nodes, 10);
	assert_int_equal(o->slots, 40);
	assert_int_equal(o->joins, 30);
	assert_int_equal(o->nodes_live_end, 40);
	assert_int_equal(o->crashes + o->leaves + o->rejoins, 0);
	assert_int_equal(o->dropped, 0); /* nobody knows a node before it joins */
	assert_int_equal(o->join_rounds.count + o->join_unfinished, 30);
	assert_true(o->join_rounds.count >= 25);
	assert_true(o->join_rounds.p50 >= 1 && o->join_rounds.p50 <= o->join_rounds.p95);
	assert_true(o->has_view && o->view_exact_fraction > 0.9);
	assert_true(o->has_view_ready && o->view_exact_fraction_ready > 0.9);
	assert_true(o->has_view_min && o->view_exact_min <= o->view_exact_fraction);
	assert_true(o->degree_live_min >= 2 * G_W && o->degree_live_max <= G_MAXP);
	/* 10 nodes in round 0 .. 40 from round 9 on: live node-rounds */
	uint64_t lnr = 0;
	for (uint64_t r = 0; r < 80; r++)
		lnr += 10 + 3 * (r + 1) < 40 ? 10 + 3 * (r + 1) : 40;
	assert_int_equal(o->live_node_rounds, lnr);
	assert_int_equal(__atomic_load_n(&g_ticks, __ATOMIC_RELAXED), lnr);
	assert_true(o->has_peer_messages);
	assert_int_equal(o->lifecycle_messages, res.msg_counters[0]);
	assert_true(o->peer_messages_per_node_per_round > 1.0);
	assert_int_equal(res.messages, res.by_type[EC_MSG_QUERY_TOKEN] + o->dropped);
	assert_true(res.committed > 50);
}

/* Churn with returns and goodbyes: what the hooks saw of the schedule (a
 * departing node was live, a returning one crashed 7 rounds before, a new
 * node replaces each leave), the live count after every round, dropped
 * messages, recoveries, and the stale votes recounted. */
static void
test_churn(void **state)
{
	(void)state;
	ec_sim_config cfg;
	config_of(&cfg, 40, 30, 2.0 / 3.0, 150);
	cfg.join_rate = 2;
	cfg.rejoin_after = 7;
	cfg.leave_graceful = 0.3;
	seen *v = calloc(1, sizeof *v);
	assert_non_null(v);
	cfg.hooks = (ec_sim_hooks){.user = v, .membership = on_member, .block_created = on_created,
	                           .block_committed = on_committed, .node_event = on_event,
	                           .round_done = on_round};
	ec_sim *sim = NULL;
	assert_int_equal(ec_sim_new(&cfg, &sim), EC_OK);
	v->live = 30; /* the starters */
	__atomic_store_n(&g_ticks, 0, __ATOMIC_RELAXED);
	uint64_t lnr = 0;
	bool more = true;
	while (more) {
		assert_int_equal(ec_sim_step(sim, &more), EC_OK);
		assert_int_equal(ec_sim_nodes_live(sim), v->live);
		lnr += v->live;
	}
	ec_sim_result res;
	assert_int_equal(ec_sim_result_get(sim, &res), EC_OK);
	ec_sim_free(sim);
	const ec_open_result *o = &res.open;
	assert_int_equal(o->joins, v->joins);
	assert_int_equal(o->crashes, v->crashes);
	assert_int_equal(o->leaves, v->leaves);
	assert_int_equal(o->rejoins, v->rejoins);
	assert_true(o->crashes >= 10 && o->leaves >= 3 && o->rejoins >= 8);
	assert_int_equal(o->joins, 10 + o->leaves); /* growth, then one per leave */
	assert_int_equal(o->slots, 40 + o->leaves);
	assert_int_equal(o->nodes_live_end, v->live);
	assert_int_equal(o->live_node_rounds, lnr);
	assert_int_equal(__atomic_load_n(&g_ticks, __ATOMIC_RELAXED), lnr);
	assert_true(o->dropped > 0); /* peers ping a crashed node until they drop it */
	assert_int_equal(res.messages, res.by_type[EC_MSG_QUERY_TOKEN] + o->dropped);
	assert_int_equal(o->recovery_rounds.count + o->recovery_unfinished, o->crashes + o->leaves);
	assert_true(o->recovery_rounds.count > 0 && o->recovery_rounds.p50 >= 1);
	assert_true(o->rejoin_rounds.count > 0 && o->rejoin_rounds.count + o->rejoin_unfinished <=
	                                                 o->rejoins);
	assert_int_equal(o->token_votes, v->votes);
	assert_int_equal(o->stale_votes, v->stale);
	assert_true(v->votes > 100 && v->stale > 0 && v->stale < v->votes);
	free(v);
}

/* One output for any number of workers: 150 slots make two workers. */
static void
test_threads(void **state)
{
	(void)state;
	ec_sim_config cfg;
	config_of(&cfg, 150, 100, 0.5, 60);
	cfg.rejoin_after = 5;
	cfg.leave_graceful = 0.5;
	cfg.join_rate = 5;
	char *one, *two;
	ec_sim_result r1, r2;
	cfg.threads = 1;
	run_json(&cfg, &r1, &one);
	cfg.threads = 2;
	run_json(&cfg, &r2, &two);
	assert_true(r1.open.crashes + r1.open.leaves > 10);
	assert_string_equal(one, two);
	free(one);
	free(two);
}

/* A run that starts with all its nodes and has no churn is static: its
 * JSON is that of a run without the open settings, and has no open key;
 * an open run's JSON has them. */
static void
test_static_output(void **state)
{
	(void)state;
	ec_sim_config cfg;
	config_of(&cfg, 40, 0, 0, 40);
	char *plain, *same, *open;
	ec_sim_result r;
	run_json(&cfg, &r, &plain);
	assert_false(r.open.open);
	cfg.start_nodes = 40;
	cfg.join_rate = 7;
	cfg.bootstrap_peers = 9;
	cfg.rejoin_after = 3;
	cfg.leave_graceful = 0.5;
	run_json(&cfg, &r, &same);
	assert_string_equal(plain, same);
	assert_null(strstr(plain, "join_rounds"));
	assert_null(strstr(plain, "view_exact"));
	cfg.start_nodes = 30;
	run_json(&cfg, &r, &open);
	assert_true(r.open.open);
	const char *keys[] = {"\"join_rounds_p50\":", "\"join_rounds_p95\":",
	                      "\"recovery_rounds_p50\":", "\"recovery_rounds_p95\":",
	                      "\"view_exact_fraction\":", "\"view_exact_min\":",
	                      "\"degree_live_min\":", "\"degree_live_mean\":", "\"degree_live_max\":",
	                      "\"peer_messages_per_node_per_round\":", "\"stale_votes\":",
	                      "\"nodes_live_end\":40", "\"dropped_to_down\":0",
	                      "\"recovery_rounds_p50\":null"};
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
		assert_non_null(strstr(open, keys[k]));
	free(plain);
	free(same);
	free(open);
}

/* What ec_sim_config_check refuses of an open network. */
static void
test_config_checks(void **state)
{
	(void)state;
	ec_sim_config cfg;
	config_of(&cfg, 40, 10, 0, 40);
	assert_null(ec_sim_config_check(&cfg));
	assert_true(ec_sim_config_open(&cfg));
	cfg.start_nodes = 1;
	assert_non_null(ec_sim_config_check(&cfg));
	cfg.start_nodes = 41;
	assert_non_null(ec_sim_config_check(&cfg));
	cfg.start_nodes = 10;
	cfg.topology = (ec_topology){EC_TOPO_RANDOM, 0.5, 0, 0};
	assert_non_null(strstr(ec_sim_config_check(&cfg), "bounded-degree"));
	config_of(&cfg, 40, 0, 0.1, 40);
	assert_true(ec_sim_config_open(&cfg));
	cfg.protocol = ec_protocol_find("seed");
	assert_non_null(strstr(ec_sim_config_check(&cfg), "open-network calls"));
	config_of(&cfg, 40, 0, 1.5, 40);
	assert_non_null(ec_sim_config_check(&cfg));
	config_of(&cfg, 40, 0, 0.1, 40);
	cfg.leave_graceful = -0.1;
	assert_non_null(ec_sim_config_check(&cfg));
	config_of(&cfg, 40, 0, 0, 40);
	cfg.start_nodes = 40;
	cfg.protocol = ec_protocol_find("seed");
	cfg.topology = (ec_topology){EC_TOPO_RANDOM, 0.5, 0, 0};
	assert_null(ec_sim_config_check(&cfg)); /* static: nothing to refuse */
}

/* ---- the parts ------------------------------------------------------------ */

static void
test_window_exact(void **state)
{
	(void)state;
	const uint64_t ring[] = {10, 20, 30, 40, 50, 60, 70};
	/* node 40 (r = 3), w = 2: 20 30 below, 50 60 above */
	const uint64_t exact[] = {20, 30, 50, 60};
	const uint64_t more[] = {10, 20, 30, 50, 60, 70};
	const uint64_t dead[] = {20, 30, 45, 50, 60};  /* 45 is not live */
	const uint64_t hole[] = {20, 50, 60};
	const uint64_t self[] = {20, 30, 40, 50, 60};
	assert_true(ecsim__window_exact(ring, 7, 3, exact, 4, 2));
	assert_true(ecsim__window_exact(ring, 7, 3, more, 6, 2));
	assert_false(ecsim__window_exact(ring, 7, 3, dead, 5, 2));
	assert_false(ecsim__window_exact(ring, 7, 3, hole, 3, 2));
	assert_false(ecsim__window_exact(ring, 7, 3, self, 5, 2));
	assert_false(ecsim__window_exact(ring, 7, 3, exact, 4, 3));
	assert_false(ecsim__window_exact(ring, 7, 3, NULL, 0, 2)); /* no peers */
	assert_true(ecsim__window_exact(ring, 1, 0, NULL, 0, 2));  /* alone, rightly */
	assert_false(ecsim__window_exact(ring, 1, 0, exact, 4, 2)); /* alone, with dead peers */
	/* around the ring: node 10 (r = 0) has 60 70 below */
	const uint64_t wrap[] = {20, 30, 60, 70};
	assert_true(ecsim__window_exact(ring, 7, 0, wrap, 4, 2));
	assert_false(ecsim__window_exact(ring, 7, 0, exact, 4, 2));
	/* a ring smaller than the window: everybody else */
	const uint64_t small[] = {10, 20, 30};
	const uint64_t others[] = {10, 30};
	assert_true(ecsim__window_exact(small, 3, 1, others, 2, 4));
	assert_false(ecsim__window_exact(small, 3, 1, others, 1, 4));
}

/* A bare simulator with 200 slots, some live, for the ground truth's parts. */
static ec_sim *
bare_sim(const uint32_t *live, size_t n, uint32_t w)
{
	ec_sim *s = calloc(1, sizeof *s);
	assert_non_null(s);
	s->n = 200;
	assert_int_equal(ecsim_life_calloc(&s->life, 1, sizeof *s->open, (void **)&s->open), EC_OK);
	ecsim_open *o = s->open;
	o->w = w;
	assert_int_equal(ecsim_life_calloc(&s->life, 4, sizeof *o->up, (void **)&o->up), EC_OK);
	assert_int_equal(ecsim_life_calloc(&s->life, 1024, sizeof *o->tokix.slots,
	                                   (void **)&o->tokix.slots), EC_OK);
	o->tokix.nslots = 1024;
	for (size_t k = 0; k < n; k++)
		o->up[live[k] / 64] |= 1ull << (live[k] % 64);
	return s;
}

static void
bare_free(ec_sim *s)
{
	ecsim_life_release(&s->life);
	free(s);
}

static void
affected(ec_sim *s, uint32_t i, uint32_t *out, size_t *n)
{
	ecsim_open *o = s->open;
	assert_int_equal(ecsim__truth_departure(s, i), EC_OK);
	const open_crash *c = &o->crash[o->ncrash - 1];
	*n = c->n;
	memcpy(out, o->aff + c->off, c->n * sizeof *out);
	qsort(out, *n, sizeof *out, ecsim__cmp_u32);
}

static void
test_departure_window(void **state)
{
	(void)state;
	/* live slots spread over four bitmap words, around the ring */
	const uint32_t live[] = {3, 63, 64, 100, 130, 150, 199};
	ec_sim *s = bare_sim(live, 7, 2);
	uint32_t got[8];
	size_t n;
	affected(s, 100, got, &n);
	const uint32_t mid[] = {63, 64, 130, 150};
	assert_int_equal(n, 4);
	assert_memory_equal(got, mid, sizeof mid);
	affected(s, 3, got, &n); /* below 3: 199, 150 around the ring */
	const uint32_t low[] = {63, 64, 150, 199};
	assert_int_equal(n, 4);
	assert_memory_equal(got, low, sizeof low);
	affected(s, 199, got, &n);
	const uint32_t high[] = {3, 63, 130, 150};
	assert_int_equal(n, 4);
	assert_memory_equal(got, high, sizeof high);
	bare_free(s);
	/* fewer live nodes than the window: the others, once */
	const uint32_t few[] = {5, 70, 190};
	s = bare_sim(few, 3, 4);
	affected(s, 70, got, &n);
	const uint32_t both[] = {5, 190};
	assert_int_equal(n, 2);
	assert_memory_equal(got, both, sizeof both);
	bare_free(s);
}

static void
test_token_history(void **state)
{
	(void)state;
	const uint32_t live[] = {1, 2};
	ec_sim *s = bare_sim(live, 2, 2);
	ec_token_part parts[2] = {{111, 0, 1}, {222, 0, 2}};
	outstanding out = {.id = 9, .created = 4, .parts = parts, .used = 2};
	s->round = 6;
	assert_int_equal(ecsim__truth_commit(s, &out), EC_OK);
	out.created = 8;
	out.used = 1;
	s->round = 10;
	assert_int_equal(ecsim__truth_commit(s, &out), EC_OK);
	for (uint64_t t = 0; t < 3000; t++) { /* the index grows */
		parts[0].token = 1000 + t;
		assert_int_equal(ecsim__truth_commit(s, &out), EC_OK);
	}
	uint64_t c = 0;
	assert_false(ecsim__token_move_by(s, 111, 5, &c)); /* not seen yet */
	assert_true(ecsim__token_move_by(s, 111, 6, &c));
	assert_int_equal(c, 4);
	assert_true(ecsim__token_move_by(s, 111, 9, &c));
	assert_int_equal(c, 4);
	assert_true(ecsim__token_move_by(s, 111, 10, &c));
	assert_int_equal(c, 8);
	assert_true(ecsim__token_move_by(s, 222, 100, &c));
	assert_int_equal(c, 4);
	assert_true(ecsim__token_move_by(s, 3999, 10, &c));
	assert_false(ecsim__token_move_by(s, 333, 100, &c));
	bare_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_window_exact),     cmocka_unit_test(test_departure_window),
	    cmocka_unit_test(test_token_history),    cmocka_unit_test(test_config_checks),
	    cmocka_unit_test(test_growth),           cmocka_unit_test(test_churn),
	    cmocka_unit_test(test_threads),          cmocka_unit_test(test_static_output)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
