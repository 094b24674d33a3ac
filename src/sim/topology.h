/* SPDX-License-Identifier: MIT */
/* Internal: topology draws for ec_sim (see topology.c). */
#ifndef EC_SIM_TOPOLOGY_H
#define EC_SIM_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>

#include "ec/rng.h"
#include "ecsim/sim.h"

/*
 * Draws every node's trusted peers in the reference's order.
 * ids:        node ids in generation order (distinct).
 * gen_to_idx: generation index -> node index (position in ascending id order).
 * rows:       n rows of `words` uint64_t, zeroed by the caller; on return bit j
 *             of row i is set iff node i trusts node j (never i itself).
 * progress:   its setup_progress hook hears of the draw; may be NULL.
 */
EC_WUR ec_err ec_topology_draw(ec_rng *rng, const ec_topology *topo, const uint64_t *ids,
                               uint32_t n, const uint32_t *gen_to_idx, uint64_t *rows,
                               size_t words, const ec_sim_hooks *progress);

/* Receives node i's (position in id order) trusted peers as node positions,
 * sorted ascending, distinct, never i.  Valid only during the call. */
typedef ec_err (*ec_topology_emit_fn)(void *user, uint32_t i, const uint32_t *peers, size_t n);

/*
 * Draws a bounded-degree topology over n nodes whose positions 0..n-1 are
 * their ranks in ring (id) order, in O(n * degree) time and O(degree)
 * scratch.  Nodes draw in position order from rng.  progress: its
 * setup_progress hook hears of the draw; may be NULL.
 */
EC_WUR ec_err ec_topology_draw_bounded(ec_rng *rng, const ec_topology *topo, uint32_t n,
                                       ec_topology_emit_fn emit, void *user,
                                       const ec_sim_hooks *progress);

#endif
