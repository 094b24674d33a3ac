/* SPDX-License-Identifier: MIT */
/*
 * Fixtures shared by the wire encoding tests (test_wire.c, test_wire_rules.c
 * and test_wire_peer.c), defined in wire_fixtures.c.  Values are heap-allocated
 * (the caller frees them); decoder inputs are copied into buffers of exactly
 * their length, so AddressSanitizer catches any read past the end.
 */
#ifndef EC_TESTS_WIRE_FIXTURES_H
#define EC_TESTS_WIRE_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/rng.h"
#include "ec/wire.h"

/* EC_TEST_SEED (default 1), set by each program's main. */
extern uint64_t test_seed;

/* A stream of its own for each salt, derived from test_seed. */
void rng_fresh(ec_rng *rng, uint64_t salt);

/* Ids whose 32 bytes are b0, b0 + 1, ... and v, v, ... */
ec_id id_pattern_seq(uint8_t b0);
ec_id id_pattern_rep(uint8_t v);

/* Zeroed blocks and certificates of a given size. */
ecp_block *block_new(uint32_t nparts);
ecp_cert *cert_new(uint32_t n);

/* An exact-size heap copy, so that ASan sees any over-read. */
uint8_t *dup_exact(const uint8_t *p, size_t len);

/* The heap bodies an item built by a test points to (any may be NULL);
 * item_bodies_free frees them all and zeroes the struct. */
typedef struct item_bodies {
	ecp_block *block;
	ecp_cert *cert;
	void *body;               /* ecp_contacts, ecp_hello, ecp_sync, ecp_audit or
	                             ecp_proof */
	ec_identity_claim *claim; /* a hello's */
} item_bodies;
void item_bodies_free(item_bodies *o);

/* Random canonical values (see wire_fixtures.c).  random_item makes every
 * kind 1..ECP_KIND_MAX; a COMMIT is a catch-up answer (ECP_F_SYNC) one time
 * in three. */
ecp_block *random_block(ec_rng *rng, uint32_t nparts);
int vote_cmp_qsort(const void *pa, const void *pb);
ecp_cert *random_cert(ec_rng *rng, uint32_t nparts, uint32_t n, bool sorted);
ecp_item random_item(ec_rng *rng, uint8_t kind, item_bodies *owned);

/* The flags HELLO and WELCOME may carry (docs/wire.md), written from the
 * table rather than taken from the encoder; a HELLO's INTRO needs JOIN,
 * and only a relayed join (JOIN without INTRO) carries hops. */
#define HELLO_FLAGS_ALLOWED \
	(ECP_F_NEAR | ECP_F_SYNC | ECP_F_JOIN | ECP_F_INTRO | ECP_F_READY)
#define WELCOME_FLAGS_ALLOWED (ECP_F_NEAR | ECP_F_ADMITTED | ECP_F_READY)
static inline bool
hello_hops_allowed(uint8_t flags)
{
	return (flags & ECP_F_JOIN) && !(flags & ECP_F_INTRO);
}

/* Zeroed bodies of peer-management items (heap; the caller frees). */
ecp_contacts *contacts_new(uint32_t n);
ecp_hello *hello_new(uint32_t n);
ecp_proof *proof_new(uint32_t n); /* count n, room for n entries */
/* An address of len bytes b0, b0 + 1, ... (zero after them). */
ec_addr addr_of(uint8_t len, uint8_t b0);

/* Equality (an item: the fields its kind carries; the rest zero in b). */
void assert_block_equal(const ecp_block *a, const ecp_block *b);
void assert_cert_equal(const ecp_cert *a, const ecp_cert *b);
void assert_item_equal(const ecp_item *a, const ecp_item *b);

/* Encodes it into a fresh heap buffer; checks size == length. */
uint8_t *encode_item(const ecp_item *it, size_t *len);
/* Measures and decodes an item into freshly allocated memory (returned
 * through *mem for the caller to free). */
ec_wire_reason decode_item(const uint8_t *in, size_t len, ecp_item *out, void **mem);

/* Decoders run on an exact-size copy of in; the measure functions are
 * checked against the matching decoder. */
ec_wire_reason block_decode_copy(const uint8_t *in, size_t len);
ec_wire_reason peek_copy(const uint8_t *in, size_t len);
ec_wire_reason item_measure_copy(const uint8_t *in, size_t len);
ec_wire_reason env_measure_copy(const uint8_t *in, size_t len);
ec_wire_reason cert_decode_copy(const uint8_t *in, size_t len);

/* A decoder wrapper above (or peek_copy): every prefix of buf shorter than
 * len must be TRUNCATED, buf itself OK, anything appended TRAILING. */
typedef ec_wire_reason (*decode_fn)(const uint8_t *in, size_t len);
void check_truncations_and_trailing(const uint8_t *buf, size_t len, decode_fn fn);

/* Golden vectors: reads tests/vectors/wire/<name> (EC_WIRE_VECTORS
 * overrides the directory) into a heap buffer of exactly *len bytes. */
uint8_t *read_vector(const char *name, size_t *len);
void assert_bytes_match_vector(const uint8_t *got, size_t len, const char *name);

/* The values the vector files describe (see their comments). */
ecp_block *golden_block_create(void);
ecp_block *golden_block_transfer(void);
ecp_cert *golden_cert(void);
/* The peer-management golden items, kind FIND .. PROOF or COMMIT (the
 * catch-up answer of item_commit_sync.hex), with their vector's name. */
ecp_item golden_peer_item(uint8_t kind, item_bodies *owned, const char **vector);

#endif
