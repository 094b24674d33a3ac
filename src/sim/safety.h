/* SPDX-License-Identifier: MIT */
/*
 * Internal: the safety check (safety.c).  Every round, no two conflicting
 * blocks (two blocks that spend one token from one parent) may have
 * committed anywhere among the live nodes.  The check sees every node
 * commit the workers log (ecsim__process_commits); at the first counted
 * commit of a block it files each (token, parent) the block spends under
 * the block, and a key already filed under another block is a violation.
 * A block's later commits only update its count and its list of first
 * committers (for the report), so the work is a few hash probes per
 * committed block plus a few instructions per node commit.
 *
 * Exact views: a protocol claims safety (ec_protocol.claims_safety) when
 * every node's view of its neighbourhood is exact, so by default the check
 * runs only where the network gives that: every node has its w+1 nearest
 * nodes on each side of the ring among its peers (w: cfg.neighbourhood;
 * with w+1 below and w above, a node tells exactly whether it is a member
 * of any token's window).  EC_SAFETY_ON checks any network.
 *
 * Live nodes: a commit counts when its node is live at the end of the
 * round it commits in.  Without a live mask (the default, and a static
 * network) every node is live.  A block's first counted commit is the one
 * that files its keys, so a block committed only by nodes that were down
 * is not a violation until a live node commits it too.
 */
#ifndef ECSIM_SAFETY_H
#define ECSIM_SAFETY_H

#include <stdint.h>

#include "sim_int.h"

/* Set-up, before the topology draw: prepares the check when the
 * configuration may ask for it (s->safety; NULL while off).  Errors:
 * EC_ENOMEM. */
EC_WUR ec_err ecsim__safety_init(ec_sim *s);

/* The topology draw handed node i its peers, len sorted ids: notes whether
 * they hold its w+1 nearest nodes on each side of the ring (its view of
 * its neighbourhood is exact). */
void ecsim__safety_view(ec_sim *s, uint32_t i, const uint64_t *peers, size_t len);

/* Set-up, after the topology draw: the check runs when it is asked for
 * (EC_SAFETY_ON), or by default when the protocol claims safety and every
 * node's view is exact, the condition of its claim; otherwise s->safety
 * becomes NULL. */
void ecsim__safety_start(ec_sim *s);

/* A created block, blkrec rec, spends parts[0..n) (witness tokens
 * excluded: they are born with it): keeps their (token, parent) pairs.
 * Call only while the check is on.  Errors: EC_ENOMEM. */
EC_WUR ec_err ecsim__safety_block(ec_sim *s, uint32_t rec, const ec_token_part *parts,
                                  uint32_t n);

/* Node index `node` committed the block of blkrec rec this round.  Call
 * only while the check is on. */
void ecsim__safety_commit(ec_sim *s, uint32_t rec, uint32_t node);

/* The live mask: bit i set when node index i is live; borrowed, and read
 * at each commit until replaced.  NULL (the default): every node is live.
 * A no-op while the check is off. */
void ecsim__safety_set_live(ec_sim *s, const uint64_t *live);

#endif
