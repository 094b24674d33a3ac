/* SPDX-License-Identifier: MIT */
/*
 * Byzantine behaviour, for measuring what a protocol tolerates
 * (docs/byzantine.md).  A Byzantine node runs the same node code as an
 * honest one; a protocol that supports adversaries (ec_protocol.adversary)
 * lets a driver attach an ec_adversary to a node, and the node then bends
 * its own decisions at two places only: the vote it casts on a block, and
 * what leaves its outbox.  Everything else (routing, storage, peers) stays
 * honest, so that each behaviour measures one way of lying and nothing
 * more.  A real node never attaches one; only drivers of experiments do.
 *
 * The driver knows the attack (it wrote the workload): it answers, for a
 * block, whether the coalition backs it (an attacking key holder's block),
 * opposes it (the honest competitor of one) or neither (plan), and for a
 * token whether it is a target.  Those calls run on the node's thread,
 * concurrently for different nodes: they must only read.
 */
#ifndef EC_ADVERSARY_H
#define EC_ADVERSARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/ctx.h"
#include "ec/err.h"
#include "ec/id.h"
#include "ec/protocol.h"

/* Behaviours (bits of ec_adversary.behaviours).  The voting ones replace
 * the node's vote where they apply; the others act on what it sends. */
typedef enum ec_behaviour {
	EC_BHV_SILENT = 1u << 0,     /* sends nothing at all, votes nowhere */
	EC_BHV_WITHHOLD = 1u << 1,   /* drops everything about blocks that move a
	                                target token (blocks, votes, answers) */
	EC_BHV_CENSOR = 1u << 2,     /* votes no on every role of a block that
	                                moves a target token */
	EC_BHV_ACCOMPLICE = 1u << 3, /* yes on the blocks the coalition backs
	                                (plan +1), no on their honest competitors
	                                (plan -1); never withdraws a yes */
	EC_BHV_EQUIVOCATE = 1u << 4, /* yes to every submitter that asks, no or
	                                yes to fellow members by a coin of its
	                                own: two votes for one (token, parent) */
	EC_BHV_FAST_YES = 1u << 5,   /* yes at once on every block, unchecked
	                                (drivers may also spare its messages the
	                                network's random delay) */
	EC_BHV_BALANCER = 1u << 6,   /* votes against the balance it has heard
	                                from its window, to keep tallies open */
	EC_BHV_DELAY = 1u << 7,      /* relays late: a driver holds what it sends */
	EC_BHV_SLEEPER = 1u << 8,    /* honest until ec_adversary.start (which
	                                every behaviour obeys; this bit says the
	                                start was chosen to build a reputation) */
	EC_BHV_CAMOUFLAGE = 1u << 9, /* lies only on blocks that move a target
	                                token; alone: equivocates there */
	EC_BHV_SYBIL = 1u << 10,     /* identities ground near a target (a
	                                placement, costed by the driver) */
	EC_BHV_ECLIPSE = 1u << 11,   /* open networks: captures the joins that
	                                reach it (answers the joiner itself and
	                                relays and introduces it to nobody),
	                                answers lookups in place of relaying
	                                them, lists only fellow liars in every
	                                WELCOME and PEERS it sends, and floods
	                                its honest peers with such lists, so that
	                                a victim knows nobody but liars */
	EC_BHV_STORAGE_CHEAT = 1u << 12, /* answers storage proofs holding only
	                                part of what it should */
	EC_BHV_FORGE_CERT = 1u << 13, /* on a block the coalition backs, makes up
	                                a certificate in which every member of its
	                                windows voted yes, and sends it to them
	                                (unsigned votes: nothing shows it is
	                                made up; signed: only its allies'
	                                votes carry good signatures) */
	EC_BHV_ALL = (1u << 14) - 1
} ec_behaviour;

/* Number of behaviours, and each one's name as options spell it
 * ("silent", "withhold", ...; index k names bit 1 << k). */
#define EC_BHV_COUNT 14u
extern const char *const ec_behaviour_names[EC_BHV_COUNT];

/* Parses a comma-separated list of behaviour names into *mask.  Returns
 * EC_OK, or EC_EINVAL on an empty list or an unknown name (*mask is then
 * unchanged). */
EC_WUR ec_err ec_behaviour_parse(const char *list, uint32_t *mask);

/* Writes the names of mask's bits, comma-separated, into buf (len bytes,
 * always terminated when len > 0); returns buf. */
char *ec_behaviour_format(uint32_t mask, char *buf, size_t len);

typedef struct ec_adversary {
	uint32_t behaviours;  /* ec_behaviour bits */
	uint64_t start;       /* the node's clock from which it misbehaves */
	uint64_t key;         /* the coalition's secret: the coins equivocation
	                         tosses, the same for a given run */
	/* +1: the coalition backs block; -1: it opposes it; 0: neither.  NULL:
	 * 0 for every block. */
	int (*plan)(void *user, const ec_id *block);
	/* Whether the token at ring position pos is a target.  NULL: none is. */
	bool (*target)(void *user, uint64_t pos);
	/* Whether the node at ring position pos is a fellow liar, whose vote
	 * signatures the coalition can make (it shares its keys): forge-cert
	 * signs their votes, and only theirs.  NULL: none is. */
	bool (*ally)(void *user, uint64_t pos);
	/* Eclipse: writes up to max contacts of live fellow liars nearest ring
	 * position key (the one at `skip` left out) to out, in ascending id
	 * order; returns how many.  The coalition knows its members' addresses.
	 * NULL: it knows none. */
	size_t (*allies_near)(void *user, uint64_t key, uint64_t skip, ec_contact *out,
	                      size_t max);
	void *user;
} ec_adversary;

/* The calls of a protocol that can run Byzantine nodes
 * (ec_protocol.adversary). */
typedef struct ec_adversary_ops {
	/* Attaches a (borrowed: it must outlive the node) to node, or detaches
	 * with NULL.  Call it between calls into the node. */
	void (*attach)(void *node, const ec_adversary *a);
	/* The votes the node counted when it committed the block with full id
	 * block (its certificate in the node's store), one fn call each:
	 * voter's ring position and value (+1 or -1).  Nothing when the node
	 * has not committed it. */
	void (*counted)(const void *node, const ec_ctx *ctx, const ec_id *block,
	                void (*fn)(void *user, uint64_t voter, int value), void *user);
} ec_adversary_ops;

#endif
