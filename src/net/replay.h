/* SPDX-License-Identifier: MIT */
/*
 * Anti-replay sliding window over 64-bit packet counters, after RFC 6479
 * ("IPsec Anti-Replay Algorithm without Bit Shifting"): a ring of
 * ECN_REPLAY_BLOCKS 64-bit words.  Bit (c mod 2048) of the ring records
 * counter c.  When the highest counter moves forward, the words it passes
 * are cleared whole, so advancing costs O(1) per word and never shifts
 * bits.  One word is always being recycled, so the window guaranteed to be
 * remembered is ECN_REPLAY_WINDOW = 2048 - 64 = 1984 counters below the
 * highest one seen; anything older is refused as too old (WireGuard makes
 * the same trade with 8192 bits).
 *
 * Use: check a counter before the expensive authentication (ecn_replay_check),
 * and record it only once the packet has authenticated (ecn_replay_accept),
 * so that forged packets cannot move the window.
 *
 * A plain value (264 bytes): no allocation, copy freely.  Not thread-safe.
 */
#ifndef ECN_REPLAY_H
#define ECN_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define ECN_REPLAY_BITS 2048u
#define ECN_REPLAY_BLOCKS (ECN_REPLAY_BITS / 64u)
#define ECN_REPLAY_WINDOW (ECN_REPLAY_BITS - 64u)

typedef struct ecn_replay {
	uint64_t top;                         /* highest counter accepted */
	uint64_t bits[ECN_REPLAY_BLOCKS];     /* the ring */
	bool started;                         /* top is meaningful */
} ecn_replay;

typedef enum ecn_replay_result {
	ECN_REPLAY_OK = 0, /* never seen and inside the window (or above it) */
	ECN_REPLAY_SEEN,   /* already accepted */
	ECN_REPLAY_OLD     /* ECN_REPLAY_WINDOW or more below the highest: unknowable */
} ecn_replay_result;

/* Empties w: every counter is new. */
void ecn_replay_init(ecn_replay *w);

/* Whether ctr would be accepted.  Does not change w.  Cost: O(1). */
ecn_replay_result ecn_replay_check(const ecn_replay *w, uint64_t ctr);

/* Records ctr as seen, moving the window forward when ctr is above the
 * highest counter.  Call it only after ecn_replay_check(w, ctr) returned
 * ECN_REPLAY_OK; on another counter it records what it can (a counter
 * that is too old leaves w unchanged).  Cost: O(1), at most
 * ECN_REPLAY_BLOCKS words cleared. */
void ecn_replay_accept(ecn_replay *w, uint64_t ctr);

/* Sets w to "every counter up to top has been seen": what a receiver that
 * forgot its window but remembers the highest counter must assume. */
void ecn_replay_floor(ecn_replay *w, uint64_t top);

#endif
