/* SPDX-License-Identifier: MIT */
/*
 * Seed-protocol mempool (seed-protocol.md §2.2).  Pools are small (a handful of entries,
 * tens for a stale "storm" node), so lookups are linear scans over a
 * contiguous array, which also gives the deterministic iteration order that
 * the reference lacked (its hash-map order changed from run to run).
 */
#include "ec/mempool.h"

#include <string.h>

void
ec_mempool_init(ec_mempool *pool)
{
	memset(pool, 0, sizeof *pool);
}

static void
entry_fini(ec_pool_entry *e, const ec_ctx *ctx)
{
	if (e->votes)
		ctx->realloc_fn(ctx->alloc_user, e->votes, e->vcap * sizeof *e->votes, 0);
	e->votes = NULL;
	e->nvotes = e->vcap = 0;
}

void
ec_mempool_fini(ec_mempool *pool, const ec_ctx *ctx)
{
	for (uint32_t i = 0; i < pool->len; i++)
		entry_fini(&pool->e[i], ctx);
	if (pool->e)
		ctx->realloc_fn(ctx->alloc_user, pool->e, pool->cap * sizeof *pool->e, 0);
	ec_mempool_init(pool);
}

ec_pool_entry *
ec_mempool_find(const ec_mempool *pool, ec_block_id id)
{
	for (uint32_t i = 0; i < pool->len; i++)
		if (pool->e[i].id == id)
			return &pool->e[i];
	return NULL;
}

/* Doubles an array's capacity (first allocation: `first` elements). */
static bool
grow(const ec_ctx *ctx, void **v, uint32_t *cap, size_t elem, uint32_t first)
{
	uint32_t ncap = *cap ? *cap * 2 : first;
	void *p = ctx->realloc_fn(ctx->alloc_user, *v, *cap * elem, ncap * elem);
	if (!p)
		return false;
	*v = p;
	*cap = ncap;
	return true;
}

static ec_err
get_or_create(ec_mempool *pool, const ec_ctx *ctx, ec_block_id id, uint64_t time,
              uint64_t order_key, ec_pool_entry **out)
{
	ec_pool_entry *found = ec_mempool_find(pool, id);
	if (found) {
		*out = found;
		return EC_OK;
	}
	if (pool->len == pool->cap &&
	    !grow(ctx, (void **)&pool->e, &pool->cap, sizeof *pool->e, 4))
		return EC_ENOMEM;
	/* after the last entry whose key is <= order_key: ties keep insertion order */
	uint32_t pos = pool->len;
	while (pos > 0 && pool->e[pos - 1].order_key > order_key)
		pos--;
	memmove(pool->e + pos + 1, pool->e + pos, (pool->len - pos) * sizeof *pool->e);
	ec_pool_entry *e = &pool->e[pos];
	memset(e, 0, sizeof *e);
	e->id = id;
	e->order_key = order_key;
	e->time = time;
	e->state = EC_STATE_PENDING;
	e->validate = 0xFF;
	pool->len++;
	pool->due_valid = false;
	*out = e;
	return EC_OK;
}

ec_err
ec_mempool_vote(ec_mempool *pool, const ec_ctx *ctx, ec_block_id id, uint8_t vote,
                ec_peer_id sender, uint64_t t, uint64_t order_key, bool *gated)
{
	*gated = pool->len >= EC_MEMPOOL_GATE;
	if (*gated)
		return EC_OK;
	ec_pool_entry *e;
	ec_err err = get_or_create(pool, ctx, id, t, order_key, &e);
	if (err)
		return err;
	ec_vote_rec *rec = NULL;
	for (uint32_t i = 0; i < e->nvotes; i++)
		if (e->votes[i].peer == sender) {
			rec = &e->votes[i];
			break;
		}
	if (rec) {
		if (rec->time < t) {
			rec->time = t;
			rec->vote = vote;
		}
	} else {
		if (e->nvotes == e->vcap &&
		    !grow(ctx, (void **)&e->votes, &e->vcap, sizeof *e->votes, 8))
			return EC_ENOMEM;
		rec = &e->votes[e->nvotes++];
		rec->peer = sender;
		rec->time = t;
		rec->vote = vote;
	}
	/* also fires for an equal-time duplicate that was not stored (reference) */
	if (rec->time == t)
		e->updated = true;
	return EC_OK;
}

ec_err
ec_mempool_block(ec_mempool *pool, const ec_ctx *ctx, const ec_block *block, uint64_t now,
                 uint64_t order_key, bool *fresh)
{
	ec_pool_entry *e;
	ec_err err = get_or_create(pool, ctx, block->id, now, order_key, &e);
	*fresh = false;
	if (err)
		return err;
	if (e->has_block)
		return EC_OK;
	*fresh = true;
	if (block->used < EC_TOKENS_PER_BLOCK && block->time <= now + EC_SOME_STEPS_INTO_THE_FUTURE) {
		e->block = *block;
		e->has_block = true;
		e->updated = true;
		e->vote = 0;
		e->validate = 0; /* the reference never checks parents or signatures (seed-protocol.md §2.7) */
	} else {
		e->state = EC_STATE_BLOCKED;
	}
	return EC_OK;
}

uint32_t
ec_mempool_cleanup(ec_mempool *pool, const ec_ctx *ctx, uint64_t now)
{
	/* Every entry left by the last scan had age now' - time < EXPIRY; for a
	 * later now below next_due each age is still below EXPIRY, exactly. */
	if (pool->due_valid && now >= pool->scan_now && now < pool->next_due)
		return 0;
	uint32_t w = 0, removed = 0;
	uint64_t next_due = UINT64_MAX;
	for (uint32_t r = 0; r < pool->len; r++) {
		if (now - pool->e[r].time >= EC_MEMPOOL_EXPIRY) {
			entry_fini(&pool->e[r], ctx);
			removed++;
			continue;
		}
		uint64_t due = now + (EC_MEMPOOL_EXPIRY - (now - pool->e[r].time));
		if (due < next_due)
			next_due = due;
		if (w != r)
			pool->e[w] = pool->e[r];
		w++;
	}
	pool->len = w;
	pool->due_valid = w > 0;
	pool->scan_now = now;
	pool->next_due = next_due;
	return removed;
}
