/* SPDX-License-Identifier: MIT */
/*
 * Proof-of-work node identities (ec/identity.h): a thin layer over
 * libargon2's argon2_ctx.  argon2_ctx is used instead of the
 * argon2id_hash_raw convenience call because it is the one entry point
 * that also takes allocator hooks (the test seam in identity_int.h) and
 * states every input explicitly: version 0x13, one lane, one thread, no
 * secret, no associated data, no flags.  The inputs are public, so nothing
 * is wiped and comparisons need not be constant time.
 */
#include "identity_int.h"

#include <argon2.h>
#include <sodium.h>
#include <string.h>

const char *
ec_identity_verdict_str(ec_identity_verdict v)
{
	switch (v) {
	case EC_IDENTITY_OK: return "ok";
	case EC_IDENTITY_BAD_POW: return "bad-pow";
	case EC_IDENTITY_BAD_ADDRESS: return "bad-address";
	case EC_IDENTITY_BAD_PARAMS: return "bad-params";
	case EC_IDENTITY_BAD_KEY: return "bad-key";
	case EC_IDENTITY_VERDICT_COUNT: break;
	}
	return "unknown";
}

const char *
ec_identity_params_check(const ec_identity_params *p)
{
	if (p->memory_kib < EC_IDENTITY_MIN_MEMORY_KIB || p->memory_kib > EC_IDENTITY_MAX_MEMORY_KIB)
		return "memory must be from 8 to 4194304 KiB";
	if (p->passes < 1 || p->passes > EC_IDENTITY_MAX_PASSES)
		return "passes must be from 1 to 1024";
	if (p->lanes != 1)
		return "lanes must be 1";
	if (p->bits > EC_IDENTITY_MAX_BITS)
		return "bits must be from 0 to 256";
	return NULL;
}

unsigned
ec_identity_trailing_zeros(const uint8_t address[EC_IDENTITY_ADDRESS_BYTES])
{
	unsigned n = 0;
	for (unsigned i = EC_IDENTITY_ADDRESS_BYTES; i-- > 0;) {
		uint8_t b = address[i];
		if (b == 0) {
			n += 8;
			continue;
		}
		while ((b & 1u) == 0) {
			n++;
			b = (uint8_t)(b >> 1);
		}
		break;
	}
	return n;
}

ec_err
ec__identity_address_with(const ec_identity_params *p,
                          const uint8_t public_key[EC_IDENTITY_KEY_BYTES],
                          const uint8_t salt[EC_IDENTITY_SALT_BYTES], ec__identity_alloc_fn alloc,
                          ec__identity_free_fn dealloc, uint8_t address[EC_IDENTITY_ADDRESS_BYTES])
{
	if (!p || !address || !public_key || !salt || ec_identity_params_check(p))
		return EC_EINVAL;
	/* argon2_context takes non-const pointers; it reads these only (no
	 * ARGON2_FLAG_CLEAR_* flags), but copies keep const correctness. */
	uint8_t pwd[EC_IDENTITY_KEY_BYTES], s[EC_IDENTITY_SALT_BYTES];
	memcpy(pwd, public_key, sizeof pwd);
	memcpy(s, salt, sizeof s);
	argon2_context c = {
		.out = address,
		.outlen = EC_IDENTITY_ADDRESS_BYTES,
		.pwd = pwd,
		.pwdlen = sizeof pwd,
		.salt = s,
		.saltlen = sizeof s,
		.t_cost = p->passes,
		.m_cost = p->memory_kib,
		.lanes = p->lanes,
		.threads = 1,
		.version = ARGON2_VERSION_13,
		.allocate_cbk = alloc,
		.free_cbk = dealloc,
		.flags = ARGON2_DEFAULT_FLAGS,
	};
	int rc = argon2_ctx(&c, Argon2_id);
	if (rc == ARGON2_OK)
		return EC_OK;
	return rc == ARGON2_MEMORY_ALLOCATION_ERROR ? EC_ENOMEM : EC_EINVAL;
}

ec_err
ec_identity_address(const ec_identity_params *p, const uint8_t public_key[EC_IDENTITY_KEY_BYTES],
                    const uint8_t salt[EC_IDENTITY_SALT_BYTES],
                    uint8_t address[EC_IDENTITY_ADDRESS_BYTES])
{
	return ec__identity_address_with(p, public_key, salt, NULL, NULL, address);
}

ec_err
ec_identity_verify(const ec_identity_params *p, const uint8_t public_key[EC_IDENTITY_KEY_BYTES],
                   const uint8_t salt[EC_IDENTITY_SALT_BYTES], const uint8_t *claimed,
                   ec_identity_verdict *verdict, uint8_t *address)
{
	if (!p || !verdict || !public_key || !salt)
		return EC_EINVAL;
	if (ec_identity_params_check(p)) {
		*verdict = EC_IDENTITY_BAD_PARAMS;
		return EC_OK;
	}
	/* A claim without the work is refused before paying for Argon2id: a
	 * peer cannot make us spend 5 ms on an address that could not pass. */
	if (claimed && ec_identity_trailing_zeros(claimed) < p->bits) {
		*verdict = EC_IDENTITY_BAD_POW;
		return EC_OK;
	}
	/* Argon2id takes any 32 bytes, but an address is worth nothing to a key
	 * that can sign nothing: small-order points, non-canonical encodings and
	 * bytes off the curve are refused (a scalar multiplication, cheaper
	 * than Argon2id). */
	if (crypto_core_ed25519_is_valid_point(public_key) != 1) {
		*verdict = EC_IDENTITY_BAD_KEY;
		return EC_OK;
	}
	uint8_t computed[EC_IDENTITY_ADDRESS_BYTES];
	ec_err e = ec_identity_address(p, public_key, salt, computed);
	if (e)
		return e;
	if (address)
		memcpy(address, computed, sizeof computed);
	if (claimed)
		*verdict = memcmp(computed, claimed, sizeof computed) == 0 ? EC_IDENTITY_OK
		                                                          : EC_IDENTITY_BAD_ADDRESS;
	else
		*verdict = ec_identity_trailing_zeros(computed) >= p->bits ? EC_IDENTITY_OK
		                                                          : EC_IDENTITY_BAD_POW;
	return EC_OK;
}

void
ec_identity_salt_next(uint8_t salt[EC_IDENTITY_SALT_BYTES])
{
	for (unsigned i = EC_IDENTITY_SALT_BYTES; i-- > 0;)
		if (++salt[i] != 0)
			return;
}

ec_err
ec_identity_mine(const ec_identity_params *p, const uint8_t public_key[EC_IDENTITY_KEY_BYTES],
                 uint64_t max_attempts, uint8_t salt[EC_IDENTITY_SALT_BYTES],
                 uint8_t address[EC_IDENTITY_ADDRESS_BYTES], bool *found, uint64_t *attempts)
{
	if (!p || !salt || !address || !found || !attempts || !public_key ||
	    ec_identity_params_check(p))
		return EC_EINVAL;
	*found = false;
	*attempts = 0;
	while (*attempts < max_attempts) {
		ec_err e = ec_identity_address(p, public_key, salt, address);
		if (e)
			return e;
		++*attempts;
		if (ec_identity_trailing_zeros(address) >= p->bits) {
			*found = true;
			return EC_OK;
		}
		ec_identity_salt_next(salt);
	}
	return EC_OK;
}

ec_err
ec_identity_admit(const ec_identity_params *p, const ec_identity_claim *claim, bool *admit,
                  ec_id *id, ec_identity_verdict *why)
{
	if (admit)
		*admit = false;
	if (id)
		*id = (ec_id){{0, 0, 0, 0}};
	if (!p || !admit || !claim)
		return EC_EINVAL;
	ec_identity_verdict v;
	ec_err e = ec_identity_verify(p, claim->public_key, claim->salt, claim->address, &v, NULL);
	if (e)
		return e;
	if (why)
		*why = v;
	if (v != EC_IDENTITY_OK)
		return EC_OK;
	*admit = true;
	if (id)
		*id = ec_id_from_bytes(claim->address);
	return EC_OK;
}
