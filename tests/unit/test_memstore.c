/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for ec_memstore (ec/memstore.h): per-owner block and token
 * stores behind the ec_store seam, block interning (equal blocks share one
 * stable copy), and table growth over thousands of entries.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#include <cmocka.h>

#include "ec/ctx.h"
#include "ec/ecp.h"
#include "ec/seed.h"
#include "ecsim/memstore.h"

static ec_block
mk(ec_block_id id, uint64_t time, uint64_t token)
{
	ec_block b = {0};
	b.id = id;
	b.time = time;
	b.used = 1;
	b.parts[0].token = token;
	b.parts[0].last = id ^ 0x5555;
	b.parts[0].key = id * 3;
	b.sig_present = 1;
	b.signatures[0] = id + 1;
	return b;
}

static ec_memstore *
new_store(void)
{
	ec_memstore *s = NULL;
	assert_int_equal(ec_memstore_new(ec_libc_realloc, NULL, &s), EC_OK);
	assert_non_null(s);
	return s;
}

/* The store offers each protocol's interface by name, and no other. */
static void
test_bind_by_api(void **state)
{
	(void)state;
	ec_memstore *s = new_store();
	ec_memstore_view v = {s, 3, 0};
	ec_store seed = ec_memstore_bind(&v, ec_protocol_seed.store_api);
	ec_store ecp = ec_memstore_bind(&v, ec_protocol_ec.store_api);
	ec_store none = ec_memstore_bind(&v, "no-such-store/1");
	assert_non_null(seed.ops);
	assert_non_null(ecp.ops);
	assert_ptr_not_equal(seed.ops, ecp.ops);
	assert_null(none.ops);
	assert_null(none.impl);
	assert_null(ec_memstore_bind(&v, NULL).ops);
	ec_id tok = ec_id_expand(5), blk = ec_id_expand(6), got;
	uint64_t t = 0;
	assert_int_equal(ecp_store(&ecp)->xtoken_put(ecp.impl, &tok, &blk, 9), EC_OK);
	assert_true(ecp_store(&ecp)->xtoken_get(ecp.impl, &tok, &got, &t));
	assert_int_equal(t, 9);
	ec_memstore_free(s);
}

static void
test_empty(void **state)
{
	(void)state;
	ec_memstore *s = new_store();
	ec_memstore_view v = {s, 0, 0};
	ec_store st = ec_memstore_bind(&v, EC_SEED_STORE_API);
	assert_ptr_equal(st.impl, &v);
	assert_null(ec_seed_store(&st)->block_get(st.impl, 1));
	assert_null(ec_memstore_block_get(s, 0, 1));
	ec_block_id b = 7;
	uint64_t t = 8;
	assert_false(ec_seed_store(&st)->token_get(st.impl, 1, &b, &t));
	ec_memstore_free(s);
	ec_memstore_free(NULL);
}

static void
test_blocks_per_owner(void **state)
{
	(void)state;
	ec_memstore *s = new_store();
	ec_memstore_view v0 = {s, 0, 0}, v1 = {s, 1, 0}, v9 = {s, 900000, 0};
	ec_store s0 = ec_memstore_bind(&v0, EC_SEED_STORE_API), s1 = ec_memstore_bind(&v1, EC_SEED_STORE_API),
	         s9 = ec_memstore_bind(&v9, EC_SEED_STORE_API);
	ec_block a = mk(100, 1, 5), a_other = mk(100, 2, 6), c = mk(200, 3, 7);

	assert_int_equal(ec_seed_store(&s0)->block_put(s0.impl, &a), EC_OK);
	const ec_block *g = ec_seed_store(&s0)->block_get(s0.impl, 100);
	assert_non_null(g);
	assert_true(ec_block_equal(g, &a));
	assert_null(ec_seed_store(&s1)->block_get(s1.impl, 100));
	assert_null(ec_seed_store(&s9)->block_get(s9.impl, 100));
	assert_null(ec_seed_store(&s0)->block_get(s0.impl, 200));

	/* same id, other content, other owner: each sees its own */
	assert_int_equal(ec_seed_store(&s1)->block_put(s1.impl, &a_other), EC_OK);
	assert_int_equal(ec_seed_store(&s9)->block_put(s9.impl, &c), EC_OK);
	assert_true(ec_block_equal(ec_seed_store(&s0)->block_get(s0.impl, 100), &a));
	assert_true(ec_block_equal(ec_seed_store(&s1)->block_get(s1.impl, 100), &a_other));
	assert_true(ec_block_equal(ec_memstore_block_get(s, 1, 100), &a_other));
	assert_true(ec_block_equal(ec_memstore_block_get(s, 900000, 200), &c));
	assert_null(ec_memstore_block_get(s, 900000, 100));
	assert_null(ec_memstore_block_get(s, 2, 100));

	/* save overwrites */
	assert_int_equal(ec_seed_store(&s0)->block_put(s0.impl, &a_other), EC_OK);
	assert_true(ec_block_equal(ec_seed_store(&s0)->block_get(s0.impl, 100), &a_other));

	/* the store keeps a copy: changing the caller's block changes nothing */
	ec_block d = mk(300, 4, 8);
	assert_int_equal(ec_seed_store(&s0)->block_put(s0.impl, &d), EC_OK);
	ec_block d_saved = d;
	d.time = 999;
	assert_true(ec_block_equal(ec_seed_store(&s0)->block_get(s0.impl, 300), &d_saved));
	ec_memstore_free(s);
}

static void
test_intern(void **state)
{
	(void)state;
	ec_memstore *s = new_store();
	ec_block a = mk(10, 1, 5), a2 = mk(10, 1, 5), b = mk(10, 2, 5), c = mk(11, 1, 5);
	const ec_block *pa = NULL, *pa2 = NULL, *pb = NULL, *pc = NULL;
	assert_int_equal(ec_memstore_intern(s, &a, &pa), EC_OK);
	assert_int_equal(ec_memstore_intern(s, &a2, &pa2), EC_OK);
	assert_int_equal(ec_memstore_intern(s, &b, &pb), EC_OK);
	assert_int_equal(ec_memstore_intern(s, &c, &pc), EC_OK);
	assert_non_null(pa);
	assert_ptr_not_equal(pa, &a);
	assert_ptr_equal(pa, pa2); /* equal content: shared */
	assert_ptr_not_equal(pa, pb); /* same id, other content */
	assert_ptr_not_equal(pa, pc);
	assert_ptr_not_equal(pb, pc);
	assert_true(ec_block_equal(pa, &a));
	assert_true(ec_block_equal(pb, &b));
	assert_true(ec_block_equal(pc, &c));

	/* unused parts and absent signatures: equal blocks still share */
	ec_block x = mk(12, 1, 5), y = mk(12, 1, 5);
	y.signatures[3] = 77; /* not present: ignored by ec_block_equal */
	const ec_block *px, *py;
	assert_int_equal(ec_memstore_intern(s, &x, &px), EC_OK);
	assert_int_equal(ec_memstore_intern(s, &y, &py), EC_OK);
	assert_ptr_equal(px, py);

	/* block_put interns: every owner's copy of an equal block is one object */
	ec_memstore_view v0 = {s, 0, 0}, v1 = {s, 1, 0};
	ec_store s0 = ec_memstore_bind(&v0, EC_SEED_STORE_API), s1 = ec_memstore_bind(&v1, EC_SEED_STORE_API);
	assert_int_equal(ec_seed_store(&s0)->block_put(s0.impl, &a), EC_OK);
	assert_int_equal(ec_seed_store(&s1)->block_put(s1.impl, &a2), EC_OK);
	assert_ptr_equal(ec_seed_store(&s0)->block_get(s0.impl, 10), pa);
	assert_ptr_equal(ec_seed_store(&s1)->block_get(s1.impl, 10), pa);
	ec_memstore_free(s);
}

/* A second variant of an id (other content) is shared with its own earlier
 * copies too ("shared with earlier identical blocks", ec/memstore.h). */
static void
test_intern_second_variant_shared(void **state)
{
	(void)state;
	ec_memstore *s = new_store();
	ec_block a = mk(10, 1, 5), b = mk(10, 2, 5);
	const ec_block *pa, *pb1, *pb2;
	assert_int_equal(ec_memstore_intern(s, &a, &pa), EC_OK);
	assert_int_equal(ec_memstore_intern(s, &b, &pb1), EC_OK);
	assert_int_equal(ec_memstore_intern(s, &b, &pb2), EC_OK);
	bool distinct = pa != pb1, shared = pb1 == pb2;
	ec_memstore_free(s);
	assert_true(distinct);
	assert_true(shared);
}

static void
test_intern_pointers_stable(void **state)
{
	(void)state;
	enum { N = 5000 };
	ec_memstore *s = new_store();
	const ec_block **p = calloc(N, sizeof *p);
	assert_non_null(p);
	for (uint64_t i = 0; i < N; i++) {
		ec_block b = mk(1 + i * 7919, i, i);
		assert_int_equal(ec_memstore_intern(s, &b, &p[i]), EC_OK);
		assert_true(ec_block_equal(p[i], &b));
	}
	/* after thousands of inserts (several arena chunks, index growth),
	 * every pointer still holds its block and is returned again */
	for (uint64_t i = 0; i < N; i++) {
		ec_block b = mk(1 + i * 7919, i, i);
		assert_true(ec_block_equal(p[i], &b));
		const ec_block *again;
		assert_int_equal(ec_memstore_intern(s, &b, &again), EC_OK);
		assert_ptr_equal(again, p[i]);
	}
	for (uint64_t i = 1; i < N; i++)
		assert_ptr_not_equal(p[i - 1], p[i]);
	free(p);
	ec_memstore_free(s);
}

/* Bodies with a verdict memo: the memo starts zeroed, is the body's own
 * (writing one never touches another body) and the body stays 16-aligned. */
static void
test_intern_memo(void **state)
{
	(void)state;
	ec_memstore *s = new_store();
	const void *body[40];
	unsigned char data[100];
	for (unsigned k = 0; k < 40; k++) {
		memset(data, 0xA0 + (int)k, sizeof data);
		body[k] = ec_memstore_intern_memo(s, data, 20 + k * 2);
		assert_non_null(body[k]);
		assert_int_equal((uintptr_t)body[k] % 16, 0);
		ec_memo_byte *m = ec_memstore_memo(NULL, body[k]);
		for (unsigned j = 0; j < EC_MEMO_BYTES; j++)
			assert_int_equal(m[j], 0);
		memset(m, 0xFF, EC_MEMO_BYTES);
	}
	for (unsigned k = 0; k < 40; k++) {
		memset(data, 0xA0 + (int)k, sizeof data);
		assert_memory_equal(body[k], data, 20 + k * 2);
	}
	ec_memstore_free(s);
}

static void
test_tokens(void **state)
{
	(void)state;
	ec_memstore *s = new_store();
	ec_memstore_view v0 = {s, 0, 0}, v1 = {s, 1, 0};
	ec_store s0 = ec_memstore_bind(&v0, EC_SEED_STORE_API), s1 = ec_memstore_bind(&v1, EC_SEED_STORE_API);
	ec_block_id b = 0;
	uint64_t t = 0;
	assert_int_equal(ec_seed_store(&s0)->token_put(s0.impl, 42, 1000, 5), EC_OK);
	assert_true(ec_seed_store(&s0)->token_get(s0.impl, 42, &b, &t));
	assert_int_equal(b, 1000);
	assert_int_equal(t, 5);
	assert_false(ec_seed_store(&s1)->token_get(s1.impl, 42, &b, &t));
	assert_false(ec_seed_store(&s0)->token_get(s0.impl, 43, &b, &t));

	/* the store overwrites unconditionally (the older-only rule is the
	 * protocol's), also with an older time */
	assert_int_equal(ec_seed_store(&s0)->token_put(s0.impl, 42, 2000, 3), EC_OK);
	assert_true(ec_seed_store(&s0)->token_get(s0.impl, 42, &b, &t));
	assert_int_equal(b, 2000);
	assert_int_equal(t, 3);

	/* block 0 and time 0 are ordinary values */
	assert_int_equal(ec_seed_store(&s1)->token_put(s1.impl, 42, 0, 0), EC_OK);
	b = 9;
	t = 9;
	assert_true(ec_seed_store(&s1)->token_get(s1.impl, 42, &b, &t));
	assert_int_equal(b, 0);
	assert_int_equal(t, 0);
	assert_true(ec_seed_store(&s0)->token_get(s0.impl, 42, &b, &t));
	assert_int_equal(b, 2000);

	/* token 0 and UINT64_MAX are ordinary keys */
	assert_int_equal(ec_seed_store(&s0)->token_put(s0.impl, 0, 11, 1), EC_OK);
	assert_int_equal(ec_seed_store(&s0)->token_put(s0.impl, UINT64_MAX, 12, 2), EC_OK);
	assert_true(ec_seed_store(&s0)->token_get(s0.impl, 0, &b, &t));
	assert_int_equal(b, 11);
	assert_true(ec_seed_store(&s0)->token_get(s0.impl, UINT64_MAX, &b, &t));
	assert_int_equal(b, 12);
	ec_memstore_free(s);
}

static void
test_growth(void **state)
{
	(void)state;
	enum { OWNERS = 4, PER = 3000 };
	ec_memstore *s = new_store();
	ec_memstore_view v[OWNERS];
	ec_store st[OWNERS];
	for (uint32_t o = 0; o < OWNERS; o++) {
		v[o] = (ec_memstore_view){s, o * 1000, 0};
		st[o] = ec_memstore_bind(&v[o], EC_SEED_STORE_API);
	}
	size_t bytes0 = ec_memstore_bytes(s);
	for (uint64_t i = 0; i < PER; i++) {
		for (uint32_t o = 0; o < OWNERS; o++) {
			/* owners share ids; blocks 0..PER/2 share content across owners */
			ec_block b = mk(i + 1, i < PER / 2 ? 0 : o, i);
			assert_int_equal(ec_seed_store(&st[o])->block_put(st[o].impl, &b), EC_OK);
			assert_int_equal(ec_seed_store(&st[o])->token_put(st[o].impl, i * 31, i + o, i), EC_OK);
		}
	}
	assert_true(ec_memstore_bytes(s) > bytes0);
	for (uint64_t i = 0; i < PER; i++) {
		for (uint32_t o = 0; o < OWNERS; o++) {
			ec_block want = mk(i + 1, i < PER / 2 ? 0 : o, i);
			const ec_block *g = ec_seed_store(&st[o])->block_get(st[o].impl, i + 1);
			assert_non_null(g);
			assert_true(ec_block_equal(g, &want));
			ec_block_id b;
			uint64_t t;
			assert_true(ec_seed_store(&st[o])->token_get(st[o].impl, i * 31, &b, &t));
			assert_int_equal(b, i + o);
			assert_int_equal(t, i);
		}
		if (i < PER / 2)
			assert_ptr_equal(ec_seed_store(&st[0])->block_get(st[0].impl, i + 1),
			                 ec_seed_store(&st[OWNERS - 1])->block_get(st[OWNERS - 1].impl, i + 1));
	}
	/* absent keys stay absent */
	ec_block_id b;
	uint64_t t;
	assert_null(ec_seed_store(&st[0])->block_get(st[0].impl, PER + 1));
	assert_false(ec_seed_store(&st[0])->token_get(st[0].impl, 30, &b, &t));
	assert_null(ec_memstore_block_get(s, 1, 1));
	ec_memstore_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind_by_api),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_blocks_per_owner),
		cmocka_unit_test(test_intern),
		cmocka_unit_test(test_intern_second_variant_shared),
		cmocka_unit_test(test_intern_pointers_stable),
		cmocka_unit_test(test_intern_memo),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
