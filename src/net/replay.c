/* SPDX-License-Identifier: MIT */
/* RFC 6479 anti-replay window: see replay.h. */
#include "net/replay.h"

#include <string.h>

#define BLOCK_MASK ((uint64_t)ECN_REPLAY_BLOCKS - 1u)

void
ecn_replay_init(ecn_replay *w)
{
	memset(w, 0, sizeof *w);
}

ecn_replay_result
ecn_replay_check(const ecn_replay *w, uint64_t ctr)
{
	if (!w->started || ctr > w->top)
		return ECN_REPLAY_OK;
	if (w->top - ctr >= ECN_REPLAY_WINDOW)
		return ECN_REPLAY_OLD;
	uint64_t word = w->bits[(ctr >> 6) & BLOCK_MASK];
	return (word >> (ctr & 63u)) & 1u ? ECN_REPLAY_SEEN : ECN_REPLAY_OK;
}

void
ecn_replay_accept(ecn_replay *w, uint64_t ctr)
{
	if (!w->started) {
		memset(w->bits, 0, sizeof w->bits);
		w->started = true;
		w->top = ctr;
	} else if (ctr > w->top) {
		/* clear the words between the old top's and the new one's */
		uint64_t from = w->top >> 6, to = ctr >> 6;
		uint64_t diff = to - from;
		if (diff >= ECN_REPLAY_BLOCKS) {
			memset(w->bits, 0, sizeof w->bits);
		} else {
			for (uint64_t i = 1; i <= diff; i++)
				w->bits[(from + i) & BLOCK_MASK] = 0;
		}
		w->top = ctr;
	} else if (w->top - ctr >= ECN_REPLAY_WINDOW) {
		return;
	}
	w->bits[(ctr >> 6) & BLOCK_MASK] |= (uint64_t)1 << (ctr & 63u);
}

void
ecn_replay_floor(ecn_replay *w, uint64_t top)
{
	memset(w->bits, 0xff, sizeof w->bits);
	/* counters above top in top's own word are still unseen */
	unsigned b = (unsigned)(top & 63u);
	w->bits[(top >> 6) & BLOCK_MASK] = b == 63u ? UINT64_MAX : ((uint64_t)1 << (b + 1u)) - 1u;
	w->top = top;
	w->started = true;
}
