/* SPDX-License-Identifier: MIT */
/*
 * Proof of storage (docs/design/performance_analysis.md §11.9.3, "Layer 2"): a node must show that
 * it really keeps the token mappings (token id -> id of the block that last
 * moved it) of its part of the ring.  A requester derives a challenge point
 * that the audited node cannot predict (a BLAKE3 derive-key hash of
 * requester, audited node, a requester nonce and the round); the answer is
 * the 10 stored mappings nearest that point, 5 scanning up the ring from it
 * and 5 scanning down.  The requester checks the answer against what it
 * knows itself, and against the answers that other nodes near the point
 * give to the same query: an answer passes when at least 8 of its 10
 * entries agree with the majority (8 is a parameter).
 *
 * Why 10 entries and a vote: one entry can be wrong for innocent reasons
 * (a transfer the node has not heard of yet), so a single mismatch must not
 * eject a node; but a node that dropped a fraction 1-f of its mappings
 * answers all 10 correctly only with probability about f^10, and cannot
 * invent a missing (token, block) pair (both are 256-bit hashes), so every
 * gap costs it an entry (measured by bench/bench_storage_proof.c).
 *
 * The module is sans-I/O and allocation-free: the responder's mappings are
 * read through an ordered view (ec_sp_view) that the caller provides, and
 * the encoders and decoders work on caller buffers.  Wire format:
 * docs/wire.md ("Proof of storage").  Names use the prefix ec_sp_ ("storage
 * proof").
 *
 * Ring terms: ids are 256-bit unsigned numbers on a ring of size 2^256.
 * "Up" is ascending id order and wraps from 2^256-1 to 0; "down" is
 * descending order and wraps from 0 to 2^256-1.
 */
#ifndef EC_STORAGE_PROOF_H
#define EC_STORAGE_PROOF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/err.h"
#include "ec/id.h"

#define EC_SP_ENTRIES 10     /* mappings in a full answer */
#define EC_SP_HALF 5         /* of which scanning up (then the rest down) */
#define EC_SP_MIN_AGREE 8    /* default: entries that must agree to pass */
#define EC_SP_MIN_PEERS 3    /* answers needed before a majority means anything */
#define EC_SP_MAX_PEERS 64   /* most answers ec_sp_compare takes at once */

/* The BLAKE3 derive-key context of the challenge point.  Changing it (or
 * the hashed layout) changes every point: bump the "v1" with the wire
 * version. */
#define EC_SP_CONTEXT "ecRust 2026 proof of storage v1"

/* Wire constants (docs/wire.md ("Proof of storage")).  The type bytes are the
 * ec_msg_type values of QueryToken and Answer (ec/msg.h). */
#define EC_SP_TYPE_QUERY 0x03
#define EC_SP_TYPE_ANSWER 0x04
#define EC_SP_VERSION 0x01
#define EC_SP_QUERY_LEN 82          /* 2 + 32 + 32 + 8 + 8 */
#define EC_SP_ANSWER_HEADER_LEN 67  /* 2 + 32 + 32 + 1 */
#define EC_SP_ENTRY_LEN 64          /* token 32 + block 32 */
#define EC_SP_ANSWER_MAX_LEN (EC_SP_ANSWER_HEADER_LEN + EC_SP_ENTRIES * EC_SP_ENTRY_LEN)

/* One stored mapping: a token and the block that last moved it. */
typedef struct ec_sp_mapping {
	ec_id token;
	ec_id block;
} ec_sp_mapping;

/*
 * QueryToken: "prove you store the mappings around the point derived from
 * these fields".  `responder` names the node being audited.  To compare
 * answers, the requester sends the very same query (still naming the
 * audited node) to other nodes near the point: they all derive the same
 * point and answer from their own stores.
 */
typedef struct ec_sp_query {
	ec_id requester;
	ec_id responder;
	uint64_t nonce;  /* fresh per query, chosen by the requester */
	uint64_t round;  /* the requester's round (the sim round counter) */
} ec_sp_query;

/*
 * Answer.  `responder` is the node that answered (the audited node, or a
 * witness); `point` echoes the challenge point.  entries[0 .. min(count,5)-1]
 * are the tokens at or above the point scanning up (ascending, wrapping),
 * entries[min(count,5) .. count-1] the tokens below the point scanning down
 * (descending, wrapping); count < 10 says the node stores only `count`
 * tokens, all of them listed.  entries[count..9] are ignored (the builder and
 * the decoder zero them).
 */
typedef struct ec_sp_answer {
	ec_id responder;
	ec_id point;
	uint8_t count;
	ec_sp_mapping entries[EC_SP_ENTRIES];
} ec_sp_answer;

/*
 * An ordered, read-only view of a set of mappings, provided by the caller
 * so that the module works over any store.  Both functions look up without
 * wrapping around (the module does the wrapping):
 *   at_or_above: the mapping with the smallest token >= *x;
 *   at_or_below: the mapping with the largest token <= *x.
 * Each writes it to *out and returns true, or returns false if there is
 * none.  Tokens must be distinct.  The module calls them only during the
 * ec_sp_* call it was passed to, a bounded number of times whatever the
 * store's size (at most 24 per ec_sp_answer_build, 88 per
 * ec_sp_verify_known), and never keeps impl or the view: the caller owns
 * both.
 */
typedef struct ec_sp_view_ops {
	bool (*at_or_above)(const void *impl, const ec_id *x, ec_sp_mapping *out);
	bool (*at_or_below)(const void *impl, const ec_id *x, ec_sp_mapping *out);
} ec_sp_view_ops;

typedef struct ec_sp_view {
	const ec_sp_view_ops *ops;
	const void *impl;
} ec_sp_view;

/* A ready-made view over an array sorted strictly ascending by token. */
typedef struct ec_sp_array {
	const ec_sp_mapping *m;
	size_t n;
} ec_sp_array;

/* Why a decoder (or ec_sp_answer_check) rejected its input. */
typedef enum ec_sp_reason {
	EC_SP_OK = 0,          /* not a rejection */
	EC_SP_BAD_SHORT,       /* input ends inside a field */
	EC_SP_BAD_TYPE,        /* first byte is not this message's type */
	EC_SP_BAD_VERSION,     /* second byte is not EC_SP_VERSION */
	EC_SP_BAD_TRAILING,    /* bytes after the last field */
	EC_SP_BAD_COUNT,       /* more than EC_SP_ENTRIES entries */
	EC_SP_BAD_DUPLICATE,   /* a token appears twice */
	EC_SP_BAD_ORDER_UP,    /* up entries not strictly ascending from the point */
	EC_SP_BAD_ORDER_DOWN,  /* down entries not strictly descending below the point */
	EC_SP_BAD_CROSSING     /* a down entry lies within the span of the up entries */
} ec_sp_reason;

/* Outcome of checking an answer.  A peer's bad answer is a verdict, never
 * an ec_err. */
typedef enum ec_sp_verdict {
	EC_SP_PASS = 0,         /* enough entries agree */
	EC_SP_FAIL_MISMATCH,    /* too many entries are wrong or missing */
	EC_SP_FAIL_POINT,       /* the answer is for another challenge point */
	EC_SP_FAIL_RESPONDER,   /* the answer is not from the audited node */
	EC_SP_FAIL_MALFORMED,   /* the entries are not in canonical order */
	EC_SP_FAIL_DUPLICATE,   /* a second answer from the same responder */
	EC_SP_INCONCLUSIVE      /* nothing to compare with */
} ec_sp_verdict;

/* Counts behind a verdict of ec_sp_verify_known. */
typedef struct ec_sp_tally {
	uint8_t checked;  /* answered tokens the requester knows */
	uint8_t wrong;    /* ... of which with another block */
	uint8_t omitted;  /* tokens the requester knows inside the answer's span
	                   * that the answer skipped (counted up to 11) */
} ec_sp_tally;

/* Static text for a reason or verdict (never NULL). */
const char *ec_sp_reason_str(ec_sp_reason r);
const char *ec_sp_verdict_str(ec_sp_verdict v);

/*
 * Derives the challenge point of a query: the 32-byte BLAKE3 derive-key
 * output (context EC_SP_CONTEXT) over
 *   requester (32 bytes, big-endian) || responder (32) || nonce (u64 LE) ||
 *   round (u64 LE),
 * read as an id (ec_id_from_bytes).  Deterministic; different requesters,
 * audited nodes, nonces or rounds give unrelated points.
 * In: q.  Out: *point.
 */
void ec_sp_challenge(const ec_sp_query *q, ec_id *point);

/* Returns a view of a (borrowed: a and a->m must outlive the view).
 * a->m must be sorted strictly ascending by token. */
ec_sp_view ec_sp_array_view(const ec_sp_array *a);

/*
 * Builds the answer of a node whose mappings are `view` to challenge point
 * `point`: the first min(n, 5) tokens at or above the point scanning up,
 * then up to 5 more scanning down from just below it, stopping where the
 * scans meet (n = number of stored tokens).
 * In:   responder (the answering node), point, view.
 * Out:  *out (entries past count zeroed).
 * Returns EC_OK, or EC_EINVAL if the view broke its contract (the result
 * would not be canonical: see ec_sp_answer_check).
 */
EC_WUR ec_err ec_sp_answer_build(const ec_id *responder, const ec_id *point,
                                 const ec_sp_view *view, ec_sp_answer *out);

/* Returns EC_SP_OK if a is canonical (what ec_sp_answer_build produces for
 * some store): count <= 10, distinct tokens, the up entries at strictly
 * increasing distance above the point, the down entries (never the point
 * itself) at strictly increasing distance below it, and every up entry
 * nearer going up than every down entry.  Otherwise the first violated
 * rule, in the order of ec_sp_reason. */
EC_WUR ec_sp_reason ec_sp_answer_check(const ec_sp_answer *a);

/*
 * Checks an answer against the requester's own mappings `known`.  Every
 * token of `known` that falls inside the answer's span (from the last down
 * entry up to the last up entry; the whole ring when count < 10, since the
 * responder then claims to store nothing else) must be in the answer with
 * the same block.  Pass as `known` only mappings the audited node is
 * expected to store (e.g. a view filtered to its neighbourhood).
 * Verdicts, in order: FAIL_RESPONDER (a->responder != q->responder),
 * FAIL_POINT, FAIL_MALFORMED, FAIL_MISMATCH (wrong + omitted >
 * EC_SP_ENTRIES - min_agree), INCONCLUSIVE (the requester knows none of the
 * answered tokens), PASS.
 * In:   q (the query sent), a (the answer), known, min_agree (0..10,
 *       usually EC_SP_MIN_AGREE).
 * Out:  *verdict; *tally (may be NULL).
 * Returns EC_OK, or EC_EINVAL if min_agree > 10 (nothing is written).
 */
EC_WUR ec_err ec_sp_verify_known(const ec_sp_query *q, const ec_sp_answer *a,
                                 const ec_sp_view *known, unsigned min_agree,
                                 ec_sp_verdict *verdict, ec_sp_tally *tally);

/*
 * As ec_sp_verify_known, against a challenge point the caller derived
 * (ecp_audit_point folds the point into a range of the ring): the verdicts
 * are the same, FAIL_RESPONDER when a->responder != *responder and
 * FAIL_POINT when a->point != *point.
 * In:   responder (the audited node), point, a, known, min_agree (0..10).
 * Out:  *verdict; *tally (may be NULL).
 * Returns EC_OK, or EC_EINVAL if min_agree > 10 (nothing is written).
 */
EC_WUR ec_err ec_sp_verify_point(const ec_id *responder, const ec_id *point,
                                 const ec_sp_answer *a, const ec_sp_view *known,
                                 unsigned min_agree, ec_sp_verdict *verdict, ec_sp_tally *tally);

/*
 * Compares k answers to the same challenge point.  Answers that are not
 * canonical (FAIL_MALFORMED), are for another point (FAIL_POINT) or repeat
 * an earlier answer's responder (FAIL_DUPLICATE) take no part.  Among the
 * remaining k', an entry (token and block) is in the majority answer M when
 * more than k'/2 answers contain it.  With T = min(10, |M|), answer i
 * passes when max(count_i, T) - agree_i <= EC_SP_ENTRIES - min_agree, where
 * agree_i = its entries in M: with full answers, at least min_agree of its
 * 10 entries agree; a short store is held to the same number of misses.
 * If k' < EC_SP_MIN_PEERS, the k' answers are INCONCLUSIVE.
 * In:   answers[0..k-1], point, min_agree (0..10).
 * Out:  verdicts[0..k-1]; agree[0..k-1] (may be NULL; 0 for answers that
 *       take no part).
 * Returns EC_OK, or EC_EINVAL if k > EC_SP_MAX_PEERS or min_agree > 10
 * (nothing is written).
 */
EC_WUR ec_err ec_sp_compare(const ec_sp_answer *answers, size_t k, const ec_id *point,
                            unsigned min_agree, ec_sp_verdict *verdicts, uint8_t *agree);

/* Writes the EC_SP_QUERY_LEN-byte encoding of q. */
void ec_sp_query_encode(const ec_sp_query *q, uint8_t out[EC_SP_QUERY_LEN]);

/* Decodes exactly len bytes.  Out: *q (written only on EC_SP_OK).
 * Returns EC_SP_OK or why the input is rejected. */
EC_WUR ec_sp_reason ec_sp_query_decode(const uint8_t *in, size_t len, ec_sp_query *q);

/* Returns the encoded size of an answer with `count` entries. */
static inline size_t
ec_sp_answer_len(uint8_t count)
{
	return EC_SP_ANSWER_HEADER_LEN + (size_t)count * EC_SP_ENTRY_LEN;
}

/*
 * Encodes a.  Out: out[0 .. *len-1].  In/out: *len is the capacity of out
 * on entry and the encoded size on return (EC_OK only).
 * Returns EC_OK, EC_EINVAL if a is not canonical (ec_sp_answer_check), or
 * EC_ERANGE if the capacity is too small.
 */
EC_WUR ec_err ec_sp_answer_encode(const ec_sp_answer *a, uint8_t *out, size_t *len);

/* Decodes exactly len bytes; only canonical encodings are accepted.
 * Out: *a (written only on EC_SP_OK; entries past count zeroed).
 * Returns EC_SP_OK or why the input is rejected. */
EC_WUR ec_sp_reason ec_sp_answer_decode(const uint8_t *in, size_t len, ec_sp_answer *a);

#endif
