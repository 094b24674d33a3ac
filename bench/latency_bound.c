/* SPDX-License-Identifier: MIT */
/*
 * A lower bound on ec commit latency under the seed network, whatever the
 * protocol: a block commits at its submitter when, for each of its 1..3
 * token roles, a quorum (5 of 9) of members' votes and, for its witness
 * role, 3 of 9 have come back.  Each vote needs the block to reach the
 * member (through `relays` shared relay hops, then one hop) and the vote
 * to come back (one hop).  A hop takes 1 round plus the seed network's
 * extra delay, about geometric: P(k extra rounds) = 2^-(k+1)
 * (docs: seed-protocol.md B2); loss is ignored, which only helps.
 * Prints p50 / p95 / mean latency for several route shapes, so that the
 * measured figures can be set against what any routed protocol can reach.
 * usage: ec_latency_bound [SAMPLES]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ec/rng.h"

static uint32_t
hop(ec_rng *rng)
{
	uint32_t d = 1;
	while (ec_rng_u64(rng) & 1)
		d++;
	return d;
}

/* Rounds until the q-th of 9 members' votes is back. */
static uint32_t
role(ec_rng *rng, uint32_t q, uint32_t relays)
{
	uint32_t pre = 0, t[9];
	for (uint32_t k = 0; k < relays; k++)
		pre += hop(rng);
	for (uint32_t m = 0; m < 9; m++) { /* insertion sort, 9 elements */
		uint32_t v = pre + hop(rng) + hop(rng), j = m;
		for (; j > 0 && t[j - 1] > v; j--)
			t[j] = t[j - 1];
		t[j] = v;
	}
	return t[q - 1];
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	if (n < 100) {
		fprintf(stderr, "usage: ec_latency_bound [SAMPLES >= 100]\n");
		return 2;
	}
	static const struct { const char *name; uint32_t tok, wit; } shapes[] = {
	    {"every role reached directly (2 hops)", 0, 0},
	    {"tokens directly, witness via 1 relay", 0, 1},
	    {"every role via 1 relay (3 hops)", 1, 1},
	    {"tokens directly, witness via 2 relays", 0, 2},
	    {"every role via 2 relays (4 hops)", 2, 2},
	};
	uint32_t *v = malloc(n * sizeof *v);
	if (!v)
		return 1;
	uint8_t seed[EC_RNG_SEED_BYTES];
	ec_rng_seed_from_u64(1, seed);
	ec_rng rng;
	ec_rng_init(&rng, seed);
	printf("%-40s %4s %4s %6s\n", "route to the members", "p50", "p95", "mean");
	for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
		double sum = 0;
		for (size_t i = 0; i < n; i++) {
			uint32_t tokens = ec_rng_range_u32(&rng, 1, 3), worst = role(&rng, 3, shapes[s].wit);
			for (uint32_t k = 0; k < tokens; k++) {
				uint32_t t = role(&rng, 5, shapes[s].tok);
				worst = t > worst ? t : worst;
			}
			v[i] = worst;
			sum += worst;
		}
		qsort(v, n, sizeof *v, cmp_u32);
		printf("%-40s %4u %4u %6.2f\n", shapes[s].name, v[n / 2], v[n * 95 / 100], sum / (double)n);
	}
	free(v);
	return 0;
}
