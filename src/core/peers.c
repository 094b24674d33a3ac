/* SPDX-License-Identifier: MIT */
/*
 * Sorted peer list and ring routing (seed-protocol.md §2.3).  The quirks are the
 * reference's and are kept on purpose: peers_for and peer_for shift an exact
 * match one position up but peer_range does not (seed-protocol.md §5 A8), and the
 * pseudo-random offsets mix the key with the node id and the time.
 */
#include "ec/peers.h"

#include <string.h>

void
ec_peers_init(ec_peers *p)
{
	p->ids = NULL;
	p->len = 0;
	p->cap = 0;
	p->version = 0;
}

void
ec_peers_fini(ec_peers *p, const ec_ctx *ctx)
{
	if (p->ids)
		ctx->realloc_fn(ctx->alloc_user, p->ids, p->cap * sizeof *p->ids, 0);
	ec_peers_init(p);
}

static ec_err
reserve(ec_peers *p, const ec_ctx *ctx, size_t need)
{
	if (need <= p->cap)
		return EC_OK;
	if (need > UINT32_MAX)
		return EC_ERANGE;
	size_t cap = p->cap ? p->cap : 4;
	while (cap < need)
		cap = cap + cap / 2 + 1;
	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	uint64_t *ids = ctx->realloc_fn(ctx->alloc_user, p->ids, p->cap * sizeof *ids,
	                                cap * sizeof *ids);
	if (!ids)
		return EC_ENOMEM;
	p->ids = ids;
	p->cap = (uint32_t)cap;
	return EC_OK;
}

ec_err
ec_peers_assign(ec_peers *p, const ec_ctx *ctx, const uint64_t *sorted, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (sorted[i - 1] >= sorted[i])
			return EC_EINVAL;
	/* room for the few peers a node learns at run time, without the
	 * geometric slack that would cost a third of the set-up memory */
	ec_err err = reserve(p, ctx, n + n / 64 + 4);
	if (err)
		return err;
	if (n)
		memcpy(p->ids, sorted, n * sizeof *sorted);
	p->len = (uint32_t)n;
	p->version++;
	return EC_OK;
}

bool
ec_peers_search(const ec_peers *p, uint64_t key, uint32_t *idx)
{
	/* branch-free lower bound: the comparisons are coin flips, and a branchy
	 * search (which gcc makes of a ternary here) mispredicts half of them */
	if (p->len == 0) {
		*idx = 0;
		return false;
	}
	const uint64_t *base = p->ids;
	uint32_t n = p->len;
	while (n > 1) {
		uint32_t half = n / 2;
		base += (size_t)(base[half - 1] < key) * half; /* arithmetic: no jump */
		n -= half;
	}
	uint32_t lo = (uint32_t)(base - p->ids) + (*base < key);
	*idx = lo;
	return lo < p->len && p->ids[lo] == key;
}

bool
ec_peers_trusted(const ec_peers *p, uint64_t id)
{
	uint32_t i;
	return ec_peers_search(p, id, &i);
}

ec_err
ec_peers_add(ec_peers *p, const ec_ctx *ctx, uint64_t self, uint64_t id, bool *added)
{
	uint32_t i;
	if (added)
		*added = false;
	if (id == self || ec_peers_search(p, id, &i))
		return EC_OK;
	ec_err err = reserve(p, ctx, (size_t)p->len + 1);
	if (err)
		return err;
	memmove(p->ids + i + 1, p->ids + i, (p->len - i) * sizeof *p->ids);
	p->ids[i] = id;
	p->len++;
	p->version++;
	if (added)
		*added = true;
	return EC_OK;
}

/* Position a routing helper starts from: one past an exact match. */
static uint32_t
route_index(const ec_peers *p, uint64_t key)
{
	uint32_t i;
	bool found = ec_peers_search(p, key, &i);
	return (found ? i + 1 : i) % p->len;
}

/* idx + delta reduced into [0, len) with one wrap; |delta| < len is not
 * guaranteed for tiny lists, so reduce fully. */
static uint32_t
wrap(const ec_peers *p, int64_t v)
{
	int64_t len = p->len;
	v %= len;
	if (v < 0)
		v += len;
	return (uint32_t)v;
}

void
ec_peers_for(const ec_peers *p, uint64_t self, uint64_t key, uint64_t t, uint64_t out[2])
{
	if (p->len == 0) {
		out[0] = out[1] = 0;
		return;
	}
	int64_t idx = route_index(p, key);
	int64_t adj = (int64_t)(((key ^ self) + t) & 3) + 1;
	out[0] = p->ids[wrap(p, idx - adj)];
	out[1] = p->ids[wrap(p, idx + adj)];
}

uint64_t
ec_peer_for(const ec_peers *p, uint64_t self, uint64_t key, uint64_t t)
{
	if (p->len == 0)
		return 0;
	int64_t idx = route_index(p, key);
	int64_t adj = (int64_t)(((key ^ self) + t) & 7) - 3;
	return p->ids[wrap(p, idx + adj)];
}

ec_range
ec_peer_range(const ec_peers *p, uint64_t key)
{
	if (p->len <= 10)
		return (ec_range){0, UINT64_MAX};
	uint32_t i;
	(void)ec_peers_search(p, key, &i);
	int64_t idx = i % p->len;
	return (ec_range){p->ids[wrap(p, idx - 4)], p->ids[wrap(p, idx + 4)]};
}
