/* SPDX-License-Identifier: MIT */
/*
 * Bounded-degree topologies: every node draws exactly min(degree, n - 1)
 * distinct peers (never itself), the ring-local kinds include the nearest
 * ring neighbours, draws are deterministic for a seed and differ between
 * seeds, and the degree statistics reported after set-up match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/sim.h"

static ec_sim *
make(ec_topology_kind kind, uint32_t nodes, uint32_t degree, uint64_t seed)
{
	ec_sim_config cfg;
	ec_sim_config_default(&cfg);
	cfg.nodes = nodes;
	cfg.rounds = 10;
	cfg.topology = (ec_topology){kind, 0.1, 0.7, degree};
	ec_rng_seed_from_u64(seed, cfg.seed);
	ec_sim *sim = NULL;
	assert_int_equal(ec_sim_new(&cfg, &sim), EC_OK);
	return sim;
}

static const ec_topology_kind kinds[] = {EC_TOPO_CAPPED_GRADIENT, EC_TOPO_SMALL_WORLD,
                                         EC_TOPO_CORE_TAIL, EC_TOPO_RANDOM_REGULAR};

static void
test_exact_degree(void **state)
{
	(void)state;
	const uint32_t sizes[] = {2, 3, 17, 65, 1000};
	for (size_t k = 0; k < 4; k++)
		for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
			uint32_t n = sizes[s], deg = 16;
			ec_sim *sim = make(kinds[k], n, deg, 5);
			uint32_t want = deg < n - 1 ? deg : n - 1;
			ec_sim_result r;
			assert_int_equal(ec_sim_result_get(sim, &r), EC_OK);
			for (uint32_t i = 0; i < n; i++)
				assert_int_equal(ec_sim_degree(sim, i), want);
			assert_int_equal(r.degree_min, want);
			assert_int_equal(r.degree_max, want);
			ec_sim_free(sim);
		}
}

static void
run_result(ec_topology_kind kind, uint32_t n, uint32_t degree, uint64_t seed, ec_sim_result *r)
{
	ec_sim *sim = make(kind, n, degree, seed);
	assert_int_equal(ec_sim_run(sim), EC_OK);
	assert_int_equal(ec_sim_result_get(sim, r), EC_OK);
	ec_sim_free(sim);
}

static void
test_deterministic(void **state)
{
	(void)state;
	for (size_t k = 0; k < 4; k++) {
		ec_sim_result ra, rb;
		run_result(kinds[k], 500, 24, 9, &ra);
		run_result(kinds[k], 500, 24, 9, &rb);
		assert_int_equal(ra.messages, rb.messages);
		assert_int_equal(ra.committed, rb.committed);
		assert_memory_equal(ra.by_type, rb.by_type, sizeof ra.by_type);
	}
}

/* A different seed must give a different graph for the random kinds: the
 * runs' message counts differ. */
static void
test_seed_matters(void **state)
{
	(void)state;
	for (size_t k = 0; k < 4; k++) {
		ec_sim_result ra, rb;
		run_result(kinds[k], 400, 12, 1, &ra);
		run_result(kinds[k], 400, 12, 2, &rb);
		assert_true(ra.messages != rb.messages || ra.bytes != rb.bytes);
	}
}

/* Without messages the only peers are the drawn ones; the 10-round run
 * adds peers only through votes, so compare right after set-up. */
static void
test_degree_stats_dense(void **state)
{
	(void)state;
	ec_sim_config cfg;
	ec_sim_config_default(&cfg);
	cfg.nodes = 300;
	cfg.rounds = 1;
	ec_sim *sim = NULL;
	assert_int_equal(ec_sim_new(&cfg, &sim), EC_OK);
	ec_sim_result r;
	assert_int_equal(ec_sim_result_get(sim, &r), EC_OK);
	uint64_t mn = UINT64_MAX, mx = 0, sum = 0;
	for (uint32_t k = 0; k < 300; k++) {
		uint64_t d = ec_sim_degree(sim, k);
		mn = d < mn ? d : mn;
		mx = d > mx ? d : mx;
		sum += d;
	}
	assert_int_equal(r.degree_min, mn);
	assert_int_equal(r.degree_max, mx);
	assert_true(r.degree_avg * 300 > (double)sum - 0.5 && r.degree_avg * 300 < (double)sum + 0.5);
	ec_sim_free(sim);
}

static void
test_config_errors(void **state)
{
	(void)state;
	ec_sim_config cfg;
	ec_sim_config_default(&cfg);
	cfg.topology = (ec_topology){EC_TOPO_SMALL_WORLD, 0, 0, 0};
	assert_non_null(ec_sim_config_check(&cfg));
	cfg.topology = (ec_topology){EC_TOPO_CAPPED_GRADIENT, 0.8, 0.2, 8};
	assert_non_null(ec_sim_config_check(&cfg));
	cfg.topology = (ec_topology){EC_TOPO_CAPPED_GRADIENT, 0.2, 0.8, 8};
	assert_null(ec_sim_config_check(&cfg));
	cfg.threads = EC_SIM_MAX_THREADS + 1;
	assert_non_null(ec_sim_config_check(&cfg));
	cfg.threads = EC_SIM_MAX_THREADS;
	assert_null(ec_sim_config_check(&cfg));
	cfg.warmup = cfg.rounds;
	assert_non_null(ec_sim_config_check(&cfg));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_degree),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_seed_matters),
		cmocka_unit_test(test_degree_stats_dense),
		cmocka_unit_test(test_config_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
