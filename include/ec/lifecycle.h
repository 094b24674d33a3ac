/* SPDX-License-Identifier: MIT */
/*
 * The signed token lifecycle of the ec protocol (seed §11.9.8): every part
 * of a block names its token, the token's previous block and the hash of
 * the key allowed to make the next change.
 *
 *   create    parent zero; no signer, no signature (anyone may create a
 *             token that does not exist yet)
 *   transfer  signed by the key the parent block named for the token
 *   rekey     a transfer to a new key of the same holder (the same rule)
 *   destroy   next_key zero: no later change can ever be signed
 *
 * Block ids are content hashes: BLAKE3 of the block's canonical encoding
 * without the signatures (docs/wire.md), and every signature signs the 32
 * bytes of that id.  A block or part that breaks a rule gets a verdict, not
 * an error: a peer's bad block is evidence, and the node votes no.
 */
#ifndef EC_LIFECYCLE_H
#define EC_LIFECYCLE_H

#include <stdint.h>

#include "ec/ecp.h"
#include "ec/id.h"
#include "ec/sig.h"

typedef enum ec_verdict {
	EC_ACCEPT = 0,
	EC_REJECT_BAD_ID,     /* the block id is not the hash of its content */
	EC_REJECT_MALFORMED,  /* a create with a signer, a transfer without one */
	EC_REJECT_BAD_PARENT, /* the parent block does not move this token */
	EC_REJECT_DESTROYED,  /* the parent destroyed the token */
	EC_REJECT_WRONG_KEY,  /* the signer is not the key the parent names */
	EC_REJECT_BAD_SIG,    /* the signature does not verify */
	EC_REJECT_STALE,      /* the parent is not the token's current block:
	                         a replay or a spend of a spent parent */
	EC_VERDICT_COUNT
} ec_verdict;

/* Returns a static name for v ("accept", "bad-signature", ...). */
const char *ec_verdict_str(ec_verdict v);

/* Writes the content hash of b (its parts in their order, signatures
 * excluded) to *out.  Does not read b->id. */
void ecp_block_id(const ecp_block *b, ec_id *out);

/* Writes the hash that names a public key as a token's next key. */
void ec_key_hash(const uint8_t pk[EC_SIG_PK_BYTES], ec_id *out);

/* Checks part r of b against parent, the block the checking node holds as
 * the token's current block (NULL when the token does not exist yet).
 * Assumes b->id is b's content hash (ecp_block_id).  Returns EC_ACCEPT or
 * the first rule broken.  Everything is borrowed for the call. */
ec_verdict ecp_part_check(const ec_sig_scheme *scheme, const ecp_block *b, uint32_t r,
                          const ecp_block *parent);

/* Signs part r of b with sk.  The signer is part of the id, so a wallet
 * first sets every part's signer, then computes b->id (ecp_block_id),
 * then signs.  For wallets and tests. */
void ecp_part_sign(const ec_sig_scheme *scheme, ecp_block *b, uint32_t r,
                   const uint8_t sk[EC_SIG_SK_BYTES]);

#endif
