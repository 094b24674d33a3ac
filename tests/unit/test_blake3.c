/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for ec_blake3 (ec/blake3.h): the official BLAKE3 test vectors
 * (tests/vectors/blake3.txt, cross-checked with b3sum) in all three modes,
 * both as the 32-byte digest and as 131 bytes of extended output; that
 * shorter outputs are prefixes of longer ones; and, as a property loop with
 * a fixed seed, that any split of the input into updates (and finalising
 * mid-stream, and copying the hasher) gives the one-shot result.  The
 * b3sum oracle test (b3sum_oracle.sh) covers many more lengths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec/blake3.h"
#include "ec/hex.h"

#ifndef EC_B3_VECTORS
#error "EC_B3_VECTORS (path of tests/vectors/blake3.txt) must be defined"
#endif

#define XOF_LEN 131
#define MAX_CASES 64
#define MAX_INPUT 102400

typedef struct {
	size_t len;
	uint8_t hash[XOF_LEN], keyed[XOF_LEN], derive[XOF_LEN];
} vec_case;

typedef struct {
	uint8_t key[EC_BLAKE3_KEY_LEN];
	char context[128];
	size_t n;
	vec_case c[MAX_CASES];
} vec_file;

/* Decodes exactly n bytes of hex at *p followed by a space or line end. */
static int
parse_hex(const char **p, uint8_t *out, size_t n)
{
	const char *s = *p;
	while (*s == ' ')
		s++;
	if (!ec_hex_decode(s, out, n))
		return -1;
	s += 2 * n;
	if (*s != ' ' && *s != '\n' && *s != '\0')
		return -1;
	*p = s;
	return 0;
}

static void
strip_eol(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

/* Loads the golden file; any malformed line fails the test. */
static vec_file *
load_vectors(void)
{
	FILE *f = fopen(EC_B3_VECTORS, "r");
	if (f == NULL)
		fail_msg("cannot open %s", EC_B3_VECTORS);
	vec_file *v = calloc(1, sizeof *v);
	assert_non_null(v);
	int have_key = 0, have_ctx = 0;
	char line[2048];
	while (fgets(line, sizeof line, f) != NULL) {
		assert_non_null(strchr(line, '\n')); /* no truncated line */
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (strncmp(line, "key ", 4) == 0) {
			strip_eol(line);
			assert_int_equal(strlen(line + 4), EC_BLAKE3_KEY_LEN);
			memcpy(v->key, line + 4, EC_BLAKE3_KEY_LEN);
			have_key = 1;
			continue;
		}
		if (strncmp(line, "context ", 8) == 0) {
			strip_eol(line);
			assert_true(strlen(line + 8) < sizeof v->context);
			strcpy(v->context, line + 8);
			have_ctx = 1;
			continue;
		}
		assert_true(v->n < MAX_CASES);
		vec_case *c = &v->c[v->n++];
		char *end;
		unsigned long len = strtoul(line, &end, 10);
		assert_true(end != line && len <= MAX_INPUT);
		c->len = len;
		const char *p = end;
		assert_int_equal(parse_hex(&p, c->hash, XOF_LEN), 0);
		assert_int_equal(parse_hex(&p, c->keyed, XOF_LEN), 0);
		assert_int_equal(parse_hex(&p, c->derive, XOF_LEN), 0);
	}
	fclose(f);
	assert_true(have_key && have_ctx);
	return v;
}

static uint8_t *
pattern_input(size_t len)
{
	uint8_t *in = malloc(len ? len : 1);
	assert_non_null(in);
	for (size_t i = 0; i < len; i++)
		in[i] = (uint8_t)(i % 251);
	return in;
}

/* Like assert_memory_equal, but names the failing case. */
static void
expect_bytes(const uint8_t *got, const uint8_t *want, size_t n, const char *what, size_t len)
{
	if (memcmp(got, want, n) == 0)
		return;
	size_t i = 0;
	while (got[i] == want[i])
		i++;
	fail_msg("%s of the %zu-byte input: byte %zu is %02x, want %02x", what, len, i, got[i],
	         want[i]);
}

static void
test_official_vectors(void **state)
{
	(void)state;
	vec_file *v = load_vectors();
	/* All 35 lengths of the official file, in its order. */
	static const size_t lens[] = {0,    1,    2,    3,     4,     5,     6,     7,    8,
	                              63,   64,   65,   127,   128,   129,   1023,  1024, 1025,
	                              2048, 2049, 3072, 3073,  4096,  4097,  5120,  5121, 6144,
	                              6145, 7168, 7169, 8192,  8193,  16384, 31744, 102400};
	assert_int_equal(v->n, sizeof lens / sizeof lens[0]);
	uint8_t *in = pattern_input(MAX_INPUT);
	for (size_t i = 0; i < v->n; i++) {
		const vec_case *c = &v->c[i];
		uint8_t out[XOF_LEN], d[EC_BLAKE3_OUT_LEN];
		ec_blake3 h;
		assert_int_equal(c->len, lens[i]);

		ec_blake3_init(&h);
		ec_blake3_update(&h, in, c->len);
		ec_blake3_final(&h, out, XOF_LEN);
		expect_bytes(out, c->hash, XOF_LEN, "hash (131 B)", c->len);
		ec_blake3_hash(in, c->len, d);
		expect_bytes(d, c->hash, EC_BLAKE3_OUT_LEN, "ec_blake3_hash", c->len);
		ec_blake3(in, c->len, d); /* the macro spelling of the same call */
		expect_bytes(d, c->hash, EC_BLAKE3_OUT_LEN, "ec_blake3 macro", c->len);

		ec_blake3_init_keyed(&h, v->key);
		ec_blake3_update(&h, in, c->len);
		ec_blake3_final(&h, out, XOF_LEN);
		expect_bytes(out, c->keyed, XOF_LEN, "keyed hash (131 B)", c->len);
		ec_blake3_keyed(v->key, in, c->len, d);
		expect_bytes(d, c->keyed, EC_BLAKE3_OUT_LEN, "ec_blake3_keyed", c->len);

		ec_blake3_init_derive_key(&h, v->context);
		ec_blake3_update(&h, in, c->len);
		ec_blake3_final(&h, out, XOF_LEN);
		expect_bytes(out, c->derive, XOF_LEN, "derive key (131 B)", c->len);
		ec_blake3_final(&h, d, EC_BLAKE3_OUT_LEN);
		expect_bytes(d, c->derive, EC_BLAKE3_OUT_LEN, "derive key (32 B)", c->len);
	}
	free(in);
	free(v);
}

/* Every output length is a prefix of the longest one, across the 64-byte
 * output block boundaries; a zero-length request writes nothing. */
static void
test_xof_prefixes(void **state)
{
	(void)state;
	vec_file *v = load_vectors();
	uint8_t *in = pattern_input(MAX_INPUT);
	for (size_t i = 0; i < v->n; i += 7) {
		ec_blake3 h;
		ec_blake3_init(&h);
		ec_blake3_update(&h, in, v->c[i].len);
		for (size_t n = 0; n <= XOF_LEN; n++) {
			uint8_t out[XOF_LEN + 1];
			memset(out, 0xA5, sizeof out);
			ec_blake3_final(&h, out, n);
			assert_memory_equal(out, v->c[i].hash, n);
			assert_int_equal(out[n], 0xA5);
		}
	}
	ec_blake3 h;
	ec_blake3_init(&h);
	ec_blake3_final(&h, NULL, 0);
	free(in);
	free(v);
}

/* splitmix64: a fixed-seed source of split points, independent of libec. */
static uint64_t
next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static size_t
rand_below(uint64_t *s, size_t n)
{
	return (size_t)(next_rand(s) % n);
}

/* Feeds in[0..len) in random pieces; sometimes finalises mid-stream (which
 * must not disturb the state) or carries on in a copy of the hasher. */
static void
hash_split(ec_blake3 *h, const uint8_t *in, size_t len, uint64_t *seed)
{
	size_t pos = 0;
	while (pos < len) {
		size_t piece;
		switch (rand_below(seed, 4)) {
		case 0: piece = rand_below(seed, 3); break; /* including empty updates */
		case 1: piece = rand_below(seed, 130); break;
		case 2: piece = 64 * (1 + rand_below(seed, 20)); break; /* block multiples */
		default: piece = rand_below(seed, 5000); break;
		}
		if (piece > len - pos)
			piece = len - pos;
		ec_blake3_update(h, in + pos, piece);
		pos += piece;
		if (rand_below(seed, 8) == 0) {
			uint8_t tmp[40];
			ec_blake3_final(h, tmp, sizeof tmp);
		}
		if (rand_below(seed, 8) == 0) {
			ec_blake3 copy = *h;
			*h = copy;
		}
	}
	if (rand_below(seed, 2) == 0)
		ec_blake3_update(h, NULL, 0);
}

static void
test_incremental_random_splits(void **state)
{
	(void)state;
	enum { MAX_LEN = 40000, ROUNDS = 1000 };
	static const uint8_t key[EC_BLAKE3_KEY_LEN] = "incremental split test key 32 B!";
	static const char *ctx = "ecRust test_blake3 incremental splits";
	uint64_t seed = 0x0123456789ABCDEFull;
	uint8_t *in = malloc(MAX_LEN);
	assert_non_null(in);
	for (size_t i = 0; i < MAX_LEN; i++)
		in[i] = (uint8_t)next_rand(&seed);
	for (int r = 0; r < ROUNDS; r++) {
		size_t len;
		if (r < 40) /* small lengths exhaustively near the boundaries */
			len = (size_t)r * 53 % 2100;
		else if (rand_below(&seed, 3) == 0)
			len = 1024 * (1 + rand_below(&seed, 38)) + rand_below(&seed, 3) - 1;
		else
			len = rand_below(&seed, MAX_LEN);
		int mode = r % 3;
		size_t out_len = 1 + rand_below(&seed, 200);
		uint8_t want[200], got[200];
		ec_blake3 one, inc;
		if (mode == 0) {
			ec_blake3_init(&one);
			ec_blake3_init(&inc);
		} else if (mode == 1) {
			ec_blake3_init_keyed(&one, key);
			ec_blake3_init_keyed(&inc, key);
		} else {
			ec_blake3_init_derive_key(&one, ctx);
			ec_blake3_init_derive_key(&inc, ctx);
		}
		ec_blake3_update(&one, in, len);
		ec_blake3_final(&one, want, out_len);
		hash_split(&inc, in, len, &seed);
		ec_blake3_final(&inc, got, out_len);
		if (memcmp(want, got, out_len) != 0)
			fail_msg("round %d: mode %d, len %zu, out_len %zu differ", r, mode, len, out_len);
		/* final is repeatable */
		ec_blake3_final(&inc, got, out_len);
		assert_memory_equal(want, got, out_len);
	}
	free(in);
}

/* Continuing after a final gives the hash of the whole concatenation. */
static void
test_update_after_final(void **state)
{
	(void)state;
	uint8_t *in = pattern_input(5000);
	uint8_t want[EC_BLAKE3_OUT_LEN], got[EC_BLAKE3_OUT_LEN];
	ec_blake3_hash(in, 5000, want);
	ec_blake3 h;
	ec_blake3_init(&h);
	ec_blake3_update(&h, in, 2048);
	ec_blake3_final(&h, got, sizeof got);
	ec_blake3_update(&h, in + 2048, 5000 - 2048);
	ec_blake3_final(&h, got, sizeof got);
	assert_memory_equal(want, got, sizeof got);
	free(in);
}

/* The modes are domain-separated: same input, three different digests;
 * derive-key from a different context differs too. */
static void
test_modes_differ(void **state)
{
	(void)state;
	uint8_t key[EC_BLAKE3_KEY_LEN] = {0};
	uint8_t a[32], b[32], c[32], d[32];
	ec_blake3 h;
	ec_blake3_hash("x", 1, a);
	ec_blake3_keyed(key, "x", 1, b);
	ec_blake3_init_derive_key(&h, "ctx one");
	ec_blake3_update(&h, "x", 1);
	ec_blake3_final(&h, c, 32);
	ec_blake3_init_derive_key(&h, "ctx two");
	ec_blake3_update(&h, "x", 1);
	ec_blake3_final(&h, d, 32);
	assert_memory_not_equal(a, b, 32);
	assert_memory_not_equal(a, c, 32);
	assert_memory_not_equal(b, c, 32);
	assert_memory_not_equal(c, d, 32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_official_vectors),
		cmocka_unit_test(test_xof_prefixes),
		cmocka_unit_test(test_incremental_random_splits),
		cmocka_unit_test(test_update_after_final),
		cmocka_unit_test(test_modes_differ),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
