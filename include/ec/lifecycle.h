/* SPDX-License-Identifier: MIT */
/*
 * The signed token lifecycle of the ec protocol (docs/ec-protocol.md):
 * every part of a block names its token, the token's previous block and
 * the hash of the key allowed to make the next change.
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

#include <stdbool.h>
#include <stdint.h>

#include "ec/ctx.h"
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

/* The same, with b's verdict memo (ec_ctx.memo; NULL for none): a signature
 * that was verified once over b's id is not verified again.  Everything else
 * (parent, key hash) is checked every time, as it depends on the caller's
 * store.  A memo must only ever be used with one scheme. */
ec_verdict ecp_part_check_memo(const ec_sig_scheme *scheme, const ecp_block *b, uint32_t r,
                               const ecp_block *parent, ec_memo_byte *memo);

/* Only the signature of part r of b (a create passes when unsigned, as
 * ecp_part_check has it): what a node that does not hold the parent can
 * still check.  Same memo as ecp_part_check_memo. */
ec_verdict ecp_part_sig_memo(const ec_sig_scheme *scheme, const ecp_block *b, uint32_t r,
                             ec_memo_byte *memo);

/* Memo layout (EC_MEMO_BYTES): byte 0 holds 1 + the body's verdict
 * (EC_ACCEPT: canonical, and its id is its content hash; or the reason it
 * is not), 0 while unknown; then two bits per part from byte ECP_MEMO_SIG:
 * ECP_MEMO_SIG_OK or ECP_MEMO_SIG_BAD once its signature was verified. */
#define ECP_MEMO_SIG 1u
#define ECP_MEMO_SIG_OK 1u
#define ECP_MEMO_SIG_BAD 2u
_Static_assert(ECP_MEMO_SIG + ECP_MAX_PARTS / 4 <= EC_MEMO_BYTES, "memo too small");
static inline unsigned
ecp_memo_get(const ec_memo_byte *memo, unsigned byte)
{
	return memo ? __atomic_load_n(&memo[byte], __ATOMIC_RELAXED) : 0;
}
/* Every writer of a memo field writes the same value: or-ing is enough. */
static inline void
ecp_memo_or(ec_memo_byte *memo, unsigned byte, unsigned bits)
{
	if (memo)
		__atomic_fetch_or(&memo[byte], (ec_memo_byte)bits, __ATOMIC_RELAXED);
}

/* Signs part r of b with sk.  The signer is part of the id, so a wallet
 * first sets every part's signer, then computes b->id (ecp_block_id),
 * then signs.  For wallets and tests. */
void ecp_part_sign(const ec_sig_scheme *scheme, ecp_block *b, uint32_t r,
                   const uint8_t sk[EC_SIG_SK_BYTES]);

#endif
