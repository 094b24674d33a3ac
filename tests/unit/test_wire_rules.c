/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the canonical wire encoding (ec/wire.h, docs/wire.md), part
 * two: the canonical rules.  One test per rule on the decoder side (type and
 * version bytes, part counts and order, create and signer rules, roles,
 * values, flags, certificate count and order, envelopes) and on the encoder
 * side, the memory and capacity accounting (EC_WIRE_NOSPACE, EC_EFULL), the
 * reason strings, and single-byte mutations of the golden vectors.  The
 * encodings themselves are tested in test_wire.c; the fixtures both use are
 * in wire_fixtures.c.
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
#include "ec/wire.h"

#include "wire_fixtures.h"

/* ---- canonical rules: decoder side -------------------------------------------- */

/* Encodes the golden transfer block (3 parts: create, transfer, destroy). */
static uint8_t *
transfer_bytes(size_t *len)
{
	ecp_block *b = golden_block_transfer();
	size_t size = ec_wire_block_size(3);
	uint8_t *buf = malloc(size);
	assert_int_equal(ec_wire_block_encode(b, buf, size, len), EC_OK);
	free(b);
	return buf;
}

#define PART(i) (12u + 128u * (i))
#define SIG(n, i) (12u + 128u * (n) + 64u * (i))

static void
test_reject_bad_type_and_version(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = transfer_bytes(&len);
	static const uint8_t bad_types[] = {0x00, 0xB0, 0xB2, 0xC1, 0xCE, 0xE1, 0xFF};
	for (size_t i = 0; i < sizeof bad_types; i++) {
		buf[0] = bad_types[i];
		assert_int_equal(block_decode_copy(buf, len), EC_WIRE_BAD_TYPE);
	}
	buf[0] = EC_WIRE_T_BLOCK;
	static const uint8_t bad_versions[] = {0, 2, 0xFF};
	for (size_t i = 0; i < sizeof bad_versions; i++) {
		buf[1] = bad_versions[i];
		assert_int_equal(block_decode_copy(buf, len), EC_WIRE_BAD_VERSION);
	}
	free(buf);

	/* items: 0xC0, the bytes after the voting items (0xC9..0xCF: the
	 * peer-management items start at 0xD1, so that none is a
	 * certificate's 0xCE or 0xCF), 0xD0, and 0xDF, the byte after the
	 * last item's (the flagged COMMIT 0xD9, AUDIT 0xDA, PROOF 0xDB,
	 * ACCUSE 0xDC, the signed VOTE 0xDD and BLOCK 0xDE), are no item; a
	 * nested block or cert needs its own type and version */
	uint8_t vote[37] = {0xC2, 1};
	vote[34] = 0;
	vote[36] = 1;
	assert_int_equal(item_measure_copy(vote, sizeof vote), EC_WIRE_OK);
	static const uint8_t no_item[] = {0xC0, 0xC9, 0xCE, 0xCF, 0xD0, 0xDF};
	for (size_t i = 0; i < sizeof no_item; i++) {
		vote[0] = no_item[i];
		assert_int_equal(item_measure_copy(vote, sizeof vote), EC_WIRE_BAD_TYPE);
	}
	vote[0] = EC_WIRE_T_BLOCK;
	assert_int_equal(item_measure_copy(vote, sizeof vote), EC_WIRE_BAD_TYPE);
	vote[0] = 0xC2;
	vote[1] = 2;
	assert_int_equal(item_measure_copy(vote, sizeof vote), EC_WIRE_BAD_VERSION);

	size_t clen;
	uint8_t *commit = read_vector("item_commit.hex", &clen);
	assert_int_equal(item_measure_copy(commit, clen), EC_WIRE_OK);
	commit[2] = 0xB2; /* the nested block's type */
	assert_int_equal(item_measure_copy(commit, clen), EC_WIRE_BAD_TYPE);
	commit[2] = EC_WIRE_T_BLOCK;
	commit[3] = 0; /* its version */
	assert_int_equal(item_measure_copy(commit, clen), EC_WIRE_BAD_VERSION);
	commit[3] = 1;
	size_t cert_at = 2 + ec_wire_block_size(3);
	commit[cert_at] = EC_WIRE_T_BLOCK; /* the nested cert's type */
	assert_int_equal(item_measure_copy(commit, clen), EC_WIRE_BAD_TYPE);
	commit[cert_at] = EC_WIRE_T_CERT;
	commit[cert_at + 1] = 7;
	assert_int_equal(item_measure_copy(commit, clen), EC_WIRE_BAD_VERSION);
	free(commit);

	size_t elen;
	uint8_t *env = read_vector("envelope.hex", &elen);
	env[0] = 0xE2;
	assert_int_equal(env_measure_copy(env, elen), EC_WIRE_BAD_TYPE);
	env[0] = EC_WIRE_T_ENVELOPE;
	env[1] = 0;
	assert_int_equal(env_measure_copy(env, elen), EC_WIRE_BAD_VERSION);
	env[1] = 1;
	env[12] = EC_WIRE_T_ENVELOPE; /* an envelope is not an item */
	assert_int_equal(env_measure_copy(env, elen), EC_WIRE_BAD_TYPE);
	free(env);

	size_t celen;
	uint8_t *cert = read_vector("cert.hex", &celen);
	cert[0] = 0xCD;
	assert_int_equal(cert_decode_copy(cert, celen), EC_WIRE_BAD_TYPE);
	cert[0] = EC_WIRE_T_CERT_SIGNED; /* its votes would need signatures */
	assert_int_equal(cert_decode_copy(cert, celen), EC_WIRE_TRUNCATED);
	cert[0] = EC_WIRE_T_CERT;
	cert[1] = 2;
	assert_int_equal(cert_decode_copy(cert, celen), EC_WIRE_BAD_VERSION);
	free(cert);
}

static void
test_reject_nparts(void **state)
{
	(void)state;
	uint8_t hdr[12] = {EC_WIRE_T_BLOCK, 1};
	static const uint16_t bad[] = {0, 257, 0x1000, 0xFFFF};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		hdr[10] = (uint8_t)bad[i];
		hdr[11] = (uint8_t)(bad[i] >> 8);
		assert_int_equal(block_decode_copy(hdr, sizeof hdr), EC_WIRE_BAD_NPARTS);
		assert_int_equal(peek_copy(hdr, sizeof hdr), EC_WIRE_BAD_NPARTS);
	}
	/* 256 parts is fine; the header alone is then truncated */
	hdr[10] = 0;
	hdr[11] = 1;
	assert_int_equal(block_decode_copy(hdr, sizeof hdr), EC_WIRE_TRUNCATED);
}

static void
test_reject_zero_token(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = transfer_bytes(&len);
	memset(buf + PART(0), 0, 32);
	assert_int_equal(block_decode_copy(buf, len), EC_WIRE_ZERO_TOKEN);
	free(buf);
}

static void
test_reject_part_order(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = transfer_bytes(&len);
	/* duplicate token */
	memcpy(buf + PART(1), buf + PART(0), 32);
	assert_int_equal(block_decode_copy(buf, len), EC_WIRE_PART_ORDER);
	free(buf);
	buf = transfer_bytes(&len);
	/* descending: part 2's token below part 1's, in the last byte only */
	memcpy(buf + PART(2), buf + PART(1), 32);
	buf[PART(2) + 31] = 0x1F;
	assert_int_equal(block_decode_copy(buf, len), EC_WIRE_PART_ORDER);
	buf[PART(2) + 31] = 0x21; /* just above: fine */
	assert_int_equal(block_decode_copy(buf, len), EC_WIRE_OK);
	free(buf);
}

static void
test_reject_create_signed(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = transfer_bytes(&len);
	buf[PART(0) + 96 + 31] = 1; /* signer of the create part */
	assert_int_equal(block_decode_copy(buf, len), EC_WIRE_CREATE_SIGNED);
	free(buf);
	buf = transfer_bytes(&len);
	buf[SIG(3, 0) + 63] = 1; /* signature of the create part */
	assert_int_equal(block_decode_copy(buf, len), EC_WIRE_CREATE_SIGNED);
	free(buf);
}

static void
test_reject_unsigned(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = transfer_bytes(&len);
	memset(buf + PART(1) + 96, 0, 32); /* transfer part without signer */
	assert_int_equal(block_decode_copy(buf, len), EC_WIRE_UNSIGNED);
	free(buf);
	buf = transfer_bytes(&len);
	memset(buf + PART(2) + 96, 0, 32); /* destroy part without signer */
	assert_int_equal(block_decode_copy(buf, len), EC_WIRE_UNSIGNED);
	free(buf);
}

static void
test_reject_bad_role(void **state)
{
	(void)state;
	size_t len;
	/* BLOCK item: the golden one carries a one-part block */
	uint8_t *buf = read_vector("item_block.hex", &len);
	size_t role_at = 2 + ec_wire_block_size(1) + 2;
	static const uint16_t bad[] = {1, 2, 255, 256, 0xFFFE};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		buf[role_at] = (uint8_t)bad[i];
		buf[role_at + 1] = (uint8_t)(bad[i] >> 8);
		assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_ROLE);
	}
	buf[role_at] = 0;
	buf[role_at + 1] = 0;
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_OK);
	free(buf);

	/* VOTE, BLOCKED, WITHDRAW, WITHDRAWN: role below 256 or the witness */
	static const char *const names[] = {"item_vote.hex", "item_blocked.hex",
	                                    "item_withdraw.hex", "item_withdrawn.hex"};
	for (size_t k = 0; k < 4; k++) {
		buf = read_vector(names[k], &len);
		buf[34] = 0x00;
		buf[35] = 0x01; /* 256 */
		assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_ROLE);
		buf[34] = 0xFE;
		buf[35] = 0xFF;
		assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_ROLE);
		buf[34] = 0xFF; /* 255 */
		buf[35] = 0x00;
		assert_int_equal(item_measure_copy(buf, len), EC_WIRE_OK);
		free(buf);
	}

	/* COMMIT: certificate roles below the block's part count (3) */
	buf = read_vector("item_commit.hex", &len);
	size_t vote2_role = 2 + ec_wire_block_size(3) + 4 + 2 * 15 + 12;
	assert_int_equal(buf[vote2_role], 1);
	buf[vote2_role] = 3;
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_ROLE);
	buf[vote2_role] = 2; /* still ascending (0, 0, 2, witness): fine */
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_OK);
	free(buf);

	/* stand-alone certificate: roles below 256 */
	buf = read_vector("cert.hex", &len);
	buf[4 + 2 * 15 + 12] = 0x00;
	buf[4 + 2 * 15 + 13] = 0x01;
	assert_int_equal(cert_decode_copy(buf, len), EC_WIRE_BAD_ROLE);
	free(buf);
}

static void
test_reject_bad_value(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = read_vector("item_vote.hex", &len);
	static const uint8_t bad_vote[] = {0x00, 0x02, 0xFE, 0x7F, 0x80};
	for (size_t i = 0; i < sizeof bad_vote; i++) {
		buf[36] = bad_vote[i];
		assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_VALUE);
	}
	buf[36] = 0x01;
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_OK);
	free(buf);

	buf = read_vector("item_block.hex", &len);
	size_t value_at = 2 + ec_wire_block_size(1);
	static const uint8_t bad_block[] = {0x02, 0xFE, 0x80};
	for (size_t i = 0; i < sizeof bad_block; i++) {
		buf[value_at] = bad_block[i];
		assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_VALUE);
	}
	buf[value_at] = 0x00; /* a BLOCK item may carry no vote */
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_OK);
	buf[value_at] = 0xFF;
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_OK);
	free(buf);

	buf = read_vector("cert.hex", &len);
	buf[4 + 14] = 0x00;
	assert_int_equal(cert_decode_copy(buf, len), EC_WIRE_BAD_VALUE);
	free(buf);
}

static void
test_reject_bad_flags(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = read_vector("item_block.hex", &len);
	size_t flags_at = 2 + ec_wire_block_size(1) + 1;
	static const uint8_t bad[] = {0x04, 0x07, 0x80, 0xFF};
	for (size_t i = 0; i < sizeof bad; i++) {
		buf[flags_at] = bad[i];
		assert_int_equal(item_measure_copy(buf, len), EC_WIRE_BAD_FLAGS);
	}
	buf[flags_at] = 0;
	assert_int_equal(item_measure_copy(buf, len), EC_WIRE_OK);
	free(buf);
}

static void
test_reject_cert_count(void **state)
{
	(void)state;
	uint8_t hdr[4] = {EC_WIRE_T_CERT, 1};
	uint16_t n = EC_WIRE_CERT_MAX_VOTES + 1;
	hdr[2] = (uint8_t)n;
	hdr[3] = (uint8_t)(n >> 8);
	assert_int_equal(cert_decode_copy(hdr, sizeof hdr), EC_WIRE_CERT_COUNT);
	hdr[2] = hdr[3] = 0xFF;
	assert_int_equal(cert_decode_copy(hdr, sizeof hdr), EC_WIRE_CERT_COUNT);
	/* the maximum itself is accepted (a full certificate) */
	ec_rng rng;
	rng_fresh(&rng, 7);
	ecp_cert *c = cert_new(EC_WIRE_CERT_MAX_VOTES);
	for (uint32_t i = 0; i < c->n; i++)
		c->v[i] = (ecp_vote){.voter = i % 129, .stamp = ec_rng_u32(&rng),
		                     .role = i / 129 == ECP_MAX_PARTS ? (uint16_t)ECP_ROLE_WITNESS
		                                                      : (uint16_t)(i / 129),
		                     .value = 1};
	assert_int_equal(ec_wire_cert_check(c, 0), EC_WIRE_OK);
	size_t size = ec_wire_cert_size(c->n, false), len;
	uint8_t *buf = malloc(size);
	assert_int_equal(ec_wire_cert_encode(c, buf, size, &len), EC_OK);
	assert_int_equal(cert_decode_copy(buf, len), EC_WIRE_OK);
	free(buf);
	c->n++; /* one more is refused by the encoder (the memory is there) */
	assert_int_equal(ec_wire_cert_check(c, 0), EC_WIRE_CERT_COUNT);
	free(c);
}

static void
test_reject_cert_order(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = read_vector("cert.hex", &len);
	/* vote 1 = vote 0: duplicate (role, voter) */
	memcpy(buf + 4 + 15, buf + 4, 15);
	assert_int_equal(cert_decode_copy(buf, len), EC_WIRE_CERT_ORDER);
	free(buf);
	buf = read_vector("cert.hex", &len);
	/* same voter, other stamp and value: still a duplicate */
	memcpy(buf + 4 + 15, buf + 4, 8);
	assert_int_equal(cert_decode_copy(buf, len), EC_WIRE_CERT_ORDER);
	free(buf);
	buf = read_vector("cert.hex", &len);
	/* voters descending within role 0: swap votes 0 and 1 */
	uint8_t t[15];
	memcpy(t, buf + 4, 15);
	memcpy(buf + 4, buf + 4 + 15, 15);
	memcpy(buf + 4 + 15, t, 15);
	assert_int_equal(cert_decode_copy(buf, len), EC_WIRE_CERT_ORDER);
	free(buf);
	buf = read_vector("cert.hex", &len);
	/* roles descending: vote 2 (role 1) moved before the role-0 votes */
	memcpy(t, buf + 4 + 30, 15);
	memmove(buf + 4 + 15, buf + 4, 30);
	memcpy(buf + 4, t, 15);
	assert_int_equal(cert_decode_copy(buf, len), EC_WIRE_CERT_ORDER);
	free(buf);
}

static void
test_reject_empty_envelope(void **state)
{
	(void)state;
	uint8_t env[12] = {EC_WIRE_T_ENVELOPE, 1, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0};
	assert_int_equal(env_measure_copy(env, sizeof env), EC_WIRE_EMPTY_ENVELOPE);
	ec_wire_env e = {.sender = 1, .n = 0, .items = NULL};
	uint8_t out[64];
	assert_int_equal(ec_wire_env_encode(&e, out, sizeof out, NULL), EC_EINVAL);
	/* count 1 with no item: truncated */
	env[10] = 1;
	assert_int_equal(env_measure_copy(env, sizeof env), EC_WIRE_TRUNCATED);
}

static void
test_reject_envelope_item(void **state)
{
	(void)state;
	/* a bad item anywhere in an envelope rejects the envelope with the
	 * item's reason */
	size_t len;
	uint8_t *env = read_vector("envelope.hex", &len);
	size_t vote_value = 12 + 36;
	env[vote_value] = 0;
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_BAD_VALUE);
	env[vote_value] = 0xFF;
	size_t flags_at = len - 13; /* the BLOCK item is last: flags, role, hops, origin */
	assert_int_equal(env[flags_at], 0x01);
	env[flags_at] = 0x04;
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_BAD_FLAGS);
	env[flags_at] = 0x01;
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_OK);
	/* count says 2: the third item is trailing */
	env[10] = 2;
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_TRAILING);
	/* count says 4: truncated */
	env[10] = 4;
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_TRUNCATED);
	/* found by libFuzzer: a count the bytes could hold (7 x 34) but the
	 * items do not fill, and a bad last item.  The item array is reserved
	 * before the bad item shows; ec_wire_decode_bound must still cover it,
	 * so the decoder reports the item's reason, not EC_WIRE_NOSPACE
	 * (env_measure_copy decodes with exactly the bound) */
	env[10] = 7;
	size_t sig_at = len - 14 - 64; /* the create part's signature */
	env[sig_at] = 1;
	assert_int_equal(env_measure_copy(env, len), EC_WIRE_CREATE_SIGNED);
	free(env);
}

static void
test_nospace(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = transfer_bytes(&len);
	ecp_block *b = block_new(3);
	assert_int_equal(ec_wire_block_decode(buf, len, b, 2), EC_WIRE_NOSPACE);
	assert_int_equal(ec_wire_block_decode(buf, len, b, 3), EC_WIRE_OK);
	free(b);
	free(buf);

	buf = read_vector("item_commit.hex", &len);
	size_t need;
	assert_int_equal(ec_wire_item_measure(buf, len, &need), EC_WIRE_OK);
	assert_int_equal(need, ecp_block_size(3) + sizeof(ecp_cert) + 4 * sizeof(ecp_vote));
	uint64_t *mem = malloc(need + 16);
	ecp_item it;
	assert_int_equal(ec_wire_item_decode(buf, len, &it, mem, need - 1), EC_WIRE_NOSPACE);
	assert_int_equal(ec_wire_item_decode(buf, len, &it, NULL, 0), EC_WIRE_NOSPACE);
	assert_int_equal(ec_wire_item_decode(buf, len, &it, (uint8_t *)mem + 1, need),
	                 EC_WIRE_NOSPACE); /* misaligned */
	assert_int_equal(ec_wire_item_decode(buf, len, &it, mem, need), EC_WIRE_OK);
	free(mem);
	free(buf);

	/* items without a body need no memory */
	buf = read_vector("item_vote.hex", &len);
	assert_int_equal(ec_wire_item_measure(buf, len, &need), EC_WIRE_OK);
	assert_int_equal(need, 0);
	assert_int_equal(ec_wire_item_decode(buf, len, &it, NULL, 0), EC_WIRE_OK);
	free(buf);

	/* encoders: a buffer one byte short */
	ecp_block *g = golden_block_transfer();
	uint8_t out[1024];
	assert_int_equal(ec_wire_block_encode(g, out, ec_wire_block_size(3) - 1, NULL), EC_EFULL);
	ecp_item bi = {.kind = ECP_BLOCK, .block = g, .block_id = g->id};
	assert_int_equal(ec_wire_item_encode(&bi, out, ec_wire_item_size(&bi) - 1, NULL), EC_EFULL);
	ec_wire_env env = {.sender = 1, .n = 1, .items = &bi};
	assert_int_equal(ec_wire_env_encode(&env, out, ec_wire_env_size(&env) - 1, NULL), EC_EFULL);
	assert_int_equal(ec_wire_env_encode(&env, out, ec_wire_env_size(&env), NULL), EC_OK);
	free(g);
}

/* ---- canonical rules: encoder side --------------------------------------------- */

static void
expect_block_refused(const ecp_block *b, ec_wire_reason why)
{
	assert_int_equal(ec_wire_block_check(b), why);
	uint8_t out[2048];
	memset(out, 0x5A, sizeof out);
	assert_int_equal(ec_wire_block_encode(b, out, sizeof out, NULL), EC_EINVAL);
	assert_int_equal(out[0], 0x5A); /* nothing written */
	ecp_item it = {.kind = ECP_BLOCK, .block = b, .block_id = b->id};
	assert_int_equal(ec_wire_item_check(&it), why);
	assert_int_equal(ec_wire_item_encode(&it, out, sizeof out, NULL), EC_EINVAL);
}

static void
test_encoder_refuses_noncanonical_blocks(void **state)
{
	(void)state;
	ecp_block *b = golden_block_transfer();
	b->nparts = 0;
	expect_block_refused(b, EC_WIRE_BAD_NPARTS);
	b->nparts = 3;
	b->parts[0].token = (ec_id){{0, 0, 0, 0}};
	expect_block_refused(b, EC_WIRE_ZERO_TOKEN);
	b->parts[0].token = id_pattern_rep(0x10);
	b->parts[1].token = b->parts[0].token;
	expect_block_refused(b, EC_WIRE_PART_ORDER);
	b->parts[1].token = id_pattern_rep(0x40);
	expect_block_refused(b, EC_WIRE_PART_ORDER);
	b->parts[1].token = id_pattern_rep(0x20);
	b->parts[0].signer[0] = 1;
	expect_block_refused(b, EC_WIRE_CREATE_SIGNED);
	b->parts[0].signer[0] = 0;
	b->parts[0].sig[63] = 1;
	expect_block_refused(b, EC_WIRE_CREATE_SIGNED);
	b->parts[0].sig[63] = 0;
	memset(b->parts[2].signer, 0, 32);
	expect_block_refused(b, EC_WIRE_UNSIGNED);
	memset(b->parts[2].signer, 0x33, 32);
	assert_int_equal(ec_wire_block_check(b), EC_WIRE_OK);
	free(b);

	ecp_block *big = block_new(ECP_MAX_PARTS + 1);
	expect_block_refused(big, EC_WIRE_BAD_NPARTS);
	free(big);
}

static void
test_encoder_refuses_noncanonical_items(void **state)
{
	(void)state;
	ecp_block *b = golden_block_transfer();
	ecp_cert *c = golden_cert();
	uint8_t out[2048];
	struct {
		ecp_item it;
		ec_wire_reason why;
	} cases[] = {
		{{.kind = 0}, EC_WIRE_BAD_TYPE},
		{{.kind = ECP_KIND_MAX + 1}, EC_WIRE_BAD_TYPE},
		{{.kind = ECP_BLOCK}, EC_WIRE_NO_BODY},
		{{.kind = ECP_COMMIT, .block = b, .block_id = b->id}, EC_WIRE_NO_BODY},
		{{.kind = ECP_BLOCK, .block = b, .block_id = {{1, 2, 3, 4}}}, EC_WIRE_ID_MISMATCH},
		{{.kind = ECP_BLOCK, .block = b, .block_id = b->id, .value = 2}, EC_WIRE_BAD_VALUE},
		{{.kind = ECP_BLOCK, .block = b, .block_id = b->id, .flags = 4}, EC_WIRE_BAD_FLAGS},
		{{.kind = ECP_BLOCK, .block = b, .block_id = b->id, .role = 3}, EC_WIRE_BAD_ROLE},
		{{.kind = ECP_VOTE, .value = 0}, EC_WIRE_BAD_VALUE},
		{{.kind = ECP_VOTE, .value = 1, .role = 256}, EC_WIRE_BAD_ROLE},
		{{.kind = ECP_BLOCKED, .role = 0xFFFE}, EC_WIRE_BAD_ROLE},
		{{.kind = ECP_WITHDRAW, .role = 300}, EC_WIRE_BAD_ROLE},
		{{.kind = ECP_WITHDRAWN, .role = 256}, EC_WIRE_BAD_ROLE},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(ec_wire_item_check(&cases[i].it), cases[i].why);
		assert_int_equal(ec_wire_item_encode(&cases[i].it, out, sizeof out, NULL), EC_EINVAL);
		ec_wire_env env = {.sender = 1, .n = 1, .items = &cases[i].it};
		assert_int_equal(ec_wire_env_encode(&env, out, sizeof out, NULL), EC_EINVAL);
	}
	/* COMMIT certificates: roles within the block, values, order */
	ecp_item it = {.kind = ECP_COMMIT, .block = b, .cert = c, .block_id = b->id};
	assert_int_equal(ec_wire_item_check(&it), EC_WIRE_OK);
	c->v[2].role = 3;
	assert_int_equal(ec_wire_item_check(&it), EC_WIRE_BAD_ROLE);
	assert_int_equal(ec_wire_cert_check(c, 0), EC_WIRE_OK); /* fine stand-alone */
	c->v[2].role = 1;
	c->v[2].value = 0;
	assert_int_equal(ec_wire_item_check(&it), EC_WIRE_BAD_VALUE);
	assert_int_equal(ec_wire_cert_encode(c, out, sizeof out, NULL), EC_EINVAL);
	c->v[2].value = -1;
	ecp_vote t = c->v[0];
	c->v[0] = c->v[1];
	c->v[1] = t;
	assert_int_equal(ec_wire_item_check(&it), EC_WIRE_CERT_ORDER);
	assert_int_equal(ec_wire_cert_encode(c, out, sizeof out, NULL), EC_EINVAL);
	ec_wire_cert_sort(c);
	assert_int_equal(ec_wire_item_check(&it), EC_WIRE_OK);
	c->v[1] = c->v[0];
	assert_int_equal(ec_wire_cert_check(c, 3), EC_WIRE_CERT_ORDER);
	free(b);
	free(c);
}

static void
test_reason_strings(void **state)
{
	(void)state;
	for (int i = 0; i < EC_WIRE_REASON_COUNT; i++) {
		const char *s = ec_wire_reason_str((ec_wire_reason)i);
		assert_non_null(s);
		assert_string_not_equal(s, "unknown reason");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(s, ec_wire_reason_str((ec_wire_reason)j));
	}
	assert_string_equal(ec_wire_reason_str(EC_WIRE_REASON_COUNT), "unknown reason");
}

/* Random bytes and single-byte mutations of valid encodings: whatever
 * decodes re-encodes to the same bytes (the fuzz property, in miniature). */
static void
test_mutations_reencode(void **state)
{
	(void)state;
	ec_rng rng;
	rng_fresh(&rng, 8);
	static const char *const names[] = {"envelope.hex", "item_commit.hex", "item_block.hex",
	                                    "item_vote.hex", "item_withdrawn.hex"};
	uint32_t accepted = 0;
	for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
		size_t len;
		uint8_t *orig = read_vector(names[f], &len);
		for (uint32_t iter = 0; iter < 400; iter++) {
			uint8_t *buf = dup_exact(orig, len);
			buf[ec_rng_index(&rng, len)] = (uint8_t)ec_rng_u32(&rng);
			size_t need;
			bool env = f == 0;
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
	assert_true(accepted > 100); /* most single-byte changes are still valid values */
}

int
main(void)
{
	const char *s = getenv("EC_TEST_SEED");
	if (s && *s)
		test_seed = strtoull(s, NULL, 10);
	printf("test_wire_rules: EC_TEST_SEED=%llu\n", (unsigned long long)test_seed);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reject_bad_type_and_version),
		cmocka_unit_test(test_reject_nparts),
		cmocka_unit_test(test_reject_zero_token),
		cmocka_unit_test(test_reject_part_order),
		cmocka_unit_test(test_reject_create_signed),
		cmocka_unit_test(test_reject_unsigned),
		cmocka_unit_test(test_reject_bad_role),
		cmocka_unit_test(test_reject_bad_value),
		cmocka_unit_test(test_reject_bad_flags),
		cmocka_unit_test(test_reject_cert_count),
		cmocka_unit_test(test_reject_cert_order),
		cmocka_unit_test(test_reject_empty_envelope),
		cmocka_unit_test(test_reject_envelope_item),
		cmocka_unit_test(test_nospace),
		cmocka_unit_test(test_encoder_refuses_noncanonical_blocks),
		cmocka_unit_test(test_encoder_refuses_noncanonical_items),
		cmocka_unit_test(test_reason_strings),
		cmocka_unit_test(test_mutations_reencode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
