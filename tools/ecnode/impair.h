/* SPDX-License-Identifier: MIT */
/*
 * A test-only impairment layer for incoming datagrams (--impair-hold P,
 * --impair-loss F): the kernel here has no netem, and the comparison with
 * ecsim needs the seed's network model on real sockets.  Each datagram is
 * lost with probability loss; otherwise it is held one more tick with
 * probability hold, again and again (so G extra ticks with P(G >= k) =
 * hold^k), which is exactly ecsim's default delay model (--delay 0.5,
 * --loss 0.02).  Held datagrams come back at the tick they are due, before
 * the node's tick, as if they had arrived just then.  Bounded: beyond
 * max_held datagrams the oldest is dropped and counted.
 */
#ifndef ECNODE_IMPAIR_H
#define ECNODE_IMPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/protocol.h"
#include "ec/rng.h"

typedef struct ecn_held {
	uint64_t due;
	ec_addr from;
	size_t len;
	uint8_t *data;
} ecn_held;

typedef struct ecn_impair {
	double loss, hold;
	ec_rng rng;
	ecn_held *q; /* a ring of cap entries, in arrival order */
	size_t head, n, cap;
	uint64_t lost, held, overflow;
} ecn_impair;

/* Sets im up (seed from the daemon's randomness); loss and hold in [0, 1).
 * Errors: EC_EINVAL (out of range), EC_ENOMEM. */
ec_err ecn_impair_init(ecn_impair *im, double loss, double hold, uint64_t seed, size_t max_held);
void ecn_impair_fini(ecn_impair *im);

/* Whether a datagram arriving at tick `now` passes at once (true), or was
 * lost or held (false: a held copy comes back from ecn_impair_due). */
bool ecn_impair_admit(ecn_impair *im, uint64_t now, const ec_addr *from, const uint8_t *data,
                      size_t len);

/* The next held datagram due at or before `now`, in arrival order among
 * those due: true and *out (its data is the caller's to free), or false. */
bool ecn_impair_due(ecn_impair *im, uint64_t now, ecn_held *out);

#endif
