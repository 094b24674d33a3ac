/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the signature schemes (ec/sig.h).  Ed25519 against the
 * RFC 8032 §7.1 test vectors (TEST 1, 2, 3 and SHA(abc)): the keypair of
 * the secret seed gives the published public key, signing gives the
 * published signature (Ed25519 is deterministic), verification accepts it,
 * and a flipped bit anywhere in message, signature or key is rejected.
 * The keyed-hash stand-in: it accepts its own signatures and rejects any
 * other key, message or a flipped bit.  And the scheme registry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec/hex.h"
#include "ec/sig.h"

/* Parses 2*n lower-case hex digits into out (n bytes). */
static void
unhex(uint8_t *out, size_t n, const char *s)
{
	assert_int_equal(strlen(s), 2 * n);
	assert_true(ec_hex_decode(s, out, n));
}

typedef struct vector {
	const char *name, *seed, *pk, *msg, *sig;
} vector;

/* RFC 8032 §7.1.  The SHA(abc) message is SHA-512("abc"). */
static const vector rfc8032[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
    {"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
     "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"},
};

static void
test_ed25519_rfc8032(void **state)
{
	(void)state;
	const ec_sig_scheme *s = &ec_sig_ed25519;
	for (size_t v = 0; v < sizeof rfc8032 / sizeof rfc8032[0]; v++) {
		const vector *t = &rfc8032[v];
		print_message("%s\n", t->name);
		uint8_t seed[EC_SIG_SEED_BYTES], want_pk[EC_SIG_PK_BYTES], want_sig[EC_SIG_BYTES];
		uint8_t msg[65]; /* one spare byte for the longer-message check */
		size_t len = strlen(t->msg) / 2;
		unhex(seed, sizeof seed, t->seed);
		unhex(want_pk, sizeof want_pk, t->pk);
		unhex(want_sig, sizeof want_sig, t->sig);
		unhex(msg, len, t->msg);
		uint8_t pk[EC_SIG_PK_BYTES], sk[EC_SIG_SK_BYTES], sig[EC_SIG_BYTES];
		s->keypair(seed, pk, sk);
		assert_memory_equal(pk, want_pk, sizeof pk);
		s->sign(sk, msg, len, sig);
		assert_memory_equal(sig, want_sig, sizeof sig);
		assert_true(s->verify(pk, sig, msg, len));
		/* a flipped bit anywhere is rejected */
		for (size_t i = 0; i < len; i++)
			for (unsigned b = 0; b < 8; b += 7) {
				msg[i] ^= (uint8_t)(1u << b);
				assert_false(s->verify(pk, sig, msg, len));
				msg[i] ^= (uint8_t)(1u << b);
			}
		for (size_t i = 0; i < sizeof sig; i++)
			for (unsigned b = 0; b < 8; b += 3) {
				sig[i] ^= (uint8_t)(1u << b);
				assert_false(s->verify(pk, sig, msg, len));
				sig[i] ^= (uint8_t)(1u << b);
			}
		for (size_t i = 0; i < sizeof pk; i++)
			for (unsigned b = 0; b < 8; b += 5) {
				pk[i] ^= (uint8_t)(1u << b);
				assert_false(s->verify(pk, sig, msg, len));
				pk[i] ^= (uint8_t)(1u << b);
			}
		/* one byte more or less is another message */
		msg[len] = 0;
		assert_false(s->verify(pk, sig, msg, len + 1));
		if (len > 0)
			assert_false(s->verify(pk, sig, msg, len - 1));
		assert_true(s->verify(pk, sig, msg, len));
	}
}

/* Another vector's key or signature does not verify this message. */
static void
test_ed25519_cross(void **state)
{
	(void)state;
	uint8_t pk1[EC_SIG_PK_BYTES], pk2[EC_SIG_PK_BYTES], sig1[EC_SIG_BYTES], sig2[EC_SIG_BYTES];
	uint8_t m2[1];
	unhex(pk1, sizeof pk1, rfc8032[0].pk);
	unhex(sig1, sizeof sig1, rfc8032[0].sig);
	unhex(pk2, sizeof pk2, rfc8032[1].pk);
	unhex(sig2, sizeof sig2, rfc8032[1].sig);
	unhex(m2, sizeof m2, rfc8032[1].msg);
	assert_true(ec_sig_ed25519.verify(pk2, sig2, m2, 1));
	assert_false(ec_sig_ed25519.verify(pk1, sig2, m2, 1));
	assert_false(ec_sig_ed25519.verify(pk2, sig1, m2, 1));
	assert_false(ec_sig_ed25519.verify(pk2, sig2, m2, 0));
	/* the all-zero key (small order) and signature are rejected */
	uint8_t zpk[EC_SIG_PK_BYTES] = {0}, zsig[EC_SIG_BYTES] = {0};
	assert_false(ec_sig_ed25519.verify(zpk, zsig, m2, 1));
	assert_false(ec_sig_ed25519.verify(pk2, zsig, m2, 1));
}

static void
test_keyed_hash(void **state)
{
	(void)state;
	const ec_sig_scheme *s = &ec_sig_keyed_hash;
	uint8_t seed_a[EC_SIG_SEED_BYTES], seed_b[EC_SIG_SEED_BYTES];
	memset(seed_a, 0xA5, sizeof seed_a);
	memset(seed_b, 0xA5, sizeof seed_b);
	seed_b[31] ^= 1;
	uint8_t pk_a[EC_SIG_PK_BYTES], sk_a[EC_SIG_SK_BYTES], pk_b[EC_SIG_PK_BYTES],
	    sk_b[EC_SIG_SK_BYTES];
	s->keypair(seed_a, pk_a, sk_a);
	s->keypair(seed_b, pk_b, sk_b);
	assert_memory_not_equal(pk_a, pk_b, sizeof pk_a);
	/* deterministic */
	uint8_t pk2[EC_SIG_PK_BYTES], sk2[EC_SIG_SK_BYTES];
	s->keypair(seed_a, pk2, sk2);
	assert_memory_equal(pk_a, pk2, sizeof pk2);
	assert_memory_equal(sk_a, sk2, sizeof sk2);
	/* the public key is not the seed */
	assert_memory_not_equal(pk_a, seed_a, sizeof pk_a);

	uint8_t msg[100];
	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	const size_t lens[] = {0, 1, 32, 64, 65, 100};
	for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
		size_t len = lens[l];
		uint8_t sig[EC_SIG_BYTES], sig2[EC_SIG_BYTES];
		s->sign(sk_a, msg, len, sig);
		s->sign(sk_a, msg, len, sig2);
		assert_memory_equal(sig, sig2, sizeof sig);
		assert_true(s->verify(pk_a, sig, msg, len));
		/* another key: neither verifies nor signs the same */
		assert_false(s->verify(pk_b, sig, msg, len));
		s->sign(sk_b, msg, len, sig2);
		assert_memory_not_equal(sig, sig2, sizeof sig);
		assert_false(s->verify(pk_a, sig2, msg, len));
		assert_true(s->verify(pk_b, sig2, msg, len));
		/* another message */
		if (len > 0) {
			assert_false(s->verify(pk_a, sig, msg, len - 1));
			msg[len - 1] ^= 0x80;
			assert_false(s->verify(pk_a, sig, msg, len));
			msg[len - 1] ^= 0x80;
		}
		assert_false(s->verify(pk_a, sig, msg, len + 1 <= sizeof msg ? len + 1 : len - 1));
		/* a flipped bit of the signature or the key */
		for (size_t i = 0; i < EC_SIG_BYTES; i++) {
			sig[i] ^= (uint8_t)(1u << (i % 8));
			assert_false(s->verify(pk_a, sig, msg, len));
			sig[i] ^= (uint8_t)(1u << (i % 8));
		}
		for (size_t i = 0; i < EC_SIG_PK_BYTES; i++) {
			pk_a[i] ^= (uint8_t)(1u << (i % 8));
			assert_false(s->verify(pk_a, sig, msg, len));
			pk_a[i] ^= (uint8_t)(1u << (i % 8));
		}
		assert_true(s->verify(pk_a, sig, msg, len));
	}
	/* an Ed25519 signature is not a keyed-hash one, and the other way */
	uint8_t epk[EC_SIG_PK_BYTES], esk[EC_SIG_SK_BYTES], esig[EC_SIG_BYTES], ksig[EC_SIG_BYTES];
	ec_sig_ed25519.keypair(seed_a, epk, esk);
	ec_sig_ed25519.sign(esk, msg, 32, esig);
	assert_false(s->verify(epk, esig, msg, 32));
	s->sign(sk_a, msg, 32, ksig);
	assert_false(ec_sig_ed25519.verify(pk_a, ksig, msg, 32));
}

static void
test_find(void **state)
{
	(void)state;
	assert_ptr_equal(ec_sig_find("ed25519"), &ec_sig_ed25519);
	assert_ptr_equal(ec_sig_find("keyed-hash"), &ec_sig_keyed_hash);
	assert_string_equal(ec_sig_ed25519.name, "ed25519");
	assert_string_equal(ec_sig_keyed_hash.name, "keyed-hash");
	assert_null(ec_sig_find(""));
	assert_null(ec_sig_find("Ed25519"));
	assert_null(ec_sig_find("ed25519 "));
	assert_null(ec_sig_find("keyed"));
	assert_int_equal(ec_sig_init(), EC_OK); /* idempotent */
}

int
main(void)
{
	if (ec_sig_init() != EC_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ed25519_rfc8032),
	    cmocka_unit_test(test_ed25519_cross),
	    cmocka_unit_test(test_keyed_hash),
	    cmocka_unit_test(test_find),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
