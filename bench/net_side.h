/* SPDX-License-Identifier: MIT */
/*
 * Two transport engines for the benchmarks (bench_transport.c,
 * bench_node_path.c): each a cheap Argon2id identity (checked only while
 * the engines learn each other's keys, never per datagram), a fixed
 * network id and a deterministic RNG; move() carries one engine's outbox
 * to the other.
 */
#ifndef EC_BENCH_NET_SIDE_H
#define EC_BENCH_NET_SIDE_H

#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "net/addr.h"
#include "net/transport.h"

typedef struct side {
	ecn *t;
	ec_addr addr;
	uint64_t rng_state;
	uint8_t sk[ECN_SK_LEN];
	ec_identity_claim claim;
	uint64_t pos;
} side;

static void
rng_cb(void *user, uint8_t *out, size_t len)
{
	uint64_t *s = user;
	for (size_t i = 0; i < len; i++) {
		*s = *s * 6364136223846793005u + 1442695040888963407u;
		out[i] = (uint8_t)(*s >> 56);
	}
}

static const ec_identity_params params = {.memory_kib = 8, .passes = 1, .lanes = 1, .bits = 0};

static int
side_new(side *s, uint8_t seed_byte, const char *addr)
{
	uint8_t seed[32] = {seed_byte}, pk[32];
	crypto_sign_seed_keypair(pk, s->sk, seed);
	memcpy(s->claim.public_key, pk, 32);
	memset(s->claim.salt, 0, 32);
	if (ec_identity_address(&params, pk, s->claim.salt, s->claim.address) != EC_OK)
		return -1;
	ec_id id = ec_id_from_bytes(s->claim.address);
	s->pos = ec_id_pos(&id);
	if (ecn_addr_parse(addr, &s->addr) != ECN_ADDR_OK)
		return -1;
	s->rng_state = seed_byte;
	ecn_config c;
	ecn_config_init(&c);
	c.secret_key = s->sk;
	c.claim = s->claim;
	c.params = params;
	memset(c.network_id, 7, sizeof c.network_id);
	c.epoch = 1;
	c.rng = rng_cb;
	c.rng_user = &s->rng_state;
	return ecn_new(&c, &s->t) == EC_OK ? 0 : -1;
}

/* Moves every datagram of from's outbox to to. */
static void
move(side *from, side *to, uint64_t now)
{
	ec_addr dst;
	const uint8_t *p;
	size_t len;
	ecn_delivery d;
	while (ecn_pull_ptr(from->t, &dst, &p, &len) == EC_OK) {
		static uint8_t copy[ECN_DATA_MAX_LEN];
		memcpy(copy, p, len);
		(void)ecn_recv(to->t, now, &from->addr, copy, len, &d);
	}
}

#endif
