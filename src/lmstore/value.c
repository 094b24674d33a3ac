/* SPDX-License-Identifier: MIT */
/*
 * The blocks database's value: u32 big-endian length L, the block's
 * canonical encoding (L bytes), then the certificate's canonical encoding
 * or nothing (a block put without one).  Both encodings are the wire's
 * (ec/wire.h), so a stored block is hashed and sent exactly as it is.
 */
#include "lmstore_int.h"

#include <stdio.h>

#include "ec/wire.h"

void
ecn__be64_put(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

uint64_t
ecn__be64_get(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

void
ecn__be32_put(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

uint32_t
ecn__be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool
ecn__bval_split(const uint8_t *v, size_t len, ecn__bval *out, char *why, size_t cap)
{
	*out = (ecn__bval){0};
	if (len < 4) {
		snprintf(why, cap, "value of %zu bytes has no length prefix", len);
		return false;
	}
	uint32_t blen = ecn__be32_get(v);
	if (blen > len - 4) {
		snprintf(why, cap, "length prefix %u runs past the value's %zu bytes", blen, len);
		return false;
	}
	ec_wire_reason r = ec_wire_block_peek(v + 4, blen, &out->nparts);
	if (r) {
		snprintf(why, cap, "block does not decode: %s", ec_wire_reason_str(r));
		return false;
	}
	out->blk = v + 4;
	out->blen = blen;
	if (len - 4 == blen)
		return true; /* no certificate */
	out->cert = v + 4 + blen;
	out->clen = len - 4 - blen;
	if ((r = ec_wire_cert_peek(out->cert, out->clen, &out->nvotes, &out->csigs))) {
		snprintf(why, cap, "certificate does not decode: %s", ec_wire_reason_str(r));
		return false;
	}
	return true;
}

bool
ecn__bval_decode(const ecn__bval *bv, ecp_block *b, ecp_cert *c, char *why, size_t cap)
{
	ec_wire_reason r = ec_wire_block_decode(bv->blk, bv->blen, b, bv->nparts);
	if (r) {
		snprintf(why, cap, "block does not decode: %s", ec_wire_reason_str(r));
		return false;
	}
	if (!bv->cert)
		return true;
	if ((r = ec_wire_cert_decode(bv->cert, bv->clen, c, bv->nvotes)) ||
	    (r = ec_wire_cert_check(c, b->nparts))) {
		snprintf(why, cap, "certificate does not decode: %s", ec_wire_reason_str(r));
		return false;
	}
	return true;
}

size_t
ecn__bval_size(const ecp_block *b, const ecp_cert *c)
{
	return 4 + ec_wire_block_size(b->nparts) + (c ? ec_wire_cert_size(c->n, c->sigs) : 0);
}

ec_err
ecn__bval_encode(const ecp_block *b, const ecp_cert *c, uint8_t *out, size_t cap)
{
	size_t blen = 0, clen = 0;
	if (cap < 4 || ec_wire_block_encode(b, out + 4, cap - 4, &blen))
		return EC_EINVAL;
	ecn__be32_put(out, (uint32_t)blen);
	if (c && (ec_wire_cert_check(c, b->nparts) ||
	          ec_wire_cert_encode(c, out + 4 + blen, cap - 4 - blen, &clen)))
		return EC_EINVAL;
	return EC_OK;
}
