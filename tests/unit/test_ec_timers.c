/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the ec protocol node (ec/ecp.h), driven through its
 * ec_protocol table with a recording context (ec_node_fixture.h, which also
 * describes the layout of peers and tokens): wake_at against what the tick
 * does (this test reads the node's internals, src/proto/ec/node.h, to see
 * that a tick changed nothing), and where a submitter's re-polls go.
 */
#include "ec_node_fixture.h"
#include "proto/ec/node.h" /* the node's internals: test_wake_at_tick compares states */

/* wake_at: an idle node never needs a tick; a submitter that sent its
 * first wave sleeps until its first poll (the ticks before it send nothing,
 * the one at it re-polls); a decided commit waiting out its grace wakes
 * when the grace ends.  The simulator skips the ticks before wake_at, so a
 * wake-up that came late would change what nodes send (and the CLI test
 * comparing --tick-every-round checks that end to end). */
static void
test_wake_at(void **state)
{
	(void)state;
	uint64_t tok = TOK;
	ecp_config cfg;
	ecp_config_default(&cfg);
	cfg.grace = 3;
	fixture *f = make_cfg(P(FAR), &cfg);
	const ec_protocol *p = f->proto;
	assert_int_equal(p->wake_at(f->node), UINT64_MAX);
	ec_id bid = submit(f, &tok, 1, gap(30000, 31000));
	assert_int_equal(p->wake_at(f->node), p->now(f->node)); /* the first wave */
	tick(f);
	assert_true(f->nout > 0);
	uint64_t wake = p->wake_at(f->node);
	assert_true(wake > p->now(f->node) && wake < UINT64_MAX);
	f->nout = 0;
	while (p->now(f->node) < wake - 1)
		tick(f); /* what the simulator skips: nothing happens */
	assert_int_equal(f->nout, 0);
	assert_int_equal(p->wake_at(f->node), wake);
	tick(f); /* clock wake - 1 -> wake: still quiet */
	assert_int_equal(f->nout, 0);
	tick(f); /* the tick that starts at clock wake: the re-poll */
	size_t polls = 0;
	for (size_t i = 0; i < f->nout; i++)
		for (uint32_t k = 0; k < f->out[i].n; k++)
			polls += f->out[i].items[k].kind == ECP_BLOCK && (f->out[i].items[k].flags & ECP_F_POLL);
	assert_true(polls > 0);
	/* decided with a grace of 3: asleep until the grace ends */
	for (uint64_t v = 27000; v <= 31000; v += 2000)
		vote(f, P(v), bid, ECP_ROLE_WITNESS, 1, 1);
	for (uint64_t v = 7000; v <= 15000; v += 2000)
		vote(f, P(v), bid, 0, 1, 1);
	assert_int_equal(p->wake_at(f->node), p->now(f->node)); /* votes to count */
	tick(f);
	assert_false(committed(f, &bid));
	uint64_t now = p->now(f->node);
	assert_int_equal(p->wake_at(f->node), now + 2); /* the tick that sees now + 3 */
	tick(f);
	tick(f);
	assert_false(committed(f, &bid));
	tick(f);
	assert_true(committed(f, &bid));
	destroy(f);
}

/* Everything a node owns, its clock left out: the node's own bytes, each
 * pool entry with its votes, trail, windows and role flags, and the
 * outbox.  Two snapshots are equal when a tick changed nothing else. */
typedef struct snap {
	unsigned char *b;
	size_t len, cap;
} snap;

static void
snap_add(snap *s, const void *p, size_t len)
{
	if (s->len + len > s->cap) {
		s->cap = 2 * (s->len + len);
		s->b = realloc(s->b, s->cap);
		assert_non_null(s->b);
	}
	if (len)
		memcpy(s->b + s->len, p, len);
	s->len += len;
}

static snap
snap_take(const fixture *f)
{
	snap s = {0};
	ecp_node n = *(const ecp_node *)f->node;
	n.now = 0;
	snap_add(&s, &n, sizeof n);
	for (uint32_t i = 0; i < n.npool; i++) {
		const entry *e = &n.pool[i];
		snap_add(&s, e, sizeof *e);
		snap_add(&s, e->votes, e->nvotes * sizeof *e->votes);
		snap_add(&s, e->interest, e->ni * sizeof *e->interest);
		snap_add(&s, e->win, e->nroles * sizeof *e->win);
		snap_add(&s, RF(e), e->nroles);
	}
	snap_add(&s, n.out, n.nout * sizeof *n.out);
	return s;
}

static bool
snap_same_free(snap *a, snap *b)
{
	bool same = a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
	free(a->b);
	free(b->b);
	return same;
}

/* Ticks the node through its wake_at W.  The ticks that start before W
 * (those a driver may skip) must send nothing, report nothing and change
 * nothing but the clock, and must leave W as it was; the tick that starts
 * at W must do something: send, report or change the node's state.  An
 * idle node (W = UINT64_MAX) is ticked 200 times.  Returns W. */
static uint64_t
tick_to_wake(fixture *f)
{
	const ec_protocol *p = f->proto;
	const uint64_t wake = p->wake_at(f->node);
	const uint64_t now = p->now(f->node);
	assert_true(wake >= now);
	const uint64_t stop = wake == UINT64_MAX ? now + 200 : wake;
	while (p->now(f->node) < stop) {
		size_t nout = f->nout, events = f->events;
		snap a = snap_take(f);
		tick(f);
		snap b = snap_take(f);
		if (!snap_same_free(&a, &b))
			fail_msg("a tick before wake_at %llu changed the node at clock %llu",
			         (unsigned long long)wake, (unsigned long long)p->now(f->node));
		assert_int_equal(f->nout, nout);
		assert_int_equal(f->events, events);
		assert_int_equal(p->wake_at(f->node), wake);
	}
	if (wake == UINT64_MAX)
		return wake;
	size_t nout = f->nout, events = f->events;
	snap a = snap_take(f);
	tick(f);
	snap b = snap_take(f);
	if (snap_same_free(&a, &b) && f->nout == nout && f->events == events)
		fail_msg("the tick at wake_at %llu did nothing", (unsigned long long)wake);
	return wake;
}

/* wake_at and the tick decide from the same function (timers.c: due), so
 * they cannot drift apart: in each of these states, from a submitter's
 * first wave to a forgotten entry, the ticks before wake_at do nothing and
 * the tick at it acts.  (Not covered, as wake_at cannot tell: an entry
 * whose drop is held by a standing yes, and a member waiting out a fetch
 * cooldown, wake the node every tick.) */
static void
test_wake_at_tick(void **state)
{
	(void)state;
	uint64_t tok = TOK;
	ecp_config cfg;
	ecp_config_default(&cfg);
	cfg.grace = 2;

	/* a submitter: first wave, polls, votes counted, grace, commit,
	 * lingering, forgotten */
	fixture *f = make_cfg(P(FAR), &cfg);
	assert_int_equal(tick_to_wake(f), UINT64_MAX);
	ec_id bid = submit(f, &tok, 1, gap(30000, 31000));
	uint64_t now = f->proto->now(f->node);
	assert_int_equal(tick_to_wake(f), now); /* the first wave */
	tick_to_wake(f); /* first poll */
	tick_to_wake(f); /* second poll */
	for (uint64_t v = 27000; v <= 31000; v += 2000)
		vote(f, P(v), bid, ECP_ROLE_WITNESS, 1, 1);
	for (uint64_t v = 7000; v <= 15000; v += 2000)
		vote(f, P(v), bid, 0, 1, 1);
	tick_to_wake(f); /* counted: the grace starts */
	assert_false(committed(f, &bid));
	tick_to_wake(f); /* the grace ends: committed */
	assert_true(committed(f, &bid));
	tick_to_wake(f); /* forgotten after lingering */
	assert_int_equal(tick_to_wake(f), UINT64_MAX);
	destroy(f);

	/* a submitter whose block a quorum of no votes blocks */
	f = make(P(FAR), 1);
	bid = submit(f, &tok, 1, gap(30000, 31000));
	tick_to_wake(f);
	for (uint64_t v = 7000; v <= 15000; v += 2000)
		vote(f, P(v), bid, 0, -1, 1);
	tick_to_wake(f); /* blocked */
	assert_int_equal(f->blocked, 1);
	tick_to_wake(f); /* forgotten after lingering */
	assert_int_equal(tick_to_wake(f), UINT64_MAX);
	destroy(f);

	/* a token member: votes, polls the origin, commits on the certificate */
	f = make(P(NEAR), 1);
	uint64_t ntok = NEARTOK;
	const ecp_block *b = creates(f, &ntok, 1, 1, gap(40000, 1000));
	ecp_item it = {.kind = ECP_BLOCK, .role = 0, .origin = P(1000), .block_id = b->id,
	               .block = b};
	deliver(f, P(3000), 0, &it, 1);
	tick_to_wake(f); /* votes */
	assert_int_equal(sent(f, P(1000), ECP_VOTE, NULL), 1);
	tick_to_wake(f); /* polls the origin */
	assert_int_equal(sent(f, P(1000), ECP_POLL, NULL), 1);
	tick_to_wake(f); /* and again */
	ecp_item c = {.kind = ECP_COMMIT, .block_id = b->id, .block = b,
	              .cert = full_cert(f, P(NEAR), b)};
	deliver(f, P(1000), 1, &c, 1);
	assert_true(committed(f, &b->id));
	while (tick_to_wake(f) != UINT64_MAX)
		; /* repairs, lingers, forgets */
	destroy(f);

	/* a relay forwards, then forgets soon */
	f = make(P(FAR), 1);
	b = creates(f, &tok, 1, 2, ANYWHERE);
	it = (ecp_item){.kind = ECP_BLOCK, .role = 0, .origin = P(1000), .block_id = b->id,
	                .block = b};
	deliver(f, P(30000), 0, &it, 1);
	tick_to_wake(f); /* forwards */
	assert_true(f->nout > 0);
	tick_to_wake(f); /* forgets: the entry came at clock 0 */
	assert_int_equal(f->proto->now(f->node), f->cfg.poll_first);
	assert_int_equal(tick_to_wake(f), UINT64_MAX);
	destroy(f);

	/* a witness votes, then forgets soon */
	f = make(P(FAR), 1);
	b = creates(f, &tok, 1, 3, gap(20000, 21000)); /* FAR is a witness */
	it = (ecp_item){.kind = ECP_BLOCK, .role = ECP_ROLE_WITNESS, .origin = P(1000),
	                .block_id = b->id, .block = b};
	deliver(f, P(3000), 0, &it, 1);
	tick_to_wake(f); /* votes */
	assert_int_equal(sent(f, P(1000), ECP_VOTE, NULL), 1);
	tick_to_wake(f); /* forgets */
	assert_int_equal(f->proto->now(f->node), f->cfg.poll_first);
	assert_int_equal(tick_to_wake(f), UINT64_MAX);
	destroy(f);

	/* an entry whose body was forged has no block, and expires */
	f = make(P(NEAR), 1);
	ecp_block *forged = new_block(1);
	memcpy(forged, creates(f, &ntok, 1, 4, ANYWHERE), ecp_block_size(1));
	forged->id.w[3] ^= 1;
	const ecp_block *fb = keep(f, forged);
	c = (ecp_item){.kind = ECP_COMMIT, .block_id = fb->id, .block = fb,
	               .cert = full_cert(f, P(NEAR), fb)};
	deliver(f, P(3000), 0, &c, 1);
	assert_int_equal(f->rejects[EC_REJECT_BAD_ID], 1);
	tick_to_wake(f); /* expires */
	assert_int_equal(f->proto->now(f->node), f->cfg.expiry);
	assert_int_equal(tick_to_wake(f), UINT64_MAX);
	destroy(f);
}

/* A submitter's re-poll goes straight to the members whose votes reached
 * it (they hold the block and pass it to their windows), not through the
 * peer graph; a role with no such voter is routed as the first wave was. */
static void
test_poll_to_voters(void **state)
{
	(void)state;
	uint64_t tok = TOK;
	fixture *f = make(P(FAR), 1);
	const ec_protocol *p = f->proto;
	ec_id bid = submit(f, &tok, 1, gap(30000, 31000));
	tick(f);
	vote(f, P(9000), bid, 0, 1, 1); /* one yes for the token: not enough */
	tick(f);
	uint64_t wake = p->wake_at(f->node);
	while (p->now(f->node) < wake)
		tick(f);
	f->nout = 0;
	tick(f); /* the first poll */
	ecp_item it;
	assert_int_equal(sent(f, P(9000), ECP_BLOCK, &it), 1);
	assert_true(it.flags & ECP_F_POLL);
	assert_int_equal(it.role, 0);
	/* nothing else for the token's role: no routed copies */
	size_t token_copies = 0, witness_copies = 0;
	for (size_t i = 0; i < f->nout; i++)
		for (uint32_t k = 0; k < f->out[i].n; k++) {
			const ecp_item *x = &f->out[i].items[k];
			if (x->kind != ECP_BLOCK)
				continue;
			assert_true(x->flags & ECP_F_POLL);
			token_copies += x->role == 0;
			witness_copies += x->role == ECP_ROLE_WITNESS;
		}
	assert_int_equal(token_copies, 1);
	assert_true(witness_copies > 0); /* no witness voter known: routed */
	destroy(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wake_at),
	    cmocka_unit_test(test_wake_at_tick),
	    cmocka_unit_test(test_poll_to_voters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
