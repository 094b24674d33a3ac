/* SPDX-License-Identifier: MIT */
/* The simulator's configuration: the published defaults and the checks a
 * configuration must pass before a run is built. */
#include <math.h>
#include <string.h>

#include "ec/adversary.h"
#include "ecsim/sim.h"

const uint8_t ec_published_seed[EC_RNG_SEED_BYTES] = {
	184, 96, 199, 42, 250, 200, 180, 30, 170, 143, 225, 146, 186, 227, 135, 167,
	78, 76, 49, 212, 146, 192, 201, 198, 194, 87, 55, 228, 251, 191, 13, 95};

void
ec_sim_config_default(ec_sim_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->nodes = 2000;
	cfg->rounds = 2000;
	memcpy(cfg->seed, ec_published_seed, sizeof cfg->seed);
	cfg->delay = 0.5;
	cfg->loss = 0.02;
	cfg->topology = (ec_topology){EC_TOPO_RING_GRADIENT, 0.1, 0.7, 0};
	cfg->initial_tokens = 1;
	cfg->block_min = 1;
	cfg->block_max = 3;
	cfg->max_queue = 1u << 24; /* 16 M messages: about 2 GiB of queue */
	cfg->join_rate = 20;
	cfg->bootstrap_peers = 4;
	cfg->byzantine.share = 0.1;
	cfg->byzantine.delay = 5;
	cfg->byzantine.censor_after = 100;
	cfg->byzantine.cheat_keep = 0.5;
	cfg->byzantine.cluster = 3;
	cfg->protocol = ec_protocol_find("seed");
}

static bool
is_fraction(double x)
{
	return x >= 0.0 && x <= 1.0; /* false for NaN */
}

bool
ec_sim_config_open(const ec_sim_config *cfg)
{
	return (cfg->start_nodes && cfg->start_nodes < cfg->nodes) || cfg->churn > 0;
}

/* The checks of the Byzantine nodes' settings (docs/byzantine.md). */
static const char *
check_byzantine(const ec_sim_config *cfg)
{
	const ec_byzantine_config *b = &cfg->byzantine;
	bool some = b->count > 0 || b->fraction > 0;
	if (!(b->fraction >= 0 && b->fraction < 1))
		return "the Byzantine share must be a fraction in [0, 1)";
	if (b->behaviours & ~(uint32_t)EC_BHV_ALL)
		return "unknown Byzantine behaviour";
	if (some && !b->behaviours)
		return "Byzantine nodes need a behaviour";
	if (!b->behaviours)
		return NULL;
	if (!cfg->protocol || !cfg->protocol->adversary)
		return "Byzantine nodes need a protocol that can run them (--protocol ec)";
	uint64_t n = b->count ? b->count : (uint64_t)(b->fraction * cfg->nodes + 0.5);
	if (n >= cfg->nodes)
		return "at least one node must stay honest";
	if ((unsigned)b->placement > EC_PLACE_CLUSTER)
		return "unknown Byzantine placement";
	if (b->placement == EC_PLACE_CLUSTER && b->cluster < 1)
		return "a cluster placement needs at least 1 node per cluster";
	if (!(b->share >= 0 && b->share <= 1))
		return "the share of target tokens must be a fraction in [0, 1]";
	if (b->censor_after < 1)
		return "the censorship deadline must be at least 1 round";
	if ((b->behaviours & EC_BHV_SYBIL) && b->placement != EC_PLACE_TARGET)
		return "sybil is the target placement's behaviour";
	if ((b->behaviours & EC_BHV_ECLIPSE) && !ec_sim_config_open(cfg))
		return "eclipse needs an open network (it captures joins and lookups): "
		       "--start-nodes or --churn";
	if ((b->behaviours & EC_BHV_STORAGE_CHEAT) && !ec_sim_config_open(cfg))
		return "storage-cheat needs an open network (storage audits run there): "
		       "--start-nodes or --churn";
	if (!(b->cheat_keep >= 0 && b->cheat_keep <= 1))
		return "the share of mappings a storage cheat keeps must be a fraction in [0, 1]";
	return NULL;
}

/* The checks of an open network's settings (docs/open-network.md). */
static const char *
check_open(const ec_sim_config *cfg)
{
	if (cfg->start_nodes && (cfg->start_nodes < 2 || cfg->start_nodes > cfg->nodes))
		return "the start nodes must be at least 2 and at most the nodes";
	if (!is_fraction(cfg->churn))
		return "the churn must be a fraction in [0, 1] (of the live nodes, per 100 rounds)";
	if (!is_fraction(cfg->lazy_storage))
		return "the lazy-storage share must be a fraction in [0, 1]";
	if (!is_fraction(cfg->leave_graceful))
		return "the graceful share of departures must be a fraction in [0, 1]";
	if (!ec_sim_config_open(cfg))
		return NULL;
	if (!cfg->protocol->open)
		return "an open network (start nodes below nodes, or churn) needs a protocol with "
		       "open-network calls";
	if (!ec_topology_bounded(cfg->topology.kind))
		return "an open network needs a bounded-degree topology (capped-gradient, "
		       "small-world, core-tail or random-regular)";
	if (cfg->bad_identity_rate > 0)
		return "bad identities are not simulated in open networks yet";
	if (cfg->join_rate < 1)
		return "the join rate must be at least 1 node per round";
	if (cfg->bootstrap_peers < 1)
		return "a joining node needs at least 1 bootstrap peer";
	return NULL;
}

const char *
ec_sim_config_check(const ec_sim_config *cfg)
{
	if (cfg->nodes < 2)
		return "the network needs at least 2 nodes";
	if (!is_fraction(cfg->delay))
		return "the delay must be a fraction in [0, 1]";
	if (!is_fraction(cfg->loss))
		return "the loss must be a fraction in [0, 1]";
	if (cfg->block_min < 1 || cfg->block_min > cfg->block_max)
		return "the block size range must satisfy 1 <= min <= max";
	if (!cfg->protocol)
		return "no protocol selected";
	const char *byz = check_byzantine(cfg);
	if (byz)
		return byz;
	const char *open = check_open(cfg);
	if (open)
		return open;
	if (cfg->block_max > cfg->protocol->max_block_tokens)
		return cfg->protocol->max_block_tokens == EC_TOKENS_PER_BLOCK - 1
		           ? "a block holds at most 5 tokens (block size max must be <= 5)"
		           : "block size max exceeds what the protocol accepts (256)";
	if (!is_fraction(cfg->conflict_rate))
		return "the conflict rate must be a fraction in [0, 1]";
	if (!is_fraction(cfg->forge_rate))
		return "the forge rate must be a fraction in [0, 1]";
	if (!is_fraction(cfg->destroy_rate))
		return "the destroy rate must be a fraction in [0, 1]";
	if (!cfg->protocol->workload &&
	    (cfg->forge_rate > 0 || cfg->destroy_rate > 0 || cfg->witness_tokens || cfg->signatures))
		return "signatures, forgeries, destroys and witness tokens need --protocol ec";
	if (cfg->identity_bits > 24)
		return "identity difficulty above 24 bits is too slow for a simulation";
	if (!is_fraction(cfg->bad_identity_rate))
		return "the bad identity rate must be a fraction in [0, 1]";
	if ((cfg->identity_bits || cfg->bad_identity_rate > 0) &&
	    !ec_topology_bounded(cfg->topology.kind))
		return "identities need a bounded-degree topology";
	if (cfg->bad_identity_rate > 0 && !cfg->identity_bits)
		return "bad identities need --identity-bits";
	if (cfg->witness_tokens > 16)
		return "at most 16 witness tokens per block";
	if (cfg->block_max + cfg->witness_tokens > cfg->protocol->max_block_tokens)
		return "block size max plus witness tokens exceeds what the protocol accepts (256)";
	if (cfg->neighbourhood > 64)
		return "the neighbourhood width must be at most 64";
	if ((unsigned)cfg->safety_check > EC_SAFETY_OFF)
		return "unknown safety check mode";
	if (cfg->threads > EC_SIM_MAX_THREADS)
		return "at most 64 threads";
	if (cfg->tokens_per_node && cfg->tokens_per_node > (1ull << 32) / cfg->nodes)
		return "tokens per node times nodes must stay below 2^32";
	if (cfg->warmup >= cfg->rounds && cfg->rounds > 0)
		return "the warm-up must be shorter than the run";
	if (!(cfg->tx_per_node >= 0) || cfg->tx_per_node > 1e6)
		return "the transactions per node per round must be a number in [0, 1e6]";
	if (cfg->tx_per_node > 0 && cfg->tx_rate)
		return "give the transaction rate either per round or per node, not both";
	if (cfg->drain && /* written so that no sum of option values can wrap */
	    (cfg->warmup >= cfg->rounds || cfg->drain >= cfg->rounds - cfg->warmup))
		return "the warm-up and the drain must leave rounds that create blocks";
	switch (cfg->topology.kind) {
	case EC_TOPO_RANDOM:
		if (!is_fraction(cfg->topology.a))
			return "random topology connectivity must be in [0, 1]";
		break;
	case EC_TOPO_RING_GRADIENT:
		if (!is_fraction(cfg->topology.a) || !is_fraction(cfg->topology.b))
			return "ring-gradient probabilities must be in [0, 1]";
		if (cfg->topology.a > cfg->topology.b)
			return "ring-gradient needs min <= max";
		break;
	case EC_TOPO_RING_GAUSSIAN:
		if (!(cfg->topology.a > 0.0) || !isfinite(cfg->topology.a))
			return "ring-gaussian sigma must be a positive number";
		break;
	case EC_TOPO_CAPPED_GRADIENT:
		if (!is_fraction(cfg->topology.a) || !is_fraction(cfg->topology.b) ||
		    cfg->topology.a > cfg->topology.b || cfg->topology.b == 0.0)
			return "capped-gradient needs 0 <= far <= near <= 1 and near > 0";
		__attribute__((fallthrough));
	case EC_TOPO_SMALL_WORLD:
	case EC_TOPO_CORE_TAIL:
	case EC_TOPO_RANDOM_REGULAR:
		if (cfg->topology.degree < 1)
			return "a bounded-degree topology needs --degree of at least 1";
		break;
	default:
		return "unknown topology";
	}
	return NULL;
}
