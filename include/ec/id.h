/* SPDX-License-Identifier: MIT */
/*
 * 256-bit identifiers of the ec protocol (tokens, blocks, nodes).  w[0] is
 * the most significant word and doubles as the ring position; comparisons
 * are over all 256 bits, most significant word first.  A later issue makes
 * block ids content hashes and node ids public-key derived; nothing here
 * depends on how an id was produced.
 */
#ifndef EC_ID_H
#define EC_ID_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ec_id {
	uint64_t w[4];
} ec_id;

static inline uint64_t
ec_id_pos(const ec_id *a)
{
	return a->w[0];
}

static inline bool
ec_id_eq(const ec_id *a, const ec_id *b)
{
	return a->w[0] == b->w[0] && a->w[1] == b->w[1] && a->w[2] == b->w[2] &&
	       a->w[3] == b->w[3];
}

static inline bool
ec_id_is_zero(const ec_id *a)
{
	return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0;
}

/* -1, 0 or 1, most significant word first. */
int ec_id_cmp(const ec_id *a, const ec_id *b);

/* The simulator draws 64-bit ring positions; this expands one into a full
 * 256-bit id (w[0] = pos, the rest a fixed mix of it), so distinct
 * positions give distinct ids and 0 stays the all-zero id. */
ec_id ec_id_expand(uint64_t pos);

/* The 32-byte form of an id, as hashes produce it and the wire carries it:
 * w[0] first, each word big-endian, so that byte order is numeric order
 * and the ring position is the first 8 bytes. */
void ec_id_to_bytes(const ec_id *a, uint8_t out[32]);
ec_id ec_id_from_bytes(const uint8_t in[32]);

/* Ring arithmetic modulo 2^256: a - b and a + b. */
ec_id ec_id_sub(const ec_id *a, const ec_id *b);
ec_id ec_id_add(const ec_id *a, const ec_id *b);

/* A 64-bit hash of an id, for hash tables. */
uint64_t ec_id_hash(const ec_id *a);

#endif
