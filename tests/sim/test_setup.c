/* SPDX-License-Identifier: MIT */
/*
 * What a run needs before it starts: ec_sim_estimate (refuses bad input,
 * grows with nodes, degree and tokens, counts a dense network's bitmap,
 * never wraps) and the set-up progress hook (every step reported, counts
 * within their totals, the topology draw reported as it goes, and the run
 * unchanged by listening).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec/ecp.h"
#include "ecsim/sim.h"

static void
config(ec_sim_config *cfg, ec_topology_kind kind, uint32_t nodes, uint32_t degree)
{
	ec_sim_config_default(cfg);
	cfg->nodes = nodes;
	cfg->rounds = 20;
	cfg->topology = (ec_topology){kind, 0.1, 0.7, degree};
}

static uint64_t
estimate(const ec_sim_config *cfg)
{
	uint64_t bytes = 0;
	assert_int_equal(ec_sim_estimate(cfg, &bytes), EC_OK);
	return bytes;
}

static void
test_estimate_errors(void **state)
{
	(void)state;
	ec_sim_config cfg;
	uint64_t bytes = 7;
	config(&cfg, EC_TOPO_SMALL_WORLD, 100, 8);
	assert_int_equal(ec_sim_estimate(NULL, &bytes), EC_EINVAL);
	assert_int_equal(ec_sim_estimate(&cfg, NULL), EC_EINVAL);
	cfg.nodes = 1; /* fails ec_sim_config_check */
	assert_int_equal(ec_sim_estimate(&cfg, &bytes), EC_EINVAL);
	assert_int_equal(bytes, 7);
}

static void
test_estimate_grows(void **state)
{
	(void)state;
	ec_sim_config a, b;
	config(&a, EC_TOPO_SMALL_WORLD, 10000, 8);
	config(&b, EC_TOPO_SMALL_WORLD, 20000, 8);
	assert_true(estimate(&b) > estimate(&a));
	b = a;
	b.topology.degree = 64; /* 56 more peers of 8 bytes per node */
	assert_true(estimate(&b) >= estimate(&a) + 10000ull * 56 * 8);
	b = a;
	b.tokens_per_node = 10;
	assert_true(estimate(&b) > estimate(&a));
	b = a;
	b.protocol = &ec_protocol_ec; /* larger node states */
	assert_true(estimate(&b) > estimate(&a));
	/* a degree above the network is what the draw gives: n - 1 */
	config(&a, EC_TOPO_RANDOM_REGULAR, 50, 49);
	config(&b, EC_TOPO_RANDOM_REGULAR, 50, 5000);
	assert_int_equal(estimate(&a), estimate(&b));
}

static void
test_estimate_dense(void **state)
{
	(void)state;
	ec_sim_config cfg;
	config(&cfg, EC_TOPO_RING_GRADIENT, 100000, 0);
	uint64_t bitmap = 100000ull * ((100000 + 63) / 64) * 8;
	assert_true(estimate(&cfg) > bitmap);
	assert_true(estimate(&cfg) < 2 * bitmap);
	/* the largest network: far beyond any machine, and no wrap-around */
	cfg.nodes = UINT32_MAX;
	assert_true(estimate(&cfg) > (uint64_t)1 << 61);
	config(&cfg, EC_TOPO_SMALL_WORLD, UINT32_MAX, 65536);
	cfg.tokens_per_node = 1;
	assert_true(estimate(&cfg) > (uint64_t)UINT32_MAX * 65536 * 8);
}

/* The published configuration is estimated within a factor of 2 of its
 * measured peak (32 MiB, ecsim --resources, release build). */
static void
test_estimate_published(void **state)
{
	(void)state;
	ec_sim_config cfg;
	ec_sim_config_default(&cfg);
	uint64_t e = estimate(&cfg);
	assert_true(e >= (16u << 20) && e <= (64u << 20));
}

typedef struct heard {
	size_t calls, steps, topology;
	uint64_t last_done;
	const char *phase;
	bool bad;
} heard;

static void
on_setup(void *user, const char *phase, uint64_t done, uint64_t total)
{
	heard *h = user;
	h->calls++;
	if (!phase || done > total)
		h->bad = true;
	if (!h->phase || strcmp(h->phase, phase) != 0)
		h->steps++;
	else if (done < h->last_done)
		h->bad = true; /* counts only go up within a step */
	if (strstr(phase, "topology"))
		h->topology++;
	h->phase = phase;
	h->last_done = done;
}

static void
run(ec_sim_config *cfg, ec_sim_result *r)
{
	ec_sim *sim = NULL;
	assert_int_equal(ec_sim_new(cfg, &sim), EC_OK);
	assert_int_equal(ec_sim_run(sim), EC_OK);
	assert_int_equal(ec_sim_result_get(sim, r), EC_OK);
	ec_sim_free(sim);
}

static void
test_setup_progress(void **state)
{
	(void)state;
	ec_sim_config cfg;
	ec_sim_result quiet, loud;
	/* dense: the draw reports every 256 rows */
	config(&cfg, EC_TOPO_RING_GRADIENT, 600, 0);
	run(&cfg, &quiet);
	heard h = {0};
	cfg.hooks = (ec_sim_hooks){.user = &h, .setup_progress = on_setup};
	run(&cfg, &loud);
	assert_false(h.bad);
	assert_true(h.steps >= 4);
	assert_int_equal(h.topology, 3); /* rows 0, 256 and 512 */
	assert_int_equal(quiet.messages, loud.messages);
	assert_int_equal(quiet.committed, loud.committed);
	assert_int_equal(quiet.bytes, loud.bytes);
	assert_int_equal(quiet.lost, loud.lost);
	assert_int_equal(quiet.degree_min, loud.degree_min);
	assert_int_equal(quiet.degree_max, loud.degree_max);
	/* bounded: every 65536 nodes */
	config(&cfg, EC_TOPO_RANDOM_REGULAR, 70000, 2);
	cfg.rounds = 1;
	memset(&h, 0, sizeof h);
	cfg.hooks = (ec_sim_hooks){.user = &h, .setup_progress = on_setup};
	run(&cfg, &loud);
	assert_false(h.bad);
	assert_int_equal(h.topology, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_estimate_errors),
		cmocka_unit_test(test_estimate_grows),
		cmocka_unit_test(test_estimate_dense),
		cmocka_unit_test(test_estimate_published),
		cmocka_unit_test(test_setup_progress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
