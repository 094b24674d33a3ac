/* SPDX-License-Identifier: MIT */
/*
 * How a driver carries the ec protocol's messages (ec_msg_ops).  A node
 * sends envelopes whose item array lives only for the send call, so keep()
 * copies the array into the driver's scratch storage; the bodies the items
 * point to (blocks, certificates) are interned already and stay put.  The
 * wire size is the canonical encoding's (docs/wire.md).  The counters are
 * the items by kind and what the first wave's relays cost.
 */
#include <string.h>

#include "ec/ecp.h"

/* Counter indexes (ec_msg_ops.count). */
enum {
	C_BLOCK, C_VOTE, C_COMMIT, C_BLOCKED, C_POLL, C_FETCH, C_WITHDRAW,
	C_RELAYED,    /* BLOCK items a relay forwarded towards a window (hops >= 1) */
	C_RELAY_HOPS, /* the sum of their hop counts */
	C_REPOLL,     /* BLOCK items of a submitter's re-poll */
	C_COUNT
};

_Static_assert(C_COUNT <= EC_MSG_COUNTERS, "ec counts more than a driver keeps");

static ec_err
ecp_keep(ec_msg *m, const ec_msg_keeper *k)
{
	if (m->type != EC_MSG_ENVELOPE || m->u.env.n == 0)
		return EC_OK;
	size_t n = m->u.env.n;
	ecp_item *it = k->scratch(k->user, n * sizeof *it);
	if (!it)
		return EC_ENOMEM;
	if (n == 1)
		*it = *m->u.env.items;
	else
		memcpy(it, m->u.env.items, n * sizeof *it);
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
		case ECP_COMMIT: c[C_COMMIT]++; break;
		case ECP_BLOCKED: c[C_BLOCKED]++; break;
		case ECP_POLL: c[C_POLL]++; break;
		case ECP_FETCH: c[C_FETCH]++; break;
		case ECP_WITHDRAW:
		case ECP_WITHDRAWN: c[C_WITHDRAW]++; break;
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
	{"ec_block_relayed", NULL, C_RELAYED, -1, false},
	{"relay_hops_mean", NULL, C_RELAY_HOPS, C_RELAYED, false},
	{"ec_block_repoll", NULL, C_REPOLL, -1, false},
};

const ec_msg_ops ecp_msg_ops = {
	.keep = ecp_keep,
	.wire_size = ecp_wire_size,
	.logical = ecp_logical,
	.count = ecp_count,
	.prefetch = ecp_prefetch_msg,
	.stats = ecp_stats,
	.nstats = sizeof ecp_stats / sizeof ecp_stats[0],
};
