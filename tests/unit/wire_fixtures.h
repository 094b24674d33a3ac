/* SPDX-License-Identifier: MIT */
/*
 * Fixtures shared by the wire encoding tests (test_wire.c and
 * test_wire_rules.c), defined in wire_fixtures.c.  Values are heap-allocated
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

/* Random canonical values (see wire_fixtures.c). */
ecp_block *random_block(ec_rng *rng, uint32_t nparts);
int vote_cmp_qsort(const void *pa, const void *pb);
ecp_cert *random_cert(ec_rng *rng, uint32_t nparts, uint32_t n, bool sorted);
ecp_item random_item(ec_rng *rng, uint8_t kind, ecp_block **owned_block, ecp_cert **owned_cert);

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

/* Golden vectors: reads tests/vectors/wire/<name> (EC_WIRE_VECTORS
 * overrides the directory) into a heap buffer of exactly *len bytes. */
uint8_t *read_vector(const char *name, size_t *len);
void assert_bytes_match_vector(const uint8_t *got, size_t len, const char *name);

/* The values the vector files describe (see their comments). */
ecp_block *golden_block_create(void);
ecp_block *golden_block_transfer(void);
ecp_cert *golden_cert(void);

#endif
