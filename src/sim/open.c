/* SPDX-License-Identifier: MIT */
/*
 * Open networks (open.h; docs/open-network.md, "Simulator"): the schedule
 * of joins, departures and returns, drawn whole at set-up from a stream of
 * its own; the starting nodes' set-up; and, at the start of each round,
 * carrying out that round's events.
 *
 * Generation order (the order the ids are drawn in) names the slots: the
 * first start_nodes are seeded at set-up, the rest up to `nodes` join at
 * the join rate from round 0 on, and the slots after `nodes` are the new
 * nodes that replace departures.  A round's events run in this order:
 * returns, departures, joins.  What nodes send while the events run is
 * tagged with the event's place in the round, so the queue gets it in one
 * order for any number of workers, and is delivered from this round on.
 */
#include <stdlib.h>
#include <string.h>

#include "ec/blake3.h"
#include "byzantine.h"
#include "open.h"
#include "progress.h"
#include "topology.h"

/* ---- the schedule ----------------------------------------------------- */


static double
unit(ec_rng *rng)
{
	return (double)(ec_rng_u64(rng) >> 11) * 0x1p-53;
}

/* The live set while the schedule is drawn, by generation index. */
typedef struct plan {
	uint32_t *live, *pos; /* the live slots, in no order, and each one's place */
	size_t nlive, cap;    /* cap: slots there is room for */
	struct {
		uint64_t round;
		uint32_t slot;
	} *back;               /* crashed nodes to come back, in round order */
	size_t hback, nback, backcap;
} plan;

static ec_err
plan_room(plan *p, size_t slots)
{
	if (slots <= p->cap)
		return EC_OK;
	size_t cap = p->cap ? p->cap : 1024;
	while (cap < slots)
		cap *= 2;
	uint32_t *live = realloc(p->live, cap * sizeof *live);
	if (!live)
		return EC_ENOMEM;
	p->live = live;
	uint32_t *pos = realloc(p->pos, cap * sizeof *pos);
	if (!pos)
		return EC_ENOMEM;
	p->pos = pos;
	p->cap = cap;
	return EC_OK;
}

static void
plan_add(plan *p, uint32_t slot)
{
	p->pos[slot] = (uint32_t)p->nlive;
	p->live[p->nlive++] = slot;
}

static void
plan_remove(plan *p, uint32_t slot)
{
	uint32_t at = p->pos[slot], last = p->live[--p->nlive];
	p->live[at] = last;
	p->pos[last] = at;
}

static ec_err
plan_event(ec_sim *s, uint64_t round, uint32_t slot, uint8_t kind)
{
	ecsim_open *o = s->open;
	if (!grow(&s->life, o->nev + 1, sizeof *o->ev, (void **)&o->ev, &o->evcap))
		return EC_ENOMEM;
	o->ev[o->nev++] = (open_event){round, slot, kind};
	return EC_OK;
}

/* Departures of round r: churn/100 of the live nodes a round, carried over
 * in *owed so that a small network still loses its share; at least two
 * nodes stay.  A graceful one (leave) never comes back; a crashed one
 * comes back rejoin_after rounds later, or never (0).  Sets *replace to
 * the number that do not come back: as many new nodes join. */
static ec_err
plan_departures(ec_sim *s, plan *p, uint64_t r, double *owed, uint64_t *replace)
{
	const ec_sim_config *cfg = &s->cfg;
	ecsim_open *o = s->open;
	*owed += cfg->churn / 100.0 * (double)p->nlive;
	*replace = 0;
	for (; *owed >= 1.0; *owed -= 1.0) {
		if (p->nlive <= 2)
			continue;
		uint32_t slot = p->live[ec_rng_index(&o->rng, p->nlive)];
		bool graceful = cfg->leave_graceful > 0 && unit(&o->rng) < cfg->leave_graceful;
		plan_remove(p, slot);
		ec_err err = plan_event(s, r, slot, graceful ? OPEN_LEAVE : OPEN_CRASH);
		if (err)
			return err;
		if (graceful || !cfg->rejoin_after) {
			(*replace)++;
			continue;
		}
		if (cfg->rejoin_after >= cfg->rounds - r)
			continue; /* it would come back after the run */
		if (p->nback == p->backcap) { /* set-up scratch, not the run's */
			size_t cap = p->backcap ? 2 * p->backcap : 256;
			void *back = realloc(p->back, cap * sizeof *p->back);
			if (!back)
				return EC_ENOMEM;
			p->back = back;
			p->backcap = cap;
		}
		p->back[p->nback].round = r + cfg->rejoin_after;
		p->back[p->nback++].slot = slot;
	}
	return EC_OK;
}

/* Draws the schedule; *slots receives the number of slots it needs. */
static ec_err
plan_draw(ec_sim *s, plan *p, uint32_t *slots)
{
	const ec_sim_config *cfg = &s->cfg;
	ecsim_open *o = s->open;
	uint64_t nslots = cfg->nodes;
	uint32_t next = o->start; /* the next of the first `nodes` to join */
	double owed = 0;
	ec_err err = plan_room(p, nslots);
	for (uint32_t k = 0; !err && k < o->start; k++)
		plan_add(p, k);
	for (uint64_t r = 0; !err && r < cfg->rounds; r++) {
		if (cfg->churn <= 0 && next == cfg->nodes)
			break; /* everybody is in, and nobody leaves */
		for (; p->hback < p->nback && p->back[p->hback].round == r && !err; p->hback++) {
			plan_add(p, p->back[p->hback].slot);
			err = plan_event(s, r, p->back[p->hback].slot, OPEN_REJOIN);
		}
		uint64_t replace = 0;
		if (err || (err = plan_departures(s, p, r, &owed, &replace)))
			break;
		uint32_t grow_by = cfg->nodes - next < cfg->join_rate ? cfg->nodes - next : cfg->join_rate;
		for (uint32_t k = 0; k < grow_by && !err; k++, next++) {
			plan_add(p, next);
			err = plan_event(s, r, next, OPEN_JOIN);
		}
		if (!err && nslots + replace > UINT32_MAX - 64)
			err = EC_EINVAL; /* node indexes are 32-bit */
		if (!err)
			err = plan_room(p, nslots + replace);
		for (uint64_t k = 0; k < replace && !err; k++, nslots++) {
			plan_add(p, (uint32_t)nslots);
			err = plan_event(s, r, (uint32_t)nslots, OPEN_JOIN);
		}
	}
	*slots = (uint32_t)nslots;
	return err;
}

/* w: the protocol's neighbourhood under the run's settings. */
static uint32_t
window_of(const ec_sim_config *cfg)
{
	const ec_proto_config *pc = cfg->protocol->config;
	if (!pc)
		return cfg->neighbourhood ? cfg->neighbourhood : 4;
	if (cfg->protocol_config)
		return pc->neighbourhood(cfg->protocol_config);
	_Alignas(max_align_t) unsigned char defaults[EC_PROTO_CONFIG_MAX];
	pc->init(defaults);
	return pc->neighbourhood(defaults);
}

ec_err
ecsim__open_plan(ec_sim *s)
{
	const ec_sim_config *cfg = &s->cfg;
	if (!ec_sim_config_open(cfg))
		return EC_OK;
	ec_err err = ecsim_life_calloc(&s->life, 1, sizeof *s->open, (void **)&s->open);
	if (err)
		return err;
	ecsim_open *o = s->open;
	o->start = cfg->start_nodes ? cfg->start_nodes : cfg->nodes;
	o->w = window_of(cfg);
	o->admit = EC_IDENTITY_PARAMS_SIM;
	o->admit.bits = cfg->identity_bits;
	ecsim__stream(cfg->seed, "ecsim open network schedule v1", &o->rng); /* its own */
	sim_progress(&cfg->hooks, "drawing the joins and departures", 0, cfg->nodes);
	plan p = {0};
	uint32_t slots = 0;
	err = plan_draw(s, &p, &slots);
	free(p.live);
	free(p.pos);
	free(p.back);
	if (err)
		return err;
	s->n = slots;
	const size_t words = (slots + 63) / 64;
	ecsim_life *l = &s->life;
	if ((err = ecsim_life_huge(l, slots, sizeof *o->claims, (void **)&o->claims)) ||
	    (err = ecsim_life_huge(l, slots, sizeof *o->slot, (void **)&o->slot)) ||
	    (err = ecsim_life_calloc(l, words, sizeof *o->up, (void **)&o->up)) ||
	    (err = ecsim_life_calloc(l, words, sizeof *o->exact, (void **)&o->exact)) ||
	    (err = ecsim_life_calloc(l, words, sizeof *o->rdy, (void **)&o->rdy)) ||
	    (err = ecsim_life_huge(l, slots, sizeof *o->livev, (void **)&o->livev)) ||
	    (err = ecsim_life_huge(l, slots, sizeof *o->lv, (void **)&o->lv)) ||
	    (err = ecsim_life_huge(l, slots, sizeof *o->lvid, (void **)&o->lvid)) ||
	    (err = ecsim_life_calloc(l, 1024, sizeof *o->tokix.slots, (void **)&o->tokix.slots)))
		return err;
	if (cfg->lazy_storage > 0 || (cfg->byzantine.behaviours & EC_BHV_STORAGE_CHEAT)) {
		if ((err = ecsim_life_calloc(l, words, sizeof *o->lazy, (void **)&o->lazy)) ||
		    (err = ecsim_life_huge(l, slots, sizeof *o->evicted_at, (void **)&o->evicted_at)) ||
		    (err = ecsim_life_huge(l, slots, sizeof *o->lazy_join, (void **)&o->lazy_join)))
			return err;
		for (uint32_t i = 0; i < slots; i++)
			o->evicted_at[i] = UINT64_MAX;
	}
	o->tokix.nslots = 1024;
	o->res.open = true;
	o->res.start_nodes = o->start;
	o->res.slots = slots;
	return EC_OK;
}

bool
ecsim__open_pending(const ec_sim *s)
{
	return s->open->next < s->open->nev;
}

uint32_t
ecsim__open_pick(ec_sim *s)
{
	return s->open->livev[ec_rng_index(&s->rng, s->open->nlive)];
}

uint32_t
ec_sim_nodes_live(const ec_sim *s)
{
	return s->open ? s->open->nlive : s->n;
}

/* ---- live and down ------------------------------------------------------ */

static void
set_live(ecsim_open *o, uint32_t i, uint64_t round)
{
	o->up[i / 64] |= 1ull << (i % 64);
	o->slot[i].pos = o->nlive;
	o->livev[o->nlive++] = i;
	o->slot[i].state = SLOT_LIVE;
	o->slot[i].up_round = round;
	o->dirty = true;
}

static void
set_down(ec_sim *s, uint32_t i, uint8_t state)
{
	ecsim_open *o = s->open;
	o->up[i / 64] &= ~(1ull << (i % 64));
	uint32_t at = o->slot[i].pos, last = o->livev[--o->nlive];
	o->livev[at] = last;
	o->slot[last].pos = at;
	o->slot[i].state = state;
	o->slot[i].pending = PENDING_NONE;
	o->dirty = true;
	/* it neither ticks nor wakes until it comes back */
	s->active[i / 64] &= ~(1ull << (i % 64));
	worker *w = owner(s, i);
	(void)ecsim_wheel_set(&w->life, &w->wheel, s->due, i, NOT_DUE); /* never allocates */
}

/* ---- joining ------------------------------------------------------------- */

/* Node i's join of this kind with the nc contacts (node indexes) in
 * o->contacts; what it sends is tagged seq. */
static ec_err
node_join(ec_sim *s, uint32_t i, ec_join_kind kind, size_t nc, size_t seq)
{
	ecsim_open *o = s->open;
	if (!grow(&s->life, nc ? nc : 1, sizeof *o->cbuf, (void **)&o->cbuf, &o->cbcap))
		return EC_ENOMEM;
	for (size_t k = 0; k < nc; k++)
		o->cbuf[k] = (ec_contact){s->ids[o->contacts[k]], ecsim__node_addr(o->contacts[k])};
	/* a secret no other node can tell (audit nonces): the simulation's
	 * own, from the seed and the node */
	uint64_t secret = 0;
	memcpy(&secret, s->cfg.seed, sizeof secret);
	ec_join j = {.kind = kind, .boot = o->cbuf, .nboot = nc, .self = &o->claims[i],
	             .addr = ecsim__node_addr(i), .admit = o->admit,
	             .secret = ec_mix64(secret ^ ec_mix64(s->ids[i]))};
	worker *w = owner(s, i);
	bind_node(w, i);
	w->oi = 0;
	w->tag = seq;
	return s->cfg.protocol->open->join(node_at(s, i), &w->ctx, &j);
}

/* Up to bootstrap_peers distinct live nodes into o->contacts, drawn from
 * the schedule's stream (a partial shuffle of the live set); the joiner
 * is not live yet, so never its own contact. */
static ec_err
draw_contacts(ec_sim *s, size_t *nc)
{
	ecsim_open *o = s->open;
	size_t n = s->cfg.bootstrap_peers < o->nlive ? s->cfg.bootstrap_peers : o->nlive;
	if (!grow(&s->life, n ? n : 1, sizeof *o->contacts, (void **)&o->contacts, &o->ccap))
		return EC_ENOMEM;
	for (size_t k = 0; k < n; k++) {
		size_t j = k + ec_rng_index(&o->rng, o->nlive - k);
		uint32_t a = o->livev[k], b = o->livev[j];
		o->livev[k] = b;
		o->livev[j] = a;
		o->slot[b].pos = (uint32_t)k;
		o->slot[a].pos = (uint32_t)j;
		o->contacts[k] = b;
	}
	*nc = n;
	return EC_OK;
}

/* A new node: initialised, its clock at the round, joined with random
 * contacts, live and awake. */
static ec_err
join_new(ec_sim *s, uint32_t i, size_t seq)
{
	void *node = node_at(s, i);
	size_t nc;
	ec_err err = s->cfg.protocol->node_init(node, s->ids[i], s->cfg.protocol_config);
	if (err || (err = draw_contacts(s, &nc)))
		return err;
	ecsim__byz_attach(s, i);
	ecsim_open *o = s->open;
	ecsim__byz_storage(s, i);
	if (o->lazy && unit(&o->rng) < s->cfg.lazy_storage) { /* a freeloader */
		o->lazy[i / 64] |= 1ull << (i % 64);
		s->views[i].drop_tokens = UINT32_MAX;
		o->lazy_join[i] = s->round;
		o->res.lazy_nodes++;
	}
	s->ready[i / 64] |= 1ull << (i % 64); /* it keeps its own peers */
	catch_up(s, node);
	if ((err = node_join(s, i, EC_JOIN_NEW, nc, seq)))
		return err;
	set_live(s->open, i, s->round);
	s->open->res.joins++;
	if ((err = ecsim__wake(s, i)))
		return err;
	return open_lazy(o, i) ? EC_OK : ecsim__truth_joined(s, i, PENDING_JOIN);
}

/* A crashed node back with its state: its clock jumps over the rounds it
 * missed, and it joins again from random contacts. */
static ec_err
come_back(ec_sim *s, uint32_t i, size_t seq)
{
	size_t nc;
	ec_err err = draw_contacts(s, &nc);
	if (err)
		return err;
	catch_up(s, node_at(s, i));
	if ((err = node_join(s, i, EC_JOIN_RESUME, nc, seq)))
		return err;
	set_live(s->open, i, s->round);
	s->open->res.rejoins++;
	if ((err = ecsim__wake(s, i)))
		return err;
	return open_lazy(s->open, i) ? EC_OK : ecsim__truth_joined(s, i, PENDING_REJOIN);
}

/* A departure: a graceful one says goodbye first (leave); either way the
 * node is down from now on, its state kept. */
static ec_err
depart(ec_sim *s, uint32_t i, bool graceful, size_t seq)
{
	ec_err err = ecsim__truth_departure(s, i);
	if (err)
		return err;
	if (graceful) {
		void *node = node_at(s, i);
		worker *w = owner(s, i);
		catch_up(s, node);
		bind_node(w, i);
		w->oi = 0;
		w->tag = seq;
		if ((err = s->cfg.protocol->open->leave(node, &w->ctx)))
			return err;
		s->open->res.leaves++;
	} else {
		s->open->res.crashes++;
	}
	set_down(s, i, graceful ? SLOT_LEFT : SLOT_DOWN);
	return EC_OK;
}

ec_err
ecsim__open_events(ec_sim *s)
{
	ecsim_open *o = s->open;
	static const ec_member_event said[] = {[OPEN_JOIN] = EC_MEMBER_JOIN,
	                                       [OPEN_CRASH] = EC_MEMBER_CRASH,
	                                       [OPEN_LEAVE] = EC_MEMBER_LEAVE,
	                                       [OPEN_REJOIN] = EC_MEMBER_REJOIN};
	size_t seq = 0;
	for (; o->next < o->nev && o->ev[o->next].round == s->round; o->next++, seq++) {
		const open_event *e = &o->ev[o->next];
		uint32_t i = s->gen[e->slot];
		ec_err err = e->kind == OPEN_JOIN     ? join_new(s, i, seq)
		             : e->kind == OPEN_REJOIN ? come_back(s, i, seq)
		                                      : depart(s, i, e->kind == OPEN_LEAVE, seq);
		if (err)
			return err;
		if (s->cfg.hooks.membership)
			s->cfg.hooks.membership(s->cfg.hooks.user, s->round, s->ids[i], said[e->kind]);
	}
	if (!seq)
		return EC_OK;
	ecsim__truth_ring(s);
	return ecsim__merge_outputs(s, &s->q); /* delivered from this round on */
}

/* ---- set-up ---------------------------------------------------------------- */

typedef struct seeding {
	ec_sim *s;
	const uint32_t *start; /* the starting nodes in ring order */
	size_t seq;
} seeding;

/* A starting node's peers from the topology drawn over the starting nodes
 * (positions in ring order): set, then the seeded join with them as its
 * contacts. */
static ec_err
seed_node(void *user, uint32_t at, const uint32_t *peers, size_t n)
{
	seeding *b = user;
	ec_sim *s = b->s;
	ecsim_open *o = s->open;
	uint32_t i = b->start[at];
	if (!grow(&s->life, n ? n : 1, sizeof *o->contacts, (void **)&o->contacts, &o->ccap))
		return EC_ENOMEM;
	for (size_t k = 0; k < n; k++) {
		o->contacts[k] = b->start[peers[k]];
		s->peer_buf[k] = s->ids[o->contacts[k]];
	}
	ec_err err = ecsim__hand_peers(s, i, n);
	if (err || (err = node_join(s, i, EC_JOIN_SEEDED, n, b->seq++)))
		return err;
	set_live(o, i, 0);
	return EC_OK;
}

/* The claims in node index order (they were mined in generation order). */
static ec_err
claims_by_index(ec_sim *s)
{
	ecsim_open *o = s->open;
	ec_identity_claim *t = malloc((size_t)s->n * sizeof *t);
	if (!t)
		return EC_ENOMEM;
	for (uint32_t k = 0; k < s->n; k++)
		t[s->gen[k]] = o->claims[k];
	memcpy(o->claims, t, (size_t)s->n * sizeof *t);
	free(t);
	return EC_OK;
}

ec_err
ecsim__open_build(ec_sim *s)
{
	ecsim_open *o = s->open;
	for (uint32_t i = 0; i < s->n; i++)
		s->views[i] = (ec_memstore_view){owner(s, i)->store, i, 0};
	ec_err err = claims_by_index(s);
	if (err)
		return err;
	uint32_t *start = malloc((size_t)o->start * sizeof *start);
	if (!start)
		return EC_ENOMEM;
	for (uint32_t k = 0; k < o->start; k++)
		start[k] = s->gen[k];
	qsort(start, o->start, sizeof *start, ecsim__cmp_u32);
	sim_progress(&s->cfg.hooks, "initialising nodes", 0, o->start);
	for (uint32_t k = 0; k < o->start && !err; k++) {
		err = s->cfg.protocol->node_init(node_at(s, start[k]), s->ids[start[k]],
		                                 s->cfg.protocol_config);
		ecsim__byz_attach(s, start[k]);
		ecsim__byz_storage(s, start[k]);
	}
	/* What the seeded joins send is kept by the bus as if sent in the round
	 * before round 0 (bodies are kept by round parity, and round 0 starts
	 * by freeing its own parity's), then queued for round 0. */
	seeding b = {s, start, 0};
	s->round = 1;
	if (!err)
		err = ec_topology_draw_bounded(&s->rng, &s->cfg.topology, o->start, seed_node, &b,
		                               &s->cfg.hooks);
	s->round = 0;
	free(start);
	if (err)
		return err;
	ecsim__truth_ring(s);
	return ecsim__merge_outputs(s, &s->q);
}
