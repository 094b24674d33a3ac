/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the transport's datagram decoder (net/transport.h,
 * docs/transport.md).  Each input drives a fresh engine E that knows two
 * peers, A and B (it asked them WHOIS and took their recorded IAM
 * answers), with small tables so that eviction, budgets and cookies are
 * reached.  The input is a program of operations:
 *
 *   0  a raw datagram from one of eight addresses
 *   1  a recorded valid datagram (A's and B's DATA and IAM, a WHOIS of a
 *      third identity C), with up to three byte mutations, from any address
 *   2  time passes (ecn_tick)
 *   3  ecn_send of a payload to A, B, an unknown position or none
 *   4  ecn_probe of an address
 *   5  drain the outbox
 *   6  a WHOIS of C, D or F carrying the last cookie E sent, from where
 *      E sent it
 *
 * What must hold: no crash, leak or sanitizer report; only payloads that A
 * or B really sealed are delivered, each at most once (no forgery, no
 * replay); and the four "victim" addresses, which the program never sends
 * or probes to, never receive more than 3x the bytes they sent (no
 * amplification).  Any violation aborts.
 */
#include <stdbool.h>
#ifdef FUZZ_NET_TRACE
#include <stdio.h>
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "net/addr.h"
#include "net/packet.h"
#include "net/transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NADDR 8    /* 0 A, 1 B, 2 C, 3 X, 4..7 victims (only ever sources) */
#define NDATA 8    /* recorded DATA per peer */
#define NWHOIS 3   /* recorded WHOIS of C, D and F */
#define NREC (2 * NDATA + 2 + NWHOIS)

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static const ec_identity_params params = {.memory_kib = 8, .passes = 1, .lanes = 1, .bits = 0};

typedef struct ident {
	uint8_t sk[ECN_SK_LEN];
	ec_identity_claim claim;
	uint64_t pos;
} ident;

typedef struct rec {
	uint8_t b[256];
	size_t len;
	int from;       /* address index it came from */
	int peer;       /* 0 A, 1 B: a DATA whose payload is payloads[peer][k]; -1 other */
	int k;
} rec;

static struct {
	bool ready;
	ident e, a, b, c, w[NWHOIS];
	ec_addr addr[NADDR];
	ec_addr e_addr;
	uint8_t network_id[32];
	rec recs[NREC];
	char payloads[2][NDATA][8];
} G;

static void
rng_cb(void *user, uint8_t *out, size_t len)
{
	uint64_t *s = user;
	for (size_t i = 0; i < len; i++) {
		*s = *s * 6364136223846793005u + 1442695040888963407u;
		out[i] = (uint8_t)(*s >> 56);
	}
}

static void
make_ident(ident *id, uint8_t seed_byte)
{
	uint8_t seed[32] = {seed_byte}, pk[32];
	crypto_sign_seed_keypair(pk, id->sk, seed);
	memcpy(id->claim.public_key, pk, 32);
	memset(id->claim.salt, 0, 32);
	check(ec_identity_address(&params, pk, id->claim.salt, id->claim.address) == EC_OK);
	ec_id x = ec_id_from_bytes(id->claim.address);
	id->pos = ec_id_pos(&x);
}

static ecn *
make_engine(const ident *id, uint64_t *rng_state, uint64_t seed, bool small)
{
	ecn_config c;
	ecn_config_init(&c);
	c.secret_key = id->sk;
	c.claim = id->claim;
	c.params = params;
	memcpy(c.network_id, G.network_id, 32);
	c.epoch = 10;
	*rng_state = seed;
	c.rng = rng_cb;
	c.rng_user = rng_state;
	if (small) {
		c.max_peers = 4;
		c.max_pending = 4;
		c.spare_paths = 4;
		c.queue_per_peer = 3;
		c.queue_bytes = 512;
		c.outbox_bytes = 2 * ECN_DATA_MAX_LEN;
		c.verify_burst = 2;
		c.verify_rate = 1;
		c.prefix_burst = 2;
		c.prefix_rate = 1;
		c.cookie_burst = 1;
		c.cookie_rate = 1;
		c.whois_tries = 3;
	}
	ecn *t = NULL;
	check(ecn_new(&c, &t) == EC_OK);
	return t;
}

/* Pulls one datagram from src (it must exist) into r. */
static void
pull_one(ecn *src, rec *r, ec_addr *to)
{
	const uint8_t *p;
	check(ecn_pull_ptr(src, to, &p, &r->len) == EC_OK);
	check(r->len <= sizeof r->b);
	memcpy(r->b, p, r->len);
}

static void
deliver(ecn *dst, uint64_t now, const ec_addr *from, const rec *r, ecn_verdict want)
{
	ecn_delivery d;
	check(ecn_recv(dst, now, from, r->b, r->len, &d) == want);
}

#define E_SEED 0x5eedu

/* The WHOIS of identity G.w[i], with a cookie when not NULL. */
static void
whois_of(int i, const uint8_t *cookie, uint8_t out[ECN_WHOIS_LEN])
{
	ecn_whois w;
	memset(&w, 0, sizeof w);
	w.claim = G.w[i].claim;
	memset(w.challenge, 0xc0 + i, sizeof w.challenge);
	if (cookie)
		memcpy(w.cookie, cookie, ECN_COOKIE_LEN);
	uint8_t nk[32];
	ecn_pkt_net_key(G.network_id, nk);
	ecn_pkt_whois_encode(&w, nk, out);
}

/* Records, once: the IAMs A and B give E's WHOIS (E's challenges come from
 * its seeded RNG, so every fresh E asks the same), and DATA that A and B
 * seal for E. */
static void
init(void)
{
	if (G.ready)
		return;
	check(sodium_init() >= 0);
	memset(G.network_id, 0x4e, sizeof G.network_id);
	make_ident(&G.e, 1);
	make_ident(&G.a, 2);
	make_ident(&G.b, 3);
	make_ident(&G.c, 4);
	G.w[0] = G.c;
	make_ident(&G.w[1], 5);
	make_ident(&G.w[2], 6);
	static const char *const text[NADDR] = {"10.0.0.2:9000", "10.0.0.3:9000", "10.0.0.4:9000",
	                                        "[2001:db8::5]:9000", "10.7.7.7:1", "10.7.8.8:2",
	                                        "[2001:db8:1::9]:3", "192.168.0.1:4"};
	for (int i = 0; i < NADDR; i++)
		check(ecn_addr_parse(text[i], &G.addr[i]) == ECN_ADDR_OK);
	check(ecn_addr_parse("10.0.0.1:9000", &G.e_addr) == ECN_ADDR_OK);

	uint64_t se, sa, sb;
	ecn *e = make_engine(&G.e, &se, E_SEED, true);
	ecn *pa = make_engine(&G.a, &sa, 2, false);
	ecn *pb = make_engine(&G.b, &sb, 3, false);
	ecn *peer[2] = {pa, pb};
	rec r;
	ec_addr to;
	int n = 0;
	for (int i = 0; i < 2; i++) {
		check(ecn_probe(e, 0, &G.addr[i]) == EC_OK);
		pull_one(e, &r, &to);
		deliver(peer[i], 0, &G.e_addr, &r, ECN_CONTROL);
		rec *iam = &G.recs[n++];
		pull_one(peer[i], iam, &to);
		iam->from = i;
		iam->peer = -1;
		deliver(e, 0, &G.addr[i], iam, ECN_CONTROL);
		/* E speaks first, so the peer validates E's address */
		check(ecn_send(e, 0, i == 0 ? G.a.pos : G.b.pos, &G.addr[i], (const uint8_t *)"hi", 2,
		               NULL) == EC_OK);
		pull_one(e, &r, &to);
		deliver(peer[i], 0, &G.e_addr, &r, ECN_DELIVERED);
		for (int k = 0; k < NDATA; k++) {
			char *p = G.payloads[i][k];
			p[0] = i ? 'B' : 'A';
			p[1] = ':';
			p[2] = (char)('0' + k);
			p[3] = 0;
			check(ecn_send(peer[i], 0, G.e.pos, &G.e_addr, (const uint8_t *)p, 3, NULL) == EC_OK);
			rec *dr = &G.recs[n++];
			pull_one(peer[i], dr, &to);
			dr->from = i;
			dr->peer = i;
			dr->k = k;
		}
	}
	/* valid WHOIS from C, D and F */
	for (int i = 0; i < NWHOIS; i++) {
		rec *wr = &G.recs[n++];
		whois_of(i, NULL, wr->b);
		wr->len = ECN_WHOIS_LEN;
		wr->from = 2;
		wr->peer = -1;
	}
	check(n == NREC);
	ecn_destroy(e);
	ecn_destroy(pa);
	ecn_destroy(pb);
	G.ready = true;
}

/* One input's state. */
typedef struct run {
	ecn *e;
	uint64_t rng;
	uint64_t now;
	bool delivered[2][NDATA];
	uint64_t in[NADDR], out[NADDR];
	uint8_t cookie[ECN_COOKIE_LEN]; /* the last COOKIE E sent, and where */
	int cookie_to;
	const uint8_t *p;
	size_t left;
} run;

static uint8_t
take(run *r)
{
	if (!r->left)
		return 0;
	r->left--;
	return *r->p++;
}

static void
judge(run *r, ecn_verdict v, const ecn_delivery *d)
{
#ifdef FUZZ_NET_TRACE
	fprintf(stderr, "  recv -> %s\n", ecn_reason_str(v));
#endif
	if (v != ECN_DELIVERED) {
		check(d->payload == NULL && d->len == 0);
		return;
	}
	int peer = memcmp(d->pk, G.a.claim.public_key, 32) == 0   ? 0
	           : memcmp(d->pk, G.b.claim.public_key, 32) == 0 ? 1
	                                                          : -1;
	check(peer >= 0);
	check(d->pos == (peer ? G.b.pos : G.a.pos));
	bool found = false;
	for (int k = 0; k < NDATA && !found; k++) {
		if (d->len == 3 && memcmp(d->payload, G.payloads[peer][k], 3) == 0) {
			check(!r->delivered[peer][k]); /* never twice */
			r->delivered[peer][k] = true;
			found = true;
		}
	}
	check(found);
}

static void
recv_from(run *r, int from, const uint8_t *b, size_t len)
{
	ecn_delivery d;
	r->in[from] += len;
	judge(r, ecn_recv(r->e, r->now, &G.addr[from], b, len, &d), &d);
}

static void
drain(run *r, size_t max)
{
	ec_addr to;
	uint8_t buf[256];
	const uint8_t *p;
	size_t len;
	for (size_t i = 0; i < max; i++) {
		bool ptr = i & 1;
		ec_err e = ptr ? ecn_pull_ptr(r->e, &to, &p, &len) : ecn_pull(r->e, &to, buf, sizeof buf, &len);
		if (e == EC_ERANGE) {
			ptr = true;
			e = ecn_pull_ptr(r->e, &to, &p, &len);
		}
		if (e != EC_OK) {
			check(e == EC_ENOTFOUND);
			return;
		}
		const uint8_t *b = ptr ? p : buf;
		for (int k = 0; k < NADDR; k++) {
			if (!ecn_addr_eq(&to, &G.addr[k]))
				continue;
			r->out[k] += len;
			if (len == ECN_COOKIE_PKT_LEN && b[0] == ecn_pkt_vt(ECN_TYPE_COOKIE)) {
				memcpy(r->cookie, b + 1 + ECN_CHALLENGE_LEN, ECN_COOKIE_LEN);
				r->cookie_to = k;
			}
		}
	}
}

static void
step(run *r)
{
	uint8_t op = take(r) % 7;
	switch (op) {
	case 0: { /* raw */
		int from = take(r) % NADDR;
		size_t len = take(r);
		len |= (size_t)(take(r) & 1) << 8;
		if (len > r->left)
			len = r->left;
		recv_from(r, from, r->p, len);
		r->p += len;
		r->left -= len;
		break;
	}
	case 1: { /* recorded, mutated */
		const rec *src = &G.recs[take(r) % NREC];
		uint8_t sel = take(r);
		int from = sel & 0x80 ? sel % NADDR : src->from;
		rec m = *src;
		for (int i = take(r) % 4; i > 0; i--) {
			size_t at = take(r) % m.len;
			m.b[at] ^= take(r);
		}
		if (sel & 0x40 && m.len > 1)
			m.len -= 1u + take(r) % (m.len - 1);
		recv_from(r, from, m.b, m.len);
		break;
	}
	case 2: /* time */
		r->now += (uint64_t)take(r) * 1000u;
		ecn_tick(r->e, r->now);
		break;
	case 3: { /* send */
		uint8_t sel = take(r);
		uint64_t pos = sel % 4 == 0 ? G.a.pos : sel % 4 == 1 ? G.b.pos : sel % 4 == 2 ? 0 : 0x1234;
		int to = (sel >> 2) % 4; /* never a victim */
		uint8_t payload[64];
		size_t len = take(r) % sizeof payload;
		for (size_t i = 0; i < len; i++)
			payload[i] = take(r);
		ecn_verdict v;
		ec_err e = ecn_send(r->e, r->now, pos, &G.addr[to], payload, len, &v);
		check(e == EC_OK || e == EC_ENOMEM || e == EC_ERANGE);
		break;
	}
	case 4: { /* probe */
		ec_err e = ecn_probe(r->e, r->now, &G.addr[take(r) % 4]);
		check(e == EC_OK || e == EC_EFULL);
		break;
	}
	case 5:
		drain(r, take(r) % 8);
		break;
	default: { /* a WHOIS with the last cookie E gave out, from its address */
		uint8_t w[ECN_WHOIS_LEN];
		whois_of(take(r) % NWHOIS, r->cookie, w);
		recv_from(r, r->cookie_to, w, sizeof w);
		break;
	}
	}
	drain(r, 2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init();
	run r;
	memset(&r, 0, sizeof r);
	r.e = make_engine(&G.e, &r.rng, E_SEED, true);
	r.p = data;
	r.left = size;
	/* E asks A and B, and takes their recorded answers: it knows both */
	for (int i = 0; i < 2; i++) {
		check(ecn_probe(r.e, 0, &G.addr[i]) == EC_OK);
		drain(&r, 1);
		ecn_delivery d;
		check(ecn_recv(r.e, 0, &G.addr[i], G.recs[i * (NDATA + 1)].b, G.recs[i * (NDATA + 1)].len,
		               &d) == ECN_CONTROL);
		r.in[i] += G.recs[i * (NDATA + 1)].len;
	}
	check(ecn_peer_count(r.e) == 2);
	while (r.left)
		step(&r);
	drain(&r, SIZE_MAX);
	for (int k = 4; k < NADDR; k++)
		check(r.out[k] <= 3 * r.in[k]);
	ecn_destroy(r.e);
	return 0;
}
