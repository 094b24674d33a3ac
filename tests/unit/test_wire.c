/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the canonical wire encoding (ec/wire.h, docs/wire.md), part
 * one: the encodings themselves.  Golden vectors written independently from
 * the byte tables (the .hex files in tests/vectors/wire/, block ids from the
 * b3sum tool), round-trip property loops over random blocks of 1..256 parts,
 * random items and envelopes, every truncation length of every kind, trailing
 * bytes, and ec_wire_item_size.  The canonical rules, one test each on the
 * decoder and the encoder side, are in test_wire_rules.c; the fixtures both
 * use are in wire_fixtures.c.
 *
 * Inputs handed to decoders are copied into heap buffers of exactly their
 * length, so AddressSanitizer catches any read past the end.  The random
 * tests use EC_TEST_SEED (default 1), printed at start.
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

#include "ec/blake3.h"
#include "ec/lifecycle.h"
#include "ec/rng.h"
#include "ec/wire.h"

#include "wire_fixtures.h"

static void
check_golden_block(ecp_block *b, const char *name, const char *id_name)
{
	size_t size = ec_wire_block_size(b->nparts), len;
	uint8_t *buf = malloc(size);
	assert_int_equal(ec_wire_block_encode(b, buf, size, &len), EC_OK);
	assert_bytes_match_vector(buf, len, name);

	size_t idlen;
	uint8_t *want = read_vector(id_name, &idlen);
	assert_int_equal(idlen, 32);
	uint8_t got[32];
	ec_id_to_bytes(&b->id, got); /* streaming ec_wire_block_id */
	assert_memory_equal(got, want, 32);
	ecp_block *d = block_new(b->nparts);
	assert_int_equal(ec_wire_block_decode(buf, len, d, b->nparts), EC_WIRE_OK);
	ec_id_to_bytes(&d->id, got); /* one-shot hash of the received prefix */
	assert_memory_equal(got, want, 32);
	assert_block_equal(b, d);
	free(d);
	free(want);
	free(buf);
}

static void
test_golden_blocks(void **state)
{
	(void)state;
	ecp_block *a = golden_block_create(), *b = golden_block_transfer();
	check_golden_block(a, "block_create.hex", "block_create.id.hex");
	check_golden_block(b, "block_transfer.hex", "block_transfer.id.hex");
	free(a);
	free(b);
}

static void
test_golden_cert(void **state)
{
	(void)state;
	ecp_cert *c = golden_cert(), *d = cert_new(4);
	uint8_t buf[128];
	size_t len;
	assert_int_equal(ec_wire_cert_encode(c, buf, sizeof buf, &len), EC_OK);
	assert_int_equal(len, ec_wire_cert_size(4, false));
	assert_bytes_match_vector(buf, len, "cert.hex");
	assert_int_equal(ec_wire_cert_decode(buf, len, d, 4), EC_WIRE_OK);
	assert_cert_equal(c, d);
	free(c);
	free(d);
}

static void
check_golden_item(const ecp_item *it, const char *name)
{
	size_t len;
	uint8_t *buf = encode_item(it, &len);
	assert_bytes_match_vector(buf, len, name);
	ecp_item back;
	void *mem;
	assert_int_equal(decode_item(buf, len, &back, &mem), EC_WIRE_OK);
	assert_item_equal(it, &back);
	free(mem);
	free(buf);
}

static void
test_golden_items(void **state)
{
	(void)state;
	ecp_block *a = golden_block_create(), *b = golden_block_transfer();
	ecp_cert *c = golden_cert();
	ecp_item items[] = {
		{.kind = ECP_BLOCK, .value = 1, .flags = ECP_F_COVERED, .role = ECP_ROLE_WITNESS,
		 .hops = 3, .origin = 0x1122334455667788ull, .block_id = a->id, .block = a},
		{.kind = ECP_VOTE, .value = -1, .role = 2, .block_id = id_pattern_seq(0x40)},
		{.kind = ECP_COMMIT, .block_id = b->id, .block = b, .cert = c},
		{.kind = ECP_BLOCKED, .value = -1, .role = 1, .block_id = id_pattern_seq(0x60)},
		{.kind = ECP_POLL, .block_id = id_pattern_seq(0x80)},
		{.kind = ECP_FETCH, .block_id = id_pattern_seq(0x80)},
		{.kind = ECP_WITHDRAW, .role = 0, .block_id = id_pattern_seq(0x60)},
		{.kind = ECP_WITHDRAWN, .role = ECP_ROLE_WITNESS, .block_id = id_pattern_seq(0x60)},
	};
	static const char *const names[] = {"item_block.hex",   "item_vote.hex",
	                                    "item_commit.hex",  "item_blocked.hex",
	                                    "item_poll.hex",    "item_fetch.hex",
	                                    "item_withdraw.hex", "item_withdrawn.hex"};
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
		check_golden_item(&items[i], names[i]);

	/* the envelope: VOTE, POLL, BLOCK */
	ecp_item env_items[3] = {items[1], items[4], items[0]};
	ec_wire_env env = {.sender = 0xDEADBEEF00000001ull, .n = 3, .items = env_items};
	size_t size = ec_wire_env_size(&env), len;
	uint8_t *buf = malloc(size);
	assert_int_equal(ec_wire_env_encode(&env, buf, size, &len), EC_OK);
	assert_int_equal(len, size);
	assert_bytes_match_vector(buf, len, "envelope.hex");
	size_t need;
	assert_int_equal(ec_wire_env_measure(buf, len, &need), EC_WIRE_OK);
	void *mem = malloc(need);
	ec_wire_env back;
	assert_int_equal(ec_wire_env_decode(buf, len, &back, mem, need), EC_WIRE_OK);
	assert_int_equal(back.sender, env.sender);
	assert_int_equal(back.n, 3);
	for (uint32_t i = 0; i < 3; i++)
		assert_item_equal(&env_items[i], &back.items[i]);
	free(mem);
	free(buf);
	free(a);
	free(b);
	free(c);
}

/* ---- round trips ------------------------------------------------------------- */

static void
test_block_roundtrip_property(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 1);
	ecp_block *d = block_new(ECP_MAX_PARTS);
	for (uint32_t iter = 0; iter < 600; iter++) {
		/* every part count once, then random ones */
		uint32_t n = iter < ECP_MAX_PARTS ? iter + 1 : ec_rng_range_u32(&rng, 1, ECP_MAX_PARTS);
		ecp_block *b = random_block(&rng, n);
		assert_int_equal(ec_wire_block_check(b), EC_WIRE_OK);
		size_t size = ec_wire_block_size(n), len = 0;
		assert_int_equal(size, 12 + 192 * (size_t)n);
		uint8_t *buf = malloc(size);
		assert_int_equal(ec_wire_block_encode(b, buf, size, &len), EC_OK);
		assert_int_equal(len, size);

		uint32_t peek = 0;
		assert_int_equal(ec_wire_block_peek(buf, len, &peek), EC_WIRE_OK);
		assert_int_equal(peek, n);
		memset(d, 0xA5, ecp_block_size(ECP_MAX_PARTS));
		assert_int_equal(ec_wire_block_decode(buf, len, d, n), EC_WIRE_OK);
		assert_block_equal(b, d); /* includes the id */

		/* the id is BLAKE3 of the unsigned prefix */
		uint8_t h[32], idb[32];
		ec_blake3(buf, 12 + 128 * (size_t)n, h);
		ec_id_to_bytes(&d->id, idb);
		assert_memory_equal(h, idb, 32);

		/* re-encoding gives the same bytes */
		uint8_t *again = malloc(size);
		assert_int_equal(ec_wire_block_encode(d, again, size, &len), EC_OK);
		assert_memory_equal(buf, again, size);
		free(again);
		free(buf);
		free(b);
	}
	free(d);
}

static void
test_block_id_ignores_signatures(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 2);
	ecp_block *b = random_block(&rng, 5);
	ec_id before = b->id, after, other;
	for (uint32_t i = 0; i < 5; i++)
		if (!ec_id_is_zero(&b->parts[i].parent))
			b->parts[i].sig[7] ^= 0x40;
	ec_wire_block_id(b, &after);
	assert_true(ec_id_eq(&before, &after));
	/* but every unsigned field counts: time, and a bit of a next key */
	b->time ^= 1;
	ec_wire_block_id(b, &other);
	assert_false(ec_id_eq(&before, &other));
	b->time ^= 1;
	b->parts[4].next_key.w[3] ^= 1;
	ec_wire_block_id(b, &other);
	assert_false(ec_id_eq(&before, &other));
	free(b);
}

/* The protocol core computes block ids with its own streaming hash
 * (ecp_block_id, ec/lifecycle.h); it must agree with the wire layout. */
static void
test_block_id_matches_lifecycle(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 9);
	ecp_block *g[2] = {golden_block_create(), golden_block_transfer()};
	for (uint32_t iter = 0; iter < 2 + 100; iter++) {
		ecp_block *b = iter < 2 ? g[iter]
		                        : random_block(&rng, ec_rng_range_u32(&rng, 1, ECP_MAX_PARTS));
		ec_id core;
		ecp_block_id(b, &core);
		assert_true(ec_id_eq(&core, &b->id));
		if (iter >= 2)
			free(b);
	}
	free(g[0]);
	free(g[1]);
}

static void
test_item_roundtrip_property(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 3);
	for (uint32_t iter = 0; iter < 2000; iter++) {
		/* every kind 16 times, then random ones */
		uint8_t kind = (uint8_t)(iter < ECP_KIND_MAX * 16 ? iter % ECP_KIND_MAX + 1
		                                                  : ec_rng_range_u32(&rng, 1, ECP_KIND_MAX));
		item_bodies o;
		ecp_item it = random_item(&rng, kind, &o);
		assert_int_equal(ec_wire_item_check(&it), EC_WIRE_OK);
		size_t len;
		uint8_t *buf = encode_item(&it, &len); /* checks size == length */
		ecp_item back;
		void *mem;
		assert_int_equal(decode_item(buf, len, &back, &mem), EC_WIRE_OK);
		assert_item_equal(&it, &back);
		size_t len2;
		uint8_t *again = encode_item(&back, &len2);
		assert_int_equal(len, len2);
		assert_memory_equal(buf, again, len);
		free(again);
		free(mem);
		free(buf);
		item_bodies_free(&o);
	}
}

static void
test_item_size_matches_model_shape(void **state)
{
	(void)state;
	/* sizes as in docs/wire.md, for the lead's byte accounting */
	ecp_block *b = golden_block_transfer();
	ecp_cert *c = golden_cert();
	ecp_item it = {.kind = ECP_BLOCK, .block = b, .block_id = b->id};
	assert_int_equal(ec_wire_item_size(&it), 2 + 12 + 3 * 192 + 14);
	it = (ecp_item){.kind = ECP_COMMIT, .block = b, .cert = c, .block_id = b->id};
	assert_int_equal(ec_wire_item_size(&it), 2 + 12 + 3 * 192 + 4 + 4 * 15);
	it = (ecp_item){.kind = ECP_VOTE, .value = 1};
	assert_int_equal(ec_wire_item_size(&it), 37);
	for (uint8_t k = ECP_BLOCKED; k <= ECP_WITHDRAWN; k++) {
		it = (ecp_item){.kind = k};
		size_t want = k == ECP_POLL || k == ECP_FETCH ? 34 : 36;
		assert_int_equal(ec_wire_item_size(&it), want);
	}
	/* items that cannot be encoded have size 0 */
	it = (ecp_item){.kind = ECP_BLOCK};
	assert_int_equal(ec_wire_item_size(&it), 0);
	it = (ecp_item){.kind = ECP_COMMIT, .block = b};
	assert_int_equal(ec_wire_item_size(&it), 0);
	it = (ecp_item){.kind = 0};
	assert_int_equal(ec_wire_item_size(&it), 0);
	it = (ecp_item){.kind = ECP_KIND_MAX + 1};
	assert_int_equal(ec_wire_item_size(&it), 0);
	free(b);
	free(c);
}

static void
test_env_roundtrip_property(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 4);
	for (uint32_t iter = 0; iter < 200; iter++) {
		uint32_t n = ec_rng_range_u32(&rng, 1, 24);
		ecp_item items[24];
		item_bodies o[24];
		for (uint32_t i = 0; i < n; i++)
			items[i] = random_item(&rng, (uint8_t)ec_rng_range_u32(&rng, 1, ECP_KIND_MAX), &o[i]);
		ec_wire_env env = {.sender = ec_rng_u64(&rng), .n = n, .items = items};
		size_t size = ec_wire_env_size(&env), sum = EC_WIRE_ENV_HDR, len;
		for (uint32_t i = 0; i < n; i++)
			sum += ec_wire_item_size(&items[i]);
		assert_int_equal(size, sum);
		uint8_t *buf = malloc(size);
		assert_int_equal(ec_wire_env_encode(&env, buf, size, &len), EC_OK);
		assert_int_equal(len, size);
		size_t need;
		assert_int_equal(ec_wire_env_measure(buf, len, &need), EC_WIRE_OK);
		assert_true(need <= 32 * len); /* a valid envelope: ec/wire.h */
		uint8_t *mem = malloc(need);
		ec_wire_env back;
		/* one byte short of the measured memory is refused */
		assert_int_equal(ec_wire_env_decode(buf, len, &back, mem, need - 1), EC_WIRE_NOSPACE);
		assert_int_equal(ec_wire_env_decode(buf, len, &back, mem, need), EC_WIRE_OK);
		assert_int_equal(back.sender, env.sender);
		assert_int_equal(back.n, n);
		for (uint32_t i = 0; i < n; i++)
			assert_item_equal(&items[i], &back.items[i]);
		uint8_t *again = malloc(size);
		assert_int_equal(ec_wire_env_encode(&back, again, size, &len), EC_OK);
		assert_memory_equal(buf, again, size);
		free(again);
		free(mem);
		free(buf);
		for (uint32_t i = 0; i < n; i++)
			item_bodies_free(&o[i]);
	}
}

static void
test_cert_roundtrip_and_sort(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 5);
	for (uint32_t iter = 0; iter < 200; iter++) {
		uint32_t n = iter == 0 ? 0 : ec_rng_range_u32(&rng, 1, 300);
		ecp_cert *c = random_cert(&rng, ECP_MAX_PARTS, n, false);
		ecp_cert *want = cert_new(n);
		memcpy(want->v, c->v, n * sizeof c->v[0]);
		qsort(want->v, n, sizeof want->v[0], vote_cmp_qsort);
		ec_wire_cert_sort(c);
		assert_cert_equal(want, c);
		assert_int_equal(ec_wire_cert_check(c, 0), EC_WIRE_OK);
		size_t size = ec_wire_cert_size(n, false), len;
		uint8_t *buf = malloc(size ? size : 1);
		assert_int_equal(ec_wire_cert_encode(c, buf, size, &len), EC_OK);
		assert_int_equal(len, size);
		uint32_t peek;
		assert_int_equal(ec_wire_cert_peek(buf, len, &peek, NULL), EC_WIRE_OK);
		assert_int_equal(peek, n);
		ecp_cert *d = cert_new(n);
		assert_int_equal(ec_wire_cert_decode(buf, len, d, n), EC_WIRE_OK);
		assert_cert_equal(c, d);
		if (n)
			assert_int_equal(ec_wire_cert_decode(buf, len, d, n - 1), EC_WIRE_NOSPACE);
		free(d);
		free(buf);
		free(want);
		free(c);
	}
}

/* ---- truncation and trailing bytes -------------------------------------------- */

static void
test_truncation_every_length(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 6);
	for (uint32_t n = 1; n <= 4; n++) {
		ecp_block *b = random_block(&rng, n);
		size_t size = ec_wire_block_size(n), len;
		uint8_t *buf = malloc(size);
		assert_int_equal(ec_wire_block_encode(b, buf, size, &len), EC_OK);
		check_truncations_and_trailing(buf, len, block_decode_copy);
		check_truncations_and_trailing(buf, len, peek_copy);
		free(buf);
		free(b);
	}
	/* every kind, and the flagged COMMIT as kind ECP_KIND_MAX + 1 */
	for (uint8_t k = 1; k <= ECP_KIND_MAX + 1; k++) {
		uint8_t kind = k > ECP_KIND_MAX ? ECP_COMMIT : k;
		item_bodies o;
		ecp_item it = random_item(&rng, kind, &o);
		if (kind == ECP_BLOCK || kind == ECP_COMMIT) { /* keep it small */
			item_bodies_free(&o);
			o.block = random_block(&rng, 2);
			it.block = o.block;
			it.block_id = o.block->id;
			it.role = ECP_ROLE_WITNESS;
			o.cert = kind == ECP_COMMIT ? random_cert(&rng, 2, 5, true) : NULL;
			it.cert = o.cert;
			if (kind == ECP_COMMIT) { /* a catch-up answer names a part */
				it.flags = k > ECP_KIND_MAX ? ECP_F_SYNC : 0;
				it.role = k > ECP_KIND_MAX ? 1 : 0;
			}
		}
		size_t len;
		uint8_t *buf = encode_item(&it, &len);
		check_truncations_and_trailing(buf, len, item_measure_copy);
		free(buf);
		ecp_item three[3] = {it, it, it};
		ec_wire_env env = {.sender = 9, .n = 3, .items = three};
		size_t size = ec_wire_env_size(&env);
		buf = malloc(size);
		assert_int_equal(ec_wire_env_encode(&env, buf, size, &len), EC_OK);
		check_truncations_and_trailing(buf, len, env_measure_copy);
		free(buf);
		item_bodies_free(&o);
	}
	ecp_cert *c = golden_cert();
	uint8_t buf[128];
	size_t len;
	assert_int_equal(ec_wire_cert_encode(c, buf, sizeof buf, &len), EC_OK);
	check_truncations_and_trailing(buf, len, cert_decode_copy);
	free(c);
}

int
main(void)
{
	const char *s = getenv("EC_TEST_SEED");
	if (s && *s)
		test_seed = strtoull(s, NULL, 10);
	printf("test_wire: EC_TEST_SEED=%llu\n", (unsigned long long)test_seed);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_blocks),
		cmocka_unit_test(test_golden_cert),
		cmocka_unit_test(test_golden_items),
		cmocka_unit_test(test_block_roundtrip_property),
		cmocka_unit_test(test_block_id_ignores_signatures),
		cmocka_unit_test(test_block_id_matches_lifecycle),
		cmocka_unit_test(test_item_roundtrip_property),
		cmocka_unit_test(test_item_size_matches_model_shape),
		cmocka_unit_test(test_env_roundtrip_property),
		cmocka_unit_test(test_cert_roundtrip_and_sort),
		cmocka_unit_test(test_truncation_every_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
