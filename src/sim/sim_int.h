/* SPDX-License-Identifier: MIT */
/*
 * Internal: the simulator's state, shared by its parts, each with one job:
 *
 *   config.c      the configuration: defaults, the published seed, checks
 *   network.c     set-up: node ids (mined identities too), the id index,
 *                 the topology draw and the nodes' peer lists
 *   bus.c         the message bus: what nodes send (kept by the protocol
 *                 in scratch storage), the tag-ordered merge that makes any
 *                 thread count give one order, the shuffle and the split
 *   workers.c     the workers: who runs which nodes, the visit of a node
 *                 (handle its messages, then tick), the thread pool and
 *                 its phases
 *   wheel.c       a worker's timer wheel: nodes asleep until a round
 *   workload.c    the ledger: free tokens, block creation (twins, forged
 *                 blocks, witnesses, destroys), outstanding blocks and
 *                 commit detection
 *   accounting.c  the figures of a result: latencies, conflicts, degrees
 *   open.c        open networks: the schedule of joins, departures and
 *                 returns, and carrying them out (open.h)
 *   truth.c       open networks: the live ring, exact windows, the figures
 *   safety.c      the safety check: no two conflicting blocks committed
 *   byzantine.c   Byzantine nodes: who lies, the attack plan, the figures
 *   sim.c         a run: ec_sim_new, ec_sim_step, ec_sim_free
 *   life.c        what a run owns, released in one call
 *   idindex.h     the id -> entry index of nodes and block records
 *
 * Memory: everything a run owns is acquired through s->life (life.h), a
 * worker's own arrays through w->life (its thread grows them), and all is
 * released by ec_sim_free in one call.  Functions shared between the parts
 * are prefixed ecsim__ (internal, not API).
 */
#ifndef ECSIM_SIM_INT_H
#define ECSIM_SIM_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "idindex.h"
#include "ecsim/memstore.h"
#include "ecsim/sim.h"
#include "life.h"
#include "wheel.h"

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
	bool honest_commit;     /* an honest node committed it (Byzantine runs
	                           count only those commits as violations) */
	ec_id full;             /* ec: the full (content hash) id */
} blkrec;

typedef struct conflict_family {
	uint32_t a, b;          /* blkrec indexes */
	bool resolved;          /* tokens freed by the first commit seen */
} conflict_family;

/* Scratch storage for the bodies of messages in flight (ec_msg_keeper),
 * by round parity: a round writes into its own generation while the queue
 * it delivers still lives in the other; chunks never move, so queued
 * pointers stay valid.  Chunks grow from SCRATCH_FIRST to SCRATCH_MAX
 * bytes, so that a small run does not map megabytes it never uses. */
typedef struct scratchbuf {
	unsigned char **chunks;
	size_t *sizes;
	size_t nchunks, cur, used;
} scratchbuf;

#define SCRATCH_FIRST ((size_t)64 << 10)
#define SCRATCH_MAX ((size_t)4 << 20)
#define SCRATCH_ALIGN ((size_t)16)

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

/* Due rounds: a node's timer in the wheel (wheel.h). */
#define NOT_DUE ECSIM_NOT_DUE

/* What a pass over delivered messages counts (prep_range). */
typedef struct prep_stats {
	uint64_t bytes, logical;
	uint64_t counters[EC_MSG_COUNTERS]; /* the protocol's (ec_msg_ops.count) */
	uint64_t by_type[EC_MSG_TYPE_MAX + 1];
	uint64_t dropped; /* logical messages to nodes that are not live (open networks) */
} prep_stats;

typedef struct worker {
	struct ec_sim *s;
	ecsim_life life;        /* the arrays it grows (its thread only) */
	uint32_t id;
	uint32_t lo, hi;        /* nodes [lo, hi), a multiple of 64 apart */
	ec_ctx ctx;
	ecsim_alloc alloc;        /* its nodes' memory during the rounds */
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
	scratchbuf scratch[2];  /* bodies of messages in flight, by round parity */
	ec_msg_keeper keeper[2]; /* over scratch[0] and scratch[1] */
	size_t *todo;           /* this round's nodes, ascending */
	size_t ntodo, todocap;
	ec_msg *mv;             /* their messages, gathered in that order */
	uint32_t *mtag;         /* each one's delivery index */
	size_t *moff;           /* todo[k]'s messages: mv[moff[k] .. moff[k+1]) */
	size_t mvcap, mtagcap, moffcap;
	commit_rec *commits;    /* node commits this phase */
	size_t ncommits, comcap;
	prep_stats prep;        /* its share of this round's deliveries */
	ecsim_wheel wheel;      /* its sleeping nodes (due rounds in s->due) */
	ec_err err;
	pthread_t thread;
} worker;

enum { PHASE_PREP, PHASE_ROUND, PHASE_EXIT };

struct ec_sim {
	ec_sim_config cfg;
	const ec_msg_ops *msg;  /* protocol->msg */
	const ec_workload_ops *wl; /* protocol->workload: wallets sign its
	                           transactions (NULL: bare parts) */
	uint64_t *refused;      /* identities: bit i, node index i's claim failed */
	sim_token dead[256];    /* recently destroyed tokens (block: the destroy,
	                           key: its signer), for the resurrection attack */
	uint32_t ndead;
	const ec_sig_scheme *sig;
	ecsim_life life;        /* everything the run owns (life.h) */
	ecsim_arena arena;
	ec_rng rng;
	uint64_t round;
	bool over;
	uint32_t n;
	unsigned char *nodes;  /* n * protocol->node_size, ascending id */
	size_t node_size;      /* protocol->node_size */
	uint64_t *ids;         /* ascending */
	uint32_t *gen;         /* generation index -> node index */
	ecsim_idindex byid;     /* node id -> node index */
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
	uint32_t nthreads;      /* threads running, the caller included */
	pthread_barrier_t start, done; /* each phase's start and end */
	pthread_mutex_t gate_mu; /* started threads wait for the gate to open: */
	pthread_cond_t gate_cv;  /* then all of them run, or all leave */
	bool gate_open;
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
	ecsim_idindex recix;    /* block handle -> blkrec index */
	uint32_t *mem;
	size_t nmem, memcap;
	conflict_family *fams;
	size_t nfams, famcap;
	struct ecsim_safety *safety; /* the safety check (safety.h); NULL: off */
	ec_sim_result res;
	struct ecsim_open *open; /* open networks (open.h); NULL: a static run */
	struct ecsim_byz *byz;   /* Byzantine nodes (byzantine.h); NULL: none */
};

/* ---- small helpers every part uses ---------------------------------- */

static inline void *
node_at(const ec_sim *s, uint32_t i)
{
	return s->nodes + (size_t)i * s->node_size;
}

/* The node index of id, if a node has it. */
static inline bool
node_index(const ec_sim *s, ec_peer_id id, uint32_t *idx)
{
	*idx = ecsim_idindex_find(&s->byid, id, s->ids, sizeof *s->ids);
	return *idx != UINT32_MAX;
}

static inline bool
bit_get(const uint64_t *bits, uint32_t i)
{
	return bits[i / 64] >> (i % 64) & 1;
}

static inline worker *
owner(const ec_sim *s, uint32_t i)
{
	return &s->w[i / s->chunk];
}

/* Points the worker's context at node i's store. */
static inline void
bind_node(worker *w, uint32_t i)
{
	w->ctx.store.impl = &w->s->views[i];
}

/* Grows a heap array owned by l (life.h): s->life for the run's arrays,
 * w->life for a worker's, which its thread grows during the rounds. */
static inline bool
grow(ecsim_life *l, size_t need, size_t elem, void **v, size_t *cap)
{
	return need <= *cap || ecsim_life_grow(l, need, elem, v, cap);
}

/* Idle nodes are not ticked; before a node is used its clock catches up
 * with the round (protocol advance()). */
static inline void
catch_up(ec_sim *s, void *node)
{
	uint64_t t = s->cfg.protocol->now(node);
	if (t < s->round)
		s->cfg.protocol->advance(node, s->round - t);
}

/* A uniform draw in [0, 1) from the run's stream. */
static inline double
draw_unit(ec_sim *s)
{
	return (double)(ec_rng_u64(&s->rng) >> 11) * 0x1p-53;
}

/* The first of the n ascending ids above x (n when none is): where a
 * node's peers above it start. */
static inline size_t
first_above(const uint64_t *ids, size_t n, uint64_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ids[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Rank of the first of the n ascending ids at or above key, wrapping to 0
 * past the last (the ring's). */
static inline uint32_t
ring_rank(const uint64_t *ids, uint32_t n, uint64_t key)
{
	return key == 0 ? 0 : (uint32_t)(first_above(ids, n, key - 1) % n);
}

/* A random stream of its own for a part of the simulator: the run's seed
 * hashed under `context`, so that its draws move none of the run's
 * stream, nor it theirs. */
void ecsim__stream(const uint8_t seed[EC_RNG_SEED_BYTES], const char *context, ec_rng *rng);

/* bus.c: the key directory of signed votes (ec_ctx.vote_sign, vote_key;
 * user: the ec_sim), keys derived from ring positions. */
void ecsim__vote_sign(void *user, uint64_t signer, const uint8_t digest[32], uint8_t sig[64]);
bool ecsim__vote_key(void *user, uint64_t voter, uint8_t pk[32]);

int ecsim__cmp_u64(const void *a, const void *b);
int ecsim__cmp_u32(const void *a, const void *b);

/* ---- network.c ------------------------------------------------------ */

/* Draws the n node ids in generation order into gen_ids (mining
 * identities when configured).  Errors: EC_ENOMEM, the identity errors. */
EC_WUR ec_err ecsim__draw_ids(ec_sim *s, uint64_t *gen_ids);
/* Indexes the ids, initialises every node and draws the topology.
 * Errors: EC_ENOMEM, EC_EINVAL (two nodes drew one id), the protocol's
 * node_init and set_peers errors. */
EC_WUR ec_err ecsim__network_build(ec_sim *s, const uint64_t *gen_ids);
/* Trusted peers of node i, whether or not its list is built yet. */
uint64_t ecsim__node_degree(const ec_sim *s, uint32_t i);
/* Hands node i its peer list from its adjacency row (dense topologies),
 * the first time the node is used. */
EC_WUR ec_err ecsim__materialize(ec_sim *s, uint32_t i);
/* Makes node i ready to run this round: peers, clock, active bit. */
EC_WUR ec_err ecsim__wake(ec_sim *s, uint32_t i);
/* Hands node i the len peers in s->peer_buf and marks its list built. */
EC_WUR ec_err ecsim__hand_peers(ec_sim *s, uint32_t i, size_t len);

/* ---- bus.c ---------------------------------------------------------- */

/* Sets up worker w's message storage and its context's send and event
 * sinks.  Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__bus_init(ec_sim *s, worker *w);
/* Starts a round: the scratch generation of round - 2 is free again. */
void ecsim__bus_round_start(ec_sim *s);
/* Step C: shuffles the queue; its first split_keep() messages stay in
 * s->q for delivery, the rest (delayed) move to s->next, kept again.
 * Out: *deliver and *lost, the counts of the head.  Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__bus_shuffle_split(ec_sim *s, size_t *deliver, size_t *lost);
/* Messages of a queue of n that the split hands over for delivery. */
size_t ecsim__split_keep(const ec_sim *s, size_t n);
/* Appends what the workers sent to `to` in single-thread order (handles by
 * delivery index, then ticks by node index) and replays their logged
 * events to the hook.  Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__merge_outputs(ec_sim *s, msgq *to);
/* Appends the n lists to `to` in tag order, each list first sorted by tag
 * (stable: one handle may send several messages); among equal tags the
 * lower list first.  Empties the lists.  Whichever way messages with
 * distinct tags are spread over the lists, the result is the same: that is
 * what makes any number of workers give one output.  Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__merge_tagged(ecsim_life *life, tagged_msgs *const *lists, uint32_t n,
                                  msgq *to);
/* Shuffles from[0..n) as ec_rng_shuffle would (same draws, same
 * permutation) through the positions perm[0..n), n < 2^32, and copies the
 * first keep of that order to head and the others to tail. */
void ecsim__shuffle_split(ec_rng *rng, const ec_msg *from, size_t n, size_t keep, uint32_t *perm,
                          ec_msg *head, ec_msg *tail);
/* Receivers and counts of delivered messages [lo, hi) (s->rcv). */
void ecsim__prep_range(ec_sim *s, size_t lo, size_t hi, bool measured, prep_stats *st);

/* ---- workers.c ------------------------------------------------------ */

/* Splits the nodes between cfg.threads workers and sets each one up
 * (context, allocator, store).  Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__workers_init(ec_sim *s);
/* Starts the worker threads (worker 0 is the caller).  Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__pool_start(ec_sim *s);
/* Runs a phase on every worker; returns the first worker's error. */
EC_WUR ec_err ecsim__run_phase(ec_sim *s, int phase);

/* ---- workload.c ----------------------------------------------------- */

/* Set-up: the initial free tokens.  Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__ledger_init(ec_sim *s);
/* Step A: blocks seen committed at their injection node free their
 * tokens.  Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__detect_commits(ec_sim *s);
/* Step B: new blocks from the free tokens.  Errors: EC_ENOMEM, the
 * protocol's submit and seal errors. */
EC_WUR ec_err ecsim__create_blocks(ec_sim *s);
/* Folds the node commits the workers logged into the block records. */
void ecsim__process_commits(ec_sim *s);
/* The blkrec of block handle id, or UINT32_MAX. */
uint32_t ecsim__rec_find(const ec_sim *s, ec_block_id id);
/* Whether an outstanding block is committed at its injection node. */
bool ecsim__any_outstanding_committed(ec_sim *s);

/* ---- accounting.c --------------------------------------------------- */

/* The degrees right after set-up, into s->res. */
void ecsim__degrees(ec_sim *s);
/* Count, mean and nearest-rank p50, p95, p99 and max of lat[0..n).
 * Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__latency_stats(const uint64_t *lat, size_t n, ec_latency_stats *st);
/* Whether node i takes part in the figures of nodes: every node of a
 * static run, the live ones of an open run. */
bool ecsim__counted(const ec_sim *s, uint32_t i);

#endif
