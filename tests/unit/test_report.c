/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the result formats (ecsim/report.h): seed hex formatting and
 * parsing, the derived figures, the reference simulator's four output lines
 * (seed-protocol.md §6.1), including the "Commits: NONE" form, and the
 * protocol figures a run leaves out while they are 0 (ec_msg_stat
 * .omit_zero).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec/protocol.h"
#include "ecsim/report.h"
#include "ecsim/sim.h"

static const uint8_t published[EC_RNG_SEED_BYTES] = {
	184, 96,  199, 42,  250, 200, 180, 30,  170, 143, 225, 146, 186, 227, 135, 167,
	78,  76,  49,  212, 146, 192, 201, 198, 194, 87,  55,  228, 251, 191, 13,  95};
static const char published_hex[] =
	"b860c72afac8b41eaa8fe192bae387a74e4c31d492c0c9c6c25737e4fbbf0d5f";

static void
test_seed_hex(void **state)
{
	(void)state;
	char hex[65];
	memset(hex, 'x', sizeof hex);
	ec_seed_hex(published, hex);
	assert_string_equal(hex, published_hex);

	uint8_t zero[EC_RNG_SEED_BYTES] = {0}, ff[EC_RNG_SEED_BYTES];
	memset(ff, 0xFF, sizeof ff);
	ec_seed_hex(zero, hex);
	assert_string_equal(hex, "0000000000000000000000000000000000000000000000000000000000000000");
	ec_seed_hex(ff, hex);
	assert_string_equal(hex, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
}

static void
test_seed_parse_round_trip(void **state)
{
	(void)state;
	uint8_t seed[EC_RNG_SEED_BYTES];
	assert_int_equal(ec_seed_parse_hex(published_hex, seed), EC_OK);
	assert_memory_equal(seed, published, EC_RNG_SEED_BYTES);

	/* upper case is accepted */
	char upper[65];
	for (int i = 0; i < 65; i++)
		upper[i] = (char)(published_hex[i] >= 'a' && published_hex[i] <= 'f'
		                      ? published_hex[i] - 'a' + 'A'
		                      : published_hex[i]);
	memset(seed, 0, sizeof seed);
	assert_int_equal(ec_seed_parse_hex(upper, seed), EC_OK);
	assert_memory_equal(seed, published, EC_RNG_SEED_BYTES);

	/* every byte value survives hex -> bytes -> hex */
	uint8_t all[EC_RNG_SEED_BYTES], back[EC_RNG_SEED_BYTES];
	char hex[65];
	for (int round = 0; round < 8; round++) {
		for (int i = 0; i < EC_RNG_SEED_BYTES; i++)
			all[i] = (uint8_t)(round * EC_RNG_SEED_BYTES + i);
		ec_seed_hex(all, hex);
		assert_int_equal(ec_seed_parse_hex(hex, back), EC_OK);
		assert_memory_equal(all, back, EC_RNG_SEED_BYTES);
	}
}

static void
test_seed_parse_rejects(void **state)
{
	(void)state;
	uint8_t seed[EC_RNG_SEED_BYTES];
	char buf[80];

	memcpy(buf, published_hex, 63);
	buf[63] = 0; /* 63 digits */
	assert_int_equal(ec_seed_parse_hex(buf, seed), EC_EPARSE);

	memcpy(buf, published_hex, 64);
	buf[64] = '0';
	buf[65] = 0; /* 65 digits */
	assert_int_equal(ec_seed_parse_hex(buf, seed), EC_EPARSE);

	assert_int_equal(ec_seed_parse_hex("", seed), EC_EPARSE);
	assert_int_equal(ec_seed_parse_hex("b8", seed), EC_EPARSE);

	static const char bad_chars[] = {'g', 'G', 'x', ' ', '-', '+', ':', '/', '@', '`', '\n'};
	static const int positions[] = {0, 1, 31, 62, 63};
	for (size_t c = 0; c < sizeof bad_chars; c++) {
		for (size_t p = 0; p < sizeof positions / sizeof positions[0]; p++) {
			memcpy(buf, published_hex, 65);
			buf[positions[p]] = bad_chars[c];
			assert_int_equal(ec_seed_parse_hex(buf, seed), EC_EPARSE);
		}
	}
	/* "0x" prefix with 62 digits is still 64 characters, and not hex */
	memcpy(buf, "0x", 2);
	memcpy(buf + 2, published_hex, 62);
	buf[64] = 0;
	assert_int_equal(ec_seed_parse_hex(buf, seed), EC_EPARSE);
}

/* Prints the reference lines into a string (caller frees). */
static char *
reference_text(const uint8_t seed[EC_RNG_SEED_BYTES], const ec_sim_result *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(ec_report_reference(f, seed, r), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	return text;
}

static ec_sim_result
published_result(void)
{
	ec_sim_result r;
	memset(&r, 0, sizeof r);
	r.rounds = 2000;
	r.rounds_run = 2000;
	r.messages = 331089;
	r.committed = 63;
	r.peers_max = 890;
	r.peers_min = 728;
	r.peers_avg = 801.7;
	r.by_type[EC_MSG_QUERY_BLOCK] = 6417;
	r.by_type[EC_MSG_VOTE] = 318356;
	r.by_type[EC_MSG_BLOCK] = 6307;
	r.by_type[EC_MSG_ANSWER] = 0;
	r.by_type[EC_MSG_REFERRAL] = 9;
	return r;
}

static void
test_reference_published(void **state)
{
	(void)state;
	ec_sim_result r = published_result();
	char *text = reference_text(published, &r);
	assert_string_equal(
		text,
		"Seed used: [184, 96, 199, 42, 250, 200, 180, 30, 170, 143, 225, 146, 186, 227, 135, "
		"167, 78, 76, 49, 212, 146, 192, 201, 198, 194, 87, 55, 228, 251, 191, 13, 95]\n"
		"Peers: max: 890 min: 728 avg: 801.7\n"
		"Messages: 331089. Commits: 63, avg: 31.7 rounds/commit, 5255 messages/commit\n"
		"Message distribution: Query: 6417, Vote: 318356, Block: 6307, Answer: 0\n");
	free(text);
}

static void
test_reference_other_values(void **state)
{
	(void)state;
	/* QueryToken counts as Query; rounding of .1 and .0 */
	ec_sim_result r;
	memset(&r, 0, sizeof r);
	r.rounds = 1000;
	r.messages = 12345;
	r.committed = 7;    /* 142.857 rounds/commit, 1763.57 messages/commit */
	r.peers_max = 12;
	r.peers_min = 3;
	r.peers_avg = 7.26;
	r.by_type[EC_MSG_QUERY_BLOCK] = 10;
	r.by_type[EC_MSG_QUERY_TOKEN] = 5;
	r.by_type[EC_MSG_VOTE] = 1;
	r.by_type[EC_MSG_BLOCK] = 2;
	r.by_type[EC_MSG_ANSWER] = 3;
	uint8_t seed[EC_RNG_SEED_BYTES];
	ec_rng_seed_from_u64(258, seed);
	char *text = reference_text(seed, &r);
	assert_string_equal(text,
	                    "Seed used: [2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "
	                    "0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]\n"
	                    "Peers: max: 12 min: 3 avg: 7.3\n"
	                    "Messages: 12345. Commits: 7, avg: 142.9 rounds/commit, 1764 "
	                    "messages/commit\n"
	                    "Message distribution: Query: 15, Vote: 1, Block: 2, Answer: 3\n");
	free(text);
}

static void
test_reference_no_commits(void **state)
{
	(void)state;
	ec_sim_result r = published_result();
	r.committed = 0;
	r.messages = 4092;
	char *text = reference_text(published, &r);
	assert_string_equal(
		text,
		"Seed used: [184, 96, 199, 42, 250, 200, 180, 30, 170, 143, 225, 146, 186, 227, 135, "
		"167, 78, 76, 49, 212, 146, 192, 201, 198, 194, 87, 55, 228, 251, 191, 13, 95]\n"
		"Peers: max: 890 min: 728 avg: 801.7\n"
		"Messages: 4092. Commits: NONE\n"
		"Message distribution: Query: 6417, Vote: 318356, Block: 6307, Answer: 0\n");
	free(text);
}

static void
test_figures(void **state)
{
	(void)state;
	ec_sim_result r = published_result();
	r.by_type[EC_MSG_QUERY_TOKEN] = 4;
	ec_figures f;
	ec_figures_of(&r, 0, &f);
	assert_true(f.has_commits);
	assert_int_equal(f.query, 6421);
	assert_int_equal(f.referral, 9);
	assert_true(f.rounds_per_commit == 2000.0 / 63.0);
	assert_true(f.messages_per_commit == 331089.0 / 63.0);

	r.committed = 0;
	ec_figures_of(&r, 0, &f);
	assert_false(f.has_commits);
	assert_true(f.rounds_per_commit == 0.0);
	assert_true(f.messages_per_commit == 0.0);
}

/* A protocol with two counters: a figure always printed and one left out
 * while 0, both with a text label. */
static const ec_msg_stat omit_stats[] = {
	{"toy_sent", "Sent", 0, -1, false},
	{"toy_peer", "Peer", 1, -1, true},
};
static const ec_msg_ops omit_msg = {.stats = omit_stats, .nstats = 2};
static const ec_protocol omit_proto = {.name = "toy", .msg = &omit_msg};

static char *
json_text(const ec_sim_result *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	ec_run_meta meta = {.nodes = 10, .threads = 1};
	assert_int_equal(ec_report_json(f, published, &meta, r), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void
test_omit_zero(void **state)
{
	(void)state;
	ec_sim_result r = published_result();
	r.protocol = &omit_proto;
	r.msg_counters[0] = 12;
	char *text = reference_text(published, &r);
	assert_non_null(strstr(text, "Message distribution: Sent: 12\n"));
	free(text);
	r.msg_counters[1] = 3;
	text = reference_text(published, &r);
	assert_non_null(strstr(text, "Message distribution: Sent: 12, Peer: 3\n"));
	free(text);

	/* JSON: the ec protocol's lifecycle figure, from the registered table */
	const ec_protocol *ec = ec_protocol_find("ec");
	assert_non_null(ec);
	const ec_msg_stat *peer = NULL;
	for (size_t i = 0; i < ec->msg->nstats; i++)
		if (strcmp(ec->msg->stats[i].key, "ec_peer") == 0)
			peer = &ec->msg->stats[i];
	assert_non_null(peer);
	assert_true(peer->omit_zero);
	r = published_result();
	r.protocol = ec;
	char *json = json_text(&r);
	assert_null(strstr(json, "\"ec_peer\""));
	assert_non_null(strstr(json, "\"ec_commit\":0,")); /* the others stay */
	free(json);
	r.msg_counters[peer->num] = 7;
	json = json_text(&r);
	assert_non_null(strstr(json, "\"ec_peer\":7,"));
	free(json);
	text = reference_text(published, &r);
	assert_non_null(strstr(text, ", Peer: 7\n"));
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_hex),
		cmocka_unit_test(test_seed_parse_round_trip),
		cmocka_unit_test(test_seed_parse_rejects),
		cmocka_unit_test(test_reference_published),
		cmocka_unit_test(test_reference_other_values),
		cmocka_unit_test(test_reference_no_commits),
		cmocka_unit_test(test_figures),
		cmocka_unit_test(test_omit_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
