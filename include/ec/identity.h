/* SPDX-License-Identifier: MIT */
/*
 * Proof-of-work node identities (docs/design/performance_analysis.md
 * §11.9.2, "Layer 1").  A node's ring address is not chosen: it is
 * computed from its Ed25519 public key and a 32-byte salt as
 *
 *     address = Argon2id(password = public key (32 bytes),
 *                        salt     = salt (32 bytes),
 *                        m = memory_kib, t = passes, p = lanes = 1,
 *                        no secret, no associated data, version 0x13,
 *                        tag length 32)
 *
 * and is valid only when it has at least `bits` trailing zero bits.  The
 * owner mines a salt (about 2^bits Argon2id evaluations); anyone checks it
 * with one.  Argon2id is memory-hard, so mining gains little from GPUs or
 * ASICs, and an attacker cannot place a node next to a chosen position
 * without paying for the search.
 *
 * Trailing zero bits, precisely: read the 32 address bytes as one unsigned
 * 256-bit big-endian integer (byte 0 most significant, as ec_id_from_bytes
 * does) and count its zero bits from the least significant end: bit 0 of
 * byte 31 first, then bits 1..7 of byte 31, then bit 0 of byte 30, and so
 * on.  An all-zero address has 256.  The proof of work therefore lives in
 * the last bytes, while the ring position (ec_id_pos: the first 8 bytes)
 * stays uniformly distributed, so difficulty does not bias placement.
 *
 * Reference settings (design/lessons-from-the-reference.md): 4 MiB, 1 pass,
 * 24 bits, about a day to mine on one core and about 5 ms to verify.  The
 * simulation settings keep the same construction at a cost tests and the
 * simulator can afford.
 *
 * Nothing here draws randomness, reads a clock or keeps state between
 * calls: mining walks salts from a caller-given start.  The one allocation
 * is Argon2's working memory (memory_kib KiB), which libargon2 mallocs and
 * frees inside each call (its allocator hook has no user pointer, so the
 * ec_ctx allocator cannot be threaded through without a global); failure is
 * reported as EC_ENOMEM.  All functions are thread-safe.
 */
#ifndef EC_IDENTITY_H
#define EC_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

#include "ec/err.h"
#include "ec/id.h"

#define EC_IDENTITY_KEY_BYTES 32     /* Ed25519 public key */
#define EC_IDENTITY_SALT_BYTES 32
#define EC_IDENTITY_ADDRESS_BYTES 32 /* maps to ec_id with ec_id_from_bytes */

/* Bounds accepted by ec_identity_params_check. */
#define EC_IDENTITY_MIN_MEMORY_KIB 8u        /* Argon2's floor for one lane */
#define EC_IDENTITY_MAX_MEMORY_KIB 4194304u  /* 4 GiB */
#define EC_IDENTITY_MAX_PASSES 1024u
#define EC_IDENTITY_MAX_BITS 256u

/* Argon2id cost and difficulty.  Plain values: copy freely.  Every node of
 * one network must use the same values, or they disagree on addresses. */
typedef struct ec_identity_params {
	uint32_t memory_kib; /* Argon2 m: KiB of working memory */
	uint32_t passes;     /* Argon2 t: passes over the memory */
	uint32_t lanes;      /* Argon2 p: must be 1 */
	uint32_t bits;       /* difficulty: required trailing zero bits, 0..256 */
} ec_identity_params;

/* Production: the reference's 4 MiB, 1 pass, 24 bits. */
#define EC_IDENTITY_PARAMS_PRODUCTION \
	((ec_identity_params){.memory_kib = 4096, .passes = 1, .lanes = 1, .bits = 24})
/* Simulation: 64 KiB, 1 pass, 8 bits (about 256 cheap attempts). */
#define EC_IDENTITY_PARAMS_SIM \
	((ec_identity_params){.memory_kib = 64, .passes = 1, .lanes = 1, .bits = 8})

/* What a check of a claimed identity found.  A peer's bad identity is a
 * verdict, never an ec_err. */
typedef enum ec_identity_verdict {
	EC_IDENTITY_OK = 0,      /* the address is Argon2id(key, salt) and has
	                            at least `bits` trailing zero bits */
	EC_IDENTITY_BAD_POW,     /* too few trailing zero bits */
	EC_IDENTITY_BAD_ADDRESS, /* the claimed address is not Argon2id(key, salt) */
	EC_IDENTITY_BAD_PARAMS,  /* our own parameters are outside their bounds */
	EC_IDENTITY_BAD_KEY,     /* the public key is not a valid Ed25519 key:
	                            not the canonical encoding of a point of
	                            the prime-order subgroup other than the
	                            identity (libsodium's
	                            crypto_core_ed25519_is_valid_point), so no
	                            signature could ever verify under it */
	EC_IDENTITY_VERDICT_COUNT
} ec_identity_verdict;

/* A peer's claim, as it would arrive from the network.  Plain bytes. */
typedef struct ec_identity_claim {
	uint8_t public_key[EC_IDENTITY_KEY_BYTES];
	uint8_t salt[EC_IDENTITY_SALT_BYTES];
	uint8_t address[EC_IDENTITY_ADDRESS_BYTES];
} ec_identity_claim;

/* Returns a static name for v ("ok", "bad-pow", "bad-address",
 * "bad-params", "bad-key"; "unknown" outside the enum).  Never NULL. */
const char *ec_identity_verdict_str(ec_identity_verdict v);

/* Checks p against the bounds above: memory 8 KiB .. 4 GiB, passes
 * 1 .. 1024, lanes exactly 1, bits 0 .. 256.
 * Returns: NULL when p is usable, else a static sentence naming the first
 *          problem (for messages; never free it).
 * In:      p: the parameters (not NULL). */
const char *ec_identity_params_check(const ec_identity_params *p);

/* Returns the number of trailing zero bits of address (0 .. 256), counted
 * as described at the top of this file.
 * In: address: 32 bytes. */
unsigned ec_identity_trailing_zeros(const uint8_t address[EC_IDENTITY_ADDRESS_BYTES]);

/* Computes the address of (public_key, salt) under p's cost parameters
 * (p->bits is not looked at).
 * Returns: EC_OK; EC_EINVAL if p fails ec_identity_params_check or a
 *          pointer is NULL; EC_ENOMEM if Argon2's working memory could not
 *          be allocated.  On error address is left unspecified.
 * In:      p: parameters; public_key: 32 bytes; salt: 32 bytes.  All
 *          borrowed for the call.
 * Out:     address: 32 bytes. */
EC_WUR ec_err ec_identity_address(const ec_identity_params *p,
                                  const uint8_t public_key[EC_IDENTITY_KEY_BYTES],
                                  const uint8_t salt[EC_IDENTITY_SALT_BYTES],
                                  uint8_t address[EC_IDENTITY_ADDRESS_BYTES]);

/* Checks an identity.  In order: p's bounds (EC_IDENTITY_BAD_PARAMS,
 * nothing computed); when an address is claimed, its trailing zero bits
 * (EC_IDENTITY_BAD_POW before spending an Argon2id evaluation on it); the
 * public key (EC_IDENTITY_BAD_KEY unless it is a valid Ed25519 point, also
 * before Argon2id); the computed address against the claim
 * (EC_IDENTITY_BAD_ADDRESS); and, with no claim, the computed address's
 * trailing zero bits (EC_IDENTITY_BAD_POW).
 * Returns: EC_OK with *verdict set; EC_ENOMEM if Argon2's working memory
 *          could not be allocated; EC_EINVAL if verdict, public_key or salt
 *          is NULL.  *verdict is meaningful only with EC_OK.
 * In:      p: parameters including the difficulty; public_key, salt: 32
 *          bytes each; claimed: the claimed address (32 bytes) or NULL to
 *          check only the proof of work.  All borrowed for the call.
 * Out:     verdict: the finding.
 *          address: may be NULL; else receives the computed address when
 *          one was computed (verdict OK or BAD_ADDRESS, or BAD_POW with no
 *          claim), and is left unspecified otherwise (BAD_KEY included). */
EC_WUR ec_err ec_identity_verify(const ec_identity_params *p,
                                 const uint8_t public_key[EC_IDENTITY_KEY_BYTES],
                                 const uint8_t salt[EC_IDENTITY_SALT_BYTES],
                                 const uint8_t *claimed, ec_identity_verdict *verdict,
                                 uint8_t *address);

/* Adds one to salt, read as a 256-bit big-endian integer, wrapping from
 * all-ones to zero.  This is the order in which ec_identity_mine tries
 * salts.
 * In/Out: salt: 32 bytes. */
void ec_identity_salt_next(uint8_t salt[EC_IDENTITY_SALT_BYTES]);

/* Mines: tries salt, salt+1, salt+2, ... (ec_identity_salt_next) until an
 * address has at least p->bits trailing zero bits or max_attempts salts
 * were tried.  Deterministic: the same (p, public_key, salt) always gives
 * the same result, and mining in several bounded calls (each resuming from
 * the salt the previous one returned) finds the same salt as one call.
 * Expected attempts: 2^bits.
 * Returns: EC_OK (whether or not a salt was found); EC_EINVAL if p fails
 *          ec_identity_params_check or a pointer is NULL; EC_ENOMEM if
 *          Argon2's working memory could not be allocated (salt then holds
 *          the salt whose evaluation failed, so mining can be retried).
 * In:      p: parameters; public_key: 32 bytes; max_attempts: the bound
 *          (0 tries nothing).
 * In/Out:  salt: in, the first salt to try; out, the winning salt when
 *          *found, else the next salt to try.
 * Out:     address: the winning address when *found (else unspecified);
 *          found: whether a salt was found; attempts: Argon2id evaluations
 *          done by this call (the winning one included). */
EC_WUR ec_err ec_identity_mine(const ec_identity_params *p,
                               const uint8_t public_key[EC_IDENTITY_KEY_BYTES],
                               uint64_t max_attempts,
                               uint8_t salt[EC_IDENTITY_SALT_BYTES],
                               uint8_t address[EC_IDENTITY_ADDRESS_BYTES], bool *found,
                               uint64_t *attempts);

/* Peer admission: whether to accept a peer that claims claim.  Admits only
 * when ec_identity_verify gives EC_IDENTITY_OK for the claimed address, so
 * never a peer whose public key is not a valid Ed25519 point
 * (EC_IDENTITY_BAD_KEY).
 * Keeps nothing: callers that want to avoid re-checking a peer cache the
 * outcome themselves.
 * Returns: EC_OK with *admit set; EC_ENOMEM / EC_EINVAL as for
 *          ec_identity_verify.  On any error *admit is false (fail closed).
 * In:      p: our parameters; claim: the peer's claim.  Borrowed.
 * Out:     admit: true to admit.
 *          id: may be NULL; else, when admitted, the peer's 256-bit id
 *          (ec_id_from_bytes of the address; the ring position is its first
 *          8 bytes), and the zero id when refused.
 *          why: may be NULL; else the verdict (meaningful only with EC_OK). */
EC_WUR ec_err ec_identity_admit(const ec_identity_params *p, const ec_identity_claim *claim,
                                bool *admit, ec_id *id, ec_identity_verdict *why);

#endif
