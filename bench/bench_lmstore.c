/* SPDX-License-Identifier: MIT */
/*
 * bench_lmstore: what a tick's durable commit costs the node daemon
 * (src/lmstore).  For ticks of 0, 1, 10 and 100 writes (each write a
 * committed block of one part with a 9-vote certificate plus its token
 * mapping; 0: one read, which opens the transaction), the time of the
 * writes and of ecn_lmstore_commit (mdb_txn_commit with its fsyncs), with
 * the store's default durability, in a fresh directory under DIR (so on
 * DIR's disk), after a prefill of 10,000 mappings.  JSON on stdout.
 *
 * usage: ec_bench_lmstore [DIR [TICKS]]   (DIR default ".", TICKS per size
 *                                          default 200)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_clock.h"
#include "ec/wire.h"
#include "lmstore/lmstore.h"

#define PREFILL 10000u

static uint64_t
next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

typedef struct bench {
	ecn_lmstore *s;
	const ecp_store_ops *ops;
	uint64_t rng, time;
	ecp_block *b;
	ecp_cert *c;
} bench;

/* One committed block of one create part and its mapping. */
static int
write_one(bench *w)
{
	ecp_part *p = &w->b->parts[0];
	memset(p, 0, sizeof *p);
	for (int i = 0; i < 4; i++) {
		p->token.w[i] = next_rand(&w->rng);
		p->next_key.w[i] = next_rand(&w->rng);
	}
	w->b->time = ++w->time;
	ec_wire_block_id(w->b, &w->b->id);
	if (w->ops->xblock_put(w->s, w->b, w->c) != EC_OK ||
	    w->ops->xtoken_put(w->s, &p->token, &w->b->id, w->b->time) != EC_OK)
		return -1;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double
pct(const double *sorted, size_t n, double q)
{
	size_t i = (size_t)(q * (double)(n - 1) + 0.5);
	return sorted[i];
}

/* One tick of k writes and its commit; adds their times (us). */
static int
tick(bench *w, unsigned k, double *writes, double *commit)
{
	double t0 = now();
	ec_id blk;
	uint64_t when;
	if (k == 0)
		(void)w->ops->xtoken_get(w->s, &w->b->parts[0].token, &blk, &when);
	for (unsigned i = 0; i < k; i++)
		if (write_one(w))
			return -1;
	double t1 = now();
	if (ecn_lmstore_commit(w->s) != EC_OK)
		return -1;
	*commit = (now() - t1) * 1e6;
	*writes += (t1 - t0) * 1e6;
	ecn_lmstore_release(w->s);
	return 0;
}

/* Runs ticks ticks of k writes; prints one JSON object. */
static int
run_size(bench *w, unsigned k, unsigned ticks, bool last)
{
	double *commit = calloc(ticks, sizeof *commit), writes = 0;
	int rc = commit ? 0 : -1;
	for (unsigned t = 0; t < ticks && !rc; t++)
		rc = tick(w, k, &writes, &commit[t]);
	if (!rc) {
		qsort(commit, ticks, sizeof *commit, cmp_double);
		printf("    {\"writes\": %u, \"ticks\": %u, \"commit_us\": {\"p50\": %.1f, "
		       "\"p95\": %.1f, \"p99\": %.1f, \"max\": %.1f}, \"writes_us_mean\": %.1f}%s\n",
		       k, ticks, pct(commit, ticks, 0.5), pct(commit, ticks, 0.95),
		       pct(commit, ticks, 0.99), commit[ticks - 1], writes / ticks, last ? "" : ",");
	}
	free(commit);
	return rc;
}

static int
prefill(bench *w)
{
	for (unsigned i = 0; i < PREFILL; i++)
		if (write_one(w) || ((i + 1) % 1000 == 0 && ecn_lmstore_commit(w->s) != EC_OK))
			return -1;
	ecn_lmstore_release(w->s);
	return 0;
}

static void
cleanup(const char *dir)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/lock.mdb", dir);
	unlink(path);
	rmdir(dir);
}

static int
bench_all(bench *w, unsigned ticks, const char *dir)
{
	static const unsigned sizes[] = {0, 1, 10, 100};
	if (prefill(w))
		return -1;
	printf("{\n  \"bench\": \"lmstore_commit\",\n  \"dir\": \"%s\",\n  \"prefill\": %u,\n"
	       "  \"durability\": \"default (fsync per commit)\",\n  \"sizes\": [\n",
	       dir, PREFILL);
	for (size_t i = 0; i < 4; i++)
		if (run_size(w, sizes[i], ticks, i == 3))
			return -1;
	ecn_lmstore_stat st;
	if (ecn_lmstore_stats(w->s, &st) != EC_OK)
		return -1;
	printf("  ],\n  \"tokens\": %llu,\n  \"used_bytes\": %llu\n}\n",
	       (unsigned long long)st.tokens, (unsigned long long)st.used_bytes);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *base = argc > 1 ? argv[1] : ".";
	unsigned ticks = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 200;
	char dir[4000], err[256];
	snprintf(dir, sizeof dir, "%s/ec_bench_lmstore.XXXXXX", base);
	if (ticks == 0 || !mkdtemp(dir)) {
		fprintf(stderr, "usage: ec_bench_lmstore [DIR [TICKS]] (DIR must be writable)\n");
		return 2;
	}
	bench w = {.rng = 0x9E3779B97F4A7C15ull, .ops = ecn_lmstore_ops()};
	w.b = calloc(1, ecp_block_size(1));
	w.c = calloc(1, sizeof *w.c + 9 * sizeof w.c->v[0]);
	int rc = 1;
	if (w.b && w.c && ecn_lmstore_open(dir, 0, 0, &w.s, err, sizeof err) == EC_OK) {
		w.b->nparts = 1;
		w.c->n = 9;
		for (uint32_t i = 0; i < 9; i++)
			w.c->v[i] = (ecp_vote){.voter = i + 1, .stamp = 2, .role = 0, .value = 1};
		rc = bench_all(&w, ticks, dir) ? 1 : 0;
		if (rc)
			fprintf(stderr, "ec_bench_lmstore: %s: %s\n", ecn_lmstore_last_error(w.s)->op,
			        ecn_lmstore_last_error(w.s)->text);
	} else {
		fprintf(stderr, "ec_bench_lmstore: %s\n", err);
	}
	ecn_lmstore_close(w.s);
	cleanup(dir);
	free(w.b);
	free(w.c);
	return rc;
}
