/* SPDX-License-Identifier: MIT */
/*
 * Wallets: the token owners' side of the ec protocol.  A
 * simulated owner key is a 64-bit key reference; its keypair is derived
 * from it, so no secret is stored.  ecp_wallet_seal builds and signs the block
 * an owner would send; the attacks a simulation injects are built here too
 * (ec_seal_kind).  Internal to the ec protocol: drivers reach it through
 * ec_protocol_ec.workload.
 */
#ifndef ECP_WALLET_H
#define ECP_WALLET_H

#include <stdint.h>

#include "ec/block.h"
#include "ec/ecp.h"
#include "ec/protocol.h"
#include "ec/err.h"
#include "ec/sig.h"

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
EC_WUR ec_err ecp_wallet_seal(const ec_sig_scheme *scheme, uint64_t time,
                              const ec_token_part *parts, const ec_id *parents,
                              const uint64_t *prev_keys, uint32_t n, ec_seal_kind forge,
                              uint64_t attacker, ecp_block **out);

#endif
