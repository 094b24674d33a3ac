/* SPDX-License-Identifier: MIT */
/*
 * Signature schemes, passed to node logic through the context (ec_ctx.sig)
 * so that the same core runs with real Ed25519 (libsodium) and with the
 * simulator's cheap stand-in.
 *
 * "keyed-hash" is a stand-in for simulation only: the public key is a
 * BLAKE3 derivation of the secret seed and the signature is a keyed BLAKE3
 * of the message under the public key.  It is verified exactly like a real
 * signature, so every forgery the simulator makes (another key, another
 * message, a copied signature) is caught; but anyone who knows a public key
 * can compute it, so it gives no security on a real network.
 *
 * All functions are pure: no allocation, no global state; inputs are
 * borrowed for the call.
 */
#ifndef EC_SIG_H
#define EC_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/err.h"

#define EC_SIG_SEED_BYTES 32
#define EC_SIG_PK_BYTES 32
#define EC_SIG_SK_BYTES 64
#define EC_SIG_BYTES 64

typedef struct ec_sig_scheme {
	const char *name;
	/* Derives the keypair of a 32-byte secret seed. */
	void (*keypair)(const uint8_t seed[EC_SIG_SEED_BYTES], uint8_t pk[EC_SIG_PK_BYTES],
	                uint8_t sk[EC_SIG_SK_BYTES]);
	/* Signs msg (len bytes) with sk. */
	void (*sign)(const uint8_t sk[EC_SIG_SK_BYTES], const uint8_t *msg, size_t len,
	             uint8_t sig[EC_SIG_BYTES]);
	/* Returns whether sig is pk's signature of msg. */
	bool (*verify)(const uint8_t pk[EC_SIG_PK_BYTES], const uint8_t sig[EC_SIG_BYTES],
	               const uint8_t *msg, size_t len);
} ec_sig_scheme;

extern const ec_sig_scheme ec_sig_ed25519;
extern const ec_sig_scheme ec_sig_keyed_hash;

/* Initialises libsodium (idempotent, thread safe); call it once before
 * using ec_sig_ed25519.  Returns EC_EIO if libsodium cannot start. */
EC_WUR ec_err ec_sig_init(void);

/* The keypair a simulation derives from a 64-bit reference (a wallet key
 * reference, a node's ring position) under a context string naming what
 * the keys are for: seed = BLAKE3 derive-key(context) of ref as 8 bytes
 * little endian.  Nothing secret is stored; anyone can derive it, so it
 * is for simulations only.  Pure: no allocation, no state. */
void ec_sig_derived_keypair(const ec_sig_scheme *s, const char *context, uint64_t ref,
                            uint8_t pk[EC_SIG_PK_BYTES], uint8_t sk[EC_SIG_SK_BYTES]);

/* Returns the scheme registered under name ("ed25519", "keyed-hash"), or
 * NULL. */
const ec_sig_scheme *ec_sig_find(const char *name);

#endif
