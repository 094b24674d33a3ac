/* SPDX-License-Identifier: MIT */
/*
 * The node's identity and the records that make its transport safe across
 * restarts, kept in the store's meta database:
 *
 *   "network"  32 bytes: the network id this data directory belongs to
 *   "params"   the Argon2id identity parameters its identity was mined with
 *   "sk"       64 bytes: the Ed25519 secret key (libsodium layout)
 *   "claim"    96 bytes: public key, mined salt, address
 *   "epoch"    u64: the last boot epoch (transport nonces, docs/transport.md)
 *   "clock"    u64: the node's logical clock at its last commit
 *   "joined"   1 byte: the node has been part of the network
 *
 * First start mines the identity (about 2^bits Argon2id evaluations) and
 * records it; later starts load it and refuse a data directory that
 * belongs to another network or whose identity the network's parameters
 * would not admit.  Every start moves the epoch forward (the larger of the
 * stored epoch + 1 and the Unix time in seconds), written in the start's
 * first transaction, which the daemon commits before anything is sent.
 */
#ifndef ECNODE_KEYS_H
#define ECNODE_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "ec/identity.h"
#include "lmstore/lmstore.h"

typedef struct ecn_keys {
	uint8_t sk[64];
	ec_identity_claim claim;
	uint8_t network[32];
	uint64_t pos;      /* ring position: the first 8 bytes of the address */
	uint64_t epoch;    /* this boot's */
	uint64_t clock;    /* the logical clock stored at the last commit */
	bool joined;       /* the node was part of the network before */
	bool mined;        /* this start mined a new identity */
	uint64_t attempts; /* Argon2id evaluations the mining took */
} ecn_keys;

/* The network id of a network name: BLAKE3 derive_key of the name. */
void ecn_network_id(const char *name, uint8_t out[32]);

/* Loads the identity from s, or mines and records one (random key and
 * starting salt from libsodium); moves the boot epoch forward.
 * In:  s: the open store; p: the network's identity parameters; network:
 *      its id; unix_seconds: the wall clock.
 * Out: *k.  err: errlen bytes for a sentence on error.
 * Returns EC_OK; EC_EINVAL (the directory belongs to another network, a
 *         stored record is malformed, or the stored identity fails p);
 *         EC_ENOMEM (Argon2's memory); the store's errors. */
EC_WUR ec_err ecn_keys_open(ecn_lmstore *s, const ec_identity_params *p,
                            const uint8_t network[32], uint64_t unix_seconds, ecn_keys *k,
                            char *err, size_t errlen);

/* Records the clock and the joined flag in the tick's transaction. */
EC_WUR ec_err ecn_keys_save_clock(ecn_lmstore *s, uint64_t clock, bool joined);

#endif
