/* SPDX-License-Identifier: MIT */
/*
 * The round loop of the reference simulator (spec §4.3), driving any
 * ec_protocol.  One ChaCha12 stream is drawn in the reference's order:
 * set-up (node ids, token ids, topology), then per round the token shuffle,
 * the block draws and the queue shuffle.  Nodes never draw.
 *
 * Nodes live in one array in ascending id order (the order they tick in);
 * gen[] maps the generation order, which picks injection targets, to it.
 * Messages are ec_msg values; block bodies point into the shared store's
 * interned arena, so a queued message never dangles.
 */
#include "ec/sim.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ec/ecp.h"
#include "ec/identity.h"
#include "ec/memstore.h"
#include "progress.h" /* set-up progress: sim_progress() calls below */
#include "topology.h"
#include "wallet.h"

const uint8_t ec_published_seed[EC_RNG_SEED_BYTES] = {
	184, 96, 199, 42, 250, 200, 180, 30, 170, 143, 225, 146, 186, 227, 135, 167,
	78, 76, 49, 212, 146, 192, 201, 198, 194, 87, 55, 228, 251, 191, 13, 95};

typedef struct sim_token {
	ec_token_id token;
	ec_block_id block;
	uint64_t key;
	/* the spend before (ec wallets: the replay attack re-spends it) */
	ec_block_id prev_block;
	uint64_t prev_key;
} sim_token;

typedef struct outstanding {
	ec_block_id id;
	uint32_t target; /* node index */
	uint32_t rec;    /* its blkrec */
	uint64_t created;
	ec_token_part *parts; /* the tokens it moves and their new keys, then
	                         (used more) the keys that signed them */
	uint32_t used;        /* witness tokens excluded: they die with it */
} outstanding;

/* What the simulator tracks of every created block, network-wide. */
typedef struct blkrec {
	ec_block_id id;
	uint64_t created;
	uint64_t all_round;     /* round every member had committed, or 0 */
	uint32_t family;        /* conflict family + 1, or 0 */
	uint32_t moff, mlen;    /* its neighbourhood members in s->mem (sorted) */
	uint32_t mcommits;      /* members that committed */
	uint32_t ncommits;      /* nodes that committed */
	bool forged;            /* an attack block (forge_rate) */
	ec_id full;             /* ec: the full (content hash) id */
} blkrec;

typedef struct conflict_family {
	uint32_t a, b;          /* blkrec indexes */
	bool resolved;          /* tokens freed by the first commit seen */
} conflict_family;

/* Item arrays of envelopes in flight, by round parity: a round writes
 * into its own generation while the queue it delivers still lives in the
 * other; chunks never move, so queued pointers stay valid. */
typedef struct itembuf {
	ecp_item **chunks;
	size_t *sizes;
	size_t nchunks, cur, used;
} itembuf;

#define ITEM_CHUNK 65536u

typedef struct commit_rec {
	ec_peer_id node;
	ec_block_id block;
} commit_rec;

typedef struct msgq {
	ec_msg *v;
	size_t len, cap;
} msgq;

/* Messages (or events) a worker produced, each tagged with what orders it
 * globally: the delivery index during delivery, the node index during
 * ticks.  Merging the workers' lists by tag gives exactly the order a single
 * thread would have produced. */
typedef struct tagged_msgs {
	ec_msg *v;
	size_t *tag;
	size_t len, cap;
} tagged_msgs;

typedef struct ev_rec {
	size_t tag;             /* with TICK_TAG set for a tick's */
	ec_peer_id node;
	ec_block_id block;
	uint64_t arg;
	size_t seq;             /* logging order, for a stable sort */
	ec_event ev;
} ev_rec;

#define TICK_TAG ((size_t)1 << (sizeof(size_t) * 8 - 1))

/* A worker's timer wheel: in slot r % WHEEL_SLOTS, the nodes that may fall
 * due at round r (or a later lap); s->due[node] says which is current. */
#define WHEEL_SLOTS 64u
#define NOT_DUE UINT64_MAX

typedef struct wheel_slot {
	uint32_t *v;
	size_t len, cap;
} wheel_slot;

/* What a pass over delivered messages counts (prep_range). */
typedef struct prep_stats {
	uint64_t bytes, logical;
	uint64_t items[16];
	uint64_t relayed, relay_hops, repoll;
	uint64_t by_type[EC_MSG_TYPE_MAX + 1];
} prep_stats;

typedef struct worker {
	struct ec_sim *s;
	uint32_t id;
	uint32_t lo, hi;        /* nodes [lo, hi), a multiple of 64 apart */
	ec_ctx ctx;
	sim_alloc alloc;        /* its nodes' memory during the rounds */
	ec_memstore *store;     /* the block and token stores of its nodes */
	tagged_msgs out[2];     /* what handles (tag: the delivery index) and
	                           ticks (tag: the node index) sent */
	unsigned oi;            /* which of them on_send fills now */
	size_t tag;             /* tag of what it is processing now */
	ev_rec *evs;            /* logged only when a node_event hook is set */
	size_t nevs, evcap;
	uint64_t events[EC_EV_COUNT];
	uint64_t rejects[16];   /* EC_EV_REJECT by verdict */
	uint64_t negative;
	ec_answer **answers;    /* copies of Answer bodies in flight */
	size_t nanswers;
	itembuf items[2];       /* envelope items, by round parity */
	size_t *todo;           /* this round's nodes, ascending */
	size_t ntodo, todocap;
	ec_msg *mv;             /* their messages, gathered in that order */
	uint32_t *mtag;         /* each one's delivery index */
	size_t *moff;           /* todo[k]'s messages: mv[moff[k] .. moff[k+1]) */
	size_t mvcap, mtagcap, moffcap;
	commit_rec *commits;    /* node commits this phase */
	size_t ncommits, comcap;
	prep_stats prep;        /* its share of this round's deliveries */
	wheel_slot wheel[WHEEL_SLOTS];
	size_t ntimed;          /* its nodes with a due round (s->due) */
	ec_err err;
	pthread_t thread;
} worker;

enum { PHASE_PREP, PHASE_ROUND, PHASE_EXIT };

struct ec_sim {
	ec_sim_config cfg;
	bool ec;                /* the ec protocol: wallets sign its blocks */
	uint64_t *refused;      /* identities: bit i, node index i's claim failed */
	sim_token dead[256];    /* recently destroyed tokens (block: the destroy,
	                           key: its signer), for the resurrection attack */
	uint32_t ndead;
	const ec_sig_scheme *sig;
	sim_arena arena;
	ec_rng rng;
	uint64_t round;
	bool over;
	uint32_t n;
	unsigned char *nodes;  /* n * protocol->node_size, ascending id */
	size_t node_size;      /* protocol->node_size */
	uint64_t *ids;         /* ascending */
	uint32_t *gen;         /* generation index -> node index */
	uint32_t *slots;       /* id hash: node index + 1, 0 = empty */
	size_t nslots;
	uint64_t *active;      /* bitmap: nodes that tick this round */
	uint64_t *due;         /* per node: the later round its next tick falls
	                          due (protocol wake_at) while its active bit
	                          is clear, or NOT_DUE */
	uint64_t *rows;        /* adjacency bitmap from the topology draw */
	size_t words;          /* uint64_t per row */
	uint64_t *ready;       /* bitmap: nodes whose peer list is built */
	uint64_t *peer_buf;    /* scratch for building one peer list */
	ec_memstore_view *views;
	ec_ctx ctx;             /* set-up calls (set_peers) */
	worker *w;
	uint32_t nw;            /* workers; worker 0 is the calling thread */
	uint32_t chunk;         /* nodes per worker, a multiple of 64 */
	bool pool_started;
	pthread_barrier_t start, done;
	int phase;
	size_t ndeliver;
	uint32_t *rcv;          /* receiver of each delivered message, or UINT32_MAX */
	uint32_t *link;         /* per delivered message: the next one to the
	                           same receiver, or UINT32_MAX */
	size_t rcvcap, linkcap;
	uint32_t *head;         /* per node: its first message this round */
	msgq q, next;
	msgq shuf;              /* the queue in shuffled order, then swapped in */
	uint32_t *perm;         /* the shuffle, as positions */
	size_t permcap;
	sim_token *tokens;
	size_t ntokens, tokcap;  /* tokcap: room from s->tokens on */
	size_t tokskip;         /* offered tokens before s->tokens, not yet
	                           moved out: the buffer starts there */
	outstanding *out;       /* ascending block id (merge_outstanding) */
	size_t nout, outcap;
	outstanding *outnew;    /* scratch: a round's new blocks, sorted */
	size_t outnewcap;
	uint64_t *latencies;
	size_t nlat, latcap;
	blkrec *recs;
	size_t nrecs, reccap;
	uint32_t *rslots;       /* block handle -> blkrec index + 1 */
	size_t nrslots;
	uint32_t *mem;
	size_t nmem, memcap;
	conflict_family *fams;
	size_t nfams, famcap;
	ec_sim_result res;
};

uint64_t
ec_msg_wire_size(const ec_msg *m)
{
	uint64_t size = 33;
	switch (m->type) {
	case EC_MSG_VOTE: return size + 10;
	case EC_MSG_QUERY_BLOCK:
	case EC_MSG_QUERY_TOKEN:
	case EC_MSG_REFERRAL: return size + 24;
	case EC_MSG_ANSWER: return size + 176;
	case EC_MSG_ENVELOPE: {
		uint64_t e = 12 + 16; /* the wire envelope (docs/wire.md) plus receiver and
		                         time, which a datagram's addressing carries */
		for (uint32_t i = 0; i < m->u.env.n; i++)
			e += ecp_item_wire_size(&m->u.env.items[i]);
		return e;
	}
	case EC_MSG_BLOCK:
		size += 17;
		if (m->u.block.block) {
			const ec_block *b = m->u.block.block;
			for (uint32_t i = 0; i < b->used && i < EC_TOKENS_PER_BLOCK; i++)
				size += 25u + ((b->sig_present >> i & 1u) ? 8u : 0u);
		}
		return size;
	}
	return size;
}

void
ec_sim_config_default(ec_sim_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->nodes = 2000;
	cfg->rounds = 2000;
	memcpy(cfg->seed, ec_published_seed, sizeof cfg->seed);
	cfg->delay = 0.5;
	cfg->loss = 0.02;
	cfg->topology = (ec_topology){EC_TOPO_RING_GRADIENT, 0.1, 0.7, 0};
	cfg->initial_tokens = 1;
	cfg->block_min = 1;
	cfg->block_max = 3;
	cfg->max_queue = 1u << 24; /* 16 M messages: about 2 GiB of queue */
	cfg->protocol = ec_protocol_find("seed");
}

static bool
is_fraction(double x)
{
	return x >= 0.0 && x <= 1.0; /* false for NaN */
}

const char *
ec_sim_config_check(const ec_sim_config *cfg)
{
	if (cfg->nodes < 2)
		return "the network needs at least 2 nodes";
	if (!is_fraction(cfg->delay))
		return "the delay must be a fraction in [0, 1]";
	if (!is_fraction(cfg->loss))
		return "the loss must be a fraction in [0, 1]";
	if (cfg->block_min < 1 || cfg->block_min > cfg->block_max)
		return "the block size range must satisfy 1 <= min <= max";
	if (!cfg->protocol)
		return "no protocol selected";
	if (cfg->block_max > cfg->protocol->max_block_tokens)
		return cfg->protocol->max_block_tokens == EC_TOKENS_PER_BLOCK - 1
		           ? "a block holds at most 5 tokens (block size max must be <= 5)"
		           : "block size max exceeds what the protocol accepts (256)";
	if (!is_fraction(cfg->conflict_rate))
		return "the conflict rate must be a fraction in [0, 1]";
	if (!is_fraction(cfg->forge_rate))
		return "the forge rate must be a fraction in [0, 1]";
	if (!is_fraction(cfg->destroy_rate))
		return "the destroy rate must be a fraction in [0, 1]";
	if (cfg->protocol != &ec_protocol_ec &&
	    (cfg->forge_rate > 0 || cfg->destroy_rate > 0 || cfg->witness_tokens || cfg->signatures))
		return "signatures, forgeries, destroys and witness tokens need --protocol ec";
	if (cfg->identity_bits > 24)
		return "identity difficulty above 24 bits is too slow for a simulation";
	if (!is_fraction(cfg->bad_identity_rate))
		return "the bad identity rate must be a fraction in [0, 1]";
	if ((cfg->identity_bits || cfg->bad_identity_rate > 0) &&
	    !ec_topology_bounded(cfg->topology.kind))
		return "identities need a bounded-degree topology";
	if (cfg->bad_identity_rate > 0 && !cfg->identity_bits)
		return "bad identities need --identity-bits";
	if (cfg->witness_tokens > 16)
		return "at most 16 witness tokens per block";
	if (cfg->block_max + cfg->witness_tokens > cfg->protocol->max_block_tokens)
		return "block size max plus witness tokens exceeds what the protocol accepts (256)";
	if (cfg->neighbourhood > 64)
		return "the neighbourhood width must be at most 64";
	if (cfg->threads > EC_SIM_MAX_THREADS)
		return "at most 64 threads";
	if (cfg->tokens_per_node && cfg->tokens_per_node > (1ull << 32) / cfg->nodes)
		return "tokens per node times nodes must stay below 2^32";
	if (cfg->warmup >= cfg->rounds && cfg->rounds > 0)
		return "the warm-up must be shorter than the run";
	if (!(cfg->tx_per_node >= 0) || cfg->tx_per_node > 1e6)
		return "the transactions per node per round must be a number in [0, 1e6]";
	if (cfg->tx_per_node > 0 && cfg->tx_rate)
		return "give the transaction rate either per round or per node, not both";
	if (cfg->drain && /* written so that no sum of option values can wrap */
	    (cfg->warmup >= cfg->rounds || cfg->drain >= cfg->rounds - cfg->warmup))
		return "the warm-up and the drain must leave rounds that create blocks";
	switch (cfg->topology.kind) {
	case EC_TOPO_RANDOM:
		if (!is_fraction(cfg->topology.a))
			return "random topology connectivity must be in [0, 1]";
		break;
	case EC_TOPO_RING_GRADIENT:
		if (!is_fraction(cfg->topology.a) || !is_fraction(cfg->topology.b))
			return "ring-gradient probabilities must be in [0, 1]";
		if (cfg->topology.a > cfg->topology.b)
			return "ring-gradient needs min <= max";
		break;
	case EC_TOPO_RING_GAUSSIAN:
		if (!(cfg->topology.a > 0.0) || !isfinite(cfg->topology.a))
			return "ring-gaussian sigma must be a positive number";
		break;
	case EC_TOPO_CAPPED_GRADIENT:
		if (!is_fraction(cfg->topology.a) || !is_fraction(cfg->topology.b) ||
		    cfg->topology.a > cfg->topology.b || cfg->topology.b == 0.0)
			return "capped-gradient needs 0 <= far <= near <= 1 and near > 0";
		__attribute__((fallthrough));
	case EC_TOPO_SMALL_WORLD:
	case EC_TOPO_CORE_TAIL:
	case EC_TOPO_RANDOM_REGULAR:
		if (cfg->topology.degree < 1)
			return "a bounded-degree topology needs --degree of at least 1";
		break;
	default:
		return "unknown topology";
	}
	return NULL;
}

static void *
node_at(const ec_sim *s, uint32_t i)
{
	return s->nodes + (size_t)i * s->node_size;
}

static bool
node_index(const ec_sim *s, ec_peer_id id, uint32_t *idx)
{
	size_t h = (size_t)ec_mix64(id) & (s->nslots - 1);
	for (;;) {
		uint32_t v = s->slots[h];
		if (v == 0)
			return false;
		if (s->ids[v - 1] == id) {
			*idx = v - 1;
			return true;
		}
		h = (h + 1) & (s->nslots - 1);
	}
}

static ec_err
build_index(ec_sim *s)
{
	s->nslots = 16;
	while (s->nslots < 2 * (size_t)s->n)
		s->nslots *= 2;
	s->slots = sim_huge_alloc(s->nslots * sizeof *s->slots); /* zeroed */
	if (!s->slots)
		return EC_ENOMEM;
	for (uint32_t i = 0; i < s->n; i++) {
		size_t h = (size_t)ec_mix64(s->ids[i]) & (s->nslots - 1);
		while (s->slots[h])
			h = (h + 1) & (s->nslots - 1);
		s->slots[h] = i + 1;
	}
	return EC_OK;
}

static bool
bit_get(const uint64_t *bits, uint32_t i)
{
	return bits[i / 64] >> (i % 64) & 1;
}

static size_t
row_degree(const ec_sim *s, uint32_t i)
{
	size_t d = 0;
	const uint64_t *row = s->rows + (size_t)i * s->words;
	for (size_t w = 0; w < s->words; w++)
		d += (size_t)__builtin_popcountll(row[w]);
	return d;
}

/* Trusted peers of node i, whether or not its list is built yet. */
static uint64_t
node_degree(const ec_sim *s, uint32_t i)
{
	return bit_get(s->ready, i) ? s->cfg.protocol->peer_count(node_at(s, i)) : row_degree(s, i);
}

/* Hands node i its peer list, built from its adjacency row, the first time
 * the node is used: most nodes of a dense network never are, and a row is
 * 64 times smaller than the list. */
static ec_err
materialize(ec_sim *s, uint32_t i)
{
	if (bit_get(s->ready, i))
		return EC_OK;
	const uint64_t *row = s->rows + (size_t)i * s->words;
	size_t len = 0;
	for (size_t w = 0; w < s->words; w++)
		for (uint64_t bits = row[w]; bits; bits &= bits - 1)
			s->peer_buf[len++] = s->ids[w * 64 + (size_t)__builtin_ctzll(bits)];
	s->arena.setup = true;
	ec_err err = s->cfg.protocol->set_peers(node_at(s, i), &s->ctx, s->peer_buf, len);
	s->arena.setup = false;
	if (!err)
		s->ready[i / 64] |= 1ull << (i % 64);
	return err;
}

/* Bounded-degree topologies hand every node its list at set-up: there is
 * no bitmap to build it from later. */
static ec_err
emit_bounded(void *user, uint32_t i, const uint32_t *peers, size_t n)
{
	ec_sim *s = user;
	size_t len = 0;
	for (size_t k = 0; k < n; k++) {
		if (s->refused && (s->refused[peers[k] / 64] >> (peers[k] % 64) & 1)) {
			s->res.identity_refused++; /* its claim did not verify */
			continue;
		}
		s->peer_buf[len++] = s->ids[peers[k]];
	}
	n = len;
	s->arena.setup = true;
	ec_err err = s->cfg.protocol->set_peers(node_at(s, i), &s->ctx, s->peer_buf, n);
	s->arena.setup = false;
	if (!err)
		s->ready[i / 64] |= 1ull << (i % 64);
	return err;
}

/* Idle nodes are not ticked; before a node is used its clock catches up
 * with the round (protocol advance()), and it joins this round's ticks. */
static void
catch_up(ec_sim *s, void *node)
{
	uint64_t t = s->cfg.protocol->now(node);
	if (t < s->round)
		s->cfg.protocol->advance(node, s->round - t);
}

static ec_err
wake(ec_sim *s, uint32_t i)
{
	ec_err err = materialize(s, i);
	if (err)
		return err;
	catch_up(s, node_at(s, i));
	s->active[i / 64] |= 1ull << (i % 64);
	return EC_OK;
}

static worker *
owner(const ec_sim *s, uint32_t i)
{
	return &s->w[i / s->chunk];
}

static void
bind_node(worker *w, uint32_t i)
{
	w->ctx.store.impl = &w->s->views[i];
}

static bool
grow(void **v, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	void *p = realloc(*v, c * elem);
	if (!p)
		return false;
	*v = p;
	*cap = c;
	return true;
}

/* grow() for the message queues, which live on huge pages from 2 MiB on
 * (their gather reads them at random); release with sim_huge_realloc. */
static bool
grow_huge(void **v, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	void *p = sim_huge_realloc(NULL, *v, *cap * elem, c * elem);
	if (!p)
		return false;
	*v = p;
	*cap = c;
	return true;
}

static bool
tagged_grow(tagged_msgs *t, size_t need)
{
	if (need <= t->cap)
		return true;
	size_t cap = t->cap;
	if (!grow((void **)&t->v, &cap, need, sizeof *t->v))
		return false;
	cap = t->cap;
	if (!grow((void **)&t->tag, &cap, need, sizeof *t->tag))
		return false;
	t->cap = cap;
	return true;
}

static void
items_reset(itembuf *b)
{
	b->cur = 0;
	b->used = 0;
}

/* n contiguous items from b (NULL when out of memory). */
static ecp_item *
items_alloc(itembuf *b, size_t n)
{
	while (b->cur < b->nchunks && b->sizes[b->cur] - b->used < n) {
		b->cur++;
		b->used = 0;
	}
	if (b->cur == b->nchunks) {
		size_t size = n > ITEM_CHUNK ? n : ITEM_CHUNK;
		ecp_item **c = realloc(b->chunks, (b->nchunks + 1) * sizeof *c);
		if (!c)
			return NULL;
		b->chunks = c;
		size_t *z = realloc(b->sizes, (b->nchunks + 1) * sizeof *z);
		if (!z)
			return NULL;
		b->sizes = z;
		if (!(c[b->nchunks] = sim_huge_alloc(size * sizeof **c)))
			return NULL;
		z[b->nchunks++] = size;
		b->used = 0;
	}
	ecp_item *p = b->chunks[b->cur] + b->used;
	b->used += n;
	return p;
}

static void
items_free(itembuf *b)
{
	for (size_t i = 0; i < b->nchunks; i++)
		sim_huge_free(b->chunks[i], b->sizes[i] * sizeof **b->chunks);
	free(b->chunks);
	free(b->sizes);
}

/* Copies an envelope's items into generation gen of worker w. */
static ec_err
keep_items(ec_msg *d, worker *w, unsigned gen)
{
	if (d->type != EC_MSG_ENVELOPE || d->u.env.n == 0)
		return EC_OK;
	itembuf *b = &w->items[gen];
	size_t n = d->u.env.n;
	ecp_item *it;
	if (b->cur < b->nchunks && b->sizes[b->cur] - b->used >= n) { /* the usual case */
		it = b->chunks[b->cur] + b->used;
		b->used += n;
	} else if (!(it = items_alloc(b, n))) {
		return EC_ENOMEM;
	}
	if (n == 1)
		*it = *d->u.env.items;
	else
		memcpy(it, d->u.env.items, n * sizeof *it);
	d->u.env.items = it;
	return EC_OK;
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
	if (!tagged_grow(out, out->len + 1))
		return EC_ENOMEM;
	ec_msg *d = &out->v[out->len];
	*d = *m;
	if (m->type == EC_MSG_ENVELOPE) {
		ec_err err = keep_items(d, w, (unsigned)(w->s->round & 1));
		if (err)
			return err;
	} else if (m->type == EC_MSG_BLOCK && m->u.block.block) {
		ec_err err = ec_memstore_intern(w->store, m->u.block.block, &d->u.block.block);
		if (err)
			return err;
	} else if (m->type == EC_MSG_ANSWER && m->u.answer.answer) {
		ec_answer **a = realloc(w->answers, (w->nanswers + 1) * sizeof *a);
		if (!a)
			return EC_ENOMEM;
		w->answers = a;
		if (!(a[w->nanswers] = malloc(sizeof **a)))
			return EC_ENOMEM;
		*a[w->nanswers] = *m->u.answer.answer;
		d->u.answer.answer = a[w->nanswers++];
	}
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
	if (ev == EC_EV_COMMIT &&
	    grow((void **)&w->commits, &w->comcap, w->ncommits + 1, sizeof *w->commits))
		w->commits[w->ncommits++] = (commit_rec){node, b};
	if (w->s->cfg.hooks.node_event &&
	    grow((void **)&w->evs, &w->evcap, w->nevs + 1, sizeof *w->evs))
		w->evs[w->nevs++] = (ev_rec){w->tag | (w->oi ? TICK_TAG : 0), node, b, arg, 0, ev};
}

static int
cmp_pair(const void *a, const void *b)
{
	const size_t *x = a, *y = b;
	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* Orders a worker's list by tag, keeping the order of equal tags (one
 * handle may send several messages). */
static ec_err
sort_tagged(tagged_msgs *t)
{
	size_t n = t->len, i = 1;
	while (i < n && t->tag[i - 1] <= t->tag[i])
		i++;
	if (i >= n)
		return EC_OK; /* the usual case: ticks run in tag order */
	size_t(*key)[2] = malloc(n * sizeof *key);
	ec_msg *v = malloc(n * sizeof *v);
	if (!key || !v) {
		free(key);
		free(v);
		return EC_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		key[i][0] = t->tag[i];
		key[i][1] = i;
	}
	qsort(key, n, sizeof *key, cmp_pair);
	for (i = 0; i < n; i++) {
		v[i] = t->v[key[i][1]];
		t->tag[i] = key[i][0];
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
	size_t total = 0;
	for (uint32_t k = 0; k < s->nw; k++) {
		ec_err err = sort_tagged(&s->w[k].out[which]);
		if (err)
			return err;
		total += s->w[k].out[which].len;
	}
	if (!grow_huge((void **)&to->v, &to->cap, to->len + total, sizeof *to->v))
		return EC_ENOMEM;
	size_t pos[EC_SIM_MAX_THREADS] = {0};
	for (size_t n = 0; n < total; n++) {
		uint32_t best = UINT32_MAX;
		for (uint32_t k = 0; k < s->nw; k++)
			if (pos[k] < s->w[k].out[which].len &&
			    (best == UINT32_MAX ||
			     s->w[k].out[which].tag[pos[k]] < s->w[best].out[which].tag[pos[best]]))
				best = k;
		to->v[to->len++] = s->w[best].out[which].v[pos[best]++];
	}
	for (uint32_t k = 0; k < s->nw; k++)
		s->w[k].out[which].len = 0;
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
static ec_err
merge_outputs(ec_sim *s, msgq *to)
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

/* Prefetch distances, in node visits ahead: the node's own lines first,
 * then its messages' items and the protocol's stage 0 (which reads the
 * node's lines), then the protocol's stage 1 (which reads what stage 0
 * fetched). */
#define PREFETCH_FAR 32u
#define PREFETCH_MID 20u  /* its messages' items; the protocol's stage 0 */
#define PREFETCH_NEAR 8u  /* the protocol's stage 1 */

static void
prefetch_node(const ec_sim *s, uint32_t i)
{
	const char *p = node_at(s, i);
	for (size_t off = 0; off < s->node_size; off += 64)
		__builtin_prefetch(p + off);
	__builtin_prefetch(p + s->node_size - 1); /* nodes need not start a line */
}

static bool
wheel_add(wheel_slot *ws, uint32_t i)
{
	if (!grow((void **)&ws->v, &ws->cap, ws->len + 1, sizeof *ws->v))
		return false;
	ws->v[ws->len++] = i;
	return true;
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

/* Marks active the worker's nodes whose timers fall due this round. */
static void
wake_due(worker *w)
{
	ec_sim *s = w->s;
	wheel_slot *ws = &w->wheel[s->round % WHEEL_SLOTS];
	size_t kept = 0;
	for (size_t k = 0; k < ws->len; k++) {
		uint32_t i = ws->v[k];
		uint64_t d = s->due[i];
		if (d == s->round) {
			s->active[i / 64] |= 1ull << (i % 64);
			s->due[i] = NOT_DUE;
			w->ntimed--;
		} else if (d != NOT_DUE && d > s->round && d % WHEEL_SLOTS == s->round % WHEEL_SLOTS) {
			ws->v[kept++] = i; /* a later lap */
		} /* else stale: the node ticked since and was re-timed */
	}
	ws->len = kept;
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
		if (!grow((void **)&w->todo, &w->todocap, need, sizeof *w->todo))
			return EC_ENOMEM;
		for (; bits; bits &= bits - 1)
			w->todo[w->ntodo++] = word * 64 + (size_t)__builtin_ctzll(bits);
	}
	if (!grow((void **)&w->mv, &w->mvcap, mine, sizeof *w->mv) ||
	    !grow((void **)&w->mtag, &w->mtagcap, mine, sizeof *w->mtag) ||
	    !grow((void **)&w->moff, &w->moffcap, w->ntodo + 1, sizeof *w->moff))
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
		for (size_t j = w->moff[a]; j < w->moff[a + 1]; j++)
			if (w->mv[j].type == EC_MSG_ENVELOPE)
				__builtin_prefetch(w->mv[j].u.env.items);
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
	if (due == s->due[i])
		return;
	if (s->due[i] != NOT_DUE)
		w->ntimed--;
	if (due != NOT_DUE)
		w->ntimed++;
	s->due[i] = due;
	if (due != NOT_DUE && !wheel_add(&w->wheel[due % WHEEL_SLOTS], i))
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
	wake_due(w);
	if ((w->err = list_work(w, mine)))
		return;
	ec_ctx pctx = w->ctx; /* bound to the node being prefetched */
	for (size_t k = 0; k < w->ntodo && !w->err; k++) {
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

/* Delivered messages [lo, hi): their receivers' node indexes (s->rcv,
 * UINT32_MAX for no such node) and what the statistics count of them. */
static void
prep_range(ec_sim *s, size_t lo, size_t hi, bool measured, prep_stats *st)
{
	memset(st, 0, sizeof *st);
	for (size_t i = lo; i < hi; i++) {
		const ec_msg *m = &s->q.v[i];
		uint32_t to;
		if (i + 8 < hi) { /* the receiver's index slot and the items */
			const ec_msg *a = &s->q.v[i + 8];
			__builtin_prefetch(&s->slots[(size_t)ec_mix64(a->receiver) & (s->nslots - 1)]);
			if (a->type == EC_MSG_ENVELOPE)
				__builtin_prefetch(a->u.env.items);
		}
		s->rcv[i] = UINT32_MAX;
		if (measured)
			st->bytes += ec_msg_wire_size(m);
		if (m->type == EC_MSG_ENVELOPE) {
			st->logical += m->u.env.n;
			if (measured)
				for (uint32_t k = 0; k < m->u.env.n; k++) {
					const ecp_item *it = &m->u.env.items[k];
					st->items[it->kind & 15]++;
					if (it->kind == ECP_BLOCK) {
						st->relayed += it->hops > 0;
						st->relay_hops += it->hops;
						st->repoll += (it->flags & ECP_F_POLL) != 0;
					}
				}
		} else {
			st->logical++;
		}
		if (!node_index(s, m->receiver, &to))
			continue;
		if (measured && m->type <= EC_MSG_TYPE_MAX)
			st->by_type[m->type]++;
		s->rcv[i] = to;
	}
}

/* The worker's slice of this round's deliveries. */
static void
prep_part(worker *w)
{
	ec_sim *s = w->s;
	size_t lo = s->ndeliver * w->id / s->nw, hi = s->ndeliver * (w->id + 1) / s->nw;
	prep_range(s, lo, hi, s->round >= s->cfg.warmup, &w->prep);
}

static void *
worker_main(void *arg)
{
	worker *w = arg;
	ec_sim *s = w->s;
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
static ec_err
run_phase(ec_sim *s, int phase)
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

void
ec_sim_free(ec_sim *s)
{
	if (!s)
		return;
	if (s->nodes) {
		for (uint32_t i = 0; i < s->n; i++)
			s->cfg.protocol->node_fini(node_at(s, i), &s->ctx);
		sim_huge_free(s->nodes, (size_t)s->n * s->node_size);
	}
	sim_arena_fini(&s->arena);
	if (s->pool_started) {
		s->phase = PHASE_EXIT;
		pthread_barrier_wait(&s->start);
		for (uint32_t k = 1; k < s->nw; k++)
			pthread_join(s->w[k].thread, NULL);
		pthread_barrier_destroy(&s->start);
		pthread_barrier_destroy(&s->done);
	}
	for (uint32_t k = 0; s->w && k < s->nw; k++) {
		worker *w = &s->w[k];
		ec_memstore_free(w->store);
		for (size_t i = 0; i < w->nanswers; i++)
			free(w->answers[i]);
		free(w->answers);
		for (unsigned o = 0; o < 2; o++) {
			free(w->out[o].v);
			free(w->out[o].tag);
		}
		free(w->evs);
		items_free(&w->items[0]);
		items_free(&w->items[1]);
		sim_alloc_fini(&w->alloc);
		free(w->todo);
		free(w->mv);
		free(w->mtag);
		free(w->moff);
		free(w->commits);
		for (size_t slot = 0; slot < WHEEL_SLOTS; slot++)
			free(w->wheel[slot].v);
	}
	free(s->w);
	free(s->rcv);
	free(s->link);
	sim_huge_free(s->head, s->n * sizeof *s->head);
	sim_huge_free(s->views, s->n * sizeof *s->views);
	sim_huge_free(s->ids, s->n * sizeof *s->ids);
	free(s->gen);
	sim_huge_free(s->slots, s->nslots * sizeof *s->slots);
	free(s->active);
	sim_huge_free(s->due, s->n * sizeof *s->due);
	free(s->rows);
	free(s->ready);
	free(s->peer_buf);
	sim_huge_realloc(NULL, s->q.v, s->q.cap * sizeof *s->q.v, 0);
	sim_huge_realloc(NULL, s->next.v, s->next.cap * sizeof *s->next.v, 0);
	sim_huge_realloc(NULL, s->shuf.v, s->shuf.cap * sizeof *s->shuf.v, 0);
	free(s->perm);
	free(s->tokens ? s->tokens - s->tokskip : NULL);
	for (size_t i = 0; i < s->nout; i++)
		free(s->out[i].parts);
	free(s->out);
	free(s->outnew);
	free(s->latencies);
	free(s->recs);
	free(s->rslots);
	free(s->mem);
	free(s->fams);
	free(s->refused);
	free(s);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static double
draw_unit(ec_sim *s)
{
	return (double)(ec_rng_u64(&s->rng) >> 11) * 0x1p-53;
}

/* Identities (cfg.identity_bits): every node draws an Ed25519 key and a
 * starting salt from the run's stream and mines an Argon2id address at the
 * simulation cost; its ring position is the address's first 8 bytes.  A
 * share bad_identity_rate of nodes claims a random address instead.  Each
 * claim is checked once, as every peer would find the same verdict; the
 * nodes whose claim fails are marked in s->refused (generation order). */
static ec_err
mine_identities(ec_sim *s, uint64_t *gen_ids)
{
	ec_identity_params p = EC_IDENTITY_PARAMS_SIM;
	p.bits = s->cfg.identity_bits;
	if (!(s->refused = calloc((s->n + 63) / 64, sizeof *s->refused)))
		return EC_ENOMEM;
	for (uint32_t k = 0; k < s->n; k++) {
		sim_progress(&s->cfg.hooks, "mining node identities", k, s->n); /* progress */
		uint8_t seed[32], sk[64];
		ec_identity_claim c;
		for (unsigned j = 0; j < 4; j++) {
			uint64_t a = ec_rng_u64(&s->rng), b = ec_rng_u64(&s->rng);
			for (unsigned x = 0; x < 8; x++) {
				seed[8 * j + x] = (uint8_t)(a >> (8 * x));
				c.salt[8 * j + x] = (uint8_t)(b >> (8 * x));
			}
		}
		ec_sig_ed25519.keypair(seed, c.public_key, sk);
		bool bad = s->cfg.bad_identity_rate > 0 && draw_unit(s) < s->cfg.bad_identity_rate;
		ec_err err;
		if (bad) { /* an address it did not mine (random bytes) */
			for (unsigned j = 0; j < 4; j++) {
				uint64_t a = ec_rng_u64(&s->rng);
				for (unsigned x = 0; x < 8; x++)
					c.address[8 * j + x] = (uint8_t)(a >> (8 * x));
			}
		} else {
			bool found = false;
			uint64_t tries = 0;
			if ((err = ec_identity_mine(&p, c.salt, c.address, &found, &tries, c.public_key,
			                            UINT64_MAX)))
				return err;
			s->res.identity_attempts += tries;
		}
		bool admit;
		ec_id id;
		ec_identity_verdict why;
		if ((err = ec_identity_admit(&p, &admit, &id, &why, &c)))
			return err;
		if (!admit) {
			s->refused[k / 64] |= 1ull << (k % 64);
			s->res.identity_bad_nodes++;
		}
		gen_ids[k] = ec_id_from_bytes(c.address).w[0];
	}
	return EC_OK;
}

ec_err
ec_sim_new(ec_sim **out, const ec_sim_config *cfg)
{
	*out = NULL;
	if (ec_sim_config_check(cfg))
		return EC_EINVAL;
	ec_err err = EC_ENOMEM;
	ec_sim *s = calloc(1, sizeof *s);
	uint64_t *gen_ids = NULL;
	if (!s)
		return EC_ENOMEM;
	s->cfg = *cfg;
	s->n = cfg->nodes;
	if (cfg->tx_per_node > 0) {
		double r = cfg->tx_per_node * (double)cfg->nodes + 0.5;
		s->cfg.tx_rate = r < 1 ? 1 : (uint64_t)r;
	}
	if ((err = ec_sig_init()))
		goto fail;
	s->ec = cfg->protocol == &ec_protocol_ec;
	s->sig = cfg->signatures ? cfg->signatures : &ec_sig_keyed_hash;
	s->res.warmup = cfg->warmup;
	s->res.rounds = cfg->rounds > cfg->warmup ? cfg->rounds - cfg->warmup : 0;
	const ec_protocol *p = cfg->protocol;
	sim_arena_init(&s->arena);
	/* Workers own contiguous node ranges of a multiple of 64 nodes (so no
	 * two share a word of the active bitmap) and each has its own stores. */
	s->nw = cfg->threads ? cfg->threads : 1;
	s->chunk = (uint32_t)((((uint64_t)s->n + s->nw - 1) / s->nw + 63) / 64 * 64);
	s->nw = (s->n + s->chunk - 1) / s->chunk;
	s->w = calloc(s->nw, sizeof *s->w);
	if (!s->w)
		goto fail;
	for (uint32_t k = 0; k < s->nw; k++) {
		worker *w = &s->w[k];
		w->s = s;
		w->id = k;
		w->lo = k * s->chunk;
		w->hi = w->lo + s->chunk < s->n ? w->lo + s->chunk : s->n;
		if ((err = ec_memstore_new(&w->store, sim_huge_realloc, NULL)))
			goto fail;
		sim_alloc_init(&w->alloc, &s->arena);
		w->ctx = (ec_ctx){.realloc_fn = sim_alloc_realloc, .alloc_user = &w->alloc,
		                  .send = on_send, .send_user = w, .event = on_event, .event_user = w,
		                  .intern = sim_intern, .intern_user = w->store,
		                  .memo = cfg->verify_every_node ? NULL : ec_memstore_memo,
		                  .sig = cfg->signatures ? cfg->signatures : &ec_sig_keyed_hash};
	}
	s->ctx = s->w[0].ctx;
	err = EC_ENOMEM;
	s->node_size = p->node_size;
	/* the randomly accessed arrays live on huge pages (zeroed) */
	s->nodes = sim_huge_alloc((size_t)s->n * p->node_size);
	s->ids = sim_huge_alloc(s->n * sizeof *s->ids);
	s->gen = malloc(s->n * sizeof *s->gen);
	s->views = sim_huge_alloc(s->n * sizeof *s->views);
	s->active = calloc((s->n + 63) / 64, sizeof *s->active);
	if ((s->due = sim_huge_alloc(s->n * sizeof *s->due)))
		memset(s->due, 0xff, s->n * sizeof *s->due); /* NOT_DUE */
	if ((s->head = sim_huge_alloc(s->n * sizeof *s->head)))
		memset(s->head, 0xff, s->n * sizeof *s->head); /* no messages */
	s->ready = calloc((s->n + 63) / 64, sizeof *s->ready);
	const bool bounded = ec_topology_bounded(cfg->topology.kind);
	s->words = bounded ? 0 : (s->n + 63) / 64; /* dense kinds keep a bitmap */
	s->rows = bounded ? NULL : calloc((size_t)s->n * s->words, sizeof *s->rows);
	s->peer_buf = malloc(s->n * sizeof *s->peer_buf);
	gen_ids = malloc(s->n * sizeof *gen_ids);
	if (!s->nodes || !s->ids || !s->gen || !s->views || !s->active || !s->due || !s->head || !s->ready ||
	    (!bounded && !s->rows) || !s->peer_buf || !gen_ids)
		goto fail;
	s->views[0] = (ec_memstore_view){s->w[0].store, 0};
	s->ctx.store = ec_memstore_bind(&s->views[0]);
	for (uint32_t k = 0; k < s->nw; k++)
		s->w[k].ctx.store = s->ctx.store; /* bind_node() swaps the view */

	ec_rng_init(&s->rng, cfg->seed);
	sim_progress(&cfg->hooks, "drawing node ids and tokens", 0, s->n); /* progress */
	if (cfg->identity_bits) {
		if ((err = mine_identities(s, gen_ids)))
			goto fail;
	} else {
		for (uint32_t k = 0; k < s->n; k++)
			gen_ids[k] = ec_rng_u64(&s->rng);
	}
	uint64_t ntok = cfg->tokens_per_node ? cfg->tokens_per_node * s->n : cfg->initial_tokens;
	if (ntok > SIZE_MAX / sizeof *s->tokens ||
	    !grow((void **)&s->tokens, &s->tokcap, (size_t)ntok, sizeof *s->tokens))
		goto fail;
	for (uint64_t t = 0; t < ntok; t++)
		s->tokens[t] = (sim_token){ec_rng_u64(&s->rng), 0, 0, 0, 0};
	s->ntokens = (size_t)ntok;

	/* nodes tick in ascending id order (the reference keeps them in an
	 * ordered map); gen[] keeps the generation order for target draws */
	sim_progress(&cfg->hooks, "sorting node ids", 0, s->n); /* progress */
	memcpy(s->ids, gen_ids, s->n * sizeof *s->ids);
	qsort(s->ids, s->n, sizeof *s->ids, cmp_u64);
	for (uint32_t i = 1; i < s->n; i++)
		if (s->ids[i - 1] == s->ids[i]) {
			err = EC_EINVAL; /* duplicate node id: astronomically rare */
			goto fail;
		}
	if ((err = build_index(s)))
		goto fail;
	for (uint32_t k = 0; k < s->n; k++) {
		uint32_t i = 0;
		(void)node_index(s, gen_ids[k], &i);
		s->gen[k] = i;
	}
	if (s->refused) { /* bits by generation order -> by node index */
		uint64_t *by_index = calloc((s->n + 63) / 64, sizeof *by_index);
		if (!by_index) {
			err = EC_ENOMEM;
			goto fail;
		}
		for (uint32_t k = 0; k < s->n; k++)
			if (s->refused[k / 64] >> (k % 64) & 1)
				by_index[s->gen[k] / 64] |= 1ull << (s->gen[k] % 64);
		free(s->refused);
		s->refused = by_index;
	}
	sim_progress(&cfg->hooks, "initialising nodes", 0, s->n); /* progress */
	for (uint32_t i = 0; i < s->n; i++) {
		s->views[i] = (ec_memstore_view){owner(s, i)->store, i};
		if ((err = p->node_init(node_at(s, i), s->ids[i], cfg->protocol_config)))
			goto fail;
	}
	if (bounded)
		err = ec_topology_draw_bounded(&s->rng, &cfg->topology, s->n, emit_bounded, s,
		                               &cfg->hooks /* progress */);
	else
		err = ec_topology_draw(&s->rng, &cfg->topology, gen_ids, s->n, s->gen, s->rows,
		                       s->words, &cfg->hooks /* progress */);
	if (err)
		goto fail;
	free(gen_ids);
	sim_progress(&cfg->hooks, "counting peers", 0, s->n); /* progress */
	s->res.degree_min = UINT64_MAX;
	uint64_t dsum = 0;
	for (uint32_t i = 0; i < s->n; i++) {
		uint64_t d = node_degree(s, i);
		dsum += d;
		s->res.degree_min = d < s->res.degree_min ? d : s->res.degree_min;
		s->res.degree_max = d > s->res.degree_max ? d : s->res.degree_max;
	}
	s->res.degree_avg = (double)dsum / (double)s->n;
	if (s->nw > 1) {
		if (pthread_barrier_init(&s->start, NULL, s->nw) ||
		    pthread_barrier_init(&s->done, NULL, s->nw)) {
			err = EC_ENOMEM;
			goto fail;
		}
		uint32_t k = 1;
		for (; k < s->nw; k++)
			if (pthread_create(&s->w[k].thread, NULL, worker_main, &s->w[k]))
				break;
		if (k < s->nw) { /* could not start them all: stop those that did */
			s->nw = k;
			s->pool_started = true;
			err = EC_ENOMEM;
			goto fail;
		}
		s->pool_started = true;
	}
	*out = s;
	return EC_OK;
fail:
	free(gen_ids);
	ec_sim_free(s);
	return err;
}

static uint32_t
rec_find(const ec_sim *s, ec_block_id id)
{
	if (!s->nrslots)
		return UINT32_MAX;
	size_t h = (size_t)ec_mix64(id) & (s->nrslots - 1);
	for (uint32_t v; (v = s->rslots[h]); h = (h + 1) & (s->nrslots - 1))
		if (s->recs[v - 1].id == id)
			return v - 1;
	return UINT32_MAX;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Global-ring rank of the first node at or above key. */
static uint32_t
rank_of(const ec_sim *s, uint64_t key)
{
	uint32_t lo = 0, hi = s->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->ids[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo % s->n;
}

/* Records a created block with the members of its token neighbourhoods:
 * the w nodes below and w+1 at or above each token in the global ring. */
static ec_err
rec_add(ec_sim *s, const ec_txn *t, uint32_t family, uint32_t *out)
{
	if ((s->nrecs + 1) * 2 > s->nrslots) {
		size_t ncap = s->nrslots ? s->nrslots * 2 : 1024;
		uint32_t *ns = calloc(ncap, sizeof *ns);
		if (!ns)
			return EC_ENOMEM;
		for (size_t i = 0; i < s->nrecs; i++) {
			size_t h = (size_t)ec_mix64(s->recs[i].id) & (ncap - 1);
			while (ns[h])
				h = (h + 1) & (ncap - 1);
			ns[h] = (uint32_t)i + 1;
		}
		free(s->rslots);
		s->rslots = ns;
		s->nrslots = ncap;
	}
	if (!grow((void **)&s->recs, &s->reccap, s->nrecs + 1, sizeof *s->recs))
		return EC_ENOMEM;
	uint32_t w = s->cfg.neighbourhood ? s->cfg.neighbourhood : 4;
	uint32_t span = 2 * w + 1 < s->n ? 2 * w + 1 : s->n;
	size_t need = (size_t)t->used * span;
	if (!grow((void **)&s->mem, &s->memcap, s->nmem + need, sizeof *s->mem))
		return EC_ENOMEM;
	uint32_t *m = s->mem + s->nmem;
	size_t k = 0;
	for (uint32_t r = 0; r < t->used; r++) { /* the nodes that hold the tokens */
		uint64_t key = t->parts[r].token;
		uint32_t base = (rank_of(s, key) + s->n - (w % s->n)) % s->n;
		for (uint32_t j = 0; j < span; j++)
			m[k++] = (base + j) % s->n;
	}
	qsort(m, k, sizeof *m, cmp_u32);
	size_t u = 0;
	for (size_t j = 0; j < k; j++)
		if (u == 0 || m[u - 1] != m[j])
			m[u++] = m[j];
	uint32_t idx = (uint32_t)s->nrecs++;
	s->recs[idx] = (blkrec){.id = t->id, .created = t->time, .family = family,
	                        .moff = (uint32_t)s->nmem, .mlen = (uint32_t)u};
	s->nmem += u;
	size_t h = (size_t)ec_mix64(t->id) & (s->nrslots - 1);
	while (s->rslots[h])
		h = (h + 1) & (s->nrslots - 1);
	s->rslots[h] = idx + 1;
	*out = idx;
	return EC_OK;
}

/* Folds the node commits the workers logged into the block records. */
static void
process_commits(ec_sim *s)
{
	for (uint32_t k = 0; k < s->nw; k++) {
		worker *w = &s->w[k];
		for (size_t i = 0; i < w->ncommits; i++) {
			uint32_t r = rec_find(s, w->commits[i].block), node;
			if (r == UINT32_MAX || !node_index(s, w->commits[i].node, &node))
				continue;
			blkrec *b = &s->recs[r];
			if (b->forged) {
				if (b->ncommits++ == 0)
					s->res.forged_committed++;
				continue;
			}
			b->ncommits++;
			if (b->created >= s->cfg.warmup)
				s->res.nodes_committed++;
			if (bsearch(&node, s->mem + b->moff, b->mlen, sizeof node, cmp_u32) &&
			    ++b->mcommits == b->mlen)
				b->all_round = s->round + 1; /* seen like a submitter's commit */
		}
		w->ncommits = 0;
	}
}

static bool
committed_at(ec_sim *s, uint32_t target, ec_block_id id, const ec_id *full)
{
	worker *w = owner(s, target);
	bind_node(w, target);
	return s->cfg.protocol->committed(node_at(s, target), &w->ctx, id, full);
}

/* Step A: blocks seen committed at their injection node free their tokens
 * (once per conflict family: the first of the twins seen committed). */
static ec_err
detect_commits(ec_sim *s)
{
	size_t w = 0;
	for (size_t i = 0; i < s->nout; i++) {
		outstanding *o = &s->out[i];
		if (!committed_at(s, o->target, o->id, s->ec ? &s->recs[o->rec].full : NULL)) {
			s->out[w++] = *o;
			continue;
		}
		uint32_t fam = s->recs[o->rec].family;
		if (fam && s->fams[fam - 1].resolved) { /* its twin already won */
			free(o->parts);
			continue;
		}
		if (fam)
			s->fams[fam - 1].resolved = true;
		if (s->ntokens + o->used > s->tokcap && s->tokskip) { /* reclaim the offered head */
			sim_token *base = s->tokens - s->tokskip;
			memmove(base, s->tokens, s->ntokens * sizeof *s->tokens);
			s->tokens = base;
			s->tokcap += s->tokskip;
			s->tokskip = 0;
		}
		if (!grow((void **)&s->tokens, &s->tokcap, s->ntokens + o->used, sizeof *s->tokens) ||
		    !grow((void **)&s->latencies, &s->latcap, s->nlat + 1, sizeof *s->latencies))
			return EC_ENOMEM;
		const uint64_t *signers = (const uint64_t *)(o->parts + o->used);
		for (uint32_t x = 0; x < o->used; x++) {
			if (!o->parts[x].key) { /* destroyed: a fresh token takes its place */
				s->res.destroyed++;
				s->dead[s->res.destroyed % 256] =
				    (sim_token){o->parts[x].token, o->id, signers[x], 0, 0};
				s->ndead = s->ndead < 256 ? s->ndead + 1 : 256;
				s->tokens[s->ntokens++] = (sim_token){ec_rng_u64(&s->rng), 0,
				                                      ec_rng_u64(&s->rng), 0, 0};
				continue;
			}
			s->tokens[s->ntokens++] = (sim_token){o->parts[x].token, o->id, o->parts[x].key,
			                                      o->parts[x].last, signers[x]};
		}
		uint64_t latency = s->round - o->created;
		if (o->created >= s->cfg.warmup) {
			s->latencies[s->nlat++] = latency;
			if (!fam)
				s->res.plain_committed++;
		}
		if (s->round >= s->cfg.warmup) {
			s->res.committed++;
			s->res.committed_tokens += o->used;

		}
		if (s->cfg.hooks.block_committed)
			s->cfg.hooks.block_committed(s->cfg.hooks.user, s->round, o->id,
			                             s->ids[o->target], latency);
		free(o->parts);
	}
	s->nout = w;
	/* a twin whose family was resolved is no longer waited for */
	w = 0;
	for (size_t i = 0; i < s->nout; i++) {
		uint32_t fam = s->recs[s->out[i].rec].family;
		if (fam && s->fams[fam - 1].resolved) {
			free(s->out[i].parts);
			continue;
		}
		s->out[w++] = s->out[i];
	}
	s->nout = w;
	return EC_OK;
}

/* Submits one transaction at node `target` and tracks it: its first
 * `real` parts (the rest are witness tokens), signed by the keys
 * signers[]. */
static ec_err
submit_txn(ec_sim *s, const ec_txn *t, uint32_t real, const uint64_t *signers, uint32_t target,
           uint32_t family, uint32_t *rec)
{
	ec_err err = wake(s, target);
	if (err)
		return err;
	worker *w = owner(s, target);
	w->tag = 0; /* anything sent on submit goes out after the delayed messages */
	bind_node(w, target);
	if ((err = s->cfg.protocol->submit(node_at(s, target), &w->ctx, t)))
		return err;
	if ((err = rec_add(s, t, family, rec)))
		return err;
	if (t->block)
		s->recs[*rec].full = t->block->id;
	if (!grow((void **)&s->out, &s->outcap, s->nout + 1, sizeof *s->out))
		return EC_ENOMEM;
	ec_token_part *parts = malloc(real * (sizeof *parts + sizeof *signers));
	if (!parts)
		return EC_ENOMEM;
	memcpy(parts, t->parts, real * sizeof *parts);
	memcpy(parts + real, signers, real * sizeof *signers);
	/* appended; create_blocks merges the round's blocks in by id */
	s->out[s->nout++] = (outstanding){t->id, target, *rec, s->round, parts, real};
	if (s->round >= s->cfg.warmup) {
		s->res.created++;
		if (!family)
			s->res.plain_created++;
	}
	if (s->cfg.hooks.block_created)
		s->cfg.hooks.block_created(s->cfg.hooks.user, s->round, t, s->ids[target]);
	return EC_OK;
}

/* The full id of the block a token's handle names (zero: none). */
static ec_id
full_id(const ec_sim *s, ec_block_id handle)
{
	uint32_t r = handle ? rec_find(s, handle) : UINT32_MAX;
	return r == UINT32_MAX ? (ec_id){{0, 0, 0, 0}} : s->recs[r].full;
}

/* Signs t's parts with the wallets (ec) and points t at the block. */
static ec_err
seal(ec_sim *s, ec_txn *t, const ec_id *parents, const uint64_t *signers, ecp_block **held)
{
	free(*held);
	*held = NULL;
	ec_err err = wallet_seal(s->sig, t->time, t->parts, parents, signers, t->used, WALLET_HONEST,
	                         0, held);
	if (err)
		return err;
	t->block = *held;
	t->id = ec_id_pos(&(*held)->id);
	return EC_OK;
}

/* An attack next to an honest block that moves tok (one of its parts,
 * p): in turn a bad signature, a wrong key, a replay (the previous owner
 * re-spends the parent it already spent, validly signed) and, when tokens
 * get destroyed, a resurrection (the last owner spends a destroyed token).
 * Each is a single-part block submitted at a random node; none may
 * commit. */
static ec_err
inject_forgery(ec_sim *s, const sim_token *tok, const ec_token_part *p, const ec_id *parent)
{
	uint64_t kind = s->res.forged_injected % (s->cfg.destroy_rate > 0 ? 4 : 3);
	if ((kind == 2 && !tok->prev_block) || (kind == 3 && !s->ndead))
		kind = 0; /* nothing to replay or resurrect yet */
	ec_token_part fp = {p->token, p->last, ec_rng_u64(&s->rng)};
	ec_id fpar = *parent;
	uint64_t signer = tok->key, attacker = ec_rng_u64(&s->rng);
	wallet_forge forge = kind == 0 ? WALLET_BAD_SIG : WALLET_WRONG_KEY;
	if (kind == 2) {
		fp.last = tok->prev_block;
		fpar = full_id(s, tok->prev_block);
		signer = tok->prev_key;
		forge = WALLET_HONEST;
	} else if (kind == 3) {
		const sim_token *d = &s->dead[ec_rng_index(&s->rng, s->ndead)];
		fp = (ec_token_part){d->token, d->block, fp.key};
		fpar = full_id(s, d->block);
		signer = d->key;
		forge = WALLET_HONEST;
	}
	ecp_block *b;
	ec_err err = wallet_seal(s->sig, s->round, &fp, &fpar, &signer, 1, forge, attacker, &b);
	if (err)
		return err;
	ec_txn t = {.id = ec_id_pos(&b->id), .time = s->round, .used = 1, .parts = &fp, .block = b};
	uint32_t target = s->gen[ec_rng_index(&s->rng, s->n)], rec;
	worker *w = owner(s, target);
	if ((err = wake(s, target)))
		goto out;
	w->tag = 0;
	bind_node(w, target);
	if ((err = s->cfg.protocol->submit(node_at(s, target), &w->ctx, &t)) ||
	    (err = rec_add(s, &t, 0, &rec)))
		goto out;
	s->recs[rec].forged = true;
	s->recs[rec].full = b->id;
	s->res.forged_injected++;
	s->res.forged_by_kind[kind]++;
out:
	free(b);
	return err;
}

/* Ascending block id, then submission order (blkrec indexes grow with it). */
static int
cmp_outstanding(const void *a, const void *b)
{
	const outstanding *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return (x->rec > y->rec) - (x->rec < y->rec);
}

/* The blocks submitted since s->out held `head` entries (in ascending id)
 * were appended; sorts them and merges them in, older entries first among
 * equal ids: the order that inserting each at its place as it came gives,
 * in O(n + k log k) a round instead of O(n k), which grew with the square
 * of the network size (blocks per round times blocks in flight). */
static ec_err
merge_outstanding(ec_sim *s, size_t head)
{
	size_t k = s->nout - head;
	if (k == 0)
		return EC_OK;
	if (!grow((void **)&s->outnew, &s->outnewcap, k, sizeof *s->outnew))
		return EC_ENOMEM;
	outstanding *nw = s->outnew;
	memcpy(nw, s->out + head, k * sizeof *nw);
	qsort(nw, k, sizeof *nw, cmp_outstanding);
	/* from the back: the largest of the two heads goes last; a new entry
	 * goes after an older one with the same id */
	size_t i = head, j = k, d = s->nout;
	while (j > 0) {
		if (i > 0 && s->out[i - 1].id > nw[j - 1].id)
			s->out[--d] = s->out[--i];
		else
			s->out[--d] = nw[--j];
	}
	return EC_OK;
}

/* Step B: every free token goes into a new block at a random node. */
static ec_err
create_blocks(ec_sim *s)
{
	if (s->cfg.drain && s->cfg.drain >= s->cfg.rounds - s->round) /* no overflow: round < rounds */
		return EC_OK;
	const size_t head = s->nout; /* s->out is sorted up to here */
	size_t offer = s->ntokens;
	if (s->cfg.tx_rate && s->cfg.tx_rate < offer) {
		/* offer tx_rate free tokens, picked uniformly (partial Fisher-Yates);
		 * the rest wait for a later round */
		offer = (size_t)s->cfg.tx_rate;
		for (size_t k = 0; k < offer; k++) {
			size_t j = k + ec_rng_index(&s->rng, s->ntokens - k);
			sim_token t = s->tokens[k];
			s->tokens[k] = s->tokens[j];
			s->tokens[j] = t;
		}
	} else {
		ec_rng_shuffle(&s->rng, s->tokens, s->ntokens, sizeof *s->tokens);
	}
	size_t x = 0;
	ec_err err = EC_OK;
	uint32_t nwit = s->ec ? s->cfg.witness_tokens : 0;
	size_t cap = (s->cfg.block_max ? s->cfg.block_max : 1) + nwit;
	ec_token_part *parts = malloc(cap * sizeof *parts);
	uint64_t *sigs = malloc(cap * sizeof *sigs);
	ec_id *parents = s->ec ? malloc(cap * sizeof *parents) : NULL;
	ecp_block *held = NULL;
	if (!parts || !sigs || (s->ec && !parents)) {
		err = EC_ENOMEM;
		goto out;
	}
	while (x < offer) {
		uint64_t want = ec_rng_range_u64(&s->rng, s->cfg.block_min, s->cfg.block_max);
		size_t used = want < offer - x ? (size_t)want : offer - x;
		ec_txn t = {.id = ec_rng_u64(&s->rng), .time = s->round, .used = (uint32_t)(used + nwit),
		            .parts = parts, .signatures = sigs};
		for (size_t y = 0; y < used; y++) {
			parts[y] = (ec_token_part){s->tokens[x + y].token, s->tokens[x + y].block,
			                           ec_rng_u64(&s->rng)};
			sigs[y] = s->tokens[x + y].key;
			if (s->cfg.destroy_rate > 0 && draw_unit(s) < s->cfg.destroy_rate)
				parts[y].key = 0;
			if (s->ec)
				parents[y] = full_id(s, parts[y].last);
		}
		for (size_t y = used; y < used + nwit; y++) { /* born destroyed */
			parts[y] = (ec_token_part){ec_rng_u64(&s->rng), 0, 0};
			sigs[y] = 0;
			parents[y] = (ec_id){{0, 0, 0, 0}};
		}
		s->res.witness_parts += nwit;
		uint32_t target = s->gen[ec_rng_index(&s->rng, s->n)];
		/* the owner also signs a conflicting twin: same tokens and
		 * parents, other keys, another id, another node */
		bool twin = s->cfg.conflict_rate > 0.0 && draw_unit(s) < s->cfg.conflict_rate;
		uint32_t fam = 0, rec;
		if (twin) {
			if (!grow((void **)&s->fams, &s->famcap, s->nfams + 1, sizeof *s->fams)) {
				err = EC_ENOMEM;
				goto out;
			}
			s->fams[s->nfams++] = (conflict_family){0, 0, false};
			fam = (uint32_t)s->nfams;
		}
		if ((s->ec && (err = seal(s, &t, parents, sigs, &held))) ||
		    (err = submit_txn(s, &t, (uint32_t)used, sigs, target, fam, &rec)))
			goto out;
		if (twin) {
			s->fams[fam - 1].a = rec;
			t.id = ec_rng_u64(&s->rng);
			for (size_t y = 0; y < used; y++)
				parts[y].key = ec_rng_u64(&s->rng);
			uint32_t other = s->gen[ec_rng_index(&s->rng, s->n)];
			if ((s->ec && (err = seal(s, &t, parents, sigs, &held))) ||
			    (err = submit_txn(s, &t, (uint32_t)used, sigs, other, fam, &rec)))
				goto out;
			s->fams[fam - 1].b = rec;
		}
		if (s->ec && s->cfg.forge_rate > 0 && draw_unit(s) < s->cfg.forge_rate) {
			/* the attack aims at a token being transferred right now */
			size_t y = 0;
			while (y < used && !parts[y].last)
				y++;
			if (y < used && (err = inject_forgery(s, &s->tokens[x + y], &parts[y], &parents[y])))
				goto out;
		}
		x += used;
	}
	/* the offered head is dropped by moving the start, not the rest down */
	if (offer) {
		s->tokens += offer;
		s->tokcap -= offer;
		s->tokskip += offer;
		s->ntokens -= offer;
	}
out:;
	ec_err merr = merge_outstanding(s, head); /* kept sorted on errors too */
	if (!err)
		err = merr;
	free(held);
	free(parts);
	free(sigs);
	free(parents);
	return err;
}

/* Messages the split of step C hands over for delivery or loss. */
static size_t
split_keep(const ec_sim *s, size_t n)
{
	size_t keep = (size_t)((double)n * (1.0 - s->cfg.delay));
	return keep > n ? n : keep;
}

/* True when nothing can ever happen again: every node idle, no outstanding
 * block already committed at its target, and the queue too short for the
 * split to hand anything over (a lone message with delay 0.5 is delayed
 * for ever: floor(1 * 0.5) = 0, which is how the reference's stalled seeds
 * end, spec §5 A6). */
static bool
network_silent(ec_sim *s)
{
	if (s->nout == 0 || split_keep(s, s->q.len) != 0)
		return false;
	for (size_t i = 0; i < s->nout; i++)
		if (committed_at((ec_sim *)s, s->out[i].target, s->out[i].id,
		                 s->ec ? &s->recs[s->out[i].rec].full : NULL))
			return false;
	for (size_t w = 0; w < (s->n + 63) / 64; w++)
		if (s->active[w])
			return false;
	for (uint32_t k = 0; k < s->nw; k++)
		if (s->w[k].ntimed)
			return false; /* a timer will wake a node */
	return true;
}

/* Shuffles the queue as ec_rng_shuffle would (same draws, same
 * permutation), but on an array of positions, which stays in cache where
 * the messages would not; then gathers the first `keep` messages of that
 * order into the queue and the rest, delayed, into s->next (empty). */
static ec_err
shuffle_queue(ec_sim *s, size_t keep)
{
	size_t n = s->q.len;
	if (!grow_huge((void **)&s->next.v, &s->next.cap, n - keep, sizeof *s->next.v))
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
	if (!grow((void **)&s->perm, &s->permcap, n, sizeof *s->perm) ||
	    !grow_huge((void **)&s->shuf.v, &s->shuf.cap, keep, sizeof *s->shuf.v))
		return EC_ENOMEM;
	uint32_t *p = s->perm;
	for (size_t i = 0; i < n; i++)
		p[i] = (uint32_t)i;
	for (size_t i = n - 1; i >= 1; i--) {
		size_t j = ec_rng_index(&s->rng, i + 1);
		uint32_t t = p[i];
		p[i] = p[j];
		p[j] = t;
	}
	const ec_msg *from = s->q.v;
	for (size_t i = 0; i < n; i++) {
		if (i + 16 < n)
			__builtin_prefetch(&from[p[i + 16]]);
		if (i < keep)
			s->shuf.v[i] = from[p[i]];
		else
			s->next.v[i - keep] = from[p[i]];
	}
	msgq t = s->q;
	s->q = s->shuf;
	s->q.len = keep;
	s->shuf = t;
	s->shuf.len = 0;
	return EC_OK;
}

ec_err
ec_sim_step(ec_sim *s, bool *more)
{
	ec_err err;
	*more = false;
	if (s->over || s->round >= s->cfg.rounds)
		return EC_OK;
	const unsigned gen = (unsigned)(s->round & 1);
	for (uint32_t k = 0; k < s->nw; k++)
		items_reset(&s->w[k].items[gen]); /* last held the queue of round - 2 */
	if ((err = detect_commits(s)) || (err = create_blocks(s)))
		return err;

	/* C: shuffle the queue; the head is delivered (minus the lost tail of
	 * the head), the rest waits for the next round in shuffled order. */
	size_t n = s->q.len, deliver = 0, lost = 0;
	s->next.len = 0;
	if (n > 0) {
		size_t keep = split_keep(s, n);
		if ((err = shuffle_queue(s, keep))) /* the tail lands in s->next */
			return err;
		lost = (size_t)((double)keep * s->cfg.loss);
		deliver = keep - lost;
		for (size_t i = 0; i < s->next.len; i++) /* delayed envelopes move along */
			if ((err = keep_items(&s->next.v[i], &s->w[0], gen)))
				return err;
	}
	if ((err = merge_outputs(s, &s->next))) /* whatever block submission sent */
		return err;

	/* D: delivery, in shuffled order.  Counting and waking receivers is
	 * sequential; handling runs on the workers, each for its own nodes in
	 * delivery order, and their outputs are merged back into that order. */
	const bool measured = s->round >= s->cfg.warmup;
	if (deliver >= UINT32_MAX)
		return EC_EFULL; /* message lists (s->head, s->link) index deliveries in 32 bits */
	if (!grow((void **)&s->rcv, &s->rcvcap, deliver, sizeof *s->rcv) ||
	    !grow((void **)&s->link, &s->linkcap, deliver, sizeof *s->link))
		return EC_ENOMEM;
	uint64_t logical = 0, lost_logical = 0;
	for (size_t i = deliver; i < deliver + lost; i++)
		lost_logical += s->q.v[i].type == EC_MSG_ENVELOPE ? s->q.v[i].u.env.n : 1;
	/* receivers and counts: on the workers, each a slice, where every
	 * node's peer list is built already (bounded topologies); else here,
	 * building receivers' lists from their adjacency rows as they come */
	s->ndeliver = deliver;
	if (s->rows || s->nw == 1) {
		prep_range(s, 0, deliver, measured, &s->w[0].prep);
		for (uint32_t k = 1; k < s->nw; k++)
			memset(&s->w[k].prep, 0, sizeof s->w[k].prep);
		for (size_t i = 0; s->rows && i < deliver; i++)
			if (s->rcv[i] != UINT32_MAX && (err = materialize(s, s->rcv[i])))
				return err; /* round_part wakes it */
	} else if ((err = run_phase(s, PHASE_PREP))) {
		return err;
	}
	for (uint32_t k = 0; k < s->nw; k++) {
		const prep_stats *st = &s->w[k].prep;
		logical += st->logical;
		s->res.bytes += st->bytes;
		for (size_t t = 0; t < 16; t++)
			s->res.items[t] += st->items[t];
		s->res.block_relayed += st->relayed;
		s->res.block_relay_hops += st->relay_hops;
		s->res.block_repoll += st->repoll;
		for (size_t t = 0; t <= EC_MSG_TYPE_MAX; t++)
			s->res.by_type[t] += st->by_type[t];
	}
	s->res.messages_all += logical;
	if (measured) {
		s->res.messages += logical;
		s->res.envelopes += deliver;
		s->res.lost += lost_logical;
	}

	/* E: every node ticks, ascending id.  Idle nodes that received nothing
	 * would do nothing but count time, so only the active ones run.  Each
	 * worker runs D and E together, node by node (round_part). */
	if ((err = run_phase(s, PHASE_ROUND)) || (err = merge_outputs(s, &s->next)))
		return err;
	process_commits(s);

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

/* Nearest-rank percentile of a sorted array. */
static uint64_t
percentile(const uint64_t *v, size_t n, unsigned pct)
{
	size_t rank = (n * pct + 99) / 100;
	return v[rank ? rank - 1 : 0];
}

static ec_err
latency_stats(const uint64_t *lat, size_t n, ec_latency_stats *st)
{
	memset(st, 0, sizeof *st);
	if (!n)
		return EC_OK;
	uint64_t *v = malloc(n * sizeof *v);
	if (!v)
		return EC_ENOMEM;
	memcpy(v, lat, n * sizeof *v);
	qsort(v, n, sizeof *v, cmp_u64);
	uint64_t tot = 0;
	for (size_t i = 0; i < n; i++)
		tot += v[i];
	st->count = n;
	st->mean = (double)tot / (double)n;
	st->p50 = percentile(v, n, 50);
	st->p95 = percentile(v, n, 95);
	st->p99 = percentile(v, n, 99);
	st->max = v[n - 1];
	free(v);
	return EC_OK;
}

ec_err
ec_sim_result_get(const ec_sim *s, ec_sim_result *res)
{
	*res = s->res;
	for (uint32_t k = 0; k < s->nw; k++) {
		for (int e = 0; e < EC_EV_COUNT; e++)
			res->events[e] += s->w[k].events[e];
		for (int e = 0; e < 16; e++)
			res->rejects[e] += s->w[k].rejects[e];
		res->negative_commits += s->w[k].negative;
	}
	res->uncommitted = 0;
	for (size_t i = 0; i < s->nout; i++)
		if (s->out[i].created >= s->cfg.warmup)
			res->uncommitted++;
	memset(&res->conflicts, 0, sizeof res->conflicts);
	for (size_t f = 0; f < s->nfams; f++) {
		const blkrec *a = &s->recs[s->fams[f].a], *b = &s->recs[s->fams[f].b];
		if (a->created < s->cfg.warmup)
			continue;
		const blkrec *hi = a->id > b->id ? a : b, *lo = a->id > b->id ? b : a;
		res->conflicts.families++;
		if (hi->ncommits && lo->ncommits)
			res->conflicts.both++;
		else if (hi->ncommits)
			res->conflicts.highest_wins++;
		else if (lo->ncommits)
			res->conflicts.lower_wins++;
		else
			res->conflicts.stalled++;
	}
	uint64_t sum = 0;
	res->peers_min = UINT64_MAX;
	res->peers_max = 0;
	for (uint32_t i = 0; i < s->n; i++) {
		uint64_t d = node_degree(s, i);
		sum += d;
		res->peers_min = d < res->peers_min ? d : res->peers_min;
		res->peers_max = d > res->peers_max ? d : res->peers_max;
	}
	res->peers_avg = (double)sum / (double)s->n;
	ec_err err = latency_stats(s->latencies, s->nlat, &res->latency);
	if (err)
		return err;
	uint64_t *all = malloc((s->nrecs ? s->nrecs : 1) * sizeof *all);
	if (!all)
		return EC_ENOMEM;
	size_t nall = 0;
	for (size_t i = 0; i < s->nrecs; i++)
		if (s->recs[i].all_round && s->recs[i].created >= s->cfg.warmup)
			all[nall++] = s->recs[i].all_round - s->recs[i].created;
	err = latency_stats(all, nall, &res->latency_all);
	free(all);
	return err;
}

uint64_t
ec_sim_round(const ec_sim *s)
{
	return s->round;
}

size_t
ec_sim_queue_len(const ec_sim *s)
{
	return s->q.len;
}

ec_peer_id
ec_sim_peer_id(const ec_sim *s, uint32_t k)
{
	return k < s->n ? s->ids[s->gen[k]] : 0;
}

size_t
ec_sim_degree(const ec_sim *s, uint32_t k)
{
	return k < s->n ? node_degree(s, s->gen[k]) : 0;
}

size_t
ec_sim_token_count(const ec_sim *s)
{
	return s->ntokens;
}

ec_token_id
ec_sim_initial_token(const ec_sim *s, size_t i)
{
	return i < s->ntokens ? s->tokens[i].token : 0;
}
