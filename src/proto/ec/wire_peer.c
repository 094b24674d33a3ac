/* SPDX-License-Identifier: MIT */
/*
 * The canonical wire encoding of the peer-management items (ec/wire.h,
 * docs/wire.md, "Peer-management items"): FIND, PEERS, HELLO, WELCOME, PING,
 * BYE, SYNC, SYNCED, AUDIT and PROOF.  wire.c dispatches to these functions by kind after
 * the type and version bytes; the cursor, the memory area and the field
 * helpers are shared through wire_int.h, and so are the rules: decoders
 * check every rule in the order the bytes are read, reserve memory for a
 * body only once its bytes are known to be there, and encoders check the
 * whole item before writing.
 *
 * A contact is its id (u64), its address length (u8, at most EC_ADDR_MAX)
 * and that many address bytes: addresses vary in length, so the bytes
 * after len are not sent, and must be zero in memory so that one ec_addr
 * has one encoding.
 *
 * A PROOF's entries follow the canonical order of the proof of storage
 * (ec/storage_proof.h): both sides judge them with ec_sp_answer_check, on
 * an ec_sp_answer with a zero responder (the responder is the envelope's
 * sender and is not carried; the check does not read it).
 */
#include <stdbool.h>
#include <string.h>

#include "bytes.h"
#include "ec/storage_proof.h"
#include "ec/wire.h"
#include "wire_int.h"

#define ITEM_HDR 2u
#define FIND_FIELDS 10u  /* hops u16, target u64 */
#define TARGET_BYTES 8u
#define SYNC_FIELDS 48u  /* lo u64, hi u64, after */
#define AUDIT_FIELDS 32u /* nonce u64, round u64, lo u64, hi u64 */
#define PROOF_FIXED 41u  /* nonce u64, point, count u8 (then the entries) */
/* flags, claim, address length: the fixed bytes of a WELCOME; a HELLO
 * has 2 more (hops), so this is the smaller of the two */
#define HELLO_FIXED (1u + EC_WIRE_CLAIM_BYTES + 1u)
#define HOPS_BYTES 2u /* HELLO: hops u16, after the flags */
/* The flags each kind may carry (docs/wire.md, "Field rules"). */
#define HELLO_FLAGS (ECP_F_NEAR | ECP_F_SYNC | ECP_F_JOIN | ECP_F_INTRO | ECP_F_READY)
#define WELCOME_FLAGS (ECP_F_NEAR | ECP_F_ADMITTED | ECP_F_READY)

/* The memory bound of ec_wire_decode_bound (wire.c): every body is
 * reserved once the bytes below are known to be there, and takes at most
 * four times as many bytes of memory (a hello and its claim: HELLO_FIXED,
 * the WELCOME's fixed bytes, fewer than a HELLO's; an audit: its 32 bytes
 * of fields; a proof: its fixed 41 bytes, then 64 bytes an entry, all of
 * them there before it is reserved). */
_Static_assert(sizeof(ec_contact) % EC_WIRE_ALIGN == 0, "ec_contact size");
_Static_assert(_Alignof(ecp_contacts) <= EC_WIRE_ALIGN, "ecp_contacts alignment");
_Static_assert(_Alignof(ecp_hello) <= EC_WIRE_ALIGN, "ecp_hello alignment");
_Static_assert(_Alignof(ecp_sync) <= EC_WIRE_ALIGN, "ecp_sync alignment");
_Static_assert(_Alignof(ecp_audit) <= EC_WIRE_ALIGN, "ecp_audit alignment");
_Static_assert(_Alignof(ecp_proof) <= EC_WIRE_ALIGN, "ecp_proof alignment");
_Static_assert(sizeof(ec_sp_mapping) % EC_WIRE_ALIGN == 0, "ec_sp_mapping size");
_Static_assert(sizeof(ec_identity_claim) == EC_WIRE_CLAIM_BYTES, "the claim is 96 plain bytes");
_Static_assert(sizeof(ec_contact) <= 4 * EC_WIRE_CONTACT_MIN, "ec_contact grew");
_Static_assert(sizeof(ecp_contacts) <= 4 * (TARGET_BYTES + 1), "ecp_contacts grew");
_Static_assert(sizeof(ecp_hello) + sizeof(ec_identity_claim) <= 4 * HELLO_FIXED, "ecp_hello grew");
_Static_assert(sizeof(ecp_sync) <= 4 * SYNC_FIELDS, "ecp_sync grew");
_Static_assert(sizeof(ecp_audit) <= 4 * AUDIT_FIELDS, "ecp_audit grew");
_Static_assert(sizeof(ecp_proof) <= 4 * PROOF_FIXED, "ecp_proof grew");
_Static_assert(sizeof(ec_sp_mapping) <= 4 * EC_SP_ENTRY_LEN, "ec_sp_mapping grew");
_Static_assert(EC_SP_ENTRY_LEN == 64, "a proof entry is a token and a block");
_Static_assert(EC_SP_ENTRIES <= 0xFF, "a proof count is a u8");
_Static_assert(ECP_MAX_CONTACTS <= 0xFFu, "a contact count is a u8");
_Static_assert(EC_ADDR_MAX <= 0xFFu, "an address length is a u8");

/* ---- contacts ------------------------------------------------------------ */

static size_t
contact_size(const ec_contact *c)
{
	return EC_WIRE_CONTACT_MIN + c->addr.len;
}

static size_t
contacts_size(const ec_contact *c, uint32_t n)
{
	size_t s = 0;
	for (uint32_t i = 0; i < n; i++)
		s += contact_size(&c[i]);
	return s;
}

static ec_wire_reason
addr_check(const ec_addr *a)
{
	if (a->len > EC_ADDR_MAX)
		return EC_WIRE_BAD_ADDR;
	/* the padding is not sent: non-zero padding would not come back */
	return ecp__all_zero(a->b + a->len, EC_ADDR_MAX - a->len) ? EC_WIRE_OK : EC_WIRE_BAD_ADDR;
}

/* A list's order and addresses, contact by contact, as the decoder reads
 * them (the count is the caller's). */
static ec_wire_reason
contacts_check(const ec_contact *c, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i > 0 && c[i - 1].id >= c[i].id)
			return EC_WIRE_CONTACT_ORDER;
		ec_wire_reason r = addr_check(&c[i].addr);
		if (r)
			return r;
	}
	return EC_WIRE_OK;
}

static uint8_t *
put_addr(uint8_t *p, const ec_addr *a)
{
	p = put_u8(p, a->len);
	return put_bytes(p, a->b, a->len);
}

static uint8_t *
put_contacts(uint8_t *p, const ec_contact *c, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		p = put_u64(p, c[i].id);
		p = put_addr(p, &c[i].addr);
	}
	return p;
}

/* An address length and its bytes; out (NULL when measuring) is zero
 * beyond len. */
static ec_wire_reason
addr_parse(cursor *c, ec_addr *out)
{
	const uint8_t *p = take(c, 1);
	if (!p)
		return EC_WIRE_TRUNCATED;
	uint8_t len = *p;
	if (len > EC_ADDR_MAX)
		return EC_WIRE_BAD_ADDR;
	if (!(p = take(c, len)))
		return EC_WIRE_TRUNCATED;
	if (out) {
		memset(out, 0, sizeof *out);
		out->len = len;
		memcpy(out->b, p, len);
	}
	return EC_WIRE_OK;
}

/* n contacts into out[] (NULL when measuring). */
static ec_wire_reason
contacts_parse(cursor *c, uint32_t n, ec_contact *out)
{
	uint64_t prev = 0;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = take(c, 8);
		if (!p)
			return EC_WIRE_TRUNCATED;
		uint64_t id = get_u64(p);
		if (i > 0 && id <= prev)
			return EC_WIRE_CONTACT_ORDER;
		prev = id;
		ec_wire_reason r = addr_parse(c, out ? &out[i].addr : NULL);
		if (r)
			return r;
		if (out)
			out[i].id = id;
	}
	return EC_WIRE_OK;
}

/* A contact count byte (at most ECP_MAX_CONTACTS), then the check that the
 * bytes left could hold that many contacts, before any memory is reserved
 * for them (this keeps decoding within ec_wire_decode_bound). */
static ec_wire_reason
count_parse(cursor *c, uint32_t *n)
{
	const uint8_t *p = take(c, 1);
	if (!p)
		return EC_WIRE_TRUNCATED;
	*n = *p;
	if (*n > ECP_MAX_CONTACTS)
		return EC_WIRE_CONTACT_COUNT;
	return (c->len - c->off) / EC_WIRE_CONTACT_MIN < *n ? EC_WIRE_TRUNCATED : EC_WIRE_OK;
}

static void
contact_sift_down(ec_contact *c, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && c[child].id < c[child + 1].id)
			child++;
		if (c[root].id >= c[child].id)
			return;
		ec_contact t = c[root];
		c[root] = c[child];
		c[child] = t;
		root = child;
	}
}

void
ec_wire_contacts_sort(ec_contact *c, uint32_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		contact_sift_down(c, i, n);
	for (size_t end = n; end-- > 1;) {
		ec_contact t = c[0];
		c[0] = c[end];
		c[end] = t;
		contact_sift_down(c, 0, end);
	}
}

/* ---- FIND and PEERS ------------------------------------------------------- */

/* The contact list of a FIND (exactly 1 contact, no count on the wire) or
 * a PEERS (a count byte first). */
static ec_wire_reason
contacts_check_kind(const ecp_item *it)
{
	const ecp_contacts *b = it->contacts;
	if (!b)
		return EC_WIRE_NO_BODY;
	if (it->kind == ECP_FIND ? b->n != 1 : b->n > ECP_MAX_CONTACTS)
		return EC_WIRE_CONTACT_COUNT;
	return contacts_check(b->c, b->n);
}

/* FIND: hops, target, one contact.  PEERS: target, count, contacts. */
static ec_wire_reason
contacts_item_parse(cursor *c, area *a, ecp_item *out)
{
	bool find = out->kind == ECP_FIND;
	const uint8_t *p = take(c, find ? FIND_FIELDS : TARGET_BYTES);
	if (!p)
		return EC_WIRE_TRUNCATED;
	if (find)
		out->hops = get_u16(p);
	uint64_t target = get_u64(find ? p + 2 : p);
	uint32_t n = 1;
	ec_wire_reason r = find ? (c->len - c->off < EC_WIRE_CONTACT_MIN ? EC_WIRE_TRUNCATED
	                                                                  : EC_WIRE_OK)
	                        : count_parse(c, &n);
	if (r)
		return r;
	void *mem;
	if (!reserve(a, sizeof(ecp_contacts) + n * sizeof(ec_contact), &mem))
		return EC_WIRE_NOSPACE;
	ecp_contacts *b = mem;
	out->contacts = b;
	if (b) {
		b->target = target;
		b->n = n;
	}
	return contacts_parse(c, n, b ? b->c : NULL);
}

/* ---- HELLO and WELCOME ---------------------------------------------------- */

/* The rules on flags and hops, in the order the decoder reads them:
 * flag bits the kind allows, then (HELLO) INTRO only with JOIN (both
 * BAD_FLAGS), then hops non-zero only on a relayed join: JOIN without INTRO
 * (BAD_VALUE; an introduced HELLO is not relayed, a direct one never
 * was).  A WELCOME carries no hops: the encoder ignores them. */
static ec_wire_reason
hello_flags_check(uint8_t kind, uint8_t flags)
{
	if (flags & ~(kind == ECP_WELCOME ? WELCOME_FLAGS : HELLO_FLAGS))
		return EC_WIRE_BAD_FLAGS;
	if ((flags & ECP_F_INTRO) && !(flags & ECP_F_JOIN))
		return EC_WIRE_BAD_FLAGS;
	return EC_WIRE_OK;
}

static ec_wire_reason
hello_hops_check(uint8_t flags, uint16_t hops)
{
	bool relayed = (flags & ECP_F_JOIN) && !(flags & ECP_F_INTRO);
	return hops && !relayed ? EC_WIRE_BAD_VALUE : EC_WIRE_OK;
}

static ec_wire_reason
hello_check(const ecp_item *it)
{
	const ecp_hello *h = it->hello;
	if (!h || !h->claim)
		return EC_WIRE_NO_BODY;
	ec_wire_reason r = hello_flags_check(it->kind, it->flags);
	if (r || (it->kind == ECP_HELLO && (r = hello_hops_check(it->flags, it->hops))))
		return r;
	if ((r = addr_check(&h->addr)))
		return r;
	/* a HELLO carries no contacts: refused rather than dropped, since
	 * they would not arrive */
	if (it->kind == ECP_HELLO ? h->n != 0 : h->n > ECP_MAX_CONTACTS)
		return EC_WIRE_CONTACT_COUNT;
	return contacts_check(h->c, h->n);
}

static uint8_t *
put_claim(uint8_t *p, const ec_identity_claim *cl)
{
	p = put_bytes(p, cl->public_key, EC_IDENTITY_KEY_BYTES);
	p = put_bytes(p, cl->salt, EC_IDENTITY_SALT_BYTES);
	return put_bytes(p, cl->address, EC_IDENTITY_ADDRESS_BYTES);
}

static void
claim_from(const uint8_t *p, ec_identity_claim *cl)
{
	memcpy(cl->public_key, p, EC_IDENTITY_KEY_BYTES);
	memcpy(cl->salt, p + EC_IDENTITY_KEY_BYTES, EC_IDENTITY_SALT_BYTES);
	memcpy(cl->address, p + EC_IDENTITY_KEY_BYTES + EC_IDENTITY_SALT_BYTES,
	       EC_IDENTITY_ADDRESS_BYTES);
}

/* flags, (HELLO) hops, claim, address, then (WELCOME) count and
 * contacts.  The hello and its claim are reserved once the fixed fields
 * are read. */
static ec_wire_reason
hello_item_parse(cursor *c, area *a, ecp_item *out)
{
	const uint8_t *p = take(c, 1);
	if (!p)
		return EC_WIRE_TRUNCATED;
	out->flags = *p;
	ec_wire_reason r = hello_flags_check(out->kind, out->flags);
	if (r)
		return r;
	if (out->kind == ECP_HELLO) {
		if (!(p = take(c, HOPS_BYTES)))
			return EC_WIRE_TRUNCATED;
		out->hops = get_u16(p);
		if ((r = hello_hops_check(out->flags, out->hops)))
			return r;
	}
	const uint8_t *claim = take(c, EC_WIRE_CLAIM_BYTES);
	if (!claim)
		return EC_WIRE_TRUNCATED;
	ec_addr addr;
	uint32_t n = 0;
	if ((r = addr_parse(c, &addr)) || (out->kind == ECP_WELCOME && (r = count_parse(c, &n))))
		return r;
	void *mem, *cmem;
	if (!reserve(a, sizeof(ecp_hello) + n * sizeof(ec_contact), &mem) ||
	    !reserve(a, sizeof(ec_identity_claim), &cmem))
		return EC_WIRE_NOSPACE;
	ecp_hello *h = mem;
	out->hello = h;
	if (h) {
		claim_from(claim, cmem);
		h->claim = cmem;
		h->addr = addr;
		h->n = n;
	}
	return contacts_parse(c, n, h ? h->c : NULL);
}

/* ---- SYNC and SYNCED ------------------------------------------------------ */

static ec_wire_reason
sync_item_parse(cursor *c, area *a, ecp_item *out)
{
	bool synced = out->kind == ECP_SYNCED;
	const uint8_t *p = take(c, SYNC_FIELDS + (synced ? 1u : 0u));
	if (!p)
		return EC_WIRE_TRUNCATED;
	if (synced && p[SYNC_FIELDS] > 1)
		return EC_WIRE_BAD_VALUE;
	void *mem;
	if (!reserve(a, sizeof(ecp_sync), &mem))
		return EC_WIRE_NOSPACE;
	ecp_sync *s = mem;
	out->sync = s;
	if (s) {
		memset(s, 0, sizeof *s);
		s->lo = get_u64(p);
		s->hi = get_u64(p + 8);
		s->after = ec_id_from_bytes(p + 16);
		s->more = synced ? p[SYNC_FIELDS] : 0;
	}
	return EC_WIRE_OK;
}

/* ---- AUDIT and PROOF ------------------------------------------------------- */

static ec_wire_reason
audit_item_parse(cursor *c, area *a, ecp_item *out)
{
	const uint8_t *p = take(c, AUDIT_FIELDS);
	if (!p)
		return EC_WIRE_TRUNCATED;
	void *mem;
	if (!reserve(a, sizeof(ecp_audit), &mem))
		return EC_WIRE_NOSPACE;
	ecp_audit *q = mem;
	out->audit = q;
	if (q) {
		memset(q, 0, sizeof *q);
		q->nonce = get_u64(p);
		q->round = get_u64(p + 8);
		q->lo = get_u64(p + 16);
		q->hi = get_u64(p + 24);
	}
	return EC_WIRE_OK;
}

/* Whether a proof's entries are canonical: as the answer they make
 * (count already at most EC_SP_ENTRIES). */
static ec_wire_reason
proof_order(const ec_sp_answer *ans)
{
	return ec_sp_answer_check(ans) == EC_SP_OK ? EC_WIRE_OK : EC_WIRE_PROOF_ORDER;
}

static ec_wire_reason
proof_check(const ecp_proof *pr)
{
	if (!pr)
		return EC_WIRE_NO_BODY;
	if (pr->count > EC_SP_ENTRIES)
		return EC_WIRE_BAD_VALUE;
	ec_sp_answer ans;
	memset(&ans, 0, sizeof ans);
	ans.point = pr->point;
	ans.count = (uint8_t)pr->count;
	if (pr->count)
		memcpy(ans.entries, pr->e, pr->count * sizeof(ec_sp_mapping));
	return proof_order(&ans);
}

static uint8_t *
put_proof(uint8_t *p, const ecp_proof *pr)
{
	p = put_u64(p, pr->nonce);
	p = put_id(p, &pr->point);
	p = put_u8(p, (uint8_t)pr->count);
	for (uint32_t i = 0; i < pr->count; i++) {
		p = put_id(p, &pr->e[i].token);
		p = put_id(p, &pr->e[i].block);
	}
	return p;
}

/* nonce, point, count (at most EC_SP_ENTRIES, refused as soon as it is
 * read), then count entries, all of which must be there and canonical
 * before the body is reserved. */
static ec_wire_reason
proof_item_parse(cursor *c, area *a, ecp_item *out)
{
	const uint8_t *p = take(c, PROOF_FIXED), *e;
	if (!p)
		return EC_WIRE_TRUNCATED;
	uint32_t n = p[PROOF_FIXED - 1];
	if (n > EC_SP_ENTRIES)
		return EC_WIRE_BAD_VALUE;
	if (!(e = take(c, EC_SP_ENTRY_LEN * (size_t)n)))
		return EC_WIRE_TRUNCATED;
	ec_sp_answer ans;
	memset(&ans, 0, sizeof ans);
	ans.point = ec_id_from_bytes(p + 8);
	ans.count = (uint8_t)n;
	for (uint32_t i = 0; i < n; i++) {
		ans.entries[i].token = ec_id_from_bytes(e + EC_SP_ENTRY_LEN * (size_t)i);
		ans.entries[i].block = ec_id_from_bytes(e + EC_SP_ENTRY_LEN * (size_t)i + 32);
	}
	ec_wire_reason r = proof_order(&ans);
	if (r)
		return r;
	void *mem;
	if (!reserve(a, sizeof(ecp_proof) + n * sizeof(ec_sp_mapping), &mem))
		return EC_WIRE_NOSPACE;
	ecp_proof *pr = mem;
	out->proof = pr;
	if (pr) {
		memset(pr, 0, sizeof *pr);
		pr->nonce = get_u64(p);
		pr->point = ans.point;
		pr->count = n;
		if (n)
			memcpy(pr->e, ans.entries, n * sizeof(ec_sp_mapping));
	}
	return EC_WIRE_OK;
}

/* ---- the kinds ------------------------------------------------------------- */

size_t
ecp__wire_peer_size(const ecp_item *it)
{
	switch (it->kind) {
	case ECP_FIND:
	case ECP_PEERS: {
		const ecp_contacts *b = it->contacts;
		if (!b)
			return 0;
		size_t head = it->kind == ECP_FIND ? FIND_FIELDS : TARGET_BYTES + 1;
		return ITEM_HDR + head + contacts_size(b->c, b->n);
	}
	case ECP_HELLO:
	case ECP_WELCOME: {
		const ecp_hello *h = it->hello;
		if (!h || !h->claim)
			return 0;
		size_t s = ITEM_HDR + HELLO_FIXED + h->addr.len;
		return it->kind == ECP_HELLO ? s + HOPS_BYTES : s + 1 + contacts_size(h->c, h->n);
	}
	case ECP_PING: return ITEM_HDR + 1;
	case ECP_BYE: return ITEM_HDR;
	case ECP_SYNC: return it->sync ? ITEM_HDR + SYNC_FIELDS : 0;
	case ECP_SYNCED: return it->sync ? ITEM_HDR + SYNC_FIELDS + 1 : 0;
	case ECP_AUDIT: return it->audit ? ITEM_HDR + AUDIT_FIELDS : 0;
	case ECP_PROOF:
		return it->proof ? ITEM_HDR + PROOF_FIXED + EC_SP_ENTRY_LEN * (size_t)it->proof->count
		                 : 0;
	default: return 0;
	}
}

ec_wire_reason
ecp__wire_peer_check(const ecp_item *it)
{
	switch (it->kind) {
	case ECP_FIND:
	case ECP_PEERS: return contacts_check_kind(it);
	case ECP_HELLO:
	case ECP_WELCOME: return hello_check(it);
	case ECP_PING: return it->value == 0 || it->value == 1 ? EC_WIRE_OK : EC_WIRE_BAD_VALUE;
	case ECP_BYE: return EC_WIRE_OK;
	case ECP_SYNC:
	case ECP_SYNCED:
		if (!it->sync)
			return EC_WIRE_NO_BODY;
		/* a request has no "more": refused rather than dropped */
		return it->sync->more <= (it->kind == ECP_SYNCED ? 1 : 0) ? EC_WIRE_OK
		                                                          : EC_WIRE_BAD_VALUE;
	case ECP_AUDIT: return it->audit ? EC_WIRE_OK : EC_WIRE_NO_BODY;
	case ECP_PROOF: return proof_check(it->proof);
	default: return EC_WIRE_BAD_TYPE;
	}
}

uint8_t *
ecp__wire_peer_put(uint8_t *p, const ecp_item *it)
{
	switch (it->kind) {
	case ECP_FIND:
		p = put_u16(p, it->hops);
		p = put_u64(p, it->contacts->target);
		return put_contacts(p, it->contacts->c, 1);
	case ECP_PEERS:
		p = put_u64(p, it->contacts->target);
		p = put_u8(p, (uint8_t)it->contacts->n);
		return put_contacts(p, it->contacts->c, it->contacts->n);
	case ECP_HELLO:
	case ECP_WELCOME:
		p = put_u8(p, it->flags);
		if (it->kind == ECP_HELLO)
			p = put_u16(p, it->hops);
		p = put_claim(p, it->hello->claim);
		p = put_addr(p, &it->hello->addr);
		if (it->kind == ECP_HELLO)
			return p;
		p = put_u8(p, (uint8_t)it->hello->n);
		return put_contacts(p, it->hello->c, it->hello->n);
	case ECP_PING: return put_u8(p, (uint8_t)it->value);
	case ECP_SYNC:
	case ECP_SYNCED:
		p = put_u64(p, it->sync->lo);
		p = put_u64(p, it->sync->hi);
		p = put_id(p, &it->sync->after);
		return it->kind == ECP_SYNCED ? put_u8(p, it->sync->more) : p;
	case ECP_AUDIT:
		p = put_u64(p, it->audit->nonce);
		p = put_u64(p, it->audit->round);
		p = put_u64(p, it->audit->lo);
		return put_u64(p, it->audit->hi);
	case ECP_PROOF: return put_proof(p, it->proof);
	default: /* BYE */
		return p;
	}
}

ec_wire_reason
ecp__wire_peer_parse(cursor *c, area *a, ecp_item *out)
{
	switch (out->kind) {
	case ECP_FIND:
	case ECP_PEERS: return contacts_item_parse(c, a, out);
	case ECP_HELLO:
	case ECP_WELCOME: return hello_item_parse(c, a, out);
	case ECP_PING: {
		const uint8_t *p = take(c, 1);
		if (!p)
			return EC_WIRE_TRUNCATED;
		if (*p > 1)
			return EC_WIRE_BAD_VALUE;
		out->value = (int8_t)*p;
		return EC_WIRE_OK;
	}
	case ECP_SYNC:
	case ECP_SYNCED: return sync_item_parse(c, a, out);
	case ECP_AUDIT: return audit_item_parse(c, a, out);
	case ECP_PROOF: return proof_item_parse(c, a, out);
	default: /* BYE: nothing after the version */
		return EC_WIRE_OK;
	}
}
