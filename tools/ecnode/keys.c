/* SPDX-License-Identifier: MIT */
/* The node's identity and restart records (keys.h). */
#include "keys.h"

#include "be64.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "ec/blake3.h"

void
ecn_network_id(const char *name, uint8_t out[32])
{
	ec_blake3 h;
	ec_blake3_init_derive_key(&h, "ecRust 2026-12 network id");
	ec_blake3_update(&h, name, strlen(name));
	ec_blake3_final(&h, out, 32);
}

/* Reads meta name of exactly len bytes: EC_OK, EC_ENOTFOUND, or EC_EINVAL
 * (another length) and the store's errors. */
static ec_err
meta_exact(ecn_lmstore *s, const char *name, void *buf, size_t len)
{
	size_t got;
	ec_err err = ecn_lmstore_meta_get(s, name, buf, len, &got);
	if (err == EC_ERANGE || (!err && got != len))
		return EC_EINVAL;
	return err;
}

static void
params_bytes(const ec_identity_params *p, uint8_t out[16])
{
	ecn_put_be64(out, (uint64_t)p->memory_kib << 32 | p->passes);
	ecn_put_be64(out + 8, (uint64_t)p->lanes << 32 | p->bits);
}

static ec_err
mine(const ec_identity_params *p, ecn_keys *k)
{
	uint8_t pk[32];
	crypto_sign_keypair(pk, k->sk);
	memcpy(k->claim.public_key, pk, 32);
	randombytes_buf(k->claim.salt, sizeof k->claim.salt);
	bool found = false;
	while (!found) {
		uint64_t n;
		ec_err err = ec_identity_mine(p, pk, 1u << 16, k->claim.salt, k->claim.address, &found,
		                              &n);
		if (err)
			return err;
		k->attempts += n;
	}
	k->mined = true;
	return EC_OK;
}

/* The stored identity, checked against p; EC_ENOTFOUND if there is none. */
static ec_err
load(ecn_lmstore *s, const ec_identity_params *p, ecn_keys *k, char *err, size_t errlen)
{
	uint8_t claim[96], stored[16], want[16];
	ec_err e = meta_exact(s, "sk", k->sk, sizeof k->sk);
	if (e)
		return e;
	if ((e = meta_exact(s, "claim", claim, sizeof claim)) ||
	    (e = meta_exact(s, "params", stored, sizeof stored))) {
		snprintf(err, errlen, "the data directory holds a secret key but no valid identity");
		return e == EC_ENOTFOUND ? EC_EINVAL : e;
	}
	memcpy(k->claim.public_key, claim, 32);
	memcpy(k->claim.salt, claim + 32, 32);
	memcpy(k->claim.address, claim + 64, 32);
	if (memcmp(k->sk + 32, k->claim.public_key, 32) != 0) {
		snprintf(err, errlen, "the stored secret key does not match the stored identity");
		return EC_EINVAL;
	}
	params_bytes(p, want);
	bool admit;
	ec_identity_verdict why;
	if ((e = ec_identity_admit(p, &k->claim, &admit, NULL, &why)))
		return e;
	if (!admit) {
		snprintf(err, errlen,
		         "the stored identity does not meet this network's identity rules (%s)%s",
		         ec_identity_verdict_str(why),
		         memcmp(stored, want, 16) ? ": it was mined with other parameters" : "");
		return EC_EINVAL;
	}
	return EC_OK;
}

ec_err
ecn_keys_open(ecn_lmstore *s, const ec_identity_params *p, const uint8_t network[32],
              uint64_t unix_seconds, ecn_keys *k, char *err, size_t errlen)
{
	memset(k, 0, sizeof *k);
	memcpy(k->network, network, 32);
	uint8_t net[32], b8[8], b1;
	ec_err e = meta_exact(s, "network", net, sizeof net);
	if (!e && memcmp(net, network, 32) != 0) {
		snprintf(err, errlen, "the data directory belongs to another network (network id)");
		return EC_EINVAL;
	}
	if (e && e != EC_ENOTFOUND)
		return e;
	if (e == EC_ENOTFOUND && (e = ecn_lmstore_meta_put(s, "network", network, 32)))
		return e;
	e = load(s, p, k, err, errlen);
	if (e == EC_ENOTFOUND) {
		uint8_t claim[96], pb[16];
		if ((e = mine(p, k)))
			return e;
		memcpy(claim, k->claim.public_key, 32);
		memcpy(claim + 32, k->claim.salt, 32);
		memcpy(claim + 64, k->claim.address, 32);
		params_bytes(p, pb);
		if ((e = ecn_lmstore_meta_put(s, "sk", k->sk, sizeof k->sk)) ||
		    (e = ecn_lmstore_meta_put(s, "claim", claim, sizeof claim)) ||
		    (e = ecn_lmstore_meta_put(s, "params", pb, sizeof pb)))
			return e;
	} else if (e) {
		return e;
	}
	ec_id addr = ec_id_from_bytes(k->claim.address);
	k->pos = ec_id_pos(&addr);
	uint64_t epoch = 0;
	if (!(e = meta_exact(s, "epoch", b8, 8)))
		epoch = ecn_get_be64(b8);
	else if (e != EC_ENOTFOUND)
		return e;
	k->epoch = epoch + 1 > unix_seconds ? epoch + 1 : unix_seconds;
	ecn_put_be64(b8, k->epoch);
	if ((e = ecn_lmstore_meta_put(s, "epoch", b8, 8)))
		return e;
	if (!(e = meta_exact(s, "clock", b8, 8)))
		k->clock = ecn_get_be64(b8);
	else if (e != EC_ENOTFOUND)
		return e;
	if (!(e = meta_exact(s, "joined", &b1, 1)))
		k->joined = b1 != 0;
	else if (e != EC_ENOTFOUND)
		return e;
	return EC_OK;
}

ec_err
ecn_keys_save_clock(ecn_lmstore *s, uint64_t clock, bool joined)
{
	uint8_t b8[8], b1 = joined ? 1 : 0;
	ecn_put_be64(b8, clock);
	ec_err e = ecn_lmstore_meta_put(s, "clock", b8, 8);
	return e ? e : ecn_lmstore_meta_put(s, "joined", &b1, 1);
}
