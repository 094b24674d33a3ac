/* SPDX-License-Identifier: MIT */
/*
 * ec_rng: a bit-exact replica of the random number generator the reference
 * simulator uses (Rust rand 0.8.5 StdRng = ChaCha12 from rand_chacha 0.3.1),
 * together with the samplers it calls: inclusive integer ranges on the 32-
 * and 64-bit paths, Fisher-Yates shuffle, and index::sample (choose_multiple).
 *
 * Bit-exactness is what lets our simulator replay the published run, so the
 * stream and every sampler must consume exactly the words the reference does.
 * ec_rng is a plain value: no allocation, copy it to fork a stream.
 */
#ifndef EC_RNG_H
#define EC_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "ec/err.h"

#define EC_RNG_SEED_BYTES 32
#define EC_RNG_LANES 16 /* ChaCha blocks generated together */
#define EC_RNG_BUF_WORDS (16 * EC_RNG_LANES)

typedef struct ec_rng {
	uint32_t key[8];            /* seed words (little-endian) */
	uint64_t counter;           /* next 64-byte block number */
	/* word w of the batch's block b sits at buf[w * EC_RNG_LANES + b], the
	 * layout the vector code produces; ec__rng_word maps stream positions */
	uint32_t buf[EC_RNG_BUF_WORDS];
	uint32_t pos;               /* next unread stream position in the batch */
} ec_rng;

static inline uint32_t
ec__rng_word(const ec_rng *rng, uint32_t pos)
{
	return rng->buf[(pos & 15u) * EC_RNG_LANES + (pos >> 4)];
}

/* Seeds rng from 32 bytes, exactly as ChaCha12Rng::from_seed. */
void ec_rng_init(ec_rng *rng, const uint8_t seed[EC_RNG_SEED_BYTES]);

/* Writes the reference's integer-seed encoding of s (seed-protocol.md §4.5):
 * seed[0..7] = s little-endian, seed[8..31] = 0. */
void ec_rng_seed_from_u64(uint64_t s, uint8_t seed[EC_RNG_SEED_BYTES]);

/* Internal: computes the next EC_RNG_BUF_WORDS words of the stream. */
void ec__rng_refill(ec_rng *rng);

static inline uint32_t
ec_rng_u32(ec_rng *rng)
{
	if (rng->pos >= EC_RNG_BUF_WORDS)
		ec__rng_refill(rng);
	return ec__rng_word(rng, rng->pos++);
}

/* Two consecutive words, low first (rand_core BlockRng semantics). */
static inline uint64_t
ec_rng_u64(ec_rng *rng)
{
	uint64_t lo = ec_rng_u32(rng);
	uint64_t hi = ec_rng_u32(rng);
	return lo | hi << 32;
}

/* Equivalent to n calls of ec_rng_u64, written to out[0..n-1]. */
void ec_rng_fill_u64(ec_rng *rng, uint64_t *out, size_t n);

/* Uniform in [lo, hi] on the 32-bit path (UniformInt<u32>::sample_single_inclusive). */
uint32_t ec_rng_range_u32(ec_rng *rng, uint32_t lo, uint32_t hi);
/* Uniform in [lo, hi] on the 64-bit path (usize/u64 sample_single_inclusive). */
uint64_t ec_rng_range_u64(ec_rng *rng, uint64_t lo, uint64_t hi);
/* gen_index(n) as used by choose and shuffle: [0, n-1], 32-bit path.
 * n must be in [1, 2^32]. */
uint32_t ec_rng_index(ec_rng *rng, uint64_t n);

/* Fisher-Yates as SliceRandom::shuffle, over n elements of elem_size bytes.
 * elem_size must be at most 256. */
void ec_rng_shuffle(ec_rng *rng, void *base, size_t n, size_t elem_size);

/*
 * index::sample(rng, n, amount) from rand 0.8.5 (docs/design/seed-protocol.md
 * Appendix A.4): picks
 * min(amount, n) distinct indices of [0, n).  The chosen set and the number
 * of words drawn match the reference; the order of out[] is unspecified.
 * Args:  n must be < 2^32.  scratch must hold n uint32_t (working space:
 *        used as a mark table or as the in-place permutation buffer).
 * Out:   out[0 .. *count-1] the chosen indices; out must hold min(amount, n)
 *        entries.
 * Returns EC_OK, or EC_EINVAL if n does not fit 32 bits.
 */
EC_WUR ec_err ec_rng_sample_indices(ec_rng *rng, uint64_t n, uint64_t amount, uint32_t *scratch,
                                    uint32_t *out, size_t *count);

/* SplitMix64 finaliser step (used for tie-break salts, seed-protocol.md §5 B1, and
 * every hash table): inline, as the tables hash on every lookup. */
static inline uint64_t
ec_mix64(uint64_t z)
{
	z += 0x9E3779B97F4A7C15ull;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

#endif
