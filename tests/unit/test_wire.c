/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the canonical wire encoding (ec/wire.h, docs/wire.md):
 * golden vectors written independently from the byte tables
 * (the .hex files in tests/vectors/wire/, block ids from the b3sum tool), round-trip
 * property loops over random blocks of 1..256 parts, random items and
 * envelopes, every truncation length of every kind, trailing bytes, one
 * test per canonical rule on both the decoder and the encoder side, the
 * memory accounting of the measure functions, and ec_wire_item_size.
 *
 * Inputs handed to decoders are copied into heap buffers of exactly their
 * length, so AddressSanitizer catches any read past the end.  The random
 * tests use EC_TEST_SEED (default 1), printed at start.
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

#include "ec/blake3.h"
#include "ec/lifecycle.h"
#include "ec/rng.h"
#include "ec/wire.h"

static uint64_t test_seed = 1;

static void
rng_fresh(ec_rng *rng, uint64_t salt)
{
	uint8_t seed[EC_RNG_SEED_BYTES];
	ec_rng_seed_from_u64(test_seed * 1000003u + salt, seed);
	ec_rng_init(rng, seed);
}

/* ---- helpers --------------------------------------------------------------- */

static ec_id
id_pattern_seq(uint8_t b0)
{
	uint8_t b[32];
	for (unsigned i = 0; i < 32; i++)
		b[i] = (uint8_t)(b0 + i);
	return ec_id_from_bytes(b);
}

static ec_id
id_pattern_rep(uint8_t v)
{
	uint8_t b[32];
	memset(b, v, sizeof b);
	return ec_id_from_bytes(b);
}

static ecp_block *
block_new(uint32_t nparts)
{
	ecp_block *b = calloc(1, ecp_block_size(nparts));
	assert_non_null(b);
	b->nparts = nparts;
	return b;
}

static ecp_cert *
cert_new(uint32_t n)
{
	ecp_cert *c = calloc(1, sizeof(ecp_cert) + n * sizeof(ecp_vote));
	assert_non_null(c);
	c->n = n;
	return c;
}

/* An exact-size heap copy, so that ASan sees any over-read. */
static uint8_t *
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
static ecp_block *
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

static int
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
static ecp_cert *
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

/* A random canonical item of the given kind; block and cert (if any) are
 * heap-allocated and returned through *owned_block / *owned_cert. */
static ecp_item
random_item(ec_rng *rng, uint8_t kind, ecp_block **owned_block, ecp_cert **owned_cert)
{
	ecp_item it = {.kind = kind};
	*owned_block = NULL;
	*owned_cert = NULL;
	uint32_t nparts = ec_rng_range_u32(rng, 0, 7) == 0 ? ec_rng_range_u32(rng, 1, ECP_MAX_PARTS)
	                                                   : ec_rng_range_u32(rng, 1, 8);
	switch (kind) {
	case ECP_BLOCK:
		*owned_block = random_block(rng, nparts);
		it.block = *owned_block;
		it.block_id = it.block->id;
		it.value = (int8_t)((int)ec_rng_range_u32(rng, 0, 2) - 1);
		it.flags = (uint8_t)ec_rng_range_u32(rng, 0, ECP_F_ALL);
		it.role = random_role(rng, nparts);
		it.hops = (uint16_t)ec_rng_u32(rng);
		it.origin = ec_rng_u64(rng);
		break;
	case ECP_COMMIT:
		*owned_block = random_block(rng, nparts);
		*owned_cert = random_cert(rng, nparts, ec_rng_range_u32(rng, 0, 40), true);
		it.block = *owned_block;
		it.cert = *owned_cert;
		it.block_id = it.block->id;
		break;
	case ECP_VOTE:
		it.block_id = random_id(rng);
		it.role = random_role(rng, ECP_MAX_PARTS);
		it.value = ec_rng_range_u32(rng, 0, 1) ? 1 : -1;
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

static void
assert_block_equal(const ecp_block *a, const ecp_block *b)
{
	assert_true(ec_id_eq(&a->id, &b->id));
	assert_int_equal(a->time, b->time);
	assert_int_equal(a->nparts, b->nparts);
	for (uint32_t i = 0; i < a->nparts; i++)
		assert_part_equal(&a->parts[i], &b->parts[i]);
}

static void
assert_cert_equal(const ecp_cert *a, const ecp_cert *b)
{
	assert_int_equal(a->n, b->n);
	for (uint32_t i = 0; i < a->n; i++) {
		assert_int_equal(a->v[i].voter, b->v[i].voter);
		assert_int_equal(a->v[i].stamp, b->v[i].stamp);
		assert_int_equal(a->v[i].role, b->v[i].role);
		assert_int_equal(a->v[i].value, b->v[i].value);
	}
}

/* The fields the kind carries are equal (the rest is zero in b). */
static void
assert_item_equal(const ecp_item *a, const ecp_item *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_true(ec_id_eq(&a->block_id, &b->block_id));
	switch (a->kind) {
	case ECP_BLOCK:
		assert_block_equal(a->block, b->block);
		assert_int_equal(a->value, b->value);
		assert_int_equal(a->flags, b->flags);
		assert_int_equal(a->role, b->role);
		assert_int_equal(a->hops, b->hops);
		assert_int_equal(a->origin, b->origin);
		assert_null(b->cert);
		break;
	case ECP_COMMIT:
		assert_block_equal(a->block, b->block);
		assert_cert_equal(a->cert, b->cert);
		assert_int_equal(b->role, 0);
		assert_int_equal(b->value, 0);
		break;
	case ECP_VOTE:
		assert_int_equal(a->role, b->role);
		assert_int_equal(a->value, b->value);
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
	default:
		assert_int_equal(b->role, 0);
		break;
	}
	if (a->kind != ECP_BLOCK && a->kind != ECP_COMMIT) {
		assert_null(b->block);
		assert_null(b->cert);
	}
	if (a->kind != ECP_BLOCK) {
		assert_int_equal(b->hops, 0);
		assert_int_equal(b->flags, 0);
		assert_int_equal(b->origin, 0);
	}
}

/* Encodes it into a fresh heap buffer; checks size == length. */
static uint8_t *
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
static ec_wire_reason
decode_item(const uint8_t *in, size_t len, ecp_item *out, void **mem)
{
	uint8_t *copy = dup_exact(in, len);
	size_t need = 0;
	ec_wire_reason r = ec_wire_item_measure(copy, len, &need);
	*mem = NULL;
	if (r == EC_WIRE_OK) {
		assert_true(need <= 2 * len);
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

static ec_wire_reason
block_decode_copy(const uint8_t *in, size_t len)
{
	uint8_t *copy = dup_exact(in, len);
	ecp_block *b = block_new(ECP_MAX_PARTS);
	ec_wire_reason r = ec_wire_block_decode(copy, len, b, ECP_MAX_PARTS);
	free(b);
	free(copy);
	return r;
}

static ec_wire_reason
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

static ec_wire_reason
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

static ec_wire_reason
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
static uint8_t *
read_vector(const char *name, size_t *len)
{
	char path[1024];
	const char *dir = getenv("EC_WIRE_VECTORS");
	if (dir) {
		snprintf(path, sizeof path, "%s/%s", dir, name);
	} else {
		const char *file = __FILE__; /* .../tests/unit/test_wire.c */
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

static void
assert_bytes_match_vector(const uint8_t *got, size_t len, const char *name)
{
	size_t vlen;
	uint8_t *want = read_vector(name, &vlen);
	assert_int_equal(len, vlen);
	assert_memory_equal(got, want, len);
	free(want);
}

/* The values the vector files describe (see their comments). */
static ecp_block *
golden_block_create(void)
{
	ecp_block *b = block_new(1);
	b->time = 0x0807060504030201ull;
	b->parts[0].token = id_pattern_seq(0x01);
	b->parts[0].next_key = id_pattern_seq(0xA0);
	ec_wire_block_id(b, &b->id);
	return b;
}

static ecp_block *
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

static ecp_cert *
golden_cert(void)
{
	ecp_cert *c = cert_new(4);
	c->v[0] = (ecp_vote){.voter = 0x0100000000000005ull, .stamp = 10, .role = 0, .value = 1};
	c->v[1] = (ecp_vote){.voter = 0x0200000000000000ull, .stamp = 12, .role = 0, .value = 1};
	c->v[2] = (ecp_vote){.voter = 7, .stamp = 0xFFFFFFFFu, .role = 1, .value = -1};
	c->v[3] = (ecp_vote){.voter = UINT64_MAX, .stamp = 1, .role = ECP_ROLE_WITNESS, .value = 1};
	return c;
}

static void
check_golden_block(ecp_block *b, const char *name, const char *id_name)
{
	size_t size = ec_wire_block_size(b->nparts), len;
	uint8_t *buf = malloc(size);
	assert_int_equal(ec_wire_block_encode(b, buf, size, &len), EC_OK);
	assert_bytes_match_vector(buf, len, name);

	size_t idlen;
	uint8_t *want = read_vector(id_name, &idlen);
	assert_int_equal(idlen, 32);
	uint8_t got[32];
	ec_id_to_bytes(&b->id, got); /* streaming ec_wire_block_id */
	assert_memory_equal(got, want, 32);
	ecp_block *d = block_new(b->nparts);
	assert_int_equal(ec_wire_block_decode(buf, len, d, b->nparts), EC_WIRE_OK);
	ec_id_to_bytes(&d->id, got); /* one-shot hash of the received prefix */
	assert_memory_equal(got, want, 32);
	assert_block_equal(b, d);
	free(d);
	free(want);
	free(buf);
}

static void
test_golden_blocks(void **state)
{
	(void)state;
	ecp_block *a = golden_block_create(), *b = golden_block_transfer();
	check_golden_block(a, "block_create.hex", "block_create.id.hex");
	check_golden_block(b, "block_transfer.hex", "block_transfer.id.hex");
	free(a);
	free(b);
}

static void
test_golden_cert(void **state)
{
	(void)state;
	ecp_cert *c = golden_cert(), *d = cert_new(4);
	uint8_t buf[128];
	size_t len;
	assert_int_equal(ec_wire_cert_encode(c, buf, sizeof buf, &len), EC_OK);
	assert_int_equal(len, ec_wire_cert_size(4));
	assert_bytes_match_vector(buf, len, "cert.hex");
	assert_int_equal(ec_wire_cert_decode(buf, len, d, 4), EC_WIRE_OK);
	assert_cert_equal(c, d);
	free(c);
	free(d);
}

static void
check_golden_item(const ecp_item *it, const char *name)
{
	size_t len;
	uint8_t *buf = encode_item(it, &len);
	assert_bytes_match_vector(buf, len, name);
	ecp_item back;
	void *mem;
	assert_int_equal(decode_item(buf, len, &back, &mem), EC_WIRE_OK);
	assert_item_equal(it, &back);
	free(mem);
	free(buf);
}

static void
test_golden_items(void **state)
{
	(void)state;
	ecp_block *a = golden_block_create(), *b = golden_block_transfer();
	ecp_cert *c = golden_cert();
	ecp_item items[] = {
		{.kind = ECP_BLOCK, .value = 1, .flags = ECP_F_COVERED, .role = ECP_ROLE_WITNESS,
		 .hops = 3, .origin = 0x1122334455667788ull, .block_id = a->id, .block = a},
		{.kind = ECP_VOTE, .value = -1, .role = 2, .block_id = id_pattern_seq(0x40)},
		{.kind = ECP_COMMIT, .block_id = b->id, .block = b, .cert = c},
		{.kind = ECP_BLOCKED, .value = -1, .role = 1, .block_id = id_pattern_seq(0x60)},
		{.kind = ECP_POLL, .block_id = id_pattern_seq(0x80)},
		{.kind = ECP_FETCH, .block_id = id_pattern_seq(0x80)},
		{.kind = ECP_WITHDRAW, .role = 0, .block_id = id_pattern_seq(0x60)},
		{.kind = ECP_WITHDRAWN, .role = ECP_ROLE_WITNESS, .block_id = id_pattern_seq(0x60)},
	};
	static const char *const names[] = {"item_block.hex",   "item_vote.hex",
	                                    "item_commit.hex",  "item_blocked.hex",
	                                    "item_poll.hex",    "item_fetch.hex",
	                                    "item_withdraw.hex", "item_withdrawn.hex"};
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
		check_golden_item(&items[i], names[i]);

	/* the envelope: VOTE, POLL, BLOCK */
	ecp_item env_items[3] = {items[1], items[4], items[0]};
	ec_wire_env env = {.sender = 0xDEADBEEF00000001ull, .n = 3, .items = env_items};
	size_t size = ec_wire_env_size(&env), len;
	uint8_t *buf = malloc(size);
	assert_int_equal(ec_wire_env_encode(&env, buf, size, &len), EC_OK);
	assert_int_equal(len, size);
	assert_bytes_match_vector(buf, len, "envelope.hex");
	size_t need;
	assert_int_equal(ec_wire_env_measure(buf, len, &need), EC_WIRE_OK);
	void *mem = malloc(need);
	ec_wire_env back;
	assert_int_equal(ec_wire_env_decode(buf, len, &back, mem, need), EC_WIRE_OK);
	assert_int_equal(back.sender, env.sender);
	assert_int_equal(back.n, 3);
	for (uint32_t i = 0; i < 3; i++)
		assert_item_equal(&env_items[i], &back.items[i]);
	free(mem);
	free(buf);
	free(a);
	free(b);
	free(c);
}

/* ---- round trips ------------------------------------------------------------- */

static void
test_block_roundtrip_property(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 1);
	ecp_block *d = block_new(ECP_MAX_PARTS);
	for (uint32_t iter = 0; iter < 600; iter++) {
		/* every part count once, then random ones */
		uint32_t n = iter < ECP_MAX_PARTS ? iter + 1 : ec_rng_range_u32(&rng, 1, ECP_MAX_PARTS);
		ecp_block *b = random_block(&rng, n);
		assert_int_equal(ec_wire_block_check(b), EC_WIRE_OK);
		size_t size = ec_wire_block_size(n), len = 0;
		assert_int_equal(size, 12 + 192 * (size_t)n);
		uint8_t *buf = malloc(size);
		assert_int_equal(ec_wire_block_encode(b, buf, size, &len), EC_OK);
		assert_int_equal(len, size);

		uint32_t peek = 0;
		assert_int_equal(ec_wire_block_peek(buf, len, &peek), EC_WIRE_OK);
		assert_int_equal(peek, n);
		memset(d, 0xA5, ecp_block_size(ECP_MAX_PARTS));
		assert_int_equal(ec_wire_block_decode(buf, len, d, n), EC_WIRE_OK);
		assert_block_equal(b, d); /* includes the id */

		/* the id is BLAKE3 of the unsigned prefix */
		uint8_t h[32], idb[32];
		ec_blake3(buf, 12 + 128 * (size_t)n, h);
		ec_id_to_bytes(&d->id, idb);
		assert_memory_equal(h, idb, 32);

		/* re-encoding gives the same bytes */
		uint8_t *again = malloc(size);
		assert_int_equal(ec_wire_block_encode(d, again, size, &len), EC_OK);
		assert_memory_equal(buf, again, size);
		free(again);
		free(buf);
		free(b);
	}
	free(d);
}

static void
test_block_id_ignores_signatures(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 2);
	ecp_block *b = random_block(&rng, 5);
	ec_id before = b->id, after, other;
	for (uint32_t i = 0; i < 5; i++)
		if (!ec_id_is_zero(&b->parts[i].parent))
			b->parts[i].sig[7] ^= 0x40;
	ec_wire_block_id(b, &after);
	assert_true(ec_id_eq(&before, &after));
	/* but every unsigned field counts: time, and a bit of a next key */
	b->time ^= 1;
	ec_wire_block_id(b, &other);
	assert_false(ec_id_eq(&before, &other));
	b->time ^= 1;
	b->parts[4].next_key.w[3] ^= 1;
	ec_wire_block_id(b, &other);
	assert_false(ec_id_eq(&before, &other));
	free(b);
}

/* The protocol core computes block ids with its own streaming hash
 * (ecp_block_id, ec/lifecycle.h); it must agree with the wire layout. */
static void
test_block_id_matches_lifecycle(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 9);
	ecp_block *g[2] = {golden_block_create(), golden_block_transfer()};
	for (uint32_t iter = 0; iter < 2 + 100; iter++) {
		ecp_block *b = iter < 2 ? g[iter]
		                        : random_block(&rng, ec_rng_range_u32(&rng, 1, ECP_MAX_PARTS));
		ec_id core;
		ecp_block_id(b, &core);
		assert_true(ec_id_eq(&core, &b->id));
		if (iter >= 2)
			free(b);
	}
	free(g[0]);
	free(g[1]);
}

static void
test_item_roundtrip_property(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 3);
	for (uint32_t iter = 0; iter < 2000; iter++) {
		uint8_t kind = (uint8_t)(iter < 8 * 16 ? iter % 8 + 1 : ec_rng_range_u32(&rng, 1, 8));
		ecp_block *ob;
		ecp_cert *oc;
		ecp_item it = random_item(&rng, kind, &ob, &oc);
		assert_int_equal(ec_wire_item_check(&it), EC_WIRE_OK);
		size_t len;
		uint8_t *buf = encode_item(&it, &len); /* checks size == length */
		ecp_item back;
		void *mem;
		assert_int_equal(decode_item(buf, len, &back, &mem), EC_WIRE_OK);
		assert_item_equal(&it, &back);
		size_t len2;
		uint8_t *again = encode_item(&back, &len2);
		assert_int_equal(len, len2);
		assert_memory_equal(buf, again, len);
		free(again);
		free(mem);
		free(buf);
		free(ob);
		free(oc);
	}
}

static void
test_item_size_matches_model_shape(void **state)
{
	(void)state;
	/* sizes as in docs/wire.md, for the lead's byte accounting */
	ecp_block *b = golden_block_transfer();
	ecp_cert *c = golden_cert();
	ecp_item it = {.kind = ECP_BLOCK, .block = b, .block_id = b->id};
	assert_int_equal(ec_wire_item_size(&it), 2 + 12 + 3 * 192 + 14);
	it = (ecp_item){.kind = ECP_COMMIT, .block = b, .cert = c, .block_id = b->id};
	assert_int_equal(ec_wire_item_size(&it), 2 + 12 + 3 * 192 + 4 + 4 * 15);
	it = (ecp_item){.kind = ECP_VOTE, .value = 1};
	assert_int_equal(ec_wire_item_size(&it), 37);
	for (uint8_t k = ECP_BLOCKED; k <= ECP_WITHDRAWN; k++) {
		it = (ecp_item){.kind = k};
		size_t want = k == ECP_POLL || k == ECP_FETCH ? 34 : 36;
		assert_int_equal(ec_wire_item_size(&it), want);
	}
	/* items that cannot be encoded have size 0 */
	it = (ecp_item){.kind = ECP_BLOCK};
	assert_int_equal(ec_wire_item_size(&it), 0);
	it = (ecp_item){.kind = ECP_COMMIT, .block = b};
	assert_int_equal(ec_wire_item_size(&it), 0);
	it = (ecp_item){.kind = 0};
	assert_int_equal(ec_wire_item_size(&it), 0);
	it = (ecp_item){.kind = ECP_KIND_MAX + 1};
	assert_int_equal(ec_wire_item_size(&it), 0);
	free(b);
	free(c);
}

static void
test_env_roundtrip_property(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 4);
	for (uint32_t iter = 0; iter < 200; iter++) {
		uint32_t n = ec_rng_range_u32(&rng, 1, 24);
		ecp_item items[24];
		ecp_block *ob[24];
		ecp_cert *oc[24];
		for (uint32_t i = 0; i < n; i++)
			items[i] = random_item(&rng, (uint8_t)ec_rng_range_u32(&rng, 1, 8), &ob[i], &oc[i]);
		ec_wire_env env = {.sender = ec_rng_u64(&rng), .n = n, .items = items};
		size_t size = ec_wire_env_size(&env), sum = EC_WIRE_ENV_HDR, len;
		for (uint32_t i = 0; i < n; i++)
			sum += ec_wire_item_size(&items[i]);
		assert_int_equal(size, sum);
		uint8_t *buf = malloc(size);
		assert_int_equal(ec_wire_env_encode(&env, buf, size, &len), EC_OK);
		assert_int_equal(len, size);
		size_t need;
		assert_int_equal(ec_wire_env_measure(buf, len, &need), EC_WIRE_OK);
		assert_true(need <= 2 * len);
		uint8_t *mem = malloc(need);
		ec_wire_env back;
		/* one byte short of the measured memory is refused */
		assert_int_equal(ec_wire_env_decode(buf, len, &back, mem, need - 1), EC_WIRE_NOSPACE);
		assert_int_equal(ec_wire_env_decode(buf, len, &back, mem, need), EC_WIRE_OK);
		assert_int_equal(back.sender, env.sender);
		assert_int_equal(back.n, n);
		for (uint32_t i = 0; i < n; i++)
			assert_item_equal(&items[i], &back.items[i]);
		uint8_t *again = malloc(size);
		assert_int_equal(ec_wire_env_encode(&back, again, size, &len), EC_OK);
		assert_memory_equal(buf, again, size);
		free(again);
		free(mem);
		free(buf);
		for (uint32_t i = 0; i < n; i++) {
			free(ob[i]);
			free(oc[i]);
		}
	}
}

static void
test_cert_roundtrip_and_sort(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 5);
	for (uint32_t iter = 0; iter < 200; iter++) {
		uint32_t n = iter == 0 ? 0 : ec_rng_range_u32(&rng, 1, 300);
		ecp_cert *c = random_cert(&rng, ECP_MAX_PARTS, n, false);
		ecp_cert *want = cert_new(n);
		memcpy(want->v, c->v, n * sizeof c->v[0]);
		qsort(want->v, n, sizeof want->v[0], vote_cmp_qsort);
		ec_wire_cert_sort(c);
		assert_cert_equal(want, c);
		assert_int_equal(ec_wire_cert_check(c, 0), EC_WIRE_OK);
		size_t size = ec_wire_cert_size(n), len;
		uint8_t *buf = malloc(size ? size : 1);
		assert_int_equal(ec_wire_cert_encode(c, buf, size, &len), EC_OK);
		assert_int_equal(len, size);
		uint32_t peek;
		assert_int_equal(ec_wire_cert_peek(buf, len, &peek), EC_WIRE_OK);
		assert_int_equal(peek, n);
		ecp_cert *d = cert_new(n);
		assert_int_equal(ec_wire_cert_decode(buf, len, d, n), EC_WIRE_OK);
		assert_cert_equal(c, d);
		if (n)
			assert_int_equal(ec_wire_cert_decode(buf, len, d, n - 1), EC_WIRE_NOSPACE);
		free(d);
		free(buf);
		free(want);
		free(c);
	}
}

/* ---- truncation and trailing bytes -------------------------------------------- */

typedef ec_wire_reason (*decode_fn)(const uint8_t *in, size_t len);

static void
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

static ec_wire_reason
peek_copy(const uint8_t *in, size_t len)
{
	uint8_t *copy = dup_exact(in, len);
	uint32_t n;
	ec_wire_reason r = ec_wire_block_peek(copy, len, &n);
	free(copy);
	return r;
}

static void
test_truncation_every_length(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 6);
	for (uint32_t n = 1; n <= 4; n++) {
		ecp_block *b = random_block(&rng, n);
		size_t size = ec_wire_block_size(n), len;
		uint8_t *buf = malloc(size);
		assert_int_equal(ec_wire_block_encode(b, buf, size, &len), EC_OK);
		check_truncations_and_trailing(buf, len, block_decode_copy);
		check_truncations_and_trailing(buf, len, peek_copy);
		free(buf);
		free(b);
	}
	for (uint8_t kind = 1; kind <= ECP_KIND_MAX; kind++) {
		ecp_block *ob;
		ecp_cert *oc;
		ecp_item it = random_item(&rng, kind, &ob, &oc);
		if (kind == ECP_BLOCK || kind == ECP_COMMIT) { /* keep it small */
			free(ob);
			free(oc);
			ob = random_block(&rng, 2);
			it.block = ob;
			it.block_id = ob->id;
			it.role = ECP_ROLE_WITNESS;
			oc = kind == ECP_COMMIT ? random_cert(&rng, 2, 5, true) : NULL;
			it.cert = oc;
		}
		size_t len;
		uint8_t *buf = encode_item(&it, &len);
		check_truncations_and_trailing(buf, len, item_measure_copy);
		free(buf);
		ecp_item three[3] = {it, it, it};
		ec_wire_env env = {.sender = 9, .n = 3, .items = three};
		size_t size = ec_wire_env_size(&env);
		buf = malloc(size);
		assert_int_equal(ec_wire_env_encode(&env, buf, size, &len), EC_OK);
		check_truncations_and_trailing(buf, len, env_measure_copy);
		free(buf);
		free(ob);
		free(oc);
	}
	ecp_cert *c = golden_cert();
	uint8_t buf[128];
	size_t len;
	assert_int_equal(ec_wire_cert_encode(c, buf, sizeof buf, &len), EC_OK);
	check_truncations_and_trailing(buf, len, cert_decode_copy);
	free(c);
}

/* ---- canonical rules: decoder side -------------------------------------------- */

/* Encodes the golden transfer block (3 parts: create, transfer, destroy). */
static uint8_t *
transfer_bytes(size_t *len)
{
	ecp_block *b = golden_block_transfer();
	size_t size = ec_wire_block_size(3);
	uint8_t *buf = malloc(size);
	assert_int_equal(ec_wire_block_encode(b, buf, size, len), EC_OK);
	free(b);
	return buf;
}

#define PART(i) (12u + 128u * (i))
#define SIG(n, i) (12u + 128u * (n) + 64u * (i))

static void
test_reject_bad_type_and_version(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = transfer_bytes(&len);
	static const uint8_t bad_types[] = {0x00, 0xB0, 0xB2, 0xC1, 0xCE, 0xE1, 0xFF};
	for (size_t i = 0; i < sizeof bad_types; i++) {
		buf[0] = bad_types[i];
		assert_int_equal(block_decode_copy(buf, len), EC_WIRE_BAD_TYPE);
	}
	buf[0] = EC_WIRE_T_BLOCK;
	static const uint8_t bad_versions[] = {0, 2, 0xFF};
	for (size_t i = 0; i < sizeof bad_versions; i++) {
		buf[1] = bad_versions[i];
		assert_int_equal(block_decode_copy(buf, len), EC_WIRE_BAD_VERSION);
	}
	free(buf);

	/* items: 0xC0 and 0xC9 are no item; a nested block or cert needs its
	 * own type and version */
	uint8_t vote[37] = {0xC2, 1};
	vote[34] = 0;
	vote[36] = 1;
	assert_int_equal(item_measure_copy(vote, sizeof vote), EC_WIRE_OK);
	vote[0] = 0xC0;
	assert_int_equal(item_measure_copy(vote, sizeof vote), EC_WIRE_BAD_TYPE);
	vote[0] = 0xC9;
	assert_int_equal(item_measure_copy(vote, sizeof vote), EC_WIRE_BAD_TYPE);
	vote[0] = EC_WIRE_T_BLOCK;
	assert_int_equal(item_measure_copy(vote, sizeof vote), EC_WIRE_BAD_TYPE);
	vote[0] = 0xC2;
	vote[1] = 2;
	assert_int_equal(item_measure_copy(vote, sizeof vote), EC_WIRE_BAD_VERSION);

	size_t clen;
	uint8_t *commit = read_vector("item_commit.hex", &clen);
	assert_int_equal(item_measure_copy(commit, clen), EC_WIRE_OK);
	commit[2] = 0xB2; /* the nested block's type */
	assert_int_equal(item_measure_copy(commit, clen), EC_WIRE_BAD_TYPE);
	commit[2] = EC_WIRE_T_BLOCK;
	commit[3] = 0; /* its version */
	assert_int_equal(item_measure_copy(commit, clen), EC_WIRE_BAD_VERSION);
	commit[3] = 1;
	size_t cert_at = 2 + ec_wire_block_size(3);
	commit[cert_at] = EC_WIRE_T_BLOCK; /* the nested cert's type */
	assert_int_equal(item_measure_copy(commit, clen), EC_WIRE_BAD_TYPE);
	commit[cert_at] = EC_WIRE_T_CERT;
	commit[cert_at + 1] = 7;
	assert_int_equal(item_measure_copy(commit, clen), EC_WIRE_BAD_VERSION);
	free(commit);

	size_t elen;
	uint8_t *env = read_vector("envelope.hex", &elen);
	env[0] = 0xE2;
	assert_int_equal(env_measure_copy(env, elen), EC_WIRE_BAD_TYPE);
	env[0] = EC_WIRE_T_ENVELOPE;
	env[1] = 0;
	assert_int_equal(env_measure_copy(env, elen), EC_WIRE_BAD_VERSION);
	env[1] = 1;
	env[12] = EC_WIRE_T_ENVELOPE; /* an envelope is not an item */
	assert_int_equal(env_measure_copy(env, elen), EC_WIRE_BAD_TYPE);
	free(env);

	size_t celen;
	uint8_t *cert = read_vector("cert.hex", &celen);
	cert[0] = 0xCF;
	assert_int_equal(cert_decode_copy(cert, celen), EC_WIRE_BAD_TYPE);
	cert[0] = EC_WIRE_T_CERT;
	cert[1] = 2;
	assert_int_equal(cert_decode_copy(cert, celen), EC_WIRE_BAD_VERSION);
	free(cert);
}

static void
test_reject_nparts(void **state)
{
	(void)state;
	uint8_t hdr[12] = {EC_WIRE_T_BLOCK, 1};
	static const uint16_t bad[] = {0, 257, 0x1000, 0xFFFF};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		hdr[10] = (uint8_t)bad[i];
		hdr[11] = (uint8_t)(bad[i] >> 8);
		assert_int_equal(block_decode_copy(hdr, sizeof hdr), EC_WIRE_BAD_NPARTS);
		assert_int_equal(peek_copy(hdr, sizeof hdr), EC_WIRE_BAD_NPARTS);
	}
	/* 256 parts is fine; the header alone is then truncated */
	hdr[10] = 0;
	hdr[11] = 1;
	assert_int_equal(block_decode_copy(hdr, sizeof hdr), EC_WIRE_TRUNCATED);
}

static void
test_reject_zero_token(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = transfer_bytes(&len);
	memset(buf + PART(0), 0, 32);
	assert_int_equal(block_decode_copy(buf, len), EC_WIRE_ZERO_TOKEN);
	free(buf);
}

static void
test_reject_part_order(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = transfer_bytes(&len);
	/* duplicate token */
	memcpy(buf + PART(1), buf + PART(0), 32);
	assert_int_equal(block_decode_copy(buf, len), EC_WIRE_PART_ORDER);
	free(buf);
	buf = transfer_bytes(&len);
	/* descending: part 2's token below part 1's, in the last byte only */
	memcpy(buf + PART(2), buf + PART(1), 32);
	buf[PART(2) + 31] = 0x1F;
	assert_int_equal(block_decode_copy(buf, len), EC_WIRE_PART_ORDER);
	buf[PART(2) + 31] = 0x21; /* just above: fine */
	assert_int_equal(block_decode_copy(buf, len), EC_WIRE_OK);
	free(buf);
}

static void
test_reject_create_signed(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = transfer_bytes(&len);
	buf[PART(0) + 96 + 31] = 1; /* signer of the create part */
	assert_int_equal(block_decode_copy(buf, len), EC_WIRE_CREATE_SIGNED);
	free(buf);
	buf = transfer_bytes(&len);
	buf[SIG(3, 0) + 63] = 1; /* signature of the create part */
	assert_int_equal(block_decode_copy(buf, len), EC_WIRE_CREATE_SIGNED);
	free(buf);
}

static void
test_reject_unsigned(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = transfer_bytes(&len);
	memset(buf + PART(1) + 96, 0, 32); /* transfer part without signer */
	assert_int_equal(block_decode_copy(buf, len), EC_WIRE_UNSIGNED);
	free(buf);
	buf = transfer_bytes(&len);
	memset(buf + PART(2) + 96, 0, 32); /* destroy part without signer */
	assert_int_equal(block_decode_copy(buf, len), EC_WIRE_UNSIGNED);
	free(buf);
}

static void
test_reject_bad_role(void **state)
{
	(void)state;
	size_t len;
	/* BLOCK item: the golden one carries a one-part block */
	uint8_t *buf = read_vector("item_block.hex", &len);
	size_t role_at = 2 + ec_wire_block_size(1) + 2;
	static const uint16_t bad[] = {1, 2, 255, 256, 0xFFFE};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		buf[role_at] = (uint8_t)bad[i];
		buf[role_at + 1] = (uint8_t)(bad[i] >> 8);
		assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_ROLE);
	}
	buf[role_at] = 0;
	buf[role_at + 1] = 0;
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_OK);
	free(buf);

	/* VOTE, BLOCKED, WITHDRAW, WITHDRAWN: role below 256 or the witness */
	static const char *const names[] = {"item_vote.hex", "item_blocked.hex",
	                                    "item_withdraw.hex", "item_withdrawn.hex"};
	for (size_t k = 0; k < 4; k++) {
		buf = read_vector(names[k], &len);
		buf[34] = 0x00;
		buf[35] = 0x01; /* 256 */
		assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_ROLE);
		buf[34] = 0xFE;
		buf[35] = 0xFF;
		assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_ROLE);
		buf[34] = 0xFF; /* 255 */
		buf[35] = 0x00;
		assert_int_equal(item_measure_copy(buf, len), EC_WIRE_OK);
		free(buf);
	}

	/* COMMIT: certificate roles below the block's part count (3) */
	buf = read_vector("item_commit.hex", &len);
	size_t vote2_role = 2 + ec_wire_block_size(3) + 4 + 2 * 15 + 12;
	assert_int_equal(buf[vote2_role], 1);
	buf[vote2_role] = 3;
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_ROLE);
	buf[vote2_role] = 2; /* still ascending (0, 0, 2, witness): fine */
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_OK);
	free(buf);

	/* stand-alone certificate: roles below 256 */
	buf = read_vector("cert.hex", &len);
	buf[4 + 2 * 15 + 12] = 0x00;
	buf[4 + 2 * 15 + 13] = 0x01;
	assert_int_equal(cert_decode_copy(buf, len), EC_WIRE_BAD_ROLE);
	free(buf);
}

static void
test_reject_bad_value(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = read_vector("item_vote.hex", &len);
	static const uint8_t bad_vote[] = {0x00, 0x02, 0xFE, 0x7F, 0x80};
	for (size_t i = 0; i < sizeof bad_vote; i++) {
		buf[36] = bad_vote[i];
		assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_VALUE);
	}
	buf[36] = 0x01;
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_OK);
	free(buf);

	buf = read_vector("item_block.hex", &len);
	size_t value_at = 2 + ec_wire_block_size(1);
	static const uint8_t bad_block[] = {0x02, 0xFE, 0x80};
	for (size_t i = 0; i < sizeof bad_block; i++) {
		buf[value_at] = bad_block[i];
		assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_VALUE);
	}
	buf[value_at] = 0x00; /* a BLOCK item may carry no vote */
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_OK);
	buf[value_at] = 0xFF;
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_OK);
	free(buf);

	buf = read_vector("cert.hex", &len);
	buf[4 + 14] = 0x00;
	assert_int_equal(cert_decode_copy(buf, len), EC_WIRE_BAD_VALUE);
	free(buf);
}

static void
test_reject_bad_flags(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = read_vector("item_block.hex", &len);
	size_t flags_at = 2 + ec_wire_block_size(1) + 1;
	static const uint8_t bad[] = {0x04, 0x07, 0x80, 0xFF};
	for (size_t i = 0; i < sizeof bad; i++) {
		buf[flags_at] = bad[i];
		assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_FLAGS);
	}
	buf[flags_at] = 0;
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_OK);
	free(buf);
}

static void
test_reject_cert_count(void **state)
{
	(void)state;
	uint8_t hdr[4] = {EC_WIRE_T_CERT, 1};
	uint16_t n = EC_WIRE_CERT_MAX_VOTES + 1;
	hdr[2] = (uint8_t)n;
	hdr[3] = (uint8_t)(n >> 8);
	assert_int_equal(cert_decode_copy(hdr, sizeof hdr), EC_WIRE_CERT_COUNT);
	hdr[2] = hdr[3] = 0xFF;
	assert_int_equal(cert_decode_copy(hdr, sizeof hdr), EC_WIRE_CERT_COUNT);
	/* the maximum itself is accepted (a full certificate) */
	ec_rng rng;
	rng_fresh(&rng, 7);
	ecp_cert *c = cert_new(EC_WIRE_CERT_MAX_VOTES);
	for (uint32_t i = 0; i < c->n; i++)
		c->v[i] = (ecp_vote){.voter = i % 129, .stamp = ec_rng_u32(&rng),
		                     .role = i / 129 == ECP_MAX_PARTS ? (uint16_t)ECP_ROLE_WITNESS
		                                                      : (uint16_t)(i / 129),
		                     .value = 1};
	assert_int_equal(ec_wire_cert_check(c, 0), EC_WIRE_OK);
	size_t size = ec_wire_cert_size(c->n), len;
	uint8_t *buf = malloc(size);
	assert_int_equal(ec_wire_cert_encode(c, buf, size, &len), EC_OK);
	assert_int_equal(cert_decode_copy(buf, len), EC_WIRE_OK);
	free(buf);
	c->n++; /* one more is refused by the encoder (the memory is there) */
	assert_int_equal(ec_wire_cert_check(c, 0), EC_WIRE_CERT_COUNT);
	free(c);
}

static void
test_reject_cert_order(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = read_vector("cert.hex", &len);
	/* vote 1 = vote 0: duplicate (role, voter) */
	memcpy(buf + 4 + 15, buf + 4, 15);
	assert_int_equal(cert_decode_copy(buf, len), EC_WIRE_CERT_ORDER);
	free(buf);
	buf = read_vector("cert.hex", &len);
	/* same voter, other stamp and value: still a duplicate */
	memcpy(buf + 4 + 15, buf + 4, 8);
	assert_int_equal(cert_decode_copy(buf, len), EC_WIRE_CERT_ORDER);
	free(buf);
	buf = read_vector("cert.hex", &len);
	/* voters descending within role 0: swap votes 0 and 1 */
	uint8_t t[15];
	memcpy(t, buf + 4, 15);
	memcpy(buf + 4, buf + 4 + 15, 15);
	memcpy(buf + 4 + 15, t, 15);
	assert_int_equal(cert_decode_copy(buf, len), EC_WIRE_CERT_ORDER);
	free(buf);
	buf = read_vector("cert.hex", &len);
	/* roles descending: vote 2 (role 1) moved before the role-0 votes */
	memcpy(t, buf + 4 + 30, 15);
	memmove(buf + 4 + 15, buf + 4, 30);
	memcpy(buf + 4, t, 15);
	assert_int_equal(cert_decode_copy(buf, len), EC_WIRE_CERT_ORDER);
	free(buf);
}

static void
test_reject_empty_envelope(void **state)
{
	(void)state;
	uint8_t env[12] = {EC_WIRE_T_ENVELOPE, 1, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0};
	assert_int_equal(env_measure_copy(env, sizeof env), EC_WIRE_EMPTY_ENVELOPE);
	ec_wire_env e = {.sender = 1, .n = 0, .items = NULL};
	uint8_t out[64];
	assert_int_equal(ec_wire_env_encode(&e, out, sizeof out, NULL), EC_EINVAL);
	/* count 1 with no item: truncated */
	env[10] = 1;
	assert_int_equal(env_measure_copy(env, sizeof env), EC_WIRE_TRUNCATED);
}

static void
test_reject_envelope_item(void **state)
{
	(void)state;
	/* a bad item anywhere in an envelope rejects the envelope with the
	 * item's reason */
	size_t len;
	uint8_t *env = read_vector("envelope.hex", &len);
	size_t vote_value = 12 + 36;
	env[vote_value] = 0;
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_BAD_VALUE);
	env[vote_value] = 0xFF;
	size_t flags_at = len - 13; /* the BLOCK item is last: flags, role, hops, origin */
	assert_int_equal(env[flags_at], 0x01);
	env[flags_at] = 0x04;
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_BAD_FLAGS);
	env[flags_at] = 0x01;
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_OK);
	/* count says 2: the third item is trailing */
	env[10] = 2;
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_TRAILING);
	/* count says 4: truncated */
	env[10] = 4;
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_TRUNCATED);
	/* found by libFuzzer: a count the bytes could hold (7 x 34) but the
	 * items do not fill, and a bad last item.  The item array is reserved
	 * before the bad item shows; ec_wire_decode_bound must still cover it,
	 * so the decoder reports the item's reason, not EC_WIRE_NOSPACE
	 * (env_measure_copy decodes with exactly the bound) */
	env[10] = 7;
	size_t sig_at = len - 14 - 64; /* the create part's signature */
	env[sig_at] = 1;
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_CREATE_SIGNED);
	free(env);
}

static void
test_nospace(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = transfer_bytes(&len);
	ecp_block *b = block_new(3);
	assert_int_equal(ec_wire_block_decode(buf, len, b, 2), EC_WIRE_NOSPACE);
	assert_int_equal(ec_wire_block_decode(buf, len, b, 3), EC_WIRE_OK);
	free(b);
	free(buf);

	buf = read_vector("item_commit.hex", &len);
	size_t need;
	assert_int_equal(ec_wire_item_measure(buf, len, &need), EC_WIRE_OK);
	assert_int_equal(need, ecp_block_size(3) + sizeof(ecp_cert) + 4 * sizeof(ecp_vote));
	uint64_t *mem = malloc(need + 16);
	ecp_item it;
	assert_int_equal(ec_wire_item_decode(buf, len, &it, mem, need - 1), EC_WIRE_NOSPACE);
	assert_int_equal(ec_wire_item_decode(buf, len, &it, NULL, 0), EC_WIRE_NOSPACE);
	assert_int_equal(ec_wire_item_decode(buf, len, &it, (uint8_t *)mem + 1, need),
	                 EC_WIRE_NOSPACE); /* misaligned */
	assert_int_equal(ec_wire_item_decode(buf, len, &it, mem, need), EC_WIRE_OK);
	free(mem);
	free(buf);

	/* items without a body need no memory */
	buf = read_vector("item_vote.hex", &len);
	assert_int_equal(ec_wire_item_measure(buf, len, &need), EC_WIRE_OK);
	assert_int_equal(need, 0);
	assert_int_equal(ec_wire_item_decode(buf, len, &it, NULL, 0), EC_WIRE_OK);
	free(buf);

	/* encoders: a buffer one byte short */
	ecp_block *g = golden_block_transfer();
	uint8_t out[1024];
	assert_int_equal(ec_wire_block_encode(g, out, ec_wire_block_size(3) - 1, NULL), EC_EFULL);
	ecp_item bi = {.kind = ECP_BLOCK, .block = g, .block_id = g->id};
	assert_int_equal(ec_wire_item_encode(&bi, out, ec_wire_item_size(&bi) - 1, NULL), EC_EFULL);
	ec_wire_env env = {.sender = 1, .n = 1, .items = &bi};
	assert_int_equal(ec_wire_env_encode(&env, out, ec_wire_env_size(&env) - 1, NULL), EC_EFULL);
	assert_int_equal(ec_wire_env_encode(&env, out, ec_wire_env_size(&env), NULL), EC_OK);
	free(g);
}

/* ---- canonical rules: encoder side --------------------------------------------- */

static void
expect_block_refused(const ecp_block *b, ec_wire_reason why)
{
	assert_int_equal(ec_wire_block_check(b), why);
	uint8_t out[2048];
	memset(out, 0x5A, sizeof out);
	assert_int_equal(ec_wire_block_encode(b, out, sizeof out, NULL), EC_EINVAL);
	assert_int_equal(out[0], 0x5A); /* nothing written */
	ecp_item it = {.kind = ECP_BLOCK, .block = b, .block_id = b->id};
	assert_int_equal(ec_wire_item_check(&it), why);
	assert_int_equal(ec_wire_item_encode(&it, out, sizeof out, NULL), EC_EINVAL);
}

static void
test_encoder_refuses_noncanonical_blocks(void **state)
{
	(void)state;
	ecp_block *b = golden_block_transfer();
	b->nparts = 0;
	expect_block_refused(b, EC_WIRE_BAD_NPARTS);
	b->nparts = 3;
	b->parts[0].token = (ec_id){{0, 0, 0, 0}};
	expect_block_refused(b, EC_WIRE_ZERO_TOKEN);
	b->parts[0].token = id_pattern_rep(0x10);
	b->parts[1].token = b->parts[0].token;
	expect_block_refused(b, EC_WIRE_PART_ORDER);
	b->parts[1].token = id_pattern_rep(0x40);
	expect_block_refused(b, EC_WIRE_PART_ORDER);
	b->parts[1].token = id_pattern_rep(0x20);
	b->parts[0].signer[0] = 1;
	expect_block_refused(b, EC_WIRE_CREATE_SIGNED);
	b->parts[0].signer[0] = 0;
	b->parts[0].sig[63] = 1;
	expect_block_refused(b, EC_WIRE_CREATE_SIGNED);
	b->parts[0].sig[63] = 0;
	memset(b->parts[2].signer, 0, 32);
	expect_block_refused(b, EC_WIRE_UNSIGNED);
	memset(b->parts[2].signer, 0x33, 32);
	assert_int_equal(ec_wire_block_check(b), EC_WIRE_OK);
	free(b);

	ecp_block *big = block_new(ECP_MAX_PARTS + 1);
	expect_block_refused(big, EC_WIRE_BAD_NPARTS);
	free(big);
}

static void
test_encoder_refuses_noncanonical_items(void **state)
{
	(void)state;
	ecp_block *b = golden_block_transfer();
	ecp_cert *c = golden_cert();
	uint8_t out[2048];
	struct {
		ecp_item it;
		ec_wire_reason why;
	} cases[] = {
		{{.kind = 0}, EC_WIRE_BAD_TYPE},
		{{.kind = ECP_KIND_MAX + 1}, EC_WIRE_BAD_TYPE},
		{{.kind = ECP_BLOCK}, EC_WIRE_NO_BODY},
		{{.kind = ECP_COMMIT, .block = b, .block_id = b->id}, EC_WIRE_NO_BODY},
		{{.kind = ECP_BLOCK, .block = b, .block_id = {{1, 2, 3, 4}}}, EC_WIRE_ID_MISMATCH},
		{{.kind = ECP_BLOCK, .block = b, .block_id = b->id, .value = 2}, EC_WIRE_BAD_VALUE},
		{{.kind = ECP_BLOCK, .block = b, .block_id = b->id, .flags = 4}, EC_WIRE_BAD_FLAGS},
		{{.kind = ECP_BLOCK, .block = b, .block_id = b->id, .role = 3}, EC_WIRE_BAD_ROLE},
		{{.kind = ECP_VOTE, .value = 0}, EC_WIRE_BAD_VALUE},
		{{.kind = ECP_VOTE, .value = 1, .role = 256}, EC_WIRE_BAD_ROLE},
		{{.kind = ECP_BLOCKED, .role = 0xFFFE}, EC_WIRE_BAD_ROLE},
		{{.kind = ECP_WITHDRAW, .role = 300}, EC_WIRE_BAD_ROLE},
		{{.kind = ECP_WITHDRAWN, .role = 256}, EC_WIRE_BAD_ROLE},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(ec_wire_item_check(&cases[i].it), cases[i].why);
		assert_int_equal(ec_wire_item_encode(&cases[i].it, out, sizeof out, NULL), EC_EINVAL);
		ec_wire_env env = {.sender = 1, .n = 1, .items = &cases[i].it};
		assert_int_equal(ec_wire_env_encode(&env, out, sizeof out, NULL), EC_EINVAL);
	}
	/* COMMIT certificates: roles within the block, values, order */
	ecp_item it = {.kind = ECP_COMMIT, .block = b, .cert = c, .block_id = b->id};
	assert_int_equal(ec_wire_item_check(&it), EC_WIRE_OK);
	c->v[2].role = 3;
	assert_int_equal(ec_wire_item_check(&it), EC_WIRE_BAD_ROLE);
	assert_int_equal(ec_wire_cert_check(c, 0), EC_WIRE_OK); /* fine stand-alone */
	c->v[2].role = 1;
	c->v[2].value = 0;
	assert_int_equal(ec_wire_item_check(&it), EC_WIRE_BAD_VALUE);
	assert_int_equal(ec_wire_cert_encode(c, out, sizeof out, NULL), EC_EINVAL);
	c->v[2].value = -1;
	ecp_vote t = c->v[0];
	c->v[0] = c->v[1];
	c->v[1] = t;
	assert_int_equal(ec_wire_item_check(&it), EC_WIRE_CERT_ORDER);
	assert_int_equal(ec_wire_cert_encode(c, out, sizeof out, NULL), EC_EINVAL);
	ec_wire_cert_sort(c);
	assert_int_equal(ec_wire_item_check(&it), EC_WIRE_OK);
	c->v[1] = c->v[0];
	assert_int_equal(ec_wire_cert_check(c, 3), EC_WIRE_CERT_ORDER);
	free(b);
	free(c);
}

static void
test_reason_strings(void **state)
{
	(void)state;
	for (int i = 0; i < EC_WIRE_REASON_COUNT; i++) {
		const char *s = ec_wire_reason_str((ec_wire_reason)i);
		assert_non_null(s);
		assert_string_not_equal(s, "unknown reason");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(s, ec_wire_reason_str((ec_wire_reason)j));
	}
	assert_string_equal(ec_wire_reason_str(EC_WIRE_REASON_COUNT), "unknown reason");
}

/* Random bytes and single-byte mutations of valid encodings: whatever
 * decodes re-encodes to the same bytes (the fuzz property, in miniature). */
static void
test_mutations_reencode(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 8);
	static const char *const names[] = {"envelope.hex", "item_commit.hex", "item_block.hex",
	                                    "item_vote.hex", "item_withdrawn.hex"};
	uint32_t accepted = 0;
	for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
		size_t len;
		uint8_t *orig = read_vector(names[f], &len);
		for (uint32_t iter = 0; iter < 400; iter++) {
			uint8_t *buf = dup_exact(orig, len);
			buf[ec_rng_index(&rng, len)] = (uint8_t)ec_rng_u32(&rng);
			size_t need;
			bool env = f == 0;
			ec_wire_reason r = env ? ec_wire_env_measure(buf, len, &need)
			                       : ec_wire_item_measure(buf, len, &need);
			if (r == EC_WIRE_OK) {
				accepted++;
				void *mem = malloc(need ? need : 8);
				uint8_t *again = malloc(len);
				size_t len2 = 0;
				if (env) {
					ec_wire_env e;
					assert_int_equal(ec_wire_env_decode(buf, len, &e, mem, need), EC_WIRE_OK);
					assert_int_equal(ec_wire_env_encode(&e, again, len, &len2), EC_OK);
				} else {
					ecp_item it;
					assert_int_equal(ec_wire_item_decode(buf, len, &it, mem, need), EC_WIRE_OK);
					assert_int_equal(ec_wire_item_encode(&it, again, len, &len2), EC_OK);
				}
				assert_int_equal(len2, len);
				assert_memory_equal(buf, again, len);
				free(again);
				free(mem);
			}
			free(buf);
		}
		free(orig);
	}
	assert_true(accepted > 100); /* most single-byte changes are still valid values */
}

int
main(void)
{
	const char *s = getenv("EC_TEST_SEED");
	if (s && *s)
		test_seed = strtoull(s, NULL, 10);
	printf("test_wire: EC_TEST_SEED=%llu\n", (unsigned long long)test_seed);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_blocks),
		cmocka_unit_test(test_golden_cert),
		cmocka_unit_test(test_golden_items),
		cmocka_unit_test(test_block_roundtrip_property),
		cmocka_unit_test(test_block_id_ignores_signatures),
		cmocka_unit_test(test_block_id_matches_lifecycle),
		cmocka_unit_test(test_item_roundtrip_property),
		cmocka_unit_test(test_item_size_matches_model_shape),
		cmocka_unit_test(test_env_roundtrip_property),
		cmocka_unit_test(test_cert_roundtrip_and_sort),
		cmocka_unit_test(test_truncation_every_length),
		cmocka_unit_test(test_reject_bad_type_and_version),
		cmocka_unit_test(test_reject_nparts),
		cmocka_unit_test(test_reject_zero_token),
		cmocka_unit_test(test_reject_part_order),
		cmocka_unit_test(test_reject_create_signed),
		cmocka_unit_test(test_reject_unsigned),
		cmocka_unit_test(test_reject_bad_role),
		cmocka_unit_test(test_reject_bad_value),
		cmocka_unit_test(test_reject_bad_flags),
		cmocka_unit_test(test_reject_cert_count),
		cmocka_unit_test(test_reject_cert_order),
		cmocka_unit_test(test_reject_empty_envelope),
		cmocka_unit_test(test_reject_envelope_item),
		cmocka_unit_test(test_nospace),
		cmocka_unit_test(test_encoder_refuses_noncanonical_blocks),
		cmocka_unit_test(test_encoder_refuses_noncanonical_items),
		cmocka_unit_test(test_reason_strings),
		cmocka_unit_test(test_mutations_reencode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
