/* SPDX-License-Identifier: MIT */
/*
 * Library-internal seam of the identity module (ec/identity.h): the one
 * Argon2id call, with libargon2's allocator hooks exposed so that tests can
 * make the working-memory allocation fail and check that it becomes
 * EC_ENOMEM.  Not part of the public API.
 */
#ifndef EC_CRYPTO_IDENTITY_INT_H
#define EC_CRYPTO_IDENTITY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "ec/identity.h"

/* libargon2's hook types (argon2.h allocate_fptr / deallocate_fptr),
 * restated so that users of this header need not include argon2.h. */
typedef int (*ec__identity_alloc_fn)(uint8_t **memory, size_t bytes);
typedef void (*ec__identity_free_fn)(uint8_t *memory, size_t bytes);

/* ec_identity_address with libargon2's allocator hooks; both NULL means
 * libargon2's own malloc/free.  Same returns and arguments otherwise. */
EC_WUR ec_err ec__identity_address_with(const ec_identity_params *p,
                                        const uint8_t public_key[EC_IDENTITY_KEY_BYTES],
                                        const uint8_t salt[EC_IDENTITY_SALT_BYTES],
                                        ec__identity_alloc_fn alloc, ec__identity_free_fn dealloc,
                                        uint8_t address[EC_IDENTITY_ADDRESS_BYTES]);

#endif
