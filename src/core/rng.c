/* SPDX-License-Identifier: MIT */
/*
 * ChaCha12 keystream and rand 0.8.5 samplers (see ec/rng.h).
 *
 * EC_RNG_LANES consecutive blocks are computed at once with GCC vector
 * extensions (one block per lane), compiled for AVX-512, AVX2 and a portable
 * fallback; the topology set-up draws about 4 million u64 per default run,
 * so the keystream is on the critical path.
 */
#include "ec/rng.h"

#include <string.h>

#include "core/multiversion.h"

/* One lane per block: lane j computes block counter + j. */
typedef uint32_t vec __attribute__((vector_size(4 * EC_RNG_LANES)));
#define LANES EC_RNG_LANES

#define ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QR(a, b, c, d)                         \
	do {                                       \
		a += b; d ^= a; d = ROTL(d, 16);       \
		c += d; b ^= c; b = ROTL(b, 12);       \
		a += b; d ^= a; d = ROTL(d, 8);        \
		c += d; b ^= c; b = ROTL(b, 7);        \
	} while (0)

/* AVX-512 or AVX2 when the processor has it (chosen at load time), SSE2
 * otherwise; the output is the same stream either way.  (A separate static
 * function: clang wants multiversioning on the first declaration.) */
EC_MULTIVERSION("avx512f", "avx2", "default") static void
chacha_batch(ec_rng *rng)
{
	static const uint32_t sigma[4] = {0x61707865u, 0x3320646eu, 0x79622d32u, 0x6b206574u};
	vec x[16], in[16];
	for (int w = 0; w < 4; w++)
		for (int l = 0; l < LANES; l++)
			in[w][l] = sigma[w];
	for (int w = 0; w < 8; w++)
		for (int l = 0; l < LANES; l++)
			in[4 + w][l] = rng->key[w];
	for (int l = 0; l < LANES; l++) {
		uint64_t c = rng->counter + (uint64_t)l;
		in[12][l] = (uint32_t)c;
		in[13][l] = (uint32_t)(c >> 32);
		in[14][l] = 0;
		in[15][l] = 0;
	}
	memcpy(x, in, sizeof x);
	for (int r = 0; r < 6; r++) { /* 12 rounds = 6 double rounds */
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int w = 0; w < 16; w++) {
		vec o = x[w] + in[w];
		memcpy(&rng->buf[w * LANES], &o, sizeof o);
	}
	rng->counter += LANES;
	rng->pos = 0;
}

void
ec__rng_refill(ec_rng *rng)
{
	chacha_batch(rng);
}

_Static_assert(EC_RNG_BUF_WORDS == LANES * 16, "buffer holds one batch of blocks");

void
ec_rng_init(ec_rng *rng, const uint8_t seed[EC_RNG_SEED_BYTES])
{
	for (int w = 0; w < 8; w++)
		rng->key[w] = (uint32_t)seed[4 * w] | (uint32_t)seed[4 * w + 1] << 8 |
		              (uint32_t)seed[4 * w + 2] << 16 | (uint32_t)seed[4 * w + 3] << 24;
	rng->counter = 0;
	rng->pos = EC_RNG_BUF_WORDS;
}

void
ec_rng_seed_from_u64(uint64_t s, uint8_t seed[EC_RNG_SEED_BYTES])
{
	memset(seed, 0, EC_RNG_SEED_BYTES);
	for (int i = 0; i < 8; i++)
		seed[i] = (uint8_t)(s >> (8 * i));
}

void
ec_rng_fill_u64(ec_rng *rng, uint64_t *out, size_t n)
{
	size_t i = 0;
	/* whole words pairs straight from the buffer while it is pair-aligned */
	while (i < n) {
		if (rng->pos >= EC_RNG_BUF_WORDS)
			ec__rng_refill(rng);
		if (rng->pos % 2 == 0) {
			size_t take = (EC_RNG_BUF_WORDS - rng->pos) / 2;
			if (take > n - i)
				take = n - i;
			for (size_t k = 0; k < take; k++) {
				uint32_t p = rng->pos + (uint32_t)(2 * k);
				out[i + k] = (uint64_t)ec__rng_word(rng, p) |
				             (uint64_t)ec__rng_word(rng, p + 1) << 32;
			}
			rng->pos += (uint32_t)(2 * take);
			i += take;
		} else {
			out[i++] = ec_rng_u64(rng);
		}
	}
}

uint32_t
ec_rng_range_u32(ec_rng *rng, uint32_t lo, uint32_t hi)
{
	uint32_t range = hi - lo + 1u;
	if (range == 0)
		return ec_rng_u32(rng);
	uint32_t zone = (range << __builtin_clz(range)) - 1u;
	for (;;) {
		uint64_t m = (uint64_t)ec_rng_u32(rng) * range;
		if ((uint32_t)m <= zone)
			return lo + (uint32_t)(m >> 32);
	}
}

uint64_t
ec_rng_range_u64(ec_rng *rng, uint64_t lo, uint64_t hi)
{
	uint64_t range = hi - lo + 1u;
	if (range == 0)
		return ec_rng_u64(rng);
	uint64_t zone = (range << __builtin_clzll(range)) - 1u;
	for (;;) {
		__extension__ typedef unsigned __int128 u128;
		u128 m = (u128)ec_rng_u64(rng) * range;
		if ((uint64_t)m <= zone)
			return lo + (uint64_t)(m >> 64);
	}
}

uint32_t
ec_rng_index(ec_rng *rng, uint64_t n)
{
	return ec_rng_range_u32(rng, 0, (uint32_t)(n - 1));
}

void
ec_rng_shuffle(ec_rng *rng, void *base, size_t n, size_t elem_size)
{
	unsigned char *p = base, tmp[256];
	if (n < 2 || elem_size > sizeof tmp)
		return;
	for (size_t i = n - 1; i >= 1; i--) {
		size_t j = ec_rng_index(rng, i + 1);
		if (j != i) {
			memcpy(tmp, p + i * elem_size, elem_size);
			memcpy(p + i * elem_size, p + j * elem_size, elem_size);
			memcpy(p + j * elem_size, tmp, elem_size);
		}
	}
}

/* Uniform::new(0, n).sample(): a precomputed zone, unlike sample_single. */
static uint32_t
uniform_below(ec_rng *rng, uint32_t n)
{
	uint32_t reject = (uint32_t)((UINT32_MAX - n + 1u) % n);
	uint32_t zone = UINT32_MAX - reject;
	for (;;) {
		uint64_t m = (uint64_t)ec_rng_u32(rng) * n;
		if ((uint32_t)m <= zone)
			return (uint32_t)(m >> 32);
	}
}

static void
sample_inplace(ec_rng *rng, uint32_t n, uint32_t amount, uint32_t *out, uint32_t *perm)
{
	for (uint32_t i = 0; i < n; i++)
		perm[i] = i;
	for (uint32_t i = 0; i < amount; i++) {
		uint32_t j = ec_rng_range_u32(rng, i, n - 1);
		uint32_t t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	memcpy(out, perm, amount * sizeof *out);
}

static void
sample_floyd(ec_rng *rng, uint32_t n, uint32_t amount, uint32_t *out, uint32_t *mark)
{
	/* mark[v] = 1 + position of v in out, or 0; positions shift on insert,
	 * so for the tail-insertion variant we search out[] directly. */
	int tail_insert = amount < 50;
	uint32_t len = 0;
	memset(mark, 0, (size_t)n * sizeof *mark);
	for (uint32_t j = n - amount; j < n; j++) {
		uint32_t t = ec_rng_range_u32(rng, 0, j);
		if (mark[t]) {
			if (tail_insert) {
				uint32_t pos = 0;
				while (out[pos] != t)
					pos++;
				memmove(out + pos + 1, out + pos, (len - pos) * sizeof *out);
				out[pos] = j;
			} else {
				out[len] = j;
			}
			mark[j] = 1;
		} else {
			out[len] = t;
			mark[t] = 1;
		}
		len++;
	}
	if (!tail_insert) {
		for (uint32_t i = amount - 1; i >= 1; i--) {
			uint32_t k = ec_rng_range_u32(rng, 0, i);
			uint32_t tmp = out[i];
			out[i] = out[k];
			out[k] = tmp;
		}
	}
}

static void
sample_rejection(ec_rng *rng, uint32_t n, uint32_t amount, uint32_t *out, uint32_t *mark)
{
	memset(mark, 0, (size_t)n * sizeof *mark);
	for (uint32_t i = 0; i < amount; i++) {
		uint32_t v = uniform_below(rng, n);
		while (mark[v])
			v = uniform_below(rng, n);
		mark[v] = 1;
		out[i] = v;
	}
}

ec_err
ec_rng_sample_indices(ec_rng *rng, uint64_t n64, uint64_t amount64, uint32_t *scratch,
                      uint32_t *out, size_t *count)
{
	if (n64 > UINT32_MAX)
		return EC_EINVAL;
	uint32_t n = (uint32_t)n64;
	uint32_t amount = (uint32_t)(amount64 < n64 ? amount64 : n64);
	*count = amount;
	if (amount == 0)
		return EC_OK;
	int big = n >= 500000;
	if (amount < 163) {
		const float c0 = big ? 8.0f / 45.0f : 1.6f;
		const float c1 = big ? 70.0f / 9.0f : 10.0f;
		float af = (float)amount;
		if (amount > 11 && (float)n < (c1 + c0 * af) * af)
			sample_inplace(rng, n, amount, out, scratch);
		else
			sample_floyd(rng, n, amount, out, scratch);
	} else {
		const float c = big ? 330.0f / 9.0f : 270.0f;
		if ((float)n < c * (float)amount)
			sample_inplace(rng, n, amount, out, scratch);
		else
			sample_rejection(rng, n, amount, out, scratch);
	}
	return EC_OK;
}
