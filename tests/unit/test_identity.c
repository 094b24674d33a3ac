/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for proof-of-work identities (ec/identity.h).  First the
 * library call itself: libargon2's argon2_ctx against the RFC 9106 §5
 * vectors (with secret and associated data, four lanes), and our address
 * against argon2id_hash_raw.  Then the golden file tests/vectors/identity.txt,
 * whose addresses and mining runs come from the argon2(1) tool, not from
 * this code.  Then the rules: the trailing-zero count, parameter bounds,
 * verification verdicts for tampered identities, deterministic and
 * resumable mining, admission, public keys that are not Ed25519 points, and
 * allocation failure as EC_ENOMEM.
 *
 * The vector file is found next to this source (__FILE__), or in the
 * directory named by EC_VECTORS_DIR.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>
#include <cmocka.h>
#include <sodium.h>

#include "crypto/identity_int.h"
#include "ec/hex.h"
#include "ec/identity.h"

/* RFC 8032 §7.1 test 1 public key. */
static const uint8_t key1[32] = {
	0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
	0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a};

/* Parses exactly 2*n lower-case hex digits; returns 0 on success. */
static int
unhex(uint8_t *out, size_t n, const char *s)
{
	return strlen(s) == 2 * n && ec_hex_decode(s, out, n) ? 0 : -1;
}

/* ---- the library call: RFC 9106 §5 ---------------------------------- */

/* Runs argon2_ctx on the RFC 9106 §5 inputs (password 32 x 01, salt 16 x 02,
 * secret 8 x 03, associated data 12 x 04, 32 KiB, 3 passes, 4 lanes,
 * version 0x13, 32-byte tag). */
static void
rfc9106(argon2_type type, uint32_t threads, const uint8_t want[32])
{
	uint8_t pwd[32], salt[16], secret[8], ad[12], out[32];
	memset(pwd, 0x01, sizeof pwd);
	memset(salt, 0x02, sizeof salt);
	memset(secret, 0x03, sizeof secret);
	memset(ad, 0x04, sizeof ad);
	argon2_context c = {.out = out, .outlen = 32, .pwd = pwd, .pwdlen = 32, .salt = salt,
	                    .saltlen = 16, .secret = secret, .secretlen = 8, .ad = ad, .adlen = 12,
	                    .t_cost = 3, .m_cost = 32, .lanes = 4, .threads = threads,
	                    .version = ARGON2_VERSION_13, .flags = ARGON2_DEFAULT_FLAGS};
	assert_int_equal(argon2_ctx(&c, type), ARGON2_OK);
	assert_memory_equal(out, want, 32);
}

static void
test_rfc9106_argon2id(void **state)
{
	(void)state;
	/* RFC 9106 §5.3, Tag[32]. */
	static const uint8_t tag[32] = {0x0d, 0x64, 0x0d, 0xf5, 0x8d, 0x78, 0x76, 0x6c,
	                                0x08, 0xc0, 0x37, 0xa3, 0x4a, 0x8b, 0x53, 0xc9,
	                                0xd0, 0x1e, 0xf0, 0x45, 0x2d, 0x75, 0xb6, 0x5e,
	                                0xb5, 0x25, 0x20, 0xe9, 0x6b, 0x01, 0xe6, 0x59};
	rfc9106(Argon2_id, 1, tag);
	rfc9106(Argon2_id, 4, tag); /* threads change speed, never the tag */
}

static void
test_rfc9106_argon2d_argon2i(void **state)
{
	(void)state;
	/* RFC 9106 §5.1 and §5.2: the same call with the other types, so a
	 * wrong type constant could not pass the Argon2id test by accident. */
	static const uint8_t d[32] = {0x51, 0x2b, 0x39, 0x1b, 0x6f, 0x11, 0x62, 0x97,
	                              0x53, 0x71, 0xd3, 0x09, 0x19, 0x73, 0x42, 0x94,
	                              0xf8, 0x68, 0xe3, 0xbe, 0x39, 0x84, 0xf3, 0xc1,
	                              0xa1, 0x3a, 0x4d, 0xb9, 0xfa, 0xbe, 0x4a, 0xcb};
	static const uint8_t i[32] = {0xc8, 0x14, 0xd9, 0xd1, 0xdc, 0x7f, 0x37, 0xaa,
	                              0x13, 0xf0, 0xd7, 0x7f, 0x24, 0x94, 0xbd, 0xa1,
	                              0xc8, 0xde, 0x6b, 0x01, 0x6d, 0xd3, 0x88, 0xd2,
	                              0x99, 0x52, 0xa4, 0xc4, 0x67, 0x2b, 0x6c, 0xe8};
	rfc9106(Argon2_d, 1, d);
	rfc9106(Argon2_i, 1, i);
}

/* Our address is plain Argon2id: the same as libargon2's high-level call. */
static void
test_address_is_argon2id(void **state)
{
	(void)state;
	uint8_t salt[32], got[32], want[32];
	for (unsigned k = 0; k < 32; k++)
		salt[k] = (uint8_t)(k * 7 + 1);
	ec_identity_params p = EC_IDENTITY_PARAMS_SIM;
	assert_int_equal(ec_identity_address(&p, key1, salt, got), EC_OK);
	assert_int_equal(argon2id_hash_raw(1, 64, 1, key1, 32, salt, 32, want, 32), ARGON2_OK);
	assert_memory_equal(got, want, 32);
	p.passes = 2;
	assert_int_equal(ec_identity_address(&p, key1, salt, got), EC_OK);
	assert_memory_not_equal(got, want, 32); /* passes matter */
}

/* ---- golden file ------------------------------------------------------ */

typedef struct vec {
	char name[80];
	uint8_t pk[32], salt[32], start[32], address[32];
	ec_identity_params p;
	unsigned tz;
	uint64_t attempts;
	unsigned seen; /* bit mask of fields read */
} vec;

enum { F_PK = 1, F_SALT = 2, F_MEM = 4, F_PASSES = 8, F_BITS = 16, F_ADDR = 32, F_TZ = 64,
       F_START = 128, F_ATTEMPTS = 256, F_NAME = 512 };
#define F_REQUIRED (F_PK | F_SALT | F_MEM | F_PASSES | F_BITS | F_ADDR | F_TZ | F_NAME)

static FILE *
open_vectors(void)
{
	char path[4096];
	const char *dir = getenv("EC_VECTORS_DIR");
	if (dir) {
		snprintf(path, sizeof path, "%s/identity.txt", dir);
	} else {
		/* __FILE__ is .../tests/unit/test_identity.c */
		snprintf(path, sizeof path, "%s", __FILE__);
		char *slash = strrchr(path, '/');
		assert_non_null(slash);
		snprintf(slash, sizeof path - (size_t)(slash - path), "/../vectors/identity.txt");
	}
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s (set EC_VECTORS_DIR)", path);
	return f;
}

static void
check_vector(const vec *v)
{
	uint8_t a[32];
	ec_identity_verdict verdict;
	assert_true((v->seen & F_REQUIRED) == F_REQUIRED);
	assert_null(ec_identity_params_check(&v->p));
	assert_int_equal(ec_identity_address(&v->p, v->pk, v->salt, a), EC_OK);
	if (memcmp(a, v->address, 32) != 0)
		fail_msg("vector %s: address differs", v->name);
	assert_int_equal(ec_identity_trailing_zeros(a), v->tz);
	assert_true(v->tz >= v->p.bits);
	/* valid at its bits, with and without the claimed address */
	assert_int_equal(ec_identity_verify(&v->p, v->pk, v->salt, v->address, &verdict, NULL), EC_OK);
	assert_int_equal(verdict, EC_IDENTITY_OK);
	assert_int_equal(ec_identity_verify(&v->p, v->pk, v->salt, NULL, &verdict, NULL), EC_OK);
	assert_int_equal(verdict, EC_IDENTITY_OK);
	/* refused one bit above what it has */
	ec_identity_params harder = v->p;
	harder.bits = v->tz + 1;
	assert_int_equal(ec_identity_verify(&harder, v->pk, v->salt, v->address, &verdict, NULL),
	                 EC_OK);
	assert_int_equal(verdict, EC_IDENTITY_BAD_POW);
	assert_int_equal(ec_identity_verify(&harder, v->pk, v->salt, NULL, &verdict, NULL), EC_OK);
	assert_int_equal(verdict, EC_IDENTITY_BAD_POW);
	if (v->seen & F_START) {
		assert_true(v->seen & F_ATTEMPTS);
		uint8_t salt[32], addr[32];
		bool found;
		uint64_t n;
		memcpy(salt, v->start, 32);
		assert_int_equal(ec_identity_mine(&v->p, v->pk, 1000000, salt, addr, &found, &n), EC_OK);
		assert_true(found);
		assert_int_equal(n, v->attempts);
		assert_memory_equal(salt, v->salt, 32);
		assert_memory_equal(addr, v->address, 32);
	}
}

static void
test_golden_vectors(void **state)
{
	(void)state;
	FILE *f = open_vectors();
	char line[512];
	vec v = {0};
	int nvec = 0, nmined = 0;
	for (;;) {
		char *got = fgets(line, sizeof line, f);
		line[strcspn(line, "\r\n")] = 0;
		if (!got || line[0] == 0) {
			if (v.seen) {
				check_vector(&v);
				nvec++;
				nmined += (v.seen & F_START) != 0;
			}
			memset(&v, 0, sizeof v);
			v.p.lanes = 1;
			if (!got)
				break;
			continue;
		}
		if (line[0] == '#')
			continue;
		char *eq = strstr(line, " = ");
		if (!eq)
			fail_msg("malformed vector line: %s", line);
		*eq = 0;
		const char *key = line, *val = eq + 3;
		char *end;
		if (strcmp(key, "name") == 0) {
			snprintf(v.name, sizeof v.name, "%s", val);
			v.seen |= F_NAME;
		} else if (strcmp(key, "public_key") == 0) {
			assert_int_equal(unhex(v.pk, 32, val), 0);
			v.seen |= F_PK;
		} else if (strcmp(key, "salt") == 0) {
			assert_int_equal(unhex(v.salt, 32, val), 0);
			v.seen |= F_SALT;
		} else if (strcmp(key, "start_salt") == 0) {
			assert_int_equal(unhex(v.start, 32, val), 0);
			v.seen |= F_START;
		} else if (strcmp(key, "address") == 0) {
			assert_int_equal(unhex(v.address, 32, val), 0);
			v.seen |= F_ADDR;
		} else if (strcmp(key, "memory_kib") == 0) {
			v.p.memory_kib = (uint32_t)strtoul(val, &end, 10);
			v.seen |= F_MEM;
		} else if (strcmp(key, "passes") == 0) {
			v.p.passes = (uint32_t)strtoul(val, &end, 10);
			v.seen |= F_PASSES;
		} else if (strcmp(key, "bits") == 0) {
			v.p.bits = (uint32_t)strtoul(val, &end, 10);
			v.seen |= F_BITS;
		} else if (strcmp(key, "trailing_zero_bits") == 0) {
			v.tz = (unsigned)strtoul(val, &end, 10);
			v.seen |= F_TZ;
		} else if (strcmp(key, "attempts") == 0) {
			v.attempts = strtoull(val, &end, 10);
			v.seen |= F_ATTEMPTS;
		} else {
			fail_msg("unknown vector key: %s", key);
		}
	}
	fclose(f);
	/* the file has 5 vectors, 2 of them mined: a truncated file fails */
	assert_int_equal(nvec, 5);
	assert_int_equal(nmined, 2);
}

/* ---- rules ------------------------------------------------------------ */

static void
test_trailing_zeros(void **state)
{
	(void)state;
	uint8_t a[32] = {0};
	assert_int_equal(ec_identity_trailing_zeros(a), 256);
	a[0] = 0x80; /* the most significant bit only */
	assert_int_equal(ec_identity_trailing_zeros(a), 255);
	a[0] = 0x01;
	assert_int_equal(ec_identity_trailing_zeros(a), 248);
	a[31] = 0x01; /* bit 0 of the last byte is the least significant */
	assert_int_equal(ec_identity_trailing_zeros(a), 0);
	a[31] = 0x80;
	assert_int_equal(ec_identity_trailing_zeros(a), 7);
	a[31] = 0x00;
	a[30] = 0x02;
	assert_int_equal(ec_identity_trailing_zeros(a), 9);
	a[30] = 0x00;
	a[29] = 0x10;
	assert_int_equal(ec_identity_trailing_zeros(a), 20);
	/* the same number as counting on the 256-bit id */
	memset(a, 0xff, sizeof a);
	a[31] = 0;
	a[30] = 0xf0;
	ec_id id = ec_id_from_bytes(a);
	assert_int_equal(ec_identity_trailing_zeros(a), (unsigned)__builtin_ctzll(id.w[3]));
}

static void
test_params(void **state)
{
	(void)state;
	ec_identity_params prod = EC_IDENTITY_PARAMS_PRODUCTION, sim = EC_IDENTITY_PARAMS_SIM;
	assert_int_equal(prod.memory_kib, 4096);
	assert_int_equal(prod.passes, 1);
	assert_int_equal(prod.lanes, 1);
	assert_int_equal(prod.bits, 24);
	assert_int_equal(sim.memory_kib, 64);
	assert_int_equal(sim.passes, 1);
	assert_int_equal(sim.lanes, 1);
	assert_int_equal(sim.bits, 8);
	assert_null(ec_identity_params_check(&prod));
	assert_null(ec_identity_params_check(&sim));
	ec_identity_params p = sim;
	p.memory_kib = 8;
	assert_null(ec_identity_params_check(&p));
	p.memory_kib = 7;
	assert_non_null(ec_identity_params_check(&p));
	p.memory_kib = EC_IDENTITY_MAX_MEMORY_KIB + 1;
	assert_non_null(ec_identity_params_check(&p));
	p = sim;
	p.passes = 0;
	assert_non_null(ec_identity_params_check(&p));
	p.passes = EC_IDENTITY_MAX_PASSES + 1;
	assert_non_null(ec_identity_params_check(&p));
	p = sim;
	p.lanes = 2;
	assert_non_null(ec_identity_params_check(&p));
	p.lanes = 0;
	assert_non_null(ec_identity_params_check(&p));
	p = sim;
	p.bits = 256;
	assert_null(ec_identity_params_check(&p));
	p.bits = 257;
	assert_non_null(ec_identity_params_check(&p));
}

static void
test_salt_next(void **state)
{
	(void)state;
	uint8_t s[32] = {0}, want[32] = {0};
	ec_identity_salt_next(s);
	want[31] = 1;
	assert_memory_equal(s, want, 32);
	s[31] = 0xff;
	s[30] = 0xff;
	s[29] = 0x41;
	ec_identity_salt_next(s);
	memset(want, 0, sizeof want);
	want[29] = 0x42;
	assert_memory_equal(s, want, 32);
	memset(s, 0xff, sizeof s);
	ec_identity_salt_next(s); /* wraps */
	memset(want, 0, sizeof want);
	assert_memory_equal(s, want, 32);
}

/* A mined identity at the simulation parameters, shared by the tests
 * below (mined once per test: the work is about 256 x 64 KiB). */
typedef struct mined {
	ec_identity_params p;
	uint8_t salt[32], address[32];
	uint64_t attempts;
} mined;

static void
mine_one(mined *m)
{
	bool found;
	m->p = EC_IDENTITY_PARAMS_SIM;
	memset(m->salt, 0, sizeof m->salt);
	assert_int_equal(ec_identity_mine(&m->p, key1, 100000, m->salt, m->address, &found,
	                                  &m->attempts),
	                 EC_OK);
	assert_true(found);
	assert_true(m->attempts >= 1);
	assert_true(ec_identity_trailing_zeros(m->address) >= m->p.bits);
}

static void
expect(const ec_identity_params *p, const uint8_t *pk, const uint8_t *salt, const uint8_t *claimed,
       ec_identity_verdict want)
{
	ec_identity_verdict v = EC_IDENTITY_VERDICT_COUNT;
	assert_int_equal(ec_identity_verify(p, pk, salt, claimed, &v, NULL), EC_OK);
	if (v != want)
		fail_msg("verdict %s, want %s", ec_identity_verdict_str(v), ec_identity_verdict_str(want));
}

static void
test_verify_accepts_mined(void **state)
{
	(void)state;
	mined m;
	mine_one(&m);
	uint8_t out[32];
	ec_identity_verdict v;
	assert_int_equal(ec_identity_verify(&m.p, key1, m.salt, m.address, &v, out), EC_OK);
	assert_int_equal(v, EC_IDENTITY_OK);
	assert_memory_equal(out, m.address, 32);
	expect(&m.p, key1, m.salt, NULL, EC_IDENTITY_OK);
	/* a node that asks for less work accepts it too */
	ec_identity_params easy = m.p;
	easy.bits = 0;
	expect(&easy, key1, m.salt, m.address, EC_IDENTITY_OK);
}

static void
test_verify_rejects_tampering(void **state)
{
	(void)state;
	mined m;
	mine_one(&m);
	uint8_t salt[32], pk[32], addr[32];
	for (unsigned bit = 0; bit < 256; bit += 85) {
		/* a flipped salt bit: the claim no longer matches */
		memcpy(salt, m.salt, 32);
		salt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		expect(&m.p, key1, salt, m.address, EC_IDENTITY_BAD_ADDRESS);
		/* a flipped key bit: the same if the bytes are still a valid key,
		 * else the key itself is refused */
		memcpy(pk, key1, 32);
		pk[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		expect(&m.p, pk, m.salt, m.address,
		       crypto_core_ed25519_is_valid_point(pk) ? EC_IDENTITY_BAD_ADDRESS
		                                              : EC_IDENTITY_BAD_KEY);
	}
	/* without a claim, a flipped salt bit leaves an address that (for
	 * these inputs) has too few zero bits */
	memcpy(salt, m.salt, 32);
	salt[0] ^= 1;
	expect(&m.p, key1, salt, NULL, EC_IDENTITY_BAD_POW);
	/* a wrong claimed address that still shows enough zero bits */
	memcpy(addr, m.address, 32);
	addr[0] ^= 0x80;
	expect(&m.p, key1, m.salt, addr, EC_IDENTITY_BAD_ADDRESS);
	/* a claimed address without the zero bits is refused before Argon2 */
	memcpy(addr, m.address, 32);
	addr[31] |= 1;
	expect(&m.p, key1, m.salt, addr, EC_IDENTITY_BAD_POW);
	/* too few bits for a stricter node */
	ec_identity_params hard = m.p;
	hard.bits = ec_identity_trailing_zeros(m.address) + 1;
	expect(&hard, key1, m.salt, m.address, EC_IDENTITY_BAD_POW);
	expect(&hard, key1, m.salt, NULL, EC_IDENTITY_BAD_POW);
	/* other cost parameters give another address */
	ec_identity_params other = m.p;
	other.memory_kib = 128;
	expect(&other, key1, m.salt, m.address, EC_IDENTITY_BAD_ADDRESS);
	other = m.p;
	other.passes = 2;
	expect(&other, key1, m.salt, m.address, EC_IDENTITY_BAD_ADDRESS);
	/* our own bad parameters are a verdict, not an error */
	other = m.p;
	other.bits = 300;
	expect(&other, key1, m.salt, m.address, EC_IDENTITY_BAD_PARAMS);
	other = m.p;
	other.memory_kib = 4;
	expect(&other, key1, m.salt, NULL, EC_IDENTITY_BAD_PARAMS);
	other = m.p;
	other.lanes = 4;
	expect(&other, key1, m.salt, NULL, EC_IDENTITY_BAD_PARAMS);
}

/* Public keys that are no Ed25519 key: Argon2id would hash them like any
 * bytes, but no signature verifies under them, so the identity is refused
 * whatever its address. */
static void
test_verify_rejects_bad_keys(void **state)
{
	(void)state;
	uint8_t bad[4][32] = {{0}};
	/* y = 0: a point of order 4 */
	/* y = 1: the neutral element */
	bad[1][0] = 1;
	/* y = 2^255 - 1, above the field prime: not a canonical encoding */
	memset(bad[2], 0xff, 32);
	bad[2][31] = 0x7f;
	/* key1 plus the point of order 4: on the curve, outside the prime-order
	 * subgroup */
	assert_int_equal(crypto_core_ed25519_add(bad[3], key1, bad[0]), 0);
	assert_int_equal(crypto_core_ed25519_is_valid_point(key1), 1);
	ec_identity_params easy = EC_IDENTITY_PARAMS_SIM;
	easy.bits = 0;
	uint8_t salt[32] = {0}, addr[32];
	for (int k = 0; k < 4; k++) {
		assert_int_equal(crypto_core_ed25519_is_valid_point(bad[k]), 0);
		/* the address the bytes hash to, claimed: refused for the key */
		assert_int_equal(ec_identity_address(&easy, bad[k], salt, addr), EC_OK);
		expect(&easy, bad[k], salt, addr, EC_IDENTITY_BAD_KEY);
		expect(&easy, bad[k], salt, NULL, EC_IDENTITY_BAD_KEY);
		ec_identity_claim c;
		memcpy(c.public_key, bad[k], 32);
		memcpy(c.salt, salt, 32);
		memcpy(c.address, addr, 32);
		bool admit = true;
		ec_identity_verdict why = EC_IDENTITY_OK;
		assert_int_equal(ec_identity_admit(&easy, &c, &admit, NULL, &why), EC_OK);
		assert_false(admit);
		assert_int_equal(why, EC_IDENTITY_BAD_KEY);
	}
	/* the claim's zero bits are still checked first (the cheapest test) */
	ec_identity_params hard = easy;
	hard.bits = 255;
	memset(addr, 0xff, sizeof addr);
	expect(&hard, bad[0], salt, addr, EC_IDENTITY_BAD_POW);
}

static void
test_mine_deterministic_and_resumable(void **state)
{
	(void)state;
	mined a, b;
	mine_one(&a);
	mine_one(&b);
	assert_memory_equal(a.salt, b.salt, 32);
	assert_memory_equal(a.address, b.address, 32);
	assert_int_equal(a.attempts, b.attempts);
	/* the winning salt is the start plus attempts - 1 */
	uint8_t s[32] = {0};
	for (uint64_t i = 1; i < a.attempts; i++)
		ec_identity_salt_next(s);
	assert_memory_equal(s, a.salt, 32);
	/* one attempt per call, resuming each time, finds the same salt */
	memset(s, 0, sizeof s);
	uint8_t addr[32];
	bool found = false;
	uint64_t total = 0, n;
	while (!found) {
		assert_int_equal(ec_identity_mine(&a.p, key1, 1, s, addr, &found, &n), EC_OK);
		assert_int_equal(n, 1);
		total++;
		assert_true(total <= a.attempts);
	}
	assert_int_equal(total, a.attempts);
	assert_memory_equal(s, a.salt, 32);
	assert_memory_equal(addr, a.address, 32);
	/* another start gives another identity */
	memset(s, 0, sizeof s);
	s[0] = 1;
	assert_int_equal(ec_identity_mine(&a.p, key1, 100000, s, addr, &found, &n), EC_OK);
	assert_true(found);
	assert_memory_not_equal(addr, a.address, 32);
}

static void
test_mine_bounds(void **state)
{
	(void)state;
	ec_identity_params p = EC_IDENTITY_PARAMS_SIM;
	uint8_t s[32] = {0}, want[32] = {0}, addr[32];
	bool found = true;
	uint64_t n = 99;
	/* bound reached: not found, the salt is the next one to try */
	p.bits = 256;
	assert_int_equal(ec_identity_mine(&p, key1, 3, s, addr, &found, &n), EC_OK);
	assert_false(found);
	assert_int_equal(n, 3);
	want[31] = 3;
	assert_memory_equal(s, want, 32);
	/* zero attempts allowed: nothing done */
	assert_int_equal(ec_identity_mine(&p, key1, 0, s, addr, &found, &n), EC_OK);
	assert_false(found);
	assert_int_equal(n, 0);
	assert_memory_equal(s, want, 32);
	/* no difficulty: the first salt wins */
	p.bits = 0;
	assert_int_equal(ec_identity_mine(&p, key1, 5, s, addr, &found, &n), EC_OK);
	assert_true(found);
	assert_int_equal(n, 1);
	assert_memory_equal(s, want, 32);
	/* bad parameters are the caller's error */
	p.passes = 0;
	assert_int_equal(ec_identity_mine(&p, key1, 5, s, addr, &found, &n), EC_EINVAL);
}

static void
test_admit(void **state)
{
	(void)state;
	mined m;
	mine_one(&m);
	ec_identity_claim c;
	memcpy(c.public_key, key1, 32);
	memcpy(c.salt, m.salt, 32);
	memcpy(c.address, m.address, 32);
	bool admit = false;
	ec_id id;
	ec_identity_verdict why = EC_IDENTITY_VERDICT_COUNT;
	assert_int_equal(ec_identity_admit(&m.p, &c, &admit, &id, &why), EC_OK);
	assert_true(admit);
	assert_int_equal(why, EC_IDENTITY_OK);
	ec_id want = ec_id_from_bytes(m.address);
	assert_true(ec_id_eq(&id, &want));
	/* the ring position is the first 8 address bytes, big-endian */
	uint64_t pos = 0;
	for (int k = 0; k < 8; k++)
		pos = pos << 8 | m.address[k];
	assert_int_equal(ec_id_pos(&id), pos);
	/* NULL id and why are allowed */
	assert_int_equal(ec_identity_admit(&m.p, &c, &admit, NULL, NULL), EC_OK);
	assert_true(admit);
	/* refused: tampered salt, then wrong parameters */
	c.salt[5] ^= 0x10;
	assert_int_equal(ec_identity_admit(&m.p, &c, &admit, &id, &why), EC_OK);
	assert_false(admit);
	assert_int_equal(why, EC_IDENTITY_BAD_ADDRESS);
	assert_true(ec_id_is_zero(&id));
	c.salt[5] ^= 0x10;
	ec_identity_params hard = m.p;
	hard.bits = 200;
	assert_int_equal(ec_identity_admit(&hard, &c, &admit, &id, &why), EC_OK);
	assert_false(admit);
	assert_int_equal(why, EC_IDENTITY_BAD_POW);
	/* the admission keeps nothing: the same claim is admitted again */
	assert_int_equal(ec_identity_admit(&m.p, &c, &admit, &id, &why), EC_OK);
	assert_true(admit);
}

/* ---- errors ------------------------------------------------------------ */

static int
failing_alloc(uint8_t **memory, size_t bytes)
{
	(void)bytes;
	*memory = NULL;
	return 0;
}

/* libargon2's free hook has no user pointer, so the count lives here. */
static size_t freed_bytes;

static void
counting_free(uint8_t *memory, size_t bytes)
{
	freed_bytes += bytes;
	free(memory);
}

static int
plain_alloc(uint8_t **memory, size_t bytes)
{
	*memory = malloc(bytes);
	return 0;
}

static void
test_enomem(void **state)
{
	(void)state;
	ec_identity_params p = EC_IDENTITY_PARAMS_SIM;
	uint8_t salt[32] = {0}, a[32], b[32];
	freed_bytes = 0;
	assert_int_equal(ec__identity_address_with(&p, key1, salt, failing_alloc, counting_free, a),
	                 EC_ENOMEM);
	assert_int_equal(freed_bytes, 0);
	/* the hooks are really used: 64 KiB allocated and freed, same output */
	assert_int_equal(ec__identity_address_with(&p, key1, salt, plain_alloc, counting_free, a),
	                 EC_OK);
	assert_int_equal(freed_bytes, 64 * 1024);
	assert_int_equal(ec_identity_address(&p, key1, salt, b), EC_OK);
	assert_memory_equal(a, b, 32);
}

static void
test_einval(void **state)
{
	(void)state;
	ec_identity_params p = EC_IDENTITY_PARAMS_SIM, bad = p;
	bad.memory_kib = 0;
	uint8_t salt[32] = {0}, a[32];
	bool found, admit = true;
	uint64_t n;
	ec_identity_verdict v;
	ec_identity_claim c = {{0}, {0}, {0}};
	ec_id id = ec_id_expand(7);
	assert_int_equal(ec_identity_address(&bad, key1, salt, a), EC_EINVAL);
	assert_int_equal(ec_identity_address(&p, NULL, salt, a), EC_EINVAL);
	assert_int_equal(ec_identity_address(&p, key1, NULL, a), EC_EINVAL);
	assert_int_equal(ec_identity_address(NULL, key1, salt, a), EC_EINVAL);
	assert_int_equal(ec_identity_verify(&p, key1, salt, NULL, NULL, NULL), EC_EINVAL);
	assert_int_equal(ec_identity_verify(&p, NULL, salt, NULL, &v, NULL), EC_EINVAL);
	assert_int_equal(ec_identity_mine(&bad, key1, 1, salt, a, &found, &n), EC_EINVAL);
	assert_int_equal(ec_identity_mine(&p, key1, 1, salt, a, NULL, &n), EC_EINVAL);
	assert_int_equal(ec_identity_admit(&p, NULL, &admit, &id, &v), EC_EINVAL);
	assert_false(admit);
	assert_true(ec_id_is_zero(&id));
	assert_int_equal(ec_identity_admit(&p, &c, NULL, NULL, NULL), EC_EINVAL);
}

static void
test_verdict_str(void **state)
{
	(void)state;
	assert_string_equal(ec_identity_verdict_str(EC_IDENTITY_OK), "ok");
	assert_string_equal(ec_identity_verdict_str(EC_IDENTITY_BAD_POW), "bad-pow");
	assert_string_equal(ec_identity_verdict_str(EC_IDENTITY_BAD_ADDRESS), "bad-address");
	assert_string_equal(ec_identity_verdict_str(EC_IDENTITY_BAD_PARAMS), "bad-params");
	assert_string_equal(ec_identity_verdict_str(EC_IDENTITY_BAD_KEY), "bad-key");
	assert_string_equal(ec_identity_verdict_str(EC_IDENTITY_VERDICT_COUNT), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc9106_argon2id),
		cmocka_unit_test(test_rfc9106_argon2d_argon2i),
		cmocka_unit_test(test_address_is_argon2id),
		cmocka_unit_test(test_golden_vectors),
		cmocka_unit_test(test_trailing_zeros),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_salt_next),
		cmocka_unit_test(test_verify_accepts_mined),
		cmocka_unit_test(test_verify_rejects_tampering),
		cmocka_unit_test(test_verify_rejects_bad_keys),
		cmocka_unit_test(test_mine_deterministic_and_resumable),
		cmocka_unit_test(test_mine_bounds),
		cmocka_unit_test(test_admit),
		cmocka_unit_test(test_enomem),
		cmocka_unit_test(test_einval),
		cmocka_unit_test(test_verdict_str),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
