/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the signed token lifecycle (ec/lifecycle.h), with both
 * signature schemes: the verdicts of ecp_part_check for creates, transfers,
 * rekeys, destroys, bad signatures and wrong parents; the content-hash
 * block id (every hashed field counts, signatures and the stored id do
 * not), and one golden id computed by the b3sum tool over the canonical
 * bytes, not by this code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec/blake3.h"
#include "ec/ecp.h"
#include "ec/lifecycle.h"
#include "ec/sig.h"

typedef struct keyp {
	uint8_t pk[EC_SIG_PK_BYTES], sk[EC_SIG_SK_BYTES];
	ec_id h; /* ec_key_hash(pk): what a parent names */
} keyp;

static void
mk_key(const ec_sig_scheme *s, uint8_t tag, keyp *k)
{
	uint8_t seed[EC_SIG_SEED_BYTES];
	for (unsigned i = 0; i < sizeof seed; i++)
		seed[i] = (uint8_t)(tag * 31 + i);
	s->keypair(seed, k->pk, k->sk);
	ec_key_hash(k->pk, &k->h);
}

static ecp_block *
new_block(uint32_t n)
{
	ecp_block *b = calloc(1, ecp_block_size(n));
	assert_non_null(b);
	b->nparts = n;
	return b;
}

static ecp_block *
copy(const ecp_block *b)
{
	ecp_block *c = new_block(b->nparts);
	memcpy(c, b, ecp_block_size(b->nparts));
	return c;
}

/* A one-part block moving tok: a create when parent is NULL, else a
 * transfer from parent naming `signer` and signed by sk (signer's own key
 * unless given); next NULL destroys the token. */
static ecp_block *
one_by(const ec_sig_scheme *s, const ec_id *tok, const ecp_block *parent, const ec_id *next,
       const keyp *signer, const keyp *sk)
{
	ecp_block *b = new_block(1);
	b->time = parent ? parent->time + 1 : 1;
	b->parts[0].token = *tok;
	if (parent)
		b->parts[0].parent = parent->id;
	if (next)
		b->parts[0].next_key = *next;
	if (signer)
		memcpy(b->parts[0].signer, signer->pk, EC_SIG_PK_BYTES);
	ecp_block_id(b, &b->id);
	if (sk)
		ecp_part_sign(s, b, 0, sk->sk);
	return b;
}

static ecp_block *
one(const ec_sig_scheme *s, const ec_id *tok, const ecp_block *parent, const ec_id *next,
    const keyp *signer)
{
	return one_by(s, tok, parent, next, signer, signer);
}

static void
rules(const ec_sig_scheme *s)
{
	keyp a, b, b2, c;
	mk_key(s, 1, &a);
	mk_key(s, 2, &b);
	mk_key(s, 3, &b2); /* B's new key */
	mk_key(s, 4, &c);
	const ec_id tok = ec_id_expand(0x1234567890ABCDEFull);
	const ec_id other = ec_id_expand(0x0FEDCBA987654321ull);

	/* create: no parent, no signer, no signature */
	ecp_block *cr = one(s, &tok, NULL, &a.h, NULL);
	assert_int_equal(ecp_part_check(s, cr, 0, NULL), EC_ACCEPT);
	ecp_block *x = one_by(s, &tok, NULL, &a.h, &a, NULL); /* a signer */
	assert_int_equal(ecp_part_check(s, x, 0, NULL), EC_REJECT_MALFORMED);
	free(x);
	x = one(s, &tok, NULL, &a.h, &a); /* a signer and its signature */
	assert_int_equal(ecp_part_check(s, x, 0, NULL), EC_REJECT_MALFORMED);
	free(x);
	x = copy(cr); /* a signature alone */
	x->parts[0].sig[40] = 1;
	assert_int_equal(ecp_part_check(s, x, 0, NULL), EC_REJECT_MALFORMED);
	free(x);
	/* a transfer without a signer */
	x = one_by(s, &tok, cr, &b.h, NULL, NULL);
	assert_int_equal(ecp_part_check(s, x, 0, cr), EC_REJECT_MALFORMED);
	free(x);
	x = one_by(s, &tok, cr, &b.h, NULL, &a); /* signed, but naming no signer */
	assert_int_equal(ecp_part_check(s, x, 0, cr), EC_REJECT_MALFORMED);
	free(x);

	/* transfer to B, signed by A whom the create named */
	ecp_block *t1 = one(s, &tok, cr, &b.h, &a);
	assert_int_equal(ecp_part_check(s, t1, 0, cr), EC_ACCEPT);
	/* B signs it (validly) while A was named */
	x = one(s, &tok, cr, &b.h, &b);
	assert_int_equal(ecp_part_check(s, x, 0, cr), EC_REJECT_WRONG_KEY);
	free(x);
	/* A named, B's signature */
	x = one_by(s, &tok, cr, &b.h, &a, &b);
	assert_int_equal(ecp_part_check(s, x, 0, cr), EC_REJECT_BAD_SIG);
	free(x);

	/* bad signatures */
	x = copy(t1);
	x->parts[0].sig[0] ^= 1;
	assert_int_equal(ecp_part_check(s, x, 0, cr), EC_REJECT_BAD_SIG);
	memcpy(x, t1, ecp_block_size(1));
	x->parts[0].sig[63] ^= 0x40;
	assert_int_equal(ecp_part_check(s, x, 0, cr), EC_REJECT_BAD_SIG);
	memcpy(x, t1, ecp_block_size(1));
	x->id.w[3] ^= 1; /* the id flipped after signing */
	assert_int_equal(ecp_part_check(s, x, 0, cr), EC_REJECT_BAD_SIG);
	memcpy(x, t1, ecp_block_size(1));
	x->id.w[0] ^= 1ull << 63;
	assert_int_equal(ecp_part_check(s, x, 0, cr), EC_REJECT_BAD_SIG);
	free(x);
	/* a signature does not carry over to another block (replay) */
	x = one_by(s, &tok, cr, &c.h, &a, NULL);
	memcpy(x->parts[0].sig, t1->parts[0].sig, EC_SIG_BYTES);
	assert_int_equal(ecp_part_check(s, x, 0, cr), EC_REJECT_BAD_SIG);
	free(x);
	/* another scheme's signature */
	const ec_sig_scheme *o = s == &ec_sig_ed25519 ? &ec_sig_keyed_hash : &ec_sig_ed25519;
	assert_int_equal(ecp_part_check(o, t1, 0, cr), EC_REJECT_BAD_SIG);

	/* wrong parents */
	assert_int_equal(ecp_part_check(s, t1, 0, NULL), EC_REJECT_BAD_PARENT);
	ecp_block *oc = one(s, &other, NULL, &a.h, NULL); /* creates another token */
	assert_int_equal(ecp_part_check(s, t1, 0, oc), EC_REJECT_BAD_PARENT); /* id differs */
	x = copy(cr);
	x->id.w[2] ^= 4; /* the same content under another id */
	assert_int_equal(ecp_part_check(s, t1, 0, x), EC_REJECT_BAD_PARENT);
	free(x);
	x = one(s, &tok, oc, &b.h, &a); /* names oc, which never moved tok */
	assert_int_equal(ecp_part_check(s, x, 0, oc), EC_REJECT_BAD_PARENT);
	free(x);
	assert_int_equal(ecp_part_check(s, t1, 0, t1), EC_REJECT_BAD_PARENT);

	/* rekey: B moves the token to its new key B2; then B2 signs and the
	 * old key no longer can */
	ecp_block *t2 = one(s, &tok, t1, &b2.h, &b);
	assert_int_equal(ecp_part_check(s, t2, 0, t1), EC_ACCEPT);
	ecp_block *t3 = one(s, &tok, t2, &c.h, &b2);
	assert_int_equal(ecp_part_check(s, t3, 0, t2), EC_ACCEPT);
	x = one(s, &tok, t2, &c.h, &b);
	assert_int_equal(ecp_part_check(s, x, 0, t2), EC_REJECT_WRONG_KEY);
	free(x);
	/* a spent parent still verifies as a signature: staleness is the
	 * node's rule (EC_REJECT_STALE), not this check's */
	x = one(s, &tok, t1, &c.h, &b);
	assert_int_equal(ecp_part_check(s, x, 0, t1), EC_ACCEPT);
	free(x);

	/* destroy: next_key zero; nothing can follow */
	ecp_block *d = one(s, &tok, t3, NULL, &c);
	assert_true(ec_id_is_zero(&d->parts[0].next_key));
	assert_int_equal(ecp_part_check(s, d, 0, t3), EC_ACCEPT);
	for (int k = 0; k < 3; k++) {
		const keyp *who = k == 0 ? &c : k == 1 ? &a : &b2;
		x = one(s, &tok, d, &a.h, who);
		assert_int_equal(ecp_part_check(s, x, 0, d), EC_REJECT_DESTROYED);
		free(x);
	}
	x = one_by(s, &tok, d, NULL, &c, &c);
	assert_int_equal(ecp_part_check(s, x, 0, d), EC_REJECT_DESTROYED);
	free(x);

	/* several parts: each is checked against the part of its own token */
	ecp_block *p2 = new_block(2);
	p2->parts[0] = (ecp_part){.token = other, .next_key = a.h};
	p2->parts[1] = (ecp_part){.token = tok, .next_key = b.h};
	ecp_block_id(p2, &p2->id);
	assert_int_equal(ecp_part_check(s, p2, 0, NULL), EC_ACCEPT);
	assert_int_equal(ecp_part_check(s, p2, 1, NULL), EC_ACCEPT);
	x = one(s, &tok, p2, &c.h, &b);
	assert_int_equal(ecp_part_check(s, x, 0, p2), EC_ACCEPT);
	free(x);
	x = one(s, &tok, p2, &c.h, &a); /* A holds the other token */
	assert_int_equal(ecp_part_check(s, x, 0, p2), EC_REJECT_WRONG_KEY);
	free(x);
	/* a two-part block: a create and a transfer signed over one id */
	ecp_block *m = new_block(2);
	m->time = 9;
	m->parts[0] = (ecp_part){.token = other, .next_key = c.h};
	m->parts[1] = (ecp_part){.token = tok, .parent = t1->id, .next_key = c.h};
	memcpy(m->parts[1].signer, b.pk, EC_SIG_PK_BYTES);
	ecp_block_id(m, &m->id);
	ecp_part_sign(s, m, 1, b.sk);
	assert_int_equal(ecp_part_check(s, m, 0, NULL), EC_ACCEPT);
	assert_int_equal(ecp_part_check(s, m, 1, t1), EC_ACCEPT);
	m->parts[0].next_key.w[1] ^= 1; /* any change to the block voids the signature */
	ecp_block_id(m, &m->id);
	assert_int_equal(ecp_part_check(s, m, 0, NULL), EC_ACCEPT);
	assert_int_equal(ecp_part_check(s, m, 1, t1), EC_REJECT_BAD_SIG);

	free(m);
	free(p2);
	free(d);
	free(t3);
	free(t2);
	free(oc);
	free(t1);
	free(cr);
}

static void
test_rules_ed25519(void **state)
{
	(void)state;
	rules(&ec_sig_ed25519);
}

static void
test_rules_keyed_hash(void **state)
{
	(void)state;
	rules(&ec_sig_keyed_hash);
}

/* The verdict memo (ec_ctx.memo): a signature's verdict is recorded once
 * and then trusted; the parent and key checks still run every time. */
static void
test_memo(void **state)
{
	(void)state;
	const ec_sig_scheme *s = &ec_sig_ed25519;
	keyp a, b;
	mk_key(s, 1, &a);
	mk_key(s, 2, &b);
	const ec_id tok = ec_id_expand(0x1234567890ABCDEFull);
	ecp_block *cr = one(s, &tok, NULL, &a.h, NULL);
	ecp_block *t1 = one(s, &tok, cr, &b.h, &a);
	ec_memo_byte memo[EC_MEMO_BYTES] = {0};
	assert_int_equal(ecp_part_check_memo(s, t1, 0, cr, memo), EC_ACCEPT);
	assert_int_equal(memo[ECP_MEMO_SIG] & 3u, ECP_MEMO_SIG_OK);
	/* recorded: a spoiled signature now passes with this memo, so a memo
	 * must belong to one immutable body, and fails without it */
	ecp_block *x = copy(t1);
	x->parts[0].sig[7] ^= 1;
	assert_int_equal(ecp_part_check_memo(s, x, 0, cr, memo), EC_ACCEPT);
	assert_int_equal(ecp_part_check(s, x, 0, cr), EC_REJECT_BAD_SIG);
	/* failures are recorded too */
	ec_memo_byte bad[EC_MEMO_BYTES] = {0};
	assert_int_equal(ecp_part_check_memo(s, x, 0, cr, bad), EC_REJECT_BAD_SIG);
	assert_int_equal(bad[ECP_MEMO_SIG] & 3u, ECP_MEMO_SIG_BAD);
	assert_int_equal(ecp_part_check_memo(s, t1, 0, cr, bad), EC_REJECT_BAD_SIG);
	/* the parent-dependent rules ignore the memo */
	assert_int_equal(ecp_part_check_memo(s, t1, 0, NULL, memo), EC_REJECT_BAD_PARENT);
	ecp_block *t2 = one(s, &tok, t1, &a.h, &b);
	ec_memo_byte m2[EC_MEMO_BYTES] = {0};
	m2[ECP_MEMO_SIG] = ECP_MEMO_SIG_OK;
	assert_int_equal(ecp_part_check_memo(s, t2, 0, cr, m2), EC_REJECT_BAD_PARENT);
	ecp_block *y = one(s, &tok, t1, &a.h, &a); /* A signs, B was named */
	ec_memo_byte m3[EC_MEMO_BYTES] = {0};
	m3[ECP_MEMO_SIG] = ECP_MEMO_SIG_OK;
	assert_int_equal(ecp_part_check_memo(s, y, 0, t1, m3), EC_REJECT_WRONG_KEY);
	free(y);
	free(t2);
	free(x);
	free(t1);
	free(cr);
}

/* Two parts with every hashed field set, and signatures. */
static ecp_block *
sample(void)
{
	ecp_block *b = new_block(2);
	b->time = 0x0102030405060708ull;
	b->parts[0] = (ecp_part){
	    .token = {{0x1111111111111111ull, 0x2222222222222222ull, 0x3333333333333333ull,
	               0x4444444444444444ull}},
	    .next_key = {{0xA0A1A2A3A4A5A6A7ull, 0xB0B1B2B3B4B5B6B7ull, 0xC0C1C2C3C4C5C6C7ull,
	                  0xD0D1D2D3D4D5D6D7ull}}};
	b->parts[1] = (ecp_part){
	    .token = {{0x5555555555555555ull, 0x6666666666666666ull, 0x7777777777777777ull,
	               0x8888888888888888ull}},
	    .parent = {{1, 2, 3, 4}},
	    .next_key = {{5, 6, 7, 8}}};
	for (unsigned i = 0; i < 32; i++)
		b->parts[1].signer[i] = (uint8_t)i;
	memset(b->parts[1].sig, 0x5A, EC_SIG_BYTES);
	return b;
}

/* The golden id: b3sum over the 268 canonical bytes of sample() (type
 * 0xB1, version 1, time u64 LE, nparts u16 LE, then per part token,
 * parent, next_key in the 32-byte big-endian form and the signer),
 * written by a script and hashed with b3sum 1.2.0. */
static const char golden_hex[] = "3672256a4c053157f80587b2ebb50c78eec25c98bb9f25ab02aeffcea1e3cd59";

static void
test_block_id_golden(void **state)
{
	(void)state;
	ecp_block *b = sample();
	ec_id id;
	ecp_block_id(b, &id);
	uint8_t got[32], want[32];
	ec_id_to_bytes(&id, got);
	for (unsigned i = 0; i < 32; i++) {
		unsigned v;
		char byte[3] = {golden_hex[2 * i], golden_hex[2 * i + 1], 0};
		v = (unsigned)strtoul(byte, NULL, 16);
		want[i] = (uint8_t)v;
	}
	assert_memory_equal(got, want, 32);
	/* the same bytes through our BLAKE3, built here independently */
	uint8_t buf[268], *p = buf;
	*p++ = 0xB1;
	*p++ = 1;
	for (unsigned i = 0; i < 8; i++)
		*p++ = (uint8_t)(b->time >> (8 * i));
	*p++ = 2;
	*p++ = 0;
	for (unsigned r = 0; r < 2; r++) {
		ec_id_to_bytes(&b->parts[r].token, p);
		ec_id_to_bytes(&b->parts[r].parent, p + 32);
		ec_id_to_bytes(&b->parts[r].next_key, p + 64);
		memcpy(p + 96, b->parts[r].signer, 32);
		p += 128;
	}
	assert_int_equal(p - buf, sizeof buf);
	uint8_t h[32];
	ec_blake3(buf, sizeof buf, h);
	assert_memory_equal(h, want, 32);
	free(b);
}

static void
test_block_id_fields(void **state)
{
	(void)state;
	ecp_block *b = sample();
	ec_id base;
	ecp_block_id(b, &base);
	ec_id seen[64];
	unsigned n = 0;
	seen[n++] = base;
	ecp_block *x = copy(b);
#define CHANGED(mutation)                                                                  \
	do {                                                                               \
		memcpy(x, b, ecp_block_size(2));                                           \
		mutation;                                                                  \
		ec_id id;                                                                  \
		ecp_block_id(x, &id);                                                      \
		for (unsigned k = 0; k < n; k++)                                           \
			assert_false(ec_id_eq(&id, &seen[k]));                             \
		seen[n++] = id;                                                            \
	} while (0)
	CHANGED(x->time ^= 1);
	CHANGED(x->time ^= 1ull << 63);
	CHANGED(x->nparts = 1);
	for (unsigned r = 0; r < 2; r++)
		for (unsigned w = 0; w < 4; w++) {
			CHANGED(x->parts[r].token.w[w] ^= 1);
			CHANGED(x->parts[r].parent.w[w] ^= 1ull << 40);
			CHANGED(x->parts[r].next_key.w[w] ^= 1ull << 63);
		}
	for (unsigned r = 0; r < 2; r++) {
		CHANGED(x->parts[r].signer[0] ^= 0x80);
		CHANGED(x->parts[r].signer[31] ^= 1);
	}
	CHANGED({
		ecp_part t = x->parts[0];
		x->parts[0] = x->parts[1];
		x->parts[1] = t;
	});
#undef CHANGED
	assert_true(n < 64);
	/* signatures and the stored id are not hashed */
	memcpy(x, b, ecp_block_size(2));
	x->parts[0].sig[0] ^= 1;
	x->parts[1].sig[63] ^= 0xFF;
	x->id = ec_id_expand(42);
	ec_id id;
	ecp_block_id(x, &id);
	assert_true(ec_id_eq(&id, &base));
	ecp_block_id(b, &b->id); /* deterministic */
	assert_true(ec_id_eq(&b->id, &base));
	free(x);
	free(b);
}

static void
test_key_hash_and_names(void **state)
{
	(void)state;
	uint8_t pk[EC_SIG_PK_BYTES], h[32], got[32];
	for (unsigned i = 0; i < sizeof pk; i++)
		pk[i] = (uint8_t)(0xF0 ^ i);
	ec_id kh;
	ec_key_hash(pk, &kh);
	ec_blake3(pk, sizeof pk, h);
	ec_id_to_bytes(&kh, got);
	assert_memory_equal(got, h, 32);
	pk[5] ^= 1;
	ec_id kh2;
	ec_key_hash(pk, &kh2);
	assert_false(ec_id_eq(&kh, &kh2));

	assert_string_equal(ec_verdict_str(EC_ACCEPT), "accept");
	assert_string_equal(ec_verdict_str(EC_REJECT_BAD_SIG), "bad-signature");
	assert_string_equal(ec_verdict_str(EC_VERDICT_COUNT), "unknown");
	for (int v = 0; v < EC_VERDICT_COUNT; v++) {
		assert_non_null(ec_verdict_str((ec_verdict)v));
		assert_string_not_equal(ec_verdict_str((ec_verdict)v), "unknown");
		for (int u = 0; u < v; u++)
			assert_string_not_equal(ec_verdict_str((ec_verdict)u),
			                        ec_verdict_str((ec_verdict)v));
	}
}

/* A node-built block is unsigned and named by its content hash. */
static void
test_block_from_txn(void **state)
{
	(void)state;
	ec_token_part parts[2] = {{100, 0, 7}, {200, 0, 8}};
	ec_txn t = {.id = 5, .time = 3, .used = 2, .parts = parts};
	ecp_block *b = new_block(2);
	ecp_block_from_txn(&t, b);
	assert_int_equal(b->nparts, 2);
	assert_int_equal(b->time, 3);
	ec_id h;
	ecp_block_id(b, &h);
	assert_true(ec_id_eq(&h, &b->id));
	ec_id e = ec_id_expand(5);
	assert_false(ec_id_eq(&b->id, &e));
	for (uint32_t r = 0; r < 2; r++) {
		ec_id tok = ec_id_expand(parts[r].token), nk = ec_id_expand(parts[r].key);
		assert_true(ec_id_eq(&b->parts[r].token, &tok));
		assert_true(ec_id_is_zero(&b->parts[r].parent));
		assert_true(ec_id_eq(&b->parts[r].next_key, &nk));
		assert_int_equal(ecp_part_check(&ec_sig_keyed_hash, b, r, NULL), EC_ACCEPT);
	}
	/* only creates pass unsigned */
	parts[1].last = 9;
	ecp_block_from_txn(&t, b);
	assert_int_equal(ecp_part_check(&ec_sig_keyed_hash, b, 1, NULL), EC_REJECT_MALFORMED);
	free(b);
}

int
main(void)
{
	if (ec_sig_init() != EC_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules_ed25519),
	    cmocka_unit_test(test_rules_keyed_hash),
	    cmocka_unit_test(test_memo),
	    cmocka_unit_test(test_block_id_golden),
	    cmocka_unit_test(test_block_id_fields),
	    cmocka_unit_test(test_key_hash_and_names),
	    cmocka_unit_test(test_block_from_txn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
