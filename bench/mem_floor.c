/* SPDX-License-Identifier: MIT */
/*
 * What this machine's memory allows a simulated message to cost, whatever
 * the code: a working set the size of the 1M-node run (2.4 GiB by default,
 * on transparent huge pages, every page touched before timing) and a stream
 * of messages, each of which updates L cache lines at random places in it.
 * Two shapes:
 *   independent  every line's address is known in advance (a precomputed
 *                stream), so software prefetching can keep as many misses
 *                in flight as the core allows: the best case;
 *   chained      each line holds the address of the next (node state ->
 *                pool entry -> what the entry points to), so a message's
 *                lines are prefetched in stages, one stage per line, the
 *                way the simulator does it.
 * Each point is the best of REPEAT runs over prefetch distances 8..64, and
 * reports nanoseconds per message, million messages per second and million
 * lines per second on one core.  The computation per message is one load
 * and one store per line: anything real costs more.
 * usage: ec_bench_mem_floor [--mib N] [--messages N] [--repeat N]
 */
#define _DEFAULT_SOURCE 1 /* MAP_ANONYMOUS, MADV_HUGEPAGE */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench_clock.h"
#include "ec/rng.h"

enum { LINE = 64, MAXL = 8 };

static volatile uint64_t checksum;

/* Independent: addr[i * L + l] is the line index of message i's l-th line. */
static double
run_independent(uint64_t *mem, const uint32_t *addr, size_t m, unsigned L, size_t d,
                uint64_t *sink)
{
	uint64_t acc = 0;
	double t0 = now();
	for (size_t i = 0; i < m; i++) {
		if (i + d < m)
			for (unsigned l = 0; l < L; l++)
				__builtin_prefetch(mem + (size_t)addr[(i + d) * L + l] * (LINE / 8), 1);
		for (unsigned l = 0; l < L; l++) {
			uint64_t *p = mem + (size_t)addr[i * L + l] * (LINE / 8);
			acc += p[1];
			p[1] = acc;
		}
	}
	double t = now() - t0;
	*sink += acc;
	return t;
}

/* Chained: word 0 of every line holds the index of the next line of its
 * chain, so only the first line of a message (the receiver's state) is
 * known from the stream.  Stage s (s = 0..L-1) of message i + d - s*d/L
 * prefetches line s of that message, reading line s-1 (fetched by the
 * previous stage) for its address. */
static double
run_chained(uint64_t *mem, const uint32_t *first, size_t m, unsigned L, size_t d,
            uint64_t *sink)
{
	uint64_t acc = 0;
	size_t step = d / L ? d / L : 1;
	double t0 = now();
	for (size_t i = 0; i < m; i++) {
		for (unsigned s = 0; s < L; s++) {
			size_t j = i + d - s * step;
			if (j <= i || j >= m)
				continue;
			uint64_t line = first[j];
			for (unsigned k = 0; k < s; k++)
				line = mem[line * (LINE / 8)];
			__builtin_prefetch(mem + line * (LINE / 8), 1);
		}
		uint64_t line = first[i];
		for (unsigned l = 0; l < L; l++) {
			uint64_t *p = mem + line * (LINE / 8);
			acc += p[1];
			p[1] = acc;
			line = p[0];
		}
	}
	double t = now() - t0;
	*sink += acc;
	return t;
}

static int
usage(void)
{
	fprintf(stderr, "usage: ec_bench_mem_floor [--mib N >= 64] [--messages N >= 100000] "
	                "[--repeat N >= 1]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	size_t mib = 2400, m = 4000000, repeat = 3;
	for (int i = 1; i < argc; i += 2) { /* options come in NAME VALUE pairs */
		char *end = NULL;
		if (i + 1 >= argc)
			return usage();
		unsigned long long v = strtoull(argv[i + 1], &end, 10);
		if (!end || *end || argv[i + 1][0] == '-')
			return usage();
		if (strcmp(argv[i], "--mib") == 0 && v >= 64 && v <= (1ull << 20))
			mib = (size_t)v;
		else if (strcmp(argv[i], "--messages") == 0 && v >= 100000 && v <= 100000000)
			m = (size_t)v;
		else if (strcmp(argv[i], "--repeat") == 0 && v >= 1 && v <= 100)
			repeat = (size_t)v;
		else
			return usage();
	}
	size_t bytes = mib << 20, nlines = bytes / LINE;
	if (nlines > UINT32_MAX) {
		fprintf(stderr, "ec_bench_mem_floor: at most %u lines\n", UINT32_MAX);
		return 2;
	}
	uint64_t *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t *addr = malloc(m * MAXL * sizeof *addr);
	if (mem == MAP_FAILED || !addr) {
		fprintf(stderr, "ec_bench_mem_floor: out of memory\n");
		return 1;
	}
#ifdef MADV_HUGEPAGE
	(void)madvise(mem, bytes, MADV_HUGEPAGE);
#endif
	/* every line points to a random other line: the chains */
	ec_rng rng;
	uint8_t seed[EC_RNG_SEED_BYTES];
	ec_rng_seed_from_u64(20261207, seed);
	ec_rng_init(&rng, seed);
	for (size_t k = 0; k < nlines; k++) {
		mem[k * (LINE / 8)] = ec_rng_index(&rng, nlines);
		mem[k * (LINE / 8) + 1] = k;
	}
	for (size_t k = 0; k < m * MAXL; k++)
		addr[k] = (uint32_t)ec_rng_index(&rng, nlines);

	printf("working set %zu MiB on huge pages (as the kernel grants them), %zu messages a run, "
	       "best of %zu runs and of prefetch distances 8..64\n",
	       mib, m, repeat);
	printf("%-12s %5s %9s %10s %11s %9s\n", "shape", "lines", "distance", "ns/message",
	       "M msgs/s", "M lines/s");
	static const size_t dists[] = {8, 16, 32, 64};
	uint64_t sink = 0;
	for (int chained = 0; chained < 2; chained++) {
		for (unsigned L = 1; L <= MAXL; L++) {
			if (chained && L == 1)
				continue; /* the same as independent */
			double best = 0;
			size_t bestd = 0;
			for (size_t di = 0; di < sizeof dists / sizeof *dists; di++)
				for (size_t r = 0; r < repeat; r++) {
					double t = chained
					               ? run_chained(mem, addr, m, L, dists[di], &sink)
					               : run_independent(mem, addr, m, L, dists[di], &sink);
					if (best == 0 || t < best) {
						best = t;
						bestd = dists[di];
					}
				}
			printf("%-12s %5u %9zu %10.1f %11.2f %9.1f\n",
			       chained ? "chained" : "independent", L, bestd, best / (double)m * 1e9,
			       (double)m / best / 1e6, (double)m * L / best / 1e6);
			fflush(stdout);
		}
	}
	checksum = sink; /* keeps the loads */
	munmap(mem, bytes);
	free(addr);
	return 0;
}
