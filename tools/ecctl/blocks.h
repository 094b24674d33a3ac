/* SPDX-License-Identifier: MIT */
/*
 * Building, signing, checking and encoding the blocks ecctl submits
 * (docs/ec-protocol.md, "Signed token lifecycle"; docs/wire.md), and the
 * hex text ids and encodings travel in over JSON-RPC.
 *
 *   create    one block of 1..ECP_MAX_PARTS create parts: parent, signer
 *             and signature zero, next_key the owner's key hash
 *   transfer  one part: parent = the token's current block, next_key =
 *   rekey     the new key hash (another holder's, or the holder's new key;
 *   destroy   zero to destroy), signer = the wallet's key, signature = its
 *             Ed25519 signature of the block id
 *
 * Each may also carry witness parts (docs/byzantine.md, "Defences"): parts
 * created and destroyed in the block (parent, next_key, signer and
 * signature zero) whose token ids the witness rule derives from the
 * block's other, real parts (ecp_witness_pos over their tokens, parents
 * and signers' public keys, in block order; the i-th witness is
 * ec_id_expand of position i).  Nodes that run the rule (ECP_DEF_WITNESS,
 * ecnode's default) refuse a block with fewer than their witness_min (2)
 * of them; nodes without it accept them as plain creates.  All parts,
 * real and witness, are sorted into block order (ascending token id).
 *
 * Every block built here is checked before it is returned, with the rules
 * the node's members apply (ec_wire_block_check, the id, ecp_part_check
 * against the parent), so that a mistake is a clear local error rather
 * than a rejection by the network.
 *
 * Ids are written as 64 lower-case hex digits of their 32-byte form
 * (ec_id_to_bytes: big-endian, the ring position first), as ecnode does.
 *
 * Blocks returned through **out are malloc'ed (ecp_block_size) and the
 * caller's to free(); everything passed in is borrowed.  Errors are
 * values; nothing here prints or exits.  ec_sig_init() must have
 * succeeded before anything that signs or draws.
 */
#ifndef ECCTL_BLOCKS_H
#define ECCTL_BLOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/ecp.h"
#include "ec/err.h"
#include "ec/id.h"
#include "ec/lifecycle.h"
#include "ec/wire.h"
#include "wallet.h"

#define ECCTL_ID_HEX 65u /* 64 hex digits and a NUL */

/* Parses exactly 64 hex digits (either case) into *out.  Returns false,
 * *out unspecified, for any other text. */
bool ecctl_id_parse(const char *text, ec_id *out);

/* Writes id as 64 lower-case hex digits and a NUL. */
void ecctl_id_format(const ec_id *id, char out[ECCTL_ID_HEX]);

/* Writes 2*n lower-case hex digits of in to a new string (the caller's to
 * free), or returns NULL if out of memory. */
char *ecctl_hex_encode_alloc(const uint8_t *in, size_t n);

/* Decodes a whole hex string (an even number of digits, either case).
 * Out: *out (the caller's to free; NULL for empty text or on failure),
 *      *len.
 * Returns EC_OK, EC_EPARSE (odd length or a non-hex character) or
 *         EC_ENOMEM. */
EC_WUR ec_err ecctl_hex_decode_alloc(const char *text, uint8_t **out, size_t *len);

/* Draws a random non-zero token id (libsodium's randombytes). */
void ecctl_token_random(ec_id *out);

/* Returns the part of b that moves token, or NULL. */
const ecp_part *ecctl_block_part(const ecp_block *b, const ec_id *token);

/* Whether p is a witness part (parent and next_key zero). */
bool ecctl_part_is_witness(const ecp_part *p);

/* Checks b as a member would: the canonical rules (ec_wire_block_check),
 * that b->id is the hash of its content, that its witness parts, if any,
 * have the derived ids (ecp_witness_derived), and every part against
 * parent (ecp_part_check with Ed25519; parent NULL when every part is a
 * create).  It does not count the witness parts: how many a node wants
 * is the node's setting.
 * Returns EC_ACCEPT or the first rule broken: EC_REJECT_MALFORMED for a
 * non-canonical block or witness ids that are not the derived ones,
 * EC_REJECT_BAD_ID, or ecp_part_check's verdict. */
ec_verdict ecctl_block_check(const ecp_block *b, const ecp_block *parent);

/* Builds the block that creates the n tokens (in any order) at time, each
 * owned by the key whose hash is owner (not zero), and carries witnesses
 * witness parts derived from them (0: none).
 * Out: *out, n + witnesses parts sorted by token, its id set; NULL on
 *      failure.
 * Returns EC_OK; EC_EINVAL if n is not 1..ECP_MAX_PARTS, n + witnesses is
 *         more than ECP_MAX_PARTS, a token is zero, a token appears twice
 *         (or is a derived witness id) or owner is zero; EC_ENOMEM. */
EC_WUR ec_err ecctl_block_create(uint64_t time, const ec_id *tokens, uint32_t n,
                                 uint32_t witnesses, const ec_id *owner, ecp_block **out);

/* Builds and signs the block that moves token from its current block
 * parent to next_key (zero: destroy), signed by w: one real part and
 * witnesses witness parts derived from it (0: none), whose ids depend on
 * token, parent and w's public key but not on next_key or time.  The real
 * part's signature is w's over the id of the whole block.
 * Out: *verdict, what ecctl_block_check says of the block against parent
 *      (EC_REJECT_BAD_PARENT: parent does not move token; _DESTROYED: it
 *      destroyed it; _WRONG_KEY: w is not the key it names);
 *      *out, the block (1 + witnesses parts, sorted by token), only when
 *      *verdict is EC_ACCEPT; else NULL.
 * Returns EC_OK (check *verdict); EC_EINVAL if token is zero or
 *         1 + witnesses is more than ECP_MAX_PARTS; EC_ENOMEM (*verdict
 *         then EC_REJECT_MALFORMED). */
EC_WUR ec_err ecctl_block_change(uint64_t time, const ec_id *token, const ecp_block *parent,
                                 const ec_id *next_key, uint32_t witnesses,
                                 const ecctl_wallet *w, ecp_block **out, ec_verdict *verdict);

/* Encodes b (which passes ec_wire_block_check) into a new buffer.
 * Out: *out (the caller's to free; NULL on failure), *len.
 * Returns EC_OK, EC_EINVAL (b breaks a rule) or EC_ENOMEM. */
EC_WUR ec_err ecctl_block_encode(const ecp_block *b, uint8_t **out, size_t *len);

/* Decodes the complete block encoding in[0 .. len) and computes its id.
 * Out: *out (the caller's to free; NULL on failure); *why, the rejection
 *      reason on EC_EPARSE (else EC_WIRE_OK).
 * Returns EC_OK, EC_EPARSE or EC_ENOMEM. */
EC_WUR ec_err ecctl_block_decode(const uint8_t *in, size_t len, ecp_block **out,
                                 ec_wire_reason *why);

#endif
