/* SPDX-License-Identifier: MIT */
/*
 * bench_node_path: the whole receive path of one ecnode on one core, for
 * datagrams that carry votes: the transport opens the datagram (lookup,
 * replay window, XChaCha20-Poly1305), the runtime decodes the envelope,
 * checks its sender and hands it to the ec node, which records the vote
 * on the block it submitted (tools/ecnode/runtime.h, daemon.c).  The
 * node's store is LMDB (without fsync: a vote touches no page), and the
 * node ticks every 1,000 datagrams, as a daemon at 20,000 datagrams per
 * 50 ms tick would.  Datagrams are sealed beforehand (not timed).
 *
 * Two shapes: one VOTE per datagram, and envelopes of 8 VOTE items (what
 * batching gives a busy submitter).  Prints one JSON object with
 * datagrams and votes per second.  Use a build without sanitizers.
 *
 * usage: ec_bench_node_path [N]   (datagrams per shape, default 200000)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "bench_clock.h"
#include "ec/lifecycle.h"
#include "ec/sig.h"
#include "lmstore/lmstore.h"
#include "net/addr.h"
#include "net/transport.h"
#include "net_side.h"
#include "runtime.h"

/* Node B: joined as a network of two (A its only peer), submitter of a
 * one-part create block whose id is *block. */
static int
node_new(ecn_rt *rt, ecn_lmstore **st, const side *a, const side *b, ec_id *block)
{
	char dir[] = "/tmp/ec_bench_node_path.XXXXXX";
	if (!mkdtemp(dir) || ecn_lmstore_open(dir, 0, ECN_LMSTORE_NOSYNC, st, NULL, 0) != EC_OK)
		return -1;
	ec_store s = {ecn_lmstore_ops(), *st};
	if (ecn_rt_init(rt, b->pos, NULL, s, &ec_sig_ed25519, 1200) != EC_OK)
		return -1;
	ec_contact boot = {.id = a->pos, .addr = a->addr};
	ec_join j = {.kind = EC_JOIN_SEEDED, .boot = &boot, .nboot = 1, .self = &b->claim,
	             .addr = b->addr, .admit = params, .secret = 1};
	if (ecn_rt_join(rt, &j) != EC_OK)
		return -1;
	ecp_block *blk = calloc(1, ecp_block_size(1));
	blk->nparts = 1;
	blk->parts[0].token = ec_id_expand(0x1234567890abcdefull);
	blk->parts[0].next_key = ec_id_expand(42);
	ecp_block_id(blk, &blk->id);
	uint8_t enc[256];
	size_t len;
	ec_wire_reason why;
	int rc = ec_wire_block_encode(blk, enc, sizeof enc, &len) == EC_OK &&
	                 ecn_rt_submit(rt, enc, len, block, &why) == EC_OK
	             ? 0
	             : -1;
	free(blk);
	ecn_rt_out_clear(rt);
	return rc;
}

/* A payload: clock || envelope from A of k VOTE items on block. */
static size_t
vote_payload(const side *a, const ec_id *block, uint64_t clock, uint32_t k, uint8_t *out,
             size_t cap)
{
	ecp_item it[8];
	for (uint32_t i = 0; i < k; i++)
		it[i] = (ecp_item){.kind = ECP_VOTE, .value = 1,
		                   .role = i % 2 ? ECP_ROLE_WITNESS : 0, .block_id = *block};
	ec_wire_env env = {.sender = a->pos, .n = k, .items = it};
	size_t len;
	for (int i = 7; i >= 0; i--, clock >>= 8)
		out[i] = (uint8_t)clock;
	ec_err e = ec_wire_env_encode(&env, out + 8, cap - 8, &len);
	if (e != EC_OK) {
		fprintf(stderr, "encode: %s (%s)\n", ec_strerror(e),
		        ec_wire_reason_str(ec_wire_item_check(&it[0])));
		return 0;
	}
	return 8 + len;
}

typedef struct result {
	double dgrams_per_s, votes_per_s;
} result;

static int
measure(side *a, side *b, ecn_rt *rt, const ec_id *block, uint32_t k, size_t n, result *r)
{
	enum { BATCH = 4096 };
	size_t stride = 512;
	uint8_t *batch = malloc(BATCH * stride), payload[480];
	size_t *lens = malloc(BATCH * sizeof *lens), done = 0, delivered = 0;
	static uint64_t clock = 1;
	double t = 0;
	while (done < n) {
		size_t m = n - done < BATCH ? n - done : BATCH;
		for (size_t i = 0; i < m; i++) {
			size_t plen = vote_payload(a, block, clock++, k, payload, sizeof payload);
			ec_addr to;
			const uint8_t *p;
			size_t len;
			ecn_verdict v = ECN_SENT;
			if (!plen || ecn_send(a->t, 1, b->pos, &b->addr, payload, plen, &v) != EC_OK ||
			    v != ECN_SENT || ecn_pull_ptr(a->t, &to, &p, &len) != EC_OK || len > stride) {
				fprintf(stderr, "ec_bench_node_path: sealing failed (%zu bytes, %s)\n", plen,
				        ecn_reason_str(v));
				return -1;
			}
			memcpy(batch + i * stride, p, len);
			lens[i] = len;
		}
		double t0 = now();
		for (size_t i = 0; i < m; i++) {
			ecn_delivery d;
			if (ecn_recv(b->t, 2, &a->addr, batch + i * stride, lens[i], &d) != ECN_DELIVERED)
				continue;
			ec_wire_reason why;
			ec_err err;
			delivered += ecn_rt_deliver(rt, d.pos, d.payload, d.len, &why, &err) == ECN_RT_OK;
			if ((done + i) % 1000 == 999) {
				if (ecn_rt_tick(rt) != EC_OK) {
					fprintf(stderr, "ec_bench_node_path: tick failed\n");
					return -1;
				}
				ecn_rt_out_clear(rt);
			}
		}
		t += now() - t0;
		done += m;
	}
	free(batch);
	free(lens);
	if (delivered != n) {
		fprintf(stderr, "ec_bench_node_path: %zu of %zu handled\n", delivered, n);
		return -1;
	}
	r->dgrams_per_s = (double)n / t;
	r->votes_per_s = (double)n * k / t;
	return 0;
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 200000;
	if (n == 0 || sodium_init() < 0 || ec_sig_init() != EC_OK)
		return 2;
	side a, b;
	if (side_new(&a, 1, "10.0.0.1:9000") || side_new(&b, 2, "10.0.0.2:9000"))
		return 1;
	uint8_t hello[8] = {0};
	int bad = ecn_send(a.t, 1, b.pos, &b.addr, hello, sizeof hello, NULL) != EC_OK;
	move(&a, &b, 1);
	move(&b, &a, 1);
	move(&a, &b, 1);
	bad |= ecn_send(b.t, 1, a.pos, &a.addr, hello, sizeof hello, NULL) != EC_OK;
	move(&b, &a, 1);
	ecn_rt rt;
	ecn_lmstore *st;
	ec_id block;
	if (bad || node_new(&rt, &st, &a, &b, &block)) {
		fprintf(stderr, "ec_bench_node_path: set-up failed\n");
		return 1;
	}
	result one, eight;
	if (measure(&a, &b, &rt, &block, 1, n, &one) ||
	    measure(&a, &b, &rt, &block, 8, n, &eight)) {
		fprintf(stderr, "ec_bench_node_path: measurement failed\n");
		return 1;
	}
	printf("{\"datagrams\": %zu, \"one_vote\": {\"datagrams_per_s\": %.0f}, "
	       "\"eight_votes\": {\"datagrams_per_s\": %.0f, \"votes_per_s\": %.0f}}\n",
	       n, one.dgrams_per_s, eight.dgrams_per_s, eight.votes_per_s);
	ecn_rt_fini(&rt);
	ecn_lmstore_close(st);
	ecn_destroy(a.t);
	ecn_destroy(b.t);
	return 0;
}
