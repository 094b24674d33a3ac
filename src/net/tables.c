/* SPDX-License-Identifier: MIT */
/*
 * The engine's tables: peers (by key and by ring position), remote
 * addresses ("paths", with their anti-amplification accounts), payloads
 * held for a WHOIS answer, and the outbox.  All bounded; see engine.h.
 */
#include <sodium.h>
#include <string.h>

#include "net/engine.h"

/* ---- memory, hashing, counting ---- */

void *
ecnet__alloc(ecn *t, size_t n)
{
	return t->cfg.realloc_fn(t->cfg.alloc_user, NULL, 0, n);
}

void
ecnet__free(ecn *t, void *p, size_t n)
{
	if (p)
		(void)t->cfg.realloc_fn(t->cfg.alloc_user, p, n, 0);
}

static uint64_t
hash64(const ecn *t, const void *data, size_t len)
{
	uint8_t out[crypto_shorthash_BYTES];
	crypto_shorthash(out, data, len, t->hash_key);
	uint64_t v = 0;
	for (size_t i = 0; i < sizeof out; i++)
		v = v << 8 | out[i];
	return v;
}

uint32_t
ecnet__hash(const ecn *t, const void *data, size_t len)
{
	return (uint32_t)hash64(t, data, len);
}

void
ecnet__count(ecn *t, ecn_verdict v)
{
	if ((unsigned)v < ECN_VERDICT_COUNT)
		t->stats.verdicts[v]++;
}

static uint32_t
hash_pos(const ecn *t, uint64_t pos)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(pos >> (8 * i));
	return ecnet__hash(t, b, sizeof b);
}

static uint32_t
hash_addr(const ecn *t, const ec_addr *a)
{
	return ecnet__hash(t, &a->len, 1u + (size_t)a->len);
}

/* ---- open-addressing indexes ---- */

static ec_err
index_new(ecn *t, ecnet__index *ix, uint32_t n)
{
	uint32_t cap = 16;
	while (cap < 2u * n)
		cap <<= 1;
	ix->slot = ecnet__alloc(t, (size_t)cap * sizeof *ix->slot);
	if (!ix->slot)
		return EC_ENOMEM;
	memset(ix->slot, 0, (size_t)cap * sizeof *ix->slot);
	ix->mask = cap - 1u;
	return EC_OK;
}

static void
index_free(ecn *t, ecnet__index *ix)
{
	if (ix->slot)
		ecnet__free(t, ix->slot, ((size_t)ix->mask + 1u) * sizeof *ix->slot);
	ix->slot = NULL;
}

static uint64_t
slot_of(uint32_t h, uint32_t idx)
{
	return (uint64_t)h << 32 | ((uint64_t)idx + 1u);
}

static uint32_t
slot_idx(uint64_t s)
{
	return (uint32_t)(s & 0xffffffffu) - 1u;
}

static void
index_insert(ecnet__index *ix, uint32_t h, uint32_t idx)
{
	uint32_t i = h & ix->mask;
	while (ix->slot[i])
		i = (i + 1u) & ix->mask;
	ix->slot[i] = slot_of(h, idx);
}

/* Removes the entry (h, idx) if present, shifting later entries of the
 * probe run back so that no tombstones are needed. */
static void
index_remove(ecnet__index *ix, uint32_t h, uint32_t idx)
{
	uint64_t want = slot_of(h, idx);
	uint32_t i = h & ix->mask;
	while (ix->slot[i] != want) {
		if (!ix->slot[i])
			return;
		i = (i + 1u) & ix->mask;
	}
	uint32_t j = i;
	for (;;) {
		j = (j + 1u) & ix->mask;
		if (!ix->slot[j])
			break;
		uint32_t home = (uint32_t)(ix->slot[j] >> 32) & ix->mask;
		/* the entry at j may fill the hole at i unless its home lies
		 * cyclically in (i, j] */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!stays) {
			ix->slot[i] = ix->slot[j];
			i = j;
		}
	}
	ix->slot[i] = 0;
}

/* ---- LRU lists ---- */

static void
list_init(ecnet__list *l)
{
	l->head = l->tail = ECNET__NONE;
	l->count = 0;
}

static void
list_push(ecnet__link *L, ecnet__list *l, uint32_t i)
{
	L[i].prev = ECNET__NONE;
	L[i].next = l->head;
	if (l->head != ECNET__NONE)
		L[l->head].prev = i;
	else
		l->tail = i;
	l->head = i;
	l->count++;
}

static void
list_remove(ecnet__link *L, ecnet__list *l, uint32_t i)
{
	if (L[i].prev != ECNET__NONE)
		L[L[i].prev].next = L[i].next;
	else
		l->head = L[i].next;
	if (L[i].next != ECNET__NONE)
		L[L[i].next].prev = L[i].prev;
	else
		l->tail = L[i].prev;
	L[i].prev = L[i].next = ECNET__NONE;
	l->count--;
}

/* ---- creation ---- */

ec_err
ecnet__tables_new(ecn *t)
{
	const ecn_config *c = &t->cfg;
	t->peer_cap = c->max_peers;
	t->path_cap = c->max_peers + c->max_pending + c->spare_paths;
	t->peers = ecnet__alloc(t, (size_t)t->peer_cap * sizeof *t->peers);
	t->peer_link = ecnet__alloc(t, (size_t)t->peer_cap * sizeof *t->peer_link);
	t->paths = ecnet__alloc(t, (size_t)t->path_cap * sizeof *t->paths);
	t->path_link = ecnet__alloc(t, (size_t)t->path_cap * sizeof *t->path_link);
	t->pending = ecnet__alloc(t, (size_t)c->max_pending * sizeof *t->pending);
	t->prefix = ecnet__alloc(t, ECNET__PREFIX_SLOTS * sizeof *t->prefix);
	uint32_t tombs = 16;
	while (tombs < t->peer_cap)
		tombs <<= 1;
	t->tomb_mask = tombs - 1u;
	t->tomb = ecnet__alloc(t, (size_t)tombs * sizeof *t->tomb);
	if (!t->peers || !t->peer_link || !t->paths || !t->path_link || !t->pending ||
	    !t->prefix || !t->tomb)
		return EC_ENOMEM;
	memset(t->peers, 0, (size_t)t->peer_cap * sizeof *t->peers);
	memset(t->paths, 0, (size_t)t->path_cap * sizeof *t->paths);
	memset(t->tomb, 0, (size_t)tombs * sizeof *t->tomb);
	memset(t->prefix, 0, ECNET__PREFIX_SLOTS * sizeof *t->prefix);
	if (index_new(t, &t->by_pk, t->peer_cap) || index_new(t, &t->by_pos, t->peer_cap) ||
	    index_new(t, &t->by_addr, t->path_cap))
		return EC_ENOMEM;
	/* free lists, threaded through .next */
	for (uint32_t i = 0; i < t->peer_cap; i++)
		t->peer_link[i] = (ecnet__link){ECNET__NONE, i + 1u < t->peer_cap ? i + 1u : ECNET__NONE};
	for (uint32_t i = 0; i < t->path_cap; i++)
		t->path_link[i] = (ecnet__link){ECNET__NONE, i + 1u < t->path_cap ? i + 1u : ECNET__NONE};
	t->peer_free = 0;
	t->path_free = 0;
	list_init(&t->peer_lru[0]);
	list_init(&t->peer_lru[1]);
	list_init(&t->path_lru);
	return EC_OK;
}

void
ecnet__tables_free(ecn *t)
{
	while (t->q_oldest) {
		ecnet__item *it = t->q_oldest;
		t->q_oldest = it->gnext;
		ecnet__item_free(t, it);
	}
	for (uint32_t i = 0; i < t->out_count; i++) {
		ecnet__dgram *d = &t->out[(t->out_head + i) % t->out_cap];
		ecnet__free(t, d->buf, d->len);
	}
	if (t->out)
		ecnet__free(t, t->out, (size_t)t->out_cap * sizeof *t->out);
	if (t->peers)
		sodium_memzero(t->peers, (size_t)t->peer_cap * sizeof *t->peers);
	uint32_t tombs = t->tomb_mask + 1u;
	ecnet__free(t, t->peers, (size_t)t->peer_cap * sizeof *t->peers);
	ecnet__free(t, t->peer_link, (size_t)t->peer_cap * sizeof *t->peer_link);
	ecnet__free(t, t->paths, (size_t)t->path_cap * sizeof *t->paths);
	ecnet__free(t, t->path_link, (size_t)t->path_cap * sizeof *t->path_link);
	ecnet__free(t, t->pending, (size_t)t->cfg.max_pending * sizeof *t->pending);
	ecnet__free(t, t->prefix, ECNET__PREFIX_SLOTS * sizeof *t->prefix);
	ecnet__free(t, t->tomb, (size_t)tombs * sizeof *t->tomb);
	index_free(t, &t->by_pk);
	index_free(t, &t->by_pos);
	index_free(t, &t->by_addr);
}

/* ---- peers ---- */

uint32_t
ecnet__peer_find_pk(const ecn *t, const uint8_t pk[ECN_PK_LEN])
{
	uint32_t h = ecnet__hash(t, pk, ECN_PK_LEN);
	const ecnet__index *ix = &t->by_pk;
	for (uint32_t i = h & ix->mask; ix->slot[i]; i = (i + 1u) & ix->mask) {
		uint32_t p = slot_idx(ix->slot[i]);
		if ((uint32_t)(ix->slot[i] >> 32) == h && memcmp(t->peers[p].pk, pk, ECN_PK_LEN) == 0)
			return p;
	}
	return ECNET__NONE;
}

uint32_t
ecnet__peer_find_pos(const ecn *t, uint64_t pos)
{
	uint32_t h = hash_pos(t, pos);
	const ecnet__index *ix = &t->by_pos;
	for (uint32_t i = h & ix->mask; ix->slot[i]; i = (i + 1u) & ix->mask) {
		uint32_t p = slot_idx(ix->slot[i]);
		if ((uint32_t)(ix->slot[i] >> 32) == h && t->peers[p].pos == pos)
			return p;
	}
	return ECNET__NONE;
}

/* Indexes p by its position; a peer already at that position (two keys
 * cannot share one but for a 2^64 Argon2id search) stays reachable by key
 * only: the newer verified claim wins. */
static void
pos_index(ecn *t, uint32_t p)
{
	uint32_t old = ecnet__peer_find_pos(t, t->peers[p].pos);
	if (old != ECNET__NONE)
		index_remove(&t->by_pos, t->peers[old].hash_pos, old);
	t->peers[p].hash_pos = hash_pos(t, t->peers[p].pos);
	index_insert(&t->by_pos, t->peers[p].hash_pos, p);
}

static ecnet__tomb *
tomb_slot(ecn *t, const uint8_t pk[ECN_PK_LEN], uint64_t *tag)
{
	uint64_t h = hash64(t, pk, ECN_PK_LEN);
	*tag = h | 1u;
	return &t->tomb[(h >> 1) & t->tomb_mask];
}

static void
peer_evict(ecn *t, uint32_t p)
{
	ecnet__peer *e = &t->peers[p];
	if (e->rx_epoch) {
		uint64_t tag;
		ecnet__tomb *tb = tomb_slot(t, e->pk, &tag);
		*tb = (ecnet__tomb){tag, e->rx_epoch, e->rx.top, e->rx.started};
	}
	if (e->path != ECNET__NONE) {
		if (t->paths[e->path].peer == p)
			t->paths[e->path].peer = ECNET__NONE;
		ecnet__path_unpin(t, e->path);
	}
	index_remove(&t->by_pk, e->hash_pk, p);
	index_remove(&t->by_pos, e->hash_pos, p);
	list_remove(t->peer_link, &t->peer_lru[e->confirmed], p);
	sodium_memzero(e, sizeof *e);
	t->peer_link[p].next = t->peer_free;
	t->peer_free = p;
	t->peer_count--;
	t->stats.peers_evicted++;
}

static bool
take_gen(ecn *t, uint32_t *gen)
{
	if (t->gen_next == 0)
		return false;
	*gen = t->gen_next++;
	return true;
}

uint32_t
ecnet__peer_add(ecn *t, const ec_identity_claim *c, uint64_t pos, const uint8_t key[ECN_KEY_LEN],
              bool confirmed)
{
	uint32_t gen;
	if (!take_gen(t, &gen))
		return ECNET__NONE;
	if (t->peer_count == t->peer_cap) {
		uint32_t victim = t->peer_lru[0].tail != ECNET__NONE ? t->peer_lru[0].tail
		                                                   : t->peer_lru[1].tail;
		peer_evict(t, victim);
	}
	uint32_t p = t->peer_free;
	t->peer_free = t->peer_link[p].next;
	t->peer_count++;
	ecnet__peer *e = &t->peers[p];
	memset(e, 0, sizeof *e);
	e->used = true;
	memcpy(e->pk, c->public_key, ECN_PK_LEN);
	memcpy(e->key, key, ECN_KEY_LEN);
	memcpy(e->salt, c->salt, 32);
	memcpy(e->address, c->address, 32);
	e->pos = pos;
	e->path = ECNET__NONE;
	e->confirmed = confirmed;
	e->tx_gen = gen;
	ecn_replay_init(&e->rx);
	uint64_t tag;
	ecnet__tomb *tb = tomb_slot(t, e->pk, &tag);
	if (tb->tag == tag) {
		/* learned again: its old counters stay spent */
		e->rx_epoch = tb->epoch;
		if (tb->started)
			ecn_replay_floor(&e->rx, tb->top);
		tb->tag = 0;
	}
	e->hash_pk = ecnet__hash(t, e->pk, ECN_PK_LEN);
	index_insert(&t->by_pk, e->hash_pk, p);
	pos_index(t, p);
	list_push(t->peer_link, &t->peer_lru[confirmed], p);
	return p;
}

void
ecnet__peer_set_claim(ecn *t, uint32_t p, const ec_identity_claim *c, uint64_t pos)
{
	ecnet__peer *e = &t->peers[p];
	memcpy(e->salt, c->salt, 32);
	memcpy(e->address, c->address, 32);
	if (e->pos != pos) {
		index_remove(&t->by_pos, e->hash_pos, p);
		e->pos = pos;
		pos_index(t, p);
	}
}

void
ecnet__peer_heard(ecn *t, uint32_t p)
{
	ecnet__peer *e = &t->peers[p];
	list_remove(t->peer_link, &t->peer_lru[e->confirmed], p);
	e->confirmed = true;
	list_push(t->peer_link, &t->peer_lru[1], p);
}

void
ecnet__peer_bind(ecn *t, uint32_t p, uint32_t path)
{
	ecnet__peer *e = &t->peers[p];
	if (e->path != path) {
		if (e->path != ECNET__NONE) {
			if (t->paths[e->path].peer == p)
				t->paths[e->path].peer = ECNET__NONE;
			ecnet__path_unpin(t, e->path);
		}
		ecnet__path_pin(t, path);
		e->path = path;
	}
	t->paths[path].peer = p;
}

bool
ecnet__peer_counter(ecn *t, uint32_t p, uint64_t *ctr)
{
	ecnet__peer *e = &t->peers[p];
	if (e->tx_seq == UINT32_MAX) {
		uint32_t gen;
		if (!take_gen(t, &gen))
			return false;
		e->tx_gen = gen;
		e->tx_seq = 0;
	}
	*ctr = (uint64_t)e->tx_gen << 32 | e->tx_seq;
	e->tx_seq++;
	return true;
}

ecn_verdict
ecnet__rx_check(const ecn *t, uint32_t p, uint64_t epoch, uint64_t ctr)
{
	const ecnet__peer *e = &t->peers[p];
	if (epoch == 0 || epoch < e->rx_epoch)
		return ECN_DROP_STALE_EPOCH;
	if (epoch == e->rx_epoch && ecn_replay_check(&e->rx, ctr) != ECN_REPLAY_OK)
		return ECN_DROP_REPLAY;
	return ECN_CONTROL;
}

void
ecnet__rx_accept(ecn *t, uint32_t p, uint64_t epoch, uint64_t ctr)
{
	ecnet__peer *e = &t->peers[p];
	if (epoch > e->rx_epoch) {
		/* the sender restarted: its counters start over */
		e->rx_epoch = epoch;
		ecn_replay_init(&e->rx);
	}
	ecn_replay_accept(&e->rx, ctr);
}

/* ---- paths ---- */

uint32_t
ecnet__path_find(const ecn *t, const ec_addr *a)
{
	uint32_t h = hash_addr(t, a);
	const ecnet__index *ix = &t->by_addr;
	for (uint32_t i = h & ix->mask; ix->slot[i]; i = (i + 1u) & ix->mask) {
		uint32_t p = slot_idx(ix->slot[i]);
		const ec_addr *b = &t->paths[p].addr;
		if ((uint32_t)(ix->slot[i] >> 32) == h && b->len == a->len &&
		    memcmp(b->b, a->b, a->len) == 0)
			return p;
	}
	return ECNET__NONE;
}

static void
path_evict(ecn *t, uint32_t i)
{
	ecnet__path *p = &t->paths[i];
	index_remove(&t->by_addr, p->hash, i);
	list_remove(t->path_link, &t->path_lru, i);
	memset(p, 0, sizeof *p);
	t->path_link[i].next = t->path_free;
	t->path_free = i;
	t->path_count--;
	t->stats.paths_evicted++;
}

uint32_t
ecnet__path_get(ecn *t, const ec_addr *a, uint64_t credit)
{
	uint32_t i = ecnet__path_find(t, a);
	if (i != ECNET__NONE)
		return i;
	if (t->path_count == t->path_cap) {
		if (t->path_lru.tail == ECNET__NONE)
			return ECNET__NONE;
		path_evict(t, t->path_lru.tail);
	}
	i = t->path_free;
	t->path_free = t->path_link[i].next;
	t->path_count++;
	ecnet__path *p = &t->paths[i];
	memset(p, 0, sizeof *p);
	p->used = true;
	p->addr.len = a->len;
	memcpy(p->addr.b, a->b, a->len);
	p->hash = hash_addr(t, a);
	p->peer = ECNET__NONE;
	p->in = credit;
	p->pending_slot = ECNET__NONE;
	t->cfg.rng(t->cfg.rng_user, p->challenge, sizeof p->challenge);
	index_insert(&t->by_addr, p->hash, i);
	list_push(t->path_link, &t->path_lru, i);
	return i;
}

void
ecnet__path_touch(ecn *t, uint32_t path)
{
	if (t->paths[path].pins == 0) {
		list_remove(t->path_link, &t->path_lru, path);
		list_push(t->path_link, &t->path_lru, path);
	}
}

void
ecnet__path_pin(ecn *t, uint32_t path)
{
	if (t->paths[path].pins++ == 0)
		list_remove(t->path_link, &t->path_lru, path);
}

void
ecnet__path_unpin(ecn *t, uint32_t path)
{
	if (--t->paths[path].pins == 0)
		list_push(t->path_link, &t->path_lru, path);
}

bool
ecnet__amp_ok(const ecn *t, uint32_t path, size_t len)
{
	const ecnet__path *p = &t->paths[path];
	if (p->validated)
		return true;
	/* QUIC's rule (RFC 9000 §8.1): at most 3x what the address sent us */
	uint64_t limit = p->in > UINT64_MAX / 3u ? UINT64_MAX : 3u * p->in;
	return p->out <= limit && (uint64_t)len <= limit - p->out;
}

/* ---- held payloads ---- */

void
ecnet__item_free(ecn *t, ecnet__item *it)
{
	ecnet__free(t, it, sizeof *it + it->len);
}

/* Unlinks it, the oldest payload of its path. */
static void
item_unlink(ecn *t, ecnet__item *it)
{
	ecnet__path *p = &t->paths[it->path];
	p->q_head = it->next;
	if (!p->q_head)
		p->q_tail = NULL;
	p->q_count--;
	if (it->gprev)
		it->gprev->gnext = it->gnext;
	else
		t->q_oldest = it->gnext;
	if (it->gnext)
		it->gnext->gprev = it->gprev;
	else
		t->q_newest = it->gprev;
	t->q_bytes -= it->len;
}

ecnet__item *
ecnet__queue_pop(ecn *t, uint32_t path)
{
	ecnet__item *it = t->paths[path].q_head;
	if (it)
		item_unlink(t, it);
	return it;
}

static void
drop_item(ecn *t, ecnet__item *it, ecn_verdict why)
{
	item_unlink(t, it);
	ecnet__item_free(t, it);
	ecnet__count(t, why);
}

ecn_verdict
ecnet__queue_add(ecn *t, uint32_t path, uint64_t to_pos, const uint8_t *payload, size_t len)
{
	ecnet__path *p = &t->paths[path];
	if (len > t->cfg.queue_bytes)
		return ECN_DROP_QUEUE_FULL;
	/* the engine's queue is in arrival order, so the oldest payload
	 * overall is also the oldest of its own path: both drops are O(1) */
	while (p->q_count >= t->cfg.queue_per_peer)
		drop_item(t, p->q_head, ECN_DROP_QUEUE_FULL);
	while (t->q_bytes + len > t->cfg.queue_bytes)
		drop_item(t, t->q_oldest, ECN_DROP_QUEUE_FULL);
	ecnet__item *it = ecnet__alloc(t, sizeof *it + len);
	if (!it)
		return ECN_DROP_NOMEM;
	it->next = NULL;
	it->path = path;
	it->to_pos = to_pos;
	it->len = len;
	if (len)
		memcpy(it->data, payload, len);
	if (p->q_tail)
		p->q_tail->next = it;
	else
		p->q_head = it;
	p->q_tail = it;
	p->q_count++;
	it->gnext = NULL;
	it->gprev = t->q_newest;
	if (t->q_newest)
		t->q_newest->gnext = it;
	else
		t->q_oldest = it;
	t->q_newest = it;
	t->q_bytes += len;
	return ECN_QUEUED;
}

/* ---- the outbox ---- */

bool
ecnet__out_room(const ecn *t, size_t len)
{
	return t->out_bytes <= t->cfg.outbox_bytes && len <= t->cfg.outbox_bytes - t->out_bytes;
}

static bool
out_grow(ecn *t)
{
	uint32_t cap = t->out_cap ? 2u * t->out_cap : 64u;
	if (cap < t->out_cap)
		return false;
	ecnet__dgram *q = ecnet__alloc(t, (size_t)cap * sizeof *q);
	if (!q)
		return false;
	for (uint32_t i = 0; i < t->out_count; i++)
		q[i] = t->out[(t->out_head + i) % t->out_cap];
	if (t->out)
		ecnet__free(t, t->out, (size_t)t->out_cap * sizeof *t->out);
	t->out = q;
	t->out_cap = cap;
	t->out_head = 0;
	return true;
}

ecn_verdict
ecnet__out_push(ecn *t, uint32_t path, unsigned type, uint8_t *buf, size_t len)
{
	if (!ecnet__out_room(t, len)) {
		ecnet__free(t, buf, len);
		return ECN_DROP_OUTBOX_FULL;
	}
	if (t->out_count == t->out_cap && !out_grow(t)) {
		ecnet__free(t, buf, len);
		return ECN_DROP_NOMEM;
	}
	ecnet__path *p = &t->paths[path];
	ecnet__dgram *d = &t->out[(t->out_head + t->out_count) % t->out_cap];
	d->to = p->addr;
	d->type = (uint8_t)type;
	d->len = (uint32_t)len;
	d->buf = buf;
	t->out_count++;
	t->out_bytes += len;
	p->out += len;
	t->stats.pkts_out[type]++;
	t->stats.bytes_out[type] += len;
	return ECN_SENT;
}
