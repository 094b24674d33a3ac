/* SPDX-License-Identifier: MIT */
/*
 * Fixtures shared by the proof-of-storage tests (test_storage_proof.c,
 * test_storage_proof_wire.c): the test seed, ids and mappings of the
 * hand-built stores, random ids, the answer builder and the base query.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec/rng.h"
#include "ec/storage_proof.h"

#include "sp_fixtures.h"

uint64_t test_seed = 1;

ec_id
id4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	ec_id x = {{a, b, c, d}};
	return x;
}

ec_id
id0(uint64_t a)
{
	return id4(a, 0, 0, 0);
}

/* The block of token t in the hand-built stores: distinct per token. */
ec_id
block_of(const ec_id *t)
{
	return id4(0xB10C, t->w[0], t->w[1] ^ 0x5A5A, t->w[3]);
}

ec_sp_mapping
mp(ec_id t)
{
	ec_sp_mapping m = {t, block_of(&t)};
	return m;
}

static int
cmp_mapping(const void *a, const void *b)
{
	return ec_id_cmp(&((const ec_sp_mapping *)a)->token, &((const ec_sp_mapping *)b)->token);
}

/* Sorts m[0..*n-1] by token and drops repeated tokens. */
void
sort_unique(ec_sp_mapping *m, size_t *n)
{
	qsort(m, *n, sizeof m[0], cmp_mapping);
	size_t k = 0;
	for (size_t i = 0; i < *n; i++)
		if (k == 0 || !ec_id_eq(&m[k - 1].token, &m[i].token))
			m[k++] = m[i];
	*n = k;
}

ec_sp_answer
build(const ec_sp_mapping *m, size_t n, ec_id point)
{
	ec_sp_array a = {m, n};
	ec_sp_view v = ec_sp_array_view(&a);
	ec_id me = id0(77);
	ec_sp_answer ans;
	assert_int_equal(ec_sp_answer_build(&me, &point, &v, &ans), EC_OK);
	assert_int_equal(ec_sp_answer_check(&ans), EC_SP_OK);
	return ans;
}


ec_rng
seeded(uint64_t purpose)
{
	uint8_t key[EC_RNG_SEED_BYTES];
	ec_rng_seed_from_u64(test_seed ^ (purpose * 0x9E3779B97F4A7C15ull), key);
	ec_rng r;
	ec_rng_init(&r, key);
	return r;
}

ec_id
rand_id(ec_rng *r)
{
	ec_id x;
	for (int i = 0; i < 4; i++)
		x.w[i] = ec_rng_u64(r);
	return x;
}

/* Ids on a "small ring": few distinct values, near 0 and near 2^256, so
 * that collisions with the point and wrap-around are frequent. */
ec_id
rand_small_id(ec_rng *r)
{
	uint64_t lo = ec_rng_range_u64(r, 0, 40), low = ec_rng_range_u64(r, 0, 3);
	return ec_rng_u32(r) & 1 ? id4(lo, 0, 0, low) : id4(MAXW - lo, MAXW, MAXW, MAXW - low);
}

ec_sp_query
base_query(void)
{
	ec_sp_query q = {id4(1, 2, 3, 4), id4(5, 6, 7, 8), 0x0102030405060708ull, 42};
	return q;
}


/* tokens at w0 = 100, 200, ..., 2000 */
size_t
linear_ring(ec_sp_mapping *m)
{
	for (size_t i = 0; i < 20; i++)
		m[i] = mp(id0(100 * (i + 1)));
	return 20;
}
