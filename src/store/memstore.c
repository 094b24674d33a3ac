/* SPDX-License-Identifier: MIT */
/*
 * Shared in-memory stores (see ec/memstore.h).  Three linear-probing hash
 * tables (block refs, token mappings, intern index) with power-of-two sizes,
 * grown at 5/8 load.  Nothing is ever deleted: the seed protocol never
 * removes a stored block or mapping.
 *
 * The ec protocol's token mappings are also threaded, per owner, on a
 * singly linked list through their slots (xtslot.link, which doubles as the
 * slot's in-use mark), with one head per owner in an array over the range
 * of owners seen; a catch-up scan (xtoken_scan) walks one owner's list, so
 * it costs the owner's mappings, never the whole table.  Slots never move
 * except when the table grows, and the rehash rebuilds every list.
 */
#include "ecsim/memstore.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ec/ecp.h"
#include "ec/seed.h"
#include "ec/rng.h"

#define CHUNK_BLOCKS 1024u

typedef struct bslot { uint64_t id; uint32_t owner; uint32_t ref; } bslot; /* ref 0: empty */
typedef struct tslot {
	uint64_t token, block, time;
	uint32_t owner, used;
} tslot;
typedef struct islot { uint64_t id; uint32_t ref; } islot; /* ref 0: empty */
/* the ec protocol's 256-bit tables.  xtslot.link: 0 an empty slot; XT_END
 * the last of its owner's list; else 1 + the slot index of the next
 * mapping of the same owner.  An owner's head (xh) is 0 for an empty list,
 * else 1 + the slot index of its first mapping. */
typedef struct xtslot {
	ec_id token, block;
	uint64_t time;
	uint32_t owner, link;
} xtslot;
#define XT_END UINT32_MAX
/* The most xt slots: every index + 1 stays below XT_END. */
#define XT_MAX_CAP ((size_t)1 << 31)
typedef struct xbslot {
	const ecp_block *block; /* NULL: empty; the key is block->id */
	const ecp_cert *cert;
	uint32_t owner;
} xbslot;

#define BYTES_CHUNK (1u << 20)

struct ec_memstore {
	ec_realloc_fn realloc_fn;
	void *alloc_user;
	bslot *b;
	size_t bcap, blen;
	tslot *t;
	size_t tcap, tlen;
	islot *i;
	size_t icap, ilen;
	ec_block **chunks;
	size_t nchunks, nblocks; /* block refs are 1-based */
	xtslot *xt;
	size_t xtcap, xtlen;
	/* list heads of the owners [xhbase, xhbase + xhcap) */
	uint32_t *xh;
	uint32_t xhbase;
	size_t xhcap;
	xbslot *xb;
	size_t xbcap, xblen;
	/* immutable bodies (ec_memstore_intern_bytes): chunks never move */
	unsigned char **bchunks;
	size_t *bsizes;
	size_t nbchunks, bused;
};

static uint64_t
hash2(uint64_t id, uint32_t owner)
{
	return ec_mix64(id ^ ((uint64_t)owner * 0xD6E8FEB86659FD93ull));
}

static void *
sized_alloc(ec_memstore *s, void *p, size_t old, size_t new)
{
	return s->realloc_fn(s->alloc_user, p, old, new);
}

ec_err
ec_memstore_new(ec_realloc_fn realloc_fn, void *alloc_user, ec_memstore **out)
{
	ec_memstore *s = realloc_fn(alloc_user, NULL, 0, sizeof *s);
	*out = NULL;
	if (!s)
		return EC_ENOMEM;
	memset(s, 0, sizeof *s);
	s->realloc_fn = realloc_fn;
	s->alloc_user = alloc_user;
	*out = s;
	return EC_OK;
}

void
ec_memstore_free(ec_memstore *s)
{
	if (!s)
		return;
	for (size_t c = 0; c < s->nchunks; c++)
		sized_alloc(s, s->chunks[c], CHUNK_BLOCKS * sizeof(ec_block), 0);
	if (s->chunks)
		sized_alloc(s, s->chunks, s->nchunks * sizeof *s->chunks, 0);
	if (s->b)
		sized_alloc(s, s->b, s->bcap * sizeof *s->b, 0);
	if (s->t)
		sized_alloc(s, s->t, s->tcap * sizeof *s->t, 0);
	if (s->i)
		sized_alloc(s, s->i, s->icap * sizeof *s->i, 0);
	if (s->xt)
		sized_alloc(s, s->xt, s->xtcap * sizeof *s->xt, 0);
	if (s->xh)
		sized_alloc(s, s->xh, s->xhcap * sizeof *s->xh, 0);
	if (s->xb)
		sized_alloc(s, s->xb, s->xbcap * sizeof *s->xb, 0);
	for (size_t c = 0; c < s->nbchunks; c++)
		sized_alloc(s, s->bchunks[c], s->bsizes[c], 0);
	if (s->bchunks) {
		sized_alloc(s, s->bchunks, s->nbchunks * sizeof *s->bchunks, 0);
		sized_alloc(s, s->bsizes, s->nbchunks * sizeof *s->bsizes, 0);
	}
	s->realloc_fn(s->alloc_user, s, sizeof *s, 0);
}

static const ec_block *
block_at(const ec_memstore *s, uint32_t ref)
{
	size_t k = (size_t)ref - 1;
	return &s->chunks[k / CHUNK_BLOCKS][k % CHUNK_BLOCKS];
}

static ec_err
arena_add(ec_memstore *s, const ec_block *blk, uint32_t *ref)
{
	if (s->nblocks == s->nchunks * CHUNK_BLOCKS) {
		if (s->nblocks >= UINT32_MAX - CHUNK_BLOCKS)
			return EC_EFULL;
		ec_block **chunks = sized_alloc(s, s->chunks, s->nchunks * sizeof *chunks,
		                                (s->nchunks + 1) * sizeof *chunks);
		if (!chunks)
			return EC_ENOMEM;
		s->chunks = chunks;
		chunks[s->nchunks] = sized_alloc(s, NULL, 0, CHUNK_BLOCKS * sizeof(ec_block));
		if (!chunks[s->nchunks])
			return EC_ENOMEM;
		s->nchunks++;
	}
	size_t k = s->nblocks++;
	s->chunks[k / CHUNK_BLOCKS][k % CHUNK_BLOCKS] = *blk;
	*ref = (uint32_t)(k + 1);
	return EC_OK;
}

/* Grows a table of n slots of size sz to twice its size and rehashes. */
#define GROW(s, tab, cap, slot_t, is_empty, hashof)                                   \
	do {                                                                              \
		size_t ncap = (cap) ? (cap) * 2 : 64;                                         \
		slot_t *nt = sized_alloc((s), NULL, 0, ncap * sizeof *nt);                    \
		if (!nt)                                                                      \
			return EC_ENOMEM;                                                         \
		memset(nt, 0, ncap * sizeof *nt);                                             \
		for (size_t k_ = 0; k_ < (cap); k_++) {                                       \
			slot_t *o_ = &(tab)[k_];                                                  \
			if (is_empty(o_))                                                         \
				continue;                                                             \
			size_t h_ = (size_t)(hashof(o_)) & (ncap - 1);                            \
			while (!is_empty(&nt[h_]))                                                \
				h_ = (h_ + 1) & (ncap - 1);                                           \
			nt[h_] = *o_;                                                             \
		}                                                                             \
		if (tab)                                                                      \
			sized_alloc((s), (tab), (cap) * sizeof *nt, 0);                           \
		(tab) = nt;                                                                   \
		(cap) = ncap;                                                                 \
	} while (0)

#define B_EMPTY(p) ((p)->ref == 0)
#define B_HASH(p) hash2((p)->id, (p)->owner)
#define T_EMPTY(p) ((p)->used == 0)
#define T_HASH(p) hash2((p)->token, (p)->owner)
#define I_EMPTY(p) ((p)->ref == 0)
#define I_HASH(p) ec_mix64((p)->id)
#define XT_EMPTY(p) ((p)->link == 0)
#define XB_EMPTY(p) ((p)->block == NULL)
#define XB_HASH(p) hash2(ec_id_hash(&(p)->block->id), (p)->owner)

/* Grows the xt table to twice its size, rehashes, and rebuilds every
 * owner's list from the new slots (the heads cover every owner present). */
static ec_err
grow_xt(ec_memstore *s)
{
	size_t ncap = s->xtcap ? s->xtcap * 2 : 64;
	if (ncap > XT_MAX_CAP)
		return EC_EFULL;
	xtslot *nt = sized_alloc(s, NULL, 0, ncap * sizeof *nt);
	if (!nt)
		return EC_ENOMEM;
	memset(nt, 0, ncap * sizeof *nt);
	if (s->xh)
		memset(s->xh, 0, s->xhcap * sizeof *s->xh);
	for (size_t k = 0; k < s->xtcap; k++) {
		const xtslot *o = &s->xt[k];
		if (XT_EMPTY(o))
			continue;
		size_t h = (size_t)hash2(ec_id_hash(&o->token), o->owner) & (ncap - 1);
		while (!XT_EMPTY(&nt[h]))
			h = (h + 1) & (ncap - 1);
		uint32_t *head = &s->xh[o->owner - s->xhbase];
		nt[h] = *o;
		nt[h].link = *head ? *head : XT_END;
		*head = (uint32_t)(h + 1);
	}
	if (s->xt)
		sized_alloc(s, s->xt, s->xtcap * sizeof *s->xt, 0);
	s->xt = nt;
	s->xtcap = ncap;
	return EC_OK;
}

/* Makes the head array cover owner (the new heads are empty lists). */
static ec_err
cover_owner(ec_memstore *s, uint32_t owner)
{
	uint64_t base = s->xhbase, end = base + s->xhcap;
	if (s->xhcap && owner >= base && owner < end)
		return EC_OK;
	uint64_t lo = owner, hi = (uint64_t)owner + 1;
	if (s->xhcap) {
		lo = base < lo ? base : lo;
		hi = end > hi ? end : hi;
	}
	/* an eighth more than needed, on the side the range grows to: the new
	 * range holds the old one and more, so the sizes grow geometrically
	 * (all the copying adds up to about nine times the final size); a
	 * simulator worker's owners are a contiguous block that fills in
	 * random order, so the unused room stays near an eighth of it */
	uint64_t ncap = (hi - lo) + (hi - lo) / 8 + 64;
	uint64_t nbase;
	if (s->xhcap && owner < base)
		nbase = hi >= ncap ? hi - ncap : 0;
	else
		nbase = lo;
	if (nbase + ncap > (uint64_t)UINT32_MAX + 1) /* still holds [lo, hi) */
		ncap = (uint64_t)UINT32_MAX + 1 - nbase;
	if (ncap > SIZE_MAX / sizeof(uint32_t))
		return EC_ENOMEM;
	uint32_t *nh = sized_alloc(s, NULL, 0, (size_t)ncap * sizeof *nh);
	if (!nh)
		return EC_ENOMEM;
	memset(nh, 0, (size_t)ncap * sizeof *nh);
	if (s->xh) {
		memcpy(nh + (base - nbase), s->xh, s->xhcap * sizeof *nh);
		sized_alloc(s, s->xh, s->xhcap * sizeof *s->xh, 0);
	}
	s->xh = nh;
	s->xhbase = (uint32_t)nbase;
	s->xhcap = (size_t)ncap;
	return EC_OK;
}

static ec_err
grow_xb(ec_memstore *s)
{
	GROW(s, s->xb, s->xbcap, xbslot, XB_EMPTY, XB_HASH);
	return EC_OK;
}

static ec_err
grow_b(ec_memstore *s)
{
	GROW(s, s->b, s->bcap, bslot, B_EMPTY, B_HASH);
	return EC_OK;
}

static ec_err
grow_t(ec_memstore *s)
{
	GROW(s, s->t, s->tcap, tslot, T_EMPTY, T_HASH);
	return EC_OK;
}

static ec_err
grow_i(ec_memstore *s)
{
	GROW(s, s->i, s->icap, islot, I_EMPTY, I_HASH);
	return EC_OK;
}

/* Finds or adds block in the arena; *ref is its 1-based arena index. */
static ec_err
intern_ref(ec_memstore *s, const ec_block *blk, uint32_t *ref)
{
	ec_err err;
	if ((s->ilen + 1) * 8 > s->icap * 5 && (err = grow_i(s)))
		return err;
	/* blocks with the same id but other content (a forger's) get slots of
	 * their own further along the probe sequence */
	size_t h = (size_t)ec_mix64(blk->id) & (s->icap - 1);
	while (!I_EMPTY(&s->i[h])) {
		if (s->i[h].id == blk->id && ec_block_equal(block_at(s, s->i[h].ref), blk)) {
			*ref = s->i[h].ref;
			return EC_OK;
		}
		h = (h + 1) & (s->icap - 1);
	}
	if ((err = arena_add(s, blk, ref)))
		return err;
	s->i[h] = (islot){blk->id, *ref};
	s->ilen++;
	return EC_OK;
}

ec_err
ec_memstore_intern(ec_memstore *s, const ec_block *blk, const ec_block **out)
{
	uint32_t ref;
	ec_err err = intern_ref(s, blk, &ref);
	*out = err ? NULL : block_at(s, ref);
	return err;
}

const ec_block *
ec_memstore_block_get(const ec_memstore *s, uint32_t owner, ec_block_id id)
{
	if (s->blen == 0)
		return NULL;
	size_t h = (size_t)hash2(id, owner) & (s->bcap - 1);
	while (!B_EMPTY(&s->b[h])) {
		if (s->b[h].id == id && s->b[h].owner == owner)
			return block_at(s, s->b[h].ref);
		h = (h + 1) & (s->bcap - 1);
	}
	return NULL;
}

static const ec_block *
v_block_get(void *impl, ec_block_id id)
{
	const ec_memstore_view *v = impl;
	return ec_memstore_block_get(v->store, v->owner, id);
}

static ec_err
v_block_put(void *impl, const ec_block *blk)
{
	const ec_memstore_view *v = impl;
	ec_memstore *s = v->store;
	uint32_t ref;
	ec_err err = intern_ref(s, blk, &ref);
	if (err)
		return err;
	if ((s->blen + 1) * 8 > s->bcap * 5 && (err = grow_b(s)))
		return err;
	size_t h = (size_t)hash2(blk->id, v->owner) & (s->bcap - 1);
	while (!B_EMPTY(&s->b[h])) {
		if (s->b[h].id == blk->id && s->b[h].owner == v->owner) {
			s->b[h].ref = ref; /* save overwrites */
			return EC_OK;
		}
		h = (h + 1) & (s->bcap - 1);
	}
	s->b[h] = (bslot){blk->id, v->owner, ref};
	s->blen++;
	return EC_OK;
}

static bool
v_token_get(void *impl, ec_token_id token, ec_block_id *block, uint64_t *time)
{
	const ec_memstore_view *v = impl;
	const ec_memstore *s = v->store;
	if (s->tlen == 0)
		return false;
	size_t h = (size_t)hash2(token, v->owner) & (s->tcap - 1);
	while (!T_EMPTY(&s->t[h])) {
		if (s->t[h].token == token && s->t[h].owner == v->owner) {
			*block = s->t[h].block;
			*time = s->t[h].time;
			return true;
		}
		h = (h + 1) & (s->tcap - 1);
	}
	return false;
}

static ec_err
v_token_put(void *impl, ec_token_id token, ec_block_id block, uint64_t time)
{
	const ec_memstore_view *v = impl;
	ec_memstore *s = v->store;
	ec_err err;
	if ((s->tlen + 1) * 8 > s->tcap * 5 && (err = grow_t(s)))
		return err;
	size_t h = (size_t)hash2(token, v->owner) & (s->tcap - 1);
	while (!T_EMPTY(&s->t[h])) {
		if (s->t[h].token == token && s->t[h].owner == v->owner) {
			s->t[h].block = block;
			s->t[h].time = time;
			return EC_OK;
		}
		h = (h + 1) & (s->tcap - 1);
	}
	s->t[h] = (tslot){token, block, time, v->owner, 1};
	s->tlen++;
	return EC_OK;
}

static bool
v_xtoken_get(void *impl, const ec_id *token, ec_id *block, uint64_t *time)
{
	const ec_memstore_view *v = impl;
	const ec_memstore *s = v->store;
	if (s->xtlen == 0)
		return false;
	size_t h = (size_t)hash2(ec_id_hash(token), v->owner) & (s->xtcap - 1);
	while (!XT_EMPTY(&s->xt[h])) {
		if (s->xt[h].owner == v->owner && ec_id_eq(&s->xt[h].token, token)) {
			*block = s->xt[h].block;
			*time = s->xt[h].time;
			return true;
		}
		h = (h + 1) & (s->xtcap - 1);
	}
	return false;
}

static ec_err
v_xtoken_put(void *impl, const ec_id *token, const ec_id *block, uint64_t time)
{
	const ec_memstore_view *v = impl;
	ec_memstore *s = v->store;
	ec_err err;
	if (v->drop_tokens &&
	    (v->drop_tokens == UINT32_MAX ||
	     (uint32_t)(hash2(ec_id_hash(token), v->owner ^ 0x5bd1e995u) >> 32) < v->drop_tokens))
		return EC_OK; /* a node that keeps only part of what it should */
	if ((s->xtlen + 1) * 8 > s->xtcap * 5 && (err = grow_xt(s)))
		return err;
	size_t h = (size_t)hash2(ec_id_hash(token), v->owner) & (s->xtcap - 1);
	while (!XT_EMPTY(&s->xt[h])) {
		if (s->xt[h].owner == v->owner && ec_id_eq(&s->xt[h].token, token)) {
			s->xt[h].block = *block;
			s->xt[h].time = time;
			return EC_OK;
		}
		h = (h + 1) & (s->xtcap - 1);
	}
	if ((err = cover_owner(s, v->owner)))
		return err;
	uint32_t *head = &s->xh[v->owner - s->xhbase];
	s->xt[h] = (xtslot){*token, *block, time, v->owner, *head ? *head : XT_END};
	*head = (uint32_t)(h + 1);
	s->xtlen++;
	return EC_OK;
}

/* True if token a, at ring distance da from the scan's lo, comes before
 * token b in scan order (distance from lo, then the full id). */
static bool
scan_before(uint64_t da, const ec_id *a, uint64_t lo, const ec_id *b)
{
	uint64_t db = ec_id_pos(b) - lo;
	return da != db ? da < db : ec_id_cmp(a, b) < 0;
}

/* Walks the owner's list once and keeps the first max mappings in scan
 * order by insertion into the output arrays: O(mappings x max), no
 * allocation. */
static size_t
v_xtoken_scan(void *impl, uint64_t lo, uint64_t hi, const ec_id *after, ec_id *tokens,
              ec_id *blocks, size_t max)
{
	const ec_memstore_view *v = impl;
	const ec_memstore *s = v->store;
	if (max == 0 || s->xhcap == 0 || v->owner < s->xhbase ||
	    v->owner - s->xhbase >= s->xhcap)
		return 0;
	uint64_t span = hi - lo; /* the range is lo + [0, span] */
	bool resume = after && !ec_id_is_zero(after);
	uint64_t dafter = resume ? ec_id_pos(after) - lo : 0;
	if (resume && dafter > span)
		return 0; /* every mapping in the range comes before *after */
	size_t n = 0;
	for (uint32_t r = s->xh[v->owner - s->xhbase]; r != 0 && r != XT_END;) {
		const xtslot *e = &s->xt[r - 1];
		r = e->link;
		uint64_t d = ec_id_pos(&e->token) - lo;
		if (d > span)
			continue;
		if (resume && (d < dafter || (d == dafter && ec_id_cmp(&e->token, after) <= 0)))
			continue;
		if (n == max && !scan_before(d, &e->token, lo, &tokens[n - 1]))
			continue;
		size_t i = n < max ? n++ : n - 1;
		for (; i > 0 && scan_before(d, &e->token, lo, &tokens[i - 1]); i--) {
			tokens[i] = tokens[i - 1];
			blocks[i] = blocks[i - 1];
		}
		tokens[i] = e->token;
		blocks[i] = e->block;
	}
	return n;
}

/* The owner's nearest mapping at or above (up) or at or below *x, no
 * wrapping: one walk of the owner's list. */
static bool
v_xtoken_near(void *impl, const ec_id *x, bool up, ec_id *token, ec_id *block)
{
	const ec_memstore_view *v = impl;
	const ec_memstore *s = v->store;
	if (s->xhcap == 0 || v->owner < s->xhbase || v->owner - s->xhbase >= s->xhcap)
		return false;
	const xtslot *best = NULL;
	for (uint32_t r = s->xh[v->owner - s->xhbase]; r != 0 && r != XT_END;) {
		const xtslot *e = &s->xt[r - 1];
		r = e->link;
		int c = ec_id_cmp(&e->token, x);
		if (up ? c < 0 : c > 0)
			continue;
		if (!best || (up ? ec_id_cmp(&e->token, &best->token) < 0
		                 : ec_id_cmp(&e->token, &best->token) > 0))
			best = e;
	}
	if (!best)
		return false;
	*token = best->token;
	*block = best->block;
	return true;
}

static bool
v_xblock_get(void *impl, const ec_id *id, const ecp_block **block, const ecp_cert **cert)
{
	const ec_memstore_view *v = impl;
	const ec_memstore *s = v->store;
	if (s->xblen == 0)
		return false;
	size_t h = (size_t)hash2(ec_id_hash(id), v->owner) & (s->xbcap - 1);
	while (!XB_EMPTY(&s->xb[h])) {
		if (s->xb[h].owner == v->owner && ec_id_eq(&s->xb[h].block->id, id)) {
			if (block)
				*block = s->xb[h].block;
			if (cert)
				*cert = s->xb[h].cert;
			return true;
		}
		h = (h + 1) & (s->xbcap - 1);
	}
	return false;
}

static void
v_xblock_prefetch(void *impl, const ec_id *id)
{
	const ec_memstore_view *v = impl;
	const ec_memstore *s = v->store;
	if (s->xblen)
		__builtin_prefetch(&s->xb[(size_t)hash2(ec_id_hash(id), v->owner) & (s->xbcap - 1)]);
}

static ec_err
v_xblock_put(void *impl, const ecp_block *block, const ecp_cert *cert)
{
	const ec_memstore_view *v = impl;
	ec_memstore *s = v->store;
	ec_err err;
	if (!block)
		return EC_EINVAL;
	if ((s->xblen + 1) * 8 > s->xbcap * 5 && (err = grow_xb(s)))
		return err;
	size_t h = (size_t)hash2(ec_id_hash(&block->id), v->owner) & (s->xbcap - 1);
	while (!XB_EMPTY(&s->xb[h])) {
		if (s->xb[h].owner == v->owner && ec_id_eq(&s->xb[h].block->id, &block->id)) {
			s->xb[h].block = block;
			s->xb[h].cert = cert;
			return EC_OK;
		}
		h = (h + 1) & (s->xbcap - 1);
	}
	s->xb[h] = (xbslot){block, cert, v->owner};
	s->xblen++;
	return EC_OK;
}

/* Reserves pre + len bytes (16-aligned), copies data after the first pre. */
static unsigned char *
intern_with(ec_memstore *s, size_t pre, const void *data, size_t len)
{
	size_t need = (pre + len + 15) & ~(size_t)15;
	if (need < len)
		return NULL;
	if (s->nbchunks == 0 || s->bused + need > s->bsizes[s->nbchunks - 1]) {
		size_t size = need > BYTES_CHUNK ? need : BYTES_CHUNK;
		unsigned char **c = sized_alloc(s, s->bchunks, s->nbchunks * sizeof *c,
		                                (s->nbchunks + 1) * sizeof *c);
		if (!c)
			return NULL;
		s->bchunks = c;
		size_t *z = sized_alloc(s, s->bsizes, s->nbchunks * sizeof *z,
		                        (s->nbchunks + 1) * sizeof *z);
		if (!z)
			return NULL;
		s->bsizes = z;
		if (!(c[s->nbchunks] = sized_alloc(s, NULL, 0, size)))
			return NULL;
		z[s->nbchunks++] = size;
		s->bused = 0;
	}
	unsigned char *p = s->bchunks[s->nbchunks - 1] + s->bused;
	memset(p, 0, pre);
	memcpy(p + pre, data, len);
	s->bused += need;
	return p + pre;
}

const void *
ec_memstore_intern_bytes(ec_memstore *s, const void *data, size_t len)
{
	return intern_with(s, 0, data, len);
}

_Static_assert(EC_MEMO_BYTES % 16 == 0, "bodies stay 16-byte aligned");

const void *
ec_memstore_intern_memo(ec_memstore *s, const void *data, size_t len)
{
	return intern_with(s, EC_MEMO_BYTES, data, len);
}

ec_memo_byte *
ec_memstore_memo(void *user, const void *body)
{
	(void)user;
	/* the memo is mutable storage the store handed out with the body */
	return (ec_memo_byte *)((uintptr_t)body - EC_MEMO_BYTES);
}

static const ec_seed_store_ops seed_ops = {
	.block_get = v_block_get,
	.block_put = v_block_put,
	.token_get = v_token_get,
	.token_put = v_token_put,
};

static const ecp_store_ops ecp_ops = {
	.xtoken_get = v_xtoken_get,
	.xtoken_put = v_xtoken_put,
	.xblock_get = v_xblock_get,
	.xblock_put = v_xblock_put,
	.xblock_prefetch = v_xblock_prefetch,
	.xtoken_scan = v_xtoken_scan,
	.xtoken_near = v_xtoken_near,
};

ec_store
ec_memstore_bind(ec_memstore_view *view, const char *api)
{
	const void *ops = NULL;
	if (api && strcmp(api, EC_SEED_STORE_API) == 0)
		ops = &seed_ops;
	else if (api && strcmp(api, ECP_STORE_API) == 0)
		ops = &ecp_ops;
	return (ec_store){ops, ops ? view : NULL};
}

size_t
ec_memstore_bytes(const ec_memstore *s)
{
	size_t bodies = 0;
	for (size_t c = 0; c < s->nbchunks; c++)
		bodies += s->bsizes[c];
	return bodies + s->xtcap * sizeof *s->xt + s->xhcap * sizeof *s->xh +
	       s->xbcap * sizeof *s->xb + s->bcap * sizeof *s->b + s->tcap * sizeof *s->t +
	       s->icap * sizeof *s->i +
	       s->nchunks * (CHUNK_BLOCKS * sizeof(ec_block) + sizeof *s->chunks);
}
