/* SPDX-License-Identifier: MIT */
/*
 * The canonical wire encoding (ec/wire.h, docs/wire.md).
 *
 * Decoding is one parser per value that reads through a bounds-checked
 * cursor and runs in two modes: measuring (no output memory: validate every
 * rule and count the bytes the decoded structures need) and decoding (take
 * those bytes from the caller's area and fill them).  Both modes run the
 * same checks in the same order, so a measured input decodes with the same
 * verdict.  Every read first checks the bytes remaining (len - off, never
 * off + n, which could wrap), so no input can make the parser read outside
 * its buffer.  Encoders validate the whole value before writing a byte, so
 * they either write a canonical encoding or nothing.
 *
 * This file holds blocks, certificates, the voting items, the item
 * dispatch and envelopes; the peer-management items are in wire_peer.c,
 * and the helpers both use in wire_int.h.
 */
#include "ec/wire.h"

#include <stdbool.h>
#include <string.h>

#include "bytes.h"
#include "ec/blake3.h"
#include "wire_int.h"

_Static_assert(sizeof(ecp_block) % EC_WIRE_ALIGN == 0, "ecp_block size");
_Static_assert(sizeof(ecp_part) % EC_WIRE_ALIGN == 0, "ecp_part size");
_Static_assert(sizeof(ecp_vote) % EC_WIRE_ALIGN == 0, "ecp_vote size");
_Static_assert(sizeof(ecp_item) % EC_WIRE_ALIGN == 0, "ecp_item size");
_Static_assert(_Alignof(ecp_block) <= EC_WIRE_ALIGN, "ecp_block alignment");
_Static_assert(_Alignof(ecp_item) <= EC_WIRE_ALIGN, "ecp_item alignment");
_Static_assert(_Alignof(ecp_cert) <= EC_WIRE_ALIGN, "ecp_cert alignment");
/* ec_wire_decode_bound(len) = 36 * len.  Decoding reserves (a) an
 * envelope's item array once its count is known, for at most (len - 12) /
 * MIN_ITEM items (the smallest item, BYE, is 2 bytes; env_parse refuses
 * larger counts), and (b) each body once its header shows the body present
 * (all of a block or certificate; a contact list's minimum of 9 bytes a
 * contact; all of a proof's entries).  (a) is at most 32 * len because an ecp_item is at most 64
 * bytes; (b) is at most 4 * len because every body is at most four times
 * the bytes it is decoded from (twice for blocks and certificates;
 * wire_peer.c asserts its bodies).  The item array is reserved before the
 * items are checked, so an invalid input can need (a) + (b) before its
 * error shows: hence 36.  A valid item of s bytes needs at most 64 + 4 *
 * (s - 2) <= 32 * s, so a valid envelope needs at most 32 * len. */
#define MIN_ITEM 2u /* BYE: type and version */
#define DECODE_FACTOR 36u
_Static_assert(sizeof(ecp_item) <= 32 * MIN_ITEM, "ecp_item grew: revisit ec_wire_decode_bound");
_Static_assert(sizeof(ecp_block) + sizeof(ecp_part) <= 2 * (12 + 192), "ecp_block grew");
_Static_assert(sizeof(ecp_part) <= 2 * 192, "ecp_part grew");
_Static_assert(sizeof(ecp_cert) <= 2 * EC_WIRE_CERT_HDR, "ecp_cert grew");
_Static_assert(sizeof(ecp_vote) <= 2 * EC_WIRE_VOTE_BYTES, "ecp_vote grew");
_Static_assert(EC_WIRE_CERT_MAX_VOTES <= 0xFFFFu, "certificate count is a u16");

#define UNSIGNED_BYTES(n) (EC_WIRE_BLOCK_HDR + EC_WIRE_PART_BYTES * (size_t)(n))

const char *
ec_wire_reason_str(ec_wire_reason r)
{
	switch (r) {
	case EC_WIRE_OK: return "ok";
	case EC_WIRE_TRUNCATED: return "input ends inside the encoding";
	case EC_WIRE_TRAILING: return "bytes after the end of the encoding";
	case EC_WIRE_BAD_TYPE: return "unknown or unexpected type byte";
	case EC_WIRE_BAD_VERSION: return "unsupported version";
	case EC_WIRE_BAD_NPARTS: return "block part count outside 1..256";
	case EC_WIRE_ZERO_TOKEN: return "zero token id";
	case EC_WIRE_PART_ORDER: return "parts not strictly ascending by token id";
	case EC_WIRE_CREATE_SIGNED: return "create part with a signer or signature";
	case EC_WIRE_UNSIGNED: return "transfer part without a signer";
	case EC_WIRE_BAD_ROLE: return "role is neither a part index nor the witness";
	case EC_WIRE_BAD_VALUE: return "value field out of range";
	case EC_WIRE_BAD_FLAGS: return "flag bits the item's kind does not allow";
	case EC_WIRE_CERT_COUNT: return "certificate too large";
	case EC_WIRE_CERT_ORDER: return "certificate votes not strictly ascending by (role, voter)";
	case EC_WIRE_EMPTY_ENVELOPE: return "envelope without items";
	case EC_WIRE_BAD_ADDR: return "address longer than EC_ADDR_MAX or not zero-padded";
	case EC_WIRE_CONTACT_COUNT: return "contact count not allowed for the item's kind";
	case EC_WIRE_CONTACT_ORDER: return "contacts not strictly ascending by id";
	case EC_WIRE_PROOF_ORDER: return "proof entries not in canonical order";
	case EC_WIRE_NOSPACE: return "output capacity too small or memory misaligned";
	case EC_WIRE_NO_BODY: return "item without the body its kind carries";
	case EC_WIRE_ID_MISMATCH: return "item block id differs from its block's id";
	case EC_WIRE_REASON_COUNT: break;
	}
	return "unknown reason";
}

size_t
ec_wire_decode_bound(size_t len)
{
	return len > SIZE_MAX / DECODE_FACTOR ? SIZE_MAX : DECODE_FACTOR * len;
}

static bool
role_ok(uint16_t role, uint32_t nparts)
{
	return role < nparts || role == ECP_ROLE_WITNESS;
}

static ec_wire_reason
header(cursor *c, uint8_t want_type)
{
	const uint8_t *h = take(c, 1);
	if (!h)
		return EC_WIRE_TRUNCATED;
	if (*h != want_type)
		return EC_WIRE_BAD_TYPE;
	if (!(h = take(c, 1)))
		return EC_WIRE_TRUNCATED;
	if (*h != EC_WIRE_VERSION)
		return EC_WIRE_BAD_VERSION;
	return EC_WIRE_OK;
}

/* ---- blocks -------------------------------------------------------------- */

size_t
ec_wire_block_size(uint32_t nparts)
{
	return EC_WIRE_BLOCK_HDR + (EC_WIRE_PART_BYTES + EC_WIRE_SIG_BYTES) * (size_t)nparts;
}

/* Reads the block header and makes sure the whole block is there.
 * Out: *start (offset of the type byte), *time, *nparts. */
static ec_wire_reason
block_head(cursor *c, size_t *start, uint64_t *time, uint32_t *nparts)
{
	*start = c->off;
	ec_wire_reason r = header(c, EC_WIRE_T_BLOCK);
	if (r)
		return r;
	const uint8_t *t = take(c, 8), *n;
	if (!t || !(n = take(c, 2)))
		return EC_WIRE_TRUNCATED;
	*time = get_u64(t);
	*nparts = get_u16(n);
	if (*nparts < 1 || *nparts > ECP_MAX_PARTS)
		return EC_WIRE_BAD_NPARTS;
	if (c->len - c->off < ec_wire_block_size(*nparts) - EC_WIRE_BLOCK_HDR)
		return EC_WIRE_TRUNCATED;
	return EC_WIRE_OK;
}

/* Checks the parts and signatures that follow a header read by block_head
 * and, if out is not NULL, fills out (capacity checked by the caller),
 * including its id. */
static ec_wire_reason
block_body(cursor *c, size_t start, uint64_t time, uint32_t nparts, ecp_block *out)
{
	const uint8_t *parts = take(c, EC_WIRE_PART_BYTES * (size_t)nparts);
	const uint8_t *sigs = take(c, EC_WIRE_SIG_BYTES * (size_t)nparts);
	if (!parts || !sigs)
		return EC_WIRE_TRUNCATED; /* block_head made sure: never taken */
	for (uint32_t i = 0; i < nparts; i++) {
		const uint8_t *p = parts + EC_WIRE_PART_BYTES * (size_t)i;
		const uint8_t *sig = sigs + EC_WIRE_SIG_BYTES * (size_t)i;
		if (i == 0 && ecp__all_zero(p, 32))
			return EC_WIRE_ZERO_TOKEN;
		/* big-endian ids: byte order is numeric order */
		if (i > 0 && memcmp(p - EC_WIRE_PART_BYTES, p, 32) >= 0)
			return EC_WIRE_PART_ORDER;
		if (ecp__all_zero(p + 32, 32)) {
			if (!ecp__all_zero(p + 96, 32) || !ecp__all_zero(sig, EC_WIRE_SIG_BYTES))
				return EC_WIRE_CREATE_SIGNED;
		} else if (ecp__all_zero(p + 96, 32)) {
			return EC_WIRE_UNSIGNED;
		}
		if (out) {
			ecp_part *q = &out->parts[i];
			q->token = ec_id_from_bytes(p);
			q->parent = ec_id_from_bytes(p + 32);
			q->next_key = ec_id_from_bytes(p + 64);
			memcpy(q->signer, p + 96, 32);
			memcpy(q->sig, sig, EC_WIRE_SIG_BYTES);
		}
	}
	if (out) {
		uint8_t h[EC_BLAKE3_OUT_LEN];
		ec_blake3(c->p + start, UNSIGNED_BYTES(nparts), h);
		out->id = ec_id_from_bytes(h);
		out->time = time;
		out->nparts = nparts;
	}
	return EC_WIRE_OK;
}

/* A block inside an item: its memory comes from the area. */
static ec_wire_reason
block_nested(cursor *c, area *a, const ecp_block **out, uint32_t *nparts)
{
	size_t start;
	uint64_t time;
	ec_wire_reason r = block_head(c, &start, &time, nparts);
	if (r)
		return r;
	void *mem;
	if (!reserve(a, ecp_block_size(*nparts), &mem))
		return EC_WIRE_NOSPACE;
	*out = mem;
	return block_body(c, start, time, *nparts, mem);
}

ec_wire_reason
ec_wire_block_check(const ecp_block *b)
{
	if (b->nparts < 1 || b->nparts > ECP_MAX_PARTS)
		return EC_WIRE_BAD_NPARTS;
	for (uint32_t i = 0; i < b->nparts; i++) {
		const ecp_part *p = &b->parts[i];
		if (i == 0 && ec_id_is_zero(&p->token))
			return EC_WIRE_ZERO_TOKEN;
		if (i > 0 && ec_id_cmp(&b->parts[i - 1].token, &p->token) >= 0)
			return EC_WIRE_PART_ORDER;
		if (ec_id_is_zero(&p->parent)) {
			if (!ecp__all_zero(p->signer, 32) || !ecp__all_zero(p->sig, EC_WIRE_SIG_BYTES))
				return EC_WIRE_CREATE_SIGNED;
		} else if (ecp__all_zero(p->signer, 32)) {
			return EC_WIRE_UNSIGNED;
		}
	}
	return EC_WIRE_OK;
}

static uint8_t *
put_block_head(uint8_t *p, const ecp_block *b)
{
	p = put_u8(p, EC_WIRE_T_BLOCK);
	p = put_u8(p, EC_WIRE_VERSION);
	p = put_u64(p, b->time);
	return put_u16(p, (uint16_t)b->nparts);
}

static uint8_t *
put_part(uint8_t *p, const ecp_part *q)
{
	p = put_id(p, &q->token);
	p = put_id(p, &q->parent);
	p = put_id(p, &q->next_key);
	return put_bytes(p, q->signer, 32);
}

static uint8_t *
put_block(uint8_t *p, const ecp_block *b)
{
	p = put_block_head(p, b);
	for (uint32_t i = 0; i < b->nparts; i++)
		p = put_part(p, &b->parts[i]);
	for (uint32_t i = 0; i < b->nparts; i++)
		p = put_bytes(p, b->parts[i].sig, EC_WIRE_SIG_BYTES);
	return p;
}

ec_err
ec_wire_block_encode(const ecp_block *b, uint8_t *out, size_t cap, size_t *len)
{
	if (ec_wire_block_check(b))
		return EC_EINVAL;
	size_t n = ec_wire_block_size(b->nparts);
	if (cap < n)
		return EC_EFULL;
	put_block(out, b);
	if (len)
		*len = n;
	return EC_OK;
}

ec_wire_reason
ec_wire_block_peek(const uint8_t *in, size_t len, uint32_t *nparts)
{
	cursor c = {in, len, 0};
	size_t start;
	uint64_t time;
	ec_wire_reason r = block_head(&c, &start, &time, nparts);
	if (r)
		return r;
	return len > ec_wire_block_size(*nparts) ? EC_WIRE_TRAILING : EC_WIRE_OK;
}

ec_wire_reason
ec_wire_block_decode(const uint8_t *in, size_t len, ecp_block *out, uint32_t cap)
{
	cursor c = {in, len, 0};
	size_t start;
	uint64_t time;
	uint32_t nparts;
	ec_wire_reason r = block_head(&c, &start, &time, &nparts);
	if (r)
		return r;
	if (nparts > cap)
		return EC_WIRE_NOSPACE;
	if ((r = block_body(&c, start, time, nparts, out)))
		return r;
	return c.off == len ? EC_WIRE_OK : EC_WIRE_TRAILING;
}

void
ec_wire_block_id(const ecp_block *b, ec_id *out)
{
	/* parts go to the hasher eight at a time: one BLAKE3 chunk */
	uint8_t buf[8 * EC_WIRE_PART_BYTES];
	ec_blake3 h;
	ec_blake3_init(&h);
	put_block_head(buf, b);
	ec_blake3_update(&h, buf, EC_WIRE_BLOCK_HDR);
	uint32_t n = b->nparts <= ECP_MAX_PARTS ? b->nparts : ECP_MAX_PARTS;
	for (uint32_t i = 0; i < n;) {
		uint8_t *p = buf;
		for (uint32_t k = 0; k < 8 && i < n; k++, i++)
			p = put_part(p, &b->parts[i]);
		ec_blake3_update(&h, buf, (size_t)(p - buf));
	}
	uint8_t d[EC_BLAKE3_OUT_LEN];
	ec_blake3_final(&h, d, sizeof d);
	*out = ec_id_from_bytes(d);
}

/* ---- certificates -------------------------------------------------------- */

size_t
ec_wire_cert_size(uint32_t n, bool sigs)
{
	return EC_WIRE_CERT_HDR + (EC_WIRE_VOTE_BYTES + (sigs ? EC_WIRE_SIG_BYTES : 0u)) * (size_t)n;
}

/* (role, voter) order: -1, 0, 1. */
static int
vote_cmp(const ecp_vote *a, const ecp_vote *b)
{
	if (a->role != b->role)
		return a->role < b->role ? -1 : 1;
	if (a->voter != b->voter)
		return a->voter < b->voter ? -1 : 1;
	return 0;
}

/* limit: roles below it (or the witness) are valid. */
static ec_wire_reason
cert_check(const ecp_cert *c, uint32_t limit)
{
	if (c->n > EC_WIRE_CERT_MAX_VOTES)
		return EC_WIRE_CERT_COUNT;
	for (uint32_t i = 0; i < c->n; i++) {
		const ecp_vote *v = &c->v[i];
		if (!role_ok(v->role, limit))
			return EC_WIRE_BAD_ROLE;
		if (v->value != 1 && v->value != -1)
			return EC_WIRE_BAD_VALUE;
		if (i > 0 && vote_cmp(&c->v[i - 1], v) >= 0)
			return EC_WIRE_CERT_ORDER;
	}
	return EC_WIRE_OK;
}

ec_wire_reason
ec_wire_cert_check(const ecp_cert *c, uint32_t nparts)
{
	return cert_check(c, nparts ? nparts : ECP_MAX_PARTS);
}

/* Swaps votes i and j (and their tags, if any). */
static void
vote_swap(ecp_vote *v, uint32_t *tag, size_t i, size_t j)
{
	ecp_vote t = v[i];
	v[i] = v[j];
	v[j] = t;
	if (tag) {
		uint32_t u = tag[i];
		tag[i] = tag[j];
		tag[j] = u;
	}
}

static void
sift_down(ecp_vote *v, uint32_t *tag, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && vote_cmp(&v[child], &v[child + 1]) < 0)
			child++;
		if (vote_cmp(&v[root], &v[child]) >= 0)
			return;
		vote_swap(v, tag, root, child);
		root = child;
	}
}

void
ec_wire_cert_sort_with(ecp_cert *c, uint32_t *tag)
{
	size_t n = c->n;
	for (size_t i = n / 2; i-- > 0;)
		sift_down(c->v, tag, i, n);
	for (size_t end = n; end-- > 1;) {
		vote_swap(c->v, tag, 0, end);
		sift_down(c->v, tag, 0, end);
	}
}

void
ec_wire_cert_sort(ecp_cert *c)
{
	ec_wire_cert_sort_with(c, NULL);
}

static uint8_t *
put_cert(uint8_t *p, const ecp_cert *c)
{
	p = put_u8(p, c->sigs ? EC_WIRE_T_CERT_SIGNED : EC_WIRE_T_CERT);
	p = put_u8(p, EC_WIRE_VERSION);
	p = put_u16(p, (uint16_t)c->n);
	for (uint32_t i = 0; i < c->n; i++) {
		const ecp_vote *v = &c->v[i];
		p = put_u64(p, v->voter);
		p = put_u32(p, v->stamp);
		p = put_u16(p, v->role);
		p = put_u8(p, (uint8_t)v->value);
		if (c->sigs) {
			memcpy(p, ecp_cert_sig(c, i)->b, EC_WIRE_SIG_BYTES);
			p += EC_WIRE_SIG_BYTES;
		}
	}
	return p;
}

ec_err
ec_wire_cert_encode(const ecp_cert *c, uint8_t *out, size_t cap, size_t *len)
{
	if (cert_check(c, ECP_MAX_PARTS))
		return EC_EINVAL;
	size_t n = ec_wire_cert_size(c->n, c->sigs);
	if (cap < n)
		return EC_EFULL;
	put_cert(out, c);
	if (len)
		*len = n;
	return EC_OK;
}

/* Reads a certificate's header (either type byte) and makes sure all its
 * votes are there.  Out: *n, *sigs. */
static ec_wire_reason
cert_head(cursor *c, uint32_t *n, bool *sigs)
{
	const uint8_t *h = take(c, 1);
	if (!h)
		return EC_WIRE_TRUNCATED;
	if (*h != EC_WIRE_T_CERT && *h != EC_WIRE_T_CERT_SIGNED)
		return EC_WIRE_BAD_TYPE;
	*sigs = *h == EC_WIRE_T_CERT_SIGNED;
	if (!(h = take(c, 1)))
		return EC_WIRE_TRUNCATED;
	if (*h != EC_WIRE_VERSION)
		return EC_WIRE_BAD_VERSION;
	const uint8_t *p = take(c, 2);
	if (!p)
		return EC_WIRE_TRUNCATED;
	*n = get_u16(p);
	if (*n > EC_WIRE_CERT_MAX_VOTES)
		return EC_WIRE_CERT_COUNT;
	if (c->len - c->off < (ec_wire_cert_size(*n, *sigs) - EC_WIRE_CERT_HDR))
		return EC_WIRE_TRUNCATED;
	return EC_WIRE_OK;
}

static ec_wire_reason
cert_body(cursor *c, uint32_t n, bool sigs, uint32_t limit, ecp_cert *out)
{
	ecp_vote prev = {0}, v;
	const size_t each = EC_WIRE_VOTE_BYTES + (sigs ? EC_WIRE_SIG_BYTES : 0u);
	if (out) {
		out->n = n; /* first: ecp_cert_sig places the signatures by it */
		out->sigs = sigs;
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = take(c, each);
		if (!p)
			return EC_WIRE_TRUNCATED; /* cert_head made sure: never taken */
		v.voter = get_u64(p);
		v.stamp = get_u32(p + 8);
		v.role = get_u16(p + 12);
		int value = get_i8(p + 14);
		if (!role_ok(v.role, limit))
			return EC_WIRE_BAD_ROLE;
		if (value != 1 && value != -1)
			return EC_WIRE_BAD_VALUE;
		v.value = (int8_t)value;
		if (i > 0 && vote_cmp(&prev, &v) >= 0)
			return EC_WIRE_CERT_ORDER;
		if (out) {
			out->v[i] = v;
			if (sigs) /* the signatures follow the n votes (ecp_cert_sig) */
				memcpy((uint8_t *)(void *)(out->v + n) + (size_t)i * EC_WIRE_SIG_BYTES,
				       p + EC_WIRE_VOTE_BYTES, EC_WIRE_SIG_BYTES);
		}
		prev = v;
	}
	return EC_WIRE_OK;
}

static ec_wire_reason
cert_nested(cursor *c, area *a, uint32_t limit, const ecp_cert **out)
{
	uint32_t n;
	bool sigs;
	ec_wire_reason r = cert_head(c, &n, &sigs);
	if (r)
		return r;
	void *mem;
	if (!reserve(a, ecp_cert_bytes(n, sigs), &mem))
		return EC_WIRE_NOSPACE;
	*out = mem;
	return cert_body(c, n, sigs, limit, mem);
}

ec_wire_reason
ec_wire_cert_peek(const uint8_t *in, size_t len, uint32_t *n, bool *sigs)
{
	cursor c = {in, len, 0};
	bool s = false;
	ec_wire_reason r = cert_head(&c, n, &s);
	if (sigs)
		*sigs = s;
	if (r)
		return r;
	return len > ec_wire_cert_size(*n, s) ? EC_WIRE_TRAILING : EC_WIRE_OK;
}

ec_wire_reason
ec_wire_cert_decode(const uint8_t *in, size_t len, ecp_cert *out, uint32_t cap)
{
	cursor c = {in, len, 0};
	uint32_t n;
	bool sigs;
	ec_wire_reason r = cert_head(&c, &n, &sigs);
	if (r)
		return r;
	if (n > cap)
		return EC_WIRE_NOSPACE;
	if ((r = cert_body(&c, n, sigs, ECP_MAX_PARTS, out)))
		return r;
	return c.off == len ? EC_WIRE_OK : EC_WIRE_TRAILING;
}

/* ---- items --------------------------------------------------------------- */

#define ITEM_HDR 2u
#define BLOCK_FIELDS 14u /* BLOCK item after its block: value, flags, role, hops, origin */
#define COMMIT_FIELDS 3u /* flagged COMMIT item after its certificate: flags, role */
#define ID_ROLE (32u + 2u)

/* Type bytes: the voting items 0xC1..0xC8 and the peer-management items
 * FIND .. SYNCED 0xD1..0xD8 by arithmetic, then the flagged COMMIT's 0xD9;
 * the kinds after SYNCED take bytes of their own after it (AUDIT 0xDA,
 * PROOF 0xDB), so the bytes of the older kinds do not move. */
_Static_assert(EC_WIRE_T_ITEM + ECP_WITHDRAWN < EC_WIRE_T_CERT, "voting items reach 0xCE");
_Static_assert(EC_WIRE_T_PEER + ECP_SYNCED - ECP_WITHDRAWN < EC_WIRE_T_COMMIT_FLAGS,
               "peer-management items reach the flagged COMMIT's type byte");
_Static_assert(EC_WIRE_T_AUDIT > EC_WIRE_T_COMMIT_FLAGS && EC_WIRE_T_PROOF > EC_WIRE_T_AUDIT &&
                   EC_WIRE_T_PROOF < EC_WIRE_T_ENVELOPE,
               "AUDIT and PROOF type bytes collide");
_Static_assert(ECP_AUDIT == ECP_SYNCED + 1 && ECP_PROOF == ECP_AUDIT + 1 &&
                   ECP_ACCUSE == ECP_PROOF + 1 && ECP_KIND_MAX == ECP_ACCUSE,
               "a new item kind needs a type byte of its own");
_Static_assert(EC_WIRE_T_ACCUSE > EC_WIRE_T_PROOF && EC_WIRE_T_VOTE_SIGNED > EC_WIRE_T_ACCUSE &&
                   EC_WIRE_T_BLOCK_SIGNED > EC_WIRE_T_VOTE_SIGNED &&
                   EC_WIRE_T_BLOCK_SIGNED < EC_WIRE_T_ENVELOPE &&
                   EC_WIRE_T_CERT_SIGNED == EC_WIRE_T_CERT + 1,
               "signed items' type bytes collide");

/* The peer-management kinds (wire_peer.c). */
static bool
peer_kind(uint8_t kind)
{
	return kind > ECP_WITHDRAWN && kind <= ECP_PROOF;
}

/* Whether a VOTE or BLOCK item carries its vote's signature. */
static bool
signed_item(const ecp_item *it)
{
	return (it->kind == ECP_VOTE || it->kind == ECP_BLOCK) && it->vsig;
}

uint8_t
ec_wire_item_type(const ecp_item *it)
{
	if (it->kind == ECP_COMMIT && it->flags)
		return EC_WIRE_T_COMMIT_FLAGS;
	if (signed_item(it))
		return it->kind == ECP_VOTE ? EC_WIRE_T_VOTE_SIGNED : EC_WIRE_T_BLOCK_SIGNED;
	if (it->kind == ECP_ACCUSE)
		return EC_WIRE_T_ACCUSE;
	if (it->kind >= ECP_BLOCK && it->kind <= ECP_WITHDRAWN)
		return (uint8_t)(EC_WIRE_T_ITEM + it->kind);
	if (it->kind > ECP_WITHDRAWN && it->kind <= ECP_SYNCED)
		return (uint8_t)(EC_WIRE_T_PEER + it->kind - ECP_WITHDRAWN);
	if (it->kind == ECP_AUDIT)
		return EC_WIRE_T_AUDIT;
	if (it->kind == ECP_PROOF)
		return EC_WIRE_T_PROOF;
	return 0;
}

/* The kind a type byte names (0: none), whether it is a flagged COMMIT,
 * and whether it carries a vote's signature. */
static uint8_t
kind_of(uint8_t type, bool *flagged, bool *sig)
{
	*flagged = type == EC_WIRE_T_COMMIT_FLAGS;
	*sig = type == EC_WIRE_T_VOTE_SIGNED || type == EC_WIRE_T_BLOCK_SIGNED;
	if (*flagged)
		return ECP_COMMIT;
	if (type == EC_WIRE_T_VOTE_SIGNED)
		return ECP_VOTE;
	if (type == EC_WIRE_T_BLOCK_SIGNED)
		return ECP_BLOCK;
	if (type == EC_WIRE_T_ACCUSE)
		return ECP_ACCUSE;
	if (type > EC_WIRE_T_ITEM && type <= EC_WIRE_T_ITEM + ECP_WITHDRAWN)
		return (uint8_t)(type - EC_WIRE_T_ITEM);
	if (type > EC_WIRE_T_PEER && type <= EC_WIRE_T_PEER + ECP_SYNCED - ECP_WITHDRAWN)
		return (uint8_t)(type - EC_WIRE_T_PEER + ECP_WITHDRAWN);
	if (type == EC_WIRE_T_AUDIT)
		return ECP_AUDIT;
	if (type == EC_WIRE_T_PROOF)
		return ECP_PROOF;
	return 0;
}

size_t
ec_wire_item_size(const ecp_item *it)
{
	switch (it->kind) {
	case ECP_BLOCK:
		return it->block ? ITEM_HDR + ec_wire_block_size(it->block->nparts) + BLOCK_FIELDS +
		                       (it->vsig ? EC_WIRE_SIG_BYTES : 0u)
		                 : 0;
	case ECP_VOTE: return ITEM_HDR + ID_ROLE + 1 + (it->vsig ? EC_WIRE_SIG_BYTES : 0u);
	case ECP_COMMIT:
		if (!it->block || !it->cert)
			return 0;
		return ITEM_HDR + ec_wire_block_size(it->block->nparts) +
		       ec_wire_cert_size(it->cert->n, it->cert->sigs) + (it->flags ? COMMIT_FIELDS : 0);
	case ECP_ACCUSE: return it->accuse ? ITEM_HDR + EC_WIRE_ACCUSE_BYTES : 0;
	case ECP_BLOCKED:
	case ECP_WITHDRAW:
	case ECP_WITHDRAWN: return ITEM_HDR + ID_ROLE;
	case ECP_POLL:
	case ECP_FETCH: return ITEM_HDR + 32;
	default: return peer_kind(it->kind) ? ecp__wire_peer_size(it) : 0;
	}
}

/* An ACCUSE body's rules: block ids ascending (so one proof has one
 * encoding), roles part indexes (a witness vote is not exclusive). */
static ec_wire_reason
accuse_check(const ecp_accuse *a)
{
	if (!a)
		return EC_WIRE_NO_BODY;
	if (a->role[0] >= ECP_MAX_PARTS || a->role[1] >= ECP_MAX_PARTS)
		return EC_WIRE_BAD_ROLE;
	return ec_id_cmp(&a->block[0], &a->block[1]) < 0 ? EC_WIRE_OK : EC_WIRE_BAD_VALUE;
}

static uint8_t *
put_accuse(uint8_t *p, const ecp_accuse *a)
{
	p = put_u64(p, a->voter);
	p = put_id(p, &a->token);
	p = put_id(p, &a->parent);
	p = put_id(p, &a->block[0]);
	p = put_id(p, &a->block[1]);
	p = put_u16(p, a->role[0]);
	p = put_u16(p, a->role[1]);
	memcpy(p, a->sig, 2 * EC_WIRE_SIG_BYTES);
	return p + 2 * EC_WIRE_SIG_BYTES;
}

static ec_wire_reason
accuse_item_parse(cursor *c, area *a, ecp_item *out)
{
	const uint8_t *p = take(c, EC_WIRE_ACCUSE_BYTES);
	if (!p)
		return EC_WIRE_TRUNCATED;
	ecp_accuse v;
	memset(&v, 0, sizeof v); /* no stray padding bytes in the body */
	v.voter = get_u64(p);
	v.token = ec_id_from_bytes(p + 8);
	v.parent = ec_id_from_bytes(p + 40);
	v.block[0] = ec_id_from_bytes(p + 72);
	v.block[1] = ec_id_from_bytes(p + 104);
	v.role[0] = get_u16(p + 136);
	v.role[1] = get_u16(p + 138);
	memcpy(v.sig, p + 140, 2 * EC_WIRE_SIG_BYTES);
	ec_wire_reason r = accuse_check(&v);
	if (r)
		return r;
	void *mem;
	if (!reserve(a, sizeof v, &mem))
		return EC_WIRE_NOSPACE;
	if (mem)
		out->accuse = memcpy(mem, &v, sizeof v);
	return EC_WIRE_OK;
}

/* The signature after a signed VOTE's or BLOCK's fields. */
static ec_wire_reason
vsig_parse(cursor *c, area *a, ecp_item *out)
{
	const uint8_t *p = take(c, EC_WIRE_SIG_BYTES);
	if (!p)
		return EC_WIRE_TRUNCATED;
	if (out->kind == ECP_BLOCK && !out->value)
		return EC_WIRE_BAD_VALUE; /* no vote to sign */
	void *mem;
	if (!reserve(a, sizeof(ecp_vsig), &mem))
		return EC_WIRE_NOSPACE;
	if (mem)
		out->vsig = memcpy(mem, p, EC_WIRE_SIG_BYTES);
	return EC_WIRE_OK;
}

/* A COMMIT item's rules, in the order its decoder meets them. */
static ec_wire_reason
commit_check(const ecp_item *it)
{
	ec_wire_reason r;
	if (!it->block || !it->cert)
		return EC_WIRE_NO_BODY;
	if ((r = ec_wire_block_check(it->block)) || (r = cert_check(it->cert, it->block->nparts)))
		return r;
	if (it->flags & ~ECP_F_SYNC)
		return EC_WIRE_BAD_FLAGS;
	/* a catch-up answer names the part of the token it maps: never the
	 * witness role */
	if (it->flags && it->role >= it->block->nparts)
		return EC_WIRE_BAD_ROLE;
	return EC_WIRE_OK;
}

ec_wire_reason
ec_wire_item_check(const ecp_item *it)
{
	ec_wire_reason r;
	switch (it->kind) {
	case ECP_BLOCK:
		if (!it->block)
			return EC_WIRE_NO_BODY;
		if ((r = ec_wire_block_check(it->block)))
			return r;
		if (it->value < -1 || it->value > 1 || (it->vsig && !it->value))
			return EC_WIRE_BAD_VALUE;
		if (it->flags & ~ECP_F_ALL)
			return EC_WIRE_BAD_FLAGS;
		if (!role_ok(it->role, it->block->nparts))
			return EC_WIRE_BAD_ROLE;
		break;
	case ECP_COMMIT:
		if ((r = commit_check(it)))
			return r;
		break;
	case ECP_VOTE:
		if (!role_ok(it->role, ECP_MAX_PARTS))
			return EC_WIRE_BAD_ROLE;
		if (it->value != 1 && it->value != -1)
			return EC_WIRE_BAD_VALUE;
		return EC_WIRE_OK;
	case ECP_BLOCKED:
	case ECP_WITHDRAW:
	case ECP_WITHDRAWN:
		return role_ok(it->role, ECP_MAX_PARTS) ? EC_WIRE_OK : EC_WIRE_BAD_ROLE;
	case ECP_POLL:
	case ECP_FETCH: return EC_WIRE_OK;
	case ECP_ACCUSE: return accuse_check(it->accuse);
	default: return peer_kind(it->kind) ? ecp__wire_peer_check(it) : EC_WIRE_BAD_TYPE;
	}
	return ec_id_eq(&it->block_id, &it->block->id) ? EC_WIRE_OK : EC_WIRE_ID_MISMATCH;
}

static uint8_t *
put_item(uint8_t *p, const ecp_item *it)
{
	p = put_u8(p, ec_wire_item_type(it));
	p = put_u8(p, EC_WIRE_VERSION);
	switch (it->kind) {
	case ECP_BLOCK:
		p = put_block(p, it->block);
		p = put_u8(p, (uint8_t)it->value);
		p = put_u8(p, it->flags);
		p = put_u16(p, it->role);
		p = put_u16(p, it->hops);
		p = put_u64(p, it->origin);
		break;
	case ECP_COMMIT:
		p = put_block(p, it->block);
		p = put_cert(p, it->cert);
		if (!it->flags)
			return p;
		p = put_u8(p, it->flags);
		return put_u16(p, it->role);
	case ECP_VOTE:
		p = put_id(p, &it->block_id);
		p = put_u16(p, it->role);
		p = put_u8(p, (uint8_t)it->value);
		break;
	case ECP_ACCUSE: return put_accuse(p, it->accuse);
	case ECP_BLOCKED:
	case ECP_WITHDRAW:
	case ECP_WITHDRAWN:
		p = put_id(p, &it->block_id);
		return put_u16(p, it->role);
	case ECP_POLL:
	case ECP_FETCH: return put_id(p, &it->block_id);
	default: return ecp__wire_peer_put(p, it);
	}
	/* VOTE and BLOCK: the signature, if signed */
	if (!it->vsig)
		return p;
	memcpy(p, it->vsig->b, EC_WIRE_SIG_BYTES);
	return p + EC_WIRE_SIG_BYTES;
}

ec_err
ec_wire_item_encode(const ecp_item *it, uint8_t *out, size_t cap, size_t *len)
{
	if (ec_wire_item_check(it))
		return EC_EINVAL;
	size_t n = ec_wire_item_size(it);
	if (cap < n)
		return EC_EFULL;
	put_item(out, it);
	if (len)
		*len = n;
	return EC_OK;
}

/* BLOCK: the block, then value, flags, role, hops, origin. */
static ec_wire_reason
block_item_parse(cursor *c, area *a, ecp_item *out)
{
	uint32_t nparts;
	ec_wire_reason r = block_nested(c, a, &out->block, &nparts);
	if (r)
		return r;
	const uint8_t *p = take(c, BLOCK_FIELDS);
	if (!p)
		return EC_WIRE_TRUNCATED;
	int value = get_i8(p);
	if (value < -1 || value > 1)
		return EC_WIRE_BAD_VALUE;
	out->value = (int8_t)value;
	out->flags = p[1];
	if (out->flags & ~ECP_F_ALL)
		return EC_WIRE_BAD_FLAGS;
	out->role = get_u16(p + 2);
	if (!role_ok(out->role, nparts))
		return EC_WIRE_BAD_ROLE;
	out->hops = get_u16(p + 4);
	out->origin = get_u64(p + 6);
	return EC_WIRE_OK;
}

/* COMMIT: the block and certificate, then (flagged only) flags and role.
 * A flagged COMMIT with no flag set would be a second encoding of the
 * plain one, hence BAD_FLAGS for zero too. */
static ec_wire_reason
commit_item_parse(cursor *c, area *a, bool flagged, ecp_item *out)
{
	uint32_t nparts;
	ec_wire_reason r;
	if ((r = block_nested(c, a, &out->block, &nparts)) ||
	    (r = cert_nested(c, a, nparts, &out->cert)))
		return r;
	if (!flagged)
		return EC_WIRE_OK;
	const uint8_t *p = take(c, COMMIT_FIELDS);
	if (!p)
		return EC_WIRE_TRUNCATED;
	out->flags = p[0];
	if (!out->flags || (out->flags & ~ECP_F_SYNC))
		return EC_WIRE_BAD_FLAGS;
	out->role = get_u16(p + 1);
	return out->role < nparts ? EC_WIRE_OK : EC_WIRE_BAD_ROLE;
}

/* VOTE, BLOCKED, WITHDRAW, WITHDRAWN, POLL, FETCH: a block id, then the
 * role (all but POLL and FETCH) and the value (VOTE). */
static ec_wire_reason
id_item_parse(cursor *c, ecp_item *out)
{
	bool role = out->kind != ECP_POLL && out->kind != ECP_FETCH;
	bool value = out->kind == ECP_VOTE;
	const uint8_t *p = take(c, 32 + (role ? 2u : 0u) + (value ? 1u : 0u));
	if (!p)
		return EC_WIRE_TRUNCATED;
	out->block_id = ec_id_from_bytes(p);
	if (!role)
		return EC_WIRE_OK;
	out->role = get_u16(p + 32);
	if (!role_ok(out->role, ECP_MAX_PARTS))
		return EC_WIRE_BAD_ROLE;
	if (out->kind == ECP_BLOCKED)
		out->value = -1; /* a BLOCKED item is a no vote on its role */
	if (!value)
		return EC_WIRE_OK;
	int v = get_i8(p + 34);
	if (v != 1 && v != -1)
		return EC_WIRE_BAD_VALUE;
	out->value = (int8_t)v;
	return EC_WIRE_OK;
}

/* Parses one item at the cursor into *out (always written; its bodies come
 * from the area, NULL when measuring). */
static ec_wire_reason
item_parse(cursor *c, area *a, ecp_item *out)
{
	memset(out, 0, sizeof *out);
	const uint8_t *p = take(c, 1);
	if (!p)
		return EC_WIRE_TRUNCATED;
	bool flagged, sig;
	out->kind = kind_of(*p, &flagged, &sig);
	if (!out->kind)
		return EC_WIRE_BAD_TYPE;
	if (!(p = take(c, 1)))
		return EC_WIRE_TRUNCATED;
	if (*p != EC_WIRE_VERSION)
		return EC_WIRE_BAD_VERSION;
	ec_wire_reason r;
	switch (out->kind) {
	case ECP_BLOCK:
		if (!(r = block_item_parse(c, a, out)) && sig)
			r = vsig_parse(c, a, out);
		break;
	case ECP_COMMIT: r = commit_item_parse(c, a, flagged, out); break;
	case ECP_ACCUSE: return accuse_item_parse(c, a, out);
	case ECP_VOTE:
		if ((r = id_item_parse(c, out)) || !sig)
			return r;
		return vsig_parse(c, a, out);
	case ECP_BLOCKED:
	case ECP_WITHDRAW:
	case ECP_WITHDRAWN:
	case ECP_POLL:
	case ECP_FETCH: return id_item_parse(c, out);
	default: return ecp__wire_peer_parse(c, a, out);
	}
	if (!r && out->block)
		out->block_id = out->block->id;
	return r;
}

static bool
aligned(const void *mem)
{
	return (uintptr_t)mem % EC_WIRE_ALIGN == 0;
}

ec_wire_reason
ec_wire_item_measure(const uint8_t *in, size_t len, size_t *mem)
{
	cursor c = {in, len, 0};
	area a = {NULL, 0, 0, false};
	ecp_item scratch;
	ec_wire_reason r = item_parse(&c, &a, &scratch);
	if (r)
		return r;
	if (c.off != len)
		return EC_WIRE_TRAILING;
	*mem = a.used;
	return EC_WIRE_OK;
}

ec_wire_reason
ec_wire_item_decode(const uint8_t *in, size_t len, ecp_item *out, void *mem, size_t memcap)
{
	if (memcap && (!mem || !aligned(mem)))
		return EC_WIRE_NOSPACE;
	cursor c = {in, len, 0};
	area a = {mem, memcap, 0, true};
	ec_wire_reason r = item_parse(&c, &a, out);
	if (r)
		return r;
	return c.off == len ? EC_WIRE_OK : EC_WIRE_TRAILING;
}

/* ---- envelopes ----------------------------------------------------------- */

size_t
ec_wire_env_size(const ec_wire_env *env)
{
	size_t n = EC_WIRE_ENV_HDR;
	for (uint32_t i = 0; i < env->n; i++) {
		size_t k = ec_wire_item_size(&env->items[i]);
		if (!k)
			return 0;
		n += k;
	}
	return n;
}

ec_err
ec_wire_env_encode(const ec_wire_env *env, uint8_t *out, size_t cap, size_t *len)
{
	if (env->n < 1 || env->n > EC_WIRE_ENV_MAX_ITEMS)
		return EC_EINVAL;
	for (uint32_t i = 0; i < env->n; i++)
		if (ec_wire_item_check(&env->items[i]))
			return EC_EINVAL;
	size_t n = ec_wire_env_size(env);
	if (cap < n)
		return EC_EFULL;
	uint8_t *p = out;
	p = put_u8(p, EC_WIRE_T_ENVELOPE);
	p = put_u8(p, EC_WIRE_VERSION);
	p = put_u64(p, env->sender);
	p = put_u16(p, (uint16_t)env->n);
	for (uint32_t i = 0; i < env->n; i++)
		p = put_item(p, &env->items[i]);
	if (len)
		*len = n;
	return EC_OK;
}

/* Parses a whole envelope; out->items is NULL when measuring. */
static ec_wire_reason
env_parse(cursor *c, area *a, ec_wire_env *out)
{
	ec_wire_reason r = header(c, EC_WIRE_T_ENVELOPE);
	if (r)
		return r;
	const uint8_t *p = take(c, 10);
	if (!p)
		return EC_WIRE_TRUNCATED;
	out->sender = get_u64(p);
	out->n = get_u16(p + 8);
	if (out->n == 0)
		return EC_WIRE_EMPTY_ENVELOPE;
	/* every item takes at least MIN_ITEM bytes: refuse a count the input
	 * cannot hold before reserving memory for it (this keeps the memory
	 * within ec_wire_decode_bound of the input length) */
	if ((c->len - c->off) / MIN_ITEM < out->n)
		return EC_WIRE_TRUNCATED;
	void *mem;
	if (!reserve(a, out->n * sizeof(ecp_item), &mem))
		return EC_WIRE_NOSPACE;
	ecp_item *items = mem, scratch;
	out->items = items;
	for (uint32_t i = 0; i < out->n; i++)
		if ((r = item_parse(c, a, items ? &items[i] : &scratch)))
			return r;
	return c->off == c->len ? EC_WIRE_OK : EC_WIRE_TRAILING;
}

ec_wire_reason
ec_wire_env_measure(const uint8_t *in, size_t len, size_t *mem)
{
	cursor c = {in, len, 0};
	area a = {NULL, 0, 0, false};
	ec_wire_env env;
	ec_wire_reason r = env_parse(&c, &a, &env);
	if (r)
		return r;
	*mem = a.used;
	return EC_WIRE_OK;
}

ec_wire_reason
ec_wire_env_decode(const uint8_t *in, size_t len, ec_wire_env *out, void *mem, size_t memcap)
{
	if (memcap && (!mem || !aligned(mem)))
		return EC_WIRE_NOSPACE;
	cursor c = {in, len, 0};
	area a = {mem, memcap, 0, true};
	return env_parse(&c, &a, out);
}
