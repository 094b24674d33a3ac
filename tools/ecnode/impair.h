/* SPDX-License-Identifier: MIT */
/*
 * A test-only impairment layer for incoming datagrams (--impair-hold P,
 * --impair-loss F): the kernel here has no netem, and the comparison with
 * ecsim needs the seed's network model on real sockets.
 *
 * ecsim is round-synchronous: a message sent in round r is handled in round
 * r + 1 + G at the earliest, G extra rounds with P(G >= k) = hold^k (its
 * default --delay 0.5), and 2 % of what would be delivered is lost.  The
 * daemon's ticks sit on the wall clock's grid of tick_ms (daemon.c), so a
 * datagram arriving at wall time a was sent in grid slot floor(a / tick_ms);
 * this layer holds every datagram until the receiver's tick of slot
 * floor(a / tick_ms) + 1 + G and hands it over then, before the node's tick.
 * Without the layer a datagram is handled on arrival, which on aligned
 * ticks is the same as the next slot; the layer adds only G and the loss,
 * and it makes the next-slot rule hold even when a receiver's timer fires
 * after a sender's datagram has arrived.
 *
 * Bounded: beyond max_held datagrams the oldest is dropped and counted.
 */
#ifndef ECNODE_IMPAIR_H
#define ECNODE_IMPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/protocol.h"
#include "ec/rng.h"

typedef struct ecn_held {
	uint64_t due; /* grid slot */
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

/* Takes a datagram that arrived in grid slot `slot`: lost (counted), or
 * copied and held until slot + 1 + G.  Returns whether it was held (false:
 * lost, or no memory for the copy, counted as overflow). */
bool ecn_impair_admit(ecn_impair *im, uint64_t slot, const ec_addr *from, const uint8_t *data,
                      size_t len);

/* Hands every held datagram due at or before grid slot `now` to fn, in
 * arrival order, and forgets it (fn must not keep data).  The rest keep
 * their order. */
void ecn_impair_release(ecn_impair *im, uint64_t now,
                        void (*fn)(void *user, const ec_addr *from, const uint8_t *data,
                                   size_t len),
                        void *user);

#endif
