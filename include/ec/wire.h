/* SPDX-License-Identifier: MIT */
/*
 * The canonical wire encoding of the ec protocol's values: blocks, the
 * logical message items of ec/ecp.h (voting and peer management),
 * certificates and envelopes.  Byte
 * tables, the block-id rule and the rejection reasons are in docs/wire.md;
 * the golden vectors in tests/vectors/wire/ keep the two in sync.
 *
 * Design.  Every value has exactly one byte string: integers are
 * fixed-width little-endian, ids/keys/hashes are 32 raw bytes (ids in the
 * big-endian form of ec_id_to_bytes), signatures 64 bytes, there are no
 * optional fields, no padding and no length prefixes that could disagree
 * with the content, and sets are sorted (a block's parts, a certificate's
 * votes, a list of contacts).
 * Every encoding starts with a type byte and a version byte
 * (EC_WIRE_VERSION); a nested value (the block inside a BLOCK item, the
 * certificate inside a COMMIT item, the items of an envelope) is embedded as
 * its own complete encoding, so a block can be hashed and stored exactly as
 * it arrived.  Decoders check every rule, report the first one broken as an
 * ec_wire_reason, never read outside [in, in + len), and reject trailing
 * bytes.  Encoders refuse (EC_EINVAL) any value that breaks a rule, so
 * whatever they write decodes back to an equal value.
 *
 * No allocation.  Encoders write into a caller buffer of exactly the size
 * the matching _size function returns (or more).  Decoders of values with
 * a variable body (blocks, certificates) write into caller structures of a
 * stated capacity; decoders of items and envelopes, which point to bodies
 * (blocks, certificates, contact lists, identity claims, sync ranges,
 * audit queries, storage proofs),
 * place those bodies in a caller memory area: call
 * ec_wire_item_measure / ec_wire_env_measure for the exact byte count (or
 * use ec_wire_decode_bound(len), which always suffices), hand over that much
 * memory aligned to EC_WIRE_ALIGN (malloc and the arenas return such
 * memory), then decode.
 *
 * Argument order follows the rest of libec: inputs first, outputs last.
 * Functions are pure and thread-safe; there is no state.
 */
#ifndef EC_WIRE_H
#define EC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/ecp.h"
#include "ec/err.h"
#include "ec/id.h"

#define EC_WIRE_VERSION 1u

/* Type bytes (the first byte of every encoding).  The proof-of-storage
 * messages (QueryToken, Answer) use their own, listed in
 * docs/wire.md ("Proof of storage"). */
#define EC_WIRE_T_BLOCK 0xB1u     /* a block (fixed layout) */
#define EC_WIRE_T_ITEM 0xC0u      /* voting items, BLOCK .. WITHDRAWN:
                                     EC_WIRE_T_ITEM + ecp_kind (0xC1..0xC8) */
#define EC_WIRE_T_PEER 0xD0u      /* peer-management items, FIND .. SYNCED:
                                     EC_WIRE_T_PEER + ecp_kind - ECP_WITHDRAWN
                                     (0xD1..0xD8); not 0xC0 + kind, which
                                     would give BYE the certificate's 0xCE */
#define EC_WIRE_T_COMMIT_FLAGS 0xD9u /* a COMMIT item with flags (ECP_F_SYNC:
                                        a catch-up answer); without flags a
                                        COMMIT item is 0xC3 */
#define EC_WIRE_T_AUDIT 0xDAu     /* an AUDIT item (peer management, after
                                     the flagged COMMIT's byte, so FIND ..
                                     SYNCED keep theirs) */
#define EC_WIRE_T_PROOF 0xDBu     /* a PROOF item */
#define EC_WIRE_T_CERT 0xCEu      /* a commit certificate */
#define EC_WIRE_T_CERT_SIGNED 0xCFu /* a certificate with the votes' signatures */
#define EC_WIRE_T_ACCUSE 0xDCu    /* an ACCUSE item (a double-vote proof) */
#define EC_WIRE_T_VOTE_SIGNED 0xDDu  /* a VOTE item with its signature */
#define EC_WIRE_T_BLOCK_SIGNED 0xDEu /* a BLOCK item whose vote is signed */
#define EC_WIRE_T_ENVELOPE 0xE1u  /* sender + items */

/* Fixed sizes (bytes). */
#define EC_WIRE_BLOCK_HDR 12u        /* type, version, time, nparts */
#define EC_WIRE_PART_BYTES 128u      /* token, parent, next_key, signer */
#define EC_WIRE_SIG_BYTES 64u
#define EC_WIRE_CERT_HDR 4u          /* type, version, count */
#define EC_WIRE_VOTE_BYTES 15u       /* voter, stamp, role, value */
#define EC_WIRE_ACCUSE_BYTES 268u    /* voter, token, parent, 2 blocks, 2 roles,
                                        2 signatures */
#define EC_WIRE_ENV_HDR 12u          /* type, version, sender, count */
#define EC_WIRE_CONTACT_MIN 9u       /* a contact: id, address length (+ length
                                        bytes of address) */
#define EC_WIRE_CLAIM_BYTES 96u      /* public key, salt, address */

/* Bounds.  A certificate holds at most one vote per (role, voter); with at
 * most 257 roles (256 parts and the witness) and at most 2w+1 = 129
 * members per window (ecp_config_check caps w at 64) that is 33,153. */
#define EC_WIRE_CERT_MAX_VOTES (129u * (ECP_MAX_PARTS + 1u))
#define EC_WIRE_ENV_MAX_ITEMS 0xFFFFu

/* Alignment the decoders' memory area must have. */
#define EC_WIRE_ALIGN 8u

/* Why a decoder rejected its input (or a value cannot be encoded).  The
 * first rule broken, in the order the bytes are read, is reported. */
typedef enum ec_wire_reason {
	EC_WIRE_OK = 0,          /* not a rejection */
	EC_WIRE_TRUNCATED,       /* the input ends inside the encoding */
	EC_WIRE_TRAILING,        /* bytes follow the end of the encoding */
	EC_WIRE_BAD_TYPE,        /* type byte unknown or not the one expected here */
	EC_WIRE_BAD_VERSION,     /* version byte is not EC_WIRE_VERSION */
	EC_WIRE_BAD_NPARTS,      /* block part count outside 1..256 */
	EC_WIRE_ZERO_TOKEN,      /* a part's token id is all zero */
	EC_WIRE_PART_ORDER,      /* token ids not strictly ascending (incl. duplicates) */
	EC_WIRE_CREATE_SIGNED,   /* create part (zero parent) with a non-zero signer or sig */
	EC_WIRE_UNSIGNED,        /* non-create part with an all-zero signer */
	EC_WIRE_BAD_ROLE,        /* role neither a part index nor ECP_ROLE_WITNESS */
	EC_WIRE_BAD_VALUE,       /* vote value not +1/-1 (BLOCK item: not -1/0/+1;
	                            PING value, SYNCED more: not 0/1; HELLO hops
	                            non-zero without ECP_F_JOIN or with
	                            ECP_F_INTRO; PROOF count above
	                            EC_SP_ENTRIES; encoder: SYNC more not 0) */
	EC_WIRE_BAD_FLAGS,       /* flag bits the kind does not allow (BLOCK:
	                            outside ECP_F_ALL; flagged COMMIT: other than
	                            ECP_F_SYNC; HELLO: other than ECP_F_NEAR,
	                            _SYNC, _JOIN, _INTRO, _READY, or ECP_F_INTRO
	                            without ECP_F_JOIN; WELCOME: other than
	                            ECP_F_NEAR, _ADMITTED, _READY) */
	EC_WIRE_CERT_COUNT,      /* certificate holds more than EC_WIRE_CERT_MAX_VOTES */
	EC_WIRE_CERT_ORDER,      /* votes not strictly ascending by (role, voter) */
	EC_WIRE_EMPTY_ENVELOPE,  /* envelope item count 0 */
	EC_WIRE_BAD_ADDR,        /* contact or sender address length above
	                            EC_ADDR_MAX (encoder: or a non-zero byte
	                            after the first len) */
	EC_WIRE_CONTACT_COUNT,   /* more than ECP_MAX_CONTACTS contacts (encoder:
	                            FIND with other than 1, HELLO with any) */
	EC_WIRE_CONTACT_ORDER,   /* contacts not strictly ascending by id */
	EC_WIRE_PROOF_ORDER,     /* PROOF entries not in the canonical order of
	                            ec_sp_answer_check (a token twice, up
	                            entries not strictly ascending from the
	                            point, down entries not strictly descending
	                            below it, or the two halves crossing) */
	/* Reasons about the caller's arguments, never about the bytes: */
	EC_WIRE_NOSPACE,         /* output capacity too small or memory misaligned */
	EC_WIRE_NO_BODY,         /* encode: item without the body its kind carries
	                            (block, cert, contacts, hello and its claim,
	                            sync, audit, proof) */
	EC_WIRE_ID_MISMATCH,     /* encode: item block_id differs from block->id */
	EC_WIRE_REASON_COUNT
} ec_wire_reason;

/* Returns a static, human-readable description of r (never NULL). */
const char *ec_wire_reason_str(ec_wire_reason r);

/* Memory that always suffices for ec_wire_item_decode or ec_wire_env_decode
 * of an input of len bytes, valid or not (36 * len): with it they never
 * return EC_WIRE_NOSPACE.  The _measure functions give the exact figure,
 * which for a valid item is at most 4 * len and for a valid envelope at
 * most 32 * len (one 64-byte ecp_item per 2-byte BYE item). */
size_t ec_wire_decode_bound(size_t len);

/* ---- blocks --------------------------------------------------------------
 * Layout: type 0xB1, version, u64 time, u16 nparts, nparts x (token,
 * parent, next_key, signer), then nparts x sig.  The block id is the plain
 * BLAKE3 hash of the first EC_WIRE_BLOCK_HDR + 128 * nparts bytes (the
 * unsigned prefix), so signatures sign the id and do not change it. */

/* Encoded size of a block of nparts parts: 12 + 192 * nparts. */
size_t ec_wire_block_size(uint32_t nparts);

/* Checks b against the canonical rules (nparts, token order, create and
 * signer rules).  Does not check b->id.
 * Returns EC_WIRE_OK or the first rule broken. */
EC_WUR ec_wire_reason ec_wire_block_check(const ecp_block *b);

/* Encodes b (b->id is not encoded: it is the hash of the output).
 * In:  b, a block that passes ec_wire_block_check.
 * Out: out[0 .. *len-1] (len may be NULL), cap bytes available.
 * Returns EC_OK; EC_EINVAL if b breaks a rule (nothing written);
 *         EC_EFULL if cap < ec_wire_block_size(b->nparts). */
EC_WUR ec_err ec_wire_block_encode(const ecp_block *b, uint8_t *out, size_t cap, size_t *len);

/* Reads only the header of a block encoding and checks that len is exactly
 * the size it announces, so that the caller can size the ecp_block.
 * Out: *nparts (1..256) on success.
 * Returns EC_WIRE_OK, TRUNCATED, TRAILING, BAD_TYPE, BAD_VERSION or
 *         BAD_NPARTS.  Parts are not checked: ec_wire_block_decode does. */
EC_WUR ec_wire_reason ec_wire_block_peek(const uint8_t *in, size_t len, uint32_t *nparts);

/* Decodes a complete block (exactly len bytes) and computes its id.
 * In:  out must hold ecp_block_size(cap) bytes (cap parts).
 * Out: *out, including out->id; unspecified on failure.  out owns no
 *      memory and does not point into in.
 * Returns EC_WIRE_OK, a rejection reason, or EC_WIRE_NOSPACE if the block
 *         has more than cap parts. */
EC_WUR ec_wire_reason ec_wire_block_decode(const uint8_t *in, size_t len, ecp_block *out,
                                           uint32_t cap);

/* Computes the id of b from its fields (BLAKE3 of the unsigned prefix of
 * its encoding), streaming: no allocation, no full encoding in memory.
 * b->id is neither read nor written.  b->nparts must be 1..256. */
void ec_wire_block_id(const ecp_block *b, ec_id *out);

/* ---- certificates --------------------------------------------------------
 * Layout: type 0xCE, version, u16 n, n x (u64 voter, u32 stamp, u16 role,
 * i8 value); votes strictly ascending by (role, voter).  A signed one
 * (c->sigs): type 0xCF, and each vote followed by its 64-byte signature. */

/* Encoded size of a certificate of n votes: 4 + 15 * n, or 4 + 79 * n
 * with signatures. */
size_t ec_wire_cert_size(uint32_t n, bool sigs);

/* Checks c against the rules (count, order, values, roles below nparts or
 * the witness; nparts 0 means "any part index below ECP_MAX_PARTS"). */
EC_WUR ec_wire_reason ec_wire_cert_check(const ecp_cert *c, uint32_t nparts);

/* Sorts c's votes into the canonical order, in place, without allocating
 * (heap sort).  Run it on a certificate before interning it if it was
 * built in another order; a certificate with two votes of the same (role,
 * voter) still fails ec_wire_cert_check after sorting. */
void ec_wire_cert_sort(ecp_cert *c);
/* The same, moving tag[i] along with vote i (c's signatures, if any, are
 * not moved: sort before writing them). */
void ec_wire_cert_sort_with(ecp_cert *c, uint32_t *tag);

/* Encodes c.  Returns EC_OK, EC_EINVAL (rule broken, nothing written) or
 * EC_EFULL (cap too small).  *len may be NULL. */
EC_WUR ec_err ec_wire_cert_encode(const ecp_cert *c, uint8_t *out, size_t cap, size_t *len);

/* Reads the header of a certificate encoding; checks len is exact.
 * Out: *n; *sigs (may be NULL): whether it carries signatures. */
EC_WUR ec_wire_reason ec_wire_cert_peek(const uint8_t *in, size_t len, uint32_t *n, bool *sigs);

/* Decodes a stand-alone certificate (roles checked against ECP_MAX_PARTS).
 * In:  out must hold ecp_cert_bytes(cap, sigs) bytes, sigs as
 *      ec_wire_cert_peek reports.
 * Returns EC_WIRE_OK, a reason, or EC_WIRE_NOSPACE (more than cap votes). */
EC_WUR ec_wire_reason ec_wire_cert_decode(const uint8_t *in, size_t len, ecp_cert *out,
                                          uint32_t cap);

/* ---- items ----------------------------------------------------------------
 * Each item: its type byte (ec_wire_item_type), version, then the fields its
 * kind carries (docs/wire.md).  BLOCK and COMMIT carry the block (whose hash
 * is the item's block_id; block_id itself is not repeated), COMMIT also the
 * certificate, and with flags (ECP_F_SYNC, its own type byte) the flags and
 * the role.  FIND carries hops, contacts->target and exactly one contact;
 * PEERS the target and 0..ECP_MAX_CONTACTS contacts; HELLO flags, hops
 * (non-zero only on a relayed join: ECP_F_JOIN without ECP_F_INTRO), the
 * claim and the sender's address (no contacts); WELCOME flags, the claim,
 * the address and contacts (no hops); PING
 * its value (0 or 1); BYE nothing; SYNC lo, hi and after; SYNCED those and
 * more; AUDIT nonce, round, lo and hi; PROOF nonce, point, count (at most
 * EC_SP_ENTRIES) and the entries, in the order ec_sp_answer_check requires
 * (the responder is the envelope's sender: not carried); ACCUSE the voter,
 * token, parent, the two block ids (ascending), the two roles (part
 * indexes) and the two signatures.  A VOTE, or a BLOCK with a vote, whose
 * vsig is set takes its signed type byte and carries the 64-byte
 * signature after its other fields (a BLOCK without a vote cannot).  Contact lists
 * are strictly ascending by id (ec_wire_contacts_sort).
 *
 * Fields a kind does not carry are ignored by the encoder and zero after
 * decoding, except BLOCKED's value, which decodes as -1 (a BLOCKED item is
 * a no vote on its role).  Fields of a body that a kind fixes are refused,
 * not ignored, when they differ (FIND's contact count 1, HELLO's 0, SYNC's
 * more 0): the body would not survive the trip otherwise.  Addresses: the
 * bytes after addr.len must be zero; decoders zero them. */

/* Returns the type byte it's encoding starts with (0x00 for an unknown
 * kind; the flags of a COMMIT item choose between its two type bytes). */
uint8_t ec_wire_item_type(const ecp_item *it);

/* Encoded size of it: equal to the length ec_wire_item_encode writes.
 * 0 if it cannot be encoded at all (unknown kind, missing body). */
size_t ec_wire_item_size(const ecp_item *it);

/* Checks it against the rules of its kind, including its bodies, and that
 * it->block_id equals it->block->id for BLOCK and COMMIT (the id itself is
 * not recomputed: the caller keeps block->id the hash of the block). */
EC_WUR ec_wire_reason ec_wire_item_check(const ecp_item *it);

/* Sorts n contacts into the canonical order (ascending id), in place,
 * without allocating (heap sort).  Run it on a PEERS or WELCOME list built
 * in another order; two contacts with one id still fail the check. */
void ec_wire_contacts_sort(ec_contact *c, uint32_t n);

/* Encodes it.  Returns EC_OK, EC_EINVAL (ec_wire_item_check fails;
 * nothing written) or EC_EFULL (cap too small).  *len may be NULL. */
EC_WUR ec_err ec_wire_item_encode(const ecp_item *it, uint8_t *out, size_t cap, size_t *len);

/* Validates a complete item encoding (exactly len bytes) without decoding.
 * Out: *mem, the bytes of memory ec_wire_item_decode needs (0 for items
 *      without a body). */
EC_WUR ec_wire_reason ec_wire_item_measure(const uint8_t *in, size_t len, size_t *mem);

/* Decodes a complete item (exactly len bytes).
 * In:  mem, memcap: memory for the item's bodies, aligned to EC_WIRE_ALIGN
 *      (may be NULL when memcap is 0).
 * Out: *out.  Its bodies (out->block, and out->cert, contacts, hello with
 *      hello->claim, sync, audit or proof) point into mem (not into in),
 *      which the caller owns and must keep for as long as it uses them;
 *      the block's id is computed.  A decoded claim is not interned
 *      (ecp_hello): a receiver that keeps it interns it.  Unspecified on
 *      failure.
 * Returns EC_WIRE_OK, a rejection reason, or EC_WIRE_NOSPACE. */
EC_WUR ec_wire_reason ec_wire_item_decode(const uint8_t *in, size_t len, ecp_item *out,
                                          void *mem, size_t memcap);

/* ---- envelopes ------------------------------------------------------------
 * Layout: type 0xE1, version, u64 sender position, u16 count (1..65535),
 * then count complete item encodings back to back. */

typedef struct ec_wire_env {
	uint64_t sender;        /* ring position of the sender */
	uint32_t n;             /* number of items, 1..EC_WIRE_ENV_MAX_ITEMS */
	const ecp_item *items;
} ec_wire_env;

/* Encoded size of env: 12 plus the items' sizes; 0 if an item cannot be
 * encoded (see ec_wire_item_size). */
size_t ec_wire_env_size(const ec_wire_env *env);

/* Encodes env.  Returns EC_OK, EC_EINVAL (count 0 or too large, or an item
 * fails ec_wire_item_check; nothing written) or EC_EFULL. */
EC_WUR ec_err ec_wire_env_encode(const ec_wire_env *env, uint8_t *out, size_t cap, size_t *len);

/* Validates a complete envelope (exactly len bytes) without decoding.
 * Out: *mem, the bytes of memory ec_wire_env_decode needs. */
EC_WUR ec_wire_reason ec_wire_env_measure(const uint8_t *in, size_t len, size_t *mem);

/* Decodes a complete envelope (exactly len bytes).
 * In:  mem, memcap as for ec_wire_item_decode.
 * Out: *out; out->items and every body they point to lie in mem, which
 *      the caller owns and must keep while it uses them.
 * Returns EC_WIRE_OK, a rejection reason, or EC_WIRE_NOSPACE. */
EC_WUR ec_wire_reason ec_wire_env_decode(const uint8_t *in, size_t len, ec_wire_env *out,
                                         void *mem, size_t memcap);

#endif
