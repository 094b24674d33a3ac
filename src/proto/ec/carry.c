/* SPDX-License-Identifier: MIT */
/*
 * How a driver carries the ec protocol's messages (ec_msg_ops).  A node
 * sends envelopes whose item array lives only for the send call, so keep()
 * copies the array into the driver's scratch storage, and with it the
 * bodies of peer management that the node builds on its stack (contact
 * lists, hellos, sync ranges, audit queries and storage proofs) and the
 * signatures of votes (which sit in the outbox).  Blocks, certificates,
 * identity claims and double-vote proofs are interned already and stay
 * put.  The
 * wire size is the canonical encoding's (docs/wire.md).  The counters are
 * the items by kind, what the first wave's relays cost, and the lifecycle
 * traffic of open networks.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ec/ecp.h"

/* Counter indexes (ec_msg_ops.count). */
enum {
	C_BLOCK, C_VOTE, C_COMMIT, C_BLOCKED, C_POLL, C_FETCH, C_WITHDRAW,
	C_RELAYED,    /* BLOCK items a relay forwarded towards a window (hops >= 1) */
	C_RELAY_HOPS, /* the sum of their hop counts */
	C_REPOLL,     /* BLOCK items of a submitter's re-poll */
	C_ACCUSE,     /* ACCUSE items (double-vote proofs) */
	C_PEER,       /* peer management: FIND .. PROOF, and COMMIT items of a
	                 catch-up answer (ECP_F_SYNC; not in C_COMMIT) */
	C_COUNT
};

_Static_assert(C_COUNT <= EC_MSG_COUNTERS, "ec counts more than a driver keeps");

/* Storage keep() hands out is aligned for any type; each body copy starts
 * at such a boundary too. */
static size_t
body_round(size_t n)
{
	size_t al = _Alignof(max_align_t);
	return (n + al - 1) / al * al;
}

/* The bytes of the body it points to that the sender may free: 0 for
 * bodies that are interned (blocks, certificates, a hello's claim) and for
 * items without one. */
static size_t
body_size(const ecp_item *it)
{
	switch (it->kind) {
	case ECP_FIND:
	case ECP_PEERS:
		return it->contacts ? sizeof(ecp_contacts) + it->contacts->n * sizeof(ec_contact) : 0;
	case ECP_HELLO:
	case ECP_WELCOME:
		return it->hello ? sizeof(ecp_hello) + it->hello->n * sizeof(ec_contact) : 0;
	case ECP_SYNC:
	case ECP_SYNCED: return it->sync ? sizeof(ecp_sync) : 0;
	case ECP_AUDIT: return it->audit ? sizeof(ecp_audit) : 0;
	case ECP_PROOF:
		return it->proof ? sizeof(ecp_proof) + it->proof->count * sizeof(ec_sp_mapping)
		                 : 0;
	case ECP_VOTE:
	case ECP_BLOCK: return it->vsig ? sizeof(ecp_vsig) : 0; /* in the outbox */
	default: return 0; /* ACCUSE: interned */
	}
}

/* Copies the bodies of the n items (already copied to it[]) to at, which
 * has room for all of them, and points the items at the copies. */
static void
copy_bodies(ecp_item *it, size_t n, unsigned char *at)
{
	for (size_t i = 0; i < n; i++) {
		size_t size = body_size(&it[i]);
		if (!size)
			continue;
		switch (it[i].kind) {
		case ECP_FIND:
		case ECP_PEERS:
			it[i].contacts = memcpy(at, it[i].contacts, size);
			break;
		case ECP_HELLO:
		case ECP_WELCOME:
			it[i].hello = memcpy(at, it[i].hello, size); /* claim: interned */
			break;
		case ECP_AUDIT: it[i].audit = memcpy(at, it[i].audit, size); break;
		case ECP_PROOF: it[i].proof = memcpy(at, it[i].proof, size); break;
		case ECP_VOTE:
		case ECP_BLOCK: it[i].vsig = memcpy(at, it[i].vsig, size); break;
		default: /* SYNC, SYNCED */
			it[i].sync = memcpy(at, it[i].sync, size);
			break;
		}
		at += body_round(size);
	}
}

/* One scratch allocation for the item array and the bodies after it, so a
 * failure leaves m unchanged. */
static ec_err
ecp_keep(ec_msg *m, const ec_msg_keeper *k)
{
	if (m->type != EC_MSG_ENVELOPE || m->u.env.n == 0)
		return EC_OK;
	size_t n = m->u.env.n, array = body_round(n * sizeof(ecp_item)), bodies = 0;
	for (size_t i = 0; i < n; i++)
		bodies += body_round(body_size(&m->u.env.items[i]));
	unsigned char *mem = k->scratch(k->user, array + bodies);
	if (!mem)
		return EC_ENOMEM;
	ecp_item *it = (ecp_item *)mem;
	if (n == 1)
		*it = *m->u.env.items;
	else
		memcpy(it, m->u.env.items, n * sizeof *it);
	if (bodies)
		copy_bodies(it, n, mem + array);
	m->u.env.items = it;
	return EC_OK;
}

/* The wire envelope (docs/wire.md: 12 bytes plus every item's encoding)
 * plus 16 for receiver and time, which a datagram's addressing carries. */
static uint64_t
ecp_wire_size(const ec_msg *m)
{
	uint64_t e = 12 + 16;
	if (m->type == EC_MSG_ENVELOPE)
		for (uint32_t i = 0; i < m->u.env.n; i++)
			e += ecp_item_wire_size(&m->u.env.items[i]);
	return e;
}

static uint32_t
ecp_logical(const ec_msg *m)
{
	return m->type == EC_MSG_ENVELOPE ? m->u.env.n : 1;
}

static void
ecp_count(const ec_msg *m, uint64_t *c)
{
	if (m->type != EC_MSG_ENVELOPE)
		return;
	for (uint32_t k = 0; k < m->u.env.n; k++) {
		const ecp_item *it = &m->u.env.items[k];
		switch (it->kind) {
		case ECP_BLOCK:
			c[C_BLOCK]++;
			c[C_RELAYED] += it->hops > 0;
			c[C_RELAY_HOPS] += it->hops;
			c[C_REPOLL] += (it->flags & ECP_F_POLL) != 0;
			break;
		case ECP_VOTE: c[C_VOTE]++; break;
		case ECP_COMMIT:
			/* a catch-up answer is lifecycle traffic, not a commit push */
			c[(it->flags & ECP_F_SYNC) ? C_PEER : C_COMMIT]++;
			break;
		case ECP_BLOCKED: c[C_BLOCKED]++; break;
		case ECP_POLL: c[C_POLL]++; break;
		case ECP_FETCH: c[C_FETCH]++; break;
		case ECP_WITHDRAW:
		case ECP_WITHDRAWN: c[C_WITHDRAW]++; break;
		case ECP_FIND:
		case ECP_PEERS:
		case ECP_HELLO:
		case ECP_WELCOME:
		case ECP_PING:
		case ECP_BYE:
		case ECP_SYNC:
		case ECP_SYNCED:
		case ECP_AUDIT:
		case ECP_PROOF: c[C_PEER]++; break;
		case ECP_ACCUSE: c[C_ACCUSE]++; break;
		default: break;
		}
	}
}

static void
ecp_prefetch_msg(const ec_msg *m)
{
	if (m->type == EC_MSG_ENVELOPE)
		__builtin_prefetch(m->u.env.items);
}

static const ec_msg_stat ecp_stats[] = {
	{"ec_block", "Block", C_BLOCK, -1, false},
	{"ec_vote", "Vote", C_VOTE, -1, false},
	{"ec_commit", "Commit", C_COMMIT, -1, false},
	{"ec_blocked", "Blocked", C_BLOCKED, -1, false},
	{"ec_poll", "Poll", C_POLL, -1, false},
	{"ec_fetch", "Fetch", C_FETCH, -1, false},
	{"ec_withdraw", "Withdraw", C_WITHDRAW, -1, false},
	/* only open networks have it: left out of static runs' reports */
	{"ec_peer", "Peer", C_PEER, -1, true},
	{"ec_block_relayed", NULL, C_RELAYED, -1, false},
	{"relay_hops_mean", NULL, C_RELAY_HOPS, C_RELAYED, false},
	{"ec_block_repoll", NULL, C_REPOLL, -1, false},
	/* only runs that convict have it */
	{"ec_accuse", "Accuse", C_ACCUSE, -1, true},
};

const ec_msg_ops ecp_msg_ops = {
	.keep = ecp_keep,
	.wire_size = ecp_wire_size,
	.logical = ecp_logical,
	.count = ecp_count,
	.prefetch = ecp_prefetch_msg,
	.stats = ecp_stats,
	.nstats = sizeof ecp_stats / sizeof ecp_stats[0],
	.lifecycle_counter = C_PEER + 1,
};
