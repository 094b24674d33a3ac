/* SPDX-License-Identifier: MIT */
/*
 * Topology draws of the reference simulator (spec §4.2).  Every node, in
 * generation order, draws once for every candidate in generation order,
 * itself included (the draw is made and then ignored, spec §5 B6).  The
 * arithmetic is IEEE double exactly as the reference evaluates it, so the
 * same seed gives the same edges (spec §5 B7).
 *
 * Accepted candidates are marked by generation index and emitted in id order
 * through a precomputed permutation, so no per-node sort is needed.
 */
#include "topology.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RING UINT64_MAX /* (ref) the ring is taken as 2^64 - 1, not 2^64 */

static uint64_t
ring_distance(uint64_t id, uint64_t q)
{
	uint64_t fwd = q >= id ? q - id : RING - id + q;
	uint64_t bwd = id >= q ? id - q : RING - q + id;
	return fwd < bwd ? fwd : bwd;
}

static double
gradient_prob(uint64_t id, uint64_t q, double min_prob, double max_prob)
{
	double norm = (double)ring_distance(id, q) / (double)(RING / 2);
	return max_prob - ((max_prob - min_prob) * norm);
}

static double
gaussian_prob(uint64_t id, uint64_t q, double s)
{
	double d = (double)ring_distance(id, q);
	return exp(-(d * d) / (2.0 * s * s));
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

ec_err
ec_topology_draw(ec_rng *rng, const ec_topology *topo, const uint64_t *ids, uint32_t n,
                 const uint32_t *by_id, ec_topology_emit_fn emit, void *user)
{
	ec_err err = EC_OK;
	uint8_t *accept = calloc(n, 1);
	uint64_t *list = malloc((size_t)n * sizeof *list);
	uint32_t *picked = NULL, *scratch = NULL;
	if (!accept || !list) {
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
		const uint64_t id = ids[k];
		size_t len = 0;
		if (topo->kind == EC_TOPO_RANDOM) {
			uint64_t amount = (uint64_t)((double)n * topo->a);
			size_t count;
			if ((err = ec_rng_sample_indices(rng, n, amount, picked, &count, scratch)))
				goto out;
			for (size_t i = 0; i < count; i++)
				if (ids[picked[i]] != id)
					list[len++] = ids[picked[i]];
			qsort(list, len, sizeof *list, cmp_u64);
		} else {
			for (uint32_t j = 0; j < n; j++) {
				double p = topo->kind == EC_TOPO_RING_GRADIENT
				               ? gradient_prob(id, ids[j], topo->a, topo->b)
				               : gaussian_prob(id, ids[j], gauss_s);
				double r = (double)ec_rng_u64(rng) / (double)RING;
				accept[j] = r < p;
			}
			for (uint32_t j = 0; j < n; j++) {
				uint32_t g = by_id[j];
				if (accept[g] && ids[g] != id)
					list[len++] = ids[g];
			}
		}
		if ((err = emit(user, k, list, len)))
			goto out;
	}
out:
	free(accept);
	free(list);
	free(picked);
	free(scratch);
	return err;
}
