/* SPDX-License-Identifier: MIT */
/*
 * The simulator's message bus.  What a node sends goes into its worker's
 * tagged list, its body kept by the protocol (ec_msg_ops.keep) in the
 * worker's scratch storage; after a phase the lists are merged by tag into
 * the order one thread would have produced, so any number of workers gives
 * one output.  Each round the queue is shuffled and split into delivered,
 * lost and delayed messages, as the reference does.
 */
#include <stdlib.h>
#include <string.h>

#include "ec/blake3.h"
#include "ec/sig.h"
#include "byzantine.h"
#include "open.h"

/* Room for need entries in a worker's tagged list (both arrays). */
static bool
tagged_grow(ecsim_life *l, tagged_msgs *t, size_t need)
{
	if (need <= t->cap)
		return true;
	size_t cap = t->cap;
	if (!grow(l, need, sizeof *t->v, (void **)&t->v, &cap))
		return false;
	cap = t->cap;
	if (!grow(l, need, sizeof *t->tag, (void **)&t->tag, &cap))
		return false;
	t->cap = cap;
	return true;
}

static void
scratch_reset(scratchbuf *b)
{
	b->cur = 0;
	b->used = 0;
}

/* ec_msg_keeper.scratch: bytes from a generation's chunks, 16-aligned. */
static void *
scratch_alloc(void *user, size_t n)
{
	scratchbuf *b = user;
	n = (n + SCRATCH_ALIGN - 1) & ~(SCRATCH_ALIGN - 1);
	if (b->cur < b->nchunks && b->sizes[b->cur] - b->used >= n) { /* the usual case */
		void *p = b->chunks[b->cur] + b->used;
		b->used += n;
		return p;
	}
	while (b->cur + 1 < b->nchunks) { /* a later chunk of an earlier round */
		b->cur++;
		b->used = 0;
		if (b->sizes[b->cur] >= n)
			return scratch_alloc(user, n);
	}
	size_t size = b->nchunks ? b->sizes[b->nchunks - 1] * 2 : SCRATCH_FIRST;
	size = size > SCRATCH_MAX ? SCRATCH_MAX : size;
	size = n > size ? n : size;
	unsigned char **c = realloc(b->chunks, (b->nchunks + 1) * sizeof *c);
	if (!c)
		return NULL;
	b->chunks = c;
	size_t *z = realloc(b->sizes, (b->nchunks + 1) * sizeof *z);
	if (!z)
		return NULL;
	b->sizes = z;
	if (!(c[b->nchunks] = ecsim_huge_realloc(NULL, NULL, 0, size)))
		return NULL;
	z[b->nchunks] = size;
	b->cur = b->nchunks++;
	b->used = n;
	return c[b->cur];
}

static void
scratch_free(void *arg)
{
	scratchbuf *b = arg;
	for (size_t i = 0; i < b->nchunks; i++)
		ecsim_huge_realloc(NULL, b->chunks[i], b->sizes[i], 0);
	free(b->chunks);
	free(b->sizes);
}

/* The simulator's key directory for signed votes (ec_ctx.vote_sign and
 * vote_key): every node's vote key is derived from its ring position, so
 * nothing is stored and any node can look any voter up, as if each had
 * published its key with its identity.  Only the node's own code signs
 * with it (a Byzantine coalition signs for its allies: adversary.c). */
static void
vote_keypair(const ec_sim *s, uint64_t pos, uint8_t pk[EC_SIG_PK_BYTES],
             uint8_t sk[EC_SIG_SK_BYTES])
{
	ec_sig_derived_keypair(s->sig, "ecsim vote keys v1", pos, pk, sk);
}

void
ecsim__vote_sign(void *user, uint64_t signer, const uint8_t digest[32], uint8_t sig[64])
{
	const ec_sim *s = user;
	uint8_t pk[EC_SIG_PK_BYTES], sk[EC_SIG_SK_BYTES];
	vote_keypair(s, signer, pk, sk);
	s->sig->sign(sk, digest, 32, sig);
}

bool
ecsim__vote_key(void *user, uint64_t voter, uint8_t pk[32])
{
	uint8_t sk[EC_SIG_SK_BYTES];
	vote_keypair(user, voter, pk, sk);
	return true;
}

/* ec_intern_fn: bodies live in the worker's store until the run ends. */
static const void *
sim_intern(void *user, const void *data, size_t len)
{
	return ec_memstore_intern_memo(user, data, len);
}

/* A node's outgoing message: into its worker's list, with block bodies
 * interned in the worker's store so that queued messages never dangle. */
static ec_err
on_send(void *user, const ec_msg *m)
{
	worker *w = user;
	tagged_msgs *out = &w->out[w->oi];
	if (!tagged_grow(&w->life, out, out->len + 1))
		return EC_ENOMEM;
	ec_msg *d = &out->v[out->len];
	*d = *m;
	ec_err err = w->s->msg->keep(d, &w->keeper[w->s->round & 1]);
	if (err)
		return err;
	out->tag[out->len++] = w->tag;
	return EC_OK;
}

static void
on_event(void *user, ec_peer_id node, ec_event ev, ec_block_id b, uint64_t arg)
{
	worker *w = user;
	if ((unsigned)ev < EC_EV_COUNT)
		w->events[ev]++;
	if (ev == EC_EV_REJECT && arg < 16)
		w->rejects[arg]++;
	if (ev == EC_EV_COMMIT && arg)
		w->negative++;
	if (ev == EC_EV_VOTE_CAST && w->s->open) /* stale votes (truth.c) */
		ecsim__open_vote(w, node, b, arg);
	if (ev == EC_EV_AUDIT && w->s->open)
		ecsim__open_audit(w, node, b, arg);
	if (ev == EC_EV_CONVICT && w->s->byz)
		ecsim__byz_convict(w->s, node, b, arg == 2);
	if (ev == EC_EV_COMMIT &&
	    grow(&w->life, w->ncommits + 1, sizeof *w->commits, (void **)&w->commits, &w->comcap))
		w->commits[w->ncommits++] = (commit_rec){node, b};
	if (w->s->cfg.hooks.node_event &&
	    grow(&w->life, w->nevs + 1, sizeof *w->evs, (void **)&w->evs, &w->evcap))
		w->evs[w->nevs++] = (ev_rec){w->tag | (w->oi ? TICK_TAG : 0), node, b, arg, 0, ev};
}

ec_err
ecsim__bus_init(ec_sim *s, worker *w)
{
	ec_err err;
	for (unsigned g = 0; g < 2; g++) {
		w->keeper[g] = (ec_msg_keeper){scratch_alloc, &w->scratch[g]};
		if ((err = ecsim_life_defer(&s->life, scratch_free, &w->scratch[g])))
			return err;
	}
	w->ctx.send = on_send;
	w->ctx.send_user = w;
	w->ctx.event = on_event;
	w->ctx.event_user = w;
	w->ctx.intern = sim_intern;
	w->ctx.intern_user = w->store;
	return EC_OK;
}

void
ecsim__bus_round_start(ec_sim *s)
{
	for (uint32_t k = 0; k < s->nw; k++) /* it last held the queue of round - 2 */
		scratch_reset(&s->w[k].scratch[s->round & 1]);
}

/* Orders a worker's list by tag, keeping the order of equal tags (one
 * handle may send several messages): a radix sort of (tag, position)
 * pairs, 8 bits a pass over the bits the largest tag uses (handles' tags
 * are delivery indices, so a round of fewer than 65,536 deliveries takes
 * at most two passes; qsort's comparison calls cost 4 % of the published
 * run). */
static ec_err
sort_tagged(tagged_msgs *t)
{
	size_t n = t->len, i = 1;
	while (i < n && t->tag[i - 1] <= t->tag[i])
		i++;
	if (i >= n)
		return EC_OK; /* the usual case: ticks run in tag order */
	size_t(*key)[2] = malloc(2 * n * sizeof *key);
	ec_msg *v = malloc(n * sizeof *v);
	if (!key || !v) {
		free(key);
		free(v);
		return EC_ENOMEM;
	}
	size_t(*a)[2] = key, (*b)[2] = key + n, top = 0;
	for (i = 0; i < n; i++) {
		a[i][0] = t->tag[i];
		a[i][1] = i;
		top |= t->tag[i];
	}
	for (unsigned shift = 0; shift < 64 && top >> shift; shift += 8) {
		size_t at[256] = {0};
		for (i = 0; i < n; i++)
			at[a[i][0] >> shift & 255]++;
		for (size_t d = 0, sum = 0; d < 256; d++) {
			size_t c = at[d];
			at[d] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++) {
			size_t *to = b[at[a[i][0] >> shift & 255]++];
			to[0] = a[i][0];
			to[1] = a[i][1];
		}
		size_t(*x)[2] = a;
		a = b;
		b = x;
	}
	for (i = 0; i < n; i++) {
		v[i] = t->v[a[i][1]];
		t->tag[i] = a[i][0];
	}
	memcpy(t->v, v, n * sizeof *v);
	free(key);
	free(v);
	return EC_OK;
}

/* Appends every worker's list `which` to `to` in tag order (each worker's
 * list sorted), then empties them. */
static ec_err
merge_list(ec_sim *s, msgq *to, unsigned which)
{
	tagged_msgs *lists[EC_SIM_MAX_THREADS];
	for (uint32_t k = 0; k < s->nw; k++)
		lists[k] = &s->w[k].out[which];
	return ecsim__merge_tagged(&s->life, lists, s->nw, to);
}

ec_err
ecsim__merge_tagged(ecsim_life *life, tagged_msgs *const *lists, uint32_t n, msgq *to)
{
	size_t total = 0;
	for (uint32_t k = 0; k < n; k++) {
		ec_err err = sort_tagged(lists[k]);
		if (err)
			return err;
		total += lists[k]->len;
	}
	if (!ecsim_life_grow_huge(life, to->len + total, sizeof *to->v, (void **)&to->v, &to->cap))
		return EC_ENOMEM;
	size_t pos[EC_SIM_MAX_THREADS] = {0};
	for (size_t m = 0; m < total; m++) {
		uint32_t best = UINT32_MAX; /* the least tag; the lowest list among equals */
		for (uint32_t k = 0; k < n; k++)
			if (pos[k] < lists[k]->len &&
			    (best == UINT32_MAX || lists[k]->tag[pos[k]] < lists[best]->tag[pos[best]]))
				best = k;
		to->v[to->len++] = lists[best]->v[pos[best]++];
	}
	for (uint32_t k = 0; k < n; k++)
		lists[k]->len = 0;
	return EC_OK;
}

static int
cmp_ev(const void *a, const void *b)
{
	const ev_rec *x = a, *y = b;
	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Appends every worker's messages to `to` in the order one thread
 * handling every delivery, then ticking every node, would have sent them:
 * handles' by delivery index, then ticks' by node index; likewise replays
 * logged events to the hook. */
ec_err
ecsim__merge_outputs(ec_sim *s, msgq *to)
{
	ec_err err;
	if ((err = merge_list(s, to, 0)) || (err = merge_list(s, to, 1)))
		return err;
	if (s->cfg.hooks.node_event) {
		size_t epos[EC_SIM_MAX_THREADS] = {0}, etotal = 0;
		for (uint32_t k = 0; k < s->nw; k++) {
			worker *w = &s->w[k];
			for (size_t i = 0; i < w->nevs; i++)
				w->evs[i].seq = i;
			if (w->nevs > 1)
				qsort(w->evs, w->nevs, sizeof *w->evs, cmp_ev);
			etotal += w->nevs;
		}
		for (size_t n = 0; n < etotal; n++) {
			uint32_t best = UINT32_MAX;
			for (uint32_t k = 0; k < s->nw; k++)
				if (epos[k] < s->w[k].nevs &&
				    (best == UINT32_MAX || s->w[k].evs[epos[k]].tag < s->w[best].evs[epos[best]].tag))
					best = k;
			const ev_rec *e = &s->w[best].evs[epos[best]++];
			s->cfg.hooks.node_event(s->cfg.hooks.user, s->round, e->node, e->ev, e->block, e->arg);
		}
		for (uint32_t k = 0; k < s->nw; k++)
			s->w[k].nevs = 0;
	}
	return EC_OK;
}

/* Messages the split of step C hands over for delivery or loss. */
size_t
ecsim__split_keep(const ec_sim *s, size_t n)
{
	size_t keep = (size_t)((double)n * (1.0 - s->cfg.delay));
	return keep > n ? n : keep;
}

/* Shuffles the queue as ec_rng_shuffle would (same draws, same
 * permutation), but on an array of positions, which stays in cache where
 * the messages would not; then gathers the first `keep` messages of that
 * order into the queue and the rest, delayed, into s->next (empty). */
void
ecsim__shuffle_split(ec_rng *rng, const ec_msg *from, size_t n, size_t keep, uint32_t *perm,
                     ec_msg *head, ec_msg *tail)
{
	for (size_t i = 0; i < n; i++)
		perm[i] = (uint32_t)i;
	for (size_t i = n - 1; i >= 1 && n > 0; i--) {
		size_t j = ec_rng_index(rng, i + 1);
		uint32_t t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < n; i++) {
		if (i + 16 < n)
			__builtin_prefetch(&from[perm[i + 16]]);
		if (i < keep)
			head[i] = from[perm[i]];
		else
			tail[i - keep] = from[perm[i]];
	}
}

static ec_err
shuffle_queue(ec_sim *s, size_t keep)
{
	size_t n = s->q.len;
	if (!ecsim_life_grow_huge(&s->life, n - keep, sizeof *s->next.v, (void **)&s->next.v,
	                          &s->next.cap))
		return EC_ENOMEM;
	s->next.len = n - keep;
	if (n > UINT32_MAX) { /* positions would not fit: swap in place */
		for (size_t i = n - 1; i >= 1; i--) {
			size_t j = ec_rng_index(&s->rng, i + 1);
			ec_msg t = s->q.v[i];
			s->q.v[i] = s->q.v[j];
			s->q.v[j] = t;
		}
		memcpy(s->next.v, s->q.v + keep, (n - keep) * sizeof *s->q.v);
		s->q.len = keep;
		return EC_OK;
	}
	if (!grow(&s->life, n, sizeof *s->perm, (void **)&s->perm, &s->permcap) ||
	    !ecsim_life_grow_huge(&s->life, keep, sizeof *s->shuf.v, (void **)&s->shuf.v, &s->shuf.cap))
		return EC_ENOMEM;
	ecsim__shuffle_split(&s->rng, s->q.v, n, keep, s->perm, s->shuf.v, s->next.v);
	msgq t = s->q;
	s->q = s->shuf;
	s->q.len = keep;
	s->shuf = t;
	s->shuf.len = 0;
	return EC_OK;
}

ec_err
ecsim__bus_shuffle_split(ec_sim *s, size_t *deliver, size_t *lost)
{
	size_t n = s->q.len;
	*deliver = *lost = 0;
	s->next.len = 0;
	if (n == 0)
		return EC_OK;
	size_t keep = ecsim__split_keep(s, n);
	ec_err err = shuffle_queue(s, keep); /* the tail lands in s->next */
	if (err)
		return err;
	*lost = (size_t)((double)keep * s->cfg.loss);
	*deliver = keep - *lost;
	for (size_t i = 0; i < s->next.len; i++) /* delayed messages move along */
		if ((err = s->msg->keep(&s->next.v[i], &s->w[0].keeper[s->round & 1])))
			return err;
	return EC_OK;
}

/* Delivered messages [lo, hi): their receivers' node indexes (s->rcv,
 * UINT32_MAX for no such node) and what the statistics count of them. */
void
ecsim__prep_range(ec_sim *s, size_t lo, size_t hi, bool measured, prep_stats *st)
{
	const ec_msg_ops *ops = s->msg;
	memset(st, 0, sizeof *st);
	for (size_t i = lo; i < hi; i++) {
		const ec_msg *m = &s->q.v[i];
		uint32_t to;
		if (i + 8 < hi) { /* the receiver's index slot and the body */
			const ec_msg *a = &s->q.v[i + 8];
			__builtin_prefetch(ecsim_idindex_home(&s->byid, a->receiver));
			if (ops->prefetch)
				ops->prefetch(a);
		}
		s->rcv[i] = UINT32_MAX;
		if (measured) {
			st->bytes += ops->wire_size(m);
			if (ops->count)
				ops->count(m, st->counters);
		}
		uint32_t logical = ops->logical(m);
		st->logical += logical;
		if (!node_index(s, m->receiver, &to))
			continue;
		if (s->open && !open_up(s->open, to)) { /* down, or not joined yet */
			if (measured)
				st->dropped += logical;
			continue;
		}
		if (measured && m->type <= EC_MSG_TYPE_MAX)
			st->by_type[m->type]++;
		s->rcv[i] = to;
	}
}
