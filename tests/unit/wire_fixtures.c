/* SPDX-License-Identifier: MIT */
/*
 * Fixtures shared by the wire encoding tests (test_wire.c, test_wire_rules.c,
 * test_wire_peer.c): the test seed, random canonical values, equality checks, exact-size
 * decoder wrappers and the golden vectors of tests/vectors/wire/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec/wire.h"

#include "wire_fixtures.h"

uint64_t test_seed = 1;

void
rng_fresh(ec_rng *rng, uint64_t salt)
{
	uint8_t seed[EC_RNG_SEED_BYTES];
	ec_rng_seed_from_u64(test_seed * 1000003u + salt, seed);
	ec_rng_init(rng, seed);
}

/* ---- helpers --------------------------------------------------------------- */

ec_id
id_pattern_seq(uint8_t b0)
{
	uint8_t b[32];
	for (unsigned i = 0; i < 32; i++)
		b[i] = (uint8_t)(b0 + i);
	return ec_id_from_bytes(b);
}

ec_id
id_pattern_rep(uint8_t v)
{
	uint8_t b[32];
	memset(b, v, sizeof b);
	return ec_id_from_bytes(b);
}

ecp_block *
block_new(uint32_t nparts)
{
	ecp_block *b = calloc(1, ecp_block_size(nparts));
	assert_non_null(b);
	b->nparts = nparts;
	return b;
}

ecp_cert *
cert_new(uint32_t n)
{
	/* room for signatures too: setting sigs makes it a signed one */
	ecp_cert *c = calloc(1, ecp_cert_bytes(n, true));
	assert_non_null(c);
	c->n = n;
	return c;
}

ecp_contacts *
contacts_new(uint32_t n)
{
	ecp_contacts *c = calloc(1, sizeof(ecp_contacts) + n * sizeof(ec_contact));
	assert_non_null(c);
	c->n = n;
	return c;
}

ecp_hello *
hello_new(uint32_t n)
{
	ecp_hello *h = calloc(1, sizeof(ecp_hello) + n * sizeof(ec_contact));
	assert_non_null(h);
	h->n = n;
	return h;
}

ecp_proof *
proof_new(uint32_t n)
{
	ecp_proof *p = calloc(1, sizeof(ecp_proof) + n * sizeof(ec_sp_mapping));
	assert_non_null(p);
	p->count = n;
	return p;
}

ec_addr
addr_of(uint8_t len, uint8_t b0)
{
	ec_addr a = {.len = len};
	for (uint8_t i = 0; i < len && i < EC_ADDR_MAX; i++)
		a.b[i] = (uint8_t)(b0 + i);
	return a;
}

void
item_bodies_free(item_bodies *o)
{
	free(o->block);
	free(o->cert);
	free(o->body);
	free(o->claim);
	memset(o, 0, sizeof *o);
}

/* An exact-size heap copy, so that ASan sees any over-read. */
uint8_t *
dup_exact(const uint8_t *p, size_t len)
{
	uint8_t *q = malloc(len ? len : 1);
	assert_non_null(q);
	if (len)
		memcpy(q, p, len);
	return q;
}

static int
id_cmp_qsort(const void *a, const void *b)
{
	return ec_id_cmp(a, b);
}

static ec_id
random_id(ec_rng *rng)
{
	ec_id id;
	for (unsigned i = 0; i < 4; i++)
		id.w[i] = ec_rng_u64(rng);
	return id;
}

static void
random_bytes(ec_rng *rng, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)ec_rng_u32(rng);
	if (n && p[0] == 0)
		p[0] = 1; /* callers want non-zero keys */
}

/* A random canonical block with its id.  Tokens are sometimes close
 * together (same leading words) to exercise the ordering on every word. */
ecp_block *
random_block(ec_rng *rng, uint32_t nparts)
{
	ecp_block *b = block_new(nparts);
	b->time = ec_rng_u64(rng);
	ec_id tok[ECP_MAX_PARTS];
	for (;;) {
		for (uint32_t i = 0; i < nparts; i++) {
			tok[i] = random_id(rng);
			if (i > 0 && ec_rng_range_u32(rng, 0, 3) == 0) {
				tok[i] = tok[i - 1];
				tok[i].w[ec_rng_range_u32(rng, 1, 3)] ^= ec_rng_u64(rng) | 1;
			}
		}
		qsort(tok, nparts, sizeof tok[0], id_cmp_qsort);
		bool ok = !ec_id_is_zero(&tok[0]);
		for (uint32_t i = 1; i < nparts; i++)
			ok = ok && ec_id_cmp(&tok[i - 1], &tok[i]) < 0;
		if (ok)
			break;
	}
	for (uint32_t i = 0; i < nparts; i++) {
		ecp_part *p = &b->parts[i];
		p->token = tok[i];
		uint32_t shape = ec_rng_range_u32(rng, 0, 3);
		if (shape == 0) { /* create */
			p->next_key = random_id(rng);
			continue;
		}
		p->parent = random_id(rng);
		if (ec_id_is_zero(&p->parent))
			p->parent.w[3] = 1;
		if (shape != 3) /* 3: destroy */
			p->next_key = random_id(rng);
		random_bytes(rng, p->signer, 32);
		random_bytes(rng, p->sig, 64);
	}
	ec_wire_block_id(b, &b->id);
	return b;
}

static uint16_t
random_role(ec_rng *rng, uint32_t nparts)
{
	uint32_t r = ec_rng_range_u32(rng, 0, nparts);
	return r == nparts ? (uint16_t)ECP_ROLE_WITNESS : (uint16_t)r;
}

int
vote_cmp_qsort(const void *pa, const void *pb)
{
	const ecp_vote *a = pa, *b = pb;
	if (a->role != b->role)
		return a->role < b->role ? -1 : 1;
	if (a->voter != b->voter)
		return a->voter < b->voter ? -1 : 1;
	return 0;
}

/* A random canonical certificate for a block of nparts parts (unsorted
 * unless sorted is set). */
ecp_cert *
random_cert(ec_rng *rng, uint32_t nparts, uint32_t n, bool sorted)
{
	ecp_cert *c = cert_new(n);
	for (uint32_t i = 0; i < n; i++) {
		for (;;) {
			ecp_vote v = {.voter = ec_rng_range_u32(rng, 0, 3) ? ec_rng_u64(rng)
			                                                   : ec_rng_range_u64(rng, 0, 20),
			              .stamp = ec_rng_u32(rng),
			              .role = random_role(rng, nparts),
			              .value = ec_rng_range_u32(rng, 0, 1) ? 1 : -1};
			bool dup = false;
			for (uint32_t k = 0; k < i && !dup; k++)
				dup = c->v[k].voter == v.voter && c->v[k].role == v.role;
			if (!dup) {
				c->v[i] = v;
				break;
			}
		}
	}
	if (sorted)
		qsort(c->v, n, sizeof c->v[0], vote_cmp_qsort);
	return c;
}

/* A random address: empty sometimes, the longest sometimes. */
static ec_addr
random_addr(ec_rng *rng)
{
	ec_addr a = {.len = (uint8_t)ec_rng_range_u32(rng, 0, EC_ADDR_MAX)};
	if (ec_rng_range_u32(rng, 0, 3) == 0)
		a.len = ec_rng_range_u32(rng, 0, 1) ? EC_ADDR_MAX : 0;
	for (uint8_t i = 0; i < a.len; i++)
		a.b[i] = (uint8_t)ec_rng_u32(rng);
	return a;
}

/* n contacts with strictly ascending ids (close together sometimes). */
static void
random_contacts(ec_rng *rng, ec_contact *c, uint32_t n)
{
	uint64_t id = ec_rng_range_u64(rng, 0, 3) ? ec_rng_range_u64(rng, 0, UINT64_MAX / 2) : 0;
	for (uint32_t i = 0; i < n; i++) {
		c[i] = (ec_contact){.id = id, .addr = random_addr(rng)};
		id += ec_rng_range_u32(rng, 0, 1) ? 1 : ec_rng_range_u64(rng, 1, UINT64_MAX / 256);
	}
}

static uint32_t
random_count(ec_rng *rng)
{
	return ec_rng_range_u32(rng, 0, 3) ? ec_rng_range_u32(rng, 0, 6)
	                                   : ec_rng_range_u32(rng, 0, ECP_MAX_CONTACTS);
}

static int
mapping_cmp_qsort(const void *a, const void *b)
{
	return ec_id_cmp(&((const ec_sp_mapping *)a)->token, &((const ec_sp_mapping *)b)->token);
}

/* A random canonical proof: what ec_sp_answer_build answers for a store of
 * 0 to 16 mappings (distinct tokens, sometimes close together or wrapping
 * round 0) and a point that is sometimes one of the tokens. */
static ecp_proof *
random_proof(ec_rng *rng)
{
	ec_sp_mapping m[16];
	size_t n = ec_rng_range_u32(rng, 0, 3) ? ec_rng_range_u32(rng, 0, 16)
	                                       : ec_rng_range_u32(rng, 0, 4);
	for (size_t i = 0; i < n; i++) {
		for (;;) {
			m[i].token = random_id(rng);
			if (i > 0 && ec_rng_range_u32(rng, 0, 3) == 0) { /* close to another */
				m[i].token = m[i - 1].token;
				m[i].token.w[3] += ec_rng_range_u64(rng, 1, 1000);
			}
			if (ec_rng_range_u32(rng, 0, 7) == 0)
				m[i].token.w[0] = ec_rng_range_u32(rng, 0, 1) ? 0 : UINT64_MAX; /* the seam */
			bool dup = false;
			for (size_t k = 0; k < i && !dup; k++)
				dup = ec_id_eq(&m[k].token, &m[i].token);
			if (!dup)
				break;
		}
		m[i].block = random_id(rng);
	}
	qsort(m, n, sizeof m[0], mapping_cmp_qsort);
	ec_id point = random_id(rng), responder = random_id(rng);
	if (n && ec_rng_range_u32(rng, 0, 3) == 0)
		point = m[ec_rng_index(rng, n)].token;
	ec_sp_array arr = {m, n};
	ec_sp_view view = ec_sp_array_view(&arr);
	ec_sp_answer a;
	assert_int_equal(ec_sp_answer_build(&responder, &point, &view, &a), EC_OK);
	ecp_proof *pr = proof_new(a.count);
	pr->nonce = ec_rng_u64(rng);
	pr->point = point;
	memcpy(pr->e, a.entries, a.count * sizeof pr->e[0]);
	return pr;
}

/* FIND, PEERS, HELLO, WELCOME, PING, BYE, SYNC, SYNCED, AUDIT, PROOF.
 * AUDIT and PROOF carry neither flags nor hops: set at random here, the
 * encoder must leave them out. */
static ecp_item
random_peer_item(ec_rng *rng, uint8_t kind, item_bodies *o)
{
	ecp_item it = {.kind = kind};
	switch (kind) {
	case ECP_FIND:
	case ECP_PEERS: {
		ecp_contacts *c = contacts_new(kind == ECP_FIND ? 1 : random_count(rng));
		c->target = ec_rng_u64(rng);
		random_contacts(rng, c->c, c->n);
		it.hops = kind == ECP_FIND ? (uint16_t)ec_rng_u32(rng) : 0;
		it.contacts = c;
		o->body = c;
		break;
	}
	case ECP_HELLO:
	case ECP_WELCOME: {
		ecp_hello *h = hello_new(kind == ECP_HELLO ? 0 : random_count(rng));
		o->claim = malloc(sizeof *o->claim);
		assert_non_null(o->claim);
		random_bytes(rng, (uint8_t *)o->claim, sizeof *o->claim);
		h->claim = o->claim;
		h->addr = random_addr(rng);
		random_contacts(rng, h->c, h->n);
		uint8_t allowed = kind == ECP_HELLO ? HELLO_FLAGS_ALLOWED : WELCOME_FLAGS_ALLOWED;
		it.flags = (uint8_t)(ec_rng_u32(rng) & allowed);
		if (kind == ECP_HELLO) {
			if ((it.flags & ECP_F_INTRO) && !(it.flags & ECP_F_JOIN))
				it.flags &= (uint8_t)~ECP_F_INTRO; /* INTRO only with JOIN */
			/* hops only on a relayed join */
			if (hello_hops_allowed(it.flags))
				it.hops = ec_rng_range_u32(rng, 0, 1) ? (uint16_t)ec_rng_u32(rng)
				                                      : (uint16_t)ec_rng_range_u32(rng, 0, 32);
		} else {
			it.hops = (uint16_t)ec_rng_u32(rng); /* a WELCOME's hops are not sent */
		}
		it.hello = h;
		o->body = h;
		break;
	}
	case ECP_PING: it.value = (int8_t)ec_rng_range_u32(rng, 0, 1); break;
	case ECP_SYNC:
	case ECP_SYNCED: {
		ecp_sync *y = calloc(1, sizeof *y);
		assert_non_null(y);
		y->lo = ec_rng_u64(rng);
		y->hi = ec_rng_u64(rng);
		if (ec_rng_range_u32(rng, 0, 1))
			y->after = random_id(rng);
		y->more = kind == ECP_SYNCED ? (uint8_t)ec_rng_range_u32(rng, 0, 1) : 0;
		it.sync = y;
		o->body = y;
		break;
	}
	case ECP_AUDIT: {
		ecp_audit *q = calloc(1, sizeof *q);
		assert_non_null(q);
		q->nonce = ec_rng_u64(rng);
		q->round = ec_rng_range_u32(rng, 0, 1) ? ec_rng_u64(rng) : ec_rng_range_u64(rng, 0, 99);
		q->lo = ec_rng_u64(rng);
		/* sometimes the whole ring (lo == hi + 1) or one position */
		uint32_t shape = ec_rng_range_u32(rng, 0, 3);
		q->hi = shape == 0 ? q->lo - 1 : shape == 1 ? q->lo : ec_rng_u64(rng);
		it.audit = q;
		o->body = q;
		it.flags = (uint8_t)ec_rng_u32(rng);
		it.hops = (uint16_t)ec_rng_u32(rng);
		break;
	}
	case ECP_PROOF: {
		ecp_proof *pr = random_proof(rng);
		it.proof = pr;
		o->body = pr;
		it.flags = (uint8_t)ec_rng_u32(rng);
		it.hops = (uint16_t)ec_rng_u32(rng);
		break;
	}
	default: /* BYE */
		break;
	}
	return it;
}

/* A random vote signature, owned through o->body. */
static const ecp_vsig *
random_vsig(ec_rng *rng, item_bodies *o)
{
	ecp_vsig *v = calloc(1, sizeof *v);
	assert_non_null(v);
	random_bytes(rng, v->b, sizeof v->b);
	o->body = v;
	return v;
}

/* A random canonical ACCUSE: block ids ascending, part roles. */
static ecp_item
random_accuse(ec_rng *rng, item_bodies *o)
{
	ecp_accuse *a = calloc(1, sizeof *a);
	assert_non_null(a);
	a->voter = ec_rng_u64(rng);
	a->token = random_id(rng);
	a->parent = random_id(rng);
	do {
		a->block[0] = random_id(rng);
		a->block[1] = random_id(rng);
	} while (ec_id_eq(&a->block[0], &a->block[1]));
	if (ec_id_cmp(&a->block[0], &a->block[1]) > 0) {
		ec_id t = a->block[0];
		a->block[0] = a->block[1];
		a->block[1] = t;
	}
	for (int k = 0; k < 2; k++) {
		a->role[k] = (uint16_t)ec_rng_range_u32(rng, 0, ECP_MAX_PARTS - 1);
		random_bytes(rng, a->sig[k].b, sizeof a->sig[k].b);
	}
	o->body = a;
	return (ecp_item){.kind = ECP_ACCUSE, .accuse = a};
}

/* A random canonical item of the given kind; its bodies are heap-allocated
 * and returned through *o. */
ecp_item
random_item(ec_rng *rng, uint8_t kind, item_bodies *o)
{
	ecp_item it = {.kind = kind};
	memset(o, 0, sizeof *o);
	if (kind == ECP_ACCUSE)
		return random_accuse(rng, o);
	if (kind > ECP_WITHDRAWN)
		return random_peer_item(rng, kind, o);
	uint32_t nparts = ec_rng_range_u32(rng, 0, 7) == 0 ? ec_rng_range_u32(rng, 1, ECP_MAX_PARTS)
	                                                   : ec_rng_range_u32(rng, 1, 8);
	switch (kind) {
	case ECP_BLOCK:
		o->block = random_block(rng, nparts);
		it.block = o->block;
		it.block_id = it.block->id;
		it.value = (int8_t)((int)ec_rng_range_u32(rng, 0, 2) - 1);
		it.flags = (uint8_t)ec_rng_range_u32(rng, 0, ECP_F_ALL);
		it.role = random_role(rng, nparts);
		it.hops = (uint16_t)ec_rng_u32(rng);
		it.origin = ec_rng_u64(rng);
		if (it.value && ec_rng_range_u32(rng, 0, 1))
			it.vsig = random_vsig(rng, o);
		break;
	case ECP_COMMIT:
		o->block = random_block(rng, nparts);
		o->cert = random_cert(rng, nparts, ec_rng_range_u32(rng, 0, 40), true);
		if (ec_rng_range_u32(rng, 0, 1)) { /* a signed one */
			o->cert->sigs = 1;
			for (uint32_t k = 0; k < o->cert->n; k++)
				random_bytes(rng, (uint8_t *)(void *)(o->cert->v + o->cert->n) + 64 * k, 64);
		}
		it.block = o->block;
		it.cert = o->cert;
		it.block_id = it.block->id;
		if (ec_rng_range_u32(rng, 0, 2) == 0) { /* a catch-up answer: a part's role */
			it.flags = ECP_F_SYNC;
			it.role = (uint16_t)ec_rng_range_u32(rng, 0, nparts - 1);
		}
		break;
	case ECP_VOTE:
		it.block_id = random_id(rng);
		it.role = random_role(rng, ECP_MAX_PARTS);
		it.value = ec_rng_range_u32(rng, 0, 1) ? 1 : -1;
		if (ec_rng_range_u32(rng, 0, 1))
			it.vsig = random_vsig(rng, o);
		break;
	case ECP_BLOCKED:
	case ECP_WITHDRAW:
	case ECP_WITHDRAWN:
		it.block_id = random_id(rng);
		it.role = random_role(rng, ECP_MAX_PARTS);
		if (kind == ECP_BLOCKED)
			it.value = -1;
		break;
	default:
		it.block_id = random_id(rng);
		break;
	}
	return it;
}

static void
assert_part_equal(const ecp_part *a, const ecp_part *b)
{
	assert_true(ec_id_eq(&a->token, &b->token));
	assert_true(ec_id_eq(&a->parent, &b->parent));
	assert_true(ec_id_eq(&a->next_key, &b->next_key));
	assert_memory_equal(a->signer, b->signer, 32);
	assert_memory_equal(a->sig, b->sig, 64);
}

void
assert_block_equal(const ecp_block *a, const ecp_block *b)
{
	assert_true(ec_id_eq(&a->id, &b->id));
	assert_int_equal(a->time, b->time);
	assert_int_equal(a->nparts, b->nparts);
	for (uint32_t i = 0; i < a->nparts; i++)
		assert_part_equal(&a->parts[i], &b->parts[i]);
}

void
assert_cert_equal(const ecp_cert *a, const ecp_cert *b)
{
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->sigs, b->sigs);
	for (uint32_t i = 0; a->sigs && i < a->n; i++)
		assert_memory_equal(ecp_cert_sig(a, i)->b, ecp_cert_sig(b, i)->b, EC_SIG_BYTES);
	for (uint32_t i = 0; i < a->n; i++) {
		assert_int_equal(a->v[i].voter, b->v[i].voter);
		assert_int_equal(a->v[i].stamp, b->v[i].stamp);
		assert_int_equal(a->v[i].role, b->v[i].role);
		assert_int_equal(a->v[i].value, b->v[i].value);
	}
}

static void
assert_addr_equal(const ec_addr *a, const ec_addr *b)
{
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->b, b->b, EC_ADDR_MAX); /* b: zero after len */
}

static void
assert_contacts_equal(const ec_contact *a, const ec_contact *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(a[i].id, b[i].id);
		assert_addr_equal(&a[i].addr, &b[i].addr);
	}
}

/* The bodies of the peer-management kinds. */
static void
assert_peer_body_equal(const ecp_item *a, const ecp_item *b)
{
	switch (a->kind) {
	case ECP_FIND:
	case ECP_PEERS:
		assert_int_equal(a->contacts->target, b->contacts->target);
		assert_int_equal(a->contacts->n, b->contacts->n);
		assert_contacts_equal(a->contacts->c, b->contacts->c, a->contacts->n);
		break;
	case ECP_HELLO:
	case ECP_WELCOME:
		assert_memory_equal(a->hello->claim, b->hello->claim, sizeof(ec_identity_claim));
		assert_addr_equal(&a->hello->addr, &b->hello->addr);
		assert_int_equal(a->hello->n, b->hello->n);
		assert_contacts_equal(a->hello->c, b->hello->c, a->hello->n);
		break;
	case ECP_SYNC:
	case ECP_SYNCED:
		assert_int_equal(a->sync->lo, b->sync->lo);
		assert_int_equal(a->sync->hi, b->sync->hi);
		assert_true(ec_id_eq(&a->sync->after, &b->sync->after));
		assert_int_equal(a->sync->more, b->sync->more);
		break;
	case ECP_AUDIT:
		assert_int_equal(a->audit->nonce, b->audit->nonce);
		assert_int_equal(a->audit->round, b->audit->round);
		assert_int_equal(a->audit->lo, b->audit->lo);
		assert_int_equal(a->audit->hi, b->audit->hi);
		break;
	case ECP_PROOF:
		assert_int_equal(a->proof->nonce, b->proof->nonce);
		assert_true(ec_id_eq(&a->proof->point, &b->proof->point));
		assert_int_equal(a->proof->count, b->proof->count);
		for (uint32_t i = 0; i < a->proof->count; i++) {
			assert_true(ec_id_eq(&a->proof->e[i].token, &b->proof->e[i].token));
			assert_true(ec_id_eq(&a->proof->e[i].block, &b->proof->e[i].block));
		}
		break;
	default: /* PING, BYE: no body */
		assert_null(b->cert);
		break;
	}
}

/* Both signatures absent, or equal. */
static void
assert_vsig_equal(const ecp_vsig *a, const ecp_vsig *b)
{
	assert_int_equal(a == NULL, b == NULL);
	if (a)
		assert_memory_equal(a->b, b->b, sizeof a->b);
}

/* The fields the kind carries are equal (the rest is zero in b). */
void
assert_item_equal(const ecp_item *a, const ecp_item *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_true(ec_id_eq(&a->block_id, &b->block_id));
	bool block = a->kind == ECP_BLOCK || a->kind == ECP_COMMIT;
	switch (a->kind) {
	case ECP_BLOCK:
		assert_block_equal(a->block, b->block);
		assert_int_equal(a->value, b->value);
		assert_int_equal(a->role, b->role);
		assert_int_equal(a->origin, b->origin);
		assert_vsig_equal(a->vsig, b->vsig);
		break;
	case ECP_COMMIT:
		assert_block_equal(a->block, b->block);
		assert_cert_equal(a->cert, b->cert);
		assert_int_equal(b->role, a->flags ? a->role : 0);
		assert_int_equal(b->value, 0);
		break;
	case ECP_VOTE:
		assert_vsig_equal(a->vsig, b->vsig);
		assert_int_equal(a->role, b->role);
		assert_int_equal(a->value, b->value);
		break;
	case ECP_PING:
		assert_int_equal(a->role, b->role);
		assert_int_equal(a->value, b->value);
		break;
	case ECP_ACCUSE:
		assert_int_equal(b->role, 0);
		assert_int_equal(b->value, 0);
		assert_memory_equal(a->accuse, b->accuse, sizeof *a->accuse);
		break;
	case ECP_BLOCKED:
		assert_int_equal(a->role, b->role);
		assert_int_equal(b->value, -1);
		break;
	case ECP_WITHDRAW:
	case ECP_WITHDRAWN:
		assert_int_equal(a->role, b->role);
		assert_int_equal(b->value, 0);
		break;
	case ECP_POLL:
	case ECP_FETCH:
		assert_int_equal(b->role, 0);
		assert_null(b->cert);
		break;
	default:
		assert_int_equal(b->role, 0);
		assert_int_equal(b->value, 0);
		assert_peer_body_equal(a, b);
		break;
	}
	if (!block)
		assert_null(b->block);
	/* flags: BLOCK, COMMIT, HELLO, WELCOME; hops: BLOCK, FIND, HELLO */
	bool flags = block || a->kind == ECP_HELLO || a->kind == ECP_WELCOME;
	assert_int_equal(b->flags, flags ? a->flags : 0);
	bool hops = a->kind == ECP_BLOCK || a->kind == ECP_FIND || a->kind == ECP_HELLO;
	assert_int_equal(b->hops, hops ? a->hops : 0);
	if (a->kind != ECP_BLOCK)
		assert_int_equal(b->origin, 0);
}

/* Encodes it into a fresh heap buffer; checks size == length. */
uint8_t *
encode_item(const ecp_item *it, size_t *len)
{
	size_t size = ec_wire_item_size(it);
	assert_true(size > 0);
	uint8_t *buf = malloc(size);
	assert_non_null(buf);
	assert_int_equal(ec_wire_item_encode(it, buf, size, len), EC_OK);
	assert_int_equal(*len, size);
	return buf;
}

/* Measures and decodes an item into freshly allocated memory (returned
 * through *mem for the caller to free). */
ec_wire_reason
decode_item(const uint8_t *in, size_t len, ecp_item *out, void **mem)
{
	uint8_t *copy = dup_exact(in, len);
	size_t need = 0;
	ec_wire_reason r = ec_wire_item_measure(copy, len, &need);
	*mem = NULL;
	if (r == EC_WIRE_OK) {
		assert_true(need <= 4 * len); /* a valid item: ec/wire.h */
		*mem = need ? malloc(need) : NULL;
		ec_wire_reason r2 = ec_wire_item_decode(copy, len, out, *mem, need);
		assert_int_equal(r2, EC_WIRE_OK);
	} else {
		/* the decoder agrees, given ample memory */
		size_t cap = ec_wire_decode_bound(len);
		void *m = malloc(cap);
		ecp_item scratch;
		assert_int_equal(ec_wire_item_decode(copy, len, &scratch, m, cap), r);
		free(m);
	}
	free(copy);
	return r;
}

ec_wire_reason
block_decode_copy(const uint8_t *in, size_t len)
{
	uint8_t *copy = dup_exact(in, len);
	ecp_block *b = block_new(ECP_MAX_PARTS);
	ec_wire_reason r = ec_wire_block_decode(copy, len, b, ECP_MAX_PARTS);
	free(b);
	free(copy);
	return r;
}

ec_wire_reason
item_measure_copy(const uint8_t *in, size_t len)
{
	uint8_t *copy = dup_exact(in, len);
	size_t need;
	ec_wire_reason r = ec_wire_item_measure(copy, len, &need);
	/* the decoder must give the same verdict (it may run out of memory
	 * first only if measure accepted) */
	void *mem = malloc(ec_wire_decode_bound(len));
	ecp_item it;
	ec_wire_reason r2 = ec_wire_item_decode(copy, len, &it, mem, ec_wire_decode_bound(len));
	assert_int_equal(r, r2);
	free(mem);
	free(copy);
	return r;
}

ec_wire_reason
env_measure_copy(const uint8_t *in, size_t len)
{
	uint8_t *copy = dup_exact(in, len);
	size_t need;
	ec_wire_reason r = ec_wire_env_measure(copy, len, &need);
	void *mem = malloc(ec_wire_decode_bound(len));
	ec_wire_env env;
	ec_wire_reason r2 = ec_wire_env_decode(copy, len, &env, mem, ec_wire_decode_bound(len));
	assert_int_equal(r, r2);
	free(mem);
	free(copy);
	return r;
}

ec_wire_reason
cert_decode_copy(const uint8_t *in, size_t len)
{
	uint8_t *copy = dup_exact(in, len);
	ecp_cert *c = cert_new(EC_WIRE_CERT_MAX_VOTES);
	ec_wire_reason r = ec_wire_cert_decode(copy, len, c, EC_WIRE_CERT_MAX_VOTES);
	free(c);
	free(copy);
	return r;
}

/* ---- golden vectors ---------------------------------------------------------- */

/* Reads tests/vectors/wire/<name>: hex digits, whitespace and '#' comments
 * to the end of the line.  Returns a heap buffer of exactly *len bytes. */
uint8_t *
read_vector(const char *name, size_t *len)
{
	char path[1024];
	const char *dir = getenv("EC_WIRE_VECTORS");
	if (dir) {
		snprintf(path, sizeof path, "%s/%s", dir, name);
	} else {
		const char *file = __FILE__; /* .../tests/unit/wire_fixtures.c */
		const char *slash = strrchr(file, '/');
		int n = slash ? (int)(slash - file) : 1;
		snprintf(path, sizeof path, "%.*s/../vectors/wire/%s", n, slash ? file : ".", name);
	}
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s (set EC_WIRE_VECTORS to the vectors directory)", path);
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	assert_non_null(buf);
	int c, hi = -1;
	bool comment = false;
	while ((c = fgetc(f)) != EOF) {
		if (comment) {
			comment = c != '\n';
			continue;
		}
		if (c == '#') {
			comment = true;
			continue;
		}
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
			continue;
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (v < 0)
			fail_msg("%s: bad character '%c'", path, c);
		if (hi < 0) {
			hi = v;
		} else {
			assert_true(n < cap);
			buf[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	fclose(f);
	assert_int_equal(hi, -1);
	*len = n;
	uint8_t *exact = dup_exact(buf, n);
	free(buf);
	return exact;
}

void
assert_bytes_match_vector(const uint8_t *got, size_t len, const char *name)
{
	size_t vlen;
	uint8_t *want = read_vector(name, &vlen);
	assert_int_equal(len, vlen);
	assert_memory_equal(got, want, len);
	free(want);
}

/* The values the vector files describe (see their comments). */
ecp_block *
golden_block_create(void)
{
	ecp_block *b = block_new(1);
	b->time = 0x0807060504030201ull;
	b->parts[0].token = id_pattern_seq(0x01);
	b->parts[0].next_key = id_pattern_seq(0xA0);
	ec_wire_block_id(b, &b->id);
	return b;
}

ecp_block *
golden_block_transfer(void)
{
	ecp_block *b = block_new(3);
	b->time = 42;
	b->parts[0].token = id_pattern_rep(0x10);
	b->parts[0].next_key = id_pattern_rep(0x11);
	b->parts[1].token = id_pattern_rep(0x20);
	b->parts[1].parent = id_pattern_rep(0x21);
	b->parts[1].next_key = id_pattern_rep(0x22);
	memset(b->parts[1].signer, 0x23, 32);
	memset(b->parts[1].sig, 0x24, 64);
	b->parts[2].token = id_pattern_rep(0x30);
	b->parts[2].parent = id_pattern_rep(0x31);
	memset(b->parts[2].signer, 0x33, 32);
	memset(b->parts[2].sig, 0x34, 64);
	ec_wire_block_id(b, &b->id);
	return b;
}

ecp_cert *
golden_cert(void)
{
	ecp_cert *c = cert_new(4);
	c->v[0] = (ecp_vote){.voter = 0x0100000000000005ull, .stamp = 10, .role = 0, .value = 1};
	c->v[1] = (ecp_vote){.voter = 0x0200000000000000ull, .stamp = 12, .role = 0, .value = 1};
	c->v[2] = (ecp_vote){.voter = 7, .stamp = 0xFFFFFFFFu, .role = 1, .value = -1};
	c->v[3] = (ecp_vote){.voter = UINT64_MAX, .stamp = 1, .role = ECP_ROLE_WITNESS, .value = 1};
	return c;
}

/* The claim of the HELLO vector: key 0x20.., salt 0x40.., address 0x60.. */
static ec_identity_claim *
claim_seq(uint8_t key, uint8_t salt, uint8_t address, bool repeat)
{
	ec_identity_claim *c = malloc(sizeof *c);
	assert_non_null(c);
	for (unsigned i = 0; i < 32; i++) {
		c->public_key[i] = (uint8_t)(repeat ? key : key + i);
		c->salt[i] = (uint8_t)(repeat ? salt : salt + i);
		c->address[i] = (uint8_t)(repeat ? address : address + i);
	}
	return c;
}

static ecp_item
golden_contacts_item(uint8_t kind, item_bodies *o)
{
	ecp_item it = {.kind = kind};
	ecp_contacts *c;
	if (kind == ECP_FIND) {
		c = contacts_new(1);
		c->target = 0x0102030405060708ull;
		c->c[0] = (ec_contact){.id = 0x1122334455667788ull,
		                       .addr = {.len = 6, .b = {0x0a, 0, 0, 1, 0x1f, 0x90}}};
		it.hops = 3;
	} else {
		c = contacts_new(3);
		c->target = 0x8000000000000000ull;
		c->c[0] = (ec_contact){.id = 5, .addr = {.len = 0}};
		c->c[1] = (ec_contact){.id = 0x0100000000000000ull,
		                       .addr = {.len = 4, .b = {0xc0, 0xa8, 0, 1}}};
		c->c[2] = (ec_contact){.id = UINT64_MAX, .addr = addr_of(EC_ADDR_MAX, 0)};
	}
	it.contacts = c;
	o->body = c;
	return it;
}

static ecp_item
golden_hello_item(uint8_t kind, item_bodies *o)
{
	ecp_item it = {.kind = kind};
	ecp_hello *h;
	if (kind == ECP_HELLO) {
		h = hello_new(0);
		o->claim = claim_seq(0x20, 0x40, 0x60, false);
		h->addr = (ec_addr){.len = 2, .b = {0x00, 0x07}};
		it.flags = ECP_F_JOIN | ECP_F_SYNC; /* a joiner's HELLO, relayed */
		it.hops = 3;
	} else {
		h = hello_new(2);
		o->claim = claim_seq(0xA1, 0xA2, 0xA3, true);
		h->c[0] = (ec_contact){.id = 1, .addr = {.len = 1, .b = {0x09}}};
		h->c[1] = (ec_contact){.id = 2, .addr = {.len = 2, .b = {0x0a, 0x0b}}};
		it.flags = ECP_F_NEAR | ECP_F_ADMITTED | ECP_F_READY;
	}
	h->claim = o->claim;
	it.hello = h;
	o->body = h;
	return it;
}

/* AUDIT: a wrapping range.  PROOF: the answer of a store of six tokens
 * (0x01.., 0x02.., 0xd0.., 0xe0.., 0xf0.., 0xff.., each byte repeated) to
 * point 0xe0..: five up from the point, which is itself a token, wrapping
 * past 2^256 - 1, then one down. */
static const uint8_t golden_proof_tokens[6] = {0xE0, 0xF0, 0xFF, 0x01, 0x02, 0xD0};

static ecp_item
golden_audit_item(uint8_t kind, item_bodies *o)
{
	ecp_item it = {.kind = kind};
	if (kind == ECP_AUDIT) {
		ecp_audit *q = calloc(1, sizeof *q);
		assert_non_null(q);
		q->nonce = 0x0102030405060708ull;
		q->round = 42;
		q->lo = 0xF000000000000000ull;
		q->hi = 0x0FFFFFFFFFFFFFFFull;
		it.audit = q;
		o->body = q;
		return it;
	}
	ecp_proof *pr = proof_new(6);
	pr->nonce = 0x1122334455667788ull;
	pr->point = id_pattern_rep(0xE0);
	for (uint32_t i = 0; i < 6; i++) {
		pr->e[i].token = id_pattern_rep(golden_proof_tokens[i]);
		pr->e[i].block = id_pattern_rep((uint8_t)(0xB1 + i));
	}
	it.proof = pr;
	o->body = pr;
	return it;
}

static ecp_item
golden_sync_item(uint8_t kind, item_bodies *o)
{
	ecp_item it = {.kind = kind};
	ecp_sync *y = calloc(1, sizeof *y);
	assert_non_null(y);
	if (kind == ECP_SYNC) {
		y->lo = 0x1000000000000000ull;
		y->hi = 0x0fffffffffffffffull;
	} else {
		y->lo = 0x1000;
		y->hi = 0x2000;
		y->after = id_pattern_seq(0xC0);
		y->more = 1;
	}
	it.sync = y;
	o->body = y;
	return it;
}

ecp_item
golden_peer_item(uint8_t kind, item_bodies *o, const char **vector)
{
	static const char *const names[] = {
		[ECP_COMMIT] = "item_commit_sync.hex", [ECP_FIND] = "item_find.hex",
		[ECP_PEERS] = "item_peers.hex",       [ECP_HELLO] = "item_hello.hex",
		[ECP_WELCOME] = "item_welcome.hex",   [ECP_PING] = "item_ping.hex",
		[ECP_BYE] = "item_bye.hex",           [ECP_SYNC] = "item_sync.hex",
		[ECP_SYNCED] = "item_synced.hex",     [ECP_AUDIT] = "item_audit.hex",
		[ECP_PROOF] = "item_proof.hex"};
	memset(o, 0, sizeof *o);
	assert_true(kind < sizeof names / sizeof names[0] && names[kind]);
	*vector = names[kind];
	switch (kind) {
	case ECP_COMMIT: {
		o->block = golden_block_create();
		o->cert = cert_new(2);
		o->cert->v[0] = (ecp_vote){.voter = 3, .stamp = 2, .role = 0, .value = 1};
		o->cert->v[1] = (ecp_vote){.voter = 9, .stamp = 4, .role = 0, .value = 1};
		return (ecp_item){.kind = ECP_COMMIT, .flags = ECP_F_SYNC, .role = 0,
		                  .block_id = o->block->id, .block = o->block, .cert = o->cert};
	}
	case ECP_FIND:
	case ECP_PEERS: return golden_contacts_item(kind, o);
	case ECP_HELLO:
	case ECP_WELCOME: return golden_hello_item(kind, o);
	case ECP_PING: return (ecp_item){.kind = ECP_PING, .value = 1};
	case ECP_SYNC:
	case ECP_SYNCED: return golden_sync_item(kind, o);
	case ECP_AUDIT:
	case ECP_PROOF: return golden_audit_item(kind, o);
	default: return (ecp_item){.kind = ECP_BYE};
	}
}

/* Every shorter prefix is truncated, every longer input trailing. */
void
check_truncations_and_trailing(const uint8_t *buf, size_t len, decode_fn fn)
{
	assert_int_equal(fn(buf, len), EC_WIRE_OK);
	for (size_t k = 0; k < len; k++)
		assert_int_equal(fn(buf, k), EC_WIRE_TRUNCATED);
	uint8_t *longer = malloc(len + 8);
	memcpy(longer, buf, len);
	memset(longer + len, 0, 8);
	for (size_t extra = 1; extra <= 8; extra++)
		assert_int_equal(fn(longer, len + extra), EC_WIRE_TRAILING);
	/* a second copy of the whole encoding is trailing too */
	uint8_t *twice = malloc(2 * len);
	memcpy(twice, buf, len);
	memcpy(twice + len, buf, len);
	assert_int_equal(fn(twice, 2 * len), EC_WIRE_TRAILING);
	free(twice);
	free(longer);
}

ec_wire_reason
peek_copy(const uint8_t *in, size_t len)
{
	uint8_t *copy = dup_exact(in, len);
	uint32_t n;
	ec_wire_reason r = ec_wire_block_peek(copy, len, &n);
	free(copy);
	return r;
}
