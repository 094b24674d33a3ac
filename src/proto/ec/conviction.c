/* SPDX-License-Identifier: MIT */
/*
 * Signed votes and convictions (ECP_DEF_SIGNED, ECP_DEF_CONVICT;
 * docs/byzantine.md, "Defences").
 *
 * Without signatures a vote is authenticated only by the transport that
 * carried it, and a certificate is a list anyone can write: measured, 0.5 %
 * of nodes forging certificates double-spent 12 % of an attacker's
 * families.  Under ECP_DEF_SIGNED every vote carries its voter's signature
 * of ecp_vote_digest, a submitter records a yes only with a valid one, and
 * a certificate's yes counts for a node only with a valid one: a forger
 * can sign for itself and its allies, never for an honest member.
 *
 * A signed yes is also evidence.  An honest member backs one block per
 * (token, parent) for good (signed votes are final: safety.c), so two of
 * its signed yes votes for different blocks with one (token, parent) prove
 * a double vote, checkable by anyone (ecp_accuse_check).  Under
 * ECP_DEF_CONVICT a node that holds both (two votes it recorded, or a
 * certificate against a vote or another certificate) convicts the voter:
 * none of its votes counts for the node again, it passes the proof to its
 * peers around the voter (who count the voter's votes as fellow members),
 * and every member that votes on a block of such a window hands the proofs
 * of the convicted voters there to the block's submitter, who counts their
 * votes otherwise.  An open-network node also evicts the voter and refuses
 * its HELLOs from then on (member.c, MP_EVICTED).
 *
 * How it fails: conviction comes after the fact.  The double vote that
 * shows a liar may already have committed two blocks; what conviction buys
 * is that the same voter cannot do it again where the proof has reached.
 * A liar that never signs two conflicting yes votes (an accomplice that
 * backs one twin, a censor, a silent node) gives no proof and is never
 * convicted: scoring on verifiable misbehaviour only, by design.
 */
#include <stdint.h>
#include <string.h>

#include "ec/blake3.h"
#include "ec/sig.h"
#include "proto/ec/member.h"
#include "proto/ec/node.h"

void
ecp_vote_digest(const ec_id *block, uint16_t role, int8_t value, const ec_id *token,
                const ec_id *parent, uint8_t out[32])
{
	uint8_t b[32 + 2 + 1 + 64] = {0};
	ec_id_to_bytes(block, b);
	b[32] = (uint8_t)(role >> 8);
	b[33] = (uint8_t)role;
	b[34] = (uint8_t)value;
	if (token)
		ec_id_to_bytes(token, b + 35);
	if (parent)
		ec_id_to_bytes(parent, b + 67);
	ec_blake3 h;
	ec_blake3_init_derive_key(&h, "ec vote v1");
	ec_blake3_update(&h, b, sizeof b);
	ec_blake3_final(&h, out, 32);
}

/* The digest of a vote on role code of b. */
static void
digest_of(const ecp_block *b, uint16_t code, int8_t value, uint8_t out[32])
{
	if (code == ECP_ROLE_WITNESS || code >= b->nparts)
		ecp_vote_digest(&b->id, code, value, NULL, NULL, out);
	else
		ecp_vote_digest(&b->id, code, value, &b->parts[code].token, &b->parts[code].parent,
		                out);
}

bool
ecp_accuse_check(const ecp_accuse *a, const ec_sig_scheme *scheme,
                 const uint8_t pk[EC_SIG_PK_BYTES])
{
	if (!scheme || ec_id_cmp(&a->block[0], &a->block[1]) >= 0)
		return false;
	for (int k = 0; k < 2; k++) {
		if (a->role[k] == ECP_ROLE_WITNESS || a->role[k] >= ECP_MAX_PARTS)
			return false;
		uint8_t d[32];
		ecp_vote_digest(&a->block[k], a->role[k], 1, &a->token, &a->parent, d);
		if (!scheme->verify(pk, a->sig[k].b, d, sizeof d))
			return false;
	}
	return true;
}

static bool
sig_zero(const ecp_vsig *s)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < sizeof s->b; i++)
		acc |= s->b[i];
	return acc == 0;
}

void
ecp__vote_sign(const ecp_node *n, const ec_ctx *ctx, const ecp_block *b, uint16_t code,
               int8_t value, ecp_vsig *out)
{
	memset(out, 0, sizeof *out);
	if (!ctx->vote_sign)
		return;
	uint8_t d[32];
	digest_of(b, code, value, d);
	ctx->vote_sign(ctx->vote_user, n->pos, d, out->b);
}

/* The public key of voter: the driver's directory, else (open networks,
 * where the directory does not know it) the identity I admitted at that
 * position.  Both hold only checked identities. */
static bool
voter_key(const ecp_node *n, const ec_ctx *ctx, uint64_t voter, uint8_t pk[EC_SIG_PK_BYTES])
{
	if (ctx->vote_key && ctx->vote_key(ctx->vote_user, voter, pk))
		return true;
	const ec_identity_claim *c = n->m ? ecp__member_claim(n, voter) : NULL;
	if (!c)
		return false;
	memcpy(pk, c->public_key, EC_SIG_PK_BYTES);
	return true;
}

bool
ecp__vote_verify(const ecp_node *n, const ec_ctx *ctx, const ecp_block *b, uint16_t code,
                 int8_t value, uint64_t voter, const ecp_vsig *sig)
{
	uint8_t pk[EC_SIG_PK_BYTES], d[32];
	if (!sig || !ctx->sig || sig_zero(sig) || !voter_key(n, ctx, voter, pk))
		return false;
	digest_of(b, code, value, d);
	return ctx->sig->verify(pk, sig->b, d, sizeof d);
}

const ecp_vsig *
ecp__my_sig(const ecp_node *n, const entry *e, uint16_t code)
{
	for (uint32_t k = 0; e->vsig && k < e->nvotes; k++)
		if (e->votes[k].voter == n->pos && e->votes[k].role == code)
			return sig_zero(&e->vsig[k]) ? NULL : &e->vsig[k];
	return NULL;
}

/* The index of voter's proof in n->conv, or where it would go. */
static uint32_t
conv_search(const ecp_node *n, uint64_t voter, bool *found)
{
	uint32_t lo = 0, hi = n->nconv;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (n->conv[mid]->voter < voter)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < n->nconv && n->conv[lo]->voter == voter;
	return lo;
}

bool
ecp__convicted(const ecp_node *n, uint64_t voter)
{
	bool found = false;
	if (n->nconv)
		(void)conv_search(n, voter, &found);
	return found || (n->nout_scored && ecp__scored_out(n, voter));
}

/* Whether vote k of cert may count for me. */
static bool
vote_counts(const ecp_node *n, const ec_ctx *ctx, const ecp_block *b, const ecp_cert *c,
            uint32_t k)
{
	const ecp_vote *v = &c->v[k];
	if (ecp__convicted(n, v->voter))
		return false;
	if (!signed_votes(n) || v->value < 0)
		return true; /* a no can only hold a block back */
	return c->sigs && ecp__vote_verify(n, ctx, b, v->role, v->value, v->voter, ecp_cert_sig(c, k));
}

ec_err
ecp__cert_filter(const ecp_node *n, const ec_ctx *ctx, const ecp_block *b, const ecp_cert *cert,
                 const ecp_cert **out)
{
	*out = cert;
	if (!signed_votes(n) && !n->nconv && !n->nout_scored)
		return EC_OK;
	uint32_t k = 0;
	while (k < cert->n && vote_counts(n, ctx, b, cert, k))
		k++;
	if (k == cert->n)
		return EC_OK;
	/* votes only: decide() reads no signature */
	ecp_cert *c = ctx->realloc_fn(ctx->alloc_user, NULL, 0, ecp_cert_bytes(cert->n, false));
	if (!c)
		return EC_ENOMEM;
	c->sigs = 0;
	c->n = k;
	memcpy(c->v, cert->v, k * sizeof *c->v);
	for (k++; k < cert->n; k++)
		if (vote_counts(n, ctx, b, cert, k))
			c->v[c->n++] = cert->v[k];
	*out = c;
	return EC_OK;
}

void
ecp__cert_release(const ec_ctx *ctx, const ecp_cert *given, const ecp_cert *made)
{
	if (made && made != given)
		ctx->realloc_fn(ctx->alloc_user, (void *)(uintptr_t)made, ecp_cert_bytes(given->n, false), 0);
}

/* ---- convictions ------------------------------------------------------ */

/* Sends the proof to my peers in my window around the voter, if I am in
 * it (its ring neighbours, who share its windows and count its votes as
 * fellow members); each of them does the same once.  A node farther off
 * keeps the proof to itself: passed on from there it would flood the
 * network (measured: 2,000 nodes of 2,000 convicted every liar). */
static ec_err
spread_proof(ecp_node *n, const ec_ctx *ctx, const ecp_accuse *a)
{
	ec_range w = ecp_window(&n->peers, n->pos, a->voter, n->cfg.window);
	if (!ec_range_contains(w, n->pos))
		return EC_OK;
	ecp_item it = {.kind = ECP_ACCUSE, .accuse = a};
	for (uint32_t k = 0; k < n->peers.len; k++) {
		uint64_t q = n->peers.ids[k];
		ec_err err;
		if (q != a->voter && ec_range_contains(w, q) && (err = send_item(n, ctx, q, &it)))
			return err;
	}
	return EC_OK;
}

/* Convicts a->voter on the proof *a (checked by the caller), unless it is
 * me or convicted already: keeps an interned copy, recounts my pending
 * blocks, evicts the voter (open networks) and spreads the proof. */
static ec_err
convict(ecp_node *n, const ec_ctx *ctx, const ecp_accuse *a, bool told)
{
	bool found;
	uint32_t at = conv_search(n, a->voter, &found);
	if (found || a->voter == n->pos)
		return EC_OK;
	if (!grow(ctx, (void **)&n->conv, &n->convcap, n->nconv + 1, sizeof *n->conv))
		return EC_ENOMEM;
	const ecp_accuse *copy = ctx->intern(ctx->intern_user, a, sizeof *a);
	if (!copy)
		return EC_ENOMEM;
	memmove(&n->conv[at + 1], &n->conv[at], (n->nconv - at) * sizeof *n->conv);
	n->conv[at] = copy;
	n->nconv++;
	if (ctx->event)
		ctx->event(ctx->event_user, n->pos, EC_EV_CONVICT, a->voter, told ? 1 : 0);
	for (uint32_t i = 0; i < n->npool; i++)
		if (n->pool[i].state == ST_PENDING)
			n->pool[i].dirty = 1; /* its votes may have counted */
	ec_err err;
	if (n->m && (err = ecp__member_evict(n, ctx, a->voter)))
		return err;
	return spread_proof(n, ctx, copy);
}

/* Builds and checks the proof from voter's two signed yes votes on the
 * parts ra of a and rb of b (same token and parent, a != b); convicts if
 * it holds. */
static ec_err
accuse(ecp_node *n, const ec_ctx *ctx, uint64_t voter, const ecp_block *a, uint16_t ra,
       const ecp_vsig *sa, const ecp_block *b, uint16_t rb, const ecp_vsig *sb)
{
	if (ecp__convicted(n, voter) || ec_id_eq(&a->id, &b->id))
		return EC_OK;
	if (ec_id_cmp(&a->id, &b->id) > 0) {
		const ecp_block *t = a;
		a = b;
		b = t;
		uint16_t tr = ra;
		ra = rb;
		rb = tr;
		const ecp_vsig *ts = sa;
		sa = sb;
		sb = ts;
	}
	ecp_accuse p = {.voter = voter, .token = a->parts[ra].token, .parent = a->parts[ra].parent,
	                .block = {a->id, b->id}, .role = {ra, rb}, .sig = {*sa, *sb}};
	uint8_t pk[EC_SIG_PK_BYTES];
	if (!voter_key(n, ctx, voter, pk) || !ecp_accuse_check(&p, ctx->sig, pk))
		return EC_OK; /* a signature that does not verify proves nothing */
	return convict(n, ctx, &p, false);
}

/* The part of b that spends part r of a's (token, parent), or -1. */
static int
clash(const ecp_block *a, uint32_t r, const ecp_block *b)
{
	for (uint32_t s = 0; s < b->nparts; s++)
		if (ec_id_eq(&a->parts[r].token, &b->parts[s].token) &&
		    ec_id_eq(&a->parts[r].parent, &b->parts[s].parent))
			return (int)s;
	return -1;
}

static ec_err catch_lists(ecp_node *n, const ec_ctx *ctx, const ecp_block *a,
                          const ecp_vote *va, const ecp_vsig *sa, uint32_t na,
                          const ecp_block *b, const ecp_vote *vb, const ecp_vsig *sb,
                          uint32_t nb);

ec_err
ecp__catch_vote(ecp_node *n, const ec_ctx *ctx, const entry *e, uint32_t k)
{
	if (!(n->cfg.defences & ECP_DEF_CONVICT) || !e->vsig)
		return EC_OK;
	for (uint32_t i = 0; i < n->npool; i++) {
		const entry *o = &n->pool[i];
		ec_err err;
		if (o != e && o->block && o->vsig &&
		    (err = catch_lists(n, ctx, e->block, &e->votes[k], &e->vsig[k], 1, o->block,
		                       o->votes, o->vsig, o->nvotes)))
			return err;
	}
	return EC_OK;
}

/* Voters with a signed yes on a part of a in (va, sa, na) and on the part
 * of b spending the same (token, parent) in (vb, sb, nb): each such pair
 * is checked as a proof.  sa, sb: the signatures of the votes (zero:
 * none). */
static ec_err
catch_lists(ecp_node *n, const ec_ctx *ctx, const ecp_block *a, const ecp_vote *va,
            const ecp_vsig *sa, uint32_t na, const ecp_block *b, const ecp_vote *vb,
            const ecp_vsig *sb, uint32_t nb)
{
	for (uint32_t i = 0; i < na; i++) {
		const ecp_vote *v = &va[i];
		int s = v->value > 0 && v->role < a->nparts && !sig_zero(&sa[i]) ? clash(a, v->role, b)
		                                                                  : -1;
		if (s < 0)
			continue;
		for (uint32_t j = 0; j < nb; j++) {
			const ecp_vote *u = &vb[j];
			if (u->voter != v->voter || u->role != (uint16_t)s || u->value < 0 ||
			    sig_zero(&sb[j]))
				continue;
			ec_err err = accuse(n, ctx, v->voter, a, v->role, &sa[i], b, u->role, &sb[j]);
			if (err)
				return err;
		}
	}
	return EC_OK;
}

ec_err
ecp__catch_cert(ecp_node *n, const ec_ctx *ctx, const ecp_block *a, const ecp_cert *ca,
                const ecp_block *b, const ecp_cert *cb)
{
	if (!(n->cfg.defences & ECP_DEF_CONVICT) || !ca || !cb || !ca->sigs || !cb->sigs)
		return EC_OK;
	return catch_lists(n, ctx, a, ca->v, ecp_cert_sig(ca, 0), ca->n, b, cb->v,
	                   ecp_cert_sig(cb, 0), cb->n);
}

ec_err
ecp__catch_entry(ecp_node *n, const ec_ctx *ctx, const ecp_block *a, const ecp_cert *ca,
                 const entry *o)
{
	if (!(n->cfg.defences & ECP_DEF_CONVICT) || !ca || !ca->sigs || !o->block || !o->vsig)
		return EC_OK;
	return catch_lists(n, ctx, a, ca->v, ecp_cert_sig(ca, 0), ca->n, o->block, o->votes,
	                   o->vsig, o->nvotes);
}

ec_err
ecp__on_accuse(ecp_node *n, const ec_ctx *ctx, const ecp_item *it)
{
	const ecp_accuse *a = it->accuse;
	if (!(n->cfg.defences & ECP_DEF_CONVICT) || !a || ecp__convicted(n, a->voter))
		return EC_OK;
	uint8_t pk[EC_SIG_PK_BYTES];
	if (!voter_key(n, ctx, a->voter, pk) || !ecp_accuse_check(a, ctx->sig, pk))
		return EC_OK; /* a false accusation convicts nobody */
	return convict(n, ctx, a, true);
}

ec_err
ecp__tell_convicted(ecp_node *n, const ec_ctx *ctx, ec_range w, uint64_t to)
{
	for (uint32_t k = 0; k < n->nconv; k++) {
		if (!ec_range_contains(w, n->conv[k]->voter))
			continue;
		ecp_item it = {.kind = ECP_ACCUSE, .accuse = n->conv[k]};
		ec_err err = send_item(n, ctx, to, &it);
		if (err)
			return err;
	}
	return EC_OK;
}

void
ecp__conv_fini(ecp_node *n, const ec_ctx *ctx)
{
	if (n->conv)
		ctx->realloc_fn(ctx->alloc_user, n->conv, n->convcap * sizeof *n->conv, 0);
	n->conv = NULL;
	n->nconv = n->convcap = 0;
}
