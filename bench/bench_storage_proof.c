/* SPDX-License-Identifier: MIT */
/*
 * How often a node that stores only a fraction of its range passes the
 * proof of storage (ec/storage_proof.h).
 *
 * A synthetic ring: N nodes and T tokens at random 256-bit ids, each token
 * with a random block id.  A token lying between nodes j and j+1 is stored
 * by the 2w nodes j-w+1 .. j+w, so node i is responsible for the tokens in
 * [node[i-w], node[i+w]) (about 2w*T/N of them).  A lazy node keeps only a
 * fraction f of those mappings, under two models:
 *   random      each mapping kept independently with probability f;
 *   contiguous  the f*n mappings of its range nearest to itself.
 * Each node is challenged C times.  A challenge is a requester-bound point
 * (ec_sp_challenge of a random requester, the node, a random nonce and the
 * round) mapped into the node's inner range, the part where the 5 tokens
 * above and the 5 below the point all belong to the range (so every honest
 * node with that range gives the same answer; this is what a requester
 * gets by drawing nonces until the point lands there, without the cost).
 * The lazy node answers with ec_sp_answer_build over what it kept: a gap
 * is filled by its next stored token, which is wrong, since a (token,
 * block) pair of 256-bit hashes cannot be guessed.  Reported per f:
 *   all10  the answer equals the honest one;
 *   pass8  ec_sp_compare with two honest witnesses passes it, i.e. >= 8 of
 *          10 entries agree;
 *   wrong  mean entries outside the majority answer;
 * each next to its expectation: for "random" f^10, P[Binomial(10, 1-f) <= 2]
 * and 10(1-f); for "contiguous" the share of the inner range where the 10
 * nearest tokens fall (all, or at least 8) inside the kept block
 * (expect_contiguous), roughly (f*n - 9)/(n - 9) for all10.
 * Deterministic for a seed; takes a few seconds.
 *
 * usage: ec_bench_storage_proof [--nodes N] [--tokens T] [--challenges C]
 *                               [--seed S] [--w W]...
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ec/rng.h"
#include "ec/storage_proof.h"

__extension__ typedef unsigned __int128 u128;

#define NF 7
static const double fractions[NF] = {1.0, 0.99, 0.95, 0.9, 0.8, 0.5, 0.25};
#define NMODEL 2
static const char *const model_names[NMODEL] = {"random", "contiguous"};
#define WITNESSES 2

typedef struct cell {
	uint64_t challenges, all10, pass8, wrong;
	double e_all10, e_pass8, e_wrong; /* expectations, summed per challenge */
} cell;

static ec_id
rand_id(ec_rng *r)
{
	ec_id x;
	for (int i = 0; i < 4; i++)
		x.w[i] = ec_rng_u64(r);
	return x;
}

static int
cmp_id(const void *a, const void *b)
{
	return ec_id_cmp(a, b);
}

static int
cmp_mapping(const void *a, const void *b)
{
	return ec_id_cmp(&((const ec_sp_mapping *)a)->token, &((const ec_sp_mapping *)b)->token);
}

/* floor(width * frac / 2^64) */
static ec_id
scale(const ec_id *width, uint64_t frac)
{
	ec_id r;
	u128 carry = 0;
	uint64_t low[4];
	for (int i = 3; i >= 0; i--) {
		u128 p = (u128)width->w[i] * frac + carry;
		low[i] = (uint64_t)p;
		carry = p >> 64;
	}
	/* the 320-bit product is carry:low[0..3]; drop the last 64 bits */
	r.w[0] = (uint64_t)carry;
	r.w[1] = low[0];
	r.w[2] = low[1];
	r.w[3] = low[2];
	return r;
}

/* first index with tok[i].token >= x, in [0, n] */
static size_t
lower_bound(const ec_sp_mapping *tok, size_t n, const ec_id *x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ec_id_cmp(&tok[mid].token, x) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static double
binom_tail(double f, unsigned max_wrong)
{
	double p = 0, q = 1 - f;
	for (unsigned k = 0; k <= max_wrong; k++) {
		double c = 1;
		for (unsigned j = 0; j < k; j++)
			c = c * (double)(EC_SP_ENTRIES - j) / (double)(j + 1);
		p += c * pow(q, k) * pow(f, (double)(EC_SP_ENTRIES - k));
	}
	return p;
}

static double
id_double(const ec_id *x)
{
	return ldexp((double)x->w[0], 192) + ldexp((double)x->w[1], 128);
}

/*
 * Expectation for the contiguous model, exact for the ring drawn.  The
 * point falls in gap j of the inner range (between range[j-1] and
 * range[j], j = 5..n-5) with probability proportional to the gap's length;
 * there the true entries are range[j-5 .. j+4], and the lazy node has
 * those inside its kept block [a, a+keep).  Each missing one costs one
 * entry.  (Counting gaps instead of weighing them would underestimate: the
 * gap around the node itself, at the centre of the kept block, is on
 * average twice as long as the others.)
 */
static void
expect_contiguous(cell *ce, const ec_sp_mapping *range, size_t n, size_t a, size_t keep,
                  unsigned n_chal)
{
	double all10 = 0, pass8 = 0, wrong = 0, total = 0;
	for (size_t j = EC_SP_HALF; j + EC_SP_HALF <= n; j++) {
		ec_id g = ec_id_sub(&range[j].token, &range[j - 1].token);
		double len = id_double(&g);
		total += len;
		size_t lo = j - EC_SP_HALF > a ? j - EC_SP_HALF : a;
		size_t hi = j + EC_SP_HALF < a + keep ? j + EC_SP_HALF : a + keep; /* exclusive */
		size_t have = hi > lo ? hi - lo : 0;
		all10 += have == EC_SP_ENTRIES ? len : 0;
		pass8 += have >= EC_SP_MIN_AGREE ? len : 0;
		wrong += len * (double)(EC_SP_ENTRIES - have);
	}
	ce->e_all10 += n_chal * all10 / total;
	ce->e_pass8 += n_chal * pass8 / total;
	ce->e_wrong += n_chal * wrong / total;
}

static void
usage(void)
{
	fprintf(stderr, "usage: ec_bench_storage_proof [--nodes N] [--tokens T] [--challenges C] "
	                "[--seed S] [--w W]...\n");
	exit(2);
}

static bool
run(unsigned n_nodes, unsigned n_tokens, unsigned n_chal, uint64_t seed, unsigned w)
{
	uint8_t key[EC_RNG_SEED_BYTES];
	ec_rng_seed_from_u64(seed ^ ((uint64_t)w << 32), key);
	ec_rng r;
	ec_rng_init(&r, key);

	ec_id *node = malloc(n_nodes * sizeof *node);
	ec_sp_mapping *tok = malloc(n_tokens * sizeof *tok);
	ec_sp_mapping *range = malloc(n_tokens * sizeof *range);  /* range order */
	ec_sp_mapping *store = malloc(n_tokens * sizeof *store);  /* sorted */
	ec_sp_mapping *kept = malloc(n_tokens * sizeof *kept);
	ec_id *points = malloc(n_chal * sizeof *points);
	ec_sp_answer *honest = malloc(n_chal * sizeof *honest);
	bool ok = node && tok && range && store && kept && points && honest;
	if (!ok)
		goto out;
	for (unsigned i = 0; i < n_nodes; i++)
		node[i] = rand_id(&r);
	for (unsigned i = 0; i < n_tokens; i++) {
		tok[i].token = rand_id(&r);
		tok[i].block = rand_id(&r);
	}
	qsort(node, n_nodes, sizeof *node, cmp_id);
	qsort(tok, n_tokens, sizeof *tok, cmp_mapping);

	cell cells[NMODEL][NF];
	memset(cells, 0, sizeof cells);
	uint64_t skipped = 0, range_sum = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 0; i < n_nodes; i++) {
		/* the node's range [node[i-w], node[i+w]) in ring order */
		const ec_id *from = &node[(i + n_nodes - w % n_nodes) % n_nodes];
		const ec_id *to = &node[(i + w) % n_nodes];
		ec_id span = ec_id_sub(to, from);
		size_t s = lower_bound(tok, n_tokens, from), n = 0;
		for (size_t k = 0; k < n_tokens; k++) {
			const ec_sp_mapping *m = &tok[(s + k) % n_tokens];
			ec_id d = ec_id_sub(&m->token, from);
			if (ec_id_cmp(&d, &span) >= 0)
				break;
			range[n++] = *m;
		}
		range_sum += n;
		if (n < EC_SP_ENTRIES) {
			skipped++;
			continue;
		}
		memcpy(store, range, n * sizeof *store);
		qsort(store, n, sizeof *store, cmp_mapping);
		ec_sp_array full = {store, n};
		ec_sp_view fv = ec_sp_array_view(&full);

		/* challenge points in the inner range (range[4], range[n-5]] */
		ec_id lo = range[EC_SP_HALF - 1].token;
		ec_id width = ec_id_sub(&range[n - EC_SP_HALF].token, &lo);
		for (unsigned c = 0; c < n_chal; c++) {
			ec_sp_query q = {node[ec_rng_index(&r, n_nodes)], node[i], ec_rng_u64(&r), c};
			ec_id h;
			ec_sp_challenge(&q, &h);
			ec_id off = scale(&width, h.w[0]); /* < width: lo + off + 1 is inside */
			ec_id one = {{0, 0, 0, 1}};
			ec_id p = ec_id_add(&lo, &off);
			points[c] = ec_id_add(&p, &one);
			if (ec_sp_answer_build(&node[i], &points[c], &fv, &honest[c]) != EC_OK ||
			    honest[c].count != EC_SP_ENTRIES) {
				ok = false;
				goto out;
			}
		}

		ec_id center = node[i];
		size_t mid = 0; /* index in range order of the first token >= the node */
		while (mid < n) {
			ec_id d = ec_id_sub(&range[mid].token, from), e = ec_id_sub(&center, from);
			if (ec_id_cmp(&d, &e) >= 0)
				break;
			mid++;
		}
		for (unsigned model = 0; model < NMODEL; model++) {
			for (unsigned fi = 0; fi < NF; fi++) {
				uint64_t thr = fractions[fi] >= 1.0 ? UINT64_MAX
				                                    : (uint64_t)(fractions[fi] * 18446744073709551616.0);
				size_t kn = 0;
				if (model == 0) {
					for (size_t k = 0; k < n; k++)
						if (fractions[fi] >= 1.0 || ec_rng_u64(&r) < thr)
							kept[kn++] = store[k];
				} else {
					size_t keep = (size_t)llround(fractions[fi] * (double)n);
					size_t a = mid > keep / 2 ? mid - keep / 2 : 0;
					if (a + keep > n)
						a = n - keep;
					memcpy(kept, range + a, keep * sizeof *kept);
					kn = keep;
					qsort(kept, kn, sizeof *kept, cmp_mapping);
					expect_contiguous(&cells[model][fi], range, n, a, keep, n_chal);
				}
				ec_sp_array ka = {kept, kn};
				ec_sp_view kv = ec_sp_array_view(&ka);
				cell *ce = &cells[model][fi];
				for (unsigned c = 0; c < n_chal; c++) {
					ec_sp_answer ans[1 + WITNESSES];
					if (ec_sp_answer_build(&node[i], &points[c], &kv, &ans[0]) != EC_OK) {
						ok = false;
						goto out;
					}
					for (unsigned k = 1; k <= WITNESSES; k++) {
						ans[k] = honest[c];
						ans[k].responder = node[(i + k) % n_nodes];
					}
					ec_sp_verdict v[1 + WITNESSES];
					uint8_t agree[1 + WITNESSES];
					if (ec_sp_compare(ans, 1 + WITNESSES, &points[c], EC_SP_MIN_AGREE, v,
					                  agree) != EC_OK) {
						ok = false;
						goto out;
					}
					ce->challenges++;
					ce->all10 += ans[0].count == honest[c].count &&
					             memcmp(ans[0].entries, honest[c].entries,
					                    sizeof ans[0].entries) == 0;
					ce->pass8 += v[0] == EC_SP_PASS;
					ce->wrong += EC_SP_ENTRIES - agree[0];
				}
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);

	printf("# w=%u: %u nodes, %u tokens, mean %.1f tokens per node range, %llu nodes skipped "
	       "(< 10 tokens), %u challenges per node, %d honest witnesses, seed %llu\n",
	       w, n_nodes, n_tokens, (double)range_sum / n_nodes, (unsigned long long)skipped, n_chal,
	       WITNESSES, (unsigned long long)seed);
	printf("%-10s %5s %9s %9s %9s %9s %8s %8s %9s\n", "model", "f", "all10", "expect", "pass8",
	       "expect", "wrong", "expect", "n");
	for (unsigned model = 0; model < NMODEL; model++)
		for (unsigned fi = 0; fi < NF; fi++) {
			const cell *ce = &cells[model][fi];
			if (ce->challenges == 0)
				continue;
			double f = fractions[fi], nc = (double)ce->challenges;
			if (model == 0)
				printf("%-10s %5.2f %9.4f %9.4f %9.4f %9.4f %8.3f %8.3f %9llu\n",
				       model_names[model], f, (double)ce->all10 / nc, pow(f, 10),
				       (double)ce->pass8 / nc, binom_tail(f, EC_SP_ENTRIES - EC_SP_MIN_AGREE),
				       (double)ce->wrong / nc, 10 * (1 - f),
				       (unsigned long long)ce->challenges);
			else
				printf("%-10s %5.2f %9.4f %9.4f %9.4f %9.4f %8.3f %8.3f %9llu\n",
				       model_names[model], f, (double)ce->all10 / nc, ce->e_all10 / nc,
				       (double)ce->pass8 / nc, ce->e_pass8 / nc, (double)ce->wrong / nc,
				       ce->e_wrong / nc, (unsigned long long)ce->challenges);
		}
	printf("# %.2f s (%.0f ns per lazy answer built and compared)\n\n", secs,
	       1e9 * secs / (double)(cells[0][0].challenges * NMODEL * NF));
out:
	free(node);
	free(tok);
	free(range);
	free(store);
	free(kept);
	free(points);
	free(honest);
	if (!ok)
		fprintf(stderr, "ec_bench_storage_proof: out of memory or inconsistent answer\n");
	return ok;
}

int
main(int argc, char **argv)
{
	unsigned n_nodes = 2000, n_tokens = 20000, n_chal = 25, ws[8], nw = 0;
	uint64_t seed = 1;
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			usage();
		unsigned long long v = strtoull(argv[i + 1], NULL, 0);
		if (strcmp(argv[i], "--nodes") == 0 && v >= 2 && v <= 1000000)
			n_nodes = (unsigned)v;
		else if (strcmp(argv[i], "--tokens") == 0 && v >= 1 && v <= 10000000)
			n_tokens = (unsigned)v;
		else if (strcmp(argv[i], "--challenges") == 0 && v >= 1 && v <= 100000)
			n_chal = (unsigned)v;
		else if (strcmp(argv[i], "--seed") == 0)
			seed = v;
		else if (strcmp(argv[i], "--w") == 0 && v >= 1 && v <= 1000 && nw < 8)
			ws[nw++] = (unsigned)v;
		else
			usage();
	}
	if (nw == 0) {
		ws[nw++] = 4;
		ws[nw++] = 16;
	}
	for (unsigned k = 0; k < nw; k++)
		if (!run(n_nodes, n_tokens, n_chal, seed, ws[k]))
			return 1;
	return 0;
}
