/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for ec_rng (ec/rng.h): the seed-protocol.md §6.2 vectors for the published
 * seed, word-stream identities across buffer boundaries, the integer-seed
 * encoding of §4.5, index::sample (Appendix A.4) on each of its branches
 * against a slow reference written from the spec, and ec_mix64.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec/rng.h"
#include "ecsim/sim.h"

static const uint8_t published[EC_RNG_SEED_BYTES] = {
	184, 96,  199, 42,  250, 200, 180, 30,  170, 143, 225, 146, 186, 227, 135, 167,
	78,  76,  49,  212, 146, 192, 201, 198, 194, 87,  55,  228, 251, 191, 13,  95};

static void
fresh(ec_rng *rng)
{
	ec_rng_init(rng, published);
}

static void
test_published_seed_export(void **state)
{
	(void)state;
	assert_memory_equal(ec_published_seed, published, EC_RNG_SEED_BYTES);
}

static void
test_vector_u32(void **state)
{
	(void)state;
	static const uint32_t want[6] = {0x3576580du, 0x80ded026u, 0x394ebcdfu,
	                                 0x963dbc88u, 0x06bcba48u, 0x28041fe1u};
	ec_rng rng;
	fresh(&rng);
	for (int i = 0; i < 6; i++)
		assert_int_equal(ec_rng_u32(&rng), want[i]);
}

static void
test_vector_u64(void **state)
{
	(void)state;
	static const uint64_t want[4] = {0x80ded0263576580dull, 0x963dbc88394ebcdfull,
	                                 0x28041fe106bcba48ull, 0x3660d103e985fe85ull};
	ec_rng rng;
	fresh(&rng);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ec_rng_u64(&rng), want[i]);
}

static void
test_vector_range_u64(void **state)
{
	(void)state;
	static const uint64_t want[8] = {2, 1, 1, 2, 1, 2, 1, 2};
	ec_rng rng;
	fresh(&rng);
	for (int i = 0; i < 8; i++)
		assert_int_equal(ec_rng_range_u64(&rng, 1, 3), want[i]);
}

static void
test_vector_index(void **state)
{
	(void)state;
	static const uint32_t want[8] = {417, 1006, 447, 1173, 52, 312, 1824, 424};
	ec_rng rng;
	fresh(&rng);
	for (int i = 0; i < 8; i++)
		assert_int_equal(ec_rng_index(&rng, 2000), want[i]);
}

static void
test_vector_shuffle(void **state)
{
	(void)state;
	static const int want[10] = {9, 7, 3, 8, 6, 5, 1, 0, 4, 2};
	int v[10];
	for (int i = 0; i < 10; i++)
		v[i] = i;
	ec_rng rng;
	fresh(&rng);
	ec_rng_shuffle(&rng, v, 10, sizeof v[0]);
	for (int i = 0; i < 10; i++)
		assert_int_equal(v[i], want[i]);
}

/* Shuffling elements wider than one word moves whole elements, and lists of
 * 0 or 1 elements draw nothing. */
static void
test_shuffle_elements_and_no_draws(void **state)
{
	(void)state;
	typedef struct { uint64_t a; uint32_t b; uint8_t c; } wide;
	wide w[10];
	for (int i = 0; i < 10; i++)
		w[i] = (wide){(uint64_t)i * 1000, (uint32_t)i, (uint8_t)i};
	static const int want[10] = {9, 7, 3, 8, 6, 5, 1, 0, 4, 2};
	ec_rng rng, ref;
	fresh(&rng);
	ec_rng_shuffle(&rng, w, 10, sizeof w[0]);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(w[i].a, (uint64_t)want[i] * 1000);
		assert_int_equal(w[i].b, want[i]);
		assert_int_equal(w[i].c, want[i]);
	}

	fresh(&rng);
	fresh(&ref);
	int one = 42;
	ec_rng_shuffle(&rng, &one, 1, sizeof one);
	ec_rng_shuffle(&rng, NULL, 0, sizeof one);
	assert_int_equal(one, 42);
	assert_int_equal(ec_rng_u32(&rng), ec_rng_u32(&ref));
}

/* ---- a plain scalar ChaCha12 block (seed-protocol.md Appendix A.1), independent of the
 * library's batched implementation ---- */

static uint32_t
rotl(uint32_t v, int n)
{
	return v << n | v >> (32 - n);
}

static void
qr(uint32_t *x, int a, int b, int c, int d)
{
	x[a] += x[b]; x[d] ^= x[a]; x[d] = rotl(x[d], 16);
	x[c] += x[d]; x[b] ^= x[c]; x[b] = rotl(x[b], 12);
	x[a] += x[b]; x[d] ^= x[a]; x[d] = rotl(x[d], 8);
	x[c] += x[d]; x[b] ^= x[c]; x[b] = rotl(x[b], 7);
}

static void
ref_chacha12_block(const uint8_t seed[EC_RNG_SEED_BYTES], uint64_t counter, uint32_t out[16])
{
	uint32_t in[16] = {0x61707865u, 0x3320646eu, 0x79622d32u, 0x6b206574u};
	for (int w = 0; w < 8; w++)
		in[4 + w] = (uint32_t)seed[4 * w] | (uint32_t)seed[4 * w + 1] << 8 |
		            (uint32_t)seed[4 * w + 2] << 16 | (uint32_t)seed[4 * w + 3] << 24;
	in[12] = (uint32_t)counter;
	in[13] = (uint32_t)(counter >> 32);
	in[14] = in[15] = 0;
	uint32_t x[16];
	memcpy(x, in, sizeof x);
	for (int r = 0; r < 6; r++) {
		qr(x, 0, 4, 8, 12);
		qr(x, 1, 5, 9, 13);
		qr(x, 2, 6, 10, 14);
		qr(x, 3, 7, 11, 15);
		qr(x, 0, 5, 10, 15);
		qr(x, 1, 6, 11, 12);
		qr(x, 2, 7, 8, 13);
		qr(x, 3, 4, 9, 14);
	}
	for (int w = 0; w < 16; w++)
		out[w] = x[w] + in[w];
}

/* The stream equals consecutive ChaCha12 blocks over several buffer
 * refills, for the published seed and a seed using every key byte. */
static void
test_stream_matches_scalar_chacha(void **state)
{
	(void)state;
	uint8_t seeds[2][EC_RNG_SEED_BYTES];
	memcpy(seeds[0], published, EC_RNG_SEED_BYTES);
	for (int i = 0; i < EC_RNG_SEED_BYTES; i++)
		seeds[1][i] = (uint8_t)(0xF0 - 7 * i);
	for (int k = 0; k < 2; k++) {
		ec_rng rng;
		ec_rng_init(&rng, seeds[k]);
		const uint64_t blocks = 5 * (EC_RNG_BUF_WORDS / 16) + 3;
		for (uint64_t b = 0; b < blocks; b++) {
			uint32_t want[16];
			ref_chacha12_block(seeds[k], b, want);
			for (int w = 0; w < 16; w++)
				assert_int_equal(ec_rng_u32(&rng), want[w]);
		}
	}
}

/* The 64-bit block counter carries into its high word (state word 13). */
static void
test_stream_counter_carry(void **state)
{
	(void)state;
	ec_rng rng;
	ec_rng_init(&rng, published);
	const uint64_t start = 0xFFFFFFFFull - 2; /* blocks 2^32-3 .. past 2^32 */
	rng.counter = start;
	rng.pos = EC_RNG_BUF_WORDS; /* force a refill at the next read */
	for (uint64_t b = start; b < start + 2 * (EC_RNG_BUF_WORDS / 16); b++) {
		uint32_t want[16];
		ref_chacha12_block(published, b, want);
		for (int w = 0; w < 16; w++)
			assert_int_equal(ec_rng_u32(&rng), want[w]);
	}
}

/* next_u64 = lo | hi << 32 of the next two words, at every offset, including
 * a pair that straddles a ChaCha block (16 words) and the end of the batch
 * buffer (EC_RNG_BUF_WORDS words). */
static void
test_u64_across_boundaries(void **state)
{
	(void)state;
	enum { WORDS = 3 * EC_RNG_BUF_WORDS + 7 };
	static uint32_t words[WORDS];
	ec_rng a;
	fresh(&a);
	for (int i = 0; i < WORDS; i++)
		words[i] = ec_rng_u32(&a);

	/* one u32 then u64s: every pair starts at an odd position */
	for (int skip = 0; skip <= 1; skip++) {
		ec_rng b;
		fresh(&b);
		int pos = 0;
		for (int s = 0; s < skip; s++)
			assert_int_equal(ec_rng_u32(&b), words[pos++]);
		while (pos + 2 <= WORDS) {
			uint64_t want = (uint64_t)words[pos] | (uint64_t)words[pos + 1] << 32;
			assert_int_equal(ec_rng_u64(&b), want);
			pos += 2;
		}
	}

	/* the exact straddle points */
	static const int at[] = {15, EC_RNG_BUF_WORDS - 1, 2 * EC_RNG_BUF_WORDS - 1};
	for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
		ec_rng b;
		fresh(&b);
		for (int i = 0; i < at[k]; i++)
			(void)ec_rng_u32(&b);
		uint64_t want = (uint64_t)words[at[k]] | (uint64_t)words[at[k] + 1] << 32;
		assert_int_equal(ec_rng_u64(&b), want);
		assert_int_equal(ec_rng_u32(&b), words[at[k] + 2]);
	}
}

/* ec_rng_fill_u64 equals n calls of ec_rng_u64, from even and odd offsets
 * and across buffer refills. */
static void
test_fill_u64(void **state)
{
	(void)state;
	enum { N = 2 * EC_RNG_BUF_WORDS + 5 };
	static const size_t lens[] = {0, 1, 2, 7, EC_RNG_BUF_WORDS / 2, N};
	for (int pre = 0; pre <= 3; pre++) {
		for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
			uint64_t got[N], want[N];
			ec_rng a, b;
			fresh(&a);
			fresh(&b);
			for (int i = 0; i < pre * 37; i++) {
				(void)ec_rng_u32(&a);
				(void)ec_rng_u32(&b);
			}
			ec_rng_fill_u64(&a, got, lens[l]);
			for (size_t i = 0; i < lens[l]; i++)
				want[i] = ec_rng_u64(&b);
			for (size_t i = 0; i < lens[l]; i++)
				assert_int_equal(got[i], want[i]);
			assert_int_equal(ec_rng_u32(&a), ec_rng_u32(&b));
		}
	}
}

static void
test_seed_from_u64(void **state)
{
	(void)state;
	uint8_t seed[EC_RNG_SEED_BYTES];
	memset(seed, 0xAB, sizeof seed);
	ec_rng_seed_from_u64(0x0102030405060708ull, seed);
	static const uint8_t want_lo[8] = {8, 7, 6, 5, 4, 3, 2, 1};
	assert_memory_equal(seed, want_lo, 8);
	for (int i = 8; i < EC_RNG_SEED_BYTES; i++)
		assert_int_equal(seed[i], 0);

	ec_rng_seed_from_u64(UINT64_MAX, seed);
	for (int i = 0; i < 8; i++)
		assert_int_equal(seed[i], 0xFF);
	for (int i = 8; i < EC_RNG_SEED_BYTES; i++)
		assert_int_equal(seed[i], 0);

	/* the encoded seed drives the stream exactly as the raw bytes do */
	uint8_t raw[EC_RNG_SEED_BYTES] = {1};
	ec_rng_seed_from_u64(1, seed);
	assert_memory_equal(seed, raw, EC_RNG_SEED_BYTES);
	ec_rng a, b;
	ec_rng_init(&a, seed);
	ec_rng_init(&b, raw);
	assert_int_equal(ec_rng_u64(&a), ec_rng_u64(&b));
}

/* Range samplers stay inside their bounds, including full-width ranges
 * (which take a raw word) and single-value ranges. */
static void
test_range_bounds(void **state)
{
	(void)state;
	ec_rng a, b;
	fresh(&a);
	fresh(&b);
	assert_int_equal(ec_rng_range_u32(&a, 0, UINT32_MAX), ec_rng_u32(&b));
	assert_int_equal(ec_rng_range_u64(&a, 0, UINT64_MAX), ec_rng_u64(&b));
	for (int i = 0; i < 2000; i++) {
		uint32_t x = ec_rng_range_u32(&a, 10, 17);
		assert_true(x >= 10 && x <= 17);
		uint64_t y = ec_rng_range_u64(&a, UINT64_MAX - 5, UINT64_MAX);
		assert_true(y >= UINT64_MAX - 5);
		assert_int_equal(ec_rng_range_u32(&a, 5, 5), 5);
		assert_true(ec_rng_index(&a, 1) == 0);
	}
}

/* ---- index::sample reference (seed-protocol.md Appendix A.2 and A.4), written apart
 * from the library: only the raw word stream ec_rng_u32 is shared. */

static uint32_t
ref_range_u32(ec_rng *rng, uint32_t lo, uint32_t hi)
{
	uint32_t range = hi - lo + 1u;
	if (range == 0)
		return ec_rng_u32(rng);
	int lz = 0;
	while (!(range << lz & 0x80000000u))
		lz++;
	uint32_t zone = (range << lz) - 1u;
	for (;;) {
		uint64_t m = (uint64_t)ec_rng_u32(rng) * (uint64_t)range;
		if ((uint32_t)m <= zone)
			return lo + (uint32_t)(m >> 32);
	}
}

/* Uniform::new(0, n).sample */
static uint32_t
ref_uniform(ec_rng *rng, uint32_t n)
{
	uint32_t zone = UINT32_MAX - (uint32_t)(((uint64_t)UINT32_MAX - n + 1u) % n);
	for (;;) {
		uint64_t m = (uint64_t)ec_rng_u32(rng) * (uint64_t)n;
		if ((uint32_t)m <= zone)
			return (uint32_t)(m >> 32);
	}
}

static bool
contains(const uint32_t *v, uint32_t len, uint32_t x)
{
	for (uint32_t i = 0; i < len; i++)
		if (v[i] == x)
			return true;
	return false;
}

enum ref_branch { BR_FLOYD_SMALL, BR_FLOYD_LARGE, BR_INPLACE, BR_REJECTION };

/* Returns which branch was taken; out[] receives the indices. */
static enum ref_branch
ref_sample(ec_rng *rng, uint32_t n, uint32_t amount, uint32_t *out)
{
	if (amount > n)
		amount = n;
	bool big = n >= 500000;
	enum ref_branch br;
	if (amount < 163) {
		float c0 = big ? 8.0f / 45.0f : 1.6f, c1 = big ? 70.0f / 9.0f : 10.0f;
		float af = (float)amount;
		if (amount > 11 && (float)n < (c1 + c0 * af) * af)
			br = BR_INPLACE;
		else
			br = amount < 50 ? BR_FLOYD_SMALL : BR_FLOYD_LARGE;
	} else {
		float c = big ? 330.0f / 9.0f : 270.0f;
		br = (float)n < c * (float)amount ? BR_INPLACE : BR_REJECTION;
	}
	uint32_t len = 0;
	switch (br) {
	case BR_INPLACE: {
		uint32_t *perm = malloc((size_t)n * sizeof *perm);
		assert_non_null(perm);
		for (uint32_t i = 0; i < n; i++)
			perm[i] = i;
		for (uint32_t i = 0; i < amount; i++) {
			uint32_t j = ref_range_u32(rng, i, n - 1);
			uint32_t t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
		memcpy(out, perm, (size_t)amount * sizeof *out);
		free(perm);
		break;
	}
	case BR_FLOYD_SMALL:
	case BR_FLOYD_LARGE:
		for (uint32_t j = n - amount; j < n; j++) {
			uint32_t t = ref_range_u32(rng, 0, j);
			if (br == BR_FLOYD_SMALL) {
				uint32_t pos = 0;
				while (pos < len && out[pos] != t)
					pos++;
				if (pos < len) {
					memmove(out + pos + 1, out + pos, (size_t)(len - pos) * sizeof *out);
					out[pos] = j;
				} else {
					out[len] = t;
				}
			} else {
				out[len] = contains(out, len, t) ? j : t;
			}
			len++;
		}
		if (br == BR_FLOYD_LARGE)
			for (uint32_t i = amount - 1; i >= 1; i--) {
				uint32_t k = ref_range_u32(rng, 0, i);
				uint32_t t = out[i];
				out[i] = out[k];
				out[k] = t;
			}
		break;
	case BR_REJECTION: {
		uint8_t *seen = calloc(n, 1);
		assert_non_null(seen);
		for (uint32_t i = 0; i < amount; i++) {
			uint32_t v = ref_uniform(rng, n);
			while (seen[v])
				v = ref_uniform(rng, n);
			seen[v] = 1;
			out[i] = v;
		}
		free(seen);
		break;
	}
	}
	return br;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Runs ec_rng_sample_indices(n, amount) from seed s and checks: count,
 * range, distinctness, determinism, the chosen set and the words consumed
 * against the reference, and that the expected branch is the one taken. */
static void
check_sample(uint32_t n, uint64_t amount, uint64_t s, enum ref_branch want_branch)
{
	uint8_t seed[EC_RNG_SEED_BYTES];
	ec_rng_seed_from_u64(s, seed);
	uint32_t want_count = amount < n ? (uint32_t)amount : n;
	size_t cap = want_count ? want_count : 1;
	uint32_t *out = malloc(cap * sizeof *out), *out2 = malloc(cap * sizeof *out2);
	uint32_t *ref = malloc(cap * sizeof *ref);
	uint32_t *scratch = malloc((size_t)(n ? n : 1) * sizeof *scratch);
	uint8_t *seen = calloc(n ? n : 1, 1);
	assert_true(out && out2 && ref && scratch && seen);

	ec_rng a, b, c;
	ec_rng_init(&a, seed);
	ec_rng_init(&b, seed);
	ec_rng_init(&c, seed);
	size_t count = 12345, count2 = 0;
	assert_int_equal(ec_rng_sample_indices(&a, n, amount, scratch, out, &count), EC_OK);
	assert_int_equal(count, want_count);
	for (size_t i = 0; i < count; i++) {
		assert_true(out[i] < n);
		assert_int_equal(seen[out[i]], 0);
		seen[out[i]] = 1;
	}

	/* deterministic: the same seed gives the same output, in the same order */
	assert_int_equal(ec_rng_sample_indices(&b, n, amount, scratch, out2, &count2), EC_OK);
	assert_int_equal(count2, count);
	if (count)
		assert_memory_equal(out, out2, count * sizeof *out);

	/* the reference's set, branch and consumption */
	assert_int_equal(ref_sample(&c, n, (uint32_t)want_count, ref), want_branch);
	qsort(out, count, sizeof *out, cmp_u32);
	qsort(ref, count, sizeof *ref, cmp_u32);
	if (count)
		assert_memory_equal(out, ref, count * sizeof *out);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ec_rng_u32(&a), ec_rng_u32(&c));

	free(out);
	free(out2);
	free(ref);
	free(scratch);
	free(seen);
}

static void
test_sample_floyd_small(void **state)
{
	(void)state;
	/* amount <= 11 is always Floyd; amount in 12..49 is Floyd when n is large */
	for (uint64_t s = 1; s <= 5; s++) {
		check_sample(1000, 10, s, BR_FLOYD_SMALL);
		check_sample(10000, 40, s, BR_FLOYD_SMALL); /* 10000 >= (10+64)*40 */
		check_sample(11, 11, s, BR_FLOYD_SMALL);    /* amount == n */
		check_sample(20, 3, s, BR_FLOYD_SMALL);
		/* boundaries: amount 11 never goes in-place; amount 49 is the last
		 * tail-insertion size; n == (10 + 1.6 * 20) * 20 = 840 is not below */
		check_sample(100, 11, s, BR_FLOYD_SMALL);
		check_sample(10000, 49, s, BR_FLOYD_SMALL);
		check_sample(840, 20, s, BR_FLOYD_SMALL);
	}
}

static void
test_sample_floyd_large(void **state)
{
	(void)state;
	for (uint64_t s = 1; s <= 5; s++) {
		check_sample(100000, 100, s, BR_FLOYD_LARGE); /* >= (10+160)*100 = 17000 */
		check_sample(600000, 100, s, BR_FLOYD_LARGE); /* big-n constants */
		check_sample(7000, 50, s, BR_FLOYD_LARGE);    /* 7000 >= (10+80)*50 = 4500 */
		check_sample(4500, 50, s, BR_FLOYD_LARGE);    /* exactly the limit */
		check_sample(100000, 162, s, BR_FLOYD_LARGE); /* largest Floyd amount */
	}
}

static void
test_sample_inplace(void **state)
{
	(void)state;
	for (uint64_t s = 1; s <= 5; s++) {
		check_sample(1000, 40, s, BR_INPLACE);   /* 1000 < (10+64)*40 */
		check_sample(2000, 800, s, BR_INPLACE);  /* amount >= 163, 2000 < 270*800 */
		check_sample(1000, 200, s, BR_INPLACE);
		check_sample(300, 300, s, BR_INPLACE);   /* the whole set */
		check_sample(600000, 20000, s, BR_INPLACE); /* 600000 < 330/9*20000 */
		/* boundaries */
		check_sample(100, 12, s, BR_INPLACE);       /* first amount past 11 */
		check_sample(839, 20, s, BR_INPLACE);       /* just below 840 */
		check_sample(4499, 50, s, BR_INPLACE);
		check_sample(53999, 200, s, BR_INPLACE);    /* just below 270 * 200 */
		check_sample(499999, 2000, s, BR_INPLACE);  /* small-n constant 270 */
		check_sample(1000, 163, s, BR_INPLACE);     /* first amount of the 2nd tier */
	}
}

static void
test_sample_rejection(void **state)
{
	(void)state;
	for (uint64_t s = 1; s <= 5; s++) {
		check_sample(100000, 200, s, BR_REJECTION); /* 100000 >= 270*200 */
		check_sample(600000, 200, s, BR_REJECTION); /* 600000 >= 330/9*200 */
		check_sample(54000, 200, s, BR_REJECTION);  /* exactly 270 * 200 */
		check_sample(500000, 2000, s, BR_REJECTION); /* big-n constant 330/9 */
		/* amount 163 uses the second tier: the first would go in-place
		 * below (10 + 1.6 * 163) * 163 = 44140 */
		check_sample(44100, 163, s, BR_REJECTION);
	}
}

static void
test_sample_clamps_and_edges(void **state)
{
	(void)state;
	/* amount > n clamps to n: the branch follows the clamped amount */
	check_sample(5, 9, 3, BR_FLOYD_SMALL);
	check_sample(30, 1000, 3, BR_INPLACE);
	check_sample(10, UINT64_MAX, 3, BR_FLOYD_SMALL);
	check_sample(0, 4, 3, BR_FLOYD_SMALL); /* nothing to choose, nothing drawn */
	check_sample(100, 0, 3, BR_FLOYD_SMALL);

	/* n beyond 32 bits is refused */
	ec_rng rng;
	fresh(&rng);
	uint32_t out[1], scratch[1];
	size_t count;
	assert_int_equal(ec_rng_sample_indices(&rng, (uint64_t)UINT32_MAX + 1, 1, scratch, out, &count),
	                 EC_EINVAL);
}

static void
test_mix64(void **state)
{
	(void)state;
	assert_int_equal(ec_mix64(0), 0xe220a8397b1dcdafull);
	/* second SplitMix64 output from state 0 = mix of the incremented state */
	assert_int_equal(ec_mix64(0x9E3779B97F4A7C15ull), 0x6e789e6aa1b965f4ull);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published_seed_export),
		cmocka_unit_test(test_vector_u32),
		cmocka_unit_test(test_vector_u64),
		cmocka_unit_test(test_vector_range_u64),
		cmocka_unit_test(test_vector_index),
		cmocka_unit_test(test_vector_shuffle),
		cmocka_unit_test(test_shuffle_elements_and_no_draws),
		cmocka_unit_test(test_stream_matches_scalar_chacha),
		cmocka_unit_test(test_stream_counter_carry),
		cmocka_unit_test(test_u64_across_boundaries),
		cmocka_unit_test(test_fill_u64),
		cmocka_unit_test(test_seed_from_u64),
		cmocka_unit_test(test_range_bounds),
		cmocka_unit_test(test_sample_floyd_small),
		cmocka_unit_test(test_sample_floyd_large),
		cmocka_unit_test(test_sample_inplace),
		cmocka_unit_test(test_sample_rejection),
		cmocka_unit_test(test_sample_clamps_and_edges),
		cmocka_unit_test(test_mix64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
