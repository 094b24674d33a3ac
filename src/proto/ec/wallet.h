/* SPDX-License-Identifier: MIT */
/*
 * The simulator's wallets: the token owners' side of the ec protocol.  A
 * simulated owner key is a 64-bit key reference; its keypair is derived
 * from it, so no secret is stored.  ecp_wallet_seal builds and signs the block
 * an owner would send; the attacks of --forge-rate are built here too.
 */
#ifndef ECP_WALLET_H
#define ECP_WALLET_H

#include <stdint.h>

#include "ec/block.h"
#include "ec/ecp.h"
#include "ec/err.h"
#include "ec/sig.h"

typedef enum ecp_wallet_forge {
	ECP_WALLET_HONEST = 0,
	ECP_WALLET_BAD_SIG,   /* the right signer named, signed with another key */
	ECP_WALLET_WRONG_KEY  /* signed, validly, by a key the parent never named */
} ecp_wallet_forge;

/* The keypair of key reference keyref. */
void ecp_wallet_keypair(const ec_sig_scheme *scheme, uint64_t keyref, uint8_t pk[EC_SIG_PK_BYTES],
                    uint8_t sk[EC_SIG_SK_BYTES]);

/* Builds the signed block moving n parts at `time`: parts[i].token (ring
 * position, expanded with ec_id_expand), parents[i] (the full id of the
 * token's current block; zero: create), parts[i].key (the new owner's key
 * reference; 0: destroy) and prev_keys[i] (the key reference the parent
 * named, which signs).  Parts are put in token order.  `attacker` is the
 * key reference a forgery signs with.  Out: *out, malloc'd, for the caller
 * to free. */
EC_WUR ec_err ecp_wallet_seal(const ec_sig_scheme *scheme, uint64_t time, const ec_token_part *parts,
                          const ec_id *parents, const uint64_t *prev_keys, uint32_t n,
                          ecp_wallet_forge forge, uint64_t attacker, ecp_block **out);

#endif
