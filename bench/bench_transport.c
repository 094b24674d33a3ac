/* SPDX-License-Identifier: MIT */
/*
 * bench_transport: what one transport engine (src/net, docs/transport.md)
 * does per second on one core, after two engines have learned each other's
 * keys and validated each other's addresses (the steady state):
 *
 *  - seal: ecn_send of a payload to a known peer plus ecn_pull_ptr of the
 *    datagram (lookup, AEAD, one allocation);
 *  - open: ecn_recv of a valid DATA and its delivery (lookup, replay
 *    window, AEAD), on datagrams sealed beforehand in batches;
 *  - forged: ecn_recv of a DATA from a known key whose tag is wrong (what a
 *    flood of forgeries costs: the Poly1305 check fails, nothing else);
 *  - dh: one key derivation for a new peer (Ed25519 -> X25519 conversion,
 *    X25519, BLAKE3), the cost a budgeted WHOIS or IAM adds to Argon2id.
 *
 * for vote-sized payloads (60 bytes) and 1,200-byte payloads.  Prints one
 * JSON object.  Identities use cheap Argon2id settings: they are checked
 * only while learning, never per datagram.  Use a build without sanitizers
 * for figures.
 *
 * usage: ec_bench_transport [N]   (datagrams per figure, default 200000)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bench_clock.h"
#include "net/addr.h"
#include "net/packet.h"
#include "net/transport.h"
#include "net_side.h"

#define BATCH 4096u

static int
send1(side *a, side *b, const uint8_t *payload, size_t len)
{
	ecn_verdict v;
	if (ecn_send(a->t, 1, b->pos, &b->addr, payload, len, &v) != EC_OK ||
	    (v != ECN_SENT && v != ECN_QUEUED))
		return -1;
	return 0;
}

typedef struct figures {
	double seal, open, forged;
} figures;

static int
measure(side *a, side *b, size_t plen, size_t n, figures *f)
{
	uint8_t *payload = calloc(1, plen);
	uint8_t *batch = malloc((size_t)BATCH * (ECN_DATA_MIN_LEN + plen));
	size_t *lens = malloc(BATCH * sizeof *lens);
	if (!payload || !batch || !lens)
		return -1;
	size_t stride = ECN_DATA_MIN_LEN + plen;
	ec_addr to;
	const uint8_t *p;
	size_t len;
	ecn_delivery d;
	double t_seal = 0, t_open = 0, t_forged = 0;
	size_t done = 0, delivered = 0, refused = 0;
	while (done < n) {
		size_t k = n - done < BATCH ? n - done : BATCH;
		double t0 = now();
		for (size_t i = 0; i < k; i++) {
			payload[0] = (uint8_t)i;
			if (send1(a, b, payload, plen) != 0 || ecn_pull_ptr(a->t, &to, &p, &len) != EC_OK ||
			    len != stride)
				return -1;
			memcpy(batch + i * stride, p, len);
			lens[i] = len;
		}
		/* forgeries first: their counters are fresh, so only the tag
		 * stops them (once delivered, the replay window would) */
		double t1 = now();
		for (size_t i = 0; i < k; i++) {
			uint8_t *q = batch + i * stride;
			q[lens[i] - 1] ^= 1; /* the tag */
			refused += ecn_recv(b->t, 2, &a->addr, q, lens[i], &d) == ECN_DROP_BAD_MAC;
		}
		double t2 = now();
		for (size_t i = 0; i < k; i++)
			batch[i * stride + lens[i] - 1] ^= 1;
		double t3 = now();
		for (size_t i = 0; i < k; i++)
			delivered += ecn_recv(b->t, 2, &a->addr, batch + i * stride, lens[i], &d) ==
			             ECN_DELIVERED;
		double t4 = now();
		t_seal += t1 - t0;
		t_forged += t2 - t1;
		t_open += t4 - t3;
		done += k;
	}
	free(payload);
	free(batch);
	free(lens);
	if (delivered != n) {
		fprintf(stderr, "ec_bench_transport: %zu of %zu delivered\n", delivered, n);
		return -1;
	}
	if (refused != n) {
		fprintf(stderr, "ec_bench_transport: %zu of %zu forgeries refused\n", refused, n);
		return -1;
	}
	f->seal = (double)n / t_seal;
	f->open = (double)n / t_open;
	f->forged = (double)n / t_forged;
	return 0;
}

static double
dh_per_s(const side *a, const side *b, size_t n)
{
	uint8_t xsk[32], key[32], net[32] = {7};
	if (crypto_sign_ed25519_sk_to_curve25519(xsk, a->sk) != 0)
		return 0;
	double t0 = now();
	for (size_t i = 0; i < n; i++)
		if (ecn_pkt_peer_key(xsk, a->claim.public_key, b->claim.public_key, net, key) != EC_OK)
			return 0;
	return (double)n / (now() - t0);
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 200000;
	if (n == 0 || sodium_init() < 0)
		return 2;
	side a, b;
	if (side_new(&a, 1, "10.0.0.1:9000") || side_new(&b, 2, "10.0.0.2:9000")) {
		fprintf(stderr, "ec_bench_transport: engine creation failed\n");
		return 1;
	}
	/* learn keys (WHOIS/IAM), validate both addresses, clear the echoes */
	uint8_t hello[8] = {0};
	int bad = send1(&a, &b, hello, sizeof hello); /* held; WHOIS out */
	move(&a, &b, 1);                              /* WHOIS -> IAM */
	move(&b, &a, 1);                              /* IAM -> DATA with the echo */
	move(&a, &b, 1);                              /* B validates A */
	bad |= send1(&b, &a, hello, sizeof hello);    /* no challenge: A stops echoing */
	move(&b, &a, 1);
	if (bad || ecn_peer_count(a.t) != 1 || ecn_peer_count(b.t) != 1) {
		fprintf(stderr, "ec_bench_transport: handshake failed\n");
		ecn_destroy(a.t);
		ecn_destroy(b.t);
		return 1;
	}
	figures small, large;
	if (measure(&a, &b, 60, n, &small) || measure(&a, &b, 1200, n / 2 ? n / 2 : 1, &large)) {
		fprintf(stderr, "ec_bench_transport: measurement failed\n");
		ecn_destroy(a.t);
		ecn_destroy(b.t);
		return 1;
	}
	double dh = dh_per_s(&a, &b, 2000);
	printf("{\"datagrams\": %zu, \"payload_60\": {\"seal_per_s\": %.0f, \"open_per_s\": %.0f, "
	       "\"forged_refused_per_s\": %.0f}, \"payload_1200\": {\"seal_per_s\": %.0f, "
	       "\"open_per_s\": %.0f, \"forged_refused_per_s\": %.0f}, \"key_derivations_per_s\": %.0f}\n",
	       n, small.seal, small.open, small.forged, large.seal, large.open, large.forged, dh);
	ecn_destroy(a.t);
	ecn_destroy(b.t);
	return 0;
}
