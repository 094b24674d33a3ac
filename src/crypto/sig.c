/* SPDX-License-Identifier: MIT */
/*
 * The two signature schemes of ec/sig.h.  Ed25519 is libsodium's
 * (crypto_sign_detached / crypto_sign_verify_detached, which reject
 * non-canonical encodings and small-order keys); the keyed-hash stand-in is
 * built on our BLAKE3.
 */
#include "ec/sig.h"

#include <sodium.h>
#include <string.h>

#include "ec/blake3.h"

ec_err
ec_sig_init(void)
{
	return sodium_init() < 0 ? EC_EIO : EC_OK;
}

static void
ed_keypair(const uint8_t seed[EC_SIG_SEED_BYTES], uint8_t pk[EC_SIG_PK_BYTES],
           uint8_t sk[EC_SIG_SK_BYTES])
{
	crypto_sign_seed_keypair(pk, sk, seed);
}

static void
ed_sign(const uint8_t sk[EC_SIG_SK_BYTES], const uint8_t *msg, size_t len,
        uint8_t sig[EC_SIG_BYTES])
{
	crypto_sign_detached(sig, NULL, msg, len, sk);
}

static bool
ed_verify(const uint8_t pk[EC_SIG_PK_BYTES], const uint8_t sig[EC_SIG_BYTES], const uint8_t *msg,
          size_t len)
{
	return crypto_sign_verify_detached(sig, msg, len, pk) == 0;
}

const ec_sig_scheme ec_sig_ed25519 = {"ed25519", ed_keypair, ed_sign, ed_verify};

static void
kh_keypair(const uint8_t seed[EC_SIG_SEED_BYTES], uint8_t pk[EC_SIG_PK_BYTES],
           uint8_t sk[EC_SIG_SK_BYTES])
{
	ec_blake3 h;
	ec_blake3_init_derive_key(&h, "ecRust 2026-11 keyed-hash stand-in public key");
	ec_blake3_update(&h, seed, EC_SIG_SEED_BYTES);
	ec_blake3_final(&h, pk, EC_SIG_PK_BYTES);
	memcpy(sk, seed, EC_SIG_SEED_BYTES);
	memcpy(sk + EC_SIG_SEED_BYTES, pk, EC_SIG_PK_BYTES);
}

static void
kh_mac(const uint8_t pk[EC_SIG_PK_BYTES], const uint8_t *msg, size_t len, uint8_t sig[EC_SIG_BYTES])
{
	ec_blake3 h;
	ec_blake3_init_keyed(&h, pk);
	ec_blake3_update(&h, msg, len);
	ec_blake3_final(&h, sig, EC_SIG_BYTES);
}

static void
kh_sign(const uint8_t sk[EC_SIG_SK_BYTES], const uint8_t *msg, size_t len,
        uint8_t sig[EC_SIG_BYTES])
{
	kh_mac(sk + EC_SIG_SEED_BYTES, msg, len, sig);
}

static bool
kh_verify(const uint8_t pk[EC_SIG_PK_BYTES], const uint8_t sig[EC_SIG_BYTES], const uint8_t *msg,
          size_t len)
{
	uint8_t want[EC_SIG_BYTES];
	kh_mac(pk, msg, len, want);
	return sodium_memcmp(want, sig, EC_SIG_BYTES) == 0;
}

const ec_sig_scheme ec_sig_keyed_hash = {"keyed-hash", kh_keypair, kh_sign, kh_verify};

void
ec_sig_derived_keypair(const ec_sig_scheme *s, const char *context, uint64_t ref,
                       uint8_t pk[EC_SIG_PK_BYTES], uint8_t sk[EC_SIG_SK_BYTES])
{
	uint8_t le[8], seed[EC_SIG_SEED_BYTES];
	for (unsigned i = 0; i < 8; i++)
		le[i] = (uint8_t)(ref >> (8 * i));
	ec_blake3 h;
	ec_blake3_init_derive_key(&h, context);
	ec_blake3_update(&h, le, sizeof le);
	ec_blake3_final(&h, seed, sizeof seed);
	s->keypair(seed, pk, sk);
}

const ec_sig_scheme *
ec_sig_find(const char *name)
{
	if (!strcmp(name, "ed25519"))
		return &ec_sig_ed25519;
	if (!strcmp(name, "keyed-hash"))
		return &ec_sig_keyed_hash;
	return NULL;
}
