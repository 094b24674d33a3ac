/* SPDX-License-Identifier: MIT */
/*
 * Internal: open networks (docs/open-network.md, "Simulator").  A run is
 * open when it starts with fewer nodes than it will have, or has churn.
 * Every node that will ever exist has a slot from set-up on (its identity,
 * its place in the id order, its store view, its entry in the id index);
 * a slot is unborn until its node joins, then live, down (crashed or left,
 * state kept) and perhaps live again.  The schedule of joins, departures
 * and returns is drawn whole at set-up from a stream of its own, so the
 * run's main stream is drawn as in a static run.
 *
 *   open.c    the schedule, set-up (seeded nodes), each round's joins,
 *             departures and returns, the live set the workload draws from
 *   truth.c   the ground truth: the live ring, whether each node's window
 *             is exact, the figures (join and recovery times, views,
 *             degrees, lifecycle traffic, stale votes)
 *
 * Everything here runs between rounds on the calling thread, except
 * ecsim__open_vote, which workers call during a round: it only reads what
 * changes between rounds.
 */
#ifndef ECSIM_OPEN_H
#define ECSIM_OPEN_H

#include <stdbool.h>
#include <stdint.h>

#include "ec/identity.h"
#include "sim_int.h"

enum { SLOT_UNBORN = 0, SLOT_LIVE, SLOT_DOWN, SLOT_LEFT };
enum { OPEN_JOIN = 1, OPEN_CRASH, OPEN_LEAVE, OPEN_REJOIN };
enum { PENDING_NONE = 0, PENDING_JOIN, PENDING_REJOIN };

/* One event of the schedule; slot is a generation index. */
typedef struct open_event {
	uint64_t round;
	uint32_t slot;
	uint8_t kind; /* OPEN_* */
} open_event;

/* Per node index. */
typedef struct open_slot {
	uint64_t up_round;  /* round it last came up (joined or returned) */
	uint64_t since;     /* round its pending (re)join started */
	uint32_t pos;       /* its place in livev while live */
	uint8_t state;      /* SLOT_* */
	uint8_t pending;    /* PENDING_*: a join whose time is not measured yet */
} open_slot;

/* A departure whose recovery is not measured yet: the nodes whose true
 * window held it, aff[off .. off + n). */
typedef struct open_crash {
	uint64_t round;
	uint32_t off, n;
} open_crash;

/* A token's last move (tok_move index + 1, 0: none), keyed by token. */
typedef struct tok_head {
	uint64_t token;
	uint32_t last;
	uint32_t pad;
} tok_head;

/* A committed move of a token: its block's creation round, the round its
 * commit was seen at the submitter, and the move before (index + 1). */
typedef struct tok_move {
	uint64_t created, seen;
	uint32_t prev;
	uint32_t pad;
} tok_move;

/* A worker's vote counts, a cache line's worth apart from the next one's. */
typedef struct open_votes {
	uint64_t votes, stale;
	uint64_t audits, audit_fail, audit_unanswered, evict_honest, evict_lazy;
	uint64_t pad[1];
} open_votes;

typedef struct ecsim_open {
	ec_rng rng;              /* the schedule's and the contacts' stream */
	uint32_t start;          /* nodes seeded at set-up */
	uint32_t w;              /* window half-width (the protocol's neighbourhood) */
	ec_identity_params admit;
	ec_identity_claim *claims; /* by generation index */
	open_event *ev;          /* the schedule, in round order */
	size_t nev, evcap, next;
	open_slot *slot;         /* by node index */
	uint64_t *up;            /* bitmap by node index: live */
	uint64_t *exact;         /* bitmap: window exact at the last check */
	uint64_t *rdy;           /* bitmap: ready at the last check */
	uint32_t *livev;         /* the live nodes, in no order (random picks) */
	uint32_t nlive;
	uint32_t *lv;            /* the live nodes in ring (index) order */
	uint64_t *lvid;          /* and their ids */
	uint32_t nlv;
	bool dirty;              /* lv is out of date */
	uint32_t *pend;          /* nodes whose (re)join time is not measured yet */
	size_t npend, pendcap;
	uint64_t *join_lat, *rejoin_lat, *recov_lat;
	size_t njoin, joincap, nrejoin, rejoincap, nrecov, recovcap;
	open_crash *crash;       /* departures not recovered from yet */
	size_t ncrash, crashcap;
	uint32_t *aff;           /* their affected nodes */
	size_t naff, affcap;
	uint32_t *contacts;      /* scratch: a joiner's contacts (node indexes) */
	ec_contact *cbuf;
	size_t ccap, cbcap;
	/* the ledger's token history and each block record's tokens */
	tok_head *toks;
	size_t ntoks, tokscap;
	ecsim_idindex tokix;
	tok_move *moves;
	size_t nmoves, movescap;
	uint64_t *btok;          /* tokens of block records, boff[rec] .. boff[rec + 1] */
	size_t nbtok, btokcap;
	uint32_t *boff;
	size_t boffcap;
	open_votes votes[EC_SIM_MAX_THREADS];
	/* lazy_storage > 0: bitmap of the freeloaders (left out of the truth),
	 * and per node the round it was first evicted (UINT64_MAX: never;
	 * workers lower it atomically) */
	uint64_t *lazy;
	uint64_t *evicted_at, *lazy_join;
	/* the last check */
	uint32_t last_live, last_exact, last_ready, last_exact_ready;
	bool checked, checked_measured;
	double min_fraction;
	ec_open_result res;      /* the counts */
} ecsim_open;

static inline bool
open_up(const ecsim_open *o, uint32_t i)
{
	return bit_get(o->up, i);
}

/* ---- open.c --------------------------------------------------------- */

/* Set-up, before the ids are drawn: the schedule, and s->n set to the
 * slots it needs.  Errors: EC_ENOMEM, EC_EINVAL (more than 2^32 - 2
 * slots). */
EC_WUR ec_err ecsim__open_plan(ec_sim *s);
/* Set-up, after the ids: every slot's store view; the starting nodes
 * initialised, their topology drawn over them, their peers set and their
 * seeded join made (what they send is queued for round 0).  Errors:
 * EC_ENOMEM, the protocol's node_init, set_peers and join errors. */
EC_WUR ec_err ecsim__open_build(ec_sim *s);
/* The start of a round: the schedule's events of this round, in order
 * (returns, departures, joins), then the ring rebuilt.  What nodes send is
 * queued for this round.  Errors: EC_ENOMEM, the protocol's errors. */
EC_WUR ec_err ecsim__open_events(ec_sim *s);
/* Whether events of the schedule are still to come. */
bool ecsim__open_pending(const ec_sim *s);
/* A live node, drawn from the run's main stream (the workload's target). */
uint32_t ecsim__open_pick(ec_sim *s);

/* Node index i's address as the simulator's contacts carry it. */
static inline ec_addr
ecsim__node_addr(uint32_t i)
{
	ec_addr a = {.len = 4};
	for (unsigned k = 0; k < 4; k++)
		a.b[k] = (uint8_t)(i >> (8 * k));
	return a;
}

/* ---- truth.c -------------------------------------------------------- */

/* Rebuilds lv and lvid from the live bitmap.  Errors: none (arrays are
 * sized for every slot at set-up). */
void ecsim__truth_ring(ec_sim *s);
/* Whether the node at ring[r] (of n live ids, ascending) has an exact
 * window: its w nearest peers (sorted, distinct) below and above it are
 * the w nearest live ids below and above it (all of them when n - 1 < w). */
bool ecsim__window_exact(const uint64_t *ring, uint32_t n, uint32_t r, const uint64_t *peers,
                         size_t np, uint32_t w);
/* After a round: every live node's window checked, joins and recoveries
 * that completed recorded.  Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__truth_round(ec_sim *s);
/* A node departs (before it is marked down): remembers the nodes whose
 * true window holds it, for its recovery time.  Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__truth_departure(ec_sim *s, uint32_t i);
/* A node joins or returns: its time to a ready, exact window is measured
 * from this round.  Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__truth_joined(ec_sim *s, uint32_t i, uint8_t pending);
/* Records the tokens of block record rec (every part of t).  Errors:
 * EC_ENOMEM. */
EC_WUR ec_err ecsim__truth_block(ec_sim *s, uint32_t rec, const ec_txn *t);
/* The ledger saw o committed at its submitter this round: each token it
 * moved gets the move in its history.  Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__truth_commit(ec_sim *s, const outstanding *o);
/* The latest move of token seen at or before round `by`: true with its
 * block's creation round in *created, or false. */
bool ecsim__token_move_by(const ec_sim *s, uint64_t token, uint64_t by, uint64_t *created);
/* An EC_EV_VOTE_CAST of a worker's node (worker threads). */
void ecsim__open_vote(worker *w, ec_peer_id node, ec_block_id b, uint64_t arg);
/* An EC_EV_AUDIT of a worker's node (worker threads). */
void ecsim__open_audit(worker *w, ec_peer_id node, uint64_t peer, uint64_t arg);

static inline bool
open_lazy(const ecsim_open *o, uint32_t i)
{
	return o->lazy && bit_get(o->lazy, i);
}
/* The figures of an open run into *r.  Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__truth_result(const ec_sim *s, ec_open_result *r);

#endif
