/* SPDX-License-Identifier: MIT */
/*
 * Internal: what the two halves of the canonical wire encoding share
 * (wire.c: blocks, certificates, the voting items, envelopes; wire_peer.c:
 * the peer-management items).  Little-endian field writers and readers, the
 * bounds-checked cursor every decoder reads through, and the caller's memory
 * area that decoders place bodies in (or, measuring, only count).
 */
#ifndef ECP_WIRE_INT_H
#define ECP_WIRE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ec/wire.h"

/* ---- little-endian fields ------------------------------------------------ */

static inline uint8_t *
put_u8(uint8_t *p, uint8_t v)
{
	*p = v;
	return p + 1;
}

static inline uint8_t *
put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	return p + 2;
}

static inline uint8_t *
put_u32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 4;
}

static inline uint8_t *
put_u64(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 8;
}

static inline uint8_t *
put_id(uint8_t *p, const ec_id *id)
{
	ec_id_to_bytes(id, p);
	return p + 32;
}

static inline uint8_t *
put_bytes(uint8_t *p, const uint8_t *src, size_t n)
{
	memcpy(p, src, n);
	return p + n;
}

static inline uint16_t
get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
get_u32(const uint8_t *p)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static inline uint64_t
get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* A signed byte, without relying on implementation-defined conversion. */
static inline int
get_i8(const uint8_t *p)
{
	return p[0] < 128 ? (int)p[0] : (int)p[0] - 256;
}

/* ---- cursor and memory area ---------------------------------------------- */

typedef struct cursor {
	const uint8_t *p;
	size_t len;
	size_t off;
} cursor;

/* Returns a pointer to the next n bytes and advances, or NULL if fewer
 * remain (then the cursor is unchanged).  Compares with the bytes left
 * (len - off), never off + n, which could wrap. */
static inline const uint8_t *
take(cursor *c, size_t n)
{
	if (c->len - c->off < n)
		return NULL;
	const uint8_t *at = c->p + c->off;
	c->off += n;
	return at;
}

/* The caller's memory area.  fill false: measuring (only `used` counts). */
typedef struct area {
	uint8_t *base;
	size_t cap;
	size_t used;
	bool fill;
} area;

/* Reserves n bytes, rounded up to EC_WIRE_ALIGN so that the next body is
 * aligned too.  *out is NULL when measuring.  False if the area is too
 * small (decoding only). */
static inline bool
reserve(area *a, size_t n, void **out)
{
	size_t at = a->used;
	size_t sz = (n + (EC_WIRE_ALIGN - 1)) & ~(size_t)(EC_WIRE_ALIGN - 1);
	*out = NULL;
	if (!a->fill) {
		a->used = at + sz;
		return true;
	}
	if (a->cap < at || a->cap - at < sz)
		return false;
	a->used = at + sz;
	*out = a->base + at;
	return true;
}

/* ---- the peer-management items (wire_peer.c) -------------------------------
 * Kinds ECP_FIND .. ECP_PROOF (ECP_KIND_MAX); the caller has dispatched on
 * the kind and chosen the type byte.  Same contracts as the public item
 * functions of ec/wire.h. */

/* The encoded size, type and version bytes included; 0 if a body is
 * missing. */
size_t ecp__wire_peer_size(const ecp_item *it);
ec_wire_reason ecp__wire_peer_check(const ecp_item *it);
/* Writes the fields after the type and version bytes; returns the end. */
uint8_t *ecp__wire_peer_put(uint8_t *p, const ecp_item *it);
/* Parses the fields after the type and version bytes into out (whose kind
 * is set and the rest zero), bodies from the area. */
ec_wire_reason ecp__wire_peer_parse(cursor *c, area *a, ecp_item *out);

#endif
