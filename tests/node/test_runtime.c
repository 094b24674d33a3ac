/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of ecnode's protocol side (tools/ecnode/runtime.h) without
 * sockets: five runtimes exchange their payloads in memory, round by round
 * as the simulator would, over in-memory stores.  They grow from one node,
 * commit a wallet's block, and the tests check the payload format: the
 * clock header, the envelope's sender against the authenticated one,
 * splitting to the MTU, and that malformed payloads are dropped and
 * counted, never handled.  One test runs them over the daemon's LMDB
 * stores instead, committing and freeing unused bodies every round as the
 * daemon does (ecn_rt_sweep): under AddressSanitizer, a body the node
 * still reads but did not list would be a use after free.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "ec/lifecycle.h"
#include "ec/sig.h"
#include "ecsim/memstore.h"
#include "lmstore/lmstore.h"
#include "runtime.h"

#define N 5
#define MTU 1200u

typedef struct net {
	ecn_rt rt[N];
	ec_memstore *ms[N];
	ec_memstore_view view[N];
	/* swept: LMDB stores, committed, released and swept each round */
	bool swept;
	ecn_lmstore *lm[N];
	char dir[N][64];
	uint64_t freed;
	ec_identity_claim claim[N];
	uint8_t sk[N][64];
	ec_addr addr[N];
	uint64_t commits[N];
	size_t max_payload, multi_item_over_mtu;
} net;

static net *the_net; /* the event hook's way back */

static void
on_event(void *user, ec_event ev, uint64_t block, uint64_t arg)
{
	(void)block;
	(void)arg;
	if (ev == EC_EV_COMMIT)
		the_net->commits[(size_t)(uintptr_t)user]++;
}

static const ec_identity_params params = {.memory_kib = 8, .passes = 1, .lanes = 1, .bits = 0};

static void
identity(net *t, int i)
{
	uint8_t seed[32] = {(uint8_t)(i + 1)}, pk[32];
	crypto_sign_seed_keypair(pk, t->sk[i], seed);
	memcpy(t->claim[i].public_key, pk, 32);
	assert_int_equal(ec_identity_address(&params, pk, t->claim[i].salt, t->claim[i].address),
	                 EC_OK);
}

static uint64_t
pos_of(const net *t, int i)
{
	ec_id a = ec_id_from_bytes(t->claim[i].address);
	return ec_id_pos(&a);
}

static int
index_of(const net *t, uint64_t pos)
{
	for (int i = 0; i < N; i++)
		if (pos_of(t, i) == pos)
			return i;
	return -1;
}

static ec_store
store_for(net *t, int i)
{
	if (!t->swept) {
		assert_int_equal(ec_memstore_new(ec_libc_realloc, NULL, &t->ms[i]), EC_OK);
		t->view[i] = (ec_memstore_view){t->ms[i], 0, 0};
		return ec_memstore_bind(&t->view[i], ECP_STORE_API);
	}
	snprintf(t->dir[i], sizeof t->dir[i], "/tmp/ecrt-XXXXXX");
	assert_non_null(mkdtemp(t->dir[i]));
	assert_int_equal(ecn_lmstore_open(t->dir[i], 64u << 20, ECN_LMSTORE_NOSYNC, &t->lm[i], NULL, 0),
	                 EC_OK);
	return (ec_store){.ops = ecn_lmstore_ops(), .impl = t->lm[i]};
}

static net *
make_net(bool swept)
{
	net *t = calloc(1, sizeof *t);
	assert_non_null(t);
	the_net = t;
	t->swept = swept;
	ecp_config cfg;
	ecp_config_default(&cfg);
	cfg.window = 2;
	for (int i = 0; i < N; i++) {
		identity(t, i);
		ec_store st = store_for(t, i);
		assert_int_equal(ecn_rt_init(&t->rt[i], pos_of(t, i), &cfg, st, &ec_sig_ed25519, MTU),
		                 EC_OK);
		t->rt[i].on_event = on_event;
		t->rt[i].event_user = (void *)(uintptr_t)i;
		t->addr[i] = (ec_addr){.len = 7, .b = {4, 127, 0, 0, (uint8_t)(i + 1), 0x1e, 0x1e}};
	}
	return t;
}

static net *
make(void)
{
	return make_net(false);
}

static void
destroy(net *t)
{
	for (int i = 0; i < N; i++) {
		ecn_rt_fini(&t->rt[i]);
		ec_memstore_free(t->ms[i]);
		if (t->lm[i]) {
			ecn_lmstore_close(t->lm[i]);
			char cmd[96];
			snprintf(cmd, sizeof cmd, "rm -rf %s", t->dir[i]);
			assert_int_equal(system(cmd), 0);
		}
	}
	free(t);
}

/* The daemon's end of a tick: commit, release what the store decoded,
 * free the bodies the node no longer reads. */
static void
end_of_tick(net *t, int i)
{
	if (!t->swept)
		return;
	assert_int_equal(ecn_lmstore_commit(t->lm[i]), EC_OK);
	ecn_lmstore_release(t->lm[i]);
	t->freed += ecn_rt_sweep(&t->rt[i]);
}

/* Delivers every payload produced so far, then ticks every node. */
static void
round_trip(net *t)
{
	typedef struct held {
		int from, to;
		uint8_t *p;
		size_t len;
	} held;
	held *q = NULL;
	size_t nq = 0;
	for (int i = 0; i < N; i++) {
		for (size_t k = 0; k < t->rt[i].nout; k++) {
			const ecn_out *o = &t->rt[i].out[k];
			int j = index_of(t, o->to);
			assert_true(j >= 0);
			if (o->len > t->max_payload)
				t->max_payload = o->len;
			ec_wire_env env;
			size_t mem;
			const uint8_t *b = ecn_rt_out_bytes(&t->rt[i], o);
			assert_int_equal(ec_wire_env_measure(b + 8, o->len - 8, &mem), EC_WIRE_OK);
			void *scratch = malloc(mem ? mem : 1);
			assert_int_equal(ec_wire_env_decode(b + 8, o->len - 8, &env, scratch, mem),
			                 EC_WIRE_OK);
			if (o->len > MTU && env.n > 1)
				t->multi_item_over_mtu++;
			free(scratch);
			q = realloc(q, (nq + 1) * sizeof *q);
			q[nq] = (held){i, j, malloc(o->len), o->len};
			memcpy(q[nq].p, b, o->len);
			nq++;
		}
		ecn_rt_out_clear(&t->rt[i]);
		end_of_tick(t, i);
	}
	for (size_t k = 0; k < nq; k++) {
		ec_wire_reason why;
		ec_err err;
		assert_int_equal(ecn_rt_deliver(&t->rt[q[k].to], pos_of(t, q[k].from), q[k].p,
		                                q[k].len, &why, &err),
		                 ECN_RT_OK);
		assert_int_equal(err, EC_OK);
		free(q[k].p);
	}
	free(q);
	for (int i = 0; i < N; i++)
		assert_int_equal(ecn_rt_tick(&t->rt[i]), EC_OK);
}

static void
grow(net *t)
{
	ec_join j = {.kind = EC_JOIN_SEEDED, .self = &t->claim[0], .addr = t->addr[0],
	             .admit = params, .secret = 1};
	assert_int_equal(ecn_rt_join(&t->rt[0], &j), EC_OK);
	ec_contact boot = {.id = pos_of(t, 0), .addr = t->addr[0]};
	for (int i = 1; i < N; i++) {
		j = (ec_join){.kind = EC_JOIN_NEW, .boot = &boot, .nboot = 1, .self = &t->claim[i],
		              .addr = t->addr[i], .admit = params, .secret = (uint64_t)i + 1};
		assert_int_equal(ecn_rt_join(&t->rt[i], &j), EC_OK);
	}
	for (int r = 0; r < 400; r++) {
		round_trip(t);
		int ready = 0;
		for (int i = 0; i < N; i++) {
			ec_node_status st;
			ecn_rt_status(&t->rt[i], &st);
			ready += st.ready && st.npeers == N - 1;
		}
		if (ready == N)
			return;
	}
	fail_msg("the five nodes did not all become ready with full views");
}

/* A create block of n tokens owned by node 0's key, encoded. */
static uint8_t *
create_block(uint32_t n, uint64_t salt, size_t *len, ec_id *id)
{
	ecp_block *b = calloc(1, ecp_block_size(n));
	assert_non_null(b);
	b->nparts = n;
	b->time = salt;
	ec_id owner;
	uint8_t pk[32] = {1};
	ec_key_hash(pk, &owner);
	for (uint32_t i = 0; i < n; i++) {
		b->parts[i].token = ec_id_expand(((uint64_t)(i + 1) << 40) ^ salt);
		b->parts[i].next_key = owner;
	}
	/* canonical order: ascending tokens */
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t k = i; k > 0 && ec_id_cmp(&b->parts[k - 1].token, &b->parts[k].token) > 0;
		     k--) {
			ecp_part tmp = b->parts[k];
			b->parts[k] = b->parts[k - 1];
			b->parts[k - 1] = tmp;
		}
	ecp_block_id(b, &b->id);
	*id = b->id;
	size_t cap = ec_wire_block_size(n);
	uint8_t *enc = malloc(cap);
	assert_int_equal(ec_wire_block_encode(b, enc, cap, len), EC_OK);
	free(b);
	return enc;
}

/* Grown from one node, the network commits a wallet's block: at its
 * submitter first, then at the members of its token's window. */
static void
test_grow_and_commit(void **state)
{
	(void)state;
	net *t = make();
	grow(t);
	size_t len;
	ec_id id, got;
	uint8_t *enc = create_block(1, 7, &len, &id);
	ec_wire_reason why;
	assert_int_equal(ecn_rt_submit(&t->rt[2], enc, len, &got, &why), EC_OK);
	assert_true(ec_id_eq(&got, &id));
	free(enc);
	for (int r = 0; r < 100 && !t->commits[2]; r++)
		round_trip(t);
	assert_true(t->commits[2] >= 1);
	for (int r = 0; r < 20; r++)
		round_trip(t);
	size_t holders = 0;
	for (int i = 0; i < N; i++) {
		const ecp_block *b = NULL;
		if (ecp_store(&t->rt[i].ctx.store)->xblock_get(t->rt[i].ctx.store.impl, &id, &b, NULL))
			holders++;
	}
	assert_true(holders >= 3); /* a quorum of the 5-member window at least */
	assert_non_null(ecn_rt_block(&t->rt[2], ec_id_pos(&id)));
	destroy(t);
}

/* Over LMDB stores, with unused bodies freed every round: the network
 * grows and commits a block, then a transfer-sized stream of creates, and
 * the table of bodies shrinks back once they are decided. */
static void
test_sweep(void **state)
{
	(void)state;
	net *t = make_net(true);
	grow(t);
	ec_id ids[12];
	for (uint32_t k = 0; k < 12; k++) {
		size_t len;
		ec_id got;
		ec_wire_reason why;
		uint8_t *enc = create_block(1 + k % 3, 100 + k, &len, &ids[k]);
		assert_int_equal(ecn_rt_submit(&t->rt[k % N], enc, len, &got, &why), EC_OK);
		free(enc);
		round_trip(t);
	}
	for (int r = 0; r < 120; r++)
		round_trip(t);
	for (uint32_t k = 0; k < 12; k++) { /* each committed at its submitter */
		const ecp_block *b = NULL;
		const ecn_rt *rt = &t->rt[k % N];
		assert_true(ecp_store(&rt->ctx.store)->xblock_get(rt->ctx.store.impl, &ids[k], &b, NULL));
	}
	assert_true(t->freed > 0);
	for (int i = 0; i < N; i++) {
		uint64_t bodies, bytes;
		ecn_intern_stats(t->rt[i].intern, &bodies, &bytes);
		/* the identity claims of five nodes and little else */
		assert_true(bodies <= 2 * N);
	}
	destroy(t);
}

/* A block of 40 parts (7.7 KB) travels in payloads larger than the MTU,
 * but only alone: everything else is packed below it. */
static void
test_mtu_split(void **state)
{
	(void)state;
	net *t = make();
	grow(t);
	size_t len;
	ec_id id, got;
	uint8_t *enc = create_block(40, 9, &len, &id);
	ec_wire_reason why;
	assert_int_equal(ecn_rt_submit(&t->rt[1], enc, len, &got, &why), EC_OK);
	free(enc);
	for (int r = 0; r < 100 && !t->commits[1]; r++)
		round_trip(t);
	assert_true(t->commits[1] >= 1);
	assert_true(t->max_payload > MTU);
	assert_int_equal(t->multi_item_over_mtu, 0);
	destroy(t);
}

/* The voters' key directory (ecn_rt_vote_keys): my key from my secret
 * key, the others' from the directory, nothing where it knows none. */
static bool
directory(void *user, uint64_t pos, uint8_t pk[32])
{
	const net *t = user;
	for (size_t i = 0; i < N; i++)
		if (t->rt[i].pos == pos) {
			memcpy(pk, t->claim[i].public_key, 32);
			return true;
		}
	return false;
}

static void
test_vote_keys(void **state)
{
	(void)state;
	net *t = make();
	ecn_rt *rt = &t->rt[0];
	uint8_t pk[32];
	ecn_rt_sign_votes(rt, t->sk[0]);
	assert_null(rt->ctx.vote_key); /* no directory: the core's peer table */
	ecn_rt_vote_keys(rt, directory, t);
	assert_non_null(rt->ctx.vote_key);
	assert_true(rt->ctx.vote_key(rt->ctx.vote_user, rt->pos, pk));
	assert_memory_equal(pk, t->sk[0] + 32, 32);
	assert_true(rt->ctx.vote_key(rt->ctx.vote_user, t->rt[3].pos, pk));
	assert_memory_equal(pk, t->claim[3].public_key, 32);
	assert_false(rt->ctx.vote_key(rt->ctx.vote_user, t->rt[3].pos + 1, pk));
	destroy(t);
}

/* Bad payloads are dropped, counted, and never reach the node. */
static void
test_bad_payloads(void **state)
{
	(void)state;
	net *t = make();
	grow(t);
	/* take one real payload from node 1 to node 0 */
	size_t len;
	ec_id id, got;
	uint8_t *enc = create_block(1, 11, &len, &id);
	ec_wire_reason why;
	ec_err err;
	assert_int_equal(ecn_rt_submit(&t->rt[1], enc, len, &got, &why), EC_OK);
	free(enc);
	assert_int_equal(ecn_rt_tick(&t->rt[1]), EC_OK);
	assert_true(t->rt[1].nout > 0);
	const ecn_out *o = &t->rt[1].out[0];
	uint8_t *p = malloc(o->len);
	memcpy(p, ecn_rt_out_bytes(&t->rt[1], o), o->len);
	int to = index_of(t, o->to);
	uint64_t before = t->rt[to].payloads_in;
	/* another sender than the envelope names */
	assert_int_equal(ecn_rt_deliver(&t->rt[to], pos_of(t, 3) ^ 1, p, o->len, &why, &err),
	                 ECN_RT_SENDER_MISMATCH);
	/* shorter than the clock */
	assert_int_equal(ecn_rt_deliver(&t->rt[to], pos_of(t, 1), p, 5, &why, &err), ECN_RT_SHORT);
	/* truncated envelope */
	assert_int_equal(ecn_rt_deliver(&t->rt[to], pos_of(t, 1), p, o->len - 1, &why, &err),
	                 ECN_RT_DECODE);
	assert_int_not_equal(why, EC_WIRE_OK);
	/* a flipped type byte */
	p[8] ^= 0xFF;
	assert_int_equal(ecn_rt_deliver(&t->rt[to], pos_of(t, 1), p, o->len, &why, &err),
	                 ECN_RT_DECODE);
	p[8] ^= 0xFF;
	assert_int_equal(t->rt[to].payloads_in, before);
	assert_int_equal(t->rt[to].drops[ECN_RT_SENDER_MISMATCH], 1);
	assert_int_equal(t->rt[to].drops[ECN_RT_SHORT], 1);
	assert_int_equal(t->rt[to].drops[ECN_RT_DECODE], 2);
	/* and the real one passes */
	assert_int_equal(ecn_rt_deliver(&t->rt[to], pos_of(t, 1), p, o->len, &why, &err), ECN_RT_OK);
	assert_int_equal(t->rt[to].payloads_in, before + 1);
	free(p);
	/* a block whose commit could not travel in one datagram is refused */
	uint32_t maxp = ecn_rt_max_parts(&t->rt[0]);
	assert_int_equal(maxp, 243); /* window 2: 116 + 267 n bytes <= 65,000 */
	enc = create_block(maxp + 1, 13, &len, &id);
	assert_int_equal(ecn_rt_submit(&t->rt[0], enc, len, &got, &why), EC_ERANGE);
	free(enc);
	/* a submitted block that is not canonical is refused with its reason */
	uint8_t junk[20] = {0xB1, 1};
	assert_int_equal(ecn_rt_submit(&t->rt[0], junk, sizeof junk, &got, &why), EC_EINVAL);
	assert_int_not_equal(why, EC_WIRE_OK);
	destroy(t);
}

int
main(void)
{
	if (sodium_init() < 0 || ec_sig_init() != EC_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_grow_and_commit),
	    cmocka_unit_test(test_sweep),
	    cmocka_unit_test(test_mtu_split),
	    cmocka_unit_test(test_vote_keys),
	    cmocka_unit_test(test_bad_payloads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
