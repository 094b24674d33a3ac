/* SPDX-License-Identifier: MIT */
/*
 * Tests of the transport engine (net/transport.h) and its pure packet layer
 * (net/packet.h).  Engines exchange datagrams in memory under a fake clock
 * and seeded RNGs, so every run is the same.  Identities are mined at 8 KiB
 * and 2 bits, so Argon2id is cheap.
 *
 * Covered: the round trip through WHOIS/IAM and both directions of DATA;
 * every byte of a DATA tampered; replays; a restart with a higher epoch
 * (accepted) and the old epoch's packets after it (refused); a restart of
 * the receiver (unknown sender, then a WHOIS that repairs it); a wrong
 * network id; impersonation by an attacker with its own valid identity;
 * an authentic IAM replayed from another address, and the bound on failed
 * IAMs; a re-mined claim (moved only by the key's own IAM, not by a
 * WHOIS); an IAM whose position is not the one asked for; the 3x amplification
 * limit towards a spoofed address; the budget, cookies (valid, forged,
 * expired, bound to the key) and the hard cap; held payload bounds and
 * give-up; peer eviction (unconfirmed first) and the replay floor of an
 * evicted peer; nonce exhaustion; allocation failures; malformed packets;
 * the pure layer's key derivation and sealing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "ec/rng.h"
#include "net/addr.h"
#include "net/engine.h"
#include "net/packet.h"
#include "net/transport.h"

/* ---- fixtures ---- */

static const ec_identity_params params = {.memory_kib = 8, .passes = 1, .lanes = 1, .bits = 2};
static const uint8_t net_a[32] = {0x6e, 0x65, 0x74, 0x2d, 0x61};
static const uint8_t net_b[32] = {0x6e, 0x65, 0x74, 0x2d, 0x62};

typedef struct ident {
	uint8_t sk[ECN_SK_LEN];
	ec_identity_claim claim;
	uint64_t pos;
} ident;

#define NIDENT 8
static ident idents[NIDENT];

typedef struct node {
	ecn *t;
	ec_addr addr;
	ec_rng rng;
	int id;
	/* the last delivery */
	int ndel;
	uint8_t pk[ECN_PK_LEN];
	uint64_t pos;
	uint8_t payload[2048];
	size_t len;
} node;

static void
rng_cb(void *user, uint8_t *out, size_t len)
{
	ec_rng *r = user;
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)ec_rng_u32(r);
}

static int
setup_idents(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	for (int i = 0; i < NIDENT; i++) {
		uint8_t seed[32] = {0}, pk[32];
		seed[0] = (uint8_t)(i + 1);
		crypto_sign_seed_keypair(pk, idents[i].sk, seed);
		memcpy(idents[i].claim.public_key, pk, 32);
		memset(idents[i].claim.salt, 0, 32);
		bool found = false;
		uint64_t n = 0;
		if (ec_identity_mine(&params, pk, 10000, idents[i].claim.salt, idents[i].claim.address,
		                     &found, &n) != EC_OK ||
		    !found)
			return -1;
		ec_id id = ec_id_from_bytes(idents[i].claim.address);
		idents[i].pos = ec_id_pos(&id);
	}
	return 0;
}

static ec_addr
addr_of(int id)
{
	char text[32];
	ec_addr a;
	snprintf(text, sizeof text, "10.0.%d.%d:9000", id / 250, id % 250 + 1);
	assert_int_equal(ecn_addr_parse(text, &a), ECN_ADDR_OK);
	return a;
}

static void
config_for(ecn_config *c, node *n, int id, uint64_t epoch, const uint8_t net[32])
{
	ecn_config_init(c);
	c->secret_key = idents[id].sk;
	c->claim = idents[id].claim;
	c->params = params;
	memcpy(c->network_id, net, 32);
	c->epoch = epoch;
	c->rng = rng_cb;
	c->rng_user = &n->rng;
}

static void
node_seed(node *n, int id, uint64_t seed)
{
	memset(n, 0, sizeof *n);
	n->id = id;
	n->addr = addr_of(id);
	uint8_t key[EC_RNG_SEED_BYTES];
	ec_rng_seed_from_u64(seed, key);
	ec_rng_init(&n->rng, key);
}

static void
node_start_cfg(node *n, const ecn_config *c)
{
	assert_int_equal(ecn_new(c, &n->t), EC_OK);
}

/* A node with identity id, its own address, epoch and network. */
static void
node_start(node *n, int id, uint64_t epoch, const uint8_t net[32])
{
	ecn_config c;
	node_seed(n, id, 1000u + (uint64_t)id * 7u + epoch);
	config_for(&c, n, id, epoch, net);
	node_start_cfg(n, &c);
}

static void
node_stop(node *n)
{
	ecn_destroy(n->t);
	n->t = NULL;
}

static const ecn_net_stats *
st(const node *n)
{
	return ecn_net_stats_get(n->t);
}

static uint64_t
drops(const node *n, ecn_verdict v)
{
	return st(n)->verdicts[v];
}

/* A datagram taken from an outbox. */
typedef struct dgram {
	ec_addr from, to;
	size_t len;
	uint8_t b[ECN_DATA_MAX_LEN];
} dgram;

#define MAXQ 512
static dgram q[MAXQ];

/* Takes every datagram from n's outbox into q[*nq...]. */
static void
drain(node *n, size_t *nq)
{
	ec_addr to;
	const uint8_t *data;
	size_t len;
	while (ecn_pull_ptr(n->t, &to, &data, &len) == EC_OK) {
		assert_true(*nq < MAXQ);
		dgram *d = &q[(*nq)++];
		d->from = n->addr;
		d->to = to;
		d->len = len;
		memcpy(d->b, data, len);
	}
}

static ecn_verdict
deliver_from(node *dst, uint64_t now, const ec_addr *from, const uint8_t *b, size_t len)
{
	ecn_delivery d;
	ecn_verdict v = ecn_recv(dst->t, now, from, b, len, &d);
	if (v == ECN_DELIVERED) {
		dst->ndel++;
		memcpy(dst->pk, d.pk, 32);
		dst->pos = d.pos;
		assert_true(d.len <= sizeof dst->payload);
		memcpy(dst->payload, d.payload, d.len);
		dst->len = d.len;
		assert_true(ecn_addr_eq(&d.from, from));
	} else {
		assert_int_equal(d.len, 0);
		assert_null(d.payload);
	}
	return v;
}

static ecn_verdict
deliver(node *dst, uint64_t now, const dgram *d)
{
	return deliver_from(dst, now, &d->from, d->b, d->len);
}

/* Moves datagrams between nodes until every outbox is empty; datagrams
 * to addresses of no node are lost.  Returns how many moved. */
static size_t
pump(node **nodes, size_t n, uint64_t now)
{
	size_t moved = 0;
	for (int round = 0; round < 50; round++) {
		size_t nq = 0;
		for (size_t i = 0; i < n; i++)
			drain(nodes[i], &nq);
		if (!nq)
			break;
		for (size_t k = 0; k < nq; k++)
			for (size_t j = 0; j < n; j++)
				if (ecn_addr_eq(&q[k].to, &nodes[j]->addr))
					(void)deliver(nodes[j], now, &q[k]);
		moved += nq;
	}
	return moved;
}

static ecn_verdict
send_to(node *src, uint64_t now, const node *dst, uint64_t pos, const char *text)
{
	ecn_verdict v = ECN_DROP_BAD_ARG;
	assert_int_equal(ecn_send(src->t, now, pos, &dst->addr, (const uint8_t *)text, strlen(text), &v),
	                 EC_OK);
	return v;
}

static void
assert_got(const node *n, const char *text, int from_id)
{
	assert_int_equal(n->len, strlen(text));
	assert_memory_equal(n->payload, text, n->len);
	assert_memory_equal(n->pk, idents[from_id].claim.public_key, 32);
	assert_int_equal(n->pos, idents[from_id].pos);
}

/* A and B know each other: A asked B, and both spoke once. */
static void
handshake(node *a, node *b, uint64_t now)
{
	node *nodes[] = {a, b};
	assert_int_equal(send_to(a, now, b, idents[b->id].pos, "hello"), ECN_QUEUED);
	pump(nodes, 2, now);
	assert_got(b, "hello", a->id);
	assert_int_equal(send_to(b, now, a, idents[a->id].pos, "hi"), ECN_SENT);
	pump(nodes, 2, now);
	assert_got(a, "hi", b->id);
}

/* ---- the pure layer ---- */

static void
test_packet_key(void **state)
{
	(void)state;
	uint8_t xa[32], xb[32], ka[32], kb[32], kc[32];
	const uint8_t *pka = idents[0].claim.public_key, *pkb = idents[1].claim.public_key;
	assert_int_equal(crypto_sign_ed25519_sk_to_curve25519(xa, idents[0].sk), 0);
	assert_int_equal(crypto_sign_ed25519_sk_to_curve25519(xb, idents[1].sk), 0);
	assert_int_equal(ecn_pkt_peer_key(xa, pka, pkb, net_a, ka), EC_OK);
	assert_int_equal(ecn_pkt_peer_key(xb, pkb, pka, net_a, kb), EC_OK);
	assert_memory_equal(ka, kb, 32); /* both ends agree */
	assert_int_equal(ecn_pkt_peer_key(xb, pkb, pka, net_b, kc), EC_OK);
	assert_memory_not_equal(ka, kc, 32); /* bound to the network */
	assert_int_equal(ecn_pkt_peer_key(xa, pka, idents[2].claim.public_key, net_a, kc), EC_OK);
	assert_memory_not_equal(ka, kc, 32);

	/* small order and non-points give no key */
	uint8_t zero[32] = {0}, one[32] = {1}, bad[32];
	memset(bad, 0xff, sizeof bad);
	assert_int_equal(ecn_pkt_peer_key(xa, pka, zero, net_a, kc), EC_EINVAL);
	assert_int_equal(ecn_pkt_peer_key(xa, pka, one, net_a, kc), EC_EINVAL);
	assert_int_equal(ecn_pkt_peer_key(xa, pka, bad, net_a, kc), EC_EINVAL);
	for (int i = 0; i < 32; i++)
		assert_int_equal(kc[i], 0);

	/* seal in place, open: the header is authenticated, the body hidden */
	uint8_t boot[8] = {1, 2, 3, 4, 5, 6, 7, 8}, nonce[ECN_NONCE_LEN];
	ecn_pkt_nonce(0x0102030405060708u, boot, 0x1112131415161718u, nonce);
	assert_int_equal(ecn_pkt_nonce_epoch(nonce), 0x0102030405060708u);
	assert_int_equal(ecn_pkt_nonce_ctr(nonce), 0x1112131415161718u);
	assert_memory_equal(nonce + 8, boot, 8);
	uint8_t pkt[ECN_HDR_LEN + 10 + ECN_TAG_LEN], out[10];
	memcpy(pkt + ECN_HDR_LEN, "0123456789", 10);
	ecn_pkt_seal(pkt, ECN_TYPE_DATA, pka, nonce, 10, ka);
	assert_int_equal(pkt[0], 0x11);
	assert_memory_not_equal(pkt + ECN_HDR_LEN, "0123456789", 10);
	assert_true(ecn_pkt_open(pkt, sizeof pkt, kb, out));
	assert_memory_equal(out, "0123456789", 10);
	assert_false(ecn_pkt_open(pkt, sizeof pkt, kc, out));
	assert_false(ecn_pkt_open(pkt, ECN_HDR_LEN + ECN_TAG_LEN - 1, kb, out));
	for (size_t i = 0; i < sizeof pkt; i++) {
		pkt[i] ^= 0x01;
		assert_false(ecn_pkt_open(pkt, sizeof pkt, kb, out));
		pkt[i] ^= 0x01;
	}
}

static void
test_packet_inner(void **state)
{
	(void)state;
	uint8_t buf[100], e[16], c[16];
	memset(e, 0xee, sizeof e);
	memset(c, 0xcc, sizeof c);
	ecn_inner in;
	size_t n = ecn_pkt_inner_write(buf, e, c, (const uint8_t *)"xyz", 3);
	assert_int_equal(n, ecn_pkt_inner_len(true, true, 3));
	assert_int_equal(n, 36);
	assert_true(ecn_pkt_inner_parse(buf, n, &in));
	assert_memory_equal(in.echo, e, 16);
	assert_memory_equal(in.challenge, c, 16);
	assert_int_equal(in.len, 3);
	assert_memory_equal(in.payload, "xyz", 3);
	n = ecn_pkt_inner_write(buf, NULL, c, NULL, 0);
	assert_true(ecn_pkt_inner_parse(buf, n, &in));
	assert_null(in.echo);
	assert_non_null(in.challenge);
	assert_int_equal(in.len, 0);
	assert_false(ecn_pkt_inner_parse(buf, n - 1, &in)); /* short for its flags */
	assert_false(ecn_pkt_inner_parse(buf, 0, &in));
	buf[0] = 0x04; /* unknown flag */
	assert_false(ecn_pkt_inner_parse(buf, n, &in));

	/* WHOIS: network MAC, padding, lengths */
	ecn_whois w, r;
	memset(&w, 0, sizeof w);
	w.claim = idents[0].claim;
	memset(w.challenge, 7, 16);
	uint8_t ka[32], kb[32], pkt[ECN_WHOIS_LEN + 1];
	ecn_pkt_net_key(net_a, ka);
	ecn_pkt_net_key(net_b, kb);
	ecn_pkt_whois_encode(&w, ka, pkt);
	assert_int_equal(pkt[0], 0x12);
	assert_int_equal(ecn_pkt_whois_decode(pkt, ECN_WHOIS_LEN, ka, &r), ECN_CONTROL);
	assert_memory_equal(&r, &w, sizeof w);
	assert_false(ecn_pkt_has_cookie(r.cookie));
	assert_int_equal(ecn_pkt_whois_decode(pkt, ECN_WHOIS_LEN, kb, &r), ECN_DROP_WRONG_NETWORK);
	assert_int_equal(ecn_pkt_whois_decode(pkt, ECN_WHOIS_LEN - 1, ka, &r), ECN_DROP_SHORT);
	assert_int_equal(ecn_pkt_whois_decode(pkt, ECN_WHOIS_LEN + 1, ka, &r), ECN_DROP_BAD_LENGTH);
	pkt[ECN_WHOIS_OFF_PAD] = 1;
	assert_int_equal(ecn_pkt_whois_decode(pkt, ECN_WHOIS_LEN, ka, &r), ECN_DROP_WRONG_NETWORK);
	/* padding is checked after the MAC: a sender of the network that sets it */
	uint8_t mac[16];
	crypto_generichash(mac, 16, pkt, ECN_WHOIS_OFF_MAC, ka, 32);
	memcpy(pkt + ECN_WHOIS_OFF_MAC, mac, 16);
	assert_int_equal(ecn_pkt_whois_decode(pkt, ECN_WHOIS_LEN, ka, &r), ECN_DROP_BAD_HEADER);
	/* the IAM is never longer than the WHOIS: no amplification */
	assert_true(ECN_IAM_LEN <= ECN_WHOIS_LEN);
	assert_true(ECN_COOKIE_PKT_LEN < ECN_WHOIS_LEN);
}

/* ---- the engine ---- */

static void
test_round_trip(void **state)
{
	(void)state;
	node a, b;
	node_start(&a, 0, 100, net_a);
	node_start(&b, 1, 100, net_a);
	node *nodes[] = {&a, &b};
	assert_int_equal(ecn_peer_count(a.t), 0);
	assert_int_equal(ecn_own_pos(a.t), idents[0].pos);
	assert_memory_equal(ecn_own_pk(a.t), idents[0].claim.public_key, 32);
	/* unknown: held, and a WHOIS goes out */
	assert_int_equal(send_to(&a, 1000, &b, idents[1].pos, "first"), ECN_QUEUED);
	assert_int_equal(send_to(&a, 1000, &b, idents[1].pos, "second"), ECN_QUEUED);
	assert_int_equal(ecn_outbox_count(a.t), 1);
	assert_int_equal(ecn_next_deadline(a.t), 1500);
	pump(nodes, 2, 1000);
	assert_int_equal(b.ndel, 2);
	assert_got(&b, "second", 0);
	assert_int_equal(ecn_next_deadline(a.t), UINT64_MAX);
	/* both know each other now, with the address each spoke from */
	uint8_t pk[32];
	ec_addr ad;
	bool has = false;
	assert_int_equal(ecn_lookup_pos(a.t, idents[1].pos, pk, &ad, &has), EC_OK);
	assert_memory_equal(pk, idents[1].claim.public_key, 32);
	assert_true(has);
	assert_true(ecn_addr_eq(&ad, &b.addr));
	uint64_t pos = 0;
	assert_int_equal(ecn_lookup_pk(b.t, idents[0].claim.public_key, &pos, &ad, &has), EC_OK);
	assert_int_equal(pos, idents[0].pos);
	assert_true(has);
	assert_true(ecn_addr_eq(&ad, &a.addr));
	assert_int_equal(ecn_lookup_pos(a.t, 12345, pk, &ad, &has), EC_ENOTFOUND);
	/* the answer goes straight out, by position or by address */
	assert_int_equal(send_to(&b, 1001, &a, idents[0].pos, "reply"), ECN_SENT);
	assert_int_equal(send_to(&b, 1001, &a, 0, "by-addr"), ECN_SENT);
	pump(nodes, 2, 1001);
	assert_int_equal(a.ndel, 2);
	assert_got(&a, "by-addr", 1);
	/* by position alone, and by address lookup */
	ecn_verdict v0;
	assert_int_equal(ecn_send(b.t, 1001, idents[0].pos, NULL, (const uint8_t *)"no-addr", 7, &v0),
	                 EC_OK);
	assert_int_equal(v0, ECN_SENT);
	assert_int_equal(ecn_send(b.t, 1001, 777, NULL, (const uint8_t *)"x", 1, &v0), EC_OK);
	assert_int_equal(v0, ECN_DROP_UNREACHABLE);
	assert_int_equal(ecn_send(b.t, 1001, 0, NULL, (const uint8_t *)"x", 1, &v0), EC_EINVAL);
	assert_int_equal(v0, ECN_DROP_BAD_ARG);
	pump(nodes, 2, 1001);
	assert_int_equal(a.ndel, 3);
	assert_got(&a, "no-addr", 1);
	a.ndel = 2;
	assert_int_equal(ecn_lookup_addr(a.t, &b.addr, pk, &pos), EC_OK);
	assert_memory_equal(pk, idents[1].claim.public_key, 32);
	assert_int_equal(pos, idents[1].pos);
	ec_addr unknown = addr_of(44);
	assert_int_equal(ecn_lookup_addr(a.t, &unknown, pk, &pos), EC_ENOTFOUND);
	assert_int_equal(ecn_lookup_addr(a.t, NULL, pk, &pos), EC_EINVAL);
	/* both addresses are validated: a large payload goes unhindered */
	static uint8_t big[1200];
	memset(big, 0x42, sizeof big);
	ecn_verdict v;
	assert_int_equal(ecn_send(a.t, 1002, idents[1].pos, &b.addr, big, sizeof big, &v), EC_OK);
	assert_int_equal(v, ECN_SENT);
	assert_int_equal(ecn_send(b.t, 1002, idents[0].pos, &a.addr, big, 0, &v), EC_OK);
	assert_int_equal(v, ECN_SENT);
	pump(nodes, 2, 1002);
	assert_int_equal(b.len, sizeof big);
	assert_memory_equal(b.payload, big, sizeof big);
	assert_int_equal(a.len, 0); /* an empty payload is delivered too */
	assert_int_equal(a.ndel, 3);
	/* steady state: 74 bytes of overhead, no echo, no challenge */
	assert_int_equal(send_to(&a, 1003, &b, idents[1].pos, "x"), ECN_SENT);
	size_t nq = 0;
	drain(&a, &nq);
	assert_int_equal(nq, 1);
	assert_int_equal(q[0].len, ECN_DATA_MIN_LEN + 1);
	assert_int_equal(st(&a)->paths_validated, 1);
	assert_int_equal(st(&b)->paths_validated, 1);
	assert_int_equal(st(&a)->claims_checked, 1);
	assert_int_equal(st(&b)->claims_checked, 1);
	assert_int_equal(st(&a)->verdicts[ECN_DELIVERED], 4);
	assert_int_equal(st(&a)->pkts_out[ECN_TYPE_WHOIS], 1);
	assert_int_equal(st(&b)->pkts_out[ECN_TYPE_IAM], 1);
	/* no drop anywhere but the two provoked above */
	assert_int_equal(drops(&b, ECN_DROP_UNREACHABLE), 1);
	assert_int_equal(drops(&b, ECN_DROP_BAD_ARG), 1);
	b.t->stats.verdicts[ECN_DROP_UNREACHABLE] = 0;
	b.t->stats.verdicts[ECN_DROP_BAD_ARG] = 0;
	for (int v2 = ECN_DROP_SHORT; v2 < ECN_VERDICT_COUNT; v2++) {
		assert_int_equal(drops(&a, (ecn_verdict)v2), 0);
		assert_int_equal(drops(&b, (ecn_verdict)v2), 0);
	}
	node_stop(&a);
	node_stop(&b);
}

/* Flipping any bit of a DATA never delivers; the reason depends on the
 * field; the untouched packet still delivers afterwards. */
static void
test_tamper(void **state)
{
	(void)state;
	node a, b;
	node_start(&a, 0, 100, net_a);
	node_start(&b, 1, 100, net_a);
	handshake(&a, &b, 1000);
	assert_int_equal(send_to(&a, 1001, &b, idents[1].pos, "tamper-me"), ECN_SENT);
	size_t nq = 0;
	drain(&a, &nq);
	assert_int_equal(nq, 1);
	dgram orig = q[0], bad;
	int before = b.ndel;
	for (size_t i = 0; i < orig.len; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			bad = orig;
			bad.b[i] ^= (uint8_t)(1u << bit);
			ecn_verdict v = deliver(&b, 1001, &bad);
			assert_true(ecn_verdict_is_drop(v));
			if (i == 0)
				assert_true(v == ECN_DROP_BAD_VERSION || v == ECN_DROP_BAD_TYPE ||
				            v == ECN_DROP_BAD_LENGTH || v == ECN_DROP_SHORT);
			else if (i < 33)
				assert_int_equal(v, ECN_DROP_UNKNOWN_SENDER);
			else if (i < 41 && bit == 0 && (bad.b[i] & 1) == 0)
				assert_true(v == ECN_DROP_STALE_EPOCH);
			else if (i >= 49 && i < 57) /* the counter: maybe one already seen */
				assert_true(v == ECN_DROP_REPLAY || v == ECN_DROP_BAD_MAC);
			else
				assert_int_equal(v, ECN_DROP_BAD_MAC);
		}
	}
	assert_int_equal(b.ndel, before);
	/* truncated and extended */
	for (size_t len = 0; len < orig.len; len++) {
		ecn_verdict v = deliver_from(&b, 1001, &orig.from, orig.b, len);
		assert_true(v == ECN_DROP_SHORT || v == ECN_DROP_BAD_MAC);
	}
	bad = orig;
	bad.b[bad.len++] = 0;
	assert_int_equal(deliver(&b, 1001, &bad), ECN_DROP_BAD_MAC);
	assert_int_equal(deliver(&b, 1001, &orig), ECN_DELIVERED);
	assert_got(&b, "tamper-me", 0);
	assert_true(drops(&b, ECN_DROP_BAD_MAC) > 0);
	node_stop(&a);
	node_stop(&b);
}

static void
test_replay(void **state)
{
	(void)state;
	node a, b;
	node_start(&a, 0, 100, net_a);
	node_start(&b, 1, 100, net_a);
	handshake(&a, &b, 1000);
	size_t nq = 0;
	for (int i = 0; i < 3; i++) {
		char text[8];
		snprintf(text, sizeof text, "m%d", i);
		assert_int_equal(send_to(&a, 1001, &b, idents[1].pos, text), ECN_SENT);
	}
	drain(&a, &nq);
	assert_int_equal(nq, 3);
	dgram d[3] = {q[0], q[1], q[2]};
	/* reordered: 2, 0, then 1 */
	assert_int_equal(deliver(&b, 1001, &d[2]), ECN_DELIVERED);
	assert_int_equal(deliver(&b, 1001, &d[0]), ECN_DELIVERED);
	assert_int_equal(deliver(&b, 1001, &d[2]), ECN_DROP_REPLAY);
	assert_int_equal(deliver(&b, 1001, &d[1]), ECN_DELIVERED);
	for (int i = 0; i < 3; i++)
		assert_int_equal(deliver(&b, 1001, &d[i]), ECN_DROP_REPLAY);
	/* a replay from another address is a replay too, and moves nothing */
	ec_addr elsewhere = addr_of(99);
	assert_int_equal(deliver_from(&b, 1001, &elsewhere, d[0].b, d[0].len), ECN_DROP_REPLAY);
	ec_addr ad;
	assert_int_equal(ecn_lookup_pk(b.t, idents[0].claim.public_key, NULL, &ad, NULL), EC_OK);
	assert_true(ecn_addr_eq(&ad, &a.addr));
	assert_int_equal(drops(&b, ECN_DROP_REPLAY), 5);
	/* the IAM B sent cannot be replayed either: unsolicited once answered */
	node_stop(&a);
	node_stop(&b);
}

/* A restarts with a higher epoch: its new packets are accepted (the window
 * restarts), then its old epoch's packets are refused. */
static void
test_epoch_restart(void **state)
{
	(void)state;
	node a, b;
	node_start(&a, 0, 100, net_a);
	node_start(&b, 1, 100, net_a);
	node *nodes[] = {&a, &b};
	handshake(&a, &b, 1000);
	assert_int_equal(send_to(&a, 1001, &b, idents[1].pos, "old-1"), ECN_SENT);
	assert_int_equal(send_to(&a, 1001, &b, idents[1].pos, "old-2"), ECN_SENT);
	size_t nq = 0;
	drain(&a, &nq);
	dgram old1 = q[0], old2 = q[1];
	assert_int_equal(deliver(&b, 1001, &old1), ECN_DELIVERED);
	node_stop(&a);

	/* A again, same key, epoch 101, empty table */
	node_start(&a, 0, 101, net_a);
	nodes[0] = &a;
	assert_int_equal(send_to(&a, 2000, &b, idents[1].pos, "new"), ECN_QUEUED);
	pump(nodes, 2, 2000);
	assert_got(&b, "new", 0);
	assert_int_equal(deliver(&b, 2000, &old2), ECN_DROP_STALE_EPOCH);
	assert_int_equal(deliver(&b, 2000, &old1), ECN_DROP_STALE_EPOCH);
	assert_int_equal(send_to(&a, 2001, &b, idents[1].pos, "newer"), ECN_SENT);
	pump(nodes, 2, 2001);
	assert_got(&b, "newer", 0);
	node_stop(&a);
	node_stop(&b);
}

/* B restarts and forgets A: A's DATA is dropped as from an unknown sender,
 * and B's WHOIS in reaction lets A's next DATA through. */
static void
test_receiver_restart(void **state)
{
	(void)state;
	node a, b;
	node_start(&a, 0, 100, net_a);
	node_start(&b, 1, 100, net_a);
	node *nodes[] = {&a, &b};
	handshake(&a, &b, 1000);
	node_stop(&b);
	node_start(&b, 1, 101, net_a);
	nodes[1] = &b;
	assert_int_equal(send_to(&a, 2000, &b, idents[1].pos, "lost"), ECN_SENT);
	pump(nodes, 2, 2000);
	assert_int_equal(b.ndel, 0);
	assert_int_equal(drops(&b, ECN_DROP_UNKNOWN_SENDER), 1);
	assert_int_equal(st(&b)->pkts_out[ECN_TYPE_WHOIS], 1);
	assert_int_equal(ecn_peer_count(b.t), 1);
	assert_int_equal(send_to(&a, 2001, &b, idents[1].pos, "found"), ECN_SENT);
	pump(nodes, 2, 2001);
	assert_got(&b, "found", 0);
	/* and B answers at once, its address already validated by the IAM */
	assert_int_equal(send_to(&b, 2002, &a, idents[0].pos, "back"), ECN_SENT);
	pump(nodes, 2, 2002);
	assert_got(&a, "back", 1);
	node_stop(&a);
	node_stop(&b);
}

static void
test_wrong_network(void **state)
{
	(void)state;
	node a, c;
	node_start(&a, 0, 100, net_a);
	node_start(&c, 2, 100, net_b);
	node *nodes[] = {&a, &c};
	assert_int_equal(send_to(&a, 1000, &c, idents[2].pos, "hello"), ECN_QUEUED);
	pump(nodes, 2, 1000);
	assert_int_equal(c.ndel, 0);
	assert_int_equal(drops(&c, ECN_DROP_WRONG_NETWORK), 1);
	assert_int_equal(ecn_peer_count(c.t), 0);
	assert_int_equal(st(&c)->claims_checked, 0); /* refused before any cost */
	assert_int_equal(ecn_probe(c.t, 1000, &a.addr), EC_OK);
	pump(nodes, 2, 1000);
	assert_int_equal(drops(&a, ECN_DROP_WRONG_NETWORK), 1);
	assert_int_equal(ecn_peer_count(a.t), 0);
	/* even a DATA sealed with a key of the right pair but the other
	 * network's id does not open */
	node b;
	node_start(&b, 2, 100, net_a); /* C's identity on A's network */
	b.addr = addr_of(20);
	nodes[1] = &b;
	handshake(&a, &b, 1001);
	assert_int_equal(send_to(&a, 1002, &b, idents[2].pos, "cross"), ECN_SENT);
	size_t nq = 0;
	drain(&a, &nq);
	/* C (net_b) learns A's claim legitimately on its own network?  It
	 * cannot: give it A's key by hand and check the AEAD still fails */
	uint8_t xc[32], kc[32], out[64];
	assert_int_equal(crypto_sign_ed25519_sk_to_curve25519(xc, idents[2].sk), 0);
	assert_int_equal(ecn_pkt_peer_key(xc, idents[2].claim.public_key, idents[0].claim.public_key,
	                                  net_b, kc),
	                 EC_OK);
	assert_false(ecn_pkt_open(q[0].b, q[0].len, kc, out));
	assert_int_equal(ecn_pkt_peer_key(xc, idents[2].claim.public_key, idents[0].claim.public_key,
	                                  net_a, kc),
	                 EC_OK);
	assert_true(ecn_pkt_open(q[0].b, q[0].len, kc, out));
	node_stop(&a);
	node_stop(&b);
	node_stop(&c);
}

/* M has its own valid identity and knows B.  It cannot pass for A: not
 * with A's key in a DATA header, and not by replaying A's claim in a
 * WHOIS (which never moves A's address). */
static void
test_impersonation(void **state)
{
	(void)state;
	node a, b, m;
	node_start(&a, 0, 100, net_a);
	node_start(&b, 1, 100, net_a);
	node_start(&m, 3, 100, net_a);
	handshake(&a, &b, 1000);
	handshake(&m, &b, 1000);
	/* a DATA that claims to be A, sealed with what M can compute */
	assert_int_equal(send_to(&m, 1001, &b, idents[1].pos, "i am A"), ECN_SENT);
	size_t nq = 0;
	drain(&m, &nq);
	dgram d = q[0];
	memcpy(d.b + 1, idents[0].claim.public_key, 32);
	assert_int_equal(deliver(&b, 1001, &d), ECN_DROP_BAD_MAC);
	/* re-sealed under M's own K with B, with A's pk as header: still no */
	uint8_t xm[32], km[32];
	assert_int_equal(crypto_sign_ed25519_sk_to_curve25519(xm, idents[3].sk), 0);
	assert_int_equal(ecn_pkt_peer_key(xm, idents[3].claim.public_key, idents[1].claim.public_key,
	                                  net_a, km),
	                 EC_OK);
	uint8_t nonce[ECN_NONCE_LEN], boot[8] = {0};
	ecn_pkt_nonce(200, boot, 1, nonce);
	d.len = ecn_pkt_inner_write(d.b + ECN_HDR_LEN, NULL, NULL, (const uint8_t *)"i am A", 6) +
	        ECN_HDR_LEN + ECN_TAG_LEN;
	ecn_pkt_seal(d.b, ECN_TYPE_DATA, idents[0].claim.public_key, nonce, d.len - ECN_HDR_LEN - ECN_TAG_LEN, km);
	assert_int_equal(deliver(&b, 1001, &d), ECN_DROP_BAD_MAC);
	/* A's public claim replayed by M from M's address */
	ecn_whois w;
	memset(&w, 0, sizeof w);
	w.claim = idents[0].claim;
	uint8_t nk[32];
	ecn_pkt_net_key(net_a, nk);
	ecn_pkt_whois_encode(&w, nk, d.b);
	d.len = ECN_WHOIS_LEN;
	d.from = m.addr;
	assert_int_equal(deliver(&b, 1002, &d), ECN_CONTROL);
	ec_addr ad;
	assert_int_equal(ecn_lookup_pk(b.t, idents[0].claim.public_key, NULL, &ad, NULL), EC_OK);
	assert_true(ecn_addr_eq(&ad, &a.addr));
	/* B's IAM went to M, sealed under K(A,B): M cannot open it */
	nq = 0;
	drain(&b, &nq);
	assert_int_equal(nq, 1);
	assert_true(ecn_addr_eq(&q[0].to, &m.addr));
	assert_int_equal(deliver(&m, 1002, &q[0]), ECN_DROP_UNSOLICITED);
	assert_int_equal(ecn_pkt_peer_key(xm, idents[3].claim.public_key, idents[1].claim.public_key,
	                                  net_a, km),
	                 EC_OK);
	uint8_t out[ECN_IAM_PLAIN_LEN];
	assert_false(ecn_pkt_open(q[0].b, q[0].len, km, out));
	/* and B still reaches the real A */
	int before = a.ndel;
	node *nodes[] = {&a, &b, &m};
	assert_int_equal(send_to(&b, 1003, &a, idents[0].pos, "to-a"), ECN_SENT);
	pump(nodes, 3, 1003);
	assert_int_equal(a.ndel, before + 1);
	assert_int_equal(m.ndel, 1);
	node_stop(&a);
	node_stop(&b);
	node_stop(&m);
}

/* An IAM binds the key to the address that was asked: B's authentic IAM,
 * replayed from another address A is asking, is refused. */
static void
test_iam_echo(void **state)
{
	(void)state;
	node a, b;
	node_start(&a, 0, 100, net_a);
	node_start(&b, 1, 100, net_a);
	ec_addr z = addr_of(70);
	assert_int_equal(ecn_probe(a.t, 1000, &b.addr), EC_OK);
	assert_int_equal(ecn_probe(a.t, 1000, &z), EC_OK);
	size_t nq = 0;
	drain(&a, &nq);
	assert_int_equal(nq, 2);
	assert_int_equal(deliver(&b, 1000, &q[0]), ECN_CONTROL);
	nq = 0;
	drain(&b, &nq);
	dgram iam = q[0];
	assert_int_equal(deliver_from(&a, 1000, &z, iam.b, iam.len), ECN_DROP_UNSOLICITED);
	assert_int_equal(ecn_lookup_pk(a.t, idents[1].claim.public_key, NULL, NULL, NULL),
	                 EC_ENOTFOUND);
	/* forged tags from the asked address count towards its failure limit
	 * (one failure was the replay above); then Z costs nothing more */
	dgram bad = iam;
	bad.b[bad.len - 1] ^= 1;
	bad.from = z;
	for (unsigned i = 0; i < ECNET__IAM_FAILS - 1; i++)
		assert_int_equal(deliver(&a, 1000, &bad), ECN_DROP_BAD_MAC);
	uint64_t dh = st(&a)->dh;
	assert_int_equal(deliver(&a, 1000, &bad), ECN_DROP_UNSOLICITED);
	assert_int_equal(deliver_from(&a, 1000, &z, iam.b, iam.len), ECN_DROP_UNSOLICITED);
	assert_int_equal(st(&a)->dh, dh); /* no work any more */
	/* from the right address it is accepted, once */
	assert_int_equal(deliver(&a, 1000, &iam), ECN_CONTROL);
	ec_addr ad;
	assert_int_equal(ecn_lookup_pk(a.t, idents[1].claim.public_key, NULL, &ad, NULL), EC_OK);
	assert_true(ecn_addr_eq(&ad, &b.addr));
	assert_int_equal(deliver(&a, 1000, &iam), ECN_DROP_UNSOLICITED);
	node_stop(&a);
	node_stop(&b);
}

/* A key may re-mine its claim.  An unauthenticated WHOIS with another
 * claim of a known key moves nothing; the key's own IAM does. */
static void
test_remined(void **state)
{
	(void)state;
	node a, b;
	node_start(&a, 0, 100, net_a);
	node_start(&b, 1, 100, net_a);
	node *nodes[] = {&a, &b};
	handshake(&a, &b, 1000);
	ec_identity_claim c2 = idents[1].claim;
	memset(c2.salt, 0x77, sizeof c2.salt);
	bool found = false;
	uint64_t n = 0;
	assert_int_equal(ec_identity_mine(&params, c2.public_key, 10000, c2.salt, c2.address, &found, &n),
	                 EC_OK);
	assert_true(found);
	ec_id id2 = ec_id_from_bytes(c2.address);
	uint64_t pos2 = ec_id_pos(&id2);
	assert_true(pos2 != idents[1].pos);
	/* the new claim replayed from elsewhere: A asks there, B stays put */
	ecn_whois w;
	memset(&w, 0, sizeof w);
	w.claim = c2;
	uint8_t nk[32], pkt[ECN_WHOIS_LEN];
	ecn_pkt_net_key(net_a, nk);
	ecn_pkt_whois_encode(&w, nk, pkt);
	ec_addr z = addr_of(71);
	uint64_t checked = st(&a)->claims_checked;
	assert_int_equal(deliver_from(&a, 1001, &z, pkt, sizeof pkt), ECN_CONTROL);
	assert_int_equal(st(&a)->claims_checked, checked);
	uint64_t pos = 0;
	assert_int_equal(ecn_lookup_pk(a.t, idents[1].claim.public_key, &pos, NULL, NULL), EC_OK);
	assert_int_equal(pos, idents[1].pos);
	size_t nq = 0;
	drain(&a, &nq);
	assert_int_equal(nq, 2); /* a WHOIS to Z, and the IAM */
	assert_int_equal(q[0].b[0] ^ q[1].b[0], 0x12 ^ 0x13);
	/* B restarts with the new claim: its IAM moves it */
	node_stop(&b);
	ecn_config cfg;
	node_seed(&b, 1, 77);
	config_for(&cfg, &b, 1, 101, net_a);
	cfg.claim = c2;
	node_start_cfg(&b, &cfg);
	nodes[1] = &b;
	assert_int_equal(send_to(&b, 1002, &a, idents[0].pos, "moved"), ECN_QUEUED);
	pump(nodes, 2, 1002);
	assert_int_equal(a.len, 5);
	assert_memory_equal(a.payload, "moved", 5);
	assert_int_equal(a.pos, pos2); /* delivered with the new position */
	assert_int_equal(ecn_lookup_pk(a.t, idents[1].claim.public_key, &pos, NULL, NULL), EC_OK);
	assert_int_equal(pos, pos2);
	assert_int_equal(ecn_lookup_pos(a.t, idents[1].pos, NULL, NULL, NULL), EC_ENOTFOUND);
	node_stop(&a);
	node_stop(&b);
}

/* A asks the node at B's address for position P, but B's claim gives
 * another position: the payload held for P is dropped, B is still learned. */
static void
test_pos_mismatch(void **state)
{
	(void)state;
	node a, b;
	node_start(&a, 0, 100, net_a);
	node_start(&b, 1, 100, net_a);
	node *nodes[] = {&a, &b};
	uint64_t wrong = idents[1].pos ^ 0x8000000000000000u;
	assert_int_equal(send_to(&a, 1000, &b, wrong, "for-P"), ECN_QUEUED);
	assert_int_equal(send_to(&a, 1000, &b, 0, "for-anyone"), ECN_QUEUED);
	pump(nodes, 2, 1000);
	assert_int_equal(drops(&a, ECN_DROP_POS_MISMATCH), 1);
	assert_int_equal(b.ndel, 1);
	assert_got(&b, "for-anyone", 0);
	assert_int_equal(ecn_lookup_pos(a.t, idents[1].pos, NULL, NULL, NULL), EC_OK);
	assert_int_equal(ecn_lookup_pos(a.t, wrong, NULL, NULL, NULL), EC_ENOTFOUND);
	/* asking again for P at that address: still no */
	assert_int_equal(send_to(&a, 1001, &b, wrong, "again"), ECN_QUEUED);
	pump(nodes, 2, 1001);
	assert_int_equal(drops(&a, ECN_DROP_POS_MISMATCH), 2);
	assert_int_equal(b.ndel, 1);
	node_stop(&a);
	node_stop(&b);
}

/* M spoofs victim address V: a WHOIS and authenticated DATA (its own key)
 * with V as source.  Whatever S's application answers, S sends V at most
 * 3x the bytes it received from V. */
static void
test_amplification(void **state)
{
	(void)state;
	node s, m;
	node_start(&s, 1, 100, net_a);
	node_start(&m, 3, 100, net_a);
	handshake(&m, &s, 1000); /* M knows S from its real address */
	ec_addr v = addr_of(77);
	uint64_t in_v = 0, out_v = 0;
	size_t nq = 0;
	/* the DATA M sends, delivered to S as if from V */
	for (int i = 0; i < 20; i++) {
		assert_int_equal(send_to(&m, 1001, &s, idents[1].pos, "q"), ECN_SENT);
		nq = 0;
		drain(&m, &nq);
		assert_int_equal(deliver_from(&s, 1001, &v, q[0].b, q[0].len), ECN_DELIVERED);
		in_v += q[0].len;
		/* the application answers each query with 1,000 bytes */
		static uint8_t answer[1000];
		ecn_verdict verdict;
		assert_int_equal(ecn_send(s.t, 1001, idents[3].pos, &v, answer, sizeof answer, &verdict),
		                 EC_OK);
		assert_true(verdict == ECN_SENT || verdict == ECN_DROP_AMP_LIMITED);
		nq = 0;
		drain(&s, &nq);
		for (size_t k = 0; k < nq; k++) {
			assert_true(ecn_addr_eq(&q[k].to, &v));
			out_v += q[k].len;
		}
		assert_true(out_v <= 3 * in_v);
	}
	assert_true(drops(&s, ECN_DROP_AMP_LIMITED) > 0);
	assert_true(out_v > 0);
	/* S now believes M is at V (authenticated packets came from there) but
	 * V is not validated: M never saw the challenge S sent to V */
	ec_addr ad;
	assert_int_equal(ecn_lookup_pk(s.t, idents[3].claim.public_key, NULL, &ad, NULL), EC_OK);
	assert_true(ecn_addr_eq(&ad, &v));
	uint32_t path = ecnet__path_find(s.t, &v);
	assert_true(path != ECNET__NONE);
	assert_false(s.t->paths[path].validated);

	/* WHOIS spoofed from a fresh address W: one IAM back, never longer */
	ec_addr w = addr_of(78);
	ecn_whois wh;
	memset(&wh, 0, sizeof wh);
	wh.claim = idents[4].claim;
	uint8_t nk[32], pkt[ECN_WHOIS_LEN];
	ecn_pkt_net_key(net_a, nk);
	ecn_pkt_whois_encode(&wh, nk, pkt);
	uint64_t out_w = 0;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(deliver_from(&s, 1002, &w, pkt, sizeof pkt), ECN_CONTROL);
		nq = 0;
		drain(&s, &nq);
		for (size_t k = 0; k < nq; k++)
			out_w += q[k].len;
	}
	assert_true(out_w <= 5u * ECN_WHOIS_LEN);
	/* and DATA from an unknown key at W: the WHOIS in reaction fits the
	 * 3x rule of what W sent */
	ec_addr x = addr_of(79);
	uint8_t junk[ECN_DATA_MIN_LEN] = {0x11};
	memset(junk + 1, 0x33, 32);
	assert_int_equal(deliver_from(&s, 1003, &x, junk, sizeof junk), ECN_DROP_UNKNOWN_SENDER);
	nq = 0;
	drain(&s, &nq);
	assert_int_equal(nq, 1);
	assert_true(q[0].len <= 3 * sizeof junk);
	/* a second one from X while the WHOIS is under way sends nothing */
	assert_int_equal(deliver_from(&s, 1003, &x, junk, sizeof junk), ECN_DROP_UNKNOWN_SENDER);
	assert_int_equal(ecn_outbox_count(s.t), 0);
	/* its retries obey the rule too: X sent 148 bytes, a retry of 169
	 * would make 338 <= 444, the one after (507) not */
	ecn_tick(s.t, 1503);
	assert_int_equal(ecn_outbox_count(s.t), 1);
	ecn_tick(s.t, 2503);
	assert_int_equal(ecn_outbox_count(s.t), 1);
	node_stop(&s);
	node_stop(&m);
}

static void
budget_cfg(ecn_config *c)
{
	c->verify_rate = 0;
	c->verify_burst = 1;
	c->cookie_rate = 0;
	c->cookie_burst = 1;
}

/* Over budget, a WHOIS gets a COOKIE; the WHOIS with the cookie is then
 * processed (up to the hard cap); forged, expired or borrowed cookies are
 * not. */
static void
test_budget_cookie(void **state)
{
	(void)state;
	node s, a, b, c;
	ecn_config cfg;
	node_seed(&s, 1, 5);
	config_for(&cfg, &s, 1, 100, net_a);
	budget_cfg(&cfg);
	node_start_cfg(&s, &cfg);
	node_start(&a, 0, 100, net_a);
	node_start(&b, 2, 100, net_a);
	node_start(&c, 3, 100, net_a);
	node *nodes[] = {&s, &a, &b, &c};
	/* A takes the only token */
	assert_int_equal(send_to(&a, 1000, &s, idents[1].pos, "from-a"), ECN_QUEUED);
	pump(nodes, 4, 1000);
	assert_int_equal(s.ndel, 1);
	/* B is over budget: COOKIE, then its WHOIS with the cookie passes */
	assert_int_equal(send_to(&b, 1000, &s, idents[1].pos, "from-b"), ECN_QUEUED);
	size_t nq = 0;
	drain(&b, &nq);
	assert_int_equal(deliver(&s, 1000, &q[0]), ECN_DROP_BUDGET);
	assert_int_equal(st(&s)->cookies_sent, 1);
	nq = 0;
	drain(&s, &nq);
	assert_int_equal(nq, 1);
	assert_int_equal(q[0].len, ECN_COOKIE_PKT_LEN);
	assert_int_equal(q[0].b[0], 0x14);
	dgram cookie_b = q[0];
	/* a COOKIE that does not echo B's challenge is refused */
	dgram forged = cookie_b;
	forged.b[1] ^= 1;
	assert_int_equal(deliver(&b, 1000, &forged), ECN_DROP_UNSOLICITED);
	assert_int_equal(ecn_outbox_count(b.t), 0);
	assert_int_equal(deliver(&b, 1000, &cookie_b), ECN_CONTROL);
	pump(nodes, 4, 1000);
	assert_int_equal(s.ndel, 2);
	assert_got(&s, "from-b", 2);
	assert_int_equal(drops(&s, ECN_DROP_BUDGET), 1);

	/* C: over budget, and the hard cap (1) is spent by B */
	assert_int_equal(send_to(&c, 1000, &s, idents[1].pos, "from-c"), ECN_QUEUED);
	pump(nodes, 4, 1000);
	assert_int_equal(s.ndel, 2);
	assert_int_equal(drops(&s, ECN_DROP_BUDGET), 3); /* without, then with the cookie */
	assert_int_equal(st(&s)->cookies_sent, 2);

	/* a forged cookie, and B's cookie used by C's key (bound to key and
	 * address), are bad cookies and get a fresh COOKIE */
	ecn_whois w;
	memset(&w, 0, sizeof w);
	w.claim = idents[3].claim;
	memset(w.cookie, 0x5a, sizeof w.cookie);
	uint8_t nk[32], pkt[ECN_WHOIS_LEN];
	ecn_pkt_net_key(net_a, nk);
	ecn_pkt_whois_encode(&w, nk, pkt);
	assert_int_equal(deliver_from(&s, 1001, &c.addr, pkt, sizeof pkt), ECN_DROP_BAD_COOKIE);
	memcpy(w.cookie, cookie_b.b + 1 + ECN_CHALLENGE_LEN, ECN_COOKIE_LEN);
	ecn_pkt_whois_encode(&w, nk, pkt);
	assert_int_equal(deliver_from(&s, 1001, &c.addr, pkt, sizeof pkt), ECN_DROP_BAD_COOKIE);
	/* a cookie S made for C's key and address: refused from elsewhere;
	 * accepted from C's address (then refused by the spent hard cap) */
	ecn_pkt_cookie(s.t->cookie_cur, &c.addr, idents[3].claim.public_key, w.cookie);
	ecn_pkt_whois_encode(&w, nk, pkt);
	ec_addr other = addr_of(90);
	assert_int_equal(deliver_from(&s, 1001, &other, pkt, sizeof pkt), ECN_DROP_BAD_COOKIE);
	uint64_t budget_before = drops(&s, ECN_DROP_BUDGET);
	assert_int_equal(deliver_from(&s, 1001, &c.addr, pkt, sizeof pkt), ECN_DROP_BUDGET);
	assert_int_equal(drops(&s, ECN_DROP_BUDGET), budget_before + 1);

	/* a cookie for a new key D, kept 250 s: expired.  The cookie bucket
	 * refills for this part. */
	s.t->cfg.cookie_rate = 1000;
	ecn_whois wd;
	memset(&wd, 0, sizeof wd);
	wd.claim = idents[5].claim;
	ec_addr dad = addr_of(5);
	ecn_pkt_whois_encode(&wd, nk, pkt);
	assert_int_equal(deliver_from(&s, 2000, &dad, pkt, sizeof pkt), ECN_DROP_BUDGET);
	nq = 0;
	drain(&s, &nq);
	assert_int_equal(nq > 0, 1);
	memcpy(wd.cookie, q[nq - 1].b + 1 + ECN_CHALLENGE_LEN, ECN_COOKIE_LEN);
	ecn_pkt_whois_encode(&wd, nk, pkt);
	uint64_t bad_before = drops(&s, ECN_DROP_BAD_COOKIE);
	ecn_tick(s.t, 2000 + 250000);
	assert_int_equal(deliver_from(&s, 2000 + 250000, &dad, pkt, sizeof pkt), ECN_DROP_BAD_COOKIE);
	assert_int_equal(drops(&s, ECN_DROP_BAD_COOKIE), bad_before + 1);
	assert_int_equal(ecn_lookup_pk(s.t, idents[5].claim.public_key, NULL, NULL, NULL),
	                 EC_ENOTFOUND);
	/* a fresh one, used 130 s later (one rotation): still good */
	nq = 0;
	drain(&s, &nq);
	memcpy(wd.cookie, q[nq - 1].b + 1 + ECN_CHALLENGE_LEN, ECN_COOKIE_LEN);
	ecn_pkt_whois_encode(&wd, nk, pkt);
	ecn_tick(s.t, 2000 + 380000);
	assert_int_equal(deliver_from(&s, 2000 + 380000, &dad, pkt, sizeof pkt), ECN_CONTROL);
	assert_int_equal(ecn_lookup_pk(s.t, idents[5].claim.public_key, NULL, NULL, NULL), EC_OK);
	node_stop(&s);
	node_stop(&a);
	node_stop(&b);
	node_stop(&c);
}

/* The per-prefix bucket: one /24 flooding does not spend another's. */
static void
test_prefix_budget(void **state)
{
	(void)state;
	node s;
	ecn_config cfg;
	node_seed(&s, 1, 6);
	config_for(&cfg, &s, 1, 100, net_a);
	cfg.prefix_rate = 0;
	cfg.prefix_burst = 2;
	node_start_cfg(&s, &cfg);
	uint8_t nk[32], pkt[ECN_WHOIS_LEN];
	ecn_pkt_net_key(net_a, nk);
	ec_addr same[3], far;
	assert_int_equal(ecn_addr_parse("10.9.9.1:1", &same[0]), ECN_ADDR_OK);
	assert_int_equal(ecn_addr_parse("10.9.9.2:1", &same[1]), ECN_ADDR_OK);
	assert_int_equal(ecn_addr_parse("10.9.9.3:1", &same[2]), ECN_ADDR_OK);
	assert_int_equal(ecn_addr_parse("10.9.10.1:1", &far), ECN_ADDR_OK);
	for (int i = 0; i < 4; i++) {
		ecn_whois w;
		memset(&w, 0, sizeof w);
		w.claim = idents[i == 1 ? 0 : i + 2 > 7 ? 7 : i + 2].claim;
		ecn_pkt_whois_encode(&w, nk, pkt);
		ecn_verdict v = deliver_from(&s, 1000, i < 3 ? &same[i] : &far, pkt, sizeof pkt);
		assert_int_equal(v, i == 2 ? ECN_DROP_BUDGET : ECN_CONTROL);
	}
	node_stop(&s);
}

static void
test_queue_bounds(void **state)
{
	(void)state;
	node a, b;
	ecn_config cfg;
	node_seed(&a, 0, 8);
	config_for(&cfg, &a, 0, 100, net_a);
	cfg.queue_per_peer = 3;
	cfg.queue_bytes = 100;
	node_start_cfg(&a, &cfg);
	node_start(&b, 1, 100, net_a);
	node *nodes[] = {&a, &b};
	const char *m[5] = {"p0", "p1", "p2", "p3", "p4"};
	for (int i = 0; i < 5; i++)
		assert_int_equal(send_to(&a, 1000, &b, idents[1].pos, m[i]), ECN_QUEUED);
	assert_int_equal(drops(&a, ECN_DROP_QUEUE_FULL), 2);
	pump(nodes, 2, 1000);
	assert_int_equal(b.ndel, 3);
	assert_got(&b, "p4", 0);
	/* bytes: 40-byte payloads to another unknown address, 100 bytes in all */
	node c;
	node_start(&c, 2, 100, net_a);
	nodes[1] = &c;
	char p40[41];
	for (int i = 0; i < 3; i++) {
		memset(p40, 'a' + i, 40);
		p40[40] = 0;
		assert_int_equal(send_to(&a, 1001, &c, idents[2].pos, p40), ECN_QUEUED);
	}
	assert_int_equal(drops(&a, ECN_DROP_QUEUE_FULL), 3);
	assert_int_equal(a.t->q_bytes, 80);
	/* a payload larger than all the room is refused at once */
	static uint8_t huge[101];
	ecn_verdict v;
	assert_int_equal(ecn_send(a.t, 1001, idents[2].pos, &c.addr, huge, sizeof huge, &v), EC_OK);
	assert_int_equal(v, ECN_DROP_QUEUE_FULL);
	pump(nodes, 2, 1001);
	assert_int_equal(c.ndel, 2);
	assert_int_equal(c.payload[0], 'c');
	/* oversize */
	static uint8_t over[ECN_MAX_PAYLOAD + 1];
	assert_int_equal(ecn_send(a.t, 1001, idents[2].pos, &c.addr, over, sizeof over, &v), EC_EINVAL);
	assert_int_equal(v, ECN_DROP_OVERSIZE);
	assert_int_equal(drops(&a, ECN_DROP_OVERSIZE), 1);
	/* the largest payload goes, and arrives whole */
	assert_int_equal(ecn_send(a.t, 1001, idents[2].pos, &c.addr, over, ECN_MAX_PAYLOAD, &v), EC_OK);
	assert_int_equal(v, ECN_SENT);
	size_t nq = 0;
	drain(&a, &nq);
	/* with the echo of C's challenge (C has not spoken to A yet) */
	assert_int_equal(q[0].len, ECN_DATA_MIN_LEN + ECN_CHALLENGE_LEN + ECN_MAX_PAYLOAD);
	ecn_delivery d;
	assert_int_equal(ecn_recv(c.t, 1001, &a.addr, q[0].b, q[0].len, &d), ECN_DELIVERED);
	assert_int_equal(d.len, ECN_MAX_PAYLOAD);
	node_stop(&a);
	node_stop(&b);
	node_stop(&c);
}

/* Nobody answers: WHOIS retried with back-off, then held payloads are
 * dropped as unreachable. */
static void
test_give_up(void **state)
{
	(void)state;
	node a;
	node_start(&a, 0, 100, net_a);
	ec_addr nowhere = addr_of(50);
	ecn_verdict v;
	assert_int_equal(ecn_send(a.t, 0, 0, &nowhere, (const uint8_t *)"x", 1, &v), EC_OK);
	assert_int_equal(v, ECN_QUEUED);
	assert_int_equal(ecn_probe(a.t, 0, &nowhere), EC_OK); /* already under way */
	uint64_t want[] = {500, 1500, 3500, 7500, 15500};
	for (int i = 0; i < 5; i++) {
		assert_int_equal(ecn_next_deadline(a.t), want[i]);
		ecn_tick(a.t, want[i] - 1);
		assert_int_equal(st(&a)->whois_sent, (uint64_t)i + 1);
		ecn_tick(a.t, want[i]);
	}
	assert_int_equal(st(&a)->whois_sent, 5);
	assert_int_equal(st(&a)->whois_gave_up, 1);
	assert_int_equal(drops(&a, ECN_DROP_UNREACHABLE), 1);
	assert_int_equal(ecn_next_deadline(a.t), UINT64_MAX);
	assert_int_equal(a.t->q_bytes, 0);
	/* max_pending probes at once */
	node b;
	ecn_config cfg;
	node_seed(&b, 1, 9);
	config_for(&cfg, &b, 1, 100, net_a);
	cfg.max_pending = 2;
	node_start_cfg(&b, &cfg);
	assert_int_equal(ecn_probe(b.t, 0, &nowhere), EC_OK);
	ec_addr n2 = addr_of(51), n3 = addr_of(52);
	assert_int_equal(ecn_probe(b.t, 0, &n2), EC_OK);
	assert_int_equal(ecn_probe(b.t, 0, &n3), EC_EFULL);
	assert_int_equal(ecn_send(b.t, 0, 0, &n3, (const uint8_t *)"x", 1, &v), EC_OK);
	assert_int_equal(v, ECN_DROP_QUEUE_FULL);
	node_stop(&a);
	node_stop(&b);
}

/* A table of two: the least recently heard goes, WHOIS-only peers first;
 * an evicted peer learned again does not reopen its old counters. */
static void
test_eviction(void **state)
{
	(void)state;
	node s, a, b, c;
	ecn_config cfg;
	node_seed(&s, 1, 10);
	config_for(&cfg, &s, 1, 100, net_a);
	cfg.max_peers = 2;
	node_start_cfg(&s, &cfg);
	node_start(&a, 0, 100, net_a);
	node_start(&b, 2, 100, net_a);
	node_start(&c, 3, 100, net_a);
	node *nodes[] = {&s, &a, &b, &c};
	handshake(&a, &s, 1000);
	handshake(&b, &s, 1001);
	assert_int_equal(ecn_peer_count(s.t), 2);
	/* A speaks again: B is now the least recently heard */
	assert_int_equal(send_to(&a, 1002, &s, idents[1].pos, "keep-a"), ECN_SENT);
	size_t nq = 0;
	drain(&a, &nq);
	dgram old_a = q[0];
	assert_int_equal(deliver(&s, 1002, &old_a), ECN_DELIVERED);
	handshake(&c, &s, 1003);
	assert_int_equal(ecn_peer_count(s.t), 2);
	assert_int_equal(st(&s)->peers_evicted, 1);
	assert_int_equal(ecn_lookup_pk(s.t, idents[2].claim.public_key, NULL, NULL, NULL), EC_ENOTFOUND);
	assert_int_equal(ecn_lookup_pk(s.t, idents[0].claim.public_key, NULL, NULL, NULL), EC_OK);
	/* a WHOIS-only peer (key 4, no DATA yet) is evicted before A and C */
	ecn_whois w;
	memset(&w, 0, sizeof w);
	w.claim = idents[4].claim;
	uint8_t nk[32], pkt[ECN_WHOIS_LEN];
	ecn_pkt_net_key(net_a, nk);
	ecn_pkt_whois_encode(&w, nk, pkt);
	ec_addr x = addr_of(60);
	assert_int_equal(deliver_from(&s, 1004, &x, pkt, sizeof pkt), ECN_CONTROL);
	assert_int_equal(st(&s)->peers_evicted, 2); /* A went (C heard later) */
	w.claim = idents[5].claim;
	ecn_pkt_whois_encode(&w, nk, pkt);
	assert_int_equal(deliver_from(&s, 1005, &x, pkt, sizeof pkt), ECN_CONTROL);
	assert_int_equal(st(&s)->peers_evicted, 3);
	assert_int_equal(ecn_lookup_pk(s.t, idents[4].claim.public_key, NULL, NULL, NULL), EC_ENOTFOUND);
	assert_int_equal(ecn_lookup_pk(s.t, idents[3].claim.public_key, NULL, NULL, NULL), EC_OK);
	/* A comes back (S asks it after its DATA is refused); its old packet
	 * stays a replay */
	assert_int_equal(send_to(&a, 1006, &s, idents[1].pos, "back"), ECN_SENT);
	pump(nodes, 4, 1006);
	assert_int_equal(drops(&s, ECN_DROP_UNKNOWN_SENDER), 1);
	assert_int_equal(ecn_lookup_pk(s.t, idents[0].claim.public_key, NULL, NULL, NULL), EC_OK);
	assert_int_equal(deliver(&s, 1007, &old_a), ECN_DROP_REPLAY);
	assert_int_equal(send_to(&a, 1007, &s, idents[1].pos, "fresh"), ECN_SENT);
	pump(nodes, 4, 1007);
	assert_got(&s, "fresh", 0);
	node_stop(&s);
	node_stop(&a);
	node_stop(&b);
	node_stop(&c);
}

static void
test_nonce_exhausted(void **state)
{
	(void)state;
	node a, b;
	node_start(&a, 0, 100, net_a);
	node_start(&b, 1, 100, net_a);
	handshake(&a, &b, 1000);
	uint32_t p = ecnet__peer_find_pk(a.t, idents[1].claim.public_key);
	assert_true(p != ECNET__NONE);
	/* the last counter of this generation, then a new generation */
	a.t->peers[p].tx_seq = UINT32_MAX - 1;
	assert_int_equal(send_to(&a, 1001, &b, idents[1].pos, "last"), ECN_SENT);
	uint32_t gen = a.t->peers[p].tx_gen;
	assert_int_equal(send_to(&a, 1001, &b, idents[1].pos, "next-gen"), ECN_SENT);
	assert_true(a.t->peers[p].tx_gen > gen);
	node *nodes[] = {&a, &b};
	pump(nodes, 2, 1001);
	assert_got(&b, "next-gen", 0);
	/* no generation left: an error, never a wrap */
	a.t->peers[p].tx_seq = UINT32_MAX;
	a.t->gen_next = 0;
	ecn_verdict v;
	assert_int_equal(ecn_send(a.t, 1002, idents[1].pos, &b.addr, (const uint8_t *)"x", 1, &v),
	                 EC_ERANGE);
	assert_int_equal(v, ECN_DROP_NONCE_EXHAUSTED);
	assert_int_equal(ecn_outbox_count(a.t), 0);
	node_stop(&a);
	node_stop(&b);
}

/* ---- allocation failures ---- */

static int alloc_left;

static void *
failing_realloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
	(void)user;
	(void)old_size;
	if (new_size == 0) {
		free(ptr);
		return NULL;
	}
	if (alloc_left == 0)
		return NULL;
	if (alloc_left > 0)
		alloc_left--;
	return realloc(ptr, new_size);
}

static void
test_enomem(void **state)
{
	(void)state;
	node a, b;
	ecn_config cfg;
	/* creation fails cleanly at every allocation */
	int n;
	for (n = 0; n < 100; n++) {
		node_seed(&a, 0, 11);
		config_for(&cfg, &a, 0, 100, net_a);
		cfg.realloc_fn = failing_realloc;
		alloc_left = n;
		ecn *t = (ecn *)1;
		ec_err e = ecn_new(&cfg, &t);
		if (e == EC_OK) {
			ecn_destroy(t);
			break;
		}
		assert_int_equal(e, EC_ENOMEM);
		assert_null(t);
	}
	assert_true(n > 3 && n < 100);
	/* sending and receiving with no memory: errors and counted drops */
	node_seed(&a, 0, 11);
	config_for(&cfg, &a, 0, 100, net_a);
	cfg.realloc_fn = failing_realloc;
	alloc_left = -1;
	node_start_cfg(&a, &cfg);
	node_start(&b, 1, 100, net_a);
	handshake(&a, &b, 1000);
	alloc_left = 0;
	ecn_verdict v;
	assert_int_equal(ecn_send(a.t, 1001, idents[1].pos, &b.addr, (const uint8_t *)"x", 1, &v),
	                 EC_ENOMEM);
	assert_int_equal(v, ECN_DROP_NOMEM);
	ec_addr nowhere = addr_of(40);
	assert_int_equal(ecn_send(a.t, 1001, 0, &nowhere, (const uint8_t *)"x", 1, &v), EC_ENOMEM);
	assert_int_equal(ecn_probe(a.t, 1001, &nowhere), EC_OK); /* the WHOIS itself failed: counted */
	assert_true(drops(&a, ECN_DROP_NOMEM) >= 3);
	alloc_left = -1;
	assert_int_equal(send_to(&a, 1002, &b, idents[1].pos, "ok"), ECN_SENT);
	node *nodes[] = {&a, &b};
	pump(nodes, 2, 1002);
	assert_got(&b, "ok", 0);
	node_stop(&a);
	node_stop(&b);
}

/* ---- malformed input and arguments ---- */

static void
test_malformed(void **state)
{
	(void)state;
	node a, b;
	node_start(&a, 0, 100, net_a);
	node_start(&b, 1, 100, net_a);
	ec_addr from = addr_of(30);
	ecn_delivery d;
	uint8_t pkt[ECN_DATA_MIN_LEN + 200];
	memset(pkt, 0, sizeof pkt);
	assert_int_equal(ecn_recv(a.t, 0, &from, pkt, 0, &d), ECN_DROP_SHORT);
	pkt[0] = 0x21;
	assert_int_equal(ecn_recv(a.t, 0, &from, pkt, 100, &d), ECN_DROP_BAD_VERSION);
	pkt[0] = 0x15;
	assert_int_equal(ecn_recv(a.t, 0, &from, pkt, 100, &d), ECN_DROP_BAD_TYPE);
	pkt[0] = 0x10;
	assert_int_equal(ecn_recv(a.t, 0, &from, pkt, 100, &d), ECN_DROP_BAD_TYPE);
	pkt[0] = 0x11;
	assert_int_equal(ecn_recv(a.t, 0, &from, pkt, ECN_DATA_MIN_LEN - 1, &d), ECN_DROP_SHORT);
	pkt[0] = 0x12;
	assert_int_equal(ecn_recv(a.t, 0, &from, pkt, ECN_WHOIS_LEN + 1, &d), ECN_DROP_BAD_LENGTH);
	assert_int_equal(ecn_recv(a.t, 0, &from, pkt, ECN_WHOIS_LEN - 1, &d), ECN_DROP_SHORT);
	assert_int_equal(ecn_recv(a.t, 0, &from, pkt, ECN_WHOIS_LEN, &d), ECN_DROP_WRONG_NETWORK);
	pkt[0] = 0x13;
	assert_int_equal(ecn_recv(a.t, 0, &from, pkt, ECN_IAM_LEN, &d), ECN_DROP_UNSOLICITED);
	assert_int_equal(ecn_recv(a.t, 0, &from, pkt, ECN_IAM_LEN + 1, &d), ECN_DROP_BAD_LENGTH);
	pkt[0] = 0x14;
	assert_int_equal(ecn_recv(a.t, 0, &from, pkt, ECN_COOKIE_PKT_LEN, &d), ECN_DROP_UNSOLICITED);
	assert_int_equal(ecn_recv(a.t, 0, &from, pkt, 10, &d), ECN_DROP_SHORT);
	static uint8_t over[ECN_DATA_MAX_LEN + 1] = {0x11};
	assert_int_equal(ecn_recv(a.t, 0, &from, over, sizeof over, &d), ECN_DROP_OVERSIZE);
	assert_int_equal(st(&a)->pkts_in[0], 4);
	/* arguments */
	ec_addr empty = {0};
	assert_int_equal(ecn_recv(a.t, 0, &empty, pkt, 10, &d), ECN_DROP_BAD_ARG);
	assert_int_equal(ecn_recv(a.t, 0, NULL, pkt, 10, &d), ECN_DROP_BAD_ARG);
	assert_int_equal(ecn_recv(a.t, 0, &from, NULL, 10, &d), ECN_DROP_BAD_ARG);
	assert_int_equal(ecn_recv(a.t, 0, &from, pkt, 10, NULL), ECN_DROP_BAD_ARG);
	assert_int_equal(ecn_recv(NULL, 0, &from, pkt, 10, &d), ECN_DROP_BAD_ARG);
	ec_addr toolong = {.len = EC_ADDR_MAX + 1};
	assert_int_equal(ecn_recv(a.t, 0, &toolong, pkt, 10, &d), ECN_DROP_BAD_ARG);
	assert_int_equal(drops(&a, ECN_DROP_BAD_ARG), 5);
	ecn_verdict v;
	assert_int_equal(ecn_send(a.t, 0, 0, &empty, pkt, 1, &v), EC_EINVAL);
	assert_int_equal(v, ECN_DROP_BAD_ARG);
	assert_int_equal(ecn_send(a.t, 0, 0, &from, NULL, 1, &v), EC_EINVAL);
	assert_int_equal(ecn_send(NULL, 0, 0, &from, pkt, 1, &v), EC_EINVAL);
	assert_int_equal(ecn_probe(a.t, 0, NULL), EC_EINVAL);
	size_t len = 0;
	uint8_t buf[8];
	ec_addr to;
	assert_int_equal(ecn_pull(a.t, &to, buf, sizeof buf, &len), EC_ENOTFOUND);
	assert_int_equal(ecn_pull(a.t, NULL, buf, sizeof buf, &len), EC_EINVAL);
	assert_int_equal(ecn_probe(a.t, 0, &b.addr), EC_OK);
	assert_int_equal(ecn_pull(a.t, &to, buf, sizeof buf, &len), EC_ERANGE);
	assert_int_equal(len, ECN_WHOIS_LEN);
	uint8_t big[ECN_WHOIS_LEN];
	assert_int_equal(ecn_pull(a.t, &to, big, sizeof big, &len), EC_OK);
	assert_true(ecn_addr_eq(&to, &b.addr));
	assert_int_equal(ecn_recv(b.t, 0, &a.addr, big, len, &d), ECN_CONTROL);
	/* the IAM again after the first was taken: unsolicited */
	const uint8_t *iam;
	assert_int_equal(ecn_pull_ptr(b.t, &to, &iam, &len), EC_OK);
	uint8_t copy[ECN_IAM_LEN];
	memcpy(copy, iam, len);
	assert_int_equal(ecn_recv(a.t, 0, &b.addr, copy, len, &d), ECN_CONTROL);
	assert_int_equal(ecn_recv(a.t, 0, &b.addr, copy, len, &d), ECN_DROP_UNSOLICITED);
	/* a WHOIS claiming our own key */
	ecn_whois w;
	memset(&w, 0, sizeof w);
	w.claim = idents[0].claim;
	uint8_t nk[32], wp[ECN_WHOIS_LEN];
	ecn_pkt_net_key(net_a, nk);
	ecn_pkt_whois_encode(&w, nk, wp);
	assert_int_equal(ecn_recv(a.t, 0, &from, wp, sizeof wp, &d), ECN_DROP_BAD_CLAIM);
	/* a claim with a wrong address, and one without the proof of work */
	w.claim = idents[6].claim;
	w.claim.address[0] ^= 1;
	ecn_pkt_whois_encode(&w, nk, wp);
	assert_int_equal(ecn_recv(a.t, 0, &from, wp, sizeof wp, &d), ECN_DROP_BAD_CLAIM);
	w.claim.address[31] = 0x01;
	ecn_pkt_whois_encode(&w, nk, wp);
	uint64_t checked = st(&a)->claims_checked;
	assert_int_equal(ecn_recv(a.t, 0, &from, wp, sizeof wp, &d), ECN_DROP_BAD_CLAIM);
	assert_int_equal(st(&a)->claims_checked, checked); /* no Argon2id spent */
	/* a small-order key with a "valid" proof of work */
	memset(&w.claim, 0, sizeof w.claim);
	w.claim.public_key[0] = 1;
	ecn_pkt_whois_encode(&w, nk, wp);
	assert_int_equal(ecn_recv(a.t, 0, &from, wp, sizeof wp, &d), ECN_DROP_SMALL_ORDER);
	assert_string_equal(ecn_reason_str(ECN_DROP_SMALL_ORDER), "small_order");
	assert_string_equal(ecn_reason_str(ECN_DROP_AMP_LIMITED), "amp_limited");
	assert_string_equal(ecn_reason_str(ECN_VERDICT_COUNT), "unknown");
	for (int i = 0; i < ECN_VERDICT_COUNT; i++)
		assert_string_not_equal(ecn_reason_str((ecn_verdict)i), "unknown");
	assert_string_equal(ecn_type_str(ECN_TYPE_IAM), "iam");
	assert_string_equal(ecn_type_str(9), "unknown");
	node_stop(&a);
	node_stop(&b);
}

static void
test_config(void **state)
{
	(void)state;
	node a;
	ecn_config c;
	ecn *t = NULL;
	node_seed(&a, 0, 12);
	config_for(&c, &a, 0, 100, net_a);
	assert_int_equal(ecn_new(&c, NULL), EC_EINVAL);
	assert_int_equal(ecn_new(NULL, &t), EC_EINVAL);
	ecn_config bad = c;
	bad.epoch = 0;
	assert_int_equal(ecn_new(&bad, &t), EC_EINVAL);
	bad = c;
	bad.claim = idents[1].claim; /* not our key */
	assert_int_equal(ecn_new(&bad, &t), EC_EINVAL);
	bad = c;
	bad.claim.salt[5] ^= 1; /* our key, a claim that does not verify */
	assert_int_equal(ecn_new(&bad, &t), EC_EINVAL);
	bad = c;
	bad.rng = NULL;
	assert_int_equal(ecn_new(&bad, &t), EC_EINVAL);
	bad = c;
	bad.max_peers = 0;
	assert_int_equal(ecn_new(&bad, &t), EC_EINVAL);
	bad = c;
	bad.outbox_bytes = 1000;
	assert_int_equal(ecn_new(&bad, &t), EC_EINVAL);
	bad = c;
	bad.params.lanes = 2;
	assert_int_equal(ecn_new(&bad, &t), EC_EINVAL);
	assert_null(t);
	assert_int_equal(ecn_new(&c, &t), EC_OK);
	ecn_destroy(t);
	ecn_destroy(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packet_key),
		cmocka_unit_test(test_packet_inner),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_epoch_restart),
		cmocka_unit_test(test_receiver_restart),
		cmocka_unit_test(test_wrong_network),
		cmocka_unit_test(test_impersonation),
		cmocka_unit_test(test_iam_echo),
		cmocka_unit_test(test_remined),
		cmocka_unit_test(test_pos_mismatch),
		cmocka_unit_test(test_amplification),
		cmocka_unit_test(test_budget_cookie),
		cmocka_unit_test(test_prefix_budget),
		cmocka_unit_test(test_queue_bounds),
		cmocka_unit_test(test_give_up),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_nonce_exhausted),
		cmocka_unit_test(test_enomem),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, setup_idents, NULL);
}
