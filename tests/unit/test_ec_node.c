/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the ec protocol node (ec/ecp.h), driven through its
 * ec_protocol table with a recording context (ec_node_fixture.h, which also
 * describes the layout of peers and tokens): windows, batching, and foreign
 * or malformed input.  The commit rule and everything that keeps commits
 * safe are in test_ec_safety.c; wake_at, the tick and polls in
 * test_ec_timers.c.
 */
#include "ec_node_fixture.h"

static void
test_window(void **state)
{
	(void)state;
	fixture *f = make(P(FAR), 1);
	ec_range r = ecp_window(&f->peers, P(FAR), P(TOK), 4);
	assert_int_equal(r.low, P(7000));
	assert_int_equal(r.high, P(15000));
	/* self just above the key displaces the farthest upper peer */
	r = ecp_window(&f->peers, P(10700), P(TOK), 4);
	assert_int_equal(r.low, P(7000));
	assert_int_equal(r.high, P(14000));
	assert_true(ec_range_contains(r, P(10700)));
	/* self just below */
	r = ecp_window(&f->peers, P(10200), P(TOK), 4);
	assert_int_equal(r.low, P(8000));
	assert_int_equal(r.high, P(15000));
	/* wrapping around zero */
	r = ecp_window(&f->peers, P(FAR), P(500), 4);
	assert_int_equal(r.low, P(37000));
	assert_int_equal(r.high, P(5000));
	assert_true(ec_range_contains(r, P(39000)) && ec_range_contains(r, P(3000)));
	assert_false(ec_range_contains(r, P(20000)));
	/* every key of a gap between two peers has the same window */
	r = ecp_window(&f->peers, P(FAR), P(30000) + 1, 4);
	assert_int_equal(r.low, P(27000));
	assert_int_equal(r.high, P(35000));
	r = ecp_window(&f->peers, P(FAR), P(31000) - 1, 4);
	assert_int_equal(r.low, P(27000));
	assert_int_equal(r.high, P(35000));
	/* a list too short for a window covers the ring */
	ec_peers few;
	ec_peers_init(&few);
	uint64_t ids[3] = {100, 200, 300};
	assert_int_equal(ec_peers_assign(&few, &f->ctx, ids, 3), EC_OK);
	r = ecp_window(&few, 150, 5000, 4);
	assert_true(ec_range_contains(r, 0) && ec_range_contains(r, UINT64_MAX) &&
	            ec_range_contains(r, 777777));
	ec_peers_fini(&few, &f->ctx);
	destroy(f);
}

/* Everything a node sends to one receiver in a round is one envelope; with
 * batching off, one envelope per item. */
static void
test_batching(void **state)
{
	(void)state;
	/* three tokens whose nearest peers are the same two nodes */
	uint64_t toks[3] = {10400, 10500, 10600};
	fixture *f = make(P(FAR), 1);
	submit(f, toks, 3, gap(30000, 31000));
	tick(f);
	size_t env10 = 0, items10 = 0;
	for (size_t i = 0; i < f->nout; i++)
		if (f->out[i].to == P(10000) || f->out[i].to == P(11000)) {
			env10++;
			items10 += f->out[i].n;
		}
	assert_int_equal(env10, 2);
	assert_int_equal(items10, 6);
	destroy(f);

	f = make(P(FAR), 0);
	submit(f, toks, 3, gap(30000, 31000));
	tick(f);
	env10 = items10 = 0;
	for (size_t i = 0; i < f->nout; i++)
		if (f->out[i].to == P(10000) || f->out[i].to == P(11000)) {
			env10++;
			items10 += f->out[i].n;
		}
	assert_int_equal(env10, 6);
	assert_int_equal(items10, 6);
	destroy(f);
}

/* Foreign or malformed input is ignored, never an error; a body whose id
 * is not its content hash is evidence (BAD_ID) and gets no vote. */
static void
test_bad_input(void **state)
{
	(void)state;
	fixture *f = make(P(NEAR), 1);
	ec_msg m = {.sender = P(3000), .type = EC_MSG_VOTE};
	assert_int_equal(f->proto->handle(f->node, &f->ctx, &m), EC_OK);
	uint64_t tok = NEARTOK;
	const ecp_block *b = creates(f, &tok, 1, 1, ANYWHERE);
	ecp_item bad[4] = {
	    {.kind = 99, .block_id = b->id},
	    {.kind = ECP_BLOCK, .block_id = ec_id_expand(1234), .block = b}, /* id mismatch */
	    {.kind = ECP_BLOCK, .block_id = b->id, .block = NULL},
	    {.kind = ECP_COMMIT, .block_id = b->id, .block = b, .cert = NULL}};
	deliver(f, P(3000), 0, bad, 4);
	ecp_item role = {.kind = ECP_BLOCK, .role = 7, .block_id = b->id, .block = b,
	                 .origin = P(1000)}; /* no such part */
	deliver(f, P(3000), 0, &role, 1);
	tick(f);
	assert_int_equal(sent(f, P(1000), ECP_VOTE, NULL), 0);
	assert_int_equal(f->commits, 0);
	assert_int_equal(nrejects(f), 0);
	/* a body that claims an id that is not its hash */
	ecp_block *forged = new_block(1);
	memcpy(forged, b, ecp_block_size(1));
	forged->id.w[3] ^= 1; /* b's content under an id that is not its hash */
	const ecp_block *fb = keep(f, forged);
	ecp_item it = {.kind = ECP_BLOCK, .role = 0, .block_id = fb->id, .block = fb,
	               .origin = P(1000)};
	deliver(f, P(3000), 1, &it, 1);
	tick(f);
	assert_int_equal(sent(f, P(1000), ECP_VOTE, NULL), 0);
	assert_int_equal(f->rejects[EC_REJECT_BAD_ID], 1);
	/* ... and a certificate for it commits nothing */
	ecp_item c = {.kind = ECP_COMMIT, .block_id = fb->id, .block = fb,
	              .cert = full_cert(f, P(NEAR), fb)};
	deliver(f, P(3000), 2, &c, 1);
	tick(f);
	assert_false(committed(f, &fb->id));
	assert_int_equal(f->commits, 0);
	/* the genuine block still gets its yes */
	role.role = 0;
	deliver(f, P(3000), 3, &role, 1);
	tick(f);
	ecp_item v;
	assert_int_equal(sent(f, P(1000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, 1);
	ecp_config cfg;
	ecp_config_default(&cfg);
	cfg.window = 0;
	assert_non_null(ecp_config_check(&cfg));
	void *n = calloc(1, f->proto->node_size);
	assert_int_equal(f->proto->node_init(n, 1, &cfg), EC_EINVAL);
	free(n);
	destroy(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_window),
	    cmocka_unit_test(test_batching),
	    cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
