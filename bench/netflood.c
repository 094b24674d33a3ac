/* SPDX-License-Identifier: MIT */
/*
 * ec_netflood: sends one ecnode a stream of bad datagrams (bench/
 * bench_node.sh, docs/node.md "Bad input"), cycling through five kinds:
 *
 *   random     random bytes of random length (1..1400)
 *   truncated  a DATA sealed for the target, cut short at a random length
 *   replayed   one DATA sealed for the target, sent again and again (the
 *              first copy is authentic: its payload is garbage, which the
 *              node's envelope decoder drops)
 *   forged     a DATA for the target with one ciphertext byte flipped
 *              (bad_mac), or the sender key replaced by a random one
 *              (unknown_sender)
 *   whois      WHOIS-sized packets of random bytes (wrong_network)
 *
 * The flooder is a real transport engine with its own Argon2id identity,
 * so it can seal packets the target accepts; it learns the target's key
 * with a WHOIS first.  Usage:
 *
 *   ec_netflood --target ADDR:PORT --network NAME [--identity-bits B]
 *               [--identity-memory KIB] [--count N] [--rate PER_S]
 *               [--from ADDR]
 *
 * Prints one JSON object: what was sent, by kind, and how long it took.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ec/blake3.h"
#include "ec/identity.h"
#include "net/addr.h"
#include "net/transport.h"

enum { K_RANDOM, K_TRUNC, K_REPLAY, K_FORGED, K_WHOIS, K_COUNT };
static const char *const kind_names[K_COUNT] = {"random", "truncated", "replayed", "forged",
                                                "whois"};

static uint64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
rng(void *user, uint8_t *out, size_t len)
{
	(void)user;
	randombytes_buf(out, len);
}

static int
usage(const char *why)
{
	fprintf(stderr, "ec_netflood: %s\nusage: ec_netflood --target ADDR:PORT --network NAME "
	                "[--identity-bits B] [--identity-memory KIB] [--count N] [--rate PER_S] "
	                "[--from ADDR]\n",
	        why);
	return 2;
}

typedef struct opts {
	const char *target, *network, *from;
	unsigned long bits, memory, count, rate;
} opts;

static int
parse(int argc, char **argv, opts *o)
{
	*o = (opts){.from = "127.0.0.250", .bits = 4, .memory = 8, .count = 1000000, .rate = 0};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (i + 1 >= argc)
			return usage("an option needs a value");
		const char *v = argv[++i];
		char *end;
		unsigned long n = strtoul(v, &end, 10);
		bool num = *v && !*end;
		if (!strcmp(a, "--target"))
			o->target = v;
		else if (!strcmp(a, "--network"))
			o->network = v;
		else if (!strcmp(a, "--from"))
			o->from = v;
		else if (!strcmp(a, "--identity-bits") && num)
			o->bits = n;
		else if (!strcmp(a, "--identity-memory") && num)
			o->memory = n;
		else if (!strcmp(a, "--count") && num)
			o->count = n;
		else if (!strcmp(a, "--rate") && num)
			o->rate = n;
		else
			return usage("unknown option or bad value");
	}
	return o->target && o->network ? 0 : usage("--target and --network are required");
}

/* Sends what the engine queued (WHOIS, DATA) to the socket. */
static void
drain(ecn *t, int fd)
{
	ec_addr to;
	const uint8_t *p;
	size_t len;
	while (ecn_pull_ptr(t, &to, &p, &len) == EC_OK) {
		struct sockaddr_storage ss;
		socklen_t sl;
		if (ecn_addr_to_sockaddr(&to, false, &ss, &sl) == EC_OK)
			(void)sendto(fd, p, len, 0, (struct sockaddr *)&ss, sl);
	}
}

/* One DATA sealed for the target with a random payload, copied to out. */
static size_t
seal_one(ecn *t, uint64_t pos, const ec_addr *target, uint8_t *out, size_t cap)
{
	uint8_t payload[600];
	randombytes_buf(payload, sizeof payload);
	ec_err e = ecn_send(t, now_ms(), pos, target, payload, 40 + randombytes_uniform(500), NULL);
	ec_addr to;
	const uint8_t *p;
	size_t len;
	if (e || ecn_pull_ptr(t, &to, &p, &len) != EC_OK || len > cap)
		return 0;
	memcpy(out, p, len);
	return len;
}

int
main(int argc, char **argv)
{
	opts o;
	int rc = parse(argc, argv, &o);
	if (rc)
		return rc;
	if (sodium_init() < 0)
		return 1;
	ec_addr target, from;
	if (ecn_addr_parse(o.target, &target) != ECN_ADDR_OK)
		return usage("bad --target");
	char fromtext[64];
	snprintf(fromtext, sizeof fromtext, "%s:1", o.from); /* port: the kernel's pick, below */
	if (ecn_addr_parse(fromtext, &from) != ECN_ADDR_OK)
		return usage("bad --from");
	/* an identity of our own, as any node would mine */
	ec_identity_params p = {.memory_kib = (uint32_t)o.memory, .passes = 1, .lanes = 1,
	                        .bits = (uint32_t)o.bits};
	uint8_t sk[64];
	ecn_config c;
	ecn_config_init(&c);
	crypto_sign_keypair(c.claim.public_key, sk);
	bool found = false;
	uint64_t n;
	while (!found)
		if (ec_identity_mine(&p, c.claim.public_key, 1u << 16, c.claim.salt, c.claim.address,
		                     &found, &n) != EC_OK)
			return 1;
	c.secret_key = sk;
	c.params = p;
	ec_blake3 h;
	ec_blake3_init_derive_key(&h, "ecRust 2026-12 network id");
	ec_blake3_update(&h, o.network, strlen(o.network));
	ec_blake3_final(&h, c.network_id, 32);
	c.epoch = (uint64_t)time(NULL);
	c.rng = rng;
	ecn *t;
	if (ecn_new(&c, &t) != EC_OK)
		return 1;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_storage ss;
	socklen_t sl;
	if (fd < 0 || ecn_addr_to_sockaddr(&from, false, &ss, &sl) != EC_OK ||
	    (((struct sockaddr_in *)&ss)->sin_port = 0, bind(fd, (struct sockaddr *)&ss, sl)) != 0) {
		fprintf(stderr, "ec_netflood: cannot bind %s: %s\n", o.from, strerror(errno));
		return 1;
	}
	/* learn the target's key */
	uint64_t pos = 0, deadline = now_ms() + 10000;
	if (ecn_probe(t, now_ms(), &target) != EC_OK)
		return 1;
	drain(t, fd);
	while (ecn_lookup_addr(t, &target, NULL, &pos) != EC_OK && now_ms() < deadline) {
		struct pollfd pfd = {fd, POLLIN, 0};
		if (poll(&pfd, 1, 100) > 0) {
			uint8_t buf[2048];
			struct sockaddr_storage src;
			socklen_t srclen = sizeof src;
			ssize_t got = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&src, &srclen);
			ec_addr a;
			ecn_delivery d;
			if (got > 0 && ecn_addr_from_sockaddr((struct sockaddr *)&src, srclen, &a) == EC_OK)
				(void)ecn_recv(t, now_ms(), &a, buf, (size_t)got, &d);
		}
		ecn_tick(t, now_ms());
		drain(t, fd);
	}
	if (!pos) {
		fprintf(stderr, "ec_netflood: the target did not answer its WHOIS\n");
		return 1;
	}
	uint8_t replay[2048], pkt[2048];
	size_t rlen = seal_one(t, pos, &target, replay, sizeof replay);
	uint64_t sent[K_COUNT] = {0}, t0 = now_ms();
	struct sockaddr_storage tss;
	socklen_t tsl;
	if (ecn_addr_to_sockaddr(&target, false, &tss, &tsl) != EC_OK)
		return usage("bad --target");
	for (unsigned long i = 0; i < o.count; i++) {
		int k = (int)(i % K_COUNT);
		size_t len = 0;
		switch (k) {
		case K_RANDOM:
			len = 1 + randombytes_uniform(1400);
			randombytes_buf(pkt, len);
			break;
		case K_TRUNC:
			len = seal_one(t, pos, &target, pkt, sizeof pkt);
			len = len > 1 ? 1 + randombytes_uniform((uint32_t)len - 1) : 0;
			break;
		case K_REPLAY:
			memcpy(pkt, replay, rlen);
			len = rlen;
			break;
		case K_FORGED:
			len = seal_one(t, pos, &target, pkt, sizeof pkt);
			if (len && (i / K_COUNT) % 2)
				pkt[len - 1 - randombytes_uniform(16)] ^= 1; /* bad_mac */
			else if (len)
				randombytes_buf(pkt + 1, 32); /* unknown_sender */
			break;
		default:
			len = ECN_WHOIS_LEN;
			randombytes_buf(pkt, len);
			pkt[0] = (uint8_t)(ECN_VERSION << 4 | ECN_TYPE_WHOIS);
			break;
		}
		if (!len)
			continue;
		while (sendto(fd, pkt, len, 0, (struct sockaddr *)&tss, tsl) < 0 && errno == ENOBUFS)
			usleep(100);
		sent[k]++;
		if (o.rate && i % 64 == 0) {
			uint64_t due = t0 + (uint64_t)((double)i * 1000.0 / (double)o.rate);
			uint64_t now = now_ms();
			if (due > now)
				usleep((useconds_t)(due - now) * 1000u);
		}
	}
	uint64_t ms = now_ms() - t0;
	printf("{\"sent\":%lu,\"ms\":%llu", o.count, (unsigned long long)ms);
	for (int k = 0; k < K_COUNT; k++)
		printf(",\"%s\":%llu", kind_names[k], (unsigned long long)sent[k]);
	printf("}\n");
	ecn_destroy(t);
	close(fd);
	return 0;
}
