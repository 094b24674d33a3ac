/* SPDX-License-Identifier: MIT */
/*
 * Crash test of eclmstore: a child commits batches (blocks, their token
 * mappings, a vote record, peers and a counter in meta) in a loop with the
 * store's default durability; the parent kills it with SIGKILL at a random
 * moment, 20 times, and after each kill reopens the store and checks that
 * every batch up to the committed counter is there in full, that the next
 * one left nothing behind, and that the verifier finds no problem.
 * LMTEST_SEED=n repeats a run's kill times.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lmstore/lmstore.h"
#include "lmtest.h"

#define ROUNDS 20

/* Whether the store holds batch c whole (true) or none of it (false);
 * fails the test on anything in between.  Counts its blocks into *blocks. */
static bool
batch_there(ecn_lmstore *s, uint64_t c, ecp_block *b, uint64_t *blocks)
{
	const ecp_store_ops *o = ecn_lmstore_ops();
	int seen = -1;
	for (uint32_t k = 0; k < crash_blocks(c); k++) {
		crash_block(c, k, b);
		const ecp_block *got;
		const ecp_cert *cert;
		bool have = o->xblock_get(s, &b->id, &got, &cert);
		assert_true(seen < 0 || seen == have);
		seen = have;
		if (!have)
			continue;
		assert_true(lmt_block_eq(got, b));
		assert_int_equal(cert->n, 3);
		for (uint32_t r = 0; r < CRASH_PARTS; r++) {
			ec_id blk;
			uint64_t when;
			assert_true(o->xtoken_get(s, &b->parts[r].token, &blk, &when));
			assert_true(ec_id_eq(&blk, &b->id));
			assert_int_equal(when, c);
		}
		(*blocks)++;
	}
	return seen == 1;
}

/* Checks the store after a kill; returns its counter. */
static uint64_t
verify(const char *dir, uint64_t before, ecp_block *b)
{
	ecn_lmstore *s = lmt_open(dir, 0, 0);
	uint8_t buf[8];
	size_t len;
	uint64_t c = 0, blocks = 0;
	ec_err e = ecn_lmstore_meta_get(s, "counter", buf, sizeof buf, &len);
	assert_true(e == EC_OK || e == EC_ENOTFOUND);
	for (int i = 0; e == EC_OK && i < 8; i++)
		c = c << 8 | buf[i];
	assert_true(c >= before); /* nothing committed was lost */
	for (uint64_t k = 1; k <= c; k++)
		assert_true(batch_there(s, k, b, &blocks));
	uint64_t extra = 0;
	assert_false(batch_there(s, c + 1, b, &extra)); /* not half there */
	ecn_lmstore_stat st;
	assert_int_equal(ecn_lmstore_stats(s, &st), EC_OK);
	assert_int_equal(st.blocks, blocks);
	assert_int_equal(st.tokens, blocks * CRASH_PARTS);
	ecn_lmstore_close(s);
	ecn_lmstore_summary sum = lmt_check(dir);
	assert_int_equal(sum.problems, 0);
	assert_int_equal(sum.blocks, blocks);
	assert_int_equal(sum.chains_complete, blocks * CRASH_PARTS);
	return c;
}

static void
test_crash(void **state)
{
	(void)state;
	const char *env = getenv("LMTEST_SEED");
	uint64_t x = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL) ^ (uint64_t)getpid() << 20;
	x |= 1;
	fprintf(stderr, "crash test seed %llu\n", (unsigned long long)x);
	char dir[LMT_DIR_MAX];
	lmt_tmpdir(dir);
	ecn_lmstore_close(lmt_open(dir, 0, 0)); /* created before the first child */
	ecp_block *b = malloc(ecp_block_size(CRASH_PARTS));
	assert_non_null(b);
	uint64_t c = 0, kills = 0;
	for (int round = 0; round < ROUNDS; round++) {
		long wait = (long)(10000 + lmt_rand(&x) % 60000); /* 10..70 ms */
		fflush(NULL);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			crash_child_run(dir, 20);
		nanosleep(&(struct timespec){wait / 1000000, wait % 1000000 * 1000}, NULL);
		kill(pid, SIGKILL);
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (WIFEXITED(status))
			fprintf(stderr, "child exited with %d\n", WEXITSTATUS(status));
		assert_true(WIFSIGNALED(status));
		kills++;
		uint64_t now = verify(dir, c, b);
		fprintf(stderr, "round %d: killed after %ld us, counter %llu\n", round, wait,
		        (unsigned long long)now);
		c = now;
	}
	assert_int_equal(kills, ROUNDS);
	assert_true(c > 0); /* the children got work done */
	free(b);
	lmt_rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
