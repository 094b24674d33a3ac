/* SPDX-License-Identifier: MIT */
/*
 * Fixtures shared by the proof-of-storage tests (test_storage_proof.c and
 * test_storage_proof_wire.c), defined in sp_fixtures.c.
 */
#ifndef EC_TESTS_SP_FIXTURES_H
#define EC_TESTS_SP_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "ec/rng.h"
#include "ec/storage_proof.h"

#define MAXW UINT64_MAX

/* EC_TEST_SEED (default 1), set by each program's main. */
extern uint64_t test_seed;

/* Ids from their words; id0(a) = id4(a, 0, 0, 0). */
ec_id id4(uint64_t a, uint64_t b, uint64_t c, uint64_t d);
ec_id id0(uint64_t a);

/* The block of token t in the hand-built stores (distinct per token), and
 * the mapping of t to it. */
ec_id block_of(const ec_id *t);
ec_sp_mapping mp(ec_id t);

/* Sorts m[0..*n-1] by token and drops repeated tokens. */
void sort_unique(ec_sp_mapping *m, size_t *n);

/* The answer of node 77 whose store is m[0..n-1] (sorted) to point;
 * checked canonical. */
ec_sp_answer build(const ec_sp_mapping *m, size_t n, ec_id point);

/* A stream of its own for each purpose, derived from test_seed. */
ec_rng seeded(uint64_t purpose);

/* Random ids; on a "small ring" (few distinct values, near 0 and near
 * 2^256), so that collisions with the point and wrap-around are frequent. */
ec_id rand_id(ec_rng *r);
ec_id rand_small_id(ec_rng *r);

/* The query of the golden challenge. */
ec_sp_query base_query(void);

/* Tokens at w0 = 100, 200, ..., 2000 written to m[0..19]; returns 20. */
size_t linear_ring(ec_sp_mapping *m);

#endif
