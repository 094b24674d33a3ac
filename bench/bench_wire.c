/* SPDX-License-Identifier: MIT */
/*
 * bench_wire: throughput of the canonical block encoding (ec/wire.h) for
 * blocks of 1, 3, 16 and 256 parts: encode, decode (which validates every
 * rule and hashes the unsigned prefix for the id) and the streaming id
 * hash of a decoded block (ec_wire_block_id).  Figures are ns per
 * operation and MB/s (10^6 bytes of encoded block per second); each is the
 * best of 5 timed batches, which filters out scheduling noise on a shared
 * machine.  Blocks are random (seeded), half their parts signed transfers.
 *
 * usage: ec_bench_wire [SECONDS_PER_FIGURE]   (default 0.3)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec/rng.h"
#include "ec/wire.h"
#include "bench_clock.h"

typedef struct job {
	ecp_block *block;   /* source value */
	uint8_t *bytes;     /* its encoding */
	size_t len;
	ecp_block *scratch; /* decode target */
	volatile uint64_t sink;
} job;

typedef void (*op_fn)(job *j);

static void
op_encode(job *j)
{
	size_t len;
	if (ec_wire_block_encode(j->block, j->bytes, j->len, &len) != EC_OK)
		abort();
	j->sink += j->bytes[len - 1];
}

static void
op_decode(job *j)
{
	if (ec_wire_block_decode(j->bytes, j->len, j->scratch, j->block->nparts) != EC_WIRE_OK)
		abort();
	j->sink += j->scratch->id.w[0];
}

static void
op_id(job *j)
{
	ec_id id;
	ec_wire_block_id(j->block, &id);
	j->sink += id.w[0];
}

/* Seconds per call: the best of 5 batches of about budget/5 seconds. */
static double
time_per_call(op_fn fn, job *j, double budget)
{
	uint64_t iters = 1;
	double dt;
	for (;;) {
		double t0 = now();
		for (uint64_t i = 0; i < iters; i++)
			fn(j);
		dt = now() - t0;
		if (dt > budget / 50 || iters > (1ull << 40))
			break;
		iters *= 2;
	}
	uint64_t batch = (uint64_t)((double)iters * (budget / 5) / (dt > 0 ? dt : 1e-9)) + 1;
	double best = 1e300;
	for (int b = 0; b < 5; b++) {
		double t0 = now();
		for (uint64_t i = 0; i < batch; i++)
			fn(j);
		double per = (now() - t0) / (double)batch;
		if (per < best)
			best = per;
	}
	return best;
}

static int
cmp_id(const void *a, const void *b)
{
	return ec_id_cmp(a, b);
}

static ecp_block *
make_block(ec_rng *rng, uint32_t n)
{
	ecp_block *b = calloc(1, ecp_block_size(n));
	if (!b)
		abort();
	b->nparts = n;
	b->time = ec_rng_u64(rng);
	for (uint32_t i = 0; i < n; i++) {
		ecp_part *p = &b->parts[i];
		for (unsigned w = 0; w < 4; w++) {
			p->token.w[w] = ec_rng_u64(rng) | 1;
			p->next_key.w[w] = ec_rng_u64(rng);
		}
		if (i % 2) {
			for (unsigned w = 0; w < 4; w++)
				p->parent.w[w] = ec_rng_u64(rng) | 1;
			for (unsigned k = 0; k < 32; k++)
				p->signer[k] = (uint8_t)(ec_rng_u32(rng) | 1);
			for (unsigned k = 0; k < 64; k++)
				p->sig[k] = (uint8_t)ec_rng_u32(rng);
		}
	}
	/* tokens ascending (parts carry their own fields, so sort tokens only) */
	ec_id tok[ECP_MAX_PARTS];
	for (uint32_t i = 0; i < n; i++)
		tok[i] = b->parts[i].token;
	qsort(tok, n, sizeof tok[0], cmp_id);
	for (uint32_t i = 0; i < n; i++)
		b->parts[i].token = tok[i];
	if (ec_wire_block_check(b) != EC_WIRE_OK)
		abort();
	ec_wire_block_id(b, &b->id);
	return b;
}

int
main(int argc, char **argv)
{
	double budget = argc > 1 ? strtod(argv[1], NULL) : 0.3;
	if (!(budget > 0))
		budget = 0.3;
	uint8_t seed[EC_RNG_SEED_BYTES];
	ec_rng_seed_from_u64(1, seed);
	ec_rng rng;
	ec_rng_init(&rng, seed);
	static const uint32_t sizes[] = {1, 3, 16, 256};
	static const struct {
		const char *name;
		op_fn fn;
	} ops[] = {{"encode", op_encode}, {"decode+id", op_decode}, {"id hash", op_id}};
	printf("%-6s %-7s %-10s %12s %10s\n", "parts", "bytes", "op", "ns/op", "MB/s");
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		job j = {0};
		j.block = make_block(&rng, sizes[s]);
		j.len = ec_wire_block_size(sizes[s]);
		j.bytes = malloc(j.len);
		j.scratch = malloc(ecp_block_size(sizes[s]));
		if (!j.bytes || !j.scratch)
			abort();
		op_encode(&j);
		for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
			double t = time_per_call(ops[o].fn, &j, budget);
			printf("%-6u %-7zu %-10s %12.1f %10.1f\n", sizes[s], j.len, ops[o].name, t * 1e9,
			       (double)j.len / t / 1e6);
		}
		free(j.scratch);
		free(j.bytes);
		free(j.block);
	}
	return 0;
}
