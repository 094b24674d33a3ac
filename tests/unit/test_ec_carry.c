/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for how a driver carries the ec protocol's messages
 * (ecp_msg_ops, src/proto/ec/carry.c): keep() copies the item array and the
 * bodies the sender may free (contact lists, hellos, sync ranges, audit
 * queries, storage proofs) into the keeper's storage, aligned, and leaves interned bodies (blocks,
 * certificates, a hello's claim) where they are; a failed keep leaves the
 * message unchanged; the wire size is the canonical encoding's; the
 * counters put peer management (and catch-up COMMIT items) in the
 * lifecycle counter, not among the commits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec/ecp.h"
#include "ec/wire.h"

/* A keeper over one fixed buffer; fail_after: calls that succeed (-1: all). */
typedef struct arena {
	_Alignas(max_align_t) unsigned char buf[16384];
	size_t used;
	int calls;
	int fail_after;
} arena;

static void *
arena_scratch(void *user, size_t bytes)
{
	arena *a = user;
	if (a->fail_after >= 0 && a->calls >= a->fail_after)
		return NULL;
	a->calls++;
	size_t al = _Alignof(max_align_t);
	size_t at = (a->used + al - 1) / al * al;
	assert_true(at + bytes <= sizeof a->buf);
	a->used = at + bytes;
	return a->buf + at;
}

static bool
inside(const arena *a, const void *p)
{
	const unsigned char *q = p;
	return q >= a->buf && q < a->buf + a->used;
}

static bool
aligned(const void *p)
{
	return (uintptr_t)p % _Alignof(max_align_t) == 0;
}

/* The bodies a test message points to, as a sender would have them on its
 * stack (heap here, so that ASan sees a use after they are gone). */
typedef struct bodies {
	ecp_block *block;
	ecp_cert *cert;
	ec_identity_claim *claim;
	ecp_contacts *find;
	ecp_hello *welcome;
	ecp_sync *sync;
	ecp_audit *audit;
	ecp_proof *proof; /* two entries */
} bodies;

static void
bodies_make(bodies *b)
{
	b->block = calloc(1, ecp_block_size(1));
	b->block->nparts = 1;
	b->block->parts[0].token.w[0] = 7;
	ec_wire_block_id(b->block, &b->block->id);
	b->cert = calloc(1, sizeof(ecp_cert));
	b->claim = calloc(1, sizeof *b->claim);
	memset(b->claim, 0x42, sizeof *b->claim);
	b->find = calloc(1, sizeof(ecp_contacts) + sizeof(ec_contact));
	b->find->target = 99;
	b->find->n = 1;
	b->find->c[0] = (ec_contact){.id = 5, .addr = {.len = 2, .b = {1, 2}}};
	b->welcome = calloc(1, sizeof(ecp_hello) + 3 * sizeof(ec_contact));
	b->welcome->claim = b->claim;
	b->welcome->addr = (ec_addr){.len = 1, .b = {9}};
	b->welcome->n = 3;
	for (uint32_t i = 0; i < 3; i++)
		b->welcome->c[i] = (ec_contact){.id = 10 + i, .addr = {.len = 1, .b = {(uint8_t)i}}};
	b->sync = calloc(1, sizeof *b->sync);
	*b->sync = (ecp_sync){.lo = 1, .hi = 2, .after = {{3, 4, 5, 6}}, .more = 1};
	b->audit = calloc(1, sizeof *b->audit);
	*b->audit = (ecp_audit){.nonce = 11, .round = 12, .lo = 13, .hi = 14};
	b->proof = calloc(1, sizeof(ecp_proof) + 2 * sizeof(ec_sp_mapping));
	b->proof->nonce = 21;
	b->proof->point = (ec_id){{0x80, 0, 0, 0}};
	b->proof->count = 2; /* a store of two tokens: both above the point */
	b->proof->e[0] = (ec_sp_mapping){{{0x81, 0, 0, 0}}, {{22, 0, 0, 0}}};
	b->proof->e[1] = (ec_sp_mapping){{{0x82, 0, 0, 0}}, {{23, 0, 0, 1}}};
}

static void
bodies_free(bodies *b)
{
	free(b->block);
	free(b->cert);
	free(b->claim);
	free(b->find);
	free(b->welcome);
	free(b->sync);
	free(b->audit);
	free(b->proof);
}

enum { NITEMS = 9 };

static void
items_make(const bodies *b, ecp_item *it)
{
	it[0] = (ecp_item){.kind = ECP_VOTE, .value = 1};
	it[1] = (ecp_item){.kind = ECP_FIND, .hops = 2, .contacts = b->find};
	it[2] = (ecp_item){.kind = ECP_WELCOME, .flags = ECP_F_NEAR, .hello = b->welcome};
	it[3] = (ecp_item){.kind = ECP_SYNCED, .sync = b->sync};
	it[4] = (ecp_item){.kind = ECP_COMMIT, .block_id = b->block->id, .block = b->block,
	                   .cert = b->cert};
	it[5] = (ecp_item){.kind = ECP_COMMIT, .flags = ECP_F_SYNC, .block_id = b->block->id,
	                   .block = b->block, .cert = b->cert};
	it[6] = (ecp_item){.kind = ECP_BYE};
	it[7] = (ecp_item){.kind = ECP_AUDIT, .audit = b->audit};
	it[8] = (ecp_item){.kind = ECP_PROOF, .proof = b->proof};
}

static ec_msg
envelope(const ecp_item *it, uint32_t n)
{
	ec_msg m = {.type = EC_MSG_ENVELOPE};
	m.u.env.items = it;
	m.u.env.n = n;
	return m;
}

static void
test_keep_copies_bodies(void **state)
{
	(void)state;
	arena *a = calloc(1, sizeof *a);
	a->fail_after = -1;
	ec_msg_keeper k = {arena_scratch, a};
	bodies b;
	bodies_make(&b);
	ecp_item *items = malloc(NITEMS * sizeof *items);
	items_make(&b, items);
	ec_msg m = envelope(items, NITEMS);
	assert_int_equal(ecp_msg_ops.keep(&m, &k), EC_OK);
	assert_int_equal(a->calls, 1); /* one allocation for all */

	/* the sender's array and bodies go away */
	const ec_identity_claim *claim = b.claim;
	ecp_block *block = b.block;
	memset(items, 0xEE, NITEMS * sizeof *items);
	free(items);
	memset(b.find, 0xEE, sizeof(ecp_contacts) + sizeof(ec_contact));
	memset(b.welcome, 0xEE, sizeof(ecp_hello) + 3 * sizeof(ec_contact));
	memset(b.sync, 0xEE, sizeof *b.sync);
	memset(b.audit, 0xEE, sizeof *b.audit);
	memset(b.proof, 0xEE, sizeof(ecp_proof) + 2 * sizeof(ec_sp_mapping));
	free(b.find);
	free(b.welcome);
	free(b.sync);
	free(b.audit);
	free(b.proof);
	b.find = NULL;
	b.welcome = NULL;
	b.sync = NULL;
	b.audit = NULL;
	b.proof = NULL;

	const ecp_item *kept = m.u.env.items;
	assert_true(inside(a, kept));
	assert_int_equal(kept[1].hops, 2);
	assert_true(inside(a, kept[1].contacts) && aligned(kept[1].contacts));
	assert_int_equal(kept[1].contacts->target, 99);
	assert_int_equal(kept[1].contacts->n, 1);
	assert_int_equal(kept[1].contacts->c[0].id, 5);
	assert_int_equal(kept[1].contacts->c[0].addr.b[1], 2);
	assert_true(inside(a, kept[2].hello) && aligned(kept[2].hello));
	assert_ptr_equal(kept[2].hello->claim, claim); /* interned: stays put */
	assert_int_equal(kept[2].hello->addr.b[0], 9);
	assert_int_equal(kept[2].hello->n, 3);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(kept[2].hello->c[i].id, 10 + i);
	assert_true(inside(a, kept[3].sync) && aligned(kept[3].sync));
	assert_int_equal(kept[3].sync->hi, 2);
	assert_int_equal(kept[3].sync->after.w[3], 6);
	assert_int_equal(kept[3].sync->more, 1);
	assert_ptr_equal(kept[4].block, block); /* interned: stays put */
	assert_ptr_equal(kept[5].cert, b.cert);
	assert_null(kept[6].sync);
	assert_true(inside(a, kept[7].audit) && aligned(kept[7].audit));
	assert_int_equal(kept[7].audit->nonce, 11);
	assert_int_equal(kept[7].audit->round, 12);
	assert_int_equal(kept[7].audit->lo, 13);
	assert_int_equal(kept[7].audit->hi, 14);
	assert_true(inside(a, kept[8].proof) && aligned(kept[8].proof));
	assert_int_equal(kept[8].proof->nonce, 21);
	assert_int_equal(kept[8].proof->point.w[0], 0x80);
	assert_int_equal(kept[8].proof->count, 2);
	assert_int_equal(kept[8].proof->e[0].token.w[0], 0x81);
	assert_int_equal(kept[8].proof->e[1].token.w[0], 0x82); /* the entries came along */
	assert_int_equal(kept[8].proof->e[1].block.w[3], 1);
	/* each body in its own slot: the proof's entries end inside the
	 * arena, and no two bodies overlap */
	assert_true(inside(a, (const unsigned char *)&kept[8].proof->e[2] - 1));
	assert_true((const unsigned char *)kept[7].audit + sizeof(ecp_audit) <=
	                (const unsigned char *)kept[8].proof ||
	            (const unsigned char *)kept[8].proof + sizeof(ecp_proof) +
	                    2 * sizeof(ec_sp_mapping) <=
	                (const unsigned char *)kept[7].audit);

	/* a delayed message is kept again from the kept copy */
	assert_int_equal(ecp_msg_ops.keep(&m, &k), EC_OK);
	assert_true(m.u.env.items != kept);
	assert_true(m.u.env.items[2].hello != kept[2].hello);
	assert_int_equal(m.u.env.items[2].hello->c[2].id, 12);
	assert_true(m.u.env.items[8].proof != kept[8].proof);
	assert_int_equal(m.u.env.items[8].proof->e[1].block.w[0], 23);
	bodies_free(&b);
	free(a);
}

static void
test_keep_failure_leaves_message(void **state)
{
	(void)state;
	arena *a = calloc(1, sizeof *a);
	a->fail_after = 0;
	ec_msg_keeper k = {arena_scratch, a};
	bodies b;
	bodies_make(&b);
	ecp_item items[NITEMS];
	items_make(&b, items);
	ec_msg m = envelope(items, NITEMS);
	assert_int_equal(ecp_msg_ops.keep(&m, &k), EC_ENOMEM);
	assert_ptr_equal(m.u.env.items, items);
	assert_ptr_equal(items[1].contacts, b.find);
	/* voting items alone: the same single allocation as before */
	a->fail_after = -1;
	ec_msg v = envelope(items, 1);
	assert_int_equal(ecp_msg_ops.keep(&v, &k), EC_OK);
	assert_int_equal(a->used, sizeof(ecp_item));
	bodies_free(&b);
	free(a);
}

static void
test_wire_size_is_encoding(void **state)
{
	(void)state;
	bodies b;
	bodies_make(&b);
	ecp_item items[NITEMS];
	items_make(&b, items);
	ec_msg m = envelope(items, NITEMS);
	ec_wire_env env = {.sender = 1, .n = NITEMS, .items = items};
	/* the encoding plus 16 bytes of datagram addressing */
	assert_int_equal(ecp_msg_ops.wire_size(&m), ec_wire_env_size(&env) + 16);
	assert_int_equal(ecp_msg_ops.logical(&m), NITEMS);
	bodies_free(&b);
}

static const ec_msg_stat *
stat_of(const char *key)
{
	for (size_t i = 0; i < ecp_msg_ops.nstats; i++)
		if (strcmp(ecp_msg_ops.stats[i].key, key) == 0)
			return &ecp_msg_ops.stats[i];
	fail_msg("no stat %s", key);
	return NULL;
}

static void
test_lifecycle_counter(void **state)
{
	(void)state;
	const ec_msg_stat *peer = stat_of("ec_peer"), *commit = stat_of("ec_commit");
	assert_true(peer->omit_zero);
	assert_string_equal(peer->label, "Peer");
	assert_int_equal(peer->den, -1);
	assert_int_equal(ecp_msg_ops.lifecycle_counter, peer->num + 1);
	/* only figures of open runs and of runs that convict */
	const ec_msg_stat *accuse = stat_of("ec_accuse");
	for (size_t i = 0; i < ecp_msg_ops.nstats; i++)
		assert_true(ecp_msg_ops.stats[i].omit_zero ==
		            (&ecp_msg_ops.stats[i] == peer || &ecp_msg_ops.stats[i] == accuse));

	bodies b;
	bodies_make(&b);
	ecp_item items[NITEMS];
	items_make(&b, items);
	ec_msg m = envelope(items, NITEMS);
	uint64_t c[EC_MSG_COUNTERS] = {0};
	ecp_msg_ops.count(&m, c);
	/* FIND, WELCOME, SYNCED, the catch-up COMMIT, BYE, AUDIT and PROOF;
	 * the plain COMMIT alone is a commit */
	assert_int_equal(c[peer->num], 7);
	assert_int_equal(c[commit->num], 1);
	/* every peer-management kind (FIND .. PROOF) counts once; ACCUSE,
	 * after them, counts apart */
	ecp_item each[ECP_KIND_MAX - ECP_FIND + 1];
	for (uint8_t k = ECP_FIND; k <= ECP_KIND_MAX; k++)
		each[k - ECP_FIND] = (ecp_item){.kind = k};
	memset(c, 0, sizeof c);
	m = envelope(each, ECP_KIND_MAX - ECP_FIND + 1);
	ecp_msg_ops.count(&m, c);
	assert_int_equal(c[peer->num], ECP_PROOF - ECP_FIND + 1);
	assert_int_equal(c[stat_of("ec_accuse")->num], 1);
	uint64_t total = 0;
	for (size_t i = 0; i < EC_MSG_COUNTERS; i++)
		total += c[i];
	assert_int_equal(total, c[peer->num] + 1); /* and nothing else */
	bodies_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keep_copies_bodies),
		cmocka_unit_test(test_keep_failure_leaves_message),
		cmocka_unit_test(test_wire_size_is_encoding),
		cmocka_unit_test(test_lifecycle_counter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
