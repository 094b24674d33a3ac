/* SPDX-License-Identifier: MIT */
/*
 * Proof of storage (ec/storage_proof.h): challenge points, answer
 * selection over a caller's ordered view, verification against the
 * requester's knowledge and against other peers' answers, and the
 * canonical QueryToken / Answer encodings.
 *
 * Everything ring-related is expressed with two distances from the point:
 * up(t) = t - P and down(t) = P - t, both mod 2^256.  A canonical answer
 * lists its up entries by increasing up(), its down entries by increasing
 * down(), and all up entries before all down entries in up() order; the
 * builder checks its own output with the same rule the decoder applies, so
 * a misbehaving view cannot make us send a non-canonical answer.  No
 * allocation: every loop is bounded by the 10 entries (the comparison by
 * EC_SP_MAX_PEERS answers), not by the size of a store.
 */
#include "ec/storage_proof.h"

#include <string.h>

#include "ec/blake3.h"
#include "ec/msg.h"

_Static_assert(EC_SP_TYPE_QUERY == EC_MSG_QUERY_TOKEN, "QueryToken type byte");
_Static_assert(EC_SP_TYPE_ANSWER == EC_MSG_ANSWER, "Answer type byte");
_Static_assert(EC_SP_ENTRIES == EC_TOKENS_SIGNATURE_SIZE, "10 mappings, as the reference");
_Static_assert(EC_SP_ENTRIES == 2 * EC_SP_HALF, "halves");
_Static_assert(EC_SP_ANSWER_MAX_LEN == 707, "answer size");

/* ---- 256-bit ring arithmetic (w[0] most significant) ---- */

/* a + 1 mod 2^256 */
static ec_id
id_inc(const ec_id *a)
{
	ec_id r = *a;
	for (int i = 3; i >= 0; i--)
		if (++r.w[i] != 0)
			break;
	return r;
}

/* a - 1 mod 2^256 */
static ec_id
id_dec(const ec_id *a)
{
	ec_id r = *a;
	for (int i = 3; i >= 0; i--)
		if (r.w[i]-- != 0)
			break;
	return r;
}

static bool
mapping_eq(const ec_sp_mapping *a, const ec_sp_mapping *b)
{
	return ec_id_eq(&a->token, &b->token) && ec_id_eq(&a->block, &b->block);
}

static unsigned
n_up(unsigned count)
{
	return count < EC_SP_HALF ? count : EC_SP_HALF;
}

/* ---- text ---- */

const char *
ec_sp_reason_str(ec_sp_reason r)
{
	switch (r) {
	case EC_SP_OK: return "ok";
	case EC_SP_BAD_SHORT: return "input ends inside a field";
	case EC_SP_BAD_TYPE: return "wrong message type";
	case EC_SP_BAD_VERSION: return "unsupported version";
	case EC_SP_BAD_TRAILING: return "trailing bytes";
	case EC_SP_BAD_COUNT: return "more than 10 entries";
	case EC_SP_BAD_DUPLICATE: return "duplicate token";
	case EC_SP_BAD_ORDER_UP: return "up entries not ascending from the point";
	case EC_SP_BAD_ORDER_DOWN: return "down entries not descending below the point";
	case EC_SP_BAD_CROSSING: return "down entry inside the span of the up entries";
	}
	return "unknown reason";
}

const char *
ec_sp_verdict_str(ec_sp_verdict v)
{
	switch (v) {
	case EC_SP_PASS: return "pass";
	case EC_SP_FAIL_MISMATCH: return "too many entries wrong or missing";
	case EC_SP_FAIL_POINT: return "answer for another challenge point";
	case EC_SP_FAIL_RESPONDER: return "answer not from the audited node";
	case EC_SP_FAIL_MALFORMED: return "entries not in canonical order";
	case EC_SP_FAIL_DUPLICATE: return "second answer from one responder";
	case EC_SP_INCONCLUSIVE: return "inconclusive";
	}
	return "unknown verdict";
}

/* ---- challenge ---- */

static void
put_u64le(uint8_t *p, uint64_t x)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(x >> (8 * i));
}

static uint64_t
get_u64le(const uint8_t *p)
{
	uint64_t x = 0;
	for (unsigned i = 8; i-- > 0;)
		x = x << 8 | p[i];
	return x;
}

void
ec_sp_challenge(const ec_sp_query *q, ec_id *point)
{
	uint8_t in[32 + 32 + 8 + 8], out[32];
	ec_id_to_bytes(&q->requester, in);
	ec_id_to_bytes(&q->responder, in + 32);
	put_u64le(in + 64, q->nonce);
	put_u64le(in + 72, q->round);
	ec_blake3 h;
	ec_blake3_init_derive_key(&h, EC_SP_CONTEXT);
	ec_blake3_update(&h, in, sizeof in);
	ec_blake3_final(&h, out, sizeof out);
	*point = ec_id_from_bytes(out);
}

/* ---- views ---- */

static bool
array_at_or_above(const void *impl, const ec_id *x, ec_sp_mapping *out)
{
	const ec_sp_array *a = impl;
	size_t lo = 0, hi = a->n; /* first index with token >= x */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ec_id_cmp(&a->m[mid].token, x) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == a->n)
		return false;
	*out = a->m[lo];
	return true;
}

static bool
array_at_or_below(const void *impl, const ec_id *x, ec_sp_mapping *out)
{
	const ec_sp_array *a = impl;
	size_t lo = 0, hi = a->n; /* first index with token > x */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ec_id_cmp(&a->m[mid].token, x) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	*out = a->m[lo - 1];
	return true;
}

static const ec_sp_view_ops array_ops = {array_at_or_above, array_at_or_below};

ec_sp_view
ec_sp_array_view(const ec_sp_array *a)
{
	ec_sp_view v = {&array_ops, a};
	return v;
}

/* The first stored token at or above x, wrapping past 2^256-1. */
static bool
cyc_up(const ec_sp_view *v, const ec_id *x, ec_sp_mapping *out)
{
	static const ec_id zero = {{0, 0, 0, 0}};
	return v->ops->at_or_above(v->impl, x, out) || v->ops->at_or_above(v->impl, &zero, out);
}

/* The first stored token at or below x, wrapping past 0. */
static bool
cyc_down(const ec_sp_view *v, const ec_id *x, ec_sp_mapping *out)
{
	static const ec_id top = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
	return v->ops->at_or_below(v->impl, x, out) || v->ops->at_or_below(v->impl, &top, out);
}

/* ---- answer selection and canonical form ---- */

static int
find_token(const ec_sp_answer *a, const ec_id *t)
{
	for (unsigned i = 0; i < a->count && i < EC_SP_ENTRIES; i++)
		if (ec_id_eq(&a->entries[i].token, t))
			return (int)i;
	return -1;
}

ec_err
ec_sp_answer_build(const ec_id *responder, const ec_id *point, const ec_sp_view *view,
                   ec_sp_answer *out)
{
	ec_id who = *responder, p = *point; /* either may point into *out */
	memset(out, 0, sizeof *out);
	out->responder = who;
	out->point = p;
	ec_sp_mapping m;
	ec_id x = p;
	unsigned n = 0;
	while (n < EC_SP_HALF && cyc_up(view, &x, &m)) {
		if (n > 0 && ec_id_eq(&m.token, &out->entries[0].token))
			break; /* came round: the store holds fewer than 5 tokens */
		out->entries[n++] = m;
		out->count = (uint8_t)n;
		x = id_inc(&m.token);
	}
	x = id_dec(&p);
	while (n < EC_SP_ENTRIES && cyc_down(view, &x, &m)) {
		if (find_token(out, &m.token) >= 0)
			break; /* met the up scan: the store holds fewer than 10 */
		out->entries[n++] = m;
		out->count = (uint8_t)n;
		x = id_dec(&m.token);
	}
	if (ec_sp_answer_check(out) != EC_SP_OK) {
		memset(out->entries, 0, sizeof out->entries);
		out->count = 0;
		return EC_EINVAL;
	}
	return EC_OK;
}

ec_sp_reason
ec_sp_answer_check(const ec_sp_answer *a)
{
	if (a->count > EC_SP_ENTRIES)
		return EC_SP_BAD_COUNT;
	unsigned c = a->count, nu = n_up(c);
	for (unsigned i = 0; i < c; i++)
		for (unsigned j = i + 1; j < c; j++)
			if (ec_id_eq(&a->entries[i].token, &a->entries[j].token))
				return EC_SP_BAD_DUPLICATE;
	for (unsigned i = 1; i < nu; i++) {
		ec_id d0 = ec_id_sub(&a->entries[i - 1].token, &a->point);
		ec_id d1 = ec_id_sub(&a->entries[i].token, &a->point);
		if (ec_id_cmp(&d0, &d1) >= 0)
			return EC_SP_BAD_ORDER_UP;
	}
	ec_id prev = {{0, 0, 0, 0}}; /* down(t) is never 0: t is below the point */
	for (unsigned i = nu; i < c; i++) {
		ec_id d = ec_id_sub(&a->point, &a->entries[i].token);
		if (ec_id_cmp(&prev, &d) >= 0)
			return EC_SP_BAD_ORDER_DOWN;
		prev = d;
	}
	if (c > nu) {
		ec_id du = ec_id_sub(&a->entries[nu - 1].token, &a->point);
		ec_id dd = ec_id_sub(&a->entries[c - 1].token, &a->point);
		if (ec_id_cmp(&du, &dd) >= 0)
			return EC_SP_BAD_CROSSING;
	}
	return EC_SP_OK;
}

/* ---- verification against the requester's own mappings ---- */

/* Accounts one known mapping inside the answer's span; returns false once
 * the answer has certainly failed (which bounds the scan). */
static bool
tally_one(ec_sp_tally *t, const ec_sp_answer *a, const ec_sp_mapping *m)
{
	int i = find_token(a, &m->token);
	if (i < 0) {
		t->omitted++;
	} else {
		t->checked++;
		if (!ec_id_eq(&a->entries[i].block, &m->block))
			t->wrong++;
	}
	return t->wrong + t->omitted <= EC_SP_ENTRIES;
}

/* Walks `known` up from the point over tokens t with up(t) <= *limit,
 * stopping when the walk comes round. */
static void
scan_up(ec_sp_tally *t, const ec_sp_answer *a, const ec_sp_view *known, const ec_id *limit)
{
	ec_sp_mapping m;
	ec_id x = a->point, last = {{0, 0, 0, 0}};
	bool first = true;
	while (cyc_up(known, &x, &m)) {
		ec_id d = ec_id_sub(&m.token, &a->point);
		if (ec_id_cmp(&d, limit) > 0 || (!first && ec_id_cmp(&d, &last) <= 0))
			return;
		if (!tally_one(t, a, &m))
			return;
		first = false;
		last = d;
		x = id_inc(&m.token);
	}
}

/* Walks `known` down from just below the point over tokens t with
 * down(t) <= *limit. */
static void
scan_down(ec_sp_tally *t, const ec_sp_answer *a, const ec_sp_view *known, const ec_id *limit)
{
	ec_sp_mapping m;
	ec_id x = id_dec(&a->point), last = {{0, 0, 0, 0}};
	while (cyc_down(known, &x, &m)) {
		/* d grows from 1 until the walk comes round (to the point itself,
		 * d = 0, or past it), which the second test also catches */
		ec_id d = ec_id_sub(&a->point, &m.token);
		if (ec_id_cmp(&d, limit) > 0 || ec_id_cmp(&d, &last) <= 0)
			return;
		if (!tally_one(t, a, &m))
			return;
		last = d;
		x = id_dec(&m.token);
	}
}

ec_err
ec_sp_verify_known(const ec_sp_query *q, const ec_sp_answer *a, const ec_sp_view *known,
                   unsigned min_agree, ec_sp_verdict *verdict, ec_sp_tally *tally)
{
	if (min_agree > EC_SP_ENTRIES)
		return EC_EINVAL;
	ec_id point;
	ec_sp_challenge(q, &point);
	return ec_sp_verify_point(&q->responder, &point, a, known, min_agree, verdict, tally);
}

ec_err
ec_sp_verify_point(const ec_id *responder, const ec_id *point, const ec_sp_answer *a,
                   const ec_sp_view *known, unsigned min_agree, ec_sp_verdict *verdict,
                   ec_sp_tally *tally)
{
	if (min_agree > EC_SP_ENTRIES)
		return EC_EINVAL;
	ec_sp_tally t = {0, 0, 0};
	ec_sp_verdict v;
	if (!ec_id_eq(&a->responder, responder)) {
		v = EC_SP_FAIL_RESPONDER;
	} else if (!ec_id_eq(&a->point, point)) {
		v = EC_SP_FAIL_POINT;
	} else if (ec_sp_answer_check(a) != EC_SP_OK) {
		v = EC_SP_FAIL_MALFORMED;
	} else {
		if (a->count < EC_SP_ENTRIES) {
			/* a short store claims to hold nothing else: the whole ring */
			static const ec_id all = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
			scan_up(&t, a, known, &all);
		} else {
			ec_id lu = ec_id_sub(&a->entries[EC_SP_HALF - 1].token, &a->point);
			ec_id ld = ec_id_sub(&a->point, &a->entries[EC_SP_ENTRIES - 1].token);
			scan_up(&t, a, known, &lu);
			if (t.wrong + t.omitted <= EC_SP_ENTRIES)
				scan_down(&t, a, known, &ld);
		}
		if ((unsigned)t.wrong + t.omitted > EC_SP_ENTRIES - min_agree)
			v = EC_SP_FAIL_MISMATCH;
		else if (t.checked == 0)
			v = EC_SP_INCONCLUSIVE;
		else
			v = EC_SP_PASS;
	}
	*verdict = v;
	if (tally)
		*tally = t;
	return EC_OK;
}

/* ---- comparison of several answers ---- */

/* Number of taking-part answers that contain mapping m. */
static unsigned
votes_for(const ec_sp_answer *answers, const bool *part, size_t k, const ec_sp_mapping *m)
{
	unsigned v = 0;
	for (size_t j = 0; j < k; j++) {
		if (!part[j])
			continue;
		const ec_sp_answer *b = &answers[j];
		for (unsigned e = 0; e < b->count; e++)
			if (mapping_eq(&b->entries[e], m)) {
				v++;
				break;
			}
	}
	return v;
}

ec_err
ec_sp_compare(const ec_sp_answer *answers, size_t k, const ec_id *point, unsigned min_agree,
              ec_sp_verdict *verdicts, uint8_t *agree)
{
	if (k > EC_SP_MAX_PEERS || min_agree > EC_SP_ENTRIES)
		return EC_EINVAL;
	bool part[EC_SP_MAX_PEERS];
	size_t kk = 0;
	for (size_t i = 0; i < k; i++) {
		const ec_sp_answer *a = &answers[i];
		part[i] = false;
		if (agree)
			agree[i] = 0;
		if (ec_sp_answer_check(a) != EC_SP_OK) {
			verdicts[i] = EC_SP_FAIL_MALFORMED;
			continue;
		}
		if (!ec_id_eq(&a->point, point)) {
			verdicts[i] = EC_SP_FAIL_POINT;
			continue;
		}
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = part[j] && ec_id_eq(&answers[j].responder, &a->responder);
		if (dup) {
			verdicts[i] = EC_SP_FAIL_DUPLICATE;
			continue;
		}
		part[i] = true;
		kk++;
	}
	if (kk < EC_SP_MIN_PEERS) {
		for (size_t i = 0; i < k; i++)
			if (part[i])
				verdicts[i] = EC_SP_INCONCLUSIVE;
		return EC_OK;
	}
	/* |M|: count each majority entry at its first occurrence */
	unsigned msize = 0;
	for (size_t i = 0; i < k; i++) {
		if (!part[i])
			continue;
		for (unsigned e = 0; e < answers[i].count; e++) {
			const ec_sp_mapping *m = &answers[i].entries[e];
			if (votes_for(answers, part, i, m) > 0)
				continue; /* seen in an earlier answer */
			if (2 * votes_for(answers, part, k, m) > kk)
				msize++;
		}
	}
	unsigned target = msize < EC_SP_ENTRIES ? msize : EC_SP_ENTRIES;
	for (size_t i = 0; i < k; i++) {
		if (!part[i])
			continue;
		const ec_sp_answer *a = &answers[i];
		unsigned ag = 0;
		for (unsigned e = 0; e < a->count; e++)
			if (2 * votes_for(answers, part, k, &a->entries[e]) > kk)
				ag++;
		unsigned size = a->count > target ? a->count : target;
		verdicts[i] = size - ag <= EC_SP_ENTRIES - min_agree ? EC_SP_PASS : EC_SP_FAIL_MISMATCH;
		if (agree)
			agree[i] = (uint8_t)ag;
	}
	return EC_OK;
}

/* ---- wire ---- */

void
ec_sp_query_encode(const ec_sp_query *q, uint8_t out[EC_SP_QUERY_LEN])
{
	out[0] = EC_SP_TYPE_QUERY;
	out[1] = EC_SP_VERSION;
	ec_id_to_bytes(&q->requester, out + 2);
	ec_id_to_bytes(&q->responder, out + 34);
	put_u64le(out + 66, q->nonce);
	put_u64le(out + 74, q->round);
}

/* The checks every message starts with, in the order the bytes come. */
static ec_sp_reason
check_head(const uint8_t *in, size_t len, uint8_t type)
{
	if (len < 1)
		return EC_SP_BAD_SHORT;
	if (in[0] != type)
		return EC_SP_BAD_TYPE;
	if (len < 2)
		return EC_SP_BAD_SHORT;
	if (in[1] != EC_SP_VERSION)
		return EC_SP_BAD_VERSION;
	return EC_SP_OK;
}

ec_sp_reason
ec_sp_query_decode(const uint8_t *in, size_t len, ec_sp_query *q)
{
	ec_sp_reason r = check_head(in, len, EC_SP_TYPE_QUERY);
	if (r != EC_SP_OK)
		return r;
	if (len < EC_SP_QUERY_LEN)
		return EC_SP_BAD_SHORT;
	if (len > EC_SP_QUERY_LEN)
		return EC_SP_BAD_TRAILING;
	q->requester = ec_id_from_bytes(in + 2);
	q->responder = ec_id_from_bytes(in + 34);
	q->nonce = get_u64le(in + 66);
	q->round = get_u64le(in + 74);
	return EC_SP_OK;
}

ec_err
ec_sp_answer_encode(const ec_sp_answer *a, uint8_t *out, size_t *len)
{
	if (ec_sp_answer_check(a) != EC_SP_OK)
		return EC_EINVAL;
	size_t need = ec_sp_answer_len(a->count);
	if (*len < need)
		return EC_ERANGE;
	out[0] = EC_SP_TYPE_ANSWER;
	out[1] = EC_SP_VERSION;
	ec_id_to_bytes(&a->responder, out + 2);
	ec_id_to_bytes(&a->point, out + 34);
	out[66] = a->count;
	uint8_t *p = out + EC_SP_ANSWER_HEADER_LEN;
	for (unsigned i = 0; i < a->count; i++, p += EC_SP_ENTRY_LEN) {
		ec_id_to_bytes(&a->entries[i].token, p);
		ec_id_to_bytes(&a->entries[i].block, p + 32);
	}
	*len = need;
	return EC_OK;
}

ec_sp_reason
ec_sp_answer_decode(const uint8_t *in, size_t len, ec_sp_answer *a)
{
	ec_sp_reason r = check_head(in, len, EC_SP_TYPE_ANSWER);
	if (r != EC_SP_OK)
		return r;
	if (len < EC_SP_ANSWER_HEADER_LEN)
		return EC_SP_BAD_SHORT;
	if (in[66] > EC_SP_ENTRIES)
		return EC_SP_BAD_COUNT;
	size_t need = ec_sp_answer_len(in[66]);
	if (len < need)
		return EC_SP_BAD_SHORT;
	if (len > need)
		return EC_SP_BAD_TRAILING;
	ec_sp_answer t;
	memset(&t, 0, sizeof t);
	t.responder = ec_id_from_bytes(in + 2);
	t.point = ec_id_from_bytes(in + 34);
	t.count = in[66];
	const uint8_t *p = in + EC_SP_ANSWER_HEADER_LEN;
	for (unsigned i = 0; i < t.count; i++, p += EC_SP_ENTRY_LEN) {
		t.entries[i].token = ec_id_from_bytes(p);
		t.entries[i].block = ec_id_from_bytes(p + 32);
	}
	r = ec_sp_answer_check(&t);
	if (r == EC_SP_OK)
		*a = t;
	return r;
}
