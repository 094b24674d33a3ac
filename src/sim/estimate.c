/* SPDX-License-Identifier: MIT */
/*
 * ec_sim_estimate (ec/sim.h): the memory a run will need, from its
 * configuration alone, so that a run too big for the machine is refused in
 * a millisecond instead of failing (or swapping) after minutes of set-up.
 * The terms follow ec_sim_new's allocations; the constants were calibrated
 * against measured peak RSS (ecsim --resources) of seed and ec runs from
 * 100 to 100,000 nodes, dense and bounded.
 */
#include "ecsim/sim.h"

#include "ecsim/memstore.h"

/* Fixed cost: the process and its libraries, and the few huge-page
 * mappings (2 MiB each once touched) every run makes. */
#define BASE_BYTES ((uint64_t)16 << 20)
/* Per worker thread: its stores' first tables, item chunks and slabs. */
#define THREAD_BYTES ((uint64_t)2 << 20)
/* A token's record in the simulator (id, block, key, previous spend). */
#define TOKEN_BYTES 40u
/* Bytes per peer in a node's sorted peer list. */
#define PEER_BYTES 8u
/* Per node, for what the run adds: blocks and tokens in its store, pool
 * entries, its share of the message queue.  Rough by nature: calibrated on
 * the ec protocol under load and on the seed protocol's published run. */
#define RUN_ALLOWANCE_BYTES 1024u

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t
sat_mul(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* The simulator's own arrays, per node: ids, generation map, store views,
 * due rounds, message heads, the peer scratch list, the set-up copy of the
 * ids, and the active / ready / refused bitmaps (rounded up to a byte). */
static uint64_t
sim_arrays_per_node(void)
{
	return sizeof(uint64_t) + sizeof(uint32_t) + sizeof(ec_memstore_view) + sizeof(uint64_t) +
	       sizeof(uint32_t) + sizeof(uint64_t) + sizeof(uint64_t) + 1u;
}

/* The node-id hash table: a power of two of at least 2n 4-byte slots. */
static uint64_t
index_bytes(uint64_t n)
{
	uint64_t slots = 16;
	while (slots < 2 * n)
		slots *= 2;
	return slots * sizeof(uint32_t);
}

/* A dense topology's bitmap (a row of 64-bit words per node) and the draw's
 * scratch arrays (accept flags, random words, sampled indexes); a bounded
 * one's peer lists. */
static uint64_t
topology_bytes(const ec_topology *t, uint64_t n)
{
	if (ec_topology_bounded(t->kind)) {
		uint64_t degree = t->degree < n - 1 ? t->degree : n - 1;
		return sat_mul(sat_mul(n, degree), PEER_BYTES);
	}
	uint64_t bitmap = sat_mul(sat_mul(n, (n + 63) / 64), sizeof(uint64_t));
	return sat_add(bitmap, n * (1u + sizeof(uint64_t) + 2 * sizeof(uint32_t)));
}

static uint64_t
token_count(const ec_sim_config *cfg)
{
	return cfg->tokens_per_node ? sat_mul(cfg->tokens_per_node, cfg->nodes) : cfg->initial_tokens;
}

/* An open network's slots: its nodes and, on average, the new nodes that
 * replace departures (open.c draws the exact number); and what a slot adds:
 * its identity claim, its state, its places in the live arrays. */
#define OPEN_SLOT_BYTES 160u

static uint64_t
slots(const ec_sim_config *cfg)
{
	if (!ec_sim_config_open(cfg))
		return cfg->nodes;
	double replaced = cfg->rejoin_after ? cfg->leave_graceful : 1.0;
	double more = cfg->churn / 100.0 * (double)cfg->nodes * (double)cfg->rounds * replaced;
	/* a run of more than 2^32 slots is refused at set-up */
	return more < (double)UINT32_MAX ? sat_add(cfg->nodes, (uint64_t)more) : UINT32_MAX;
}

ec_err
ec_sim_estimate(const ec_sim_config *cfg, uint64_t *bytes)
{
	if (!cfg || !bytes || ec_sim_config_check(cfg))
		return EC_EINVAL;
	const uint64_t n = slots(cfg);
	const uint64_t threads = cfg->threads > 1 ? cfg->threads : 1;
	uint64_t per_node = cfg->protocol->node_size + sim_arrays_per_node() + RUN_ALLOWANCE_BYTES +
	                    (ec_sim_config_open(cfg) ? OPEN_SLOT_BYTES : 0);
	uint64_t total = sat_add(BASE_BYTES, sat_mul(threads, THREAD_BYTES));
	total = sat_add(total, sat_mul(n, per_node));
	total = sat_add(total, index_bytes(n));
	total = sat_add(total, topology_bytes(&cfg->topology, n));
	total = sat_add(total, sat_mul(token_count(cfg), TOKEN_BYTES));
	*bytes = total;
	return EC_OK;
}
