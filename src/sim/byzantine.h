/* SPDX-License-Identifier: MIT */
/*
 * Internal: Byzantine nodes in the simulator (byzantine.c,
 * docs/byzantine.md).  Which nodes lie is chosen at set-up from a stream
 * of its own (the run's seed hashed under another context), so a run
 * without Byzantine nodes draws exactly what it always did.  The
 * protocol's adversary calls (ec/adversary.h) make a chosen node lie; this
 * module tells them the attack plan (which blocks the coalition backs,
 * which tokens it targets), holds what delaying nodes send, lets fast
 * nodes' messages skip the network's delay, and measures: the votes that
 * counted, honest blocks committed or censored, the peers honest nodes
 * hold.
 */
#ifndef ECSIM_BYZANTINE_H
#define ECSIM_BYZANTINE_H

#include "ec/adversary.h"
#include "sim_int.h"

typedef struct ecsim_byz {
	uint64_t *is;           /* bit i: node index i lies */
	uint32_t count;
	ec_adversary adv;       /* what every liar is attached to */
	uint64_t key;           /* the coalition's secret */
	bool target_only;       /* target placement: one target token */
	uint64_t target;        /* ... this one */
	uint64_t cut;           /* else a token is a target when
	                           mix(pos ^ key) < cut (share * 2^64) */
	ec_msg *held;           /* what delaying nodes sent, ... */
	uint64_t *due;          /* ... and the round each is released in */
	size_t nheld, heldcap, duecap;
	ec_byz_result res;      /* the counters (fractions: ecsim__byz_result) */
	uint64_t target_families;
	uint64_t win_votes, win_byz; /* the current 100 rounds */
	uint64_t slots0, byzslots0, isolated0, eclipsed0; /* a static network's views */
	uint64_t *conv;         /* bit i: some honest node convicted node index
	                           i (set by the workers: atomic) */
	uint64_t *scored;       /* the same for agreement scoring */
	uint64_t convictions, first_conviction, scorings; /* atomic too */
} ecsim_byz;

/* Whether node index i is Byzantine (false when the run has none). */
static inline bool
byz_is(const ec_sim *s, uint32_t i)
{
	return s->byz && bit_get(s->byz->is, i);
}

/* Set-up, once the ids are sorted and before any node is initialised:
 * chooses the Byzantine nodes (s->byz; NULL when the run has none).
 * Errors: EC_ENOMEM, EC_EINVAL (the protocol cannot run Byzantine nodes). */
EC_WUR ec_err ecsim__byz_choose(ec_sim *s);

/* Node index i was just initialised: makes it lie if it is Byzantine. */
void ecsim__byz_attach(ec_sim *s, uint32_t i);

/* Open networks, node index i just initialised or joined: a storage-cheat
 * liar keeps only cheat_keep of its token mappings (its store view drops
 * the rest), and is counted with the freeloaders that storage audits are
 * to evict (open.c: lazy, evicted_at). */
void ecsim__byz_storage(ec_sim *s, uint32_t i);
/* The topology handed node i its peers (len sorted ids): counts the slots
 * Byzantine nodes hold and whether its window has an honest peer. */
void ecsim__byz_view(ec_sim *s, uint32_t i, const uint64_t *peers, size_t len);

/* Whether the workload makes every spend of a block with these parts a
 * conflict family (target placement: the attacker double-spends its
 * target token every time). */
bool ecsim__byz_twins(const ec_sim *s, const ec_token_part *parts, size_t n);

/* Step B, after the free tokens were drawn (the first `offer` go into
 * blocks): target placement puts the target token among them whenever it
 * is free, so that the attacker double-spends it as often as it can. */
void ecsim__byz_offer_target(ec_sim *s, size_t offer);

/* A block of blkrec rec, created in the measured window, committed at its
 * honest submitter `target` after `latency` rounds: counts its
 * certificate's votes and whether it beat the censorship deadline. */
void ecsim__byz_committed(ec_sim *s, uint32_t rec, uint32_t target, uint64_t latency);

/* A block of blkrec rec was submitted: counts it among the honest blocks
 * the censorship figure judges when it is one. */
void ecsim__byz_created(ec_sim *s, uint32_t rec);

/* A safety violation among honest nodes: a double spend, or (invalid) an
 * attack block an honest node committed. */
void ecsim__byz_violation(ec_sim *s, bool invalid);

/* Step C, after the split: fast-yes nodes' delayed messages trade places
 * with delivered messages of others (the first `deliver` of the queue),
 * so that theirs are not delayed.  Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__byz_express(ec_sim *s, size_t deliver);

/* After the round's outputs are merged into s->next from index `fresh`
 * on: holds what delaying nodes sent, and releases what falls due.
 * Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__byz_hold(ec_sim *s, size_t fresh);

/* End of a round: the per-100-round figures (hook), open networks' peer
 * shares.  Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__byz_round(ec_sim *s);

/* EC_EV_CONVICT (from a worker, concurrently): node `by` convicted the
 * node at position voter, on a proof or (scored) by agreement scoring.
 * Counts only honest convicting nodes. */
void ecsim__byz_convict(ec_sim *s, uint64_t by, uint64_t voter, bool scored);
/* The figures so far into *r. */
void ecsim__byz_result(const ec_sim *s, ec_byz_result *r);

#endif
