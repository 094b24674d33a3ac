/* SPDX-License-Identifier: MIT */
/*
 * Simulated wallets (wallet.h).  Key reference -> secret seed is a BLAKE3
 * key derivation, so a run's keys depend only on its random stream.
 */
#include "wallet.h"

#include <stdlib.h>
#include <string.h>

#include "ec/blake3.h"
#include "ec/lifecycle.h"

void
ecp_wallet_keypair(const ec_sig_scheme *scheme, uint64_t keyref, uint8_t pk[EC_SIG_PK_BYTES],
               uint8_t sk[EC_SIG_SK_BYTES])
{
	ec_sig_derived_keypair(scheme, "ecRust 2026-11 simulator wallet key", keyref, pk, sk);
}

ec_err
ecp_wallet_seal(const ec_sig_scheme *scheme, uint64_t time, const ec_token_part *parts,
            const ec_id *parents, const uint64_t *prev_keys, uint32_t n, ec_seal_kind forge,
            uint64_t attacker, ecp_block **out)
{
	if (n < 1 || n > ECP_MAX_PARTS)
		return EC_EINVAL;
	ecp_block *b = calloc(1, ecp_block_size(n));
	uint32_t *order = malloc(n * sizeof *order);
	uint8_t(*sks)[EC_SIG_SK_BYTES] = malloc(n * sizeof *sks);
	if (!b || !order || !sks) {
		free(b);
		free(order);
		free(sks);
		return EC_ENOMEM;
	}
	/* token order (the canonical encoding's); positions are distinct */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t j = i;
		while (j > 0 && parts[order[j - 1]].token > parts[i].token) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	b->time = time;
	b->nparts = n;
	uint8_t pk[EC_SIG_PK_BYTES];
	for (uint32_t r = 0; r < n; r++) {
		uint32_t i = order[r];
		ecp_part *p = &b->parts[r];
		p->token = ec_id_expand(parts[i].token);
		p->parent = parents[i];
		if (parts[i].key) {
			ecp_wallet_keypair(scheme, parts[i].key, pk, sks[r]);
			ec_key_hash(pk, &p->next_key);
		}
		if (ec_id_is_zero(&p->parent))
			continue; /* a create: unsigned */
		ecp_wallet_keypair(scheme, prev_keys[i], p->signer, sks[r]);
		if (forge == EC_SEAL_BAD_SIG)
			ecp_wallet_keypair(scheme, attacker, pk, sks[r]); /* the signer stays named */
		else if (forge == EC_SEAL_WRONG_KEY)
			ecp_wallet_keypair(scheme, attacker, p->signer, sks[r]);
	}
	ecp_block_id(b, &b->id);
	for (uint32_t r = 0; r < n; r++)
		if (!ec_id_is_zero(&b->parts[r].parent))
			ecp_part_sign(scheme, b, r, sks[r]);
	free(order);
	free(sks);
	*out = b;
	return EC_OK;
}
