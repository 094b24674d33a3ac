/* SPDX-License-Identifier: MIT */
/*
 * Signed votes and double-vote proofs (ec/ecp.h: ecp_vote_digest,
 * ecp_accuse_check; src/proto/ec/conviction.c).  A proof made of two real
 * signed yes votes for different blocks on one (token, parent) checks
 * under the voter's key, with either scheme; every way to make one up is
 * refused: another key, a changed field, one block twice, blocks out of
 * order, a witness role, no scheme.  The digest covers every field it
 * names.  A proof survives the wire unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ec/ecp.h"
#include "ec/sig.h"
#include "ec/wire.h"

/* A signed certificate of two votes (ecp_cert_bytes(2, true)). */
#define CERT2 (sizeof(ecp_cert) + 2 * (sizeof(ecp_vote) + sizeof(ecp_vsig)))

static ec_id
id_of(uint64_t a)
{
	return (ec_id){{a, a ^ 0x5555, a * 3 + 1, ~a}};
}

typedef struct keys {
	uint8_t pk[EC_SIG_PK_BYTES], sk[EC_SIG_SK_BYTES];
} keys;

static keys
keys_of(const ec_sig_scheme *s, uint8_t seed_byte)
{
	keys k;
	uint8_t seed[EC_SIG_SEED_BYTES];
	memset(seed, seed_byte, sizeof seed);
	s->keypair(seed, k.pk, k.sk);
	return k;
}

/* A real proof: voter k signed yes for blocks 10 and 20 on (token 7,
 * parent 8), on parts 1 and 0. */
static ecp_accuse
proof(const ec_sig_scheme *s, const keys *k)
{
	ecp_accuse a = {.voter = 99, .token = id_of(7), .parent = id_of(8),
	                .block = {id_of(10), id_of(20)}, .role = {1, 0}};
	if (ec_id_cmp(&a.block[0], &a.block[1]) > 0) {
		ec_id t = a.block[0];
		a.block[0] = a.block[1];
		a.block[1] = t;
	}
	for (int i = 0; i < 2; i++) {
		uint8_t d[32];
		ecp_vote_digest(&a.block[i], a.role[i], 1, &a.token, &a.parent, d);
		s->sign(k->sk, d, sizeof d, a.sig[i].b);
	}
	return a;
}

static void
check_scheme(const ec_sig_scheme *s)
{
	keys k = keys_of(s, 1), other = keys_of(s, 2);
	ecp_accuse a = proof(s, &k);
	assert_true(ecp_accuse_check(&a, s, k.pk));
	assert_false(ecp_accuse_check(&a, s, other.pk)); /* someone else's votes */
	assert_false(ecp_accuse_check(&a, NULL, k.pk));

	ecp_accuse b = a;
	b.token.w[0] ^= 1; /* the votes were about another token */
	assert_false(ecp_accuse_check(&b, s, k.pk));
	b = a;
	b.parent.w[3] ^= 1;
	assert_false(ecp_accuse_check(&b, s, k.pk));
	b = a;
	b.role[1] ^= 1;
	assert_false(ecp_accuse_check(&b, s, k.pk));
	b = a;
	b.sig[0].b[5] ^= 1;
	assert_false(ecp_accuse_check(&b, s, k.pk));
	b = a; /* one vote twice is no double vote */
	b.block[1] = b.block[0];
	b.role[1] = b.role[0];
	b.sig[1] = b.sig[0];
	assert_false(ecp_accuse_check(&b, s, k.pk));
	b = a; /* the canonical order only */
	b.block[0] = a.block[1];
	b.block[1] = a.block[0];
	b.role[0] = a.role[1];
	b.role[1] = a.role[0];
	b.sig[0] = a.sig[1];
	b.sig[1] = a.sig[0];
	assert_false(ecp_accuse_check(&b, s, k.pk));
	/* witness votes are not exclusive: two of them prove nothing */
	b = a;
	b.role[0] = ECP_ROLE_WITNESS;
	uint8_t d[32];
	ecp_vote_digest(&b.block[0], b.role[0], 1, &b.token, &b.parent, d);
	s->sign(k.sk, d, sizeof d, b.sig[0].b);
	assert_false(ecp_accuse_check(&b, s, k.pk));
}

static void
test_accuse_check(void **state)
{
	(void)state;
	check_scheme(&ec_sig_keyed_hash);
	assert_int_equal(ec_sig_init(), EC_OK);
	check_scheme(&ec_sig_ed25519);
}

/* Every field changes the digest; a witness vote's has no token. */
static void
test_vote_digest(void **state)
{
	(void)state;
	ec_id blk = id_of(1), tok = id_of(2), par = id_of(3);
	uint8_t base[32], d[32];
	ecp_vote_digest(&blk, 4, 1, &tok, &par, base);
	ecp_vote_digest(&blk, 4, 1, &tok, &par, d);
	assert_memory_equal(base, d, 32);
	ec_id other = id_of(9);
	ecp_vote_digest(&other, 4, 1, &tok, &par, d);
	assert_memory_not_equal(base, d, 32);
	ecp_vote_digest(&blk, 5, 1, &tok, &par, d);
	assert_memory_not_equal(base, d, 32);
	ecp_vote_digest(&blk, 4, -1, &tok, &par, d);
	assert_memory_not_equal(base, d, 32);
	ecp_vote_digest(&blk, 4, 1, &other, &par, d);
	assert_memory_not_equal(base, d, 32);
	ecp_vote_digest(&blk, 4, 1, &tok, &other, d);
	assert_memory_not_equal(base, d, 32);
	uint8_t w1[32], w2[32];
	ecp_vote_digest(&blk, ECP_ROLE_WITNESS, 1, NULL, NULL, w1);
	ec_id zero = {{0, 0, 0, 0}};
	ecp_vote_digest(&blk, ECP_ROLE_WITNESS, 1, &zero, &zero, w2);
	assert_memory_equal(w1, w2, 32);
}

/* An ACCUSE item, a signed VOTE and a signed certificate come back from
 * the wire as they went; a proof out of order is refused on both sides. */
static void
test_wire(void **state)
{
	(void)state;
	keys k = keys_of(&ec_sig_keyed_hash, 3);
	ecp_accuse a = proof(&ec_sig_keyed_hash, &k);
	ecp_item it = {.kind = ECP_ACCUSE, .accuse = &a};
	uint8_t buf[512];
	size_t len;
	assert_int_equal(ec_wire_item_encode(&it, buf, sizeof buf, &len), EC_OK);
	assert_int_equal(len, 2 + EC_WIRE_ACCUSE_BYTES);
	assert_int_equal(buf[0], EC_WIRE_T_ACCUSE);
	_Alignas(8) uint8_t mem[1024];
	ecp_item back;
	assert_int_equal(ec_wire_item_decode(buf, len, &back, mem, sizeof mem), EC_WIRE_OK);
	assert_int_equal(back.kind, ECP_ACCUSE);
	assert_memory_equal(back.accuse, &a, sizeof a);
	assert_true(ecp_accuse_check(back.accuse, &ec_sig_keyed_hash, k.pk));
	buf[2 + 72] ^= 0xFF; /* block[0]'s first byte: now above block[1] */
	ec_wire_reason r = ec_wire_item_decode(buf, len, &back, mem, sizeof mem);
	assert_true(r == EC_WIRE_BAD_VALUE || r == EC_WIRE_OK);
	if (r == EC_WIRE_OK) /* still below: then the signature no longer fits */
		assert_false(ecp_accuse_check(back.accuse, &ec_sig_keyed_hash, k.pk));
	ecp_accuse bad = a;
	bad.block[1] = bad.block[0];
	it.accuse = &bad;
	assert_int_equal(ec_wire_item_encode(&it, buf, sizeof buf, &len), EC_EINVAL);

	ecp_vsig sig;
	memset(sig.b, 0xAB, sizeof sig.b);
	ecp_item v = {.kind = ECP_VOTE, .value = 1, .role = 2, .block_id = id_of(5), .vsig = &sig};
	assert_int_equal(ec_wire_item_encode(&v, buf, sizeof buf, &len), EC_OK);
	assert_int_equal(buf[0], EC_WIRE_T_VOTE_SIGNED);
	assert_int_equal(len, 2 + 32 + 2 + 1 + 64);
	assert_int_equal(ec_wire_item_decode(buf, len, &back, mem, sizeof mem), EC_WIRE_OK);
	assert_non_null(back.vsig);
	assert_memory_equal(back.vsig->b, sig.b, sizeof sig.b);
	v.vsig = NULL; /* unsigned: the old encoding, 64 bytes shorter */
	assert_int_equal(ec_wire_item_encode(&v, buf, sizeof buf, &len), EC_OK);
	assert_int_equal(buf[0], EC_WIRE_T_ITEM + ECP_VOTE);
	assert_int_equal(len, 2 + 32 + 2 + 1);

	_Alignas(8) uint8_t cmem[CERT2];
	ecp_cert *c = (ecp_cert *)cmem;
	c->n = 2;
	c->sigs = 1;
	c->v[0] = (ecp_vote){.voter = 1, .stamp = 2, .role = 0, .value = 1};
	c->v[1] = (ecp_vote){.voter = 3, .stamp = 4, .role = 0, .value = -1};
	memset((void *)(uintptr_t)ecp_cert_sig(c, 0), 0x11, 64);
	memset((void *)(uintptr_t)ecp_cert_sig(c, 1), 0x22, 64);
	assert_int_equal(ec_wire_cert_encode(c, buf, sizeof buf, &len), EC_OK);
	assert_int_equal(len, ec_wire_cert_size(2, true));
	assert_int_equal(buf[0], EC_WIRE_T_CERT_SIGNED);
	uint32_t n;
	bool sigs;
	assert_int_equal(ec_wire_cert_peek(buf, len, &n, &sigs), EC_WIRE_OK);
	assert_int_equal(n, 2);
	assert_true(sigs);
	_Alignas(8) uint8_t dmem[CERT2];
	ecp_cert *d = (ecp_cert *)dmem;
	assert_int_equal(ec_wire_cert_decode(buf, len, d, 2), EC_WIRE_OK);
	assert_int_equal(d->n, 2);
	assert_int_equal(d->sigs, 1);
	for (uint32_t i = 0; i < 2; i++) {
		assert_int_equal(d->v[i].voter, c->v[i].voter);
		assert_int_equal(d->v[i].stamp, c->v[i].stamp);
		assert_int_equal(d->v[i].value, c->v[i].value);
		assert_memory_equal(ecp_cert_sig(d, i)->b, ecp_cert_sig(c, i)->b, 64);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accuse_check),
	    cmocka_unit_test(test_vote_digest),
	    cmocka_unit_test(test_wire),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
