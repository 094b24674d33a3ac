/* SPDX-License-Identifier: MIT */
/*
 * Byzantine nodes in the simulator (byzantine.h, docs/byzantine.md).
 *
 * Determinism: the choice of nodes and the coalition's key come from a
 * stream of their own; the plan and target calls only read the block
 * records, which change only between the rounds' phases; held and express
 * messages are moved in queue order, which the tag-ordered merge makes the
 * same for any thread count.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "byzantine.h"
#include "ec/adversary.h"
#include "ec/wire.h"
#include "open.h"

/* ---- the attack plan (called from the workers: reads only) ------------ */

/* ec_adversary.plan: attack blocks and the lower twin of a conflict
 * family (the one the honest rule, highest id first, would refuse) are
 * backed; the higher twin is opposed. */
static int
plan_of(void *user, const ec_id *block)
{
	const ec_sim *s = user;
	uint32_t r = ecsim__rec_find(s, ec_id_pos(block));
	if (r == UINT32_MAX)
		return 0;
	const blkrec *b = &s->recs[r];
	if (b->forged)
		return 1;
	if (!b->family)
		return 0;
	const conflict_family *f = &s->fams[b->family - 1];
	uint32_t other = f->a == r ? f->b : f->a;
	if (other == r || other >= s->nrecs)
		return 0;
	return ec_id_cmp(&b->full, &s->recs[other].full) < 0 ? 1 : -1;
}

static bool
is_target(const ecsim_byz *z, uint64_t pos)
{
	return z->target_only ? pos == z->target : ec_mix64(pos ^ z->key) < z->cut;
}

static bool
target_of(void *user, uint64_t pos)
{
	const ec_sim *s = user;
	return is_target(s->byz, pos);
}

/* ec_adversary.ally: the coalition signs for its own members. */
static bool
ally_of(void *user, uint64_t pos)
{
	const ec_sim *s = user;
	uint32_t i;
	return node_index(s, pos, &i) && byz_is(s, i);
}

static uint64_t
ring_gap(uint64_t a, uint64_t b)
{
	return a - b < b - a ? a - b : b - a;
}

/* Whether node index i is a live liar other than the one at skip. */
static bool
ally_live(const ec_sim *s, uint32_t i, uint64_t skip)
{
	return byz_is(s, i) && bit_get(s->open->up, i) && s->ids[i] != skip;
}

/* ec_adversary.allies_near (eclipse, open networks): walks the ring both
 * ways from key over the node indexes (ring order), taking the nearer
 * live liar each time. */
static size_t
allies_near(void *user, uint64_t key, uint64_t skip, ec_contact *out, size_t max)
{
	const ec_sim *s = user;
	if (!s->open || max == 0 || s->byz->count == 0)
		return 0;
	uint32_t n = s->n, up = ring_rank(s->ids, n, key), dn = (up + n - 1) % n;
	uint32_t left = n; /* indexes not looked at yet */
	size_t cnt = 0;
	bool have_up = false, have_dn = false;
	while (cnt < max) {
		while (!have_up && left) {
			left--;
			if (!(have_up = ally_live(s, up, skip)))
				up = (up + 1) % n;
		}
		while (!have_dn && left) {
			left--;
			if (!(have_dn = ally_live(s, dn, skip)))
				dn = (dn + n - 1) % n;
		}
		if (!have_up && !have_dn)
			break;
		bool take_up = have_up && (!have_dn || ring_gap(s->ids[up], key) <=
		                                           ring_gap(s->ids[dn], key));
		uint32_t i = take_up ? up : dn;
		out[cnt++] = (ec_contact){s->ids[i], ecsim__node_addr(i)};
		if (up == dn)
			break; /* the two walks met */
		if (take_up) {
			have_up = false;
			up = (up + 1) % n;
		} else {
			have_dn = false;
			dn = (dn + n - 1) % n;
		}
	}
	ec_wire_contacts_sort(out, (uint32_t)cnt); /* ascending ids (docs/wire.md) */
	return cnt;
}

/* ---- choosing the liars ------------------------------------------------ */

static void
mark(ecsim_byz *z, uint32_t i)
{
	if (!bit_get(z->is, i)) {
		z->is[i / 64] |= 1ull << (i % 64);
		z->count++;
	}
}

static ec_err
place_random(ecsim_byz *z, ec_rng *rng, uint32_t n, uint32_t want)
{
	uint32_t *idx = malloc((size_t)n * sizeof *idx);
	if (!idx)
		return EC_ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		idx[i] = i;
	for (uint32_t k = 0; k < want; k++) { /* a partial Fisher-Yates */
		uint32_t j = k + ec_rng_index(rng, n - k);
		uint32_t t = idx[k];
		idx[k] = idx[j];
		idx[j] = t;
		mark(z, idx[k]);
	}
	free(idx);
	return EC_OK;
}

/* The nodes nearest the target in the order a window fills: the first at
 * or above it, the first below, the second above, ... */
static void
place_target(ecsim_byz *z, const ec_sim *s, uint32_t want)
{
	uint32_t r0 = ring_rank(s->ids, s->n, z->target);
	for (uint32_t k = 0; z->count < want; k++) {
		uint32_t off = (k + 1) / 2;
		uint32_t i = k % 2 == 0 ? (r0 + off) % s->n : (r0 + s->n - off % s->n) % s->n;
		mark(z, i);
	}
}

static void
place_cluster(ecsim_byz *z, ec_rng *rng, uint32_t n, uint32_t k, uint32_t want)
{
	while (z->count < want) {
		uint32_t at = ec_rng_index(rng, n);
		for (uint32_t j = 0; j < k && z->count < want; j++)
			mark(z, (at + j) % n);
	}
}

/* The Argon2id evaluations to grind `count` identities into the arc of a
 * token's window: each lands there with chance (2w + 1) / n, and each
 * try costs 2^bits evaluations on average (ec/identity.h). */
static double
grind_cost(uint32_t count, uint32_t n, uint32_t w, uint32_t bits)
{
	return (double)count * ldexp(1.0, (int)bits) * (double)n / (double)(2 * w + 1);
}

ec_err
ecsim__byz_choose(ec_sim *s)
{
	const ec_byzantine_config *c = &s->cfg.byzantine;
	s->byz = NULL;
	if (!c->behaviours)
		return EC_OK;
	if (!s->cfg.protocol->adversary)
		return EC_EINVAL;
	/* the life records the fields' addresses: s->byz and z->is stay put */
	ec_err err = ecsim_life_calloc(&s->life, 1, sizeof *s->byz, (void **)&s->byz);
	if (err)
		return err;
	ecsim_byz *z = s->byz;
	if ((err = ecsim_life_calloc(&s->life, (s->n + 63) / 64, sizeof *z->is, (void **)&z->is)) ||
	    (err = ecsim_life_calloc(&s->life, (s->n + 63) / 64, sizeof *z->conv,
	                             (void **)&z->conv)) ||
	    (err = ecsim_life_calloc(&s->life, (s->n + 63) / 64, sizeof *z->scored,
	                             (void **)&z->scored)))
		return err;
	z->first_conviction = UINT64_MAX;
	ec_rng rng; /* the coalition's: choosing liars moves no draw of the run */
	ecsim__stream(s->cfg.seed, "ecsim byzantine nodes v1", &rng);
	z->key = ec_rng_u64(&rng);
	uint32_t want = c->count ? c->count : (uint32_t)floor(c->fraction * s->n + 0.5);
	if (want >= s->n)
		return EC_EINVAL; /* the config check refuses this; an honest node must remain */
	z->target_only = c->placement == EC_PLACE_TARGET;
	z->target = c->target ? c->target : (s->ntokens ? s->tokens[0].token : 0);
	z->cut = c->share >= 1.0 ? UINT64_MAX : (uint64_t)ldexp(c->share, 64);
	uint32_t w = s->cfg.neighbourhood ? s->cfg.neighbourhood : 4;
	switch (c->placement) {
	case EC_PLACE_TARGET:
		place_target(z, s, want);
		z->res.attack_cost_attempts = grind_cost(want, s->n, w, s->cfg.identity_bits);
		break;
	case EC_PLACE_CLUSTER:
		place_cluster(z, &rng, s->n, c->cluster ? c->cluster : 1, want);
		break;
	default:
		if ((err = place_random(z, &rng, s->n, want)))
			return err;
	}
	z->adv = (ec_adversary){.behaviours = c->behaviours, .start = c->start, .key = z->key,
	                        .plan = plan_of, .target = target_of, .ally = ally_of,
	                        .allies_near = allies_near, .user = s};
	z->res.on = true;
	z->res.nodes = z->count;
	z->res.behaviours = c->behaviours;
	z->res.first_violation_round = UINT64_MAX;
	return EC_OK;
}

void
ecsim__byz_attach(ec_sim *s, uint32_t i)
{
	if (byz_is(s, i))
		s->cfg.protocol->adversary->attach(node_at(s, i), &s->byz->adv);
}

void
ecsim__byz_storage(ec_sim *s, uint32_t i)
{
	ecsim_open *o = s->open;
	if (!o || !o->lazy || !byz_is(s, i) ||
	    !(s->cfg.byzantine.behaviours & EC_BHV_STORAGE_CHEAT) || bit_get(o->lazy, i))
		return;
	double drop = 1.0 - s->cfg.byzantine.cheat_keep;
	s->views[i].drop_tokens = drop >= 1.0 ? UINT32_MAX : (uint32_t)ldexp(drop, 32);
	o->lazy[i / 64] |= 1ull << (i % 64);
	o->lazy_join[i] = s->round;
	o->res.lazy_nodes++;
}

bool
ecsim__byz_twins(const ec_sim *s, const ec_token_part *parts, size_t n)
{
	if (!s->byz || !s->byz->target_only)
		return false;
	for (size_t k = 0; k < n; k++)
		if (parts[k].token == s->byz->target)
			return true;
	return false;
}

void
ecsim__byz_offer_target(ec_sim *s, size_t offer)
{
	if (!s->byz || !s->byz->target_only || offer == 0 || offer >= s->ntokens)
		return;
	for (size_t k = offer; k < s->ntokens; k++)
		if (s->tokens[k].token == s->byz->target) { /* trades places with the last offered */
			sim_token t = s->tokens[offer - 1];
			s->tokens[offer - 1] = s->tokens[k];
			s->tokens[k] = t;
			return;
		}
}

/* ---- what honest nodes hold ------------------------------------------- */

/* Adds node i's view (len sorted peer ids) to the slot counts and its
 * window (w nearest peers on each side) to the window counts: *isolated
 * when that window is all Byzantine, *eclipsed when most of it is. */
static void
view_of(const ec_sim *s, uint32_t i, const uint64_t *peers, size_t len, uint64_t *slots,
        uint64_t *byz, uint64_t *isolated, uint64_t *eclipsed)
{
	uint32_t w = s->cfg.neighbourhood ? s->cfg.neighbourhood : 4;
	size_t lo = first_above(peers, len, s->ids[i]);
	uint32_t near = 0, near_bad = 0;
	for (size_t k = 0; k < len; k++) {
		uint32_t p;
		bool bad = node_index(s, peers[k], &p) && byz_is(s, p);
		*byz += bad;
		/* ring distance in peers from the first one above me */
		size_t up = (k + len - lo) % len, down = len - 1 - up;
		if (up < w || down < w) {
			near++;
			near_bad += bad;
		}
	}
	*slots += len;
	*isolated += near > 0 && near_bad == near;
	*eclipsed += 2 * near_bad > near;
}

void
ecsim__byz_view(ec_sim *s, uint32_t i, const uint64_t *peers, size_t len)
{
	ecsim_byz *z = s->byz;
	if (!z || byz_is(s, i))
		return;
	view_of(s, i, peers, len, &z->slots0, &z->byzslots0, &z->isolated0, &z->eclipsed0);
}

/* Open networks: the views of the live honest nodes now. */
static void
open_views(const ec_sim *s, ec_byz_result *r)
{
	const ecsim_open *o = s->open;
	for (uint32_t k = 0; k < o->nlive; k++) {
		uint32_t i = o->livev[k];
		if (byz_is(s, i))
			continue;
		ec_node_status st;
		s->cfg.protocol->open->status(node_at(s, i), &st);
		view_of(s, i, st.peers, st.npeers, &r->peer_slots, &r->peer_slots_byzantine,
		        &r->honest_isolated, &r->honest_eclipsed);
	}
}

/* ---- figures ----------------------------------------------------------- */

/* Whether blkrec rec is an honest block the censorship figure judges. */
static bool
judged(const ec_sim *s, uint32_t rec)
{
	const blkrec *b = &s->recs[rec];
	uint64_t r = s->cfg.byzantine.censor_after;
	return !b->family && !b->forged && b->created >= s->cfg.warmup &&
	       b->created + r < s->cfg.rounds;
}

void
ecsim__byz_created(ec_sim *s, uint32_t rec)
{
	if (s->byz && judged(s, rec))
		s->byz->res.honest_blocks++;
}

static void
count_vote(void *user, uint64_t voter, int value)
{
	ec_sim *s = user;
	uint32_t v;
	(void)value;
	bool bad = node_index(s, voter, &v) && byz_is(s, v);
	s->byz->res.votes_counted++;
	s->byz->res.votes_byzantine += bad;
	s->byz->win_votes++;
	s->byz->win_byz += bad;
}

void
ecsim__byz_committed(ec_sim *s, uint32_t rec, uint32_t target, uint64_t latency)
{
	ecsim_byz *z = s->byz;
	if (!z)
		return;
	if (judged(s, rec) && latency <= s->cfg.byzantine.censor_after)
		z->res.honest_committed++;
	if (s->round < s->cfg.warmup || !s->wl)
		return;
	worker *w = owner(s, target);
	bind_node(w, target);
	s->cfg.protocol->adversary->counted(node_at(s, target), &w->ctx, &s->recs[rec].full,
	                                    count_vote, s);
}

void
ecsim__byz_violation(ec_sim *s, bool invalid)
{
	ecsim_byz *z = s->byz;
	if (!z)
		return;
	if (invalid)
		z->res.invalid_commits++;
	else
		z->res.double_spends++;
	if (z->res.first_violation_round == UINT64_MAX)
		z->res.first_violation_round = s->round;
}

/* ---- the network: fast and late messages -------------------------------- */

static bool
lies_with(const ec_sim *s, ec_peer_id sender, uint32_t behaviour)
{
	uint32_t i;
	return s->round >= s->cfg.byzantine.start && (s->cfg.byzantine.behaviours & behaviour) &&
	       node_index(s, sender, &i) && byz_is(s, i);
}

ec_err
ecsim__byz_express(ec_sim *s, size_t deliver)
{
	if (!s->byz || !(s->cfg.byzantine.behaviours & EC_BHV_FAST_YES))
		return EC_OK;
	/* each delayed fast message trades places with the last delivered
	 * message that is not fast: the queue's split keeps its counts */
	size_t d = deliver;
	for (size_t i = 0; i < s->next.len; i++) {
		if (!lies_with(s, s->next.v[i].sender, EC_BHV_FAST_YES))
			continue;
		while (d > 0 && lies_with(s, s->q.v[d - 1].sender, EC_BHV_FAST_YES))
			d--;
		if (d == 0)
			break;
		ec_msg t = s->q.v[--d];
		s->q.v[d] = s->next.v[i];
		s->next.v[i] = t;
		/* delayed now: its body must outlive this round's generation,
		 * as the split keeps every delayed message's */
		ec_err err = s->msg->keep(&s->next.v[i], &s->w[0].keeper[s->round & 1]);
		if (err)
			return err;
	}
	return EC_OK;
}

ec_err
ecsim__byz_hold(ec_sim *s, size_t fresh)
{
	ecsim_byz *z = s->byz;
	if (!z || !(s->cfg.byzantine.behaviours & EC_BHV_DELAY))
		return EC_OK;
	size_t keep = fresh;
	for (size_t i = fresh; i < s->next.len; i++) {
		const ec_msg *m = &s->next.v[i];
		if (!lies_with(s, m->sender, EC_BHV_DELAY)) {
			s->next.v[keep++] = *m;
			continue;
		}
		if (!grow(&s->life, z->nheld + 1, sizeof *z->held, (void **)&z->held, &z->heldcap) ||
		    !grow(&s->life, z->nheld + 1, sizeof *z->due, (void **)&z->due, &z->duecap))
			return EC_ENOMEM;
		z->held[z->nheld] = *m;
		z->due[z->nheld++] = s->round + s->cfg.byzantine.delay;
	}
	s->next.len = keep;
	/* due ones join the queue in the order they were held; the rest are
	 * kept again, as delayed messages are, so their bodies outlive the
	 * scratch generation they were written in */
	size_t left = 0;
	for (size_t i = 0; i < z->nheld; i++) {
		ec_err err = s->msg->keep(&z->held[i], &s->w[0].keeper[s->round & 1]);
		if (err)
			return err;
		if (z->due[i] > s->round) {
			z->held[left] = z->held[i];
			z->due[left++] = z->due[i];
			continue;
		}
		if (!ecsim_life_grow_huge(&s->life, s->next.len + 1, sizeof *s->next.v,
		                          (void **)&s->next.v, &s->next.cap))
			return EC_ENOMEM;
		s->next.v[s->next.len++] = z->held[i];
	}
	z->nheld = left;
	return EC_OK;
}

ec_err
ecsim__byz_round(ec_sim *s)
{
	ecsim_byz *z = s->byz;
	if (!z || (s->round + 1) % 100 != 0)
		return EC_OK;
	if (s->cfg.hooks.byzantine) {
		ec_byz_result r;
		ecsim__byz_result(s, &r);
		s->cfg.hooks.byzantine(s->cfg.hooks.user, s->round, &r, z->win_votes, z->win_byz);
	}
	z->win_votes = z->win_byz = 0;
	return EC_OK;
}

void
ecsim__byz_convict(ec_sim *s, uint64_t by, uint64_t voter, bool scored)
{
	ecsim_byz *z = s->byz;
	uint32_t i, v;
	if (!z || !node_index(s, by, &i) || byz_is(s, i) || !node_index(s, voter, &v))
		return;
	if (scored) {
		__atomic_fetch_add(&z->scorings, 1, __ATOMIC_RELAXED);
		__atomic_fetch_or(&z->scored[v / 64], 1ull << (v % 64), __ATOMIC_RELAXED);
		return;
	}
	__atomic_fetch_add(&z->convictions, 1, __ATOMIC_RELAXED);
	__atomic_fetch_or(&z->conv[v / 64], 1ull << (v % 64), __ATOMIC_RELAXED);
	uint64_t at = __atomic_load_n(&z->first_conviction, __ATOMIC_RELAXED);
	while (s->round < at && !__atomic_compare_exchange_n(&z->first_conviction, &at, s->round,
	                                                     true, __ATOMIC_RELAXED,
	                                                     __ATOMIC_RELAXED)) {
	}
}

void
ecsim__byz_result(const ec_sim *s, ec_byz_result *r)
{
	const ecsim_byz *z = s->byz;
	memset(r, 0, sizeof *r);
	if (!z)
		return;
	*r = z->res;
	r->safety_violations = r->double_spends + r->invalid_commits;
	r->censored_blocks = r->honest_blocks - r->honest_committed;
	r->honest_committed_fraction =
	    r->honest_blocks ? (double)r->honest_committed / (double)r->honest_blocks : 1.0;
	r->byzantine_vote_share =
	    r->votes_counted ? (double)r->votes_byzantine / (double)r->votes_counted : 0.0;
	r->target_families = z->target_families;
	if (s->open) {
		open_views(s, r);
	} else {
		r->peer_slots = z->slots0;
		r->peer_slots_byzantine = z->byzslots0;
		r->honest_isolated = z->isolated0;
		r->honest_eclipsed = z->eclipsed0;
	}
	r->byzantine_peer_share =
	    r->peer_slots ? (double)r->peer_slots_byzantine / (double)r->peer_slots : 0.0;
	r->convictions = z->convictions;
	r->first_conviction_round = z->first_conviction;
	r->scorings = z->scorings;
	for (uint32_t i = 0; i < s->n; i++) {
		if (bit_get(z->conv, i)) {
			if (byz_is(s, i))
				r->convicted++;
			else
				r->convicted_honest++;
		}
		if (bit_get(z->scored, i)) {
			if (byz_is(s, i))
				r->scored_out++;
			else
				r->scored_out_honest++;
		}
	}
}
