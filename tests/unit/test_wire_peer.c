/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the canonical wire encoding (ec/wire.h, docs/wire.md), part
 * three: the peer-management items (FIND .. PROOF) and the flagged COMMIT
 * item of a catch-up answer.  Golden vectors written from the byte tables
 * (tests/vectors/wire/item_{find,peers,hello,welcome,ping,bye,sync,synced,
 * audit,proof,commit_sync}.hex, envelope_peer.hex), their sizes, every
 * truncation, the
 * type bytes, every rejection reason these items can give on the decoder and
 * the encoder side, the decoding memory (exact measures, zero-filled
 * addresses, the bound of ec_wire_decode_bound), ec_wire_contacts_sort, the
 * rules on HELLO and WELCOME flags and HELLO hops for every flag byte, the
 * rules on a PROOF's count and entry order (against the proof-of-storage
 * Answer decoder and answer builder, ec/storage_proof.h), and single-byte
 * mutations that must re-encode to the same bytes.  Round trips
 * of random items of every kind are in test_wire.c.
 *
 * Inputs handed to decoders are copied into heap buffers of exactly their
 * length, so AddressSanitizer catches any read past the end.  The random
 * tests use EC_TEST_SEED (default 1), printed at start.
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

#include "ec/rng.h"
#include "ec/storage_proof.h"
#include "ec/wire.h"

#include "sp_rebuild.h"
#include "wire_fixtures.h"

/* The golden items, COMMIT (flagged) first, then FIND .. PROOF. */
static const uint8_t golden_kinds[] = {ECP_COMMIT, ECP_FIND,   ECP_PEERS, ECP_HELLO,
                                       ECP_WELCOME, ECP_PING,  ECP_BYE,   ECP_SYNC,
                                       ECP_SYNCED,  ECP_AUDIT, ECP_PROOF};
#define NGOLDEN (sizeof golden_kinds / sizeof golden_kinds[0])

/* ---- golden vectors and sizes ---------------------------------------------- */

static void
test_golden_peer_items(void **state)
{
	(void)state;
	for (size_t i = 0; i < NGOLDEN; i++) {
		item_bodies o;
		const char *name;
		ecp_item it = golden_peer_item(golden_kinds[i], &o, &name);
		assert_int_equal(ec_wire_item_check(&it), EC_WIRE_OK);
		size_t len;
		uint8_t *buf = encode_item(&it, &len); /* checks size == length */
		assert_bytes_match_vector(buf, len, name);
		assert_int_equal(buf[0], ec_wire_item_type(&it));
		ecp_item back;
		void *mem;
		assert_int_equal(decode_item(buf, len, &back, &mem), EC_WIRE_OK);
		assert_item_equal(&it, &back);
		free(mem);
		free(buf);
		item_bodies_free(&o);
	}
}

static void
test_golden_peer_envelope(void **state)
{
	(void)state;
	item_bodies o;
	const char *name;
	ecp_item items[3] = {{.kind = ECP_PING, .value = 0},
	                     golden_peer_item(ECP_FIND, &o, &name),
	                     {.kind = ECP_BYE}};
	ec_wire_env env = {.sender = 42, .n = 3, .items = items};
	size_t size = ec_wire_env_size(&env), len;
	assert_int_equal(size, 12 + 3 + 27 + 2);
	uint8_t *buf = malloc(size);
	assert_int_equal(ec_wire_env_encode(&env, buf, size, &len), EC_OK);
	assert_bytes_match_vector(buf, len, "envelope_peer.hex");
	size_t need;
	assert_int_equal(ec_wire_env_measure(buf, len, &need), EC_WIRE_OK);
	/* the item array and the FIND's contact list: nothing else */
	assert_int_equal(need, 3 * sizeof(ecp_item) + sizeof(ecp_contacts) + sizeof(ec_contact));
	void *mem = malloc(need);
	ec_wire_env back;
	assert_int_equal(ec_wire_env_decode(buf, len, &back, mem, need), EC_WIRE_OK);
	assert_int_equal(back.sender, 42);
	assert_int_equal(back.n, 3);
	for (uint32_t i = 0; i < 3; i++)
		assert_item_equal(&items[i], &back.items[i]);
	check_truncations_and_trailing(buf, len, env_measure_copy);
	free(mem);
	free(buf);
	item_bodies_free(&o);
}

static void
test_peer_item_sizes(void **state)
{
	(void)state;
	/* docs/wire.md: FIND 21 + L, PEERS 11 + sum(9 + L), HELLO 102 + L,
	 * WELCOME 101 + L + sum(9 + L), PING 3, BYE 2, SYNC 50, SYNCED 51,
	 * AUDIT 34, PROOF 43 + 64 x count, flagged COMMIT 5 + B + C; the
	 * golden ones */
	static const size_t want[] = {5 + 204 + 4 + 2 * 15, 21 + 6, 11 + 9 + 13 + 31,
	                              102 + 2, 101 + 0 + 10 + 11, 3, 2, 50, 51, 34, 43 + 6 * 64};
	for (size_t i = 0; i < NGOLDEN; i++) {
		item_bodies o;
		const char *name;
		ecp_item it = golden_peer_item(golden_kinds[i], &o, &name);
		assert_int_equal(ec_wire_item_size(&it), want[i]);
		/* the simulator's byte accounting is the encoding's */
		assert_int_equal(ecp_item_wire_size(&it), want[i]);
		size_t vlen;
		free(read_vector(name, &vlen));
		assert_int_equal(vlen, want[i]);
		item_bodies_free(&o);
	}
	/* without its body an item cannot be encoded: size 0 */
	ecp_hello *h = hello_new(0);
	ecp_item none[] = {{.kind = ECP_FIND}, {.kind = ECP_PEERS}, {.kind = ECP_HELLO},
	                   {.kind = ECP_WELCOME, .hello = h}, {.kind = ECP_SYNC},
	                   {.kind = ECP_SYNCED}, {.kind = ECP_AUDIT}, {.kind = ECP_PROOF}};
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		assert_int_equal(ec_wire_item_size(&none[i]), 0);
		assert_int_equal(ecp_item_wire_size(&none[i]), 0);
	}
	free(h);
	/* a plain COMMIT keeps its size (2 + B + C) */
	ecp_block *b = golden_block_create();
	ecp_cert *c = cert_new(0);
	ecp_item commit = {.kind = ECP_COMMIT, .block = b, .cert = c, .block_id = b->id};
	assert_int_equal(ec_wire_item_size(&commit), 2 + 204 + 4);
	commit.flags = ECP_F_SYNC;
	assert_int_equal(ec_wire_item_size(&commit), 5 + 204 + 4);
	free(b);
	free(c);
}

static void
test_peer_truncation_every_length(void **state)
{
	(void)state;
	for (size_t i = 0; i < NGOLDEN; i++) {
		item_bodies o;
		const char *name;
		golden_peer_item(golden_kinds[i], &o, &name);
		size_t len;
		uint8_t *buf = read_vector(name, &len);
		check_truncations_and_trailing(buf, len, item_measure_copy);
		free(buf);
		item_bodies_free(&o);
	}
}

/* ---- type bytes ------------------------------------------------------------ */

static void
test_peer_type_bytes(void **state)
{
	(void)state;
	for (uint8_t k = ECP_FIND; k <= ECP_SYNCED; k++) {
		ecp_item it = {.kind = k};
		assert_int_equal(ec_wire_item_type(&it), 0xD1 + (k - ECP_FIND));
	}
	/* the kinds after SYNCED take the bytes after the flagged COMMIT's */
	ecp_item it = {.kind = ECP_AUDIT};
	assert_int_equal(ec_wire_item_type(&it), 0xDA);
	assert_int_equal(EC_WIRE_T_AUDIT, 0xDA);
	it.kind = ECP_PROOF;
	assert_int_equal(ec_wire_item_type(&it), 0xDB);
	assert_int_equal(EC_WIRE_T_PROOF, 0xDB);
	it.flags = 0xFF; /* whatever the flags (which neither carries) */
	assert_int_equal(ec_wire_item_type(&it), 0xDB);
	it = (ecp_item){.kind = ECP_COMMIT};
	assert_int_equal(ec_wire_item_type(&it), 0xC3);
	it.flags = ECP_F_SYNC;
	assert_int_equal(ec_wire_item_type(&it), EC_WIRE_T_COMMIT_FLAGS);
	it = (ecp_item){.kind = 0};
	assert_int_equal(ec_wire_item_type(&it), 0);
	it.kind = ECP_KIND_MAX + 1;
	assert_int_equal(ec_wire_item_type(&it), 0);

	/* the bytes between the two item ranges are no item, and neither are
	 * the certificates' 0xCE and 0xCF nor the byte after the last item's */
	size_t len;
	uint8_t *buf = read_vector("item_bye.hex", &len);
	static const uint8_t unknown[] = {0xC0, 0xC9, 0xCA, 0xCD, 0xCE, 0xCF, 0xD0,
	                                  0xDF, 0xE0, 0xE1, 0xFF};
	for (size_t i = 0; i < sizeof unknown; i++) {
		buf[0] = unknown[i];
		assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_TYPE);
	}
	buf[0] = 0xD6;
	buf[1] = 2;
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_VERSION);
	free(buf);
}

/* ---- decoder side ------------------------------------------------------------ */

/* A golden vector with byte at set to v must be refused with why. */
static void
expect_byte(const char *name, size_t at, uint8_t v, ec_wire_reason why)
{
	size_t len;
	uint8_t *buf = read_vector(name, &len);
	assert_true(at < len);
	buf[at] = v;
	assert_int_equal(item_measure_copy(buf, len), why);
	free(buf);
}

static void
test_reject_bad_addr(void **state)
{
	(void)state;
	/* FIND's contact, PEERS' third contact, HELLO's sender, WELCOME's
	 * first contact: the address length at those offsets */
	static const struct {
		const char *name;
		size_t at;
	} lens[] = {{"item_find.hex", 20}, {"item_peers.hex", 41}, {"item_hello.hex", 101},
	            {"item_welcome.hex", 109}};
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		expect_byte(lens[i].name, lens[i].at, EC_ADDR_MAX + 1, EC_WIRE_BAD_ADDR);
		expect_byte(lens[i].name, lens[i].at, 0xFF, EC_WIRE_BAD_ADDR);
	}
	/* the longest address is fine (PEERS' third contact has it) */
	expect_byte("item_peers.hex", 41, EC_ADDR_MAX, EC_WIRE_OK);
	/* a shorter length leaves bytes over: the next field misreads them,
	 * or they trail */
	expect_byte("item_find.hex", 20, 5, EC_WIRE_TRAILING);
	expect_byte("item_find.hex", 20, 7, EC_WIRE_TRUNCATED);
}

static void
test_reject_contact_count(void **state)
{
	(void)state;
	/* PEERS' count at 10, WELCOME's at 100 */
	expect_byte("item_peers.hex", 10, ECP_MAX_CONTACTS + 1, EC_WIRE_CONTACT_COUNT);
	expect_byte("item_peers.hex", 10, 0xFF, EC_WIRE_CONTACT_COUNT);
	expect_byte("item_welcome.hex", 100, ECP_MAX_CONTACTS + 1, EC_WIRE_CONTACT_COUNT);
	/* a count the bytes left cannot hold at 9 bytes a contact is refused
	 * before memory is reserved for it */
	expect_byte("item_peers.hex", 10, ECP_MAX_CONTACTS, EC_WIRE_TRUNCATED);
	expect_byte("item_welcome.hex", 100, 3, EC_WIRE_TRUNCATED);
	/* fewer contacts than sent: the rest trails */
	expect_byte("item_peers.hex", 10, 2, EC_WIRE_TRAILING);
	expect_byte("item_welcome.hex", 100, 0, EC_WIRE_TRAILING);
}

static void
test_reject_contact_order(void **state)
{
	(void)state;
	/* PEERS ids: 5, 0x0100000000000000, UINT64_MAX (ids at 11, 20, 33) */
	expect_byte("item_peers.hex", 11, 0x00, EC_WIRE_OK);           /* 0 < next: fine */
	expect_byte("item_peers.hex", 27, 0x00, EC_WIRE_CONTACT_ORDER); /* 0: below 5 */
	size_t len;
	uint8_t *buf = read_vector("item_peers.hex", &len);
	memset(buf + 20, 0, 8);
	buf[20] = 5; /* the second id equals the first */
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_CONTACT_ORDER);
	buf[20] = 6; /* one above: fine */
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_OK);
	free(buf);
	/* WELCOME ids 1, 2 (the second at 111): make it 1, then 0 */
	expect_byte("item_welcome.hex", 111, 0x01, EC_WIRE_CONTACT_ORDER);
	expect_byte("item_welcome.hex", 111, 0x00, EC_WIRE_CONTACT_ORDER);
}

static void
test_reject_peer_flags(void **state)
{
	(void)state;
	/* HELLO (a JOIN | SYNC with hops 3; flags at 2): NEAR, SYNC, JOIN,
	 * INTRO (with JOIN), READY; never ADMITTED or the BLOCK flags */
	static const uint8_t hello_bad[] = {
		ECP_F_ADMITTED, ECP_F_COVERED, ECP_F_POLL, ECP_F_JOIN | ECP_F_ADMITTED,
		ECP_F_JOIN | ECP_F_SYNC | ECP_F_COVERED, 0xFF,
		/* INTRO without JOIN */
		ECP_F_INTRO, ECP_F_INTRO | ECP_F_SYNC, ECP_F_INTRO | ECP_F_NEAR | ECP_F_READY};
	for (size_t i = 0; i < sizeof hello_bad; i++)
		expect_byte("item_hello.hex", 2, hello_bad[i], EC_WIRE_BAD_FLAGS);
	static const uint8_t hello_ok[] = {ECP_F_JOIN, ECP_F_JOIN | ECP_F_READY,
	                                   ECP_F_JOIN | ECP_F_SYNC | ECP_F_NEAR | ECP_F_READY};
	for (size_t i = 0; i < sizeof hello_ok; i++)
		expect_byte("item_hello.hex", 2, hello_ok[i], EC_WIRE_OK);
	/* WELCOME (NEAR | ADMITTED | READY): never SYNC, JOIN, INTRO or the
	 * BLOCK flags */
	static const uint8_t welcome_bad[] = {ECP_F_COVERED, ECP_F_POLL, ECP_F_SYNC, ECP_F_JOIN,
	                                      ECP_F_INTRO, ECP_F_READY | ECP_F_SYNC, 0xFF};
	for (size_t i = 0; i < sizeof welcome_bad; i++)
		expect_byte("item_welcome.hex", 2, welcome_bad[i], EC_WIRE_BAD_FLAGS);
	static const uint8_t welcome_ok[] = {0, ECP_F_ADMITTED, ECP_F_READY, ECP_F_NEAR | ECP_F_READY};
	for (size_t i = 0; i < sizeof welcome_ok; i++)
		expect_byte("item_welcome.hex", 2, welcome_ok[i], EC_WIRE_OK);
	/* flagged COMMIT (flags at 240): exactly ECP_F_SYNC; zero would be a
	 * second encoding of the plain COMMIT */
	static const uint8_t commit_bad[] = {0, ECP_F_COVERED, ECP_F_SYNC | ECP_F_POLL,
	                                     ECP_F_NEAR, 0xFF};
	for (size_t i = 0; i < sizeof commit_bad; i++)
		expect_byte("item_commit_sync.hex", 240, commit_bad[i], EC_WIRE_BAD_FLAGS);
}

static void
test_reject_commit_sync_role(void **state)
{
	(void)state;
	/* role at 241 (u16): a part index of the one-part block, never the
	 * witness */
	expect_byte("item_commit_sync.hex", 241, 1, EC_WIRE_BAD_ROLE);
	size_t len;
	uint8_t *buf = read_vector("item_commit_sync.hex", &len);
	buf[241] = buf[242] = 0xFF;
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_ROLE);
	free(buf);
	/* the certificate's roles follow the block as in a plain COMMIT */
	expect_byte("item_commit_sync.hex", 2 + 204 + 4 + 12, 1, EC_WIRE_BAD_ROLE);
}

static void
test_reject_peer_values(void **state)
{
	(void)state;
	static const uint8_t bad[] = {2, 0x7F, 0x80, 0xFF};
	for (size_t i = 0; i < sizeof bad; i++) {
		expect_byte("item_ping.hex", 2, bad[i], EC_WIRE_BAD_VALUE);
		expect_byte("item_synced.hex", 50, bad[i], EC_WIRE_BAD_VALUE);
	}
	expect_byte("item_ping.hex", 2, 0, EC_WIRE_OK);
	expect_byte("item_synced.hex", 50, 0, EC_WIRE_OK);
	/* SYNC has no more byte: one more byte trails */
	size_t len;
	uint8_t *buf = read_vector("item_synced.hex", &len);
	buf[0] = 0xD7;
	buf[50] = 0;
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_TRAILING);
	assert_int_equal(item_measure_copy(buf, len - 1), EC_WIRE_OK);
	free(buf);
}

/* HELLO hops (u16 at 3): any value on a relayed join (JOIN without
 * INTRO), else 0; the rules come in the order the bytes are read. */
static void
test_reject_hello_hops(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = read_vector("item_hello.hex", &len);
	static const struct {
		uint8_t flags;
		uint16_t hops;
		ec_wire_reason why;
	} cases[] = {
		{ECP_F_JOIN | ECP_F_SYNC, 0, EC_WIRE_OK},
		{ECP_F_JOIN | ECP_F_SYNC, 0xFFFF, EC_WIRE_OK}, /* the relay caps hops, not the wire */
		{ECP_F_JOIN | ECP_F_NEAR | ECP_F_READY, 1, EC_WIRE_OK},
		/* an introduced HELLO is not relayed */
		{ECP_F_JOIN | ECP_F_INTRO | ECP_F_SYNC, 0, EC_WIRE_OK},
		{ECP_F_JOIN | ECP_F_INTRO | ECP_F_SYNC, 1, EC_WIRE_BAD_VALUE},
		{ECP_F_JOIN | ECP_F_INTRO, 0x0100, EC_WIRE_BAD_VALUE},
		/* a direct HELLO never was */
		{0, 1, EC_WIRE_BAD_VALUE},
		{ECP_F_NEAR, 3, EC_WIRE_BAD_VALUE},
		{ECP_F_NEAR | ECP_F_SYNC | ECP_F_READY, 0x8000, EC_WIRE_BAD_VALUE},
		{ECP_F_NEAR | ECP_F_SYNC | ECP_F_READY, 0, EC_WIRE_OK},
		/* flags are read first: a bad flag byte hides bad hops */
		{ECP_F_INTRO, 3, EC_WIRE_BAD_FLAGS},
		{ECP_F_ADMITTED, 3, EC_WIRE_BAD_FLAGS},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf[2] = cases[i].flags;
		buf[3] = (uint8_t)cases[i].hops;
		buf[4] = (uint8_t)(cases[i].hops >> 8);
		assert_int_equal(item_measure_copy(buf, len), cases[i].why);
		if (cases[i].why == EC_WIRE_OK) {
			ecp_item back;
			void *mem;
			assert_int_equal(decode_item(buf, len, &back, &mem), EC_WIRE_OK);
			assert_int_equal(back.flags, cases[i].flags);
			assert_int_equal(back.hops, cases[i].hops);
			free(mem);
		}
	}
	/* hops are checked before the claim and the address are read */
	buf[2] = ECP_F_NEAR;
	buf[3] = 3;
	buf[4] = 0;
	buf[101] = 0xFF; /* the address length: BAD_ADDR, were the hops fine */
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_VALUE);
	assert_int_equal(item_measure_copy(buf, 5), EC_WIRE_BAD_VALUE);
	assert_int_equal(item_measure_copy(buf, 4), EC_WIRE_TRUNCATED); /* half the hops */
	buf[3] = 0;
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_ADDR);
	/* and the flags before the hops are there */
	buf[2] = ECP_F_INTRO;
	assert_int_equal(item_measure_copy(buf, 3), EC_WIRE_BAD_FLAGS);
	buf[2] = ECP_F_JOIN;
	assert_int_equal(item_measure_copy(buf, 3), EC_WIRE_TRUNCATED);
	assert_int_equal(item_measure_copy(buf, 5), EC_WIRE_TRUNCATED);
	free(buf);
	/* a WELCOME has no hops: its claim follows the flags (the HELLO's
	 * bytes 3 and 4 read as a WELCOME are the claim's) */
	buf = read_vector("item_welcome.hex", &len);
	ecp_item back;
	void *mem;
	assert_int_equal(decode_item(buf, len, &back, &mem), EC_WIRE_OK);
	assert_int_equal(back.hops, 0);
	assert_int_equal(back.hello->claim->public_key[0], 0xA1);
	free(mem);
	free(buf);
}

/* A bad item in an envelope rejects the envelope with the item's reason. */
static void
test_reject_peer_envelope_item(void **state)
{
	(void)state;
	size_t len;
	uint8_t *env = read_vector("envelope_peer.hex", &len);
	env[14] = 2; /* the PING's value */
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_BAD_VALUE);
	env[14] = 0;
	env[15 + 20] = 0xFF; /* the FIND's address length */
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_BAD_ADDR);
	env[15 + 20] = 6;
	env[len - 2] = 0xCE; /* the BYE's type: the certificate's, no item */
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_BAD_TYPE);
	env[len - 2] = 0xD6;
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_OK);
	free(env);
}

/* ---- memory ------------------------------------------------------------------ */

static void
test_peer_memory(void **state)
{
	(void)state;
	/* exact needs: one byte less is refused; the bodies live in mem */
	static const size_t want[] = {
		[ECP_COMMIT] = sizeof(ecp_block) + sizeof(ecp_part) + sizeof(ecp_cert) +
		               2 * sizeof(ecp_vote),
		[ECP_FIND] = sizeof(ecp_contacts) + sizeof(ec_contact),
		[ECP_PEERS] = sizeof(ecp_contacts) + 3 * sizeof(ec_contact),
		[ECP_HELLO] = sizeof(ecp_hello) + sizeof(ec_identity_claim),
		[ECP_WELCOME] = sizeof(ecp_hello) + 2 * sizeof(ec_contact) + sizeof(ec_identity_claim),
		[ECP_PING] = 0,
		[ECP_BYE] = 0,
		[ECP_SYNC] = sizeof(ecp_sync),
		[ECP_SYNCED] = sizeof(ecp_sync),
		[ECP_AUDIT] = sizeof(ecp_audit),
		[ECP_PROOF] = sizeof(ecp_proof) + 6 * sizeof(ec_sp_mapping)};
	for (size_t i = 0; i < NGOLDEN; i++) {
		item_bodies o;
		const char *name;
		uint8_t kind = golden_kinds[i];
		ecp_item it = golden_peer_item(kind, &o, &name);
		size_t len;
		uint8_t *buf = read_vector(name, &len);
		size_t need;
		assert_int_equal(ec_wire_item_measure(buf, len, &need), EC_WIRE_OK);
		assert_int_equal(need, want[kind]);
		assert_true(need <= 4 * len);
		uint8_t *mem = malloc(need + 8);
		memset(mem, 0xA5, need + 8); /* decoders must zero what they leave */
		ecp_item back;
		if (need) {
			assert_int_equal(ec_wire_item_decode(buf, len, &back, mem, need - 1),
			                 EC_WIRE_NOSPACE);
			assert_int_equal(ec_wire_item_decode(buf, len, &back, mem + 1, need),
			                 EC_WIRE_NOSPACE); /* misaligned */
		}
		assert_int_equal(ec_wire_item_decode(buf, len, &back, need ? mem : NULL, need),
		                 EC_WIRE_OK);
		assert_item_equal(&it, &back); /* compares whole addresses: zero-filled */
		if (kind == ECP_HELLO || kind == ECP_WELCOME)
			assert_true((const uint8_t *)back.hello->claim >= mem &&
			            (const uint8_t *)back.hello->claim < mem + need);
		free(mem);
		free(buf);
		item_bodies_free(&o);
	}
}

/* The memory figures of ec/wire.h: a valid envelope needs at most 32 bytes
 * a byte (BYE items: one 64-byte ecp_item per 2 bytes), and the bound
 * always suffices, even for a count the items do not fill. */
static void
test_peer_decode_bound(void **state)
{
	(void)state;
	enum { N = 1000 };
	size_t len = 12 + 2 * N;
	uint8_t *env = calloc(1, len);
	assert_non_null(env);
	env[0] = EC_WIRE_T_ENVELOPE;
	env[1] = 1;
	env[10] = (uint8_t)N;
	env[11] = (uint8_t)(N >> 8);
	for (size_t i = 0; i < N; i++) {
		env[12 + 2 * i] = 0xD6;
		env[13 + 2 * i] = 1;
	}
	size_t need;
	assert_int_equal(ec_wire_env_measure(env, len, &need), EC_WIRE_OK);
	assert_int_equal(need, N * sizeof(ecp_item));
	assert_true(need <= 32 * len);
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_OK);
	/* the last BYEs replaced by a WELCOME cut short after its count (1
	 * byte left for 11 contacts): the item array, reserved first for N
	 * items, and the hello fit in the bound */
	size_t wlen;
	uint8_t *w = read_vector("item_welcome.hex", &wlen);
	memcpy(env + len - 102, w, 101);
	env[len - 102 + 100] = 11;
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_TRUNCATED);
	free(w);
	free(env);
	assert_int_equal(ec_wire_decode_bound(10), 360);
	assert_int_equal(ec_wire_decode_bound(SIZE_MAX / 2), SIZE_MAX);
}

/* ---- encoder side ------------------------------------------------------------- */

static void
expect_refused(const ecp_item *it, ec_wire_reason why)
{
	assert_int_equal(ec_wire_item_check(it), why);
	uint8_t out[4096];
	memset(out, 0x5A, sizeof out);
	assert_int_equal(ec_wire_item_encode(it, out, sizeof out, NULL), EC_EINVAL);
	assert_int_equal(out[0], 0x5A); /* nothing written */
	ec_wire_env env = {.sender = 1, .n = 1, .items = it};
	assert_int_equal(ec_wire_env_encode(&env, out, sizeof out, NULL), EC_EINVAL);
}

static void
test_encoder_refuses_bodies(void **state)
{
	(void)state;
	ecp_item none[] = {{.kind = ECP_FIND},  {.kind = ECP_PEERS}, {.kind = ECP_HELLO},
	                   {.kind = ECP_WELCOME}, {.kind = ECP_SYNC},  {.kind = ECP_SYNCED},
	                   {.kind = ECP_AUDIT},   {.kind = ECP_PROOF}};
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
		expect_refused(&none[i], EC_WIRE_NO_BODY);
	ecp_hello *h = hello_new(0); /* a hello without its claim */
	ecp_item it = {.kind = ECP_HELLO, .hello = h};
	expect_refused(&it, EC_WIRE_NO_BODY);
	free(h);
}

static void
test_encoder_refuses_contacts(void **state)
{
	(void)state;
	item_bodies o;
	const char *name;
	/* FIND: exactly one contact */
	ecp_item it = golden_peer_item(ECP_FIND, &o, &name);
	ecp_contacts *c = o.body;
	c->n = 0;
	expect_refused(&it, EC_WIRE_CONTACT_COUNT);
	c->n = 1;
	c->c[0].addr.len = EC_ADDR_MAX + 1;
	expect_refused(&it, EC_WIRE_BAD_ADDR);
	c->c[0].addr.len = 6;
	c->c[0].addr.b[21] = 1; /* padding not zero: it would not come back */
	expect_refused(&it, EC_WIRE_BAD_ADDR);
	item_bodies_free(&o);

	/* PEERS: at most ECP_MAX_CONTACTS, ascending ids */
	it = golden_peer_item(ECP_PEERS, &o, &name);
	c = o.body;
	c->c[1].id = 5;
	expect_refused(&it, EC_WIRE_CONTACT_ORDER);
	c->c[1].id = 4;
	expect_refused(&it, EC_WIRE_CONTACT_ORDER);
	ec_wire_contacts_sort(c->c, c->n);
	assert_int_equal(ec_wire_item_check(&it), EC_WIRE_OK);
	assert_int_equal(c->c[0].id, 4);
	item_bodies_free(&o);
	ecp_contacts *big = contacts_new(ECP_MAX_CONTACTS + 1);
	for (uint32_t i = 0; i < big->n; i++)
		big->c[i].id = i;
	it = (ecp_item){.kind = ECP_PEERS, .contacts = big};
	expect_refused(&it, EC_WIRE_CONTACT_COUNT);
	big->n = ECP_MAX_CONTACTS; /* the most is fine */
	assert_int_equal(ec_wire_item_check(&it), EC_WIRE_OK);
	free(big);
}

static void
test_encoder_refuses_hellos(void **state)
{
	(void)state;
	item_bodies o;
	const char *name;
	ecp_item it = golden_peer_item(ECP_HELLO, &o, &name);
	ecp_hello *h = o.body;
	it.flags = ECP_F_NEAR | ECP_F_ADMITTED; /* only a WELCOME says it admitted */
	expect_refused(&it, EC_WIRE_BAD_FLAGS);
	it.flags = ECP_F_INTRO | ECP_F_SYNC; /* an introduction is of a join */
	it.hops = 0;
	expect_refused(&it, EC_WIRE_BAD_FLAGS);
	it.flags = ECP_F_JOIN | ECP_F_INTRO | ECP_F_SYNC;
	assert_int_equal(ec_wire_item_check(&it), EC_WIRE_OK);
	it.hops = 1; /* and is not relayed */
	expect_refused(&it, EC_WIRE_BAD_VALUE);
	it.flags = ECP_F_NEAR | ECP_F_READY; /* nor is a direct HELLO */
	expect_refused(&it, EC_WIRE_BAD_VALUE);
	it.flags = ECP_F_INTRO; /* flags first, as the decoder reads them */
	expect_refused(&it, EC_WIRE_BAD_FLAGS);
	it.flags = ECP_F_NEAR; /* hops before the address */
	h->addr.len = 23;
	expect_refused(&it, EC_WIRE_BAD_VALUE);
	it.hops = 0;
	expect_refused(&it, EC_WIRE_BAD_ADDR);
	h->addr.len = 0; /* 0x07 is left over after len */
	expect_refused(&it, EC_WIRE_BAD_ADDR);
	h->addr = addr_of(2, 0);
	h->n = 1; /* a HELLO carries no contacts: refused, not dropped */
	expect_refused(&it, EC_WIRE_CONTACT_COUNT);
	item_bodies_free(&o);

	it = golden_peer_item(ECP_WELCOME, &o, &name);
	h = o.body;
	/* a WELCOME's hops are not sent: ignored, whatever they are */
	it.hops = 0xFFFF;
	size_t len;
	uint8_t *buf = encode_item(&it, &len);
	assert_bytes_match_vector(buf, len, "item_welcome.hex");
	free(buf);
	it.flags = ECP_F_SYNC;
	expect_refused(&it, EC_WIRE_BAD_FLAGS);
	it.flags = ECP_F_JOIN;
	expect_refused(&it, EC_WIRE_BAD_FLAGS);
	it.flags = ECP_F_JOIN | ECP_F_INTRO;
	expect_refused(&it, EC_WIRE_BAD_FLAGS);
	it.flags = 0;
	h->c[1].id = 1;
	expect_refused(&it, EC_WIRE_CONTACT_ORDER);
	h->c[1].id = 2;
	h->c[1].addr.len = 0xFF;
	expect_refused(&it, EC_WIRE_BAD_ADDR);
	h->c[1].addr.len = 2;
	h->n = ECP_MAX_CONTACTS + 1;
	expect_refused(&it, EC_WIRE_CONTACT_COUNT);
	h->n = 2;
	assert_int_equal(ec_wire_item_check(&it), EC_WIRE_OK);
	item_bodies_free(&o);
}

static void
test_encoder_refuses_values_and_commits(void **state)
{
	(void)state;
	ecp_item ping = {.kind = ECP_PING, .value = 2};
	expect_refused(&ping, EC_WIRE_BAD_VALUE);
	ping.value = -1;
	expect_refused(&ping, EC_WIRE_BAD_VALUE);
	ecp_sync y = {.lo = 1, .hi = 2, .more = 1};
	ecp_item sync = {.kind = ECP_SYNC, .sync = &y}; /* a request has no "more" */
	expect_refused(&sync, EC_WIRE_BAD_VALUE);
	sync.kind = ECP_SYNCED;
	assert_int_equal(ec_wire_item_check(&sync), EC_WIRE_OK);
	y.more = 2;
	expect_refused(&sync, EC_WIRE_BAD_VALUE);

	/* COMMIT: flags ECP_F_SYNC only, with the role a part index */
	item_bodies o;
	const char *name;
	ecp_item it = golden_peer_item(ECP_COMMIT, &o, &name);
	it.flags = ECP_F_SYNC | ECP_F_COVERED;
	expect_refused(&it, EC_WIRE_BAD_FLAGS);
	it.flags = ECP_F_POLL;
	expect_refused(&it, EC_WIRE_BAD_FLAGS);
	it.flags = ECP_F_SYNC;
	it.role = ECP_ROLE_WITNESS;
	expect_refused(&it, EC_WIRE_BAD_ROLE);
	it.role = 1;
	expect_refused(&it, EC_WIRE_BAD_ROLE);
	it.flags = 0; /* a plain COMMIT does not carry the role */
	assert_int_equal(ec_wire_item_check(&it), EC_WIRE_OK);
	it.flags = ECP_F_SYNC;
	it.role = 0;
	it.block_id.w[0] ^= 1;
	expect_refused(&it, EC_WIRE_ID_MISMATCH);
	item_bodies_free(&o);
}

/* Every flag byte and a spread of hops, against the rules of docs/wire.md
 * written out here: the decoder's verdict on the bytes, the encoder's on
 * the item, and what is accepted survives the round trip and every
 * truncation. */
static ec_wire_reason
hello_rule(uint8_t kind, uint8_t flags, uint16_t hops)
{
	if (kind == ECP_WELCOME)
		return flags & ~WELCOME_FLAGS_ALLOWED ? EC_WIRE_BAD_FLAGS : EC_WIRE_OK;
	if (flags & ~HELLO_FLAGS_ALLOWED)
		return EC_WIRE_BAD_FLAGS;
	if ((flags & ECP_F_INTRO) && !(flags & ECP_F_JOIN))
		return EC_WIRE_BAD_FLAGS;
	if (hops && !((flags & ECP_F_JOIN) && !(flags & ECP_F_INTRO)))
		return EC_WIRE_BAD_VALUE;
	return EC_WIRE_OK;
}

static void
test_hello_rules_every_flag(void **state)
{
	(void)state;
	static const uint16_t hops[] = {0, 1, 3, 32, 0x0100, 0xFFFF};
	uint32_t ok[2] = {0, 0};
	for (int w = 0; w < 2; w++) {
		uint8_t kind = w ? ECP_WELCOME : ECP_HELLO;
		item_bodies o;
		const char *name;
		ecp_item it = golden_peer_item(kind, &o, &name);
		size_t len;
		uint8_t *vec = read_vector(name, &len);
		for (unsigned f = 0; f < 256; f++)
			for (size_t k = 0; k < sizeof hops / sizeof hops[0]; k++) {
				uint8_t flags = (uint8_t)f;
				ec_wire_reason want = hello_rule(kind, flags, hops[k]);
				/* the encoder's side */
				it.flags = flags;
				it.hops = hops[k];
				if (want) {
					expect_refused(&it, want);
				} else {
					assert_int_equal(ec_wire_item_check(&it), EC_WIRE_OK);
					ok[w]++;
				}
				/* the decoder's side: the vector with these flags (and,
				 * a HELLO, these hops) */
				uint8_t *buf = dup_exact(vec, len);
				buf[2] = flags;
				if (kind == ECP_HELLO) {
					buf[3] = (uint8_t)hops[k];
					buf[4] = (uint8_t)(hops[k] >> 8);
				}
				assert_int_equal(item_measure_copy(buf, len),
				                 hello_rule(kind, flags, kind == ECP_HELLO ? hops[k] : 0));
				if (!want) {
					size_t elen;
					uint8_t *enc = encode_item(&it, &elen);
					assert_int_equal(elen, len);
					assert_memory_equal(enc, buf, len);
					ecp_item back;
					void *mem;
					assert_int_equal(decode_item(enc, elen, &back, &mem), EC_WIRE_OK);
					assert_item_equal(&it, &back); /* a WELCOME's hops come back 0 */
					/* truncation at every byte: a handful of flag bytes */
					if (k == 0 && (f % 37 == 0 || flags == (ECP_F_JOIN | ECP_F_INTRO)))
						check_truncations_and_trailing(enc, elen, item_measure_copy);
					free(mem);
					free(enc);
				}
				free(buf);
			}
		free(vec);
		item_bodies_free(&o);
	}
	/* HELLO: 5 free flags with INTRO tied to JOIN: 24 flag bytes, of which
	 * 8 (JOIN without INTRO) take any hops; WELCOME: 8 flag bytes */
	size_t nh = sizeof hops / sizeof hops[0];
	assert_int_equal(ok[0], 24 + 8 * (nh - 1));
	assert_int_equal(ok[1], 8 * nh);
}

/* ---- AUDIT and PROOF --------------------------------------------------------------- */

/* The bytes of a PROOF item, written from the layout of docs/wire.md (not
 * by the encoder): nonce 7, the point and token i each a byte repeated,
 * block i the byte 0xB1 + i repeated; n entries written, whatever count
 * says. */
static uint8_t *
proof_bytes(uint8_t point, const uint8_t *tok, size_t n, uint8_t count, size_t *len)
{
	*len = 43 + 64 * n;
	uint8_t *b = malloc(*len);
	assert_non_null(b);
	b[0] = 0xDB;
	b[1] = 1;
	memset(b + 2, 0, 8);
	b[2] = 7;
	memset(b + 10, point, 32);
	b[42] = count;
	for (size_t i = 0; i < n; i++) {
		memset(b + 43 + 64 * i, tok[i], 32);
		memset(b + 75 + 64 * i, 0xB1 + (int)i, 32);
	}
	return b;
}

/* The same proof as a body. */
static ecp_proof *
proof_of(uint8_t point, const uint8_t *tok, size_t n)
{
	ecp_proof *pr = proof_new((uint32_t)n);
	pr->nonce = 7;
	pr->point = id_pattern_rep(point);
	for (size_t i = 0; i < n; i++) {
		pr->e[i].token = id_pattern_rep(tok[i]);
		pr->e[i].block = id_pattern_rep((uint8_t)(0xB1 + i));
	}
	return pr;
}

/* Any proof's bytes, field by field (the encoder refuses the ones that
 * break a rule, and the tests need those too). */
static uint8_t *
proof_bytes_of(const ecp_proof *pr, size_t *len)
{
	*len = 43 + 64 * (size_t)pr->count;
	uint8_t *b = malloc(*len);
	assert_non_null(b);
	b[0] = 0xDB;
	b[1] = 1;
	for (unsigned i = 0; i < 8; i++)
		b[2 + i] = (uint8_t)(pr->nonce >> (8 * i));
	ec_id_to_bytes(&pr->point, b + 10);
	b[42] = (uint8_t)pr->count;
	for (uint32_t i = 0; i < pr->count; i++) {
		ec_id_to_bytes(&pr->e[i].token, b + 43 + 64 * (size_t)i);
		ec_id_to_bytes(&pr->e[i].block, b + 75 + 64 * (size_t)i);
	}
	return b;
}

/* The proof-of-storage module's own decoder on the same point, count and
 * entries, as an Answer (0x04) from a zero responder: an independent
 * verdict on the entries. */
static ec_sp_reason
answer_verdict(const uint8_t *proof, size_t len)
{
	assert_true(len >= 43);
	size_t alen = 2 + 32 + (len - 10);
	uint8_t *a = calloc(1, alen);
	assert_non_null(a);
	a[0] = EC_SP_TYPE_ANSWER;
	a[1] = EC_SP_VERSION;
	memcpy(a + 34, proof + 10, len - 10);
	ec_sp_answer ans;
	ec_sp_reason r = ec_sp_answer_decode(a, alen, &ans);
	free(a);
	return r;
}

/* A store holding exactly the proof's mappings answers its point with the
 * proof's entries: canonical means "what some store says". */
static void
assert_store_answers(const ecp_proof *pr)
{
	ec_sp_answer a;
	assert_true(pr->count <= EC_SP_ENTRIES);
	assert_int_equal(sp_rebuild(pr->e, pr->count, &pr->point, &a), EC_OK);
	assert_int_equal(a.count, pr->count);
	for (size_t i = 0; i < pr->count; i++) {
		assert_true(ec_id_eq(&a.entries[i].token, &pr->e[i].token));
		assert_true(ec_id_eq(&a.entries[i].block, &pr->e[i].block));
	}
}

/* The entry rules (ec_sp_answer_check's, docs/wire.md), case by case, on
 * both sides: the decoder's verdict on the bytes, the encoder's on the
 * item, the Answer decoder's agreement, and for accepted proofs the round
 * trip, every truncation and the store that answers them. */
static void
test_proof_entry_rules(void **state)
{
	(void)state;
	static const struct {
		uint8_t point, n;
		uint8_t tok[EC_SP_ENTRIES];
		ec_wire_reason why;
	} cases[] = {
		/* the golden one: five up from the point (itself a token),
		 * wrapping past the top, then one down */
		{0xE0, 6, {0xE0, 0xF0, 0xFF, 0x01, 0x02, 0xD0}, EC_WIRE_OK},
		{0xE0, 0, {0}, EC_WIRE_OK},          /* an empty store */
		{0xE0, 1, {0xD0}, EC_WIRE_OK},       /* one token, found scanning up round the ring */
		{0xE0, 2, {0xF0, 0xD0}, EC_WIRE_OK}, /* two: both up */
		{0xE0, 7, {0xE0, 0xF0, 0xFF, 0x01, 0x02, 0xD0, 0xC0}, EC_WIRE_OK}, /* two down */
		{0x80, 10, {0x80, 0x81, 0x82, 0x83, 0x84, 0x7F, 0x7E, 0x7D, 0x7C, 0x7B}, EC_WIRE_OK},
		/* two up entries out of order */
		{0xE0, 6, {0xE0, 0xFF, 0xF0, 0x01, 0x02, 0xD0}, EC_WIRE_PROOF_ORDER},
		{0x80, 10, {0x80, 0x81, 0x83, 0x82, 0x84, 0x7F, 0x7E, 0x7D, 0x7C, 0x7B},
		 EC_WIRE_PROOF_ORDER},
		{0xE0, 2, {0xD0, 0xE0}, EC_WIRE_PROOF_ORDER}, /* the point's own token comes first */
		/* a token twice: among the up entries, and across the halves */
		{0xE0, 6, {0xE0, 0xF0, 0xF0, 0x01, 0x02, 0xD0}, EC_WIRE_PROOF_ORDER},
		{0xE0, 6, {0xE0, 0xF0, 0xFF, 0x01, 0x02, 0xF0}, EC_WIRE_PROOF_ORDER},
		{0xE0, 2, {0xE0, 0xE0}, EC_WIRE_PROOF_ORDER},
		/* down entries out of order, or the point among them */
		{0xE0, 7, {0xE0, 0xF0, 0xFF, 0x01, 0x02, 0xC0, 0xD0}, EC_WIRE_PROOF_ORDER},
		{0xE0, 6, {0xE1, 0xF0, 0xFF, 0x01, 0x02, 0xE0}, EC_WIRE_PROOF_ORDER},
		/* crossing: a down entry inside the span of the up entries */
		{0xE0, 6, {0xE0, 0xF0, 0xFF, 0x01, 0x02, 0xF8}, EC_WIRE_PROOF_ORDER},
		{0x80, 10, {0x80, 0x82, 0x84, 0x86, 0x88, 0x7F, 0x7E, 0x7D, 0x7C, 0x83},
		 EC_WIRE_PROOF_ORDER},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t n = cases[i].n;
		ec_wire_reason why = cases[i].why;
		size_t len;
		uint8_t *buf = proof_bytes(cases[i].point, cases[i].tok, n, n, &len);
		assert_int_equal(item_measure_copy(buf, len), why);
		assert_int_equal(answer_verdict(buf, len) == EC_SP_OK, why == EC_WIRE_OK);
		/* the entries are judged before memory is reserved for them */
		ecp_item back;
		assert_int_equal(ec_wire_item_decode(buf, len, &back, NULL, 0),
		                 why ? why : EC_WIRE_NOSPACE);
		ecp_proof *pr = proof_of(cases[i].point, cases[i].tok, n);
		ecp_item it = {.kind = ECP_PROOF, .proof = pr};
		if (why) {
			expect_refused(&it, why);
		} else {
			size_t elen;
			uint8_t *enc = encode_item(&it, &elen);
			assert_int_equal(elen, len);
			assert_memory_equal(enc, buf, len);
			void *mem;
			assert_int_equal(decode_item(enc, elen, &back, &mem), EC_WIRE_OK);
			assert_item_equal(&it, &back);
			assert_store_answers(back.proof);
			check_truncations_and_trailing(enc, elen, item_measure_copy);
			free(mem);
			free(enc);
		}
		free(pr);
		free(buf);
	}
	/* the golden vector is the first case */
	size_t glen, len;
	uint8_t *golden = read_vector("item_proof.hex", &glen);
	uint8_t *mine = proof_bytes(0xE0, cases[0].tok, 6, 6, &len);
	mine[2] = 0x88; /* the vector's nonce */
	for (unsigned k = 1; k < 8; k++)
		mine[2 + k] = (uint8_t)(0x88 - 0x11 * k);
	assert_int_equal(len, glen);
	assert_memory_equal(mine, golden, len);
	free(mine);
	free(golden);
}

/* The count: at most EC_SP_ENTRIES, refused as soon as its byte is read
 * (before the entries are looked for, and before any memory is reserved);
 * then exactly that many entries. */
static void
test_reject_proof_count(void **state)
{
	(void)state;
	/* item_proof.hex: count at 42, six entries */
	static const uint8_t bad[] = {EC_SP_ENTRIES + 1, 0x40, 0x80, 0xFF};
	size_t len;
	uint8_t *buf = read_vector("item_proof.hex", &len);
	for (size_t i = 0; i < sizeof bad; i++) {
		expect_byte("item_proof.hex", 42, bad[i], EC_WIRE_BAD_VALUE);
		buf[42] = bad[i];
		assert_int_equal(item_measure_copy(buf, 43), EC_WIRE_BAD_VALUE); /* nothing after */
		ecp_item it;
		assert_int_equal(ec_wire_item_decode(buf, len, &it, NULL, 0), EC_WIRE_BAD_VALUE);
	}
	/* more entries announced than sent: truncated (not NOSPACE: nothing is
	 * reserved for them); fewer: the rest trails */
	expect_byte("item_proof.hex", 42, 7, EC_WIRE_TRUNCATED);
	expect_byte("item_proof.hex", 42, EC_SP_ENTRIES, EC_WIRE_TRUNCATED);
	buf[42] = EC_SP_ENTRIES;
	ecp_item it;
	assert_int_equal(ec_wire_item_decode(buf, len, &it, NULL, 0), EC_WIRE_TRUNCATED);
	expect_byte("item_proof.hex", 42, 5, EC_WIRE_TRAILING); /* five up: canonical */
	expect_byte("item_proof.hex", 42, 0, EC_WIRE_TRAILING);
	/* up to the count byte, count 0: an empty proof; count 6 with no
	 * entries: truncated */
	buf[42] = 0;
	assert_int_equal(item_measure_copy(buf, 43), EC_WIRE_OK);
	buf[42] = 6;
	assert_int_equal(item_measure_copy(buf, 43), EC_WIRE_TRUNCATED);
	assert_int_equal(item_measure_copy(buf, 42), EC_WIRE_TRUNCATED);
	free(buf);

	/* eleven entries, all there (and in order for five up, six down) */
	static const uint8_t tok[11] = {0x80, 0x81, 0x82, 0x83, 0x84, 0x7F,
	                                0x7E, 0x7D, 0x7C, 0x7B, 0x7A};
	buf = proof_bytes(0x80, tok, 11, 11, &len);
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_VALUE);
	assert_int_equal(answer_verdict(buf, len), EC_SP_BAD_COUNT); /* the Answer's rule */
	buf[42] = 10; /* the first ten: a full proof; the eleventh trails */
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_TRAILING);
	assert_int_equal(item_measure_copy(buf, len - 64), EC_WIRE_OK);
	free(buf);

	/* the encoder: a count above EC_SP_ENTRIES, whatever it is (256 would
	 * be 0 in the count byte), before the entries are looked at */
	ecp_proof *pr = proof_of(0x80, tok, 11);
	ecp_item p = {.kind = ECP_PROOF, .proof = pr};
	expect_refused(&p, EC_WIRE_BAD_VALUE);
	pr->count = 256;
	expect_refused(&p, EC_WIRE_BAD_VALUE);
	pr->count = UINT32_MAX;
	expect_refused(&p, EC_WIRE_BAD_VALUE);
	pr->count = EC_SP_ENTRIES;
	assert_int_equal(ec_wire_item_check(&p), EC_WIRE_OK);
	assert_int_equal(ec_wire_item_size(&p), 43 + 64 * EC_SP_ENTRIES);
	free(pr);
}

/* Random proofs (what a store answers), some of them spoilt: the decoder,
 * the encoder and the proof-of-storage Answer decoder agree on each. */
static void
test_proof_rules_random(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 13);
	uint32_t ok = 0, refused = 0;
	for (uint32_t iter = 0; iter < 3000; iter++) {
		item_bodies o;
		ecp_item it = random_item(&rng, ECP_PROOF, &o);
		ecp_proof *pr = o.body;
		uint32_t n = pr->count;
		switch (n ? ec_rng_range_u32(&rng, 0, 5) : 0) {
		case 1: /* two entries swapped */
			if (n > 1) {
				size_t a = ec_rng_index(&rng, n), b = ec_rng_index(&rng, n);
				ec_sp_mapping t = pr->e[a];
				pr->e[a] = pr->e[b];
				pr->e[b] = t;
			}
			break;
		case 2: /* a token copied onto another entry */
			pr->e[ec_rng_index(&rng, n)].token = pr->e[ec_rng_index(&rng, n)].token;
			break;
		case 3: /* a token moved a little */
			pr->e[ec_rng_index(&rng, n)].token.w[3] += ec_rng_range_u32(&rng, 0, 1) ? 1 : -1ull;
			break;
		case 4: /* a token at the point */
			pr->e[ec_rng_index(&rng, n)].token = pr->point;
			break;
		case 5: /* another point */
			pr->point.w[ec_rng_range_u32(&rng, 0, 3)] ^= ec_rng_u64(&rng);
			break;
		default: break;
		}
		ec_wire_reason want = ec_wire_item_check(&it);
		assert_true(want == EC_WIRE_OK || want == EC_WIRE_PROOF_ORDER);
		size_t len;
		uint8_t *buf = proof_bytes_of(pr, &len);
		assert_int_equal(item_measure_copy(buf, len), want);
		assert_int_equal(answer_verdict(buf, len) == EC_SP_OK, want == EC_WIRE_OK);
		if (want == EC_WIRE_OK) {
			ok++;
			size_t elen;
			uint8_t *enc = encode_item(&it, &elen);
			assert_int_equal(elen, len);
			assert_memory_equal(enc, buf, len);
			assert_store_answers(pr);
			free(enc);
		} else {
			refused++;
			expect_refused(&it, want);
		}
		free(buf);
		item_bodies_free(&o);
	}
	assert_true(ok > 1000 && refused > 300);
}

/* AUDIT: every value of every field is valid (lo > hi wraps; lo == hi + 1
 * is the whole ring). */
static void
test_audit_any_values(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = read_vector("item_audit.hex", &len);
	assert_int_equal(len, 34);
	static const uint8_t fill[] = {0x00, 0x01, 0x7F, 0x80, 0xFF};
	for (size_t i = 0; i < sizeof fill; i++) {
		memset(buf + 2, fill[i], 32);
		ecp_item back;
		void *mem;
		assert_int_equal(decode_item(buf, len, &back, &mem), EC_WIRE_OK);
		uint64_t v = 0x0101010101010101ull * fill[i];
		assert_int_equal(back.audit->nonce, v);
		assert_int_equal(back.audit->round, v);
		assert_int_equal(back.audit->lo, v);
		assert_int_equal(back.audit->hi, v);
		free(mem);
	}
	free(buf);
	ecp_audit q = {.nonce = 1, .round = 0, .lo = 5, .hi = 4}; /* the whole ring */
	ecp_item it = {.kind = ECP_AUDIT, .audit = &q};
	for (int i = 0; i < 3; i++) {
		if (i == 1)
			q = (ecp_audit){.nonce = UINT64_MAX, .round = UINT64_MAX, .lo = 0, .hi = UINT64_MAX};
		if (i == 2)
			q = (ecp_audit){.lo = 9, .hi = 9}; /* one position */
		assert_int_equal(ec_wire_item_check(&it), EC_WIRE_OK);
		size_t elen;
		uint8_t *enc = encode_item(&it, &elen);
		ecp_item back;
		void *mem;
		assert_int_equal(decode_item(enc, elen, &back, &mem), EC_WIRE_OK);
		assert_item_equal(&it, &back);
		free(mem);
		free(enc);
	}
}

/* AUDIT and PROOF carry no flags, hops, value, role, origin or block id:
 * the encoder leaves them out (the bytes are the golden ones) and they
 * decode as zero, as for the other kinds without them. */
static void
test_audit_proof_unsent_fields(void **state)
{
	(void)state;
	for (uint8_t kind = ECP_AUDIT; kind <= ECP_PROOF; kind++) {
		item_bodies o;
		const char *name;
		ecp_item it = golden_peer_item(kind, &o, &name);
		it.flags = 0xFF;
		it.hops = 0xFFFF;
		it.value = -1;
		it.role = 0x1234;
		it.origin = 99;
		assert_int_equal(ec_wire_item_check(&it), EC_WIRE_OK);
		size_t len;
		uint8_t *buf = encode_item(&it, &len);
		assert_bytes_match_vector(buf, len, name);
		ecp_item back;
		void *mem;
		assert_int_equal(decode_item(buf, len, &back, &mem), EC_WIRE_OK);
		assert_item_equal(&it, &back); /* flags, hops, value, role, origin: 0 */
		assert_null(back.block);
		it.block_id = id_pattern_rep(0x55); /* not carried either */
		uint8_t *again = encode_item(&it, &len);
		assert_bytes_match_vector(again, len, name);
		assert_true(ec_id_is_zero(&back.block_id));
		free(again);
		free(mem);
		free(buf);
		item_bodies_free(&o);
	}
}

/* ---- sort and mutations ---------------------------------------------------------- */

static int
contact_cmp_qsort(const void *pa, const void *pb)
{
	const ec_contact *a = pa, *b = pb;
	return a->id < b->id ? -1 : a->id > b->id;
}

static void
test_contacts_sort(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 11);
	for (uint32_t iter = 0; iter < 300; iter++) {
		uint32_t n = iter < 3 ? iter : ec_rng_range_u32(&rng, 1, 2 * ECP_MAX_CONTACTS);
		ec_contact c[2 * ECP_MAX_CONTACTS], want[2 * ECP_MAX_CONTACTS];
		for (uint32_t i = 0; i < n; i++) {
			uint64_t id = ec_rng_range_u32(&rng, 0, 1) ? ec_rng_u64(&rng)
			                                           : ec_rng_range_u64(&rng, 0, 9);
			c[i] = (ec_contact){.id = id, .addr = addr_of((uint8_t)(id % 5), (uint8_t)id)};
		}
		memcpy(want, c, n * sizeof c[0]);
		qsort(want, n, sizeof want[0], contact_cmp_qsort);
		ec_wire_contacts_sort(c, n);
		for (uint32_t i = 0; i < n; i++)
			assert_int_equal(c[i].id, want[i].id);
		for (uint32_t i = 0; i < n; i++) { /* addresses travel with their ids */
			ec_addr a = addr_of((uint8_t)(c[i].id % 5), (uint8_t)c[i].id);
			assert_memory_equal(&a, &c[i].addr, sizeof a);
		}
	}
}

static void
test_peer_mutations_reencode(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 12);
	uint32_t accepted = 0;
	for (size_t f = 0; f < NGOLDEN + 1; f++) {
		const char *name = "envelope_peer.hex";
		item_bodies o;
		if (f < NGOLDEN) {
			golden_peer_item(golden_kinds[f], &o, &name);
			item_bodies_free(&o);
		}
		bool env = f == NGOLDEN;
		size_t len;
		uint8_t *orig = read_vector(name, &len);
		for (uint32_t iter = 0; iter < 300; iter++) {
			uint8_t *buf = dup_exact(orig, len);
			buf[ec_rng_index(&rng, len)] = (uint8_t)ec_rng_u32(&rng);
			size_t need;
			ec_wire_reason r = env ? ec_wire_env_measure(buf, len, &need)
			                       : ec_wire_item_measure(buf, len, &need);
			if (r == EC_WIRE_OK) {
				accepted++;
				void *mem = malloc(need ? need : 8);
				uint8_t *again = malloc(len);
				size_t len2 = 0;
				if (env) {
					ec_wire_env e;
					assert_int_equal(ec_wire_env_decode(buf, len, &e, mem, need), EC_WIRE_OK);
					assert_int_equal(ec_wire_env_encode(&e, again, len, &len2), EC_OK);
				} else {
					ecp_item it;
					assert_int_equal(ec_wire_item_decode(buf, len, &it, mem, need), EC_WIRE_OK);
					assert_int_equal(ec_wire_item_encode(&it, again, len, &len2), EC_OK);
				}
				assert_int_equal(len2, len);
				assert_memory_equal(buf, again, len);
				free(again);
				free(mem);
			}
			free(buf);
		}
		free(orig);
	}
	assert_true(accepted > 1000); /* claims, ids, addresses: most bytes are free */
}

int
main(void)
{
	const char *s = getenv("EC_TEST_SEED");
	if (s && *s)
		test_seed = strtoull(s, NULL, 10);
	printf("test_wire_peer: EC_TEST_SEED=%llu\n", (unsigned long long)test_seed);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_peer_items),
		cmocka_unit_test(test_golden_peer_envelope),
		cmocka_unit_test(test_peer_item_sizes),
		cmocka_unit_test(test_peer_truncation_every_length),
		cmocka_unit_test(test_peer_type_bytes),
		cmocka_unit_test(test_reject_bad_addr),
		cmocka_unit_test(test_reject_contact_count),
		cmocka_unit_test(test_reject_contact_order),
		cmocka_unit_test(test_reject_peer_flags),
		cmocka_unit_test(test_reject_commit_sync_role),
		cmocka_unit_test(test_reject_peer_values),
		cmocka_unit_test(test_reject_hello_hops),
		cmocka_unit_test(test_reject_peer_envelope_item),
		cmocka_unit_test(test_peer_memory),
		cmocka_unit_test(test_peer_decode_bound),
		cmocka_unit_test(test_encoder_refuses_bodies),
		cmocka_unit_test(test_encoder_refuses_contacts),
		cmocka_unit_test(test_encoder_refuses_hellos),
		cmocka_unit_test(test_encoder_refuses_values_and_commits),
		cmocka_unit_test(test_hello_rules_every_flag),
		cmocka_unit_test(test_proof_entry_rules),
		cmocka_unit_test(test_reject_proof_count),
		cmocka_unit_test(test_proof_rules_random),
		cmocka_unit_test(test_audit_any_values),
		cmocka_unit_test(test_audit_proof_unsent_fields),
		cmocka_unit_test(test_contacts_sort),
		cmocka_unit_test(test_peer_mutations_reencode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
