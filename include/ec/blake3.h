/* SPDX-License-Identifier: MIT */
/*
 * BLAKE3, written from the specification (Bao/BLAKE3 paper, version of
 * 2020-01-09): the hash, keyed-hash and derive-key modes with extendable
 * output.  Portable C, no SIMD: block ids and key hashes are short inputs,
 * so latency matters more than bulk throughput.  Checked against the
 * official test vectors and the b3sum tool (tests/unit/test_blake3.c).
 *
 * Usage: ec_blake3_init*, any number of ec_blake3_update, then
 * ec_blake3_final (which does not modify the state, so it may be called
 * again, or updates may continue).  The hasher holds no pointers and owns
 * no memory: it may be copied, and needs no clean-up.
 */
#ifndef EC_BLAKE3_H
#define EC_BLAKE3_H

#include <stddef.h>
#include <stdint.h>

#define EC_BLAKE3_OUT_LEN 32
#define EC_BLAKE3_KEY_LEN 32
#define EC_BLAKE3_BLOCK_LEN 64
#define EC_BLAKE3_CHUNK_LEN 1024
#define EC_BLAKE3_MAX_DEPTH 54

typedef struct ec_blake3 {
	uint32_t key[8];        /* key words of the current mode */
	uint32_t cv[8];         /* chaining value of the current chunk */
	uint64_t chunk_counter; /* index of the current chunk */
	uint8_t buf[EC_BLAKE3_BLOCK_LEN];
	uint8_t buf_len;
	uint8_t blocks_compressed; /* in the current chunk */
	uint8_t flags;          /* mode flags (KEYED_HASH, DERIVE_KEY_MATERIAL) */
	uint8_t stack_len;
	uint8_t stack[EC_BLAKE3_MAX_DEPTH * 32]; /* chaining values of subtrees */
} ec_blake3;

/* Starts a plain hash. */
void ec_blake3_init(ec_blake3 *h);
/* Starts a keyed hash (MAC / PRF) with a 32-byte key. */
void ec_blake3_init_keyed(ec_blake3 *h, const uint8_t key[EC_BLAKE3_KEY_LEN]);
/* Starts key derivation for a NUL-terminated context string (which should
 * be hard-coded, globally unique and application specific). */
void ec_blake3_init_derive_key(ec_blake3 *h, const char *context);
/* Absorbs len bytes (data may be NULL when len is 0). */
void ec_blake3_update(ec_blake3 *h, const void *data, size_t len);
/* Writes out_len bytes of output (any length; the first 32 are the
 * standard digest).  Does not change h. */
void ec_blake3_final(const ec_blake3 *h, uint8_t *out, size_t out_len);

/* One-shot helpers.  The plain hash is ec_blake3_hash: C cannot have a
 * function named like the ec_blake3 type, so ec_blake3(data, len, out) is
 * a function-like macro for it (it only expands before a '(', so the type
 * name is unaffected). */
void ec_blake3_hash(const void *data, size_t len, uint8_t out[EC_BLAKE3_OUT_LEN]);
#define ec_blake3(data, len, out) ec_blake3_hash((data), (len), (out))
void ec_blake3_keyed(const uint8_t key[EC_BLAKE3_KEY_LEN], const void *data, size_t len,
                     uint8_t out[EC_BLAKE3_OUT_LEN]);

#endif
