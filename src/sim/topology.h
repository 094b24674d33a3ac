/* SPDX-License-Identifier: MIT */
/* Internal: topology draws for ec_sim (see topology.c). */
#ifndef EC_SIM_TOPOLOGY_H
#define EC_SIM_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>

#include "ec/rng.h"
#include "ec/sim.h"

/* Receives node k's (generation index) trusted peers, sorted ascending,
 * distinct, self excluded.  The list is valid only during the call. */
typedef ec_err (*ec_topology_emit_fn)(void *user, uint32_t k, const uint64_t *sorted, size_t n);

/* Draws every node's peers.  ids: node ids in generation order (distinct);
 * by_id: generation indices in ascending id order. */
EC_WUR ec_err ec_topology_draw(ec_rng *rng, const ec_topology *topo, const uint64_t *ids,
                               uint32_t n, const uint32_t *by_id, ec_topology_emit_fn emit,
                               void *user);

#endif
