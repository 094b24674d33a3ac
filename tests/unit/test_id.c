/* SPDX-License-Identifier: MIT */
/*
 * 256-bit ids (ec/id.h) and hex text (ec/hex.h): the byte form, ring
 * arithmetic modulo 2^256 against a byte-wise reference, hex round trips
 * and rejections.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ec/hex.h"
#include "ec/id.h"
#include "ec/rng.h"

/* Byte-wise reference: big-endian 32-byte numbers, a + sign * b. */
static void
ref(uint8_t out[32], const uint8_t a[32], const uint8_t b[32], int sign)
{
	int carry = 0;
	for (int i = 31; i >= 0; i--) {
		int v = a[i] + sign * b[i] + carry;
		carry = v < 0 ? -1 : v > 255 ? 1 : 0;
		out[i] = (uint8_t)(v - 256 * carry);
	}
}

static void
test_arithmetic(void **state)
{
	(void)state;
	uint8_t seed[EC_RNG_SEED_BYTES] = {9};
	ec_rng rng;
	ec_rng_init(&rng, seed);
	for (int k = 0; k < 20000; k++) {
		ec_id a, b;
		for (int i = 0; i < 4; i++) { /* edge words often: carries across words */
			uint64_t x = ec_rng_u64(&rng), y = ec_rng_u64(&rng);
			a.w[i] = (x & 3) == 0 ? UINT64_MAX : (x & 3) == 1 ? 0 : x;
			b.w[i] = (y & 3) == 0 ? UINT64_MAX : (y & 3) == 1 ? 0 : y;
		}
		uint8_t ab[32], bb[32], want[32], got[32];
		ec_id_to_bytes(&a, ab);
		ec_id_to_bytes(&b, bb);
		ec_id s = ec_id_add(&a, &b), d = ec_id_sub(&a, &b);
		ref(want, ab, bb, 1);
		ec_id_to_bytes(&s, got);
		assert_memory_equal(got, want, 32);
		ref(want, ab, bb, -1);
		ec_id_to_bytes(&d, got);
		assert_memory_equal(got, want, 32);
		ec_id back = ec_id_add(&d, &b);
		assert_true(ec_id_eq(&back, &a));
		ec_id rt = ec_id_from_bytes(ab);
		assert_true(ec_id_eq(&rt, &a));
	}
}

static void
test_bytes(void **state)
{
	(void)state;
	ec_id a = {{0x0102030405060708ull, 0, 0, 0xF0}};
	uint8_t b[32];
	ec_id_to_bytes(&a, b);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[7], 8);
	assert_int_equal(b[31], 0xF0);
}

static void
test_hex(void **state)
{
	(void)state;
	uint8_t in[5] = {0x00, 0x9a, 0xff, 0x10, 0xC3}, out[5];
	char text[11];
	ec_hex_encode(in, sizeof in, text);
	assert_string_equal(text, "009aff10c3");
	assert_true(ec_hex_decode(text, out, sizeof out));
	assert_memory_equal(out, in, sizeof in);
	assert_true(ec_hex_decode("AbCd", out, 2));
	assert_int_equal(out[0], 0xab);
	assert_int_equal(out[1], 0xcd);
	assert_false(ec_hex_decode("abcg", out, 2));
	assert_false(ec_hex_decode("abc", out, 2)); /* stops at the NUL */
	assert_false(ec_hex_decode(" a", out, 1));
	assert_false(ec_hex_decode("0x", out, 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_arithmetic),
	    cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
