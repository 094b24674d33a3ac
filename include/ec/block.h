/* SPDX-License-Identifier: MIT */
/*
 * Blocks of the seed protocol (seed-protocol.md §1.3).  A block moves up to
 * EC_TOKENS_PER_BLOCK tokens; each part names the token, the block that last
 * moved it ("last": the token chain) and the new owner's key reference.
 * Identifiers are 64-bit as in the reference; the block id is chosen by the
 * creator and is not a hash of the content.
 */
#ifndef EC_BLOCK_H
#define EC_BLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define EC_TOKENS_PER_BLOCK 6
#define EC_TOKENS_SIGNATURE_SIZE 10
#define EC_SOME_STEPS_INTO_THE_FUTURE 100
#define EC_VOTE_THRESHOLD 2

typedef uint64_t ec_peer_id;
typedef uint64_t ec_token_id;
typedef uint64_t ec_block_id;

typedef struct ec_token_part {
	ec_token_id token; /* token being transferred */
	ec_block_id last;  /* block that last moved the token (0: never moved) */
	uint64_t key;      /* new owner's public-key reference */
} ec_token_part;

typedef struct ec_block {
	ec_block_id id;
	uint64_t time;     /* creation time (simulator round) */
	uint8_t used;      /* valid parts; a block is valid only with used < 6 */
	uint8_t sig_present; /* bit i: signatures[i] is Some */
	ec_token_part parts[EC_TOKENS_PER_BLOCK];
	uint64_t signatures[EC_TOKENS_PER_BLOCK];
} ec_block;

/* A transaction as a workload generator describes it, for any protocol:
 * `used` parts (a protocol may accept fewer than a txn can name; see
 * ec_protocol.max_block_tokens).  Pointers are borrowed for the call. */
struct ecp_block;

typedef struct ec_txn {
	ec_block_id id;
	uint64_t time;
	uint32_t used;
	const ec_token_part *parts;
	const uint64_t *signatures; /* signatures[i] for part i; may be NULL */
	/* The ec protocol: the complete signed block a wallet built (ec/ecp.h;
	 * its id is its content hash, and id above is its ring position).
	 * NULL: the node builds an unsigned block from the parts. */
	const struct ecp_block *block;
} ec_txn;

/* Returns whether a and b hold the same content, unused parts included
 * (creators leave them zeroed); signatures count only where present. */
bool ec_block_equal(const ec_block *a, const ec_block *b);

#endif
