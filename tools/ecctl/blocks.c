/* SPDX-License-Identifier: MIT */
/* Blocks built by ecctl (blocks.h). */
#include "blocks.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "ec/hex.h"

bool
ecctl_id_parse(const char *text, ec_id *out)
{
	uint8_t b[32];
	if (strlen(text) != 64 || !ec_hex_decode(text, b, sizeof b))
		return false;
	*out = ec_id_from_bytes(b);
	return true;
}

void
ecctl_id_format(const ec_id *id, char out[ECCTL_ID_HEX])
{
	uint8_t b[32];
	ec_id_to_bytes(id, b);
	ec_hex_encode(b, sizeof b, out);
}

char *
ecctl_hex_encode_alloc(const uint8_t *in, size_t n)
{
	if (n > (SIZE_MAX - 1) / 2)
		return NULL;
	char *s = malloc(2 * n + 1);
	if (s)
		ec_hex_encode(in, n, s);
	return s;
}

ec_err
ecctl_hex_decode_alloc(const char *text, uint8_t **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	size_t n = strlen(text);
	if (n % 2)
		return EC_EPARSE;
	if (n == 0)
		return EC_OK;
	uint8_t *b = malloc(n / 2);
	if (!b)
		return EC_ENOMEM;
	if (!ec_hex_decode(text, b, n / 2)) {
		free(b);
		return EC_EPARSE;
	}
	*out = b;
	*len = n / 2;
	return EC_OK;
}

void
ecctl_token_random(ec_id *out)
{
	uint8_t b[32];
	do
		randombytes_buf(b, sizeof b);
	while (sodium_is_zero(b, sizeof b));
	*out = ec_id_from_bytes(b);
}

const ecp_part *
ecctl_block_part(const ecp_block *b, const ec_id *token)
{
	for (uint32_t i = 0; i < b->nparts; i++)
		if (ec_id_eq(&b->parts[i].token, token))
			return &b->parts[i];
	return NULL;
}

ec_verdict
ecctl_block_check(const ecp_block *b, const ecp_block *parent)
{
	if (ec_wire_block_check(b) != EC_WIRE_OK)
		return EC_REJECT_MALFORMED;
	ec_id id;
	ec_wire_block_id(b, &id);
	if (!ec_id_eq(&id, &b->id))
		return EC_REJECT_BAD_ID;
	/* members under the witness rule refuse a block whose witness parts
	 * are not the derived ones, as malformed */
	if (!ecp_witness_derived(b))
		return EC_REJECT_MALFORMED;
	for (uint32_t r = 0; r < b->nparts; r++) {
		ec_verdict v = ecp_part_check(&ec_sig_ed25519, b, r, parent);
		if (v != EC_ACCEPT)
			return v;
	}
	return EC_ACCEPT;
}

bool
ecctl_part_is_witness(const ecp_part *p)
{
	return ec_id_is_zero(&p->parent) && ec_id_is_zero(&p->next_key);
}

static int
cmp_part(const void *a, const void *b)
{
	return ec_id_cmp(&((const ecp_part *)a)->token, &((const ecp_part *)b)->token);
}

/* Sorts b's b->nparts real parts (signers set) into block order, appends k
 * witness parts (b has room for them) with the ids the witness rule
 * derives from the real parts (ecp_witness_pos), and sorts them all into
 * block order.  The real parts are sorted first because the derivation
 * runs over them in block order, as every member recomputes it. */
static ec_err
add_witnesses(ecp_block *b, uint32_t k)
{
	uint32_t n = b->nparts;
	qsort(b->parts, n, sizeof *b->parts, cmp_part);
	if (k == 0)
		return EC_OK;
	ec_id *tok = malloc(n * sizeof *tok), *par = malloc(n * sizeof *par);
	uint8_t(*sg)[EC_SIG_PK_BYTES] = malloc(n * sizeof *sg);
	if (!tok || !par || !sg) {
		free(tok);
		free(par);
		free(sg);
		return EC_ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		tok[i] = b->parts[i].token;
		par[i] = b->parts[i].parent;
		memcpy(sg[i], b->parts[i].signer, EC_SIG_PK_BYTES); /* zero for a create */
	}
	for (uint32_t i = 0; i < k; i++) {
		ecp_part *w = &b->parts[n + i];
		memset(w, 0, sizeof *w); /* parent and next key zero: born dead, unsigned */
		w->token = ec_id_expand(ecp_witness_pos(tok, par, (const uint8_t(*)[EC_SIG_PK_BYTES])sg,
		                                        n, i));
	}
	free(tok);
	free(par);
	free(sg);
	b->nparts = n + k;
	qsort(b->parts, b->nparts, sizeof *b->parts, cmp_part);
	return EC_OK;
}

ec_err
ecctl_block_create(uint64_t time, const ec_id *tokens, uint32_t n, uint32_t witnesses,
                   const ec_id *owner, ecp_block **out)
{
	*out = NULL;
	if (n < 1 || n > ECP_MAX_PARTS || witnesses > ECP_MAX_PARTS - n || ec_id_is_zero(owner))
		return EC_EINVAL;
	ecp_block *b = calloc(1, ecp_block_size(n + witnesses));
	if (!b)
		return EC_ENOMEM;
	b->time = time;
	b->nparts = n;
	for (uint32_t i = 0; i < n; i++) {
		b->parts[i].token = tokens[i];
		b->parts[i].next_key = *owner;
	}
	if (add_witnesses(b, witnesses) != EC_OK) {
		free(b);
		return EC_ENOMEM;
	}
	ec_wire_block_id(b, &b->id);
	/* zero and twice-named tokens fail the canonical rules */
	if (ecctl_block_check(b, NULL) != EC_ACCEPT) {
		free(b);
		return EC_EINVAL;
	}
	*out = b;
	return EC_OK;
}

ec_err
ecctl_block_change(uint64_t time, const ec_id *token, const ecp_block *parent,
                   const ec_id *next_key, uint32_t witnesses, const ecctl_wallet *w,
                   ecp_block **out, ec_verdict *verdict)
{
	*out = NULL;
	*verdict = EC_REJECT_MALFORMED;
	if (ec_id_is_zero(token) || witnesses > ECP_MAX_PARTS - 1)
		return EC_EINVAL;
	ecp_block *b = calloc(1, ecp_block_size(1 + witnesses));
	if (!b)
		return EC_ENOMEM;
	b->time = time;
	b->nparts = 1;
	ecp_part *p = &b->parts[0];
	p->token = *token;
	p->parent = parent->id;
	p->next_key = *next_key;
	/* the signer is part of the id and of the witness ids: set it first,
	 * then derive the witnesses, then hash, then sign */
	memcpy(p->signer, w->pk, sizeof p->signer);
	if (add_witnesses(b, witnesses) != EC_OK) {
		free(b);
		return EC_ENOMEM;
	}
	ec_wire_block_id(b, &b->id);
	for (uint32_t r = 0; r < b->nparts; r++)
		if (!ecctl_part_is_witness(&b->parts[r])) /* the one real part, wherever sorting put it */
			ecp_part_sign(&ec_sig_ed25519, b, r, w->sk);
	*verdict = ecctl_block_check(b, parent);
	if (*verdict != EC_ACCEPT) {
		free(b);
		return EC_OK;
	}
	*out = b;
	return EC_OK;
}

ec_err
ecctl_block_encode(const ecp_block *b, uint8_t **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (b->nparts < 1 || b->nparts > ECP_MAX_PARTS)
		return EC_EINVAL;
	size_t cap = ec_wire_block_size(b->nparts);
	uint8_t *buf = malloc(cap);
	if (!buf)
		return EC_ENOMEM;
	ec_err e = ec_wire_block_encode(b, buf, cap, len);
	if (e != EC_OK) {
		free(buf);
		*len = 0;
		return e == EC_EFULL ? EC_ENOMEM : e; /* cap is exact: EFULL cannot happen */
	}
	*out = buf;
	return EC_OK;
}

ec_err
ecctl_block_decode(const uint8_t *in, size_t len, ecp_block **out, ec_wire_reason *why)
{
	*out = NULL;
	uint32_t n = 0;
	*why = ec_wire_block_peek(in, len, &n);
	if (*why != EC_WIRE_OK)
		return EC_EPARSE;
	ecp_block *b = malloc(ecp_block_size(n));
	if (!b)
		return EC_ENOMEM;
	*why = ec_wire_block_decode(in, len, b, n);
	if (*why != EC_WIRE_OK) {
		free(b);
		return EC_EPARSE;
	}
	*out = b;
	return EC_OK;
}
