/* SPDX-License-Identifier: MIT */
/*
 * The round loop of the reference simulator (seed-protocol.md §4.3), driving any
 * ec_protocol.  One ChaCha12 stream is drawn in the reference's order:
 * set-up (node ids, token ids, topology), then per round the token shuffle,
 * the block draws and the queue shuffle.  Nodes never draw.
 *
 * Nodes live in one array in ascending id order (the order they tick in);
 * gen[] maps the generation order, which picks injection targets, to it.
 * The parts of the simulator are listed in sim_int.h; this file builds a
 * run, steps it and releases it.
 */
#include <stdlib.h>
#include <string.h>

#include "open.h"
#include "progress.h"
#include "byzantine.h"
#include "ec/blake3.h"
#include "safety.h"
#include "sim_int.h"

static void
arena_fini(void *arg)
{
	ecsim_arena_fini(&((ec_sim *)arg)->arena);
}

/* The per-node arrays, and the first growth of the queues: their arrays
 * pass between s->q, s->next and s->shuf, so each field is recorded in
 * s->life once, here, and whatever it holds at the end is freed. */
static ec_err
alloc_arrays(ec_sim *s)
{
	ecsim_life *l = &s->life;
	const size_t words = (s->n + 63) / 64;
	s->words = ec_topology_bounded(s->cfg.topology.kind) ? 0 : words; /* dense: a bitmap */
	ec_err err;
	/* the randomly accessed arrays live on huge pages (zeroed) */
	if ((err = ecsim_life_huge(l, s->n, sizeof *s->ids, (void **)&s->ids)) ||
	    (err = ecsim_life_calloc(l, s->n, sizeof *s->gen, (void **)&s->gen)) ||
	    (err = ecsim_life_huge(l, s->n, sizeof *s->views, (void **)&s->views)) ||
	    (err = ecsim_life_calloc(l, words, sizeof *s->active, (void **)&s->active)) ||
	    (err = ecsim_life_huge(l, s->n, sizeof *s->due, (void **)&s->due)) ||
	    (err = ecsim_life_huge(l, s->n, sizeof *s->head, (void **)&s->head)) ||
	    (err = ecsim_life_calloc(l, words, sizeof *s->ready, (void **)&s->ready)) ||
	    (err = ecsim_life_calloc(l, s->n, sizeof *s->peer_buf, (void **)&s->peer_buf)) ||
	    (s->words &&
	     (err = ecsim_life_calloc(l, (size_t)s->n * s->words, sizeof *s->rows, (void **)&s->rows))))
		return err;
	memset(s->due, 0xff, s->n * sizeof *s->due);   /* NOT_DUE */
	memset(s->head, 0xff, s->n * sizeof *s->head); /* no messages */
	msgq *qs[] = {&s->q, &s->next, &s->shuf};
	for (size_t i = 0; i < 3; i++)
		if (!ecsim_life_grow_huge(l, 16, sizeof *qs[i]->v, (void **)&qs[i]->v, &qs[i]->cap))
			return EC_ENOMEM;
	return EC_OK;
}

static void
nodes_fini(void *arg)
{
	ec_sim *s = arg;
	for (uint32_t i = 0; i < s->n; i++)
		s->cfg.protocol->node_fini(node_at(s, i), &s->ctx);
}

/* The node states (zeroed; node_fini accepts that) and their stores. */
static ec_err
alloc_nodes(ec_sim *s)
{
	s->node_size = s->cfg.protocol->node_size;
	ec_err err = ecsim_life_huge(&s->life, s->n, s->node_size, (void **)&s->nodes);
	if (err || (err = ecsim_life_defer(&s->life, nodes_fini, s)))
		return err;
	s->ctx = s->w[0].ctx; /* set-up calls (set_peers) */
	s->views[0] = (ec_memstore_view){s->w[0].store, 0, 0};
	s->ctx.store = ec_memstore_bind(&s->views[0], s->cfg.protocol->store_api);
	if (!s->ctx.store.ops)
		return EC_EINVAL; /* the in-memory store does not offer what it needs */
	for (uint32_t k = 0; k < s->nw; k++)
		s->w[k].ctx.store = s->ctx.store; /* bind_node() swaps the view */
	return EC_OK;
}

/* The network, the ledger and the workers; s->cfg is set. */
static ec_err
setup(ec_sim *s)
{
	const ec_sim_config *cfg = &s->cfg;
	s->n = cfg->nodes;
	if (cfg->tx_per_node > 0) {
		double r = cfg->tx_per_node * (double)cfg->nodes + 0.5;
		s->cfg.tx_rate = r < 1 ? 1 : (uint64_t)r;
	}
	ec_err err = ec_sig_init();
	if (err)
		return err;
	s->msg = cfg->protocol->msg;
	s->wl = cfg->protocol->workload;
	s->sig = cfg->signatures ? cfg->signatures : &ec_sig_keyed_hash;
	s->res.protocol = cfg->protocol;
	s->res.warmup = cfg->warmup;
	s->res.rounds = cfg->rounds > cfg->warmup ? cfg->rounds - cfg->warmup : 0;
	ecsim_arena_init(&s->arena);
	if ((err = ecsim_life_defer(&s->life, arena_fini, s)) || (err = ecsim__open_plan(s)) ||
	    (err = ecsim__workers_init(s)) ||
	    (err = alloc_arrays(s)) || (err = alloc_nodes(s)) || (err = ecsim__safety_init(s)))
		return err;
	uint64_t *gen_ids = malloc(s->n * sizeof *gen_ids); /* set-up only */
	if (!gen_ids)
		return EC_ENOMEM;
	ec_rng_init(&s->rng, cfg->seed);
	sim_progress(&cfg->hooks, "drawing node ids and tokens", 0, s->n);
	if (!(err = ecsim__draw_ids(s, gen_ids)) && !(err = ecsim__ledger_init(s)))
		err = ecsim__network_build(s, gen_ids);
	free(gen_ids);
	if (err)
		return err;
	sim_progress(&cfg->hooks, "counting peers", 0, s->n);
	ecsim__degrees(s);
	ecsim__safety_start(s);
	return ecsim__pool_start(s);
}

void
ecsim__stream(const uint8_t seed[EC_RNG_SEED_BYTES], const char *context, ec_rng *rng)
{
	ec_blake3 h;
	uint8_t out[EC_BLAKE3_OUT_LEN];
	ec_blake3_init_derive_key(&h, context);
	ec_blake3_update(&h, seed, EC_RNG_SEED_BYTES);
	ec_blake3_final(&h, out, sizeof out);
	_Static_assert(EC_BLAKE3_OUT_LEN == EC_RNG_SEED_BYTES, "a hash is a seed");
	ec_rng_init(rng, out);
}

ec_err
ec_sim_new(const ec_sim_config *cfg, ec_sim **out)
{
	*out = NULL;
	if (ec_sim_config_check(cfg))
		return EC_EINVAL;
	ec_sim *s = calloc(1, sizeof *s);
	if (!s)
		return EC_ENOMEM;
	s->cfg = *cfg;
	ec_err err = setup(s);
	if (err) {
		ec_sim_free(s);
		return err;
	}
	*out = s;
	return EC_OK;
}

void
ec_sim_free(ec_sim *s)
{
	if (!s)
		return;
	ecsim_life_release(&s->life);
	free(s);
}

/* True when nothing can ever happen again: every node idle, no outstanding
 * block already committed at its target, and the queue too short for the
 * split to hand anything over (a lone message with delay 0.5 is delayed
 * for ever: floor(1 * 0.5) = 0, which is how the reference's stalled seeds
 * end, seed-protocol.md §5 A6). */
static bool
network_silent(ec_sim *s)
{
	if (s->nout == 0 || ecsim__split_keep(s, s->q.len) != 0)
		return false;
	if (s->open && ecsim__open_pending(s))
		return false; /* nodes are still to join or return */
	if (s->byz && s->byz->nheld)
		return false; /* a delaying node still holds messages */
	if (ecsim__any_outstanding_committed(s))
		return false;
	for (size_t w = 0; w < (s->n + 63) / 64; w++)
		if (s->active[w])
			return false;
	for (uint32_t k = 0; k < s->nw; k++)
		if (s->w[k].wheel.ntimed)
			return false; /* a timer will wake a node */
	return true;
}

/* Step D's preparation: the receivers of the `deliver` messages at the
 * head of the queue (s->rcv) and what the statistics count of them and of
 * the `lost` ones after them. */
static ec_err
prepare_delivery(ec_sim *s, size_t deliver, size_t lost)
{
	const bool measured = s->round >= s->cfg.warmup;
	if (deliver >= UINT32_MAX)
		return EC_EFULL; /* message lists (s->head, s->link) index deliveries in 32 bits */
	if (!grow(&s->life, deliver, sizeof *s->rcv, (void **)&s->rcv, &s->rcvcap) ||
	    !grow(&s->life, deliver, sizeof *s->link, (void **)&s->link, &s->linkcap))
		return EC_ENOMEM;
	uint64_t logical = 0, lost_logical = 0;
	for (size_t i = deliver; i < deliver + lost; i++)
		lost_logical += s->msg->logical(&s->q.v[i]);
	/* receivers and counts: on the workers, each a slice, where every
	 * node's peer list is built already (bounded topologies); else here,
	 * building receivers' lists from their adjacency rows as they come */
	s->ndeliver = deliver;
	ec_err err;
	if (s->rows || s->nw == 1) {
		ecsim__prep_range(s, 0, deliver, measured, &s->w[0].prep);
		for (uint32_t k = 1; k < s->nw; k++)
			memset(&s->w[k].prep, 0, sizeof s->w[k].prep);
		for (size_t i = 0; s->rows && i < deliver; i++)
			if (s->rcv[i] != UINT32_MAX && (err = ecsim__materialize(s, s->rcv[i])))
				return err; /* the round wakes it */
	} else if ((err = ecsim__run_phase(s, PHASE_PREP))) {
		return err;
	}
	for (uint32_t k = 0; k < s->nw; k++) {
		const prep_stats *st = &s->w[k].prep;
		logical += st->logical;
		s->res.bytes += st->bytes;
		for (size_t t = 0; t < EC_MSG_COUNTERS; t++)
			s->res.msg_counters[t] += st->counters[t];
		for (size_t t = 0; t <= EC_MSG_TYPE_MAX; t++)
			s->res.by_type[t] += st->by_type[t];
		if (s->open)
			s->open->res.dropped += st->dropped;
	}
	s->res.messages_all += logical;
	if (measured) {
		s->res.messages += logical;
		s->res.envelopes += deliver;
		s->res.lost += lost_logical;
	}
	return EC_OK;
}

ec_err
ec_sim_step(ec_sim *s, bool *more)
{
	ec_err err;
	*more = false;
	if (s->over || s->round >= s->cfg.rounds)
		return EC_OK;
	ecsim__bus_round_start(s);
	/* open networks: this round's joins, departures and returns */
	if (s->open && (err = ecsim__open_events(s)))
		return err;
	/* A and B: commits free tokens; free tokens make new blocks */
	if ((err = ecsim__detect_commits(s)) || (err = ecsim__create_blocks(s)))
		return err;
	/* C: shuffle the queue; the head is delivered (minus the lost tail of
	 * the head), the rest waits for the next round in shuffled order */
	size_t n = s->q.len, deliver, lost;
	if ((err = ecsim__bus_shuffle_split(s, &deliver, &lost)) ||
	    (err = ecsim__byz_express(s, deliver)))
		return err;
	size_t fresh = s->next.len; /* from here on, what this round sends */
	if ((err = ecsim__merge_outputs(s, &s->next))) /* whatever block submission sent */
		return err;
	/* D and E: delivery in shuffled order, then every node ticks in
	 * ascending id (only the active ones: an idle node would only count
	 * time).  Each worker runs D and E together, node by node, and their
	 * outputs are merged back into single-thread order. */
	if ((err = prepare_delivery(s, deliver, lost)) || (err = ecsim__run_phase(s, PHASE_ROUND)) ||
	    (err = ecsim__merge_outputs(s, &s->next)) || (err = ecsim__byz_hold(s, fresh)))
		return err;
	ecsim__process_commits(s);
	if ((err = ecsim__byz_round(s)))
		return err;
	if (s->open && (err = ecsim__truth_round(s))) /* the views against the truth */
		return err;

	msgq t = s->q;
	s->q = s->next;
	s->next = t;
	s->next.len = 0;
	if (s->cfg.max_queue && s->q.len > s->cfg.max_queue)
		return EC_EFULL; /* a flooding protocol would take the machine's memory */
	if (s->cfg.hooks.round_done)
		s->cfg.hooks.round_done(s->cfg.hooks.user, s->round, n, deliver, lost);
	s->round++;
	s->res.rounds_run = s->round;
	if (s->res.safety.violated && !s->byz) { /* two conflicting blocks committed: stop here */
		s->over = true;
		s->res.rounds = s->round > s->cfg.warmup ? s->round - s->cfg.warmup : 0; /* measured */
		return EC_OK;
	}
	if (network_silent(s)) {
		s->over = true;
		s->res.stalled = true;
		s->res.stall_round = s->round;
		if (s->cfg.hooks.stalled)
			s->cfg.hooks.stalled(s->cfg.hooks.user, s->round);
		return EC_OK;
	}
	*more = s->round < s->cfg.rounds;
	return EC_OK;
}

ec_err
ec_sim_run(ec_sim *s)
{
	bool more = true;
	while (more) {
		ec_err err = ec_sim_step(s, &more);
		if (err)
			return err;
	}
	return EC_OK;
}
