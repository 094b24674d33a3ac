/* SPDX-License-Identifier: MIT */
/*
 * The ground truth of an open network (open.h) and its figures: the ring
 * of live nodes, whether each live node's window is exact (checked after
 * every round against ec_open_ops.status), how long joins and recoveries
 * take, the live peers nodes hold, the peer-management traffic, and votes
 * cast on a stale view of a token (with the ledger's history of each
 * token's committed moves).  Definitions: ec_open_result (ecsim/sim.h).
 */
#include <stdlib.h>
#include <string.h>

#include "ec/storage_proof.h"
#include "open.h"

void
ecsim__truth_ring(ec_sim *s)
{
	ecsim_open *o = s->open;
	uint32_t n = 0;
	for (size_t word = 0; word < ((size_t)s->n + 63) / 64; word++)
		for (uint64_t bits = o->up[word]; bits; bits &= bits - 1) {
			uint32_t i = (uint32_t)(word * 64 + (size_t)__builtin_ctzll(bits));
			if (open_lazy(o, i))
				continue; /* a freeloader is no member of the honest ring */
			o->lv[n] = i;
			o->lvid[n++] = s->ids[i];
		}
	o->nlv = n;
	o->dirty = false;
}

/* The first of the np ascending peers at or above x. */
static size_t
lower_bound(const uint64_t *peers, size_t np, uint64_t x)
{
	size_t lo = 0, hi = np;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (peers[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool
ecsim__window_exact(const uint64_t *ring, uint32_t n, uint32_t r, const uint64_t *peers,
                    size_t np, uint32_t w)
{
	const uint64_t self = ring[r];
	const size_t want = w < n - 1 ? w : n - 1, have = w < np ? w : np;
	if (have != want)
		return false;
	size_t at = lower_bound(peers, np, self);
	if (at < np && peers[at] == self)
		return false; /* a node is not its own peer */
	/* the k-th peer below is peers[at - k], the k-th above peers[at + k - 1],
	 * both around the ring (k <= want <= np) */
	for (size_t k = 1; k <= want; k++)
		if (peers[(at + np - k) % np] != ring[(r + n - k) % n] ||
		    peers[(at + k - 1) % np] != ring[(r + k) % n])
			return false;
	return true;
}

static void
set_bit(uint64_t *bits, uint32_t i, bool on)
{
	if (on)
		bits[i / 64] |= 1ull << (i % 64);
	else
		bits[i / 64] &= ~(1ull << (i % 64));
}

static ec_err
push_u64(ecsim_life *l, uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
	if (!grow(l, *n + 1, sizeof **v, (void **)v, cap))
		return EC_ENOMEM;
	(*v)[(*n)++] = x;
	return EC_OK;
}

/* Joins whose node is now ready with an exact window get their time;
 * those of nodes that departed are forgotten. */
static ec_err
settle_joins(ec_sim *s)
{
	ecsim_open *o = s->open;
	size_t kept = 0;
	ec_err err = EC_OK;
	for (size_t k = 0; k < o->npend && !err; k++) {
		uint32_t i = o->pend[k];
		open_slot *sl = &o->slot[i];
		if (!open_up(o, i) || sl->pending == PENDING_NONE)
			continue;
		if (!bit_get(o->exact, i) || !bit_get(o->rdy, i)) {
			o->pend[kept++] = i;
			continue;
		}
		uint64_t took = s->round + 1 - sl->since;
		err = sl->pending == PENDING_JOIN
		          ? push_u64(&s->life, &o->join_lat, &o->njoin, &o->joincap, took)
		          : push_u64(&s->life, &o->rejoin_lat, &o->nrejoin, &o->rejoincap, took);
		sl->pending = PENDING_NONE;
	}
	o->npend = kept;
	return err;
}

/* Departures after which every live node whose true window held the
 * departed node has an exact window get their recovery time. */
static ec_err
settle_crashes(ec_sim *s)
{
	ecsim_open *o = s->open;
	size_t kept = 0, naff = 0;
	for (size_t c = 0; c < o->ncrash; c++) {
		open_crash cr = o->crash[c];
		bool done = true;
		for (uint32_t k = 0; k < cr.n && done; k++) {
			uint32_t a = o->aff[cr.off + k];
			done = !open_up(o, a) || bit_get(o->exact, a);
		}
		if (done) {
			ec_err err = push_u64(&s->life, &o->recov_lat, &o->nrecov, &o->recovcap,
			                      s->round + 1 - cr.round);
			if (err)
				return err;
			continue;
		}
		memmove(o->aff + naff, o->aff + cr.off, cr.n * sizeof *o->aff); /* naff <= off */
		o->crash[kept++] = (open_crash){cr.round, (uint32_t)naff, cr.n};
		naff += cr.n;
	}
	o->ncrash = kept;
	o->naff = naff;
	return EC_OK;
}

ec_err
ecsim__truth_round(ec_sim *s)
{
	ecsim_open *o = s->open;
	const ec_open_ops *op = s->cfg.protocol->open;
	const uint32_t n = o->nlv;
	uint32_t exact = 0, ready = 0, exact_ready = 0;
	for (uint32_t r = 0; r < n; r++) {
		if (r + 8 < n)
			__builtin_prefetch(node_at(s, o->lv[r + 8]));
		uint32_t i = o->lv[r];
		ec_node_status st;
		op->status(node_at(s, i), &st);
		bool ex = ecsim__window_exact(o->lvid, n, r, st.peers, st.npeers, o->w);
		set_bit(o->exact, i, ex);
		set_bit(o->rdy, i, st.ready);
		exact += ex;
		ready += st.ready;
		exact_ready += ex && st.ready;
	}
	o->last_live = n;
	o->last_exact = exact;
	o->last_ready = ready;
	o->last_exact_ready = exact_ready;
	o->checked = true;
	if (s->round >= s->cfg.warmup && n) {
		double f = (double)exact / (double)n;
		if (!o->checked_measured || f < o->min_fraction)
			o->min_fraction = f;
		o->checked_measured = true;
		o->res.live_node_rounds += n;
	}
	ec_err err = settle_joins(s);
	return err ? err : settle_crashes(s);
}

ec_err
ecsim__truth_joined(ec_sim *s, uint32_t i, uint8_t pending)
{
	ecsim_open *o = s->open;
	if (!grow(&s->life, o->npend + 1, sizeof *o->pend, (void **)&o->pend, &o->pendcap))
		return EC_ENOMEM;
	o->pend[o->npend++] = i;
	o->slot[i].pending = pending;
	o->slot[i].since = s->round;
	return EC_OK;
}

/* The live node next to i (below it: dir < 0) around the ring, by the
 * live bitmap (i itself when it is the only one). */
static uint32_t
live_next(const ec_sim *s, uint32_t i, int dir)
{
	const uint64_t *up = s->open->up;
	const uint32_t n = s->n;
	uint32_t at = i;
	for (uint64_t seen = 0; seen <= n;) {
		if (dir > 0) {
			at = at + 1 == n ? 0 : at + 1;
			uint64_t bits = up[at / 64] >> (at % 64);
			if (bits)
				return at + (uint32_t)__builtin_ctzll(bits); /* bits past n are clear */
			seen += 64 - at % 64;
			at = (at | 63) < n ? (at | 63) : n - 1; /* the word's last bit */
		} else {
			at = at == 0 ? n - 1 : at - 1;
			uint64_t bits = up[at / 64] << (63 - at % 64);
			if (bits)
				return at - (uint32_t)__builtin_clzll(bits);
			seen += at % 64 + 1;
			at -= at % 64; /* the word's first bit */
		}
	}
	return i;
}

ec_err
ecsim__truth_departure(ec_sim *s, uint32_t i)
{
	ecsim_open *o = s->open;
	size_t off = o->naff;
	if (open_lazy(o, i))
		return EC_OK; /* not in the honest ring: no window held it */
	if (!grow(&s->life, o->naff + 2 * (size_t)o->w, sizeof *o->aff, (void **)&o->aff, &o->affcap) ||
	    !grow(&s->life, o->ncrash + 1, sizeof *o->crash, (void **)&o->crash, &o->crashcap))
		return EC_ENOMEM;
	for (int dir = -1; dir <= 1; dir += 2) {
		uint32_t at = i;
		for (uint32_t k = 0; k < o->w;) {
			if ((at = live_next(s, at, dir)) == i)
				break;
			if (open_lazy(o, at))
				continue;
			k++;
			bool seen = false; /* a small ring: below and above meet */
			for (size_t j = off; j < o->naff && !seen; j++)
				seen = o->aff[j] == at;
			if (!seen)
				o->aff[o->naff++] = at;
		}
	}
	o->crash[o->ncrash++] = (open_crash){s->round, (uint32_t)off, (uint32_t)(o->naff - off)};
	return EC_OK;
}

/* ---- the tokens' history and stale votes ---------------------------------- */

ec_err
ecsim__truth_block(ec_sim *s, uint32_t rec, const ec_txn *t)
{
	ecsim_open *o = s->open;
	if (!grow(&s->life, (size_t)rec + 2, sizeof *o->boff, (void **)&o->boff, &o->boffcap) ||
	    !grow(&s->life, o->nbtok + t->used, sizeof *o->btok, (void **)&o->btok, &o->btokcap))
		return EC_ENOMEM;
	o->boff[rec] = (uint32_t)o->nbtok;
	/* in ascending token order: a vote's role is the part's index in the
	 * protocol's canonical block, whose parts are sorted by token (ec) */
	for (uint32_t k = 0; k < t->used; k++) {
		uint64_t tok = t->parts[k].token;
		size_t at = o->nbtok++;
		for (; at > o->boff[rec] && o->btok[at - 1] > tok; at--)
			o->btok[at] = o->btok[at - 1];
		o->btok[at] = tok;
	}
	o->boff[rec + 1] = (uint32_t)o->nbtok;
	return EC_OK;
}

static uint32_t
tok_find(const ecsim_open *o, uint64_t token)
{
	_Static_assert(offsetof(tok_head, token) == 0, "a head's key leads it");
	return ecsim_idindex_find(&o->tokix, token, o->toks, sizeof *o->toks);
}

/* Doubles the token index, keeping it at most half full. */
static ec_err
tokix_grow(ecsim_open *o)
{
	return ecsim_idindex_double(&o->tokix, o->toks, sizeof *o->toks, o->ntoks) ? EC_OK
	                                                                           : EC_ENOMEM;
}

ec_err
ecsim__truth_commit(ec_sim *s, const outstanding *out)
{
	ecsim_open *o = s->open;
	ec_err err;
	for (uint32_t k = 0; k < out->used; k++) {
		uint64_t token = out->parts[k].token;
		uint32_t h = tok_find(o, token);
		if (h == UINT32_MAX) {
			if ((o->ntoks + 1) * 2 > o->tokix.nslots && (err = tokix_grow(o)))
				return err;
			if (!grow(&s->life, o->ntoks + 1, sizeof *o->toks, (void **)&o->toks, &o->tokscap))
				return EC_ENOMEM;
			h = (uint32_t)o->ntoks++;
			o->toks[h] = (tok_head){token, 0, 0};
			ecsim_idindex_put(&o->tokix, token, h);
		}
		if (!grow(&s->life, o->nmoves + 1, sizeof *o->moves, (void **)&o->moves, &o->movescap))
			return EC_ENOMEM;
		o->moves[o->nmoves] = (tok_move){out->created, s->round, o->toks[h].last, 0};
		o->toks[h].last = (uint32_t)++o->nmoves;
	}
	return EC_OK;
}

bool
ecsim__token_move_by(const ec_sim *s, uint64_t token, uint64_t by, uint64_t *created)
{
	const ecsim_open *o = s->open;
	uint32_t h = tok_find(o, token);
	for (uint32_t m = h == UINT32_MAX ? 0 : o->toks[h].last; m; m = o->moves[m - 1].prev)
		if (o->moves[m - 1].seen <= by) {
			*created = o->moves[m - 1].created;
			return true;
		}
	return false;
}

void
ecsim__open_vote(worker *w, ec_peer_id node, ec_block_id b, uint64_t arg)
{
	const ec_sim *s = w->s;
	const ecsim_open *o = s->open;
	uint32_t role = (uint32_t)(arg & 0xFFFF), v;
	if (role == 0xFFFF)
		return; /* the witness role: no token */
	uint32_t rec = ecsim_idindex_find(&s->recix, b, s->recs, sizeof *s->recs);
	if (rec == UINT32_MAX || !node_index(s, node, &v) || role >= o->boff[rec + 1] - o->boff[rec])
		return; /* a block or a part the ledger does not know */
	if (open_lazy(o, v))
		return; /* a freeloader has no mappings to be stale */
	open_votes *c = &s->open->votes[w->id];
	c->votes++;
	uint64_t created, mapped = arg >> 24; /* its mapping's time + 1, or 0: none */
	if (ecsim__token_move_by(s, o->btok[o->boff[rec] + role], o->slot[v].up_round, &created) &&
	    (mapped == 0 || created > mapped - 1))
		c->stale++;
}

void
ecsim__open_audit(worker *w, ec_peer_id node, uint64_t peer, uint64_t arg)
{
	(void)node;
	const ec_sim *s = w->s;
	ecsim_open *o = s->open;
	open_votes *c = &o->votes[w->id];
	unsigned v = (unsigned)(arg & 0xFF);
	c->audits++;
	c->audit_unanswered += v == 0xFF;
	c->audit_fail += v != 0xFF && v != EC_SP_PASS && v != EC_SP_INCONCLUSIVE;
	uint32_t p;
	if (!(arg >> 8 & 1) || !node_index(s, peer, &p))
		return;
	if (!open_lazy(o, p)) {
		c->evict_honest++;
		return;
	}
	c->evict_lazy++;
	/* the first eviction's round: a minimum, whatever order workers
	 * reach it in */
	uint64_t seen = __atomic_load_n(&o->evicted_at[p], __ATOMIC_RELAXED);
	while (s->round < seen && !__atomic_compare_exchange_n(&o->evicted_at[p], &seen, s->round,
	                                                        true, __ATOMIC_RELAXED,
	                                                        __ATOMIC_RELAXED))
		;
}

/* ---- the figures ----------------------------------------------------------- */

/* Admitted peers of each live node that are live: min, mean, max. */
static void
live_degrees(const ec_sim *s, ec_open_result *r)
{
	const ecsim_open *o = s->open;
	uint64_t sum = 0;
	r->degree_live_min = o->nlive ? UINT64_MAX : 0;
	r->degree_live_max = 0;
	uint32_t honest = 0;
	for (uint32_t k = 0; k < o->nlive; k++) {
		if (open_lazy(o, o->livev[k]))
			continue;
		honest++;
		ec_node_status st;
		s->cfg.protocol->open->status(node_at(s, o->livev[k]), &st);
		uint64_t d = 0;
		for (size_t j = 0; j < st.npeers; j++) {
			uint32_t p;
			d += node_index(s, st.peers[j], &p) && open_up(o, p);
		}
		sum += d;
		r->degree_live_min = d < r->degree_live_min ? d : r->degree_live_min;
		r->degree_live_max = d > r->degree_live_max ? d : r->degree_live_max;
	}
	r->degree_live_mean = honest ? (double)sum / (double)honest : 0.0;
	if (!honest)
		r->degree_live_min = 0;
}

/* The freeloaders' figures: how soon a neighbour evicted each, and how
 * many honest live nodes still hold the live ones at the end. */
static ec_err
lazy_figures(const ec_sim *s, ec_open_result *r)
{
	const ecsim_open *o = s->open;
	if (!o->lazy)
		return EC_OK;
	uint64_t *lat = malloc((size_t)s->n * sizeof *lat);
	if (!lat)
		return EC_ENOMEM;
	size_t n = 0;
	for (uint32_t i = 0; i < s->n; i++) {
		if (!open_lazy(o, i))
			continue;
		if (o->evicted_at[i] != UINT64_MAX)
			lat[n++] = o->evicted_at[i] - o->lazy_join[i] + 1;
		else if (open_up(o, i))
			r->lazy_evict_unfinished++;
		r->lazy_live_end += open_up(o, i);
	}
	ec_err err = ecsim__latency_stats(lat, n, &r->lazy_evict_rounds);
	free(lat);
	if (err)
		return err;
	uint64_t held = 0;
	for (uint32_t k = 0; k < o->nlive; k++) {
		if (open_lazy(o, o->livev[k]))
			continue;
		ec_node_status st;
		s->cfg.protocol->open->status(node_at(s, o->livev[k]), &st);
		for (size_t j = 0; j < st.npeers; j++) {
			uint32_t p;
			held += node_index(s, st.peers[j], &p) && open_up(o, p) && open_lazy(o, p);
		}
	}
	r->lazy_held_mean = r->lazy_live_end ? (double)held / (double)r->lazy_live_end : 0.0;
	return EC_OK;
}

ec_err
ecsim__truth_result(const ec_sim *s, ec_open_result *r)
{
	const ecsim_open *o = s->open;
	*r = o->res;
	r->nodes_live_end = o->nlive;
	ec_err err;
	if ((err = ecsim__latency_stats(o->join_lat, o->njoin, &r->join_rounds)) ||
	    (err = ecsim__latency_stats(o->rejoin_lat, o->nrejoin, &r->rejoin_rounds)) ||
	    (err = ecsim__latency_stats(o->recov_lat, o->nrecov, &r->recovery_rounds)))
		return err;
	for (size_t k = 0; k < o->npend; k++) {
		const open_slot *sl = &o->slot[o->pend[k]];
		if (!open_up(o, o->pend[k]))
			continue;
		r->join_unfinished += sl->pending == PENDING_JOIN;
		r->rejoin_unfinished += sl->pending == PENDING_REJOIN;
	}
	r->recovery_unfinished = o->ncrash;
	r->has_view = o->checked && o->last_live;
	r->view_exact_fraction = r->has_view ? (double)o->last_exact / (double)o->last_live : 0.0;
	r->has_view_ready = o->checked && o->last_ready;
	r->view_exact_fraction_ready =
	    r->has_view_ready ? (double)o->last_exact_ready / (double)o->last_ready : 0.0;
	r->has_view_min = o->checked_measured;
	r->view_exact_min = o->checked_measured ? o->min_fraction : 0.0;
	live_degrees(s, r);
	uint8_t lc = s->msg->lifecycle_counter;
	r->lifecycle_messages = lc && lc <= EC_MSG_COUNTERS ? s->res.msg_counters[lc - 1] : 0;
	r->has_peer_messages = lc && lc <= EC_MSG_COUNTERS && r->live_node_rounds;
	r->peer_messages_per_node_per_round =
	    r->has_peer_messages ? (double)r->lifecycle_messages / (double)r->live_node_rounds : 0.0;
	for (uint32_t k = 0; k < s->nw; k++) {
		const open_votes *c = &o->votes[k];
		r->token_votes += c->votes;
		r->stale_votes += c->stale;
		r->audits += c->audits;
		r->audit_fail += c->audit_fail;
		r->audit_unanswered += c->audit_unanswered;
		r->evict_honest += c->evict_honest;
		r->evict_lazy += c->evict_lazy;
	}
	return lazy_figures(s, r);
}
