/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the store verifier (ecn_lmstore_check, behind `ecnode
 * --check`): a clean store of real Ed25519-signed blocks passes, with its
 * complete and partial chains counted; each planted problem (a value that
 * does not decode, a block under the wrong key, a token mapped to a
 * missing block or to one without its part or time, a bad signature, a
 * wrong key, a parent without the token, a vote record that does not
 * match its block, keys of the wrong size, an unknown or missing schema,
 * no store at all) is reported once, naming its key, and never crashes.
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

#include "ec/ecp.h"
#include "ec/sig.h"
#include "ec/wire.h"
#include "lmstore/lmstore.h"
#include "lmtest.h"
#include "proto/ec/wallet.h"

static const ec_id zero_id = {{0, 0, 0, 0}};

/* A clean store: b0 creates tokens 100, 200, 300 (keys 1, 2, 3); b1 moves
 * 100 and 200 on (keys 11, 12); b2 moves 100 again (key 21); b3 moves 400
 * from p4, a create that is not stored (a node that caught up). */
typedef struct fix {
	char dir[LMT_DIR_MAX];
	ecp_block *b0, *b1, *b2, *b3, *p4;
} fix;

static ecp_block *
seal(uint64_t time, uint32_t n, const uint64_t *tokens, const ec_id *parents,
     const uint64_t *prev, const uint64_t *keys, ec_seal_kind kind)
{
	ec_token_part parts[4];
	for (uint32_t i = 0; i < n; i++)
		parts[i] = (ec_token_part){tokens[i], 0, keys[i]};
	ecp_block *b = NULL;
	assert_int_equal(ecp_wallet_seal(&ec_sig_ed25519, time, parts, parents, prev, n, kind, 666,
	                                 &b),
	                 EC_OK);
	return b;
}

static void
put_block(ecn_lmstore *s, const ecp_block *b, uint64_t *x)
{
	ecp_cert *c = lmt_cert(x, b->nparts, 7);
	assert_int_equal(ecn_lmstore_ops()->xblock_put(s, b, c), EC_OK);
	free(c);
}

static void
map_token(ecn_lmstore *s, uint64_t pos, const ecp_block *b)
{
	ec_id t = ec_id_expand(pos);
	assert_int_equal(ecn_lmstore_ops()->xtoken_put(s, &t, &b->id, b->time), EC_OK);
}

static void
fix_build(fix *f)
{
	assert_int_equal(ec_sig_init(), EC_OK);
	lmt_tmpdir(f->dir);
	ec_id z[3] = {zero_id, zero_id, zero_id};
	uint64_t none[3] = {0, 0, 0};
	f->b0 = seal(1, 3, (uint64_t[]){100, 200, 300}, z, none, (uint64_t[]){1, 2, 3},
	             EC_SEAL_HONEST);
	f->b1 = seal(2, 2, (uint64_t[]){100, 200}, (ec_id[]){f->b0->id, f->b0->id},
	             (uint64_t[]){1, 2}, (uint64_t[]){11, 12}, EC_SEAL_HONEST);
	f->b2 = seal(3, 1, (uint64_t[]){100}, &f->b1->id, (uint64_t[]){11}, (uint64_t[]){21},
	             EC_SEAL_HONEST);
	f->p4 = seal(1, 1, (uint64_t[]){400}, z, none, (uint64_t[]){4}, EC_SEAL_HONEST);
	f->b3 = seal(5, 1, (uint64_t[]){400}, &f->p4->id, (uint64_t[]){4}, (uint64_t[]){41},
	             EC_SEAL_HONEST);
	ecn_lmstore *s = lmt_open(f->dir, 0, ECN_LMSTORE_NOSYNC);
	uint64_t x = 1234;
	put_block(s, f->b0, &x);
	put_block(s, f->b1, &x);
	put_block(s, f->b2, &x);
	put_block(s, f->b3, &x);
	map_token(s, 100, f->b2);
	map_token(s, 200, f->b1);
	map_token(s, 300, f->b0);
	map_token(s, 400, f->b3);
	ec_id t400 = ec_id_expand(400);
	ecp_xvote v3 = {.block = f->b3->id, .origin = 5, .known = true};
	assert_int_equal(ecn_lmstore_ops()->xvote_put(s, &t400, &f->p4->id, &v3), EC_OK);
	assert_int_equal(ecn_lmstore_peer_put(s, 77, "addr+key", 8), EC_OK);
	assert_int_equal(ecn_lmstore_meta_put(s, "network", "test", 4), EC_OK);
	assert_int_equal(ecn_lmstore_commit(s), EC_OK);
	ecn_lmstore_close(s);
}

static void
fix_free(fix *f)
{
	lmt_rmdir(f->dir);
	free(f->b0);
	free(f->b1);
	free(f->b2);
	free(f->b3);
	free(f->p4);
}

/* The fixture's store, open again. */
static ecn_lmstore *
reopen(const fix *f)
{
	return lmt_open(f->dir, 0, ECN_LMSTORE_NOSYNC);
}

static void
done(ecn_lmstore *s)
{
	assert_int_equal(ecn_lmstore_commit(s), EC_OK);
	ecn_lmstore_close(s);
}

static void
test_clean(void **state)
{
	(void)state;
	fix f;
	fix_build(&f);
	ecn_lmstore_summary sum = lmt_check(f.dir);
	assert_int_equal(sum.problems, 0);
	assert_int_equal(sum.blocks, 4);
	assert_int_equal(sum.tokens, 4);
	assert_int_equal(sum.votes, 1);
	assert_int_equal(sum.peers, 1);
	assert_int_equal(sum.meta, 2);
	assert_int_equal(sum.certless, 0);
	assert_int_equal(sum.parts_checked, 3); /* b1's two, b2's one; b3's parent is absent */
	assert_int_equal(sum.chains_complete, 3);
	assert_int_equal(sum.chains_partial, 1);
	/* without a report function, and the refusals */
	assert_int_equal(ecn_lmstore_check(f.dir, &ec_sig_ed25519, NULL, NULL, &sum), EC_OK);
	assert_int_equal(sum.problems, 0);
	assert_int_equal(ecn_lmstore_check(NULL, &ec_sig_ed25519, NULL, NULL, &sum), EC_EINVAL);
	assert_int_equal(ecn_lmstore_check(f.dir, NULL, NULL, NULL, &sum), EC_EINVAL);
	assert_int_equal(ecn_lmstore_check(f.dir, &ec_sig_ed25519, NULL, NULL, NULL), EC_EINVAL);
	/* another scheme: every signature is bad */
	assert_int_equal(ecn_lmstore_check(f.dir, &ec_sig_keyed_hash, NULL, NULL, &sum), EC_OK);
	assert_int_equal(sum.problems, 3);
	fix_free(&f);
}

/* A value that is garbage, one cut short, and one of a valid block under
 * another block's key. */
static void
test_bad_values(void **state)
{
	(void)state;
	fix f;
	fix_build(&f);
	uint8_t key[32], val[4096];
	char hex[65];
	memset(key, 0xAB, sizeof key);
	lmt_raw_put(f.dir, "blocks", key, 32, "garbage!!", 9);
	ecn_lmstore_summary sum = lmt_check(f.dir);
	assert_int_equal(sum.problems, 1);
	ec_id k = ec_id_from_bytes(key);
	assert_true(lmt_reported(lmt_hex(&k, hex), "length prefix"));

	/* b1's value, cut inside its certificate */
	ec_id_to_bytes(&f.b1->id, key);
	size_t len = lmt_raw_get(f.dir, "blocks", key, 32, val, sizeof val);
	lmt_raw_put(f.dir, "blocks", key, 32, val, len - 1);
	sum = lmt_check(f.dir);
	assert_int_equal(sum.problems, 2);
	assert_true(lmt_reported(lmt_hex(&f.b1->id, hex), "certificate does not decode"));
	/* b1's value whole again, and copied under another key */
	lmt_raw_put(f.dir, "blocks", key, 32, val, len);
	memset(key, 0x11, sizeof key);
	lmt_raw_put(f.dir, "blocks", key, 32, val, len);
	sum = lmt_check(f.dir);
	assert_int_equal(sum.problems, 2);
	k = ec_id_from_bytes(key);
	assert_true(lmt_reported(lmt_hex(&k, hex), "stored under another id"));
	/* a block part cut: its length prefix one short */
	val[3]--;
	lmt_raw_put(f.dir, "blocks", key, 32, val, len);
	sum = lmt_check(f.dir);
	assert_int_equal(sum.problems, 2);
	assert_true(lmt_reported(lmt_hex(&k, hex), "block does not decode"));
	/* a certificate with a vote on a part the block does not have */
	ecp_block *b = lmt_block(&(uint64_t){3}, 1, 0, false);
	ecp_cert *c = lmt_cert(&(uint64_t){4}, 1, 2);
	size_t blen, clen;
	c->v[1].role = 5;
	assert_int_equal(ec_wire_block_encode(b, val + 4, sizeof val - 4, &blen), EC_OK);
	assert_int_equal(ec_wire_cert_encode(c, val + 4 + blen, sizeof val - 4 - blen, &clen), EC_OK);
	val[0] = val[1] = 0;
	val[2] = (uint8_t)(blen >> 8);
	val[3] = (uint8_t)blen;
	ec_id_to_bytes(&b->id, key);
	lmt_raw_put(f.dir, "blocks", key, 32, val, 4 + blen + clen);
	sum = lmt_check(f.dir);
	assert_int_equal(sum.problems, 3);
	assert_true(lmt_reported(lmt_hex(&b->id, hex), "certificate does not decode: "));
	free(b);
	free(c);
	fix_free(&f);
}

/* Tokens mapped to a missing block, to a block without the token, with
 * the wrong time; a vote record that does not match its block. */
static void
test_bad_mappings(void **state)
{
	(void)state;
	fix f;
	fix_build(&f);
	char hex[65];
	const ecp_store_ops *o = ecn_lmstore_ops();
	ecn_lmstore *s = reopen(&f);
	ec_id t500 = ec_id_expand(500), t200 = ec_id_expand(200), t300 = ec_id_expand(300),
	      t100 = ec_id_expand(100), nowhere = {{5, 5, 5, 5}};
	assert_int_equal(o->xtoken_put(s, &t500, &nowhere, 9), EC_OK);
	done(s);
	ecn_lmstore_summary sum = lmt_check(f.dir);
	assert_int_equal(sum.problems, 1);
	assert_true(lmt_reported(lmt_hex(&t500, hex), "not stored"));

	s = reopen(&f);
	assert_int_equal(o->xtoken_put(s, &t500, &f.b0->id, f.b0->time), EC_OK); /* no part */
	assert_int_equal(o->xtoken_put(s, &t200, &f.b2->id, f.b2->time), EC_OK); /* no part */
	assert_int_equal(o->xtoken_put(s, &t300, &f.b0->id, f.b0->time + 1), EC_OK);
	ecp_xvote v2 = {.block = f.b2->id}, vn = {.block = nowhere, .known = true};
	assert_int_equal(o->xvote_put(s, &t100, &zero_id, &v2), EC_OK); /* b2's parent is b1 */
	assert_int_equal(o->xvote_put(s, &t200, &zero_id, &vn), EC_OK); /* not stored: fine */
	done(s);
	sum = lmt_check(f.dir);
	assert_int_equal(sum.problems, 4);
	assert_true(lmt_reported(lmt_hex(&t500, hex), "no part for it"));
	assert_true(lmt_reported(lmt_hex(&t200, hex), "no part for it"));
	assert_true(lmt_reported(lmt_hex(&t300, hex), "not its block's time"));
	assert_true(lmt_reported("votes", lmt_hex(&t100, hex)));

	/* keys and values of the wrong size */
	lmt_raw_put(f.dir, "tokens", "short", 5, "x", 1);
	lmt_raw_put(f.dir, "votes", "short", 5, "x", 1);
	lmt_raw_put(f.dir, "peers", "short", 5, "x", 1);
	sum = lmt_check(f.dir);
	assert_int_equal(sum.problems, 7);
	assert_true(lmt_reported("tokens 73686f7274", NULL));
	assert_true(lmt_reported("peers 73686f7274", NULL));
	fix_free(&f);
}

/* Signed blocks that break the lifecycle rules against a stored parent. */
static void
test_bad_signatures(void **state)
{
	(void)state;
	fix f;
	fix_build(&f);
	char hex[65];
	/* a bad signature, a wrong key, a parent without the token, a forged
	 * create (signed) */
	ecp_block *bad = seal(7, 1, (uint64_t[]){300}, &f.b0->id, (uint64_t[]){3},
	                      (uint64_t[]){31}, EC_SEAL_BAD_SIG);
	ecp_block *wrong = seal(8, 1, (uint64_t[]){300}, &f.b0->id, (uint64_t[]){3},
	                        (uint64_t[]){32}, EC_SEAL_WRONG_KEY);
	ecp_block *noparent = seal(9, 1, (uint64_t[]){300}, &f.b1->id, (uint64_t[]){3},
	                           (uint64_t[]){33}, EC_SEAL_HONEST);
	ecn_lmstore *s = reopen(&f);
	uint64_t x = 5;
	put_block(s, bad, &x);
	put_block(s, wrong, &x);
	put_block(s, noparent, &x);
	done(s);
	ecn_lmstore_summary sum = lmt_check(f.dir);
	assert_int_equal(sum.problems, 3);
	assert_true(lmt_reported(lmt_hex(&bad->id, hex), "bad-signature"));
	assert_true(lmt_reported(lmt_hex(&wrong->id, hex), "wrong-key"));
	assert_true(lmt_reported(lmt_hex(&noparent->id, hex), "bad-parent"));
	assert_int_equal(sum.parts_checked, 6);
	free(bad);
	free(wrong);
	free(noparent);
	fix_free(&f);
}

/* No store, an empty directory, an unknown or missing schema: problems,
 * not crashes. */
static void
test_unreadable(void **state)
{
	(void)state;
	char dir[LMT_DIR_MAX], path[LMT_DIR_MAX + 16];
	lmt_tmpdir(dir);
	snprintf(path, sizeof path, "%s/missing", dir);
	ecn_lmstore_summary sum = lmt_check(path);
	assert_int_equal(sum.problems, 1);
	assert_true(lmt_reported("cannot be opened", NULL));
	sum = lmt_check(dir); /* a directory without a store */
	assert_int_equal(sum.problems, 1);
	lmt_rmdir(dir);

	fix f;
	fix_build(&f);
	uint8_t v99[4] = {0, 0, 0, 99};
	lmt_raw_put(f.dir, "meta", "schema", 6, v99, 4);
	sum = lmt_check(f.dir);
	assert_int_equal(sum.problems, 1);
	assert_true(lmt_reported("meta schema", "unknown schema"));
	lmt_raw_put(f.dir, "meta", "schema", 6, NULL, 0);
	sum = lmt_check(f.dir);
	assert_int_equal(sum.problems, 1);
	assert_true(lmt_reported("meta schema", "missing"));
	fix_free(&f);
}

/* A block kept without a certificate is counted, not a problem. */
static void
test_certless(void **state)
{
	(void)state;
	fix f;
	fix_build(&f);
	ecn_lmstore *s = reopen(&f);
	uint64_t x = 42;
	ecp_block *b = lmt_block(&x, 2, 0, false);
	assert_int_equal(ecn_lmstore_ops()->xblock_put(s, b, NULL), EC_OK);
	done(s);
	ecn_lmstore_summary sum = lmt_check(f.dir);
	assert_int_equal(sum.problems, 0);
	assert_int_equal(sum.certless, 1);
	free(b);
	fix_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_mappings),
		cmocka_unit_test(test_bad_signatures),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_certless),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
