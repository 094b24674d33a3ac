/* SPDX-License-Identifier: MIT */
/*
 * Peer management in an open network (member.h, docs/open-network.md):
 * the peer table, admission on a checked identity, lookups, heartbeats,
 * dead peers, long-range peers, and the ec_open_ops calls.
 */
#include "proto/ec/member.h"

#include <math.h>
#include <string.h>

#include "ec/lifecycle.h"
#include "ec/wire.h"

#define FIND_MAX_HOPS 32u
#define HELLO_GAP 3u      /* rounds between HELLOs to one candidate */
#define HELLO_TRIES 3u    /* unanswered HELLOs before a candidate is dropped */
#define CAND_KEEP 8u      /* rounds a candidate nobody wants is kept */
#define CAND_MAX 64u      /* candidates kept at once (make_room) */
#define DEAD_KEEP 64u     /* rounds a dead peer is remembered */
#define LONG_PROBE 32u    /* rounds between probes of peers without heartbeats */
#define LONG_MISSES 2u    /* unanswered probes before such a peer is dropped */
#define EXCHANGE_EVERY 4u /* rounds between neighbour-list exchanges */
#define EVICT_KEEP 4096u  /* rounds an evicted peer is remembered (refused) */
#define FLOOR_EVERY 8u    /* ECP_DEF_FLOOR: rounds between self-lookups ... */
#define FLOOR_EARLY 64u   /* ... for this long after a join, */
#define FLOOR_LATER 64u   /* then rounds between them */
#define FLOOR_WALK ECP_FLOOR_WALK
#define FLOOR_FAN 3u      /* the next one: at random among this many nearest */

/* ---- the table -------------------------------------------------------- */

static uint32_t
near_k(const ecp_node *n)
{
	uint32_t k = n->cfg.degree / 4;
	return k > n->cfg.window + 1 ? k : n->cfg.window + 1;
}

/* Index of id in the table, or the insertion point (*found false). */
static uint32_t
slot_of(const ecp_member *m, uint64_t id, bool *found)
{
	_Static_assert(offsetof(mpeer, id) == 0, "id_search reads the id first");
	return id_search(m->t, m->n, sizeof *m->t, id, found);
}

static mpeer *
lookup(ecp_member *m, uint64_t id)
{
	bool found;
	uint32_t i = slot_of(m, id, &found);
	return found ? &m->t[i] : NULL;
}

/* The entry of id, created (a candidate, learnt now) if new.  NULL: out of
 * memory. */
static mpeer *
entry_of(ecp_node *n, const ec_ctx *ctx, uint64_t id)
{
	ecp_member *m = n->m;
	bool found;
	uint32_t i = slot_of(m, id, &found);
	if (found)
		return &m->t[i];
	if (!grow(ctx, (void **)&m->t, &m->cap, m->n + 1, sizeof *m->t))
		return NULL;
	memmove(&m->t[i + 1], &m->t[i], (m->n - i) * sizeof *m->t);
	m->n++;
	m->t[i] = (mpeer){.id = id, .heard = n->now, .state = MP_CAND};
	return &m->t[i];
}

mpeer *
ecp__member_find(ecp_node *n, uint64_t id)
{
	return lookup(n->m, id);
}

/* Rebuilds the peer list routing reads from the admitted entries, and the
 * span over which a ready node takes its peers for all the nodes there are
 * (knows_window). */
static ec_err
rebuild(ecp_node *n, const ec_ctx *ctx)
{
	ecp_member *m = n->m;
	uint64_t stack[256], *ids = stack;
	uint32_t cnt = 0;
	for (uint32_t i = 0; i < m->n; i++)
		cnt += m->t[i].state == MP_PEER;
	if (cnt > 256 && !(ids = ctx->realloc_fn(ctx->alloc_user, NULL, 0, cnt * sizeof *ids)))
		return EC_ENOMEM;
	cnt = 0;
	for (uint32_t i = 0; i < m->n; i++)
		if (m->t[i].state == MP_PEER)
			ids[cnt++] = m->t[i].id;
	ec_err err = ec_peers_assign(&n->peers, ctx, cnt ? ids : NULL, cnt);
	if (ids != stack)
		ctx->realloc_fn(ctx->alloc_user, ids, cnt * sizeof *ids, 0);
	if (err)
		return err;
	/* every admitted peer's rank, from its index in the sorted list */
	uint32_t i0, j = 0, L = n->peers.len;
	(void)ec_peers_search(&n->peers, n->pos, &i0);
	for (uint32_t i = 0; i < m->n; i++) {
		mpeer *p = &m->t[i];
		if (p->state != MP_PEER)
			continue;
		bool above = p->id - n->pos <= n->pos - p->id;
		p->rank = above ? (j + L - i0) % L : (i0 + 2 * L - 1 - j) % L;
		j++;
	}
	n->near_dn = n->near_up = 0;
	uint32_t k = near_k(n);
	if (m->ready && n->peers.len >= 2 * k) {
		n->near_dn = n->pos - ecp__member_nth(n, 0, k);
		n->near_up = ecp__member_nth(n, 1, k) - n->pos;
	}
	return EC_OK;
}

uint64_t
ecp__member_nth(const ecp_node *n, int side, uint32_t k)
{
	uint32_t L = n->peers.len, i;
	if (k == 0 || k > L)
		return 0;
	(void)ec_peers_search(&n->peers, n->pos, &i);
	return side ? n->peers.ids[(i + k - 1) % L] : n->peers.ids[(i + L - k) % L];
}

uint64_t
ecp__member_ready_peer(const ecp_node *n, int side, uint64_t not)
{
	for (uint32_t k = 1; k <= n->peers.len; k++) {
		uint64_t q = ecp__member_nth(n, side, k);
		const mpeer *p = lookup(n->m, q);
		if (q != not && p && p->ready)
			return q;
	}
	return 0;
}

/* Which side of me id lies on (the shorter way round: 1 above) and how
 * many admitted peers lie strictly between us on that side.  O(log L):
 * the tick asks this of every peer and candidate. */
static uint32_t
between(const ecp_node *n, uint64_t id, int *side)
{
	const uint64_t up = id - n->pos, dn = n->pos - id;
	const uint32_t L = n->peers.len;
	*side = up <= dn;
	if (L == 0)
		return 0;
	uint32_t i0, at;
	(void)ec_peers_search(&n->peers, n->pos, &i0); /* first peer above me */
	bool found = ec_peers_search(&n->peers, id, &at);
	const uint64_t *ids = n->peers.ids;
	if (*side) { /* the peers from i0 up to id, cyclically */
		uint32_t c = (at + L - i0) % L;
		uint64_t first = ids[i0 % L];
		return c == 0 && first != id && first - n->pos < up ? L : c;
	}
	uint32_t after = (at + (found ? 1u : 0u)) % L; /* first peer above id */
	uint32_t c = (i0 + L - after) % L;
	uint64_t last = ids[(i0 + L - 1) % L];
	return c == 0 && last != id && n->pos - last < dn ? L : c;
}

/* How many admitted peers lie strictly between id and me, the way round
 * that passes fewer: what the ranks of ecp__member_nth count.  On a ring
 * of a dozen nodes the shorter way by distance can pass more nodes than
 * the other, and then a joiner that counted a node among its w+1 nearest
 * (by rank) was not among that node's (by distance): the node never
 * answered its catch-up requests and the joiner never became ready
 * (measured: 10-16 nodes joining at once, 2-3 of them for ever).  On a
 * large ring the two ways agree for every near node. */
static uint32_t
between_fewer(const ecp_node *n, uint64_t id)
{
	int side;
	uint32_t c = between(n, id, &side), at;
	uint32_t self = ec_peers_search(&n->peers, id, &at) ? 1u : 0u;
	uint32_t other = n->peers.len > c + self ? n->peers.len - c - self : 0;
	return c < other ? c : other;
}

/* Whether id belongs among my ring neighbours: fewer than near_k admitted
 * peers between us on one side. */
static bool
near_slot(const ecp_node *n, uint64_t id)
{
	return between_fewer(n, id) < near_k(n);
}

/* Whether id is among the w+1 nearest on a side: it heartbeats me and I
 * watch it. */
static bool
watched(const ecp_node *n, uint64_t id)
{
	return between_fewer(n, id) < n->cfg.window + 1;
}

/* ---- outgoing items --------------------------------------------------- */

void *
ecp__member_body(ecp_node *n, const ec_ctx *ctx, size_t len)
{
	ecp_member *m = n->m;
	if (m->nbodies == m->bodycap) {
		uint32_t nc = m->bodycap ? m->bodycap * 2 : 8;
		void **b = ctx->realloc_fn(ctx->alloc_user, m->bodies, m->bodycap * sizeof *b,
		                           nc * sizeof *b);
		if (!b)
			return NULL;
		m->bodies = b;
		size_t *l = ctx->realloc_fn(ctx->alloc_user, m->body_len, m->bodycap * sizeof *l,
		                            nc * sizeof *l);
		if (!l)
			return NULL; /* bodies grew: harmless, bodycap stays */
		m->body_len = l;
		m->bodycap = nc;
	}
	void *p = ctx->realloc_fn(ctx->alloc_user, NULL, 0, len);
	if (!p)
		return NULL;
	memset(p, 0, len);
	m->bodies[m->nbodies] = p;
	m->body_len[m->nbodies++] = len;
	return p;
}

void
ecp__member_sent(ecp_node *n, const ec_ctx *ctx)
{
	ecp_member *m = n->m;
	for (uint32_t i = 0; i < m->nbodies; i++)
		ctx->realloc_fn(ctx->alloc_user, m->bodies[i], m->body_len[i], 0);
	m->nbodies = 0;
}

static ec_contact
my_contact(const ecp_node *n)
{
	return (ec_contact){.id = n->pos, .addr = n->m->addr};
}

static ec_contact
contact_of(const mpeer *p)
{
	ec_contact c = {.id = p->id};
	if (p->has_addr)
		c.addr = p->addr;
	return c;
}

static ec_err
send_kind(ecp_node *n, const ec_ctx *ctx, uint64_t to, uint8_t kind, int8_t value)
{
	ecp_item it = {.kind = kind, .value = value};
	return send_item(n, ctx, to, &it);
}

/* FIND for target, to `to`, on my behalf (hops 0) or passed on. */
static ec_err
send_find(ecp_node *n, const ec_ctx *ctx, uint64_t to, uint64_t target, ec_contact asker,
          uint16_t hops)
{
	ecp_contacts *c = ecp__member_body(n, ctx, sizeof *c + sizeof c->c[0]);
	if (!c)
		return EC_ENOMEM;
	c->target = target;
	c->n = 1;
	c->c[0] = asker;
	ecp_item it = {.kind = ECP_FIND, .hops = hops, .contacts = c};
	return send_item(n, ctx, to, &it);
}

/* Up to max admitted peers nearest key (and me), ascending by id. */
static uint32_t
nearest_contacts(const ecp_node *n, uint64_t key, ec_contact *out, uint32_t max)
{
	const ecp_member *m = n->m;
	uint32_t cnt = 0;
	out[cnt++] = my_contact(n);
	for (uint32_t i = 0; i < m->n; i++) {
		const mpeer *p = &m->t[i];
		if (p->state != MP_PEER)
			continue;
		uint64_t d = ring_dist(p->id, key);
		if (cnt == max) { /* replace the farthest if this one is nearer */
			uint32_t far = 0;
			for (uint32_t k = 1; k < cnt; k++)
				if (ring_dist(out[k].id, key) > ring_dist(out[far].id, key))
					far = k;
			if (ring_dist(out[far].id, key) <= d)
				continue;
			out[far] = contact_of(p);
		} else {
			out[cnt++] = contact_of(p);
		}
	}
	ec_wire_contacts_sort(out, cnt); /* ascending ids (docs/wire.md) */
	return cnt;
}

/* PEERS to `to`: my admitted peers nearest target, and me, at most max. */
static ec_err
send_peers(ecp_node *n, const ec_ctx *ctx, uint64_t to, uint64_t target, uint32_t max)
{
	ecp_contacts *a = ecp__member_body(n, ctx, sizeof *a + max * sizeof a->c[0]);
	if (!a)
		return EC_ENOMEM;
	a->target = target;
	a->n = nearest_contacts(n, target, a->c, max);
	ecp_item out = {.kind = ECP_PEERS, .contacts = a};
	return send_item(n, ctx, to, &out);
}

/* HELLO (welcome false) or WELCOME to `to`: my claim and address; a
 * WELCOME adds my ring neighbours and says whether I admitted `to`. */
static ec_err
send_hello(ecp_node *n, const ec_ctx *ctx, uint64_t to, bool welcome, uint8_t flags)
{
	uint32_t max = welcome ? 2 * near_k(n) + 1 : 0;
	if (max > ECP_MAX_CONTACTS)
		max = ECP_MAX_CONTACTS;
	ecp_hello *h = ecp__member_body(n, ctx, sizeof *h + max * sizeof h->c[0]);
	if (!h)
		return EC_ENOMEM;
	h->claim = n->m->claim;
	h->addr = n->m->addr;
	h->n = welcome ? nearest_contacts(n, n->pos, h->c, max) : 0;
	if (n->m->ready) /* the receiver may ask me for a catch-up */
		flags |= ECP_F_READY;
	ecp_item it = {.kind = welcome ? ECP_WELCOME : ECP_HELLO, .flags = flags, .hello = h};
	return send_item(n, ctx, to, &it);
}

/* ---- admission -------------------------------------------------------- */

/* Whether claim is a valid identity under this network's rules whose ring
 * position is who.  The Argon2id verdict is memoised per claim body. */
static ec_err
claim_ok(const ecp_node *n, const ec_ctx *ctx, const ec_identity_claim *c, uint64_t who,
         bool *ok)
{
	*ok = false;
	if (!c)
		return EC_OK;
	ec_id addr = ec_id_from_bytes(c->address);
	if (ec_id_pos(&addr) != who)
		return EC_OK;
	ec_memo_byte *memo = ctx->memo ? ctx->memo(ctx->memo_user, c) : NULL;
	unsigned known = ecp_memo_get(memo, 0);
	if (!known) {
		ec_identity_verdict v;
		ec_err err = ec_identity_verify(&n->m->admit, c->public_key, c->salt, c->address, &v,
		                                NULL);
		if (err == EC_ENOMEM)
			return err;
		known = !err && v == EC_IDENTITY_OK ? 1u : 2u;
		ecp_memo_or(memo, 0, known);
	}
	*ok = known == 1;
	if (!*ok && ctx->event) /* evidence against the sender */
		ctx->event(ctx->event_user, n->pos, EC_EV_REJECT, who, 16);
	return EC_OK;
}

/* Admitted peers that are not ring neighbours. */
static uint32_t
long_count(const ecp_node *n)
{
	uint32_t k = near_k(n), near = n->peers.len < 2 * k ? n->peers.len : 2 * k;
	return n->peers.len - near;
}

static ec_err
admit(ecp_node *n, const ec_ctx *ctx, mpeer *p, const ecp_hello *h)
{
	p->state = MP_PEER;
	p->heard = n->now;
	p->tries = 0;
	p->want_long = 0;
	p->left = 0;
	p->watch_since = 0;
	p->claim = h->claim;
	p->addr = h->addr;
	p->has_addr = 1;
	return rebuild(n, ctx);
}

/* At most CAND_MAX candidates: a node with few peers takes every contact
 * for a would-be neighbour, and in a network that doubles in a round the
 * lists it hears would fill its table with thousands (6 GB at 22,000
 * nodes).  A full table makes room for a contact nearer me than its
 * farthest candidate by dropping that one; otherwise the contact is not
 * kept.  Returns whether there is room. */
static bool
make_room(ecp_node *n, uint64_t id)
{
	ecp_member *m = n->m;
	uint32_t cands = 0, far = UINT32_MAX;
	for (uint32_t i = 0; i < m->n; i++) {
		const mpeer *p = &m->t[i];
		if (p->state != MP_CAND || p->want_long)
			continue;
		cands++;
		if (far == UINT32_MAX || ring_dist(p->id, n->pos) > ring_dist(m->t[far].id, n->pos))
			far = i;
	}
	if (cands < CAND_MAX)
		return true;
	if (far == UINT32_MAX || ring_dist(id, n->pos) >= ring_dist(m->t[far].id, n->pos))
		return false;
	memmove(&m->t[far], &m->t[far + 1], (m->n - far - 1) * sizeof *m->t);
	m->n--;
	return true;
}

/* Learns a contact from a list: a new node that belongs among my ring
 * neighbours becomes a candidate (HELLO in the tick); dead ones stay dead
 * until heard from directly. */
static ec_err
learn(ecp_node *n, const ec_ctx *ctx, const ec_contact *c, bool want_long, bool *added)
{
	*added = false;
	if (c->id == n->pos || c->id == 0)
		return EC_OK;
	mpeer *p = lookup(n->m, c->id);
	if (p) {
		if (p->state == MP_CAND && !p->has_addr && c->addr.len) {
			p->addr = c->addr;
			p->has_addr = 1;
		}
		p->want_long |= (uint8_t)(want_long && p->state == MP_CAND);
		return EC_OK;
	}
	if (!want_long && !near_slot(n, c->id))
		return EC_OK;
	if (!make_room(n, c->id))
		return EC_OK;
	if (!(p = entry_of(n, ctx, c->id)))
		return EC_ENOMEM;
	p->addr = c->addr;
	p->has_addr = c->addr.len > 0;
	p->want_long = want_long;
	*added = true;
	return EC_OK;
}

/* Learns a list of n contacts (want: the one index wanted as a long-range
 * peer, or -1).  Under ECP_DEF_QUOTA at most ECP_QUOTA_NEW of them that I
 * did not know are taken, the nearest me first: one peer's list cannot
 * fill my table. */
static ec_err
learn_list(ecp_node *n, const ec_ctx *ctx, const ec_contact *c, uint32_t cnt, int64_t want)
{
	uint8_t order[ECP_MAX_CONTACTS];
	bool quota = n->cfg.defences & ECP_DEF_QUOTA;
	for (uint32_t i = 0; i < cnt; i++) { /* nearest me first (quota) */
		uint32_t j = i;
		while (quota && j > 0 &&
		       ring_dist(c[order[j - 1]].id, n->pos) > ring_dist(c[i].id, n->pos)) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = (uint8_t)i;
	}
	uint32_t fresh = 0;
	for (uint32_t k = 0; k < cnt; k++) {
		uint32_t i = order[k];
		bool added;
		if (quota && fresh >= ECP_QUOTA_NEW && (int64_t)i != want && !lookup(n->m, c[i].id))
			continue;
		ec_err err = learn(n, ctx, &c[i], (int64_t)i == want, &added);
		if (err)
			return err;
		fresh += added;
	}
	return EC_OK;
}

/* ---- handlers --------------------------------------------------------- */

ec_err
ecp__member_heard(ecp_node *n, const ec_ctx *ctx, uint64_t from)
{
	mpeer *p = lookup(n->m, from);
	if (!p)
		return EC_OK;
	if (p->state == MP_PEER) {
		p->heard = n->now;
		p->tries = 0;
	} else if (p->state == MP_DEAD && !p->left && near_slot(n, from)) {
		/* dropped by mistake, or back: it was admitted before (its claim
		 * checked, or handed to me at set-up) */
		p->state = MP_PEER;
		p->heard = n->now;
		p->tries = 0;
		p->watch_since = 0;
		return rebuild(n, ctx);
	}
	return EC_OK;
}

static ec_err
on_find(ecp_node *n, const ec_ctx *ctx, const ecp_item *it)
{
	const ecp_contacts *c = it->contacts;
	if (!c || c->n != 1 || c->c[0].id == n->pos)
		return EC_OK;
	uint64_t target = c->target, best = n->pos;
	for (uint32_t i = 0; i < n->peers.len; i++)
		if (ring_dist(n->peers.ids[i], target) < ring_dist(best, target))
			best = n->peers.ids[i];
	bool covered = n->near_dn && ec_range_contains((ec_range){n->pos - n->near_dn,
	                                                          n->pos + n->near_up}, target);
	if (best != n->pos && !covered && it->hops < FIND_MAX_HOPS && best != c->c[0].id)
		return send_find(n, ctx, best, target, c->c[0], (uint16_t)(it->hops + 1));
	return send_peers(n, ctx, c->c[0].id, target, ECP_MAX_CONTACTS / 2);
}

/* A window report (or a confirmation's answer) for a key of a block of
 * mine still pending: the nodes it names are nodes near that key
 * (safety.c, "Open networks"). */
static ec_err
window_report(ecp_node *n, const ec_ctx *ctx, const ecp_contacts *c)
{
	for (uint32_t i = 0; i < n->npool; i++) {
		entry *e = &n->pool[i];
		if (!e->mine || !e->block || e->state != ST_PENDING)
			continue;
		bool mine = false;
		for (uint32_t r = 0; r < e->block->nparts && !mine; r++)
			mine = role_key(e->block, r) == c->target;
		for (uint32_t k = 0; mine && k < c->n; k++) {
			ec_err err = ecp__add_seen(ctx, e, c->c[k].id, n->now);
			if (err)
				return err;
			e->dirty = 1;
		}
	}
	return EC_OK;
}

ec_err
ecp__member_report(ecp_node *n, const ec_ctx *ctx, uint64_t to, uint64_t key)
{
	uint32_t max = 2 * n->cfg.window + 3;
	return send_peers(n, ctx, to, key, max < ECP_MAX_CONTACTS / 2 ? max : ECP_MAX_CONTACTS / 2);
}

bool
ecp__member_nearest(const ecp_node *n, uint64_t key)
{
	for (uint32_t i = 0; i < n->peers.len; i++)
		if (ring_dist(n->peers.ids[i], key) < ring_dist(n->pos, key))
			return false;
	return true;
}

ec_err
ecp__member_confirm(ecp_node *n, const ec_ctx *ctx, uint64_t key, uint64_t via)
{
	uint64_t best = n->pos;
	for (uint32_t i = 0; i < n->peers.len; i++)
		if (ring_dist(n->peers.ids[i], key) < ring_dist(best, key))
			best = n->peers.ids[i];
	if (via && via != n->pos && ring_dist(via, key) < ring_dist(best, key))
		best = via;
	return best == n->pos ? EC_OK : send_find(n, ctx, best, key, my_contact(n), 0);
}

/* A node's own stream, seeded from its id at join; only spreads
 * long-range targets and floor walks, never decides safety. */
static uint64_t
next_rand(ecp_member *m)
{
	return ecp__splitmix64(&m->rng);
}

/* ---- the floor (ECP_DEF_FLOOR) ----------------------------------------- */

/* A node looks itself up from a contact it chose (a bootstrap contact),
 * asking one node at a time (a FIND with hops at the limit is answered,
 * not relayed) and going on to one of the FLOOR_FAN answered contacts
 * nearest me, at random.  A relayed lookup would take the same path each
 * time, and a path that ends at a liar would end there again; a walk that
 * chooses its own next step at random meets an honest node near me
 * sooner or later, and its answer names my true neighbours. */

static ec_err
floor_ask(ecp_node *n, const ec_ctx *ctx, uint64_t to)
{
	ecp_member *m = n->m;
	m->walk[m->nwalk++] = to;
	return send_find(n, ctx, to, n->pos, my_contact(n), FIND_MAX_HOPS);
}

/* Whether `to` may be asked next in the walk. */
static bool
floor_fresh(const ecp_node *n, uint64_t to)
{
	const ecp_member *m = n->m;
	if (to == n->pos || ecp__convicted(n, to))
		return false;
	const mpeer *p = lookup(n->m, to);
	if (p && p->state == MP_EVICTED)
		return false;
	for (uint32_t k = 0; k < m->nwalk; k++)
		if (m->walk[k] == to)
			return false;
	return true;
}

/* The answer c to my walk's last query: the next query. */
static ec_err
floor_step(ecp_node *n, const ec_ctx *ctx, const ecp_contacts *c)
{
	ecp_member *m = n->m;
	if (c->target != n->pos || !m->nwalk || m->nwalk >= FLOOR_WALK ||
	    n->now - m->walk_at > 2 * FLOOR_WALK)
		return EC_OK;
	uint64_t best[FLOOR_FAN];
	uint32_t nb = 0;
	for (uint32_t i = 0; i < c->n; i++) {
		uint64_t id = c->c[i].id;
		if (!floor_fresh(n, id))
			continue;
		uint32_t j = nb < FLOOR_FAN ? nb++ : FLOOR_FAN;
		if (j == FLOOR_FAN && ring_dist(best[FLOOR_FAN - 1], n->pos) <= ring_dist(id, n->pos))
			continue;
		if (j == FLOOR_FAN)
			j--;
		while (j > 0 && ring_dist(best[j - 1], n->pos) > ring_dist(id, n->pos)) {
			best[j] = best[j - 1];
			j--;
		}
		best[j] = id;
	}
	return nb ? floor_ask(n, ctx, best[next_rand(m) % nb]) : EC_OK;
}

/* A walk from my next floor contact, when one is due. */
static ec_err
floor_lookup(ecp_node *n, const ec_ctx *ctx)
{
	ecp_member *m = n->m;
	if (!(n->cfg.defences & ECP_DEF_FLOOR) || !m->nfloor || n->now < m->floor_at)
		return EC_OK;
	bool early = n->now - m->joined_at < FLOOR_EARLY;
	m->floor_at = n->now + (early ? FLOOR_EVERY : FLOOR_LATER);
	m->nwalk = 0;
	m->walk_at = n->now;
	for (uint32_t k = 0; k < m->nfloor; k++) {
		uint64_t to = m->floor[m->floor_next++ % m->nfloor].id;
		if (floor_fresh(n, to))
			return floor_ask(n, ctx, to);
	}
	return EC_OK;
}

static ec_err
on_peers(ecp_node *n, const ec_ctx *ctx, const ecp_item *it)
{
	const ecp_contacts *c = it->contacts;
	if (!c || c->n > ECP_MAX_CONTACTS)
		return EC_OK;
	ecp_member *m = n->m;
	ec_err err0 = window_report(n, ctx, c);
	if (err0)
		return err0;
	/* a long-range lookup's answer: the contact nearest its target */
	int64_t pick = -1;
	uint32_t slot = LONG_LOOKUPS;
	for (uint32_t s = 0; s < LONG_LOOKUPS; s++)
		if (m->long_target[s] && m->long_target[s] == c->target)
			slot = s;
	if (slot < LONG_LOOKUPS) {
		for (uint32_t i = 0; i < c->n; i++) {
			const mpeer *p = lookup(m, c->c[i].id);
			if (c->c[i].id == n->pos || (p && p->state != MP_CAND))
				continue;
			if (pick < 0 || ring_dist(c->c[i].id, c->target) <
			                    ring_dist(c->c[(uint32_t)pick].id, c->target))
				pick = i;
		}
		m->long_target[slot] = 0;
	}
	ec_err err = learn_list(n, ctx, c->c, c->n, pick);
	return err ? err : floor_step(n, ctx, c);
}

/* A copy of HELLO h (whose body is only borrowed for this call) to `to`,
 * with the given flags and hops. */
static ec_err
pass_hello(ecp_node *n, const ec_ctx *ctx, uint64_t to, const ecp_hello *h, uint8_t flags,
           uint16_t hops)
{
	ecp_hello *c = ecp__member_body(n, ctx, sizeof *c);
	if (!c)
		return EC_ENOMEM;
	*c = (ecp_hello){.claim = h->claim, .addr = h->addr};
	ecp_item it = {.kind = ECP_HELLO, .flags = flags, .hops = hops, .hello = c};
	return send_item(n, ctx, to, &it);
}

/* A join's relay: on towards the joiner's position while a peer of mine
 * is nearer it than I am and my ring neighbours do not span it.  True
 * (*err set) when passed on. */
static bool
relay_join(ecp_node *n, const ec_ctx *ctx, uint64_t who, const ecp_item *it, ec_err *err)
{
	uint64_t best = n->pos;
	for (uint32_t i = 0; i < n->peers.len; i++)
		if (n->peers.ids[i] != who && ring_dist(n->peers.ids[i], who) < ring_dist(best, who))
			best = n->peers.ids[i];
	bool covered = n->near_dn &&
	               ec_range_contains((ec_range){n->pos - n->near_dn, n->pos + n->near_up}, who);
	if (best == n->pos || covered || it->hops >= FIND_MAX_HOPS)
		return false;
	*err = pass_hello(n, ctx, best, it->hello, it->flags, (uint16_t)(it->hops + 1));
	return true;
}

/* The node that ended a join's relay introduces the joiner to the peers
 * whose ring neighbours it should be among (as far as my view tells). */
static ec_err
introduce(ecp_node *n, const ec_ctx *ctx, uint64_t who, const ecp_hello *h)
{
	uint32_t k = near_k(n);
	for (uint32_t i = 0; i < n->peers.len; i++) {
		uint64_t p = n->peers.ids[i];
		if (p == who)
			continue;
		/* peers of mine between p and the joiner, on the joiner's side */
		uint32_t c = 0;
		for (uint32_t j = 0; j < n->peers.len && c < k; j++) {
			uint64_t q = n->peers.ids[j];
			c += q != p && q != who && ring_dist(q, p) < ring_dist(who, p) &&
			     ring_dist(q, who) < ring_dist(who, p);
		}
		ec_err err;
		if (c < k && (err = pass_hello(n, ctx, p, h, ECP_F_JOIN | ECP_F_INTRO | ECP_F_SYNC, 0)))
			return err;
	}
	return EC_OK;
}

/* HELLO: a peer asks to be admitted (directly, or as a joiner whose
 * HELLO was relayed to me or introduced).  I check its claim, admit it if
 * it belongs among my ring neighbours, and answer it directly with my own
 * claim, my neighbours and, if it is catching up and near me, the token
 * mappings it needs. */
static ec_err
on_hello(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it)
{
	const ecp_hello *h = it->hello;
	ec_err err = EC_OK;
	if (!h || !h->claim)
		return EC_OK;
	bool join = it->flags & ECP_F_JOIN;
	uint64_t who = from;
	if (join) {
		ec_id a = ec_id_from_bytes(h->claim->address);
		who = ec_id_pos(&a);
	}
	/* never myself: my own join come back to me, or a HELLO that names me
	 * as its sender (my claim is no secret: every HELLO of mine carries
	 * it); admitted, I would list myself twice in my answers */
	if (who == n->pos)
		return EC_OK;
	if (join && !(it->flags & ECP_F_INTRO) && relay_join(n, ctx, who, it, &err))
		return err;
	mpeer *p = lookup(n->m, who);
	if ((p && p->state == MP_EVICTED) || ecp__convicted(n, who))
		return EC_OK; /* it failed my storage audits, or voted twice: not again */
	bool ok;
	if ((err = claim_ok(n, ctx, h->claim, who, &ok)) || !ok)
		return err;
	if (join && p && p->state == MP_PEER && n->now - p->welcomed < HELLO_GAP)
		return EC_OK; /* the same join reached me by another path */
	uint8_t flags = 0;
	if (near_slot(n, who)) {
		if (!(p = entry_of(n, ctx, who)))
			return EC_ENOMEM;
		if (p->state != MP_PEER && (err = admit(n, ctx, p, h)))
			return err;
		p->welcomed = n->now;
		flags = ECP_F_ADMITTED | ECP_F_NEAR;
	}
	if (p && !join) /* a direct HELLO says whether its sender is caught up */
		p->ready = (it->flags & ECP_F_READY) != 0;
	if ((err = send_hello(n, ctx, who, true, flags)))
		return err;
	/* only a node that is caught up itself offers a catch-up: a joiner
	 * next to another joiner must not take half a store for the whole */
	if ((it->flags & ECP_F_SYNC) && n->m->ready && watched(n, who) &&
	    (err = ecp__catchup_offer(n, ctx, who)))
		return err;
	return join && !(it->flags & ECP_F_INTRO) ? introduce(n, ctx, who, h) : EC_OK;
}

static ec_err
on_welcome(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it)
{
	const ecp_hello *h = it->hello;
	bool ok;
	ec_err err;
	if (from == n->pos) /* never myself (on_hello) */
		return EC_OK;
	const mpeer *was = lookup(n->m, from);
	if ((was && was->state == MP_EVICTED) || ecp__convicted(n, from))
		return EC_OK;
	if (!h || h->n > ECP_MAX_CONTACTS || (err = claim_ok(n, ctx, h->claim, from, &ok)) || !ok)
		return h && h->n <= ECP_MAX_CONTACTS ? err : EC_OK;
	ecp_member *m = n->m;
	mpeer *p = lookup(m, from);
	bool wanted = near_slot(n, from) ||
	              (p && p->want_long && long_count(n) < n->cfg.degree / 2);
	if (wanted) {
		if (!(p = entry_of(n, ctx, from)))
			return EC_ENOMEM;
		if (p->state != MP_PEER && (err = admit(n, ctx, p, h)))
			return err;
		p->ready = (it->flags & ECP_F_READY) != 0;
	} else if (p && p->state == MP_CAND) {
		p->tries = HELLO_TRIES; /* answered, not wanted: let it go */
	}
	if (from - n->pos <= n->pos - from)
		m->heard_hi = 1;
	else
		m->heard_lo = 1;
	m->welcomed_at = n->now;
	return learn_list(n, ctx, h->c, h->n, -1);
}

static ec_err
on_bye(ecp_node *n, const ec_ctx *ctx, uint64_t from)
{
	mpeer *p = lookup(n->m, from);
	if (!p || p->state != MP_PEER)
		return EC_OK;
	p->state = MP_DEAD;
	p->heard = n->now;
	p->left = 1; /* a goodbye is final: it must HELLO again */
	return rebuild(n, ctx);
}

const ec_identity_claim *
ecp__member_claim(const ecp_node *n, uint64_t id)
{
	if (id == n->pos)
		return n->m->claim;
	const mpeer *p = lookup(n->m, id);
	return p ? p->claim : NULL;
}

ec_err
ecp__member_evict(ecp_node *n, const ec_ctx *ctx, uint64_t id)
{
	mpeer *p = lookup(n->m, id);
	if (!p || p->state == MP_EVICTED)
		return EC_OK;
	bool was = p->state == MP_PEER;
	p->state = MP_EVICTED;
	p->heard = n->now;
	p->ready = 0;
	return was ? rebuild(n, ctx) : EC_OK;
}

ec_err
ecp__member_handle(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it)
{
	switch (it->kind) {
	case ECP_FIND: return on_find(n, ctx, it);
	case ECP_PEERS: return on_peers(n, ctx, it);
	case ECP_HELLO: return on_hello(n, ctx, from, it);
	case ECP_WELCOME: return on_welcome(n, ctx, from, it);
	case ECP_PING: return it->value == 1 ? send_kind(n, ctx, from, ECP_PING, 0) : EC_OK;
	case ECP_BYE: return on_bye(n, ctx, from);
	case ECP_AUDIT:
	case ECP_PROOF: return ecp__audit_handle(n, ctx, from, it);
	default: return ecp__catchup_handle(n, ctx, from, it);
	}
}

ec_err
ecp__member_offers(ecp_node *n, const ec_ctx *ctx, bool *done)
{
	ecp_member *m = n->m;
	*done = true;
	for (int side = 0; side < 2; side++)
		for (uint32_t k = 1; k <= n->cfg.window + 1 && k <= n->peers.len; k++) {
			uint64_t q = ecp__member_nth(n, side, k);
			mpeer *p = lookup(m, q);
			bool offered = false;
			for (uint32_t i = 0; i < m->nsynced && !offered; i++)
				offered = m->synced[i] == q;
			if (!p || !p->ready || offered)
				continue;
			*done = false;
			if (n->now - p->asked >= HELLO_GAP) {
				p->asked = n->now;
				ec_err err = send_hello(n, ctx, q, false, ECP_F_NEAR | ECP_F_SYNC);
				if (err)
					return err;
			}
		}
	return EC_OK;
}

/* ---- the tick --------------------------------------------------------- */

/* HELLOs to the candidates I want, dropping those that never answer. */
static ec_err
handshakes(ecp_node *n, const ec_ctx *ctx)
{
	ecp_member *m = n->m;
	uint32_t k = 0;
	ec_err err = EC_OK;
	for (uint32_t i = 0; i < m->n; i++) {
		mpeer *p = &m->t[i];
		bool keep = true;
		if (p->state == MP_CAND) {
			bool want = p->want_long || near_slot(n, p->id);
			if (!want && n->now - p->heard > CAND_KEEP)
				keep = false;
			else if (p->tries >= HELLO_TRIES)
				keep = n->now - p->asked < HELLO_GAP;
			else if (want && !err && (p->tries == 0 || n->now - p->asked >= HELLO_GAP)) {
				p->tries++;
				p->asked = n->now;
				uint8_t f = (uint8_t)((near_slot(n, p->id) ? ECP_F_NEAR : 0) |
				                      (m->ready ? 0 : ECP_F_SYNC));
				err = send_hello(n, ctx, p->id, false, f);
			}
		} else if (p->state == MP_DEAD) {
			keep = n->now - p->heard < DEAD_KEEP;
		} else if (p->state == MP_EVICTED) {
			keep = n->now - p->heard < EVICT_KEEP;
		}
		if (keep)
			m->t[k++] = *p;
	}
	m->n = k;
	return err;
}

/* Whether a near-slot candidate still waits for its answer. */
static bool
handshake_pending(const ecp_node *n)
{
	const ecp_member *m = n->m;
	for (uint32_t i = 0; i < m->n; i++)
		if (m->t[i].state == MP_CAND && m->t[i].tries < HELLO_TRIES && near_slot(n, m->t[i].id))
			return true;
	return false;
}

/* Heartbeats to the w+1 nearest on each side; drops watched peers silent
 * for dead_after rounds and probes the others now and then.  *changed:
 * the admitted set changed. */
static ec_err
liveness(ecp_node *n, const ec_ctx *ctx, bool *changed)
{
	ecp_member *m = n->m;
	ec_err err;
	const uint32_t w1 = n->cfg.window + 1;
	if (n->now >= m->next_probe) {
		m->next_probe = n->now + n->cfg.probe;
		for (int side = 0; side < 2; side++)
			for (uint32_t k = 1; k <= w1 && k <= n->peers.len; k++)
				if ((err = send_kind(n, ctx, ecp__member_nth(n, side, k), ECP_PING, 0)))
					return err;
	}
	for (uint32_t i = 0; i < m->n; i++) {
		mpeer *p = &m->t[i];
		if (p->state != MP_PEER)
			continue;
		if (p->rank < n->cfg.window + 1) { /* watched: heartbeats expected */
			/* a peer that just moved into the watched span had no
			 * reason to send me heartbeats: its clock starts now */
			if (!p->watch_since)
				p->watch_since = n->now;
			uint64_t since = p->heard > p->watch_since ? p->heard : p->watch_since;
			if (n->now - since > n->cfg.dead_after) {
				p->state = MP_DEAD;
				p->heard = n->now;
				*changed = true;
			}
			continue;
		}
		p->watch_since = 0;
		if (n->now - p->asked < LONG_PROBE)
			continue;
		if (p->asked && p->heard < p->asked && ++p->tries >= LONG_MISSES) {
			p->state = MP_DEAD;
			p->heard = n->now;
			*changed = true;
			continue;
		}
		p->asked = n->now;
		if ((err = send_kind(n, ctx, p->id, ECP_PING, 1)))
			return err;
	}
	return EC_OK;
}

/* Rounds between two checks of how my long-range peers spread over
 * distances (balance_long), and the most octaves of distance a check
 * looks at: from my near span up to half the ring. */
#define LONG_BALANCE 8u
#define OCTAVES 64u

/* The octave of distance d above my near span lo: d in [lo 2^o, lo 2^(o+1)),
 * the last one open above; octs octaves. */
static uint32_t
octave_of(uint64_t d, uint64_t lo, uint32_t octs)
{
	uint32_t o = 0;
	while (o + 1 < octs && (d >> (o + 1)) >= lo)
		o++;
	return o;
}

/* Whether p counts in the octaves: an admitted peer beyond my ring
 * neighbours' slots (one nearer than lo counts in octave 0). */
static bool
in_octaves(const ecp_node *n, const mpeer *p)
{
	return p->state == MP_PEER && !near_slot(n, p->id);
}

/* My long-range peers per octave of distance into cnt (octs of them, at
 * least 1); returns the fullest octave (the lowest of a tie). */
static uint32_t
octave_counts(const ecp_node *n, uint32_t cnt[OCTAVES], uint32_t *octs)
{
	const ecp_member *m = n->m;
	const uint64_t lo = n->near_up ? n->near_up : 1, half = 1ull << 63;
	uint32_t k = 1, top = 0;
	for (uint64_t x = lo; x < half / 2 && k < OCTAVES; x <<= 1)
		k++;
	memset(cnt, 0, OCTAVES * sizeof *cnt);
	for (uint32_t i = 0; i < m->n; i++) {
		const mpeer *p = &m->t[i];
		if (!in_octaves(n, p))
			continue;
		uint32_t o = octave_of(ring_dist(p->id, n->pos), lo, k);
		if (++cnt[o] > cnt[top] || (cnt[o] == cnt[top] && o < top))
			top = o;
	}
	*octs = k;
	return top;
}

/* Lets one of the `have` long-range peers in octave o go, at random. */
static void
drop_in_octave(ecp_node *n, uint32_t o, uint32_t have, uint32_t octs)
{
	ecp_member *m = n->m;
	const uint64_t lo = n->near_up ? n->near_up : 1;
	uint32_t r = have ? (uint32_t)(next_rand(m) % have) : 0, seen = 0;
	for (uint32_t i = 0; i < m->n; i++) {
		mpeer *p = &m->t[i];
		if (in_octaves(n, p) && octave_of(ring_dist(p->id, n->pos), lo, octs) == o &&
		    seen++ == r) {
			p->state = MP_DEAD; /* forgotten like a dead one, claim kept */
			p->heard = n->now;
			return;
		}
	}
}

/* Keeps at most `degree` admitted peers besides my ring neighbours'
 * slots (a node that joins next to me pushes my farthest neighbour out
 * of its slot; it then stays as long as there is room).  The ones dropped
 * come from the fullest octave of distance: dropping the nearest, as
 * this did first, kept the far peers of a network's smaller days and
 * left the middle distances empty (balance_long). */
static void
cap_peers(ecp_node *n, bool *changed)
{
	uint32_t cap = n->cfg.degree;
	for (uint32_t len = n->peers.len; len > cap; len--) {
		uint32_t cnt[OCTAVES], octs, top = octave_counts(n, cnt, &octs);
		if (!cnt[top])
			return;
		drop_in_octave(n, top, cnt[top], octs);
		*changed = true;
	}
}

/* Every EXCHANGE_EVERY rounds a HELLO to one of my ring neighbours in
 * turn (nearest first, alternating sides): its WELCOME lists its own
 * neighbours, so nodes that joined near me and whose HELLO I missed (a
 * join introduced by a node whose view of my side was short) become
 * candidates.  Ring maintenance, as Chord's stabilisation. */
static ec_err
exchange(ecp_node *n, const ec_ctx *ctx)
{
	ecp_member *m = n->m;
	if (n->now < m->next_exchange || n->peers.len == 0)
		return EC_OK;
	m->next_exchange = n->now + EXCHANGE_EVERY;
	uint32_t k = near_k(n), turn = m->exchanges++ % (2 * k);
	uint64_t to = ecp__member_nth(n, (int)(turn % 2), turn / 2 + 1);
	return to ? send_hello(n, ctx, to, false, ECP_F_NEAR) : EC_OK;
}

/* Greedy routing halves the distance to a key a hop when a node has a
 * long-range peer in every octave of distance above its near span.  A
 * network that grows leaves its nodes without: their long-range peers
 * were drawn, or were ring neighbours, when the span was wider, and the
 * octaves below the old span stay empty (measured: 9.6 relay hops a block
 * at 100,000 nodes grown from 1,000, against 2.6 in the static network).
 * So every LONG_BALANCE rounds (every 2 while it finds work) a node
 * whose fullest octave holds three or more peers than its emptiest lets
 * one peer of the fullest go (at random) and looks up a target in the
 * emptiest (the lowest of them): the spread converges to one that routes,
 * whatever the growth. */
static ec_err
balance_long(ecp_node *n, const ec_ctx *ctx)
{
	ecp_member *m = n->m;
	const uint64_t lo = n->near_up;
	if (!lo || !m->ready || m->refill_lo || n->now < m->next_balance)
		return EC_OK;
	m->next_balance = n->now + LONG_BALANCE;
	uint32_t cnt[OCTAVES], octs, top = octave_counts(n, cnt, &octs), empty = 0;
	for (uint32_t o = 1; o < octs; o++)
		if (cnt[o] < cnt[empty])
			empty = o;
	if (cnt[top] < cnt[empty] + 3)
		return EC_OK;
	drop_in_octave(n, top, cnt[top], octs);
	m->refill_lo = lo << empty;
	m->next_balance = n->now + 2; /* while unbalanced, soon again */
	return rebuild(n, ctx);
}

/* One long-range lookup at a time, at a harmonic distance: the chance of
 * a distance d is proportional to 1/d, between my neighbours' span and
 * half the ring (Kleinberg's small world, as the static topology), or
 * in the octave balance_long found empty. */
static ec_err
seek_long(ecp_node *n, const ec_ctx *ctx)
{
	ecp_member *m = n->m;
	ec_err err0 = balance_long(n, ctx);
	if (err0)
		return err0;
	uint32_t free_slot = LONG_LOOKUPS, busy = 0;
	for (uint32_t s = 0; s < LONG_LOOKUPS; s++) {
		if (m->long_target[s] && n->now - m->long_sent[s] > LONG_PROBE / 2)
			m->long_target[s] = 0; /* its answer was lost */
		if (m->long_target[s])
			busy++;
		else
			free_slot = s;
	}
	if (long_count(n) + busy >= n->cfg.degree / 2 || free_slot == LONG_LOOKUPS ||
	    n->peers.len == 0)
		return EC_OK;
	double lo = (double)(n->near_up ? n->near_up : 1), hi = 9223372036854775808.0;
	if (m->refill_lo) { /* an empty octave first (balance_long) */
		lo = (double)m->refill_lo;
		hi = 2 * lo;
		m->refill_lo = 0;
	}
	double u = (double)(next_rand(m) >> 11) * (1.0 / 9007199254740992.0);
	uint64_t d = (uint64_t)exp(log(lo) + u * (log(hi) - log(lo)));
	uint64_t target = next_rand(m) & 1 ? n->pos + d : n->pos - d;
	if (target == 0)
		target = 1;
	uint64_t best = n->peers.ids[0];
	for (uint32_t i = 1; i < n->peers.len; i++)
		if (ring_dist(n->peers.ids[i], target) < ring_dist(best, target))
			best = n->peers.ids[i];
	m->long_target[free_slot] = target;
	m->long_sent[free_slot] = n->now;
	return send_find(n, ctx, best, target, my_contact(n), 0);
}

ec_err
ecp__member_tick(ecp_node *n, const ec_ctx *ctx)
{
	ecp_member *m = n->m;
	ec_err err;
	bool changed = false;
	if ((err = liveness(n, ctx, &changed)))
		return err;
	if (changed && (err = rebuild(n, ctx)))
		return err;
	changed = false;
	cap_peers(n, &changed);
	if (changed && (err = rebuild(n, ctx)))
		return err;
	if ((err = handshakes(n, ctx)) || (err = floor_lookup(n, ctx)))
		return err;
	if (!m->ready) {
		/* settled: both sides answered since I (re)joined, or the network
		 * is too small to have two sides, and no neighbour is pending */
		bool small = n->peers.len + 1 < 2 * near_k(n) + 1 && n->now > m->joined_at + 4;
		bool settled = ((m->heard_lo && m->heard_hi) || small) && !handshake_pending(n);
		if (settled && (err = ecp__catchup_tick(n, ctx)))
			return err;
		if (m->ready && (err = rebuild(n, ctx))) /* the span is trusted now */
			return err;
		return EC_OK;
	}
	if ((err = exchange(n, ctx)))
		return err;
	if ((m->syncing || n->now >= m->next_resync) && (err = ecp__catchup_tick(n, ctx)))
		return err;
	/* only a node whose own store is complete can audit another's */
	if (n->cfg.audit && m->refreshed && (err = ecp__audit_tick(n, ctx)))
		return err;
	return seek_long(n, ctx);
}

/* ---- ec_open_ops ------------------------------------------------------ */

void
ecp__member_free(ecp_node *n, const ec_ctx *ctx)
{
	ecp_member *m = n->m;
	if (!m)
		return;
	ecp__member_sent(n, ctx);
	if (m->bodies)
		ctx->realloc_fn(ctx->alloc_user, m->bodies, m->bodycap * sizeof *m->bodies, 0);
	if (m->body_len)
		ctx->realloc_fn(ctx->alloc_user, m->body_len, m->bodycap * sizeof *m->body_len, 0);
	if (m->t)
		ctx->realloc_fn(ctx->alloc_user, m->t, m->cap * sizeof *m->t, 0);
	if (m->aud)
		ctx->realloc_fn(ctx->alloc_user, m->aud, m->audcap * sizeof *m->aud, 0);
	ctx->realloc_fn(ctx->alloc_user, m, sizeof *m, 0);
	n->m = NULL;
}

/* A seeded node takes its contacts as admitted peers (set-up trusts them:
 * the run starts with them); a new or returning one looks itself up. */
static ec_err
start(ecp_node *n, const ec_ctx *ctx, const ec_join *j)
{
	ec_err err;
	for (size_t i = 0; i < j->nboot; i++) {
		if (j->boot[i].id == n->pos)
			continue;
		mpeer *p = entry_of(n, ctx, j->boot[i].id);
		if (!p)
			return EC_ENOMEM;
		p->addr = j->boot[i].addr;
		p->has_addr = 1;
		if (j->kind == EC_JOIN_SEEDED) {
			p->state = MP_PEER;
			p->heard = n->now;
			p->ready = 1;
		}
	}
	if ((err = rebuild(n, ctx)))
		return err;
	if (j->kind == EC_JOIN_SEEDED)
		return EC_OK;
	/* the floor: contacts I was given, not told of */
	n->m->nfloor = 0;
	for (size_t i = 0; i < j->nboot && n->m->nfloor < ECP_FLOOR_MAX; i++)
		if (j->boot[i].id != n->pos)
			n->m->floor[n->m->nfloor++] = j->boot[i];
	n->m->floor_next = 0;
	n->m->floor_at = n->now + FLOOR_EVERY;
	/* my HELLO, relayed towards my own position from each bootstrap peer:
	 * the node where a relay ends admits me and introduces me to my other
	 * neighbours, which answer me directly (the first answers arrive
	 * after the relay's hops plus two) */
	ecp_hello h = {.claim = n->m->claim, .addr = n->m->addr};
	for (size_t i = 0; i < j->nboot; i++)
		if (j->boot[i].id != n->pos &&
		    (err = pass_hello(n, ctx, j->boot[i].id, &h, ECP_F_JOIN | ECP_F_SYNC, 0)))
			return err;
	return EC_OK;
}

static ec_err
ecp_join(void *node, const ec_ctx *ctx, const ec_join *j)
{
	ecp_node *n = node;
	if (!j || !j->self || j->kind > EC_JOIN_RESUME || ec_identity_params_check(&j->admit) ||
	    !ctx->intern)
		return EC_EINVAL;
	if (!n->m) {
		if (!(n->m = ctx->realloc_fn(ctx->alloc_user, NULL, 0, sizeof *n->m)))
			return EC_ENOMEM;
		memset(n->m, 0, sizeof *n->m);
	}
	ecp_member *m = n->m;
	if (!(m->claim = ctx->intern(ctx->intern_user, j->self, sizeof *j->self)))
		return EC_ENOMEM;
	m->addr = j->addr;
	m->admit = j->admit;
	m->rng = n->pos ^ 0x6A09E667F3BCC908ull;
	m->secret = j->secret ^ n->pos;
	m->joined_at = m->welcomed_at = n->now;
	m->ready = m->refreshed = j->kind == EC_JOIN_SEEDED;
	m->ready_at = n->now;
	m->heard_lo = m->heard_hi = 0;
	m->syncing = 0;
	m->nsynced = 0;
	m->next_probe = n->now;
	memset(m->long_target, 0, sizeof m->long_target);
	if (j->kind == EC_JOIN_RESUME) {
		/* my peers may have dropped me, and died: they get the usual
		 * time to show they live, and my neighbours a HELLO */
		for (uint32_t i = 0; i < m->n; i++) {
			mpeer *p = &m->t[i];
			p->heard = p->asked = n->now;
			p->tries = 0;
			if (p->state == MP_PEER && near_slot(n, p->id)) {
				ec_err err = send_hello(n, ctx, p->id, false, ECP_F_NEAR | ECP_F_SYNC);
				if (err)
					return err;
			}
		}
	}
	ec_err err = start(n, ctx, j);
	if (!err)
		err = ecp__flush(n, ctx);
	return err;
}

static ec_err
ecp_leave(void *node, const ec_ctx *ctx)
{
	ecp_node *n = node;
	if (!n->m)
		return EC_OK;
	for (uint32_t i = 0; i < n->peers.len; i++) {
		ec_err err = send_kind(n, ctx, n->peers.ids[i], ECP_BYE, 0);
		if (err)
			return err;
	}
	return ecp__flush(n, ctx);
}

static void
ecp_status(const void *node, ec_node_status *out)
{
	const ecp_node *n = node;
	*out = (ec_node_status){.open = n->m != NULL, .ready = !n->m || n->m->ready,
	                        .ready_at = n->m ? n->m->ready_at : 0, .peers = n->peers.ids,
	                        .npeers = n->peers.len};
}

static bool
ecp_address(const void *node, uint64_t id, ec_addr *out)
{
	const ecp_node *n = node;
	if (!n->m)
		return false;
	const mpeer *p = lookup(n->m, id);
	if (p && p->has_addr) {
		*out = p->addr;
		return true;
	}
	for (uint32_t k = 0; k < n->m->nfloor; k++) /* dropped from the table */
		if (n->m->floor[k].id == id && n->m->floor[k].addr.len) {
			*out = n->m->floor[k].addr;
			return true;
		}
	return false;
}

const ec_open_ops ecp_open_ops = {
	.join = ecp_join,
	.leave = ecp_leave,
	.status = ecp_status,
	.address = ecp_address,
};
