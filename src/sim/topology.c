/* SPDX-License-Identifier: MIT */
/*
 * Topology draws of the reference simulator (seed-protocol.md §4.2).  Every node, in
 * generation order, draws once for every candidate in generation order,
 * itself included (the draw is made and then ignored, seed-protocol.md §5 B6).  The
 * arithmetic is IEEE double exactly as the reference evaluates it, so the
 * same seed gives the same edges (seed-protocol.md §5 B7).
 *
 * The result is an adjacency bitmap indexed by node position in id order:
 * 1 bit per candidate instead of 64, and a node's sorted peer list is just
 * its row's set bits, read in order when the node is first used.
 */
#include "topology.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/multiversion.h"
#include "progress.h"

#define RING UINT64_MAX /* (ref) the ring is taken as 2^64 - 1, not 2^64 */
/* A dense row costs n draws, so a dense draw reports every 256 rows. */
#define DENSE_PROGRESS_EVERY 256u

/* fwd = q >= id ? q - id : RING - id + q, and RING - id + q is q - id - 1
 * modulo 2^64; written without branches, as the comparisons are coin flips. */
static uint64_t
ring_distance(uint64_t id, uint64_t q)
{
	uint64_t fwd = (q - id) - (uint64_t)(q < id);
	uint64_t bwd = (id - q) - (uint64_t)(id < q);
	return fwd < bwd ? fwd : bwd;
}

/* (double)u, correctly rounded, without the data-dependent branch that an
 * unsigned conversion costs on x86-64: both halves convert exactly and the
 * single rounding of their sum is the rounding of u. */
static double
u64_to_double(uint64_t u)
{
	return (double)(int64_t)(u >> 32) * 4294967296.0 + (double)(int64_t)(u & 0xFFFFFFFFu);
}

/* The reference divides by (double)(RING / 2) == 2^63 and by (double)RING
 * == 2^64.  Dividing by a power of two is exact, so multiplying by its
 * reciprocal gives the same bits and avoids a slow division per draw. */
#define INV_2_63 (1.0 / 9223372036854775808.0)
#define INV_2_64 (1.0 / 18446744073709551616.0)

static double
gradient_prob(uint64_t id, uint64_t q, double min_prob, double max_prob)
{
	double norm = u64_to_double(ring_distance(id, q)) * INV_2_63;
	return max_prob - ((max_prob - min_prob) * norm);
}

typedef uint64_t v4u __attribute__((vector_size(32)));
typedef double v4d __attribute__((vector_size(32)));

/* u64_to_double on four lanes: each 32-bit half becomes a double exactly
 * through the 2^52 exponent trick, then one rounding of hi * 2^32 + lo. */
static inline void
v4_to_double(const v4u *in, v4d *out)
{
	v4u u = *in;
	const v4u magic = {0x4330000000000000ull, 0x4330000000000000ull, 0x4330000000000000ull,
	                   0x4330000000000000ull};
	const v4d two52 = {4503599627370496.0, 4503599627370496.0, 4503599627370496.0,
	                   4503599627370496.0};
	v4u hi_bits = (u >> 32) | magic, lo_bits = (u & 0xFFFFFFFFull) | magic;
	v4d hi, lo;
	memcpy(&hi, &hi_bits, sizeof hi);
	memcpy(&lo, &lo_bits, sizeof lo);
	*out = (hi - two52) * 4294967296.0 + (lo - two52);
}

/* accept[j] = (rnd[j] as a fraction of the ring) < gradient_prob(id, ids[j]),
 * four candidates at a time with the scalar code's exact operations. */
EC_MULTIVERSION("avx2", "default") static void
gradient_accept(const uint64_t *ids, const uint64_t *rnd, uint8_t *accept, size_t n,
                uint64_t id, double min_prob, double max_prob)
{
	size_t j = 0;
	const double span = max_prob - min_prob;
	for (; j + 4 <= n; j += 4) {
		v4u q, r, idv = {id, id, id, id};
		memcpy(&q, ids + j, sizeof q);
		memcpy(&r, rnd + j, sizeof r);
		v4u fwd = (q - idv) + (v4u)(q < idv); /* a true comparison is -1 */
		v4u bwd = (idv - q) + (v4u)(idv < q);
		v4u m = (v4u)(fwd < bwd);
		v4u d = (fwd & m) | (bwd & ~m);
		v4d dd, rr;
		v4_to_double(&d, &dd);
		v4_to_double(&r, &rr);
		v4d p = max_prob - (span * (dd * INV_2_63));
		v4d x = rr * INV_2_64;
		v4u acc = (v4u)(x < p);
		for (int l = 0; l < 4; l++)
			accept[j + (size_t)l] = (uint8_t)(acc[l] & 1);
	}
	for (; j < n; j++)
		accept[j] = u64_to_double(rnd[j]) * INV_2_64 < gradient_prob(id, ids[j], min_prob, max_prob);
}

static double
gaussian_prob(uint64_t id, uint64_t q, double s)
{
	double d = (double)ring_distance(id, q);
	return exp(-(d * d) / (2.0 * s * s));
}

static inline void
set_bit(uint64_t *row, uint32_t i)
{
	row[i / 64] |= 1ull << (i % 64);
}

ec_err
ec_topology_draw(ec_rng *rng, const ec_topology *topo, const uint64_t *ids, uint32_t n,
                 const uint32_t *gen_to_idx, uint64_t *rows, size_t words,
                 const ec_sim_hooks *progress)
{
	ec_err err = EC_OK;
	uint8_t *accept = calloc(n, 1);
	uint64_t *rnd = malloc((size_t)n * sizeof *rnd);
	uint32_t *picked = NULL, *scratch = NULL;
	if (!accept || !rnd) {
		err = EC_ENOMEM;
		goto out;
	}
	if (topo->kind == EC_TOPO_RANDOM) {
		picked = malloc((size_t)n * sizeof *picked);
		scratch = malloc((size_t)n * sizeof *scratch);
		if (!picked || !scratch) {
			err = EC_ENOMEM;
			goto out;
		}
	}
	const double gauss_s = ((double)RING / 8.0) * topo->a;
	for (uint32_t k = 0; k < n; k++) {
		if (k % DENSE_PROGRESS_EVERY == 0)
			sim_progress(progress, "drawing the topology", k, n);
		const uint64_t id = ids[k];
		uint64_t *row = rows + (size_t)gen_to_idx[k] * words;
		if (topo->kind == EC_TOPO_RANDOM) {
			uint64_t amount = (uint64_t)((double)n * topo->a);
			size_t count;
			if ((err = ec_rng_sample_indices(rng, n, amount, scratch, picked, &count)))
				goto out;
			for (size_t i = 0; i < count; i++)
				set_bit(row, gen_to_idx[picked[i]]);
		} else {
			if (topo->kind == EC_TOPO_RING_GRADIENT) {
				ec_rng_fill_u64(rng, rnd, n);
				gradient_accept(ids, rnd, accept, n, id, topo->a, topo->b);
			} else {
				for (uint32_t j = 0; j < n; j++) {
					double p = gaussian_prob(id, ids[j], gauss_s);
					accept[j] = u64_to_double(ec_rng_u64(rng)) * INV_2_64 < p;
				}
			}
			for (uint32_t j = 0; j < n; j++) /* branch-free scatter */
				row[gen_to_idx[j] / 64] |= (uint64_t)accept[j] << (gen_to_idx[j] % 64);
		}
		/* self is drawn (it uses up random output) but never a peer */
		row[gen_to_idx[k] / 64] &= ~(1ull << (gen_to_idx[k] % 64));
	}
out:
	free(accept);
	free(rnd);
	free(picked);
	free(scratch);
	return err;
}

/* ---- bounded-degree topologies ---------------------------------------- */

bool
ec_topology_bounded(ec_topology_kind kind)
{
	return kind >= EC_TOPO_CAPPED_GRADIENT && kind <= EC_TOPO_RANDOM_REGULAR;
}

const char *
ec_topology_name(ec_topology_kind kind)
{
	switch (kind) {
	case EC_TOPO_RANDOM: return "random";
	case EC_TOPO_RING_GRADIENT: return "ring-gradient";
	case EC_TOPO_RING_GAUSSIAN: return "ring-gaussian";
	case EC_TOPO_CAPPED_GRADIENT: return "capped-gradient";
	case EC_TOPO_SMALL_WORLD: return "small-world";
	case EC_TOPO_CORE_TAIL: return "core-tail";
	case EC_TOPO_RANDOM_REGULAR: return "random-regular";
	}
	return "unknown";
}

/* Uniform double in [0, 1) with 53 random bits. */
static double
unit(ec_rng *rng)
{
	return (double)(ec_rng_u64(rng) >> 11) * (1.0 / 9007199254740992.0);
}

typedef struct picks {
	uint32_t *v;
	uint32_t len, cap;
} picks;

static bool
picked(const picks *p, uint32_t x)
{
	for (uint32_t k = 0; k < p->len; k++)
		if (p->v[k] == x)
			return true;
	return false;
}

/* Adds x unless it is self or already there; returns whether it was added. */
static bool
pick(picks *p, uint32_t self, uint32_t x)
{
	if (x == self || p->len == p->cap || picked(p, x))
		return false;
	p->v[p->len++] = x;
	return true;
}

/* Position at signed ring offset off (|off| < n) from i. */
static uint32_t
ring_at(uint32_t i, int64_t off, uint32_t n)
{
	int64_t v = ((int64_t)i + off) % (int64_t)n;
	return (uint32_t)(v < 0 ? v + n : v);
}

/* A ring offset of magnitude r in [1, n/2], sign from one random bit. */
static int64_t
signed_offset(ec_rng *rng, uint64_t r)
{
	return (ec_rng_u32(rng) & 1) ? (int64_t)r : -(int64_t)r;
}

/* r in [1, half] with density falling linearly from near to far
 * (inverse CDF of f(x) = near - (near - far) x on [0, 1]). */
static uint64_t
gradient_offset(ec_rng *rng, uint64_t half, double far, double near)
{
	double u = unit(rng), x;
	if (near == far) {
		x = u;
	} else {
		double d = near - far;
		x = (near - sqrt(near * near - d * u * (near + far))) / d;
	}
	uint64_t r = 1 + (uint64_t)(x * (double)half);
	return r > half ? half : r;
}

/* r in [1, half] with probability proportional to 1/r (Kleinberg's
 * harmonic long links), by inverting the continuous CDF ln(r)/ln(half+1). */
static uint64_t
harmonic_offset(ec_rng *rng, uint64_t half)
{
	uint64_t r = (uint64_t)exp(unit(rng) * log((double)half + 1.0));
	return r < 1 ? 1 : (r > half ? half : r);
}

static void
add_nearest(picks *p, uint32_t i, uint32_t n, uint32_t count)
{
	/* alternate above and below: +1, -1, +2, -2, ... */
	for (uint32_t k = 0; k < count && p->len < p->cap; k++) {
		int64_t off = (k % 2 == 0) ? (int64_t)(k / 2 + 1) : -(int64_t)(k / 2 + 1);
		if ((uint64_t)(k / 2 + 1) * 2 > n)
			break;
		pick(p, i, ring_at(i, off, n));
	}
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

ec_err
ec_topology_draw_bounded(ec_rng *rng, const ec_topology *topo, uint32_t n,
                         ec_topology_emit_fn emit, void *user, const ec_sim_hooks *progress)
{
	uint32_t want = topo->degree < n - 1 ? topo->degree : n - 1;
	picks p = {malloc(((size_t)want + 1) * sizeof(uint32_t)), 0, want};
	if (!p.v)
		return EC_ENOMEM;
	const uint64_t half = n / 2 ? n / 2 : 1;
	ec_err err = EC_OK;
	for (uint32_t i = 0; i < n && !err; i++) {
		if (i % SIM_PROGRESS_EVERY == 0)
			sim_progress(progress, "drawing the topology and building peer lists", i, n);
		p.len = 0;
		uint32_t random_part = want;
		if (topo->kind == EC_TOPO_SMALL_WORLD || topo->kind == EC_TOPO_CORE_TAIL) {
			uint32_t near = topo->kind == EC_TOPO_SMALL_WORLD ? want / 2 : want * 3 / 4;
			add_nearest(&p, i, n, near);
			random_part = want - p.len;
		}
		/* random draws; a repeat is drawn again, within a generous budget so
		 * that a nearly complete small network still terminates */
		uint32_t target = p.len + random_part;
		for (uint64_t tries = 0; p.len < target && tries < 64ull * want + 64; tries++) {
			uint32_t x;
			switch (topo->kind) {
			case EC_TOPO_CAPPED_GRADIENT:
				x = ring_at(i, signed_offset(rng, gradient_offset(rng, half, topo->a, topo->b)), n);
				break;
			case EC_TOPO_SMALL_WORLD:
				x = ring_at(i, signed_offset(rng, harmonic_offset(rng, half)), n);
				break;
			default: /* core-tail's tail and random-regular */
				x = ec_rng_index(rng, n);
				break;
			}
			pick(&p, i, x);
		}
		qsort(p.v, p.len, sizeof *p.v, cmp_u32);
		err = emit(user, i, p.v, p.len);
	}
	free(p.v);
	return err;
}
