/* SPDX-License-Identifier: MIT */
/*
 * Witness tokens the submitter cannot choose (ec/ecp.h, docs/byzantine.md).
 *
 * A witness token is a create that destroys its token at once (parent
 * zero, next key zero): it brings a random window into the decision, and
 * its window's exclusive vote on (token, no parent) is what stops two
 * conflicting blocks from both committing when their own windows are
 * captured (seed §11.9.8).  That only works when both conflicting blocks
 * must create the same witness tokens.  A submitter that picks them can
 * give each twin its own, or grind them into windows it holds.  So under
 * the witness rule the ids are derived from what the block spends: the
 * i-th is ec_id_expand of the first 8 bytes of BLAKE3 in derive-key mode
 * over the (token, parent, signer) of the block's other parts, in block
 * order, and i.  Two blocks that spend the same tokens with the same keys
 * need the same witnesses, which a double-spending owner cannot avoid.
 *
 * The signer is in it so that nobody else can claim those witnesses: a
 * stranger's block on the same (token, parent) must name the owner's key
 * to get them, and then the witness windows, which check the block's
 * signatures (safety.c), refuse it.  Without the signer anyone who saw a
 * pending transfer could grind a forged block with a higher id onto its
 * witnesses and censor it.  The block id would not do either: twins differ
 * in id (other next keys), so their witnesses would differ too.
 */
#include <string.h>

#include "ec/blake3.h"
#include "ec/rng.h"
#include "proto/ec/node.h"
#include "wallet.h"

static bool
born_dead(const ecp_part *p)
{
	return ec_id_is_zero(&p->parent) && ec_id_is_zero(&p->next_key);
}

/* The hash of what is spent, before the index: shared by every i. */
static void
spent_hash(ec_blake3 *h, const ec_id *tokens, const ec_id *parents,
           const uint8_t (*signers)[EC_SIG_PK_BYTES], uint32_t n)
{
	ec_blake3_init_derive_key(h, "ec witness tokens v2");
	for (uint32_t k = 0; k < n; k++) {
		uint8_t b[64 + EC_SIG_PK_BYTES];
		ec_id_to_bytes(&tokens[k], b);
		ec_id_to_bytes(&parents[k], b + 32);
		memcpy(b + 64, signers[k], EC_SIG_PK_BYTES);
		ec_blake3_update(h, b, sizeof b);
	}
}

static uint64_t
witness_at(const ec_blake3 *spent, uint32_t i)
{
	ec_blake3 h = *spent;
	uint8_t ib[4] = {(uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
	uint8_t out[8];
	ec_blake3_update(&h, ib, sizeof ib);
	ec_blake3_final(&h, out, sizeof out);
	uint64_t pos = 0;
	for (unsigned j = 0; j < 8; j++)
		pos = pos << 8 | out[j];
	return pos ? pos : 1; /* zero is no token */
}

uint64_t
ecp_witness_pos(const ec_id *tokens, const ec_id *parents,
                const uint8_t (*signers)[EC_SIG_PK_BYTES], uint32_t n, uint32_t i)
{
	ec_blake3 h;
	spent_hash(&h, tokens, parents, signers, n);
	return witness_at(&h, i);
}

uint32_t
ecp_witness_count(const ecp_block *b)
{
	uint32_t k = 0;
	for (uint32_t p = 0; p < b->nparts; p++)
		k += born_dead(&b->parts[p]);
	return k;
}

bool
ecp_witness_derived(const ecp_block *b)
{
	ec_id tok[ECP_MAX_PARTS], par[ECP_MAX_PARTS];
	uint8_t sig[ECP_MAX_PARTS][EC_SIG_PK_BYTES];
	uint32_t n = 0, k = 0;
	for (uint32_t p = 0; p < b->nparts; p++) {
		if (born_dead(&b->parts[p])) {
			k++;
			continue;
		}
		tok[n] = b->parts[p].token;
		par[n] = b->parts[p].parent;
		memcpy(sig[n++], b->parts[p].signer, EC_SIG_PK_BYTES);
	}
	if (k == 0)
		return true;
	ec_blake3 h;
	spent_hash(&h, tok, par, (const uint8_t(*)[EC_SIG_PK_BYTES])sig, n);
	uint64_t want[ECP_MAX_PARTS];
	for (uint32_t i = 0; i < k; i++)
		want[i] = witness_at(&h, i);
	/* each witness part is one of the k derived ids (the canonical order
	 * makes them distinct) */
	for (uint32_t p = 0; p < b->nparts; p++) {
		if (!born_dead(&b->parts[p]))
			continue;
		bool found = false;
		for (uint32_t i = 0; i < k && !found; i++) {
			ec_id w = ec_id_expand(want[i]);
			found = ec_id_eq(&w, &b->parts[p].token);
		}
		if (!found)
			return false;
	}
	return true;
}

/* ec_workload_ops.witnesses: under the witness rule, the witness parts
 * (those from `real` on) get their derived ids, from the other parts'
 * tokens, parents and signers' public keys (key references, as the wallet
 * makes them) in canonical order. */
void
ecp__workload_witnesses(const void *config, const ec_sig_scheme *scheme, ec_token_part *parts,
                        const ec_id *parents, const uint64_t *signers, uint32_t used,
                        uint32_t real)
{
	const ecp_config *c = config;
	if (!c || !(c->defences & ECP_DEF_WITNESS) || real >= used)
		return;
	ec_id tok[ECP_MAX_PARTS], par[ECP_MAX_PARTS];
	uint8_t pk[ECP_MAX_PARTS][EC_SIG_PK_BYTES], sk[EC_SIG_SK_BYTES];
	uint32_t n = 0;
	for (uint32_t y = 0; y < real; y++) {
		ec_token_part *p = &parts[y];
		if (!p->last && !p->key)
			p->key = ec_mix64(p->token) | 1; /* a create that destroys its own
			                                     token is a witness: keep it */
		ec_id id = ec_id_expand(p->token);
		uint8_t key[EC_SIG_PK_BYTES] = {0}; /* a create is unsigned */
		if (!ec_id_is_zero(&parents[y]))
			ecp_wallet_keypair(scheme, signers[y], key, sk);
		uint32_t j = n++;
		for (; j > 0 && ec_id_cmp(&tok[j - 1], &id) > 0; j--) { /* block order */
			tok[j] = tok[j - 1];
			par[j] = par[j - 1];
			memcpy(pk[j], pk[j - 1], EC_SIG_PK_BYTES);
		}
		tok[j] = id;
		par[j] = parents[y];
		memcpy(pk[j], key, EC_SIG_PK_BYTES);
	}
	ec_blake3 h;
	spent_hash(&h, tok, par, (const uint8_t(*)[EC_SIG_PK_BYTES])pk, n);
	for (uint32_t y = real; y < used; y++)
		parts[y].token = witness_at(&h, y - real);
}
