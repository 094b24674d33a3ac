/* SPDX-License-Identifier: MIT */
/*
 * The simulator's workers.  Each owns a contiguous range of nodes (a
 * multiple of 64, so no two share a word of the active bitmap), their
 * stores and an allocator.  In a round a worker visits its active nodes in
 * ascending order: each handles its messages in delivery order, then
 * ticks; nodes with nothing to do sleep in a timer wheel until the
 * protocol's wake_at.  Worker 0 is the calling thread; the others wait on
 * barriers for each phase.
 */
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

/* Prefetch distances, in node visits ahead: the node's own lines first,
 * then its messages' items and the protocol's stage 0 (which reads the
 * node's lines), then the protocol's stage 1 (which reads what stage 0
 * fetched). */
#define PREFETCH_FAR 32u
#define PREFETCH_MID 20u  /* its messages' items; the protocol's stage 0 */
#define PREFETCH_NEAR 8u  /* the protocol's stage 1 */
/* Node states of this many bytes or fewer stay in cache from round to
 * round, so prefetching them is pure cost: 4 % of the published run's CPU
 * (2,000 nodes, 192 KB of states). */
#define PREFETCH_MIN_BYTES ((size_t)512 << 10)

static void
prefetch_node(const ec_sim *s, uint32_t i)
{
	const char *p = node_at(s, i);
	for (size_t off = 0; off < s->node_size; off += 64)
		__builtin_prefetch(p + off);
	__builtin_prefetch(p + s->node_size - 1); /* nodes need not start a line */
}

/* Links this round's messages to the worker's nodes (s->head, s->link, in
 * delivery order) and marks those nodes active; returns how many. */
static size_t
link_messages(worker *w)
{
	ec_sim *s = w->s;
	size_t mine = 0;
	for (size_t i = s->ndeliver; i-- > 0;) { /* backwards: lists come out in order */
		uint32_t to = s->rcv[i];
		if (to == UINT32_MAX || to < w->lo || to >= w->hi)
			continue;
		s->link[i] = s->head[to];
		s->head[to] = (uint32_t)i;
		s->active[to / 64] |= 1ull << (to % 64);
		mine++;
	}
	return mine;
}

/* The worker's active nodes, ascending, into w->todo, and their `mine`
 * messages gathered in that order into w->mv (the handles then read them
 * in sequence, and the items of a node's messages are easy to prefetch). */
static ec_err
list_work(worker *w, size_t mine)
{
	ec_sim *s = w->s;
	w->ntodo = 0;
	for (size_t word = w->lo / 64; word < (w->hi + 63) / 64; word++) {
		uint64_t bits = s->active[word];
		size_t need = w->ntodo + (size_t)__builtin_popcountll(bits);
		if (!grow(&w->life, need, sizeof *w->todo, (void **)&w->todo, &w->todocap))
			return EC_ENOMEM;
		for (; bits; bits &= bits - 1)
			w->todo[w->ntodo++] = word * 64 + (size_t)__builtin_ctzll(bits);
	}
	if (!grow(&w->life, mine, sizeof *w->mv, (void **)&w->mv, &w->mvcap) ||
	    !grow(&w->life, mine, sizeof *w->mtag, (void **)&w->mtag, &w->mtagcap) ||
	    !grow(&w->life, w->ntodo + 1, sizeof *w->moff, (void **)&w->moff, &w->moffcap))
		return EC_ENOMEM;
	size_t nm = 0;
	for (size_t k = 0; k < w->ntodo; k++) {
		if (k + 16 < w->ntodo)
			__builtin_prefetch(&s->head[w->todo[k + 16]]);
		if (k + 8 < w->ntodo) {
			uint32_t h = s->head[w->todo[k + 8]];
			if (h != UINT32_MAX) {
				__builtin_prefetch(&s->q.v[h]);
				__builtin_prefetch(&s->link[h]);
			}
		}
		size_t i = w->todo[k];
		w->moff[k] = nm;
		for (uint32_t m = s->head[i]; m != UINT32_MAX; m = s->link[m]) {
			w->mtag[nm] = m;
			w->mv[nm++] = s->q.v[m];
		}
		s->head[i] = UINT32_MAX;
	}
	w->moff[w->ntodo] = nm;
	return EC_OK;
}

/* Prefetches for the visit of w->todo[k] further on, each stage reading
 * only what an earlier one fetched. */
static void
prefetch_work(worker *w, size_t k, ec_ctx *pctx)
{
	ec_sim *s = w->s;
	const ec_protocol *p = s->cfg.protocol;
	if (k + PREFETCH_FAR < w->ntodo) {
		uint32_t far = (uint32_t)w->todo[k + PREFETCH_FAR];
		prefetch_node(s, far);
		__builtin_prefetch(&s->views[far]);
		__builtin_prefetch(&s->due[far]);
	}
	if (k + PREFETCH_MID < w->ntodo) {
		size_t a = k + PREFETCH_MID;
		for (size_t j = w->moff[a]; j < w->moff[a + 1] && s->msg->prefetch; j++)
			s->msg->prefetch(&w->mv[j]);
		if (p->prefetch) {
			pctx->store.impl = &s->views[w->todo[a]];
			p->prefetch(node_at(s, (uint32_t)w->todo[a]), pctx,
			            w->moff[a] < w->moff[a + 1] ? &w->mv[w->moff[a]] : NULL, 0);
		}
	}
	if (p->prefetch && k + PREFETCH_NEAR < w->ntodo) {
		size_t a = k + PREFETCH_NEAR;
		pctx->store.impl = &s->views[w->todo[a]];
		p->prefetch(node_at(s, (uint32_t)w->todo[a]), pctx,
		            w->moff[a] < w->moff[a + 1] ? &w->mv[w->moff[a]] : NULL, 1);
	}
}

/* After node i ticked: active next round, asleep in the timer wheel until
 * a later round, or idle until a message. */
static void
retime(worker *w, uint32_t i, const void *node)
{
	ec_sim *s = w->s;
	const ec_protocol *p = s->cfg.protocol;
	uint64_t next = p->wake_at && !s->cfg.tick_every_round ? p->wake_at(node)
	                : p->idle(node)                            ? NOT_DUE
	                                                           : s->round + 1;
	uint64_t due = NOT_DUE;
	if (next > s->round + 1) {
		s->active[i / 64] &= ~(1ull << (i % 64));
		due = next;
	}
	if (!ecsim_wheel_set(&w->life, &w->wheel, s->due, i, due))
		w->err = EC_ENOMEM;
}

/* The round's work on the worker's nodes, in ascending node order: each
 * node handles its messages (in delivery order), then ticks.  The nodes
 * are those that received something or were submitted to, and those whose
 * wake-up round (the protocol's wake_at) has come; the ticks a node skips
 * would have done nothing but count time.  Nodes share nothing during a
 * round and their outputs are tagged, so this is the same as delivering
 * every message and then ticking every node, but each node's state is
 * fetched from memory once a round instead of twice. */
static void
round_part(worker *w)
{
	ec_sim *s = w->s;
	const ec_protocol *p = s->cfg.protocol;
	size_t mine = link_messages(w);
	ecsim_wheel_fire(&w->wheel, s->due, s->round, s->active);
	if ((w->err = list_work(w, mine)))
		return;
	ec_ctx pctx = w->ctx; /* bound to the node being prefetched */
	const bool prefetch = (size_t)s->n * s->node_size > PREFETCH_MIN_BYTES;
	for (size_t k = 0; k < w->ntodo && !w->err; k++) {
		if (prefetch)
			prefetch_work(w, k, &pctx);
		uint32_t i = (uint32_t)w->todo[k];
		void *node = node_at(s, i);
		catch_up(s, node); /* it may have skipped ticks that had no work */
		bind_node(w, i);
		w->oi = 0;
		for (size_t j = w->moff[k]; j < w->moff[k + 1] && !w->err; j++) {
			w->tag = w->mtag[j];
			w->err = p->handle(node, &w->ctx, &w->mv[j]);
		}
		if (w->err)
			break;
		w->oi = 1;
		w->tag = i;
		w->err = p->tick(node, &w->ctx);
		w->oi = 0;
		if (!w->err)
			retime(w, i, node);
	}
}

/* The worker's slice of this round's deliveries. */
static void
prep_part(worker *w)
{
	ec_sim *s = w->s;
	size_t lo = s->ndeliver * w->id / s->nw, hi = s->ndeliver * (w->id + 1) / s->nw;
	ecsim__prep_range(s, lo, hi, s->round >= s->cfg.warmup, &w->prep);
}

static void *
worker_main(void *arg)
{
	worker *w = arg;
	ec_sim *s = w->s;
	pthread_mutex_lock(&s->gate_mu); /* until every thread started, or not */
	while (!s->gate_open)
		pthread_cond_wait(&s->gate_cv, &s->gate_mu);
	pthread_mutex_unlock(&s->gate_mu);
	if (s->phase == PHASE_EXIT)
		return NULL;
	for (;;) {
		pthread_barrier_wait(&s->start);
		if (s->phase == PHASE_EXIT)
			return NULL;
		if (s->phase == PHASE_PREP)
			prep_part(w);
		else
			round_part(w);
		pthread_barrier_wait(&s->done);
	}
}

/* Runs a phase on every worker (the caller is worker 0); returns the first
 * worker's error. */
ec_err
ecsim__run_phase(ec_sim *s, int phase)
{
	s->phase = phase;
	if (s->nw > 1)
		pthread_barrier_wait(&s->start);
	if (phase == PHASE_PREP)
		prep_part(&s->w[0]);
	else
		round_part(&s->w[0]);
	if (s->nw > 1)
		pthread_barrier_wait(&s->done);
	for (uint32_t k = 0; k < s->nw; k++)
		if (s->w[k].err)
			return s->w[k].err;
	return EC_OK;
}

static void
store_free(void *arg)
{
	ec_memstore_free(((worker *)arg)->store);
}

static void
alloc_fini(void *arg)
{
	ecsim_alloc_fini(&((worker *)arg)->alloc);
}

static void
worker_release(void *arg)
{
	ecsim_life_release(&((worker *)arg)->life);
}

ec_err
ecsim__workers_init(ec_sim *s)
{
	const ec_sim_config *cfg = &s->cfg;
	s->nw = cfg->threads ? cfg->threads : 1;
	s->chunk = (uint32_t)((((uint64_t)s->n + s->nw - 1) / s->nw + 63) / 64 * 64);
	s->nw = (s->n + s->chunk - 1) / s->chunk;
	ec_err err = ecsim_life_calloc(&s->life, s->nw, sizeof *s->w, (void **)&s->w);
	if (err)
		return err;
	for (uint32_t k = 0; k < s->nw; k++) {
		worker *w = &s->w[k];
		w->s = s;
		w->id = k;
		w->lo = k * s->chunk;
		w->hi = w->lo + s->chunk < s->n ? w->lo + s->chunk : s->n;
		if ((err = ecsim_life_defer(&s->life, worker_release, w)))
			return err;
		if ((err = ec_memstore_new(ecsim_huge_realloc, NULL, &w->store)) ||
		    (err = ecsim_life_defer(&s->life, store_free, w)))
			return err;
		ecsim_alloc_init(&w->alloc, &s->arena);
		if ((err = ecsim_life_defer(&s->life, alloc_fini, w)))
			return err;
		w->ctx = (ec_ctx){.realloc_fn = ecsim_alloc_realloc, .alloc_user = &w->alloc,
		                  .memo = cfg->verify_every_node ? NULL : ec_memstore_memo,
		                  .sig = s->sig, .vote_sign = ecsim__vote_sign,
		                  .vote_key = ecsim__vote_key, .vote_user = s};
		if ((err = ecsim__bus_init(s, w)))
			return err;
	}
	return EC_OK;
}

/* Opens the gate the started threads wait at. */
static void
open_gate(ec_sim *s)
{
	pthread_mutex_lock(&s->gate_mu);
	s->gate_open = true;
	pthread_cond_broadcast(&s->gate_cv);
	pthread_mutex_unlock(&s->gate_mu);
}

/* Stops the threads 1 .. nthreads - 1 (after a phase, at the barrier). */
static void
pool_stop(void *arg)
{
	ec_sim *s = arg;
	s->phase = PHASE_EXIT;
	if (s->gate_open)
		pthread_barrier_wait(&s->start);
	else
		open_gate(s);
	for (uint32_t k = 1; k < s->nthreads; k++)
		pthread_join(s->w[k].thread, NULL);
	pthread_barrier_destroy(&s->start);
	pthread_barrier_destroy(&s->done);
	pthread_cond_destroy(&s->gate_cv);
	pthread_mutex_destroy(&s->gate_mu);
}

ec_err
ecsim__pool_start(ec_sim *s)
{
	if (s->nw < 2)
		return EC_OK;
	if (pthread_mutex_init(&s->gate_mu, NULL))
		return EC_ENOMEM;
	if (pthread_cond_init(&s->gate_cv, NULL)) {
		pthread_mutex_destroy(&s->gate_mu);
		return EC_ENOMEM;
	}
	if (pthread_barrier_init(&s->start, NULL, s->nw) || pthread_barrier_init(&s->done, NULL, s->nw)) {
		pthread_cond_destroy(&s->gate_cv);
		pthread_mutex_destroy(&s->gate_mu);
		return EC_ENOMEM;
	}
	s->nthreads = 1;
	ec_err err = ecsim_life_defer(&s->life, pool_stop, s);
	if (err)
		return err;
	for (uint32_t k = 1; k < s->nw; k++) {
		if (pthread_create(&s->w[k].thread, NULL, worker_main, &s->w[k]))
			return EC_ENOMEM; /* pool_stop lets those started leave */
		s->nthreads = k + 1;
	}
	open_gate(s);
	return EC_OK;
}
