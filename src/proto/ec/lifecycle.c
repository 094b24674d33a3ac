/* SPDX-License-Identifier: MIT */
/*
 * Token lifecycle rules (ec/lifecycle.h).  The block id hashes the exact
 * bytes of the canonical block encoding up to the signatures (docs/wire.md:
 * type, version, time, part count, then token, parent, next key and signer
 * of every part), streamed by the wire module.
 */
#include "ec/lifecycle.h"

#include "bytes.h"
#include "ec/blake3.h"
#include "ec/wire.h"

const char *
ec_verdict_str(ec_verdict v)
{
	static const char *const names[EC_VERDICT_COUNT] = {
	    "accept",    "bad-id",    "malformed",     "bad-parent",
	    "destroyed", "wrong-key", "bad-signature", "stale"};
	return (unsigned)v < EC_VERDICT_COUNT ? names[v] : "unknown";
}

void
ecp_block_id(const ecp_block *b, ec_id *out)
{
	ec_wire_block_id(b, out); /* one encoding, one hash: docs/wire.md */
}

void
ec_key_hash(const uint8_t pk[EC_SIG_PK_BYTES], ec_id *out)
{
	uint8_t d[32];
	ec_blake3(pk, EC_SIG_PK_BYTES, d);
	*out = ec_id_from_bytes(d);
}

ec_verdict
ecp_part_check(const ec_sig_scheme *scheme, const ecp_block *b, uint32_t r, const ecp_block *parent)
{
	return ecp_part_check_memo(scheme, b, r, parent, NULL);
}

ec_verdict
ecp_part_check_memo(const ec_sig_scheme *scheme, const ecp_block *b, uint32_t r,
                    const ecp_block *parent, ec_memo_byte *memo)
{
	const ecp_part *p = &b->parts[r];
	bool create = ec_id_is_zero(&p->parent);
	if (create || create != ecp__all_zero(p->signer, sizeof p->signer))
		return ecp_part_sig_memo(scheme, b, r, memo); /* the form of the signature */
	if (!parent || !ec_id_eq(&parent->id, &p->parent))
		return EC_REJECT_BAD_PARENT;
	const ecp_part *prev = NULL;
	for (uint32_t k = 0; k < parent->nparts && !prev; k++)
		if (ec_id_eq(&parent->parts[k].token, &p->token))
			prev = &parent->parts[k];
	if (!prev)
		return EC_REJECT_BAD_PARENT;
	if (ec_id_is_zero(&prev->next_key))
		return EC_REJECT_DESTROYED;
	ec_id kh;
	ec_key_hash(p->signer, &kh);
	if (!ec_id_eq(&kh, &prev->next_key))
		return EC_REJECT_WRONG_KEY;
	return ecp_part_sig_memo(scheme, b, r, memo);
}

ec_verdict
ecp_part_sig_memo(const ec_sig_scheme *scheme, const ecp_block *b, uint32_t r, ec_memo_byte *memo)
{
	const ecp_part *p = &b->parts[r];
	bool create = ec_id_is_zero(&p->parent);
	if (create != ecp__all_zero(p->signer, sizeof p->signer))
		return EC_REJECT_MALFORMED;
	if (create)
		return ecp__all_zero(p->sig, sizeof p->sig) ? EC_ACCEPT : EC_REJECT_MALFORMED;
	if (!scheme)
		return EC_REJECT_BAD_SIG; /* nothing signed passes without a scheme */
	const unsigned byte = ECP_MEMO_SIG + r / 4, shift = 2 * (r % 4);
	unsigned known = (ecp_memo_get(memo, byte) >> shift) & 3u;
	if (!known) {
		uint8_t msg[32];
		ec_id_to_bytes(&b->id, msg);
		known = scheme->verify(p->signer, p->sig, msg, sizeof msg) ? ECP_MEMO_SIG_OK
		                                                          : ECP_MEMO_SIG_BAD;
		ecp_memo_or(memo, byte, known << shift);
	}
	return known == ECP_MEMO_SIG_OK ? EC_ACCEPT : EC_REJECT_BAD_SIG;
}

void
ecp_part_sign(const ec_sig_scheme *scheme, ecp_block *b, uint32_t r,
              const uint8_t sk[EC_SIG_SK_BYTES])
{
	uint8_t msg[32];
	ec_id_to_bytes(&b->id, msg);
	scheme->sign(sk, msg, sizeof msg, b->parts[r].sig);
}
