/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for proof of storage (ec/storage_proof.h), part two: the wire
 * encodings of QueryToken and Answer (docs/wire.md, "Proof of storage"):
 * layout, round trips, truncation at every length, trailing bytes, every
 * non-canonical case, and the reason and verdict strings.  Challenge,
 * selection and verification are tested in test_storage_proof.c; the
 * fixtures both use are in sp_fixtures.c.  Random loops take their seed from
 * EC_TEST_SEED (default 1) and print it.
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

/* ---- wire ---- */

static ec_sp_answer
random_answer(ec_rng *r)
{
	ec_sp_mapping m[40];
	size_t n = ec_rng_range_u32(r, 0, 24);
	bool small = ec_rng_u32(r) & 1;
	for (size_t i = 0; i < n; i++) {
		m[i].token = small ? rand_small_id(r) : rand_id(r);
		m[i].block = rand_id(r);
	}
	sort_unique(m, &n);
	ec_id p = small ? rand_small_id(r) : rand_id(r);
	ec_sp_answer a = build(m, n, p);
	a.responder = rand_id(r);
	return a;
}

static size_t
encode(uint8_t *buf, const ec_sp_answer *a)
{
	size_t len = EC_SP_ANSWER_MAX_LEN;
	assert_int_equal(ec_sp_answer_encode(a, buf, &len), EC_OK);
	assert_int_equal(len, ec_sp_answer_len(a->count));
	return len;
}

static void
test_wire_query(void **state)
{
	(void)state;
	ec_sp_query q = base_query(), d;
	uint8_t b[EC_SP_QUERY_LEN + 1];
	ec_sp_query_encode(&q, b);
	/* layout: type, version, ids big-endian, integers little-endian */
	assert_int_equal(b[0], 0x03);
	assert_int_equal(b[1], 0x01);
	assert_int_equal(b[2 + 7], 1);   /* requester w[0] = 1, low byte */
	assert_int_equal(b[2 + 31], 4);  /* requester w[3] = 4 */
	assert_int_equal(b[34 + 31], 8); /* responder w[3] = 8 */
	static const uint8_t nonce_le[8] = {8, 7, 6, 5, 4, 3, 2, 1};
	assert_memory_equal(b + 66, nonce_le, 8);
	assert_int_equal(b[74], 42);
	assert_int_equal(b[81], 0);
	assert_int_equal(ec_sp_query_decode(b, EC_SP_QUERY_LEN, &d), EC_SP_OK);
	assert_memory_equal(&d, &q, sizeof q);

	for (size_t len = 0; len < EC_SP_QUERY_LEN; len++)
		assert_int_equal(ec_sp_query_decode(b, len, &d), EC_SP_BAD_SHORT);
	b[EC_SP_QUERY_LEN] = 0;
	assert_int_equal(ec_sp_query_decode(b, EC_SP_QUERY_LEN + 1, &d), EC_SP_BAD_TRAILING);
	b[0] = EC_SP_TYPE_ANSWER;
	assert_int_equal(ec_sp_query_decode(b, EC_SP_QUERY_LEN, &d), EC_SP_BAD_TYPE);
	assert_int_equal(ec_sp_query_decode(b, 1, &d), EC_SP_BAD_TYPE);
	b[0] = EC_SP_TYPE_QUERY;
	b[1] = 0x02;
	assert_int_equal(ec_sp_query_decode(b, EC_SP_QUERY_LEN, &d), EC_SP_BAD_VERSION);
	b[1] = 0x00;
	assert_int_equal(ec_sp_query_decode(b, EC_SP_QUERY_LEN, &d), EC_SP_BAD_VERSION);

	ec_rng r = seeded(2);
	for (int it = 0; it < 1000; it++) {
		q.requester = rand_id(&r);
		q.responder = rand_id(&r);
		q.nonce = ec_rng_u64(&r);
		q.round = ec_rng_u64(&r);
		ec_sp_query_encode(&q, b);
		assert_int_equal(ec_sp_query_decode(b, EC_SP_QUERY_LEN, &d), EC_SP_OK);
		assert_memory_equal(&d, &q, sizeof q);
	}
}

static void
test_wire_answer_roundtrip(void **state)
{
	(void)state;
	ec_rng r = seeded(3);
	unsigned seen[EC_SP_ENTRIES + 1] = {0};
	uint8_t b[EC_SP_ANSWER_MAX_LEN + 8], b2[EC_SP_ANSWER_MAX_LEN];
	for (int it = 0; it < 2000; it++) {
		ec_sp_answer a = random_answer(&r), d;
		seen[a.count]++;
		size_t len = encode(b, &a);
		memset(&d, 0xEE, sizeof d);
		assert_int_equal(ec_sp_answer_decode(b, len, &d), EC_SP_OK);
		assert_true(ec_id_eq(&d.responder, &a.responder));
		assert_true(ec_id_eq(&d.point, &a.point));
		assert_int_equal(d.count, a.count);
		assert_memory_equal(d.entries, a.entries, sizeof a.entries);
		assert_int_equal(encode(b2, &d), len);
		assert_memory_equal(b2, b, len);

		/* every truncation is short; any extra byte is trailing */
		for (size_t k = 0; k < len; k++)
			assert_int_equal(ec_sp_answer_decode(b, k, &d), EC_SP_BAD_SHORT);
		for (size_t extra = 1; extra <= 8; extra++) {
			b[len + extra - 1] = (uint8_t)extra;
			assert_int_equal(ec_sp_answer_decode(b, len + extra, &d), EC_SP_BAD_TRAILING);
		}
	}
	for (unsigned c = 0; c <= EC_SP_ENTRIES; c++)
		assert_true(seen[c] > 0); /* the loop covered every count */
}

/* Encodes a possibly non-canonical answer by hand (the encoder refuses). */
static size_t
encode_raw(uint8_t *b, const ec_sp_answer *a)
{
	b[0] = EC_SP_TYPE_ANSWER;
	b[1] = EC_SP_VERSION;
	ec_id_to_bytes(&a->responder, b + 2);
	ec_id_to_bytes(&a->point, b + 34);
	b[66] = a->count;
	for (unsigned i = 0; i < a->count && i < EC_SP_ENTRIES; i++) {
		ec_id_to_bytes(&a->entries[i].token, b + 67 + 64 * i);
		ec_id_to_bytes(&a->entries[i].block, b + 67 + 64 * i + 32);
	}
	return ec_sp_answer_len(a->count);
}

static void
expect_rejected(const ec_sp_answer *a, ec_sp_reason why)
{
	static uint8_t b[EC_SP_ANSWER_HEADER_LEN + 255 * EC_SP_ENTRY_LEN];
	ec_sp_answer d;
	assert_int_equal(ec_sp_answer_check(a), why);
	size_t len = sizeof b;
	assert_int_equal(ec_sp_answer_encode(a, b, &len), EC_EINVAL);
	assert_int_equal(len, sizeof b);
	len = encode_raw(b, a);
	assert_int_equal(ec_sp_answer_decode(b, len, &d), why);
}

static void
test_wire_answer_noncanonical(void **state)
{
	(void)state;
	ec_sp_mapping m[20];
	size_t n = linear_ring(m);
	ec_sp_answer h = build(m, n, id0(1050)), a;
	uint8_t b[EC_SP_ANSWER_MAX_LEN + 1];
	ec_sp_answer d;
	size_t len = encode(b, &h);
	assert_int_equal(len, EC_SP_ANSWER_MAX_LEN);
	assert_int_equal(b[0], 0x04);
	assert_int_equal(b[1], 0x01);
	assert_int_equal(b[66], 10);
	assert_int_equal(b[67 + 7], (1100 & 0xFF)); /* first token, big-endian */
	assert_int_equal(b[67 + 6], (1100 >> 8));

	/* header bytes */
	b[0] = EC_SP_TYPE_QUERY;
	assert_int_equal(ec_sp_answer_decode(b, len, &d), EC_SP_BAD_TYPE);
	b[0] = 0x00;
	assert_int_equal(ec_sp_answer_decode(b, len, &d), EC_SP_BAD_TYPE);
	b[0] = EC_SP_TYPE_ANSWER;
	b[1] = 0x02;
	assert_int_equal(ec_sp_answer_decode(b, len, &d), EC_SP_BAD_VERSION);
	b[1] = EC_SP_VERSION;
	/* count above 10, with or without the bytes to go with it */
	b[66] = 11;
	assert_int_equal(ec_sp_answer_decode(b, len, &d), EC_SP_BAD_COUNT);
	b[66] = 255;
	assert_int_equal(ec_sp_answer_decode(b, len, &d), EC_SP_BAD_COUNT);
	/* a count that disagrees with the length */
	b[66] = 9;
	assert_int_equal(ec_sp_answer_decode(b, len, &d), EC_SP_BAD_TRAILING);
	b[66] = 10;
	assert_int_equal(ec_sp_answer_decode(b, len, &d), EC_SP_OK);
	/* the query decoder rejects an answer and vice versa */
	ec_sp_query q;
	assert_int_equal(ec_sp_query_decode(b, len, &q), EC_SP_BAD_TYPE);

	/* duplicates: in the up half, across the halves */
	a = h;
	a.entries[3] = a.entries[1];
	expect_rejected(&a, EC_SP_BAD_DUPLICATE);
	a = h;
	a.entries[7].token = a.entries[2].token;
	expect_rejected(&a, EC_SP_BAD_DUPLICATE);
	/* the same token with another block is still a duplicate */
	a = h;
	a.entries[6].token = a.entries[5].token;
	a.entries[6].block.w[0] ^= 1;
	expect_rejected(&a, EC_SP_BAD_DUPLICATE);

	/* up entries out of order */
	a = h;
	a.entries[1] = h.entries[2];
	a.entries[2] = h.entries[1];
	expect_rejected(&a, EC_SP_BAD_ORDER_UP);
	/* an up entry below the point is "far up" (wrapped): out of order */
	a = h;
	a.entries[4] = mp(id0(100));
	a.entries[0] = mp(id0(50));
	expect_rejected(&a, EC_SP_BAD_ORDER_UP);

	/* down entries out of order, or the point itself as a down entry */
	a = h;
	a.entries[6] = h.entries[7];
	a.entries[7] = h.entries[6];
	expect_rejected(&a, EC_SP_BAD_ORDER_DOWN);
	a = h;
	a.point = id0(1000); /* the first down entry is now the point */
	a.entries[0] = mp(id0(1100));
	expect_rejected(&a, EC_SP_BAD_ORDER_DOWN);

	/* a down entry inside the up span: 1450 lies between the point and the
	 * last up entry (1500), so the up scan would have listed it */
	a = h;
	a.entries[9] = mp(id0(1450));
	expect_rejected(&a, EC_SP_BAD_CROSSING);
	/* same with a short answer (7 entries: 5 up, 2 down) */
	ec_sp_mapping few[7];
	for (uint64_t i = 0; i < 7; i++)
		few[i] = mp(id0(10 * (i + 1)));
	ec_sp_answer s = build(few, 7, id0(25));
	a = s;
	a.entries[6] = mp(id0(65));
	expect_rejected(&a, EC_SP_BAD_CROSSING);
	/* count 0 and 1 are canonical for any point */
	a = s;
	a.count = 1;
	memset(a.entries + 1, 0, sizeof a.entries - sizeof a.entries[0]);
	assert_int_equal(ec_sp_answer_check(&a), EC_SP_OK);
	a.count = 0;
	assert_int_equal(ec_sp_answer_check(&a), EC_SP_OK);
	a.count = 11;
	expect_rejected(&a, EC_SP_BAD_COUNT);

	/* the encoder needs room */
	len = ec_sp_answer_len(h.count) - 1;
	assert_int_equal(ec_sp_answer_encode(&h, b, &len), EC_ERANGE);
	len = 0;
	assert_int_equal(ec_sp_answer_encode(&s, b, &len), EC_ERANGE);
}

static void
test_strings(void **state)
{
	(void)state;
	for (int i = 0; i <= EC_SP_BAD_CROSSING; i++)
		for (int j = 0; j < i; j++)
			assert_string_not_equal(ec_sp_reason_str((ec_sp_reason)i),
			                        ec_sp_reason_str((ec_sp_reason)j));
	for (int i = 0; i <= EC_SP_INCONCLUSIVE; i++)
		for (int j = 0; j < i; j++)
			assert_string_not_equal(ec_sp_verdict_str((ec_sp_verdict)i),
			                        ec_sp_verdict_str((ec_sp_verdict)j));
	assert_string_equal(ec_sp_reason_str((ec_sp_reason)99), "unknown reason");
	assert_string_equal(ec_sp_verdict_str((ec_sp_verdict)99), "unknown verdict");
}

int
main(void)
{
	const char *s = getenv("EC_TEST_SEED");
	if (s && *s)
		test_seed = strtoull(s, NULL, 0);
	printf("test_storage_proof_wire: EC_TEST_SEED=%llu\n", (unsigned long long)test_seed);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_query),
		cmocka_unit_test(test_wire_answer_roundtrip),
		cmocka_unit_test(test_wire_answer_noncanonical),
		cmocka_unit_test(test_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
