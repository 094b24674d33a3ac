/* SPDX-License-Identifier: MIT */
/*
 * The memory xblock_get decodes into (lmstore.h: valid until the release):
 * a bump arena of chunks, and a cache from block id to the decoded block
 * so that a block read several times in a tick is read and decoded once.
 * The release frees every chunk but one, which is kept for the next tick
 * and, under AddressSanitizer, poisoned, so that a pointer used after its
 * release is reported rather than silently reading the next tick's data.
 */
#include "lmstore_int.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define ECN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ECN_ASAN 1
#endif
#endif
#ifdef ECN_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define CHUNK_MIN ((size_t)64 << 10)

static ecn__chunk *
chunk_new(size_t need)
{
	size_t size = need > CHUNK_MIN ? need : CHUNK_MIN;
	ecn__chunk *c = malloc(sizeof *c + size);
	if (!c)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->used = 0;
	POISON(c->mem, size);
	return c;
}

void *
ecn__arena_alloc(ecn_lmstore *s, size_t size)
{
	size_t need = (size + 15) & ~(size_t)15;
	if (need < size)
		return NULL;
	ecn__chunk *c = s->chunks;
	if (!c || c->size - c->used < need) {
		if (!(c = chunk_new(need)))
			return NULL;
		c->next = s->chunks;
		s->chunks = c;
	}
	void *p = c->mem + c->used;
	c->used += need;
	UNPOISON(p, size);
	return p;
}

void
ecn__memory_reset(ecn_lmstore *s, bool last)
{
	ecn__chunk *keep = NULL;
	for (ecn__chunk *c = s->chunks, *next; c; c = next) {
		next = c->next;
		if (!last && !keep && c->size == CHUNK_MIN) {
			keep = c;
			continue;
		}
		free(c);
	}
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
		POISON(keep->mem, keep->size);
	}
	s->chunks = keep;
	if (last) {
		free(s->cache);
		s->cache = NULL;
		s->ccap = 0;
	} else if (s->cache) {
		memset(s->cache, 0, s->ccap * sizeof *s->cache);
	}
	s->clen = 0;
}

/* The slot of id, or the empty slot where it would go (ccap > 0). */
static ecn__cslot *
slot_of(const ecn_lmstore *s, const ec_id *id)
{
	size_t h = (size_t)ec_id_hash(id) & (s->ccap - 1);
	while (s->cache[h].state && !ec_id_eq(&s->cache[h].id, id))
		h = (h + 1) & (s->ccap - 1);
	return &s->cache[h];
}

const ecn__cslot *
ecn__cache_find(const ecn_lmstore *s, const ec_id *id)
{
	if (s->clen == 0)
		return NULL;
	const ecn__cslot *e = slot_of(s, id);
	return e->state == 1 ? e : NULL;
}

void
ecn__cache_stale(ecn_lmstore *s, const ec_id *id)
{
	if (s->clen == 0)
		return;
	ecn__cslot *e = slot_of(s, id);
	if (e->state == 1)
		e->state = 2;
}

/* Doubles the table (at least 64 slots) and re-inserts every slot. */
static ec_err
grow(ecn_lmstore *s)
{
	size_t ncap = s->ccap ? s->ccap * 2 : 64;
	ecn__cslot *old = s->cache, *nt = calloc(ncap, sizeof *nt);
	if (!nt)
		return EC_ENOMEM;
	size_t ocap = s->ccap;
	s->cache = nt;
	s->ccap = ncap;
	for (size_t k = 0; k < ocap; k++)
		if (old[k].state)
			*slot_of(s, &old[k].id) = old[k];
	free(old);
	return EC_OK;
}

ec_err
ecn__cache_add(ecn_lmstore *s, const ec_id *id, const ecp_block *b, const ecp_cert *c)
{
	if ((s->clen + 1) * 2 > s->ccap && grow(s))
		return EC_ENOMEM;
	ecn__cslot *e = slot_of(s, id);
	if (!e->state)
		s->clen++;
	*e = (ecn__cslot){*id, b, c, 1};
	return EC_OK;
}
