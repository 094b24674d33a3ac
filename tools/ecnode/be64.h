/* SPDX-License-Identifier: MIT */
/* Big-endian u64 fields of the daemon's records and payloads. */
#ifndef ECNODE_BE64_H
#define ECNODE_BE64_H

#include <stdint.h>

static inline void
ecn_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static inline uint64_t
ecn_get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

#endif
