/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the ec protocol node (ec/ecp.h), driven through its
 * ec_protocol table with a recording context: windows, the commit rule on a
 * hand-built neighbourhood (net balance, quorum, witness, voters outside the
 * window), blocking, exclusive votes for conflicting blocks (highest first),
 * withdrawals and their stamps, certificates, batching, and the signed token
 * lifecycle (ids are content hashes; transfers are signed by the key the
 * parent named).
 *
 * Layout: the node trusts the 40 peers at 1000, 2000, ..., 40000 units of
 * a ring of 40,000 units spread over the whole 64-bit ring (P(x) is the
 * position of unit x, so P(40000) is about 0 again and a window covers a
 * sizable fraction of the ring).  With w = 4 the window around 10500 is
 * [7000, 15000] (4 below, 5 at or above) and around any key in the gap
 * (30000, 31000) it is [27000, 35000].
 *
 * Token positions are picked by hand.  Block ids are content hashes, so a
 * block's position cannot be: grind() steps the block's time until the id
 * lands where a test wants it (a gap between two peers fixes the window
 * around it), or tests order two blocks by their ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec/ecp.h"
#include "ec/lifecycle.h"
#include "ecsim/memstore.h"
#include "ec/sig.h"

#define NPEERS 40
#define UNIT 461168601842738ull /* floor(2^64 / 40000) */
#define P(x) ((uint64_t)(x) * UNIT)
#define FAR 20500u   /* a node far from TOK */
#define TOK 10500u
#define NEAR 20500u  /* member of NEARTOK's window */
#define NEARTOK 20300u
#define SUB 5500u    /* a submitter far from NEARTOK and from the witnesses */

typedef struct rec {
	uint64_t to;
	uint32_t n;
	ecp_item items[64];
} rec;

typedef struct fixture {
	ec_memstore *ms;
	ec_memstore_view view;
	ec_ctx ctx;
	void *node;
	const ec_protocol *proto;
	ecp_config cfg;
	rec *out;
	size_t nout, cap;
	size_t commits, blocked;
	size_t rejects[EC_VERDICT_COUNT];
	ec_peers peers; /* the same list, for ecp_window */
} fixture;

/* The gap strictly between the peers at units a and b (wrapping when
 * b < a): a block id there has the window of that gap. */
static ec_range
gap(uint64_t a, uint64_t b)
{
	return (ec_range){P(a) + 1, P(b) - 1};
}

static const ec_range ANYWHERE = {1, 0};

static ec_err
record_send(void *user, const ec_msg *m)
{
	fixture *f = user;
	assert_int_equal(m->type, EC_MSG_ENVELOPE);
	assert_true(m->u.env.n >= 1 && m->u.env.n <= 64);
	if (f->nout == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->out = realloc(f->out, f->cap * sizeof *f->out);
		assert_non_null(f->out);
	}
	rec *r = &f->out[f->nout++];
	r->to = m->receiver;
	r->n = m->u.env.n;
	memcpy(r->items, m->u.env.items, m->u.env.n * sizeof *r->items);
	return EC_OK;
}

static void
record_event(void *user, ec_peer_id node, ec_event ev, ec_block_id block, uint64_t arg)
{
	fixture *f = user;
	(void)node;
	(void)block;
	if (ev == EC_EV_COMMIT)
		f->commits++;
	if (ev == EC_EV_VOTE_BLOCKED)
		f->blocked++;
	if (ev == EC_EV_REJECT) {
		assert_true(arg > EC_ACCEPT && arg < EC_VERDICT_COUNT);
		f->rejects[arg]++;
	}
}

static size_t
nrejects(const fixture *f)
{
	size_t c = 0;
	for (int v = 0; v < EC_VERDICT_COUNT; v++)
		c += f->rejects[v];
	return c;
}

static const void *
intern(void *user, const void *data, size_t len)
{
	return ec_memstore_intern_bytes(user, data, len);
}

static void
peer_ids(uint64_t ids[NPEERS])
{
	for (int i = 0; i < NPEERS; i++)
		ids[i] = P(1000u * (uint64_t)(i + 1));
}

static fixture *
make_cfg(uint64_t self, const ecp_config *cfg)
{
	fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	assert_int_equal(ec_memstore_new(ec_libc_realloc, NULL, &f->ms), EC_OK);
	f->view = (ec_memstore_view){f->ms, 0};
	f->ctx = (ec_ctx){.realloc_fn = ec_libc_realloc, .send = record_send, .send_user = f,
	                  .store = ec_memstore_bind(&f->view, ECP_STORE_API), .intern = intern,
	                  .intern_user = f->ms, .event = record_event, .event_user = f,
	                  .sig = &ec_sig_keyed_hash};
	f->proto = &ec_protocol_ec;
	f->cfg = *cfg;
	f->node = calloc(1, f->proto->node_size);
	assert_non_null(f->node);
	assert_int_equal(f->proto->node_init(f->node, self, &f->cfg), EC_OK);
	uint64_t ids[NPEERS];
	peer_ids(ids);
	assert_int_equal(f->proto->set_peers(f->node, &f->ctx, ids, NPEERS), EC_OK);
	ec_peers_init(&f->peers);
	assert_int_equal(ec_peers_assign(&f->peers, &f->ctx, ids, NPEERS), EC_OK);
	return f;
}

static fixture *
make_q(uint64_t self, uint32_t batch, uint32_t q)
{
	ecp_config c;
	ecp_config_default(&c);
	c.batch = batch;
	c.quorum = q;
	return make_cfg(self, &c);
}

static fixture *
make(uint64_t self, uint32_t batch)
{
	return make_q(self, batch, 0);
}

static void
destroy(fixture *f)
{
	f->proto->node_fini(f->node, &f->ctx);
	ec_peers_fini(&f->peers, &f->ctx);
	free(f->node);
	ec_memstore_free(f->ms);
	free(f->out);
	free(f);
}

static ec_id
tok_id(uint64_t unit)
{
	return ec_id_expand(P(unit));
}

/* Steps b->time up from its current value until b's content hash lands
 * in want; sets b->id. */
static void
grind(ecp_block *b, ec_range want)
{
	for (int i = 0; i < 1000000; i++, b->time++) {
		ecp_block_id(b, &b->id);
		if (ec_range_contains(want, ec_id_pos(&b->id)))
			return;
	}
	fail_msg("no block id in the wanted range");
}

static ecp_block *
new_block(uint32_t n)
{
	ecp_block *b = calloc(1, ecp_block_size(n));
	assert_non_null(b);
	b->nparts = n;
	return b;
}

/* An immutable copy of b in f's body arena; frees b. */
static const ecp_block *
keep(fixture *f, ecp_block *b)
{
	const ecp_block *kept = intern(f->ms, b, ecp_block_size(b->nparts));
	assert_non_null(kept);
	free(b);
	return kept;
}

/* A block creating `n` tokens (units tok[]) with next keys key, key+1, ...
 * (any 256-bit value will do for a create), its id in want. */
static const ecp_block *
creates(fixture *f, const uint64_t *tok, uint32_t n, uint64_t key, ec_range want)
{
	ecp_block *b = new_block(n);
	for (uint32_t i = 0; i < n; i++)
		b->parts[i] = (ecp_part){.token = tok_id(tok[i]), .next_key = ec_id_expand(key + i)};
	grind(b, want);
	return keep(f, b);
}

/* The keyed-hash keypair of seed byte s (the fixture's scheme). */
static void
keys(uint8_t s, uint8_t pk[EC_SIG_PK_BYTES], uint8_t sk[EC_SIG_SK_BYTES])
{
	uint8_t seed[EC_SIG_SEED_BYTES];
	memset(seed, s, sizeof seed);
	ec_sig_keyed_hash.keypair(seed, pk, sk);
}

static ec_id
key_hash(const uint8_t pk[EC_SIG_PK_BYTES])
{
	ec_id h;
	ec_key_hash(pk, &h);
	return h;
}

/* A transfer of the token of parent's part 0 to next_key, naming signer
 * and signed with sk, later than the parent, its id in want. */
static const ecp_block *
transfer(fixture *f, const ecp_block *parent, const ec_id *next_key,
         const uint8_t signer[EC_SIG_PK_BYTES], const uint8_t sk[EC_SIG_SK_BYTES], ec_range want)
{
	ecp_block *b = new_block(1);
	b->time = parent->time + 1;
	b->parts[0] = (ecp_part){.token = parent->parts[0].token, .parent = parent->id,
	                         .next_key = *next_key};
	memcpy(b->parts[0].signer, signer, EC_SIG_PK_BYTES);
	grind(b, want);
	ecp_part_sign(&ec_sig_keyed_hash, b, 0, sk);
	return keep(f, b);
}

static void
deliver(fixture *f, uint64_t from, uint64_t time, const ecp_item *items, uint32_t n)
{
	ec_msg m = {.sender = from, .receiver = 0, .time = time, .type = EC_MSG_ENVELOPE};
	m.u.env.items = items;
	m.u.env.n = n;
	assert_int_equal(f->proto->handle(f->node, &f->ctx, &m), EC_OK);
}

static void
vote(fixture *f, uint64_t from, ec_id bid, uint16_t role, int8_t value, uint64_t time)
{
	ecp_item it = {.kind = ECP_VOTE, .value = value, .role = role, .block_id = bid};
	deliver(f, from, time, &it, 1);
}

/* Yes votes on role from the first `count` peers (ring order from the key)
 * of the window the node at self sees around key. */
static void
window_votes(fixture *f, uint64_t self, uint64_t key, ec_id bid, uint16_t role, uint32_t count)
{
	ec_range w = ecp_window(&f->peers, self, key, f->cfg.window);
	uint32_t i, sent = 0;
	(void)ec_peers_search(&f->peers, w.low, &i);
	for (uint32_t k = 0; k < NPEERS && sent < count; k++) {
		uint64_t q = f->peers.ids[(i + k) % NPEERS];
		if (ec_range_contains(w, q) && q != self) {
			vote(f, q, bid, role, 1, 1);
			sent++;
		}
	}
	assert_int_equal(sent, count);
}

static bool
committed(const fixture *f, const ec_id *id)
{
	return f->proto->committed(f->node, &f->ctx, ec_id_pos(id), id);
}

static void
tick(fixture *f)
{
	assert_int_equal(f->proto->tick(f->node, &f->ctx), EC_OK);
}

/* Items of kind sent to `to` since the last clear; the last one in *last. */
static size_t
sent(const fixture *f, uint64_t to, uint8_t kind, ecp_item *last)
{
	size_t c = 0;
	for (size_t i = 0; i < f->nout; i++)
		for (uint32_t k = 0; k < f->out[i].n; k++)
			if (f->out[i].to == to && f->out[i].items[k].kind == kind) {
				c++;
				if (last)
					*last = f->out[i].items[k];
			}
	return c;
}

/* Submits the node-built (unsigned) block creating the tokens at units
 * tok[], its time ground so that its id lands in want; returns the id. */
static ec_id
submit(fixture *f, const uint64_t *tok, uint32_t n, ec_range want)
{
	ec_token_part parts[8];
	for (uint32_t i = 0; i < n; i++)
		parts[i] = (ec_token_part){P(tok[i]), 0, 77 + i};
	ec_txn t = {.time = 0, .used = n, .parts = parts};
	ecp_block *b = malloc(ecp_block_size(n));
	assert_non_null(b);
	for (;; t.time++) {
		assert_true(t.time < 1000000);
		ecp_block_from_txn(&t, b);
		if (ec_range_contains(want, ec_id_pos(&b->id)))
			break;
	}
	ec_id id = b->id;
	free(b);
	t.id = ec_id_pos(&id);
	assert_int_equal(f->proto->submit(f->node, &f->ctx, &t), EC_OK);
	assert_false(committed(f, &id));
	return id;
}

/* Submits a block the test built (and signed) itself, as a wallet does. */
static void
submit_block(fixture *f, const ecp_block *b)
{
	ec_txn t = {.id = ec_id_pos(&b->id), .time = b->time, .used = b->nparts, .block = b};
	assert_int_equal(f->proto->submit(f->node, &f->ctx, &t), EC_OK);
}

/* A certificate with a yes from every peer in the windows the node at
 * self sees around each role's key. */
static const ecp_cert *
full_cert(fixture *f, uint64_t self, const ecp_block *b)
{
	size_t bytes = sizeof(ecp_cert) + (size_t)(b->nparts + 1) * NPEERS * sizeof(ecp_vote);
	ecp_cert *c = calloc(1, bytes);
	assert_non_null(c);
	for (uint32_t r = 0; r <= b->nparts; r++) {
		uint64_t key = ec_id_pos(r < b->nparts ? &b->parts[r].token : &b->id);
		ec_range w = ecp_window(&f->peers, self, key, f->cfg.window);
		for (uint32_t k = 0; k < NPEERS; k++)
			if (ec_range_contains(w, f->peers.ids[k]))
				c->v[c->n++] = (ecp_vote){
				    .voter = f->peers.ids[k], .stamp = 2, .value = 1,
				    .role = r < b->nparts ? (uint16_t)r : ECP_ROLE_WITNESS};
	}
	const ecp_cert *kept = intern(f->ms, c, bytes);
	assert_non_null(kept);
	free(c);
	return kept;
}

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

/* The submitter commits when the token role has a net balance above 2 and
 * a quorum of 5 yes votes from its window, and the witness more than 2. */
static void
test_commit_rule(void **state)
{
	(void)state;
	fixture *f = make(P(FAR), 1);
	uint64_t tok = TOK;
	ec_id bid = submit(f, &tok, 1, gap(30000, 31000)); /* witnesses [27000, 35000] */
	tick(f);
	/* the first wave went to the two peers nearest each key */
	assert_int_equal(sent(f, P(10000), ECP_BLOCK, NULL) + sent(f, P(11000), ECP_BLOCK, NULL), 2);
	assert_int_equal(sent(f, P(30000), ECP_BLOCK, NULL) + sent(f, P(31000), ECP_BLOCK, NULL), 2);
	/* witnesses */
	vote(f, P(29000), bid, ECP_ROLE_WITNESS, 1, 1);
	vote(f, P(31000), bid, ECP_ROLE_WITNESS, 1, 1);
	vote(f, P(33000), bid, ECP_ROLE_WITNESS, 1, 1);
	/* four members say yes, and a yes from outside the window */
	vote(f, P(7000), bid, 0, 1, 1);
	vote(f, P(9000), bid, 0, 1, 1);
	vote(f, P(11000), bid, 0, 1, 1);
	vote(f, P(13000), bid, 0, 1, 1);
	vote(f, P(16000), bid, 0, 1, 1);
	tick(f);
	assert_false(committed(f, &bid));
	assert_int_equal(f->commits, 0);
	/* the fifth member makes the quorum */
	vote(f, P(15000), bid, 0, 1, 1);
	tick(f);
	assert_true(committed(f, &bid));
	assert_int_equal(f->commits, 1);
	/* the 64-bit handle alone names no block */
	assert_false(f->proto->committed(f->node, &f->ctx, ec_id_pos(&bid), NULL));
	ec_id other = bid;
	other.w[3] ^= 1;
	assert_false(committed(f, &other));
	assert_int_equal(nrejects(f), 0);
	destroy(f);

	/* token voters hear the outcome with a certificate of the counted votes */
	ecp_item c = {0};

	f = make(P(FAR), 1);
	bid = submit(f, &tok, 1, gap(30000, 31000));
	tick(f);
	f->nout = 0;
	for (uint64_t v = 7000; v <= 15000; v += 2000)
		vote(f, P(v), bid, 0, 1, 1);
	for (uint64_t v = 27000; v <= 31000; v += 2000)
		vote(f, P(v), bid, ECP_ROLE_WITNESS, 1, 1);
	tick(f);
	assert_int_equal(sent(f, P(7000), ECP_COMMIT, &c), 1);
	assert_non_null(c.cert);
	assert_non_null(c.block);
	assert_true(ec_id_eq(&c.block->id, &bid));
	assert_int_equal(c.cert->n, 8); /* 5 token votes and 3 witness votes */
	assert_int_equal(sent(f, P(27000), ECP_COMMIT, NULL), 0); /* witnesses keep nothing */
	destroy(f);
}

/* With a grace, the submitter waits before committing, and a withdrawal in
 * the meantime cancels the commit. */
static void
test_grace(void **state)
{
	(void)state;
	uint64_t tok = TOK;
	for (int withdraw_in_between = 0; withdraw_in_between < 2; withdraw_in_between++) {
		ecp_config cfg;
		ecp_config_default(&cfg);
		cfg.grace = 2;
		fixture *f = make_cfg(P(FAR), &cfg);
		ec_id bid = submit(f, &tok, 1, gap(30000, 31000));
		tick(f);
		for (uint64_t v = 27000; v <= 31000; v += 2000)
			vote(f, P(v), bid, ECP_ROLE_WITNESS, 1, 1);
		for (uint64_t v = 7000; v <= 15000; v += 2000)
			vote(f, P(v), bid, 0, 1, 1);
		tick(f); /* decided: waits two rounds */
		assert_false(committed(f, &bid));
		if (withdraw_in_between) {
			ecp_item w = {.kind = ECP_WITHDRAW, .role = 0, .block_id = bid};
			deliver(f, P(9000), 3, &w, 1);
		}
		tick(f);
		assert_false(committed(f, &bid));
		tick(f);
		tick(f);
		assert_int_equal(committed(f, &bid), !withdraw_in_between);
		destroy(f);
	}
}

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

/* A member commits only on the submitter's certificate, never on the votes
 * it overheard (a voter may have withdrawn at the submitter). */
static void
test_member_waits_for_certificate(void **state)
{
	(void)state;
	fixture *f = make(P(NEAR), 1);
	uint64_t tok = NEARTOK;
	/* the id lies between 40000 and 1000: witnesses [37000, 5000] */
	const ecp_block *b = creates(f, &tok, 1, 1, gap(40000, 1000));
	ecp_item it = {.kind = ECP_BLOCK, .role = 0, .origin = P(1000), .block_id = b->id,
	               .block = b};
	deliver(f, P(3000), 0, &it, 1);
	/* fellow members pass their yes on; witnesses too */
	it.value = 1;
	for (uint64_t v = 17000; v <= 25000; v += 1000)
		deliver(f, P(v), 0, &it, 1);
	ecp_item w = it;
	w.role = ECP_ROLE_WITNESS;
	for (uint64_t v = 38000; v <= 40000; v += 1000)
		deliver(f, P(v), 0, &w, 1);
	tick(f);
	tick(f);
	assert_false(committed(f, &b->id));
	/* ... and it did vote: the block was well formed */
	ecp_item v;
	assert_int_equal(sent(f, P(1000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, 1);
	assert_int_equal(nrejects(f), 0);
	destroy(f);
}

/* A net balance is not enough without the quorum, and no votes block. */
static void
test_balance_and_blocking(void **state)
{
	(void)state;
	fixture *f = make_q(P(FAR), 1, 3);
	uint64_t tok = TOK;
	ec_id bid = submit(f, &tok, 1, gap(30000, 31000));
	tick(f);
	for (uint64_t v = 27000; v <= 31000; v += 2000)
		vote(f, P(v), bid, ECP_ROLE_WITNESS, 1, 1);
	/* 4 yes, 2 no: balance 2 is not above the threshold */
	vote(f, P(7000), bid, 0, 1, 1);
	vote(f, P(8000), bid, 0, 1, 1);
	vote(f, P(9000), bid, 0, 1, 1);
	vote(f, P(10000), bid, 0, 1, 1);
	vote(f, P(11000), bid, 0, -1, 1);
	vote(f, P(12000), bid, 0, -1, 1);
	tick(f);
	assert_false(committed(f, &bid));
	/* a fifth yes: balance 3 */
	vote(f, P(13000), bid, 0, 1, 1);
	tick(f);
	assert_true(committed(f, &bid));
	destroy(f);

	f = make(P(FAR), 1);
	bid = submit(f, &tok, 1, gap(30000, 31000));
	tick(f);
	for (uint64_t v = 7000; v <= 15000; v += 2000)
		vote(f, P(v), bid, 0, -1, 1);
	tick(f);
	assert_false(committed(f, &bid));
	assert_int_equal(f->blocked, 1);
	destroy(f);
}

/* Two conflicting creates of NEARTOK (next keys 1 and 2), ordered by id. */
static void
conflicting(fixture *f, const ecp_block **lo, const ecp_block **hi)
{
	uint64_t tok = NEARTOK;
	*lo = creates(f, &tok, 1, 1, ANYWHERE);
	*hi = creates(f, &tok, 1, 2, ANYWHERE);
	if (ec_id_cmp(&(*lo)->id, &(*hi)->id) > 0) {
		const ecp_block *t = *lo;
		*lo = *hi;
		*hi = t;
	}
	assert_true(ec_id_cmp(&(*lo)->id, &(*hi)->id) < 0);
}

/* Two conflicting blocks in the same round: the member backs the higher. */
static void
test_conflict_highest_first(void **state)
{
	(void)state;
	fixture *f = make(P(NEAR), 1);
	const ecp_block *lo, *hi;
	conflicting(f, &lo, &hi);
	ecp_item it[2] = {
	    {.kind = ECP_BLOCK, .role = 0, .origin = P(1000), .block_id = lo->id, .block = lo},
	    {.kind = ECP_BLOCK, .role = 0, .origin = P(2000), .block_id = hi->id, .block = hi}};
	deliver(f, P(3000), 0, it, 2);
	tick(f);
	ecp_item v;
	assert_int_equal(sent(f, P(2000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, 1);
	assert_int_equal(sent(f, P(1000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, -1);
	/* as the entry member it passed each block to its window */
	assert_true(sent(f, P(21000), ECP_BLOCK, NULL) >= 2);
	destroy(f);

	/* the same in the other delivery order */
	f = make(P(NEAR), 1);
	conflicting(f, &lo, &hi);
	it[0] = (ecp_item){.kind = ECP_BLOCK, .role = 0, .origin = P(2000), .block_id = hi->id,
	                   .block = hi};
	it[1] = (ecp_item){.kind = ECP_BLOCK, .role = 0, .origin = P(1000), .block_id = lo->id,
	                   .block = lo};
	deliver(f, P(3000), 0, it, 2);
	tick(f);
	assert_int_equal(sent(f, P(2000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, 1);
	assert_int_equal(sent(f, P(1000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, -1);
	destroy(f);
}

/* Backing the lower block first, a member withdraws its yes (and waits for
 * the submitter's acknowledgement) before it backs the higher one. */
static void
test_withdrawal(void **state)
{
	(void)state;
	fixture *f = make(P(NEAR), 1);
	const ecp_block *lo, *hi;
	conflicting(f, &lo, &hi);
	ecp_item a = {.kind = ECP_BLOCK, .role = 0, .origin = P(1000), .block_id = lo->id,
	              .block = lo};
	deliver(f, P(3000), 0, &a, 1);
	tick(f);
	ecp_item v;
	assert_int_equal(sent(f, P(1000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, 1);
	f->nout = 0;
	ecp_item b = {.kind = ECP_BLOCK, .role = 0, .origin = P(2000), .block_id = hi->id,
	              .block = hi};
	deliver(f, P(3000), 1, &b, 1);
	tick(f);
	assert_int_equal(sent(f, P(1000), ECP_WITHDRAW, NULL), 1);
	assert_int_equal(sent(f, P(2000), ECP_VOTE, NULL), 0); /* not before the ack */
	/* a late copy of the first wave is not a re-poll: no answer (answering
	 * every copy once cost half of all BLOCK messages) */
	f->nout = 0;
	a.hops = 0;
	for (int i = 0; i < 8; i++)
		tick(f);
	f->nout = 0;
	deliver(f, P(1000), 9, &a, 1);
	tick(f);
	assert_int_equal(sent(f, P(1000), ECP_VOTE, NULL), 0);
	assert_int_equal(f->nout, 0); /* nor a pass to the window */
	/* a re-poll of the lower block now hears a no */
	a.flags = ECP_F_POLL;
	deliver(f, P(1000), 9, &a, 1);
	tick(f);
	assert_int_equal(sent(f, P(1000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, -1);
	f->nout = 0;
	ecp_item ack = {.kind = ECP_WITHDRAWN, .role = 0, .block_id = lo->id};
	deliver(f, P(1000), 10, &ack, 1);
	tick(f);
	assert_int_equal(sent(f, P(2000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, 1);
	destroy(f);
}

/* At the submitter a withdrawal outranks the yes it takes back, whatever
 * order they arrive in; after a commit it is answered with the certificate. */
static void
test_withdrawal_at_submitter(void **state)
{
	(void)state;
	fixture *f = make(P(FAR), 1);
	uint64_t tok = TOK;
	ec_id bid = submit(f, &tok, 1, gap(30000, 31000));
	tick(f);
	for (uint64_t v = 27000; v <= 31000; v += 2000)
		vote(f, P(v), bid, ECP_ROLE_WITNESS, 1, 1);
	for (uint64_t v = 7000; v <= 10000; v += 1000)
		vote(f, P(v), bid, 0, 1, 1);
	ecp_item w = {.kind = ECP_WITHDRAW, .role = 0, .block_id = bid};
	deliver(f, P(11000), 3, &w, 1);
	ecp_item ack;
	tick(f);
	assert_int_equal(sent(f, P(11000), ECP_WITHDRAWN, &ack), 1);
	vote(f, P(11000), bid, 0, 1, 2); /* its older yes, overtaken on the way */
	tick(f);
	assert_false(committed(f, &bid));
	vote(f, P(12000), bid, 0, 1, 2);
	tick(f);
	assert_true(committed(f, &bid));
	f->nout = 0;
	deliver(f, P(13000), 5, &w, 1);
	tick(f);
	ecp_item c;
	assert_int_equal(sent(f, P(13000), ECP_COMMIT, &c), 1);
	assert_non_null(c.cert);
	assert_int_equal(sent(f, P(13000), ECP_WITHDRAWN, NULL), 0);
	destroy(f);
}

/* A member commits on a certificate, writes its token mapping, blocks the
 * conflicting block and then votes no on a block with the old parent, and
 * yes on a transfer from the committed block signed by the key it named. */
static void
test_certificate(void **state)
{
	(void)state;
	uint8_t pk_a[EC_SIG_PK_BYTES], sk_a[EC_SIG_SK_BYTES];
	keys(1, pk_a, sk_a);
	ec_id ka = key_hash(pk_a);
	fixture *sub = make(P(SUB), 1);
	/* the create names A's key; witnesses [27000, 35000] */
	ecp_block *pb = new_block(1);
	pb->parts[0] = (ecp_part){.token = tok_id(NEARTOK), .next_key = ka};
	grind(pb, gap(30000, 31000));
	const ecp_block *parent = keep(sub, pb);
	submit_block(sub, parent);
	tick(sub);
	for (uint64_t v = 17000; v <= 25000; v += 2000)
		vote(sub, P(v), parent->id, 0, 1, 1);
	vote(sub, P(NEAR), parent->id, 0, 1, 1);
	for (uint64_t v = 27000; v <= 31000; v += 2000)
		vote(sub, P(v), parent->id, ECP_ROLE_WITNESS, 1, 1);
	sub->nout = 0;
	tick(sub);
	ecp_item c;
	assert_int_equal(sent(sub, P(NEAR), ECP_COMMIT, &c), 1);

	fixture *f = make(P(NEAR), 1);
	/* a conflicting create of the same token is pending here, with my yes */
	uint64_t tok = NEARTOK;
	const ecp_block *rival = creates(f, &tok, 1, 8, ANYWHERE);
	ecp_item b = {.kind = ECP_BLOCK, .role = 0, .origin = P(2000), .block_id = rival->id,
	              .block = rival};
	deliver(f, P(3000), 0, &b, 1);
	tick(f);
	ecp_item v;
	assert_int_equal(sent(f, P(2000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, 1);
	f->nout = 0;
	deliver(f, P(SUB), 2, &c, 1);
	tick(f);
	assert_true(committed(f, &parent->id));
	assert_int_equal(f->commits, 1);
	ec_id cur;
	uint64_t t;
	assert_true(ecp_store(&f->ctx.store)->xtoken_get(f->ctx.store.impl, &parent->parts[0].token, &cur, &t));
	assert_true(ec_id_eq(&cur, &parent->id));
	assert_int_equal(f->blocked, 1); /* the rival */
	assert_int_equal(sent(f, P(2000), ECP_BLOCKED, NULL), 1);
	assert_false(committed(f, &rival->id));
	for (int i = 0; i < 3; i++) /* the blocked rival lingers, then goes */
		tick(f);
	/* a block spending the token from its old parent is refused */
	const ecp_block *stale = creates(f, &tok, 1, 9, ANYWHERE);
	b = (ecp_item){.kind = ECP_BLOCK, .role = 0, .origin = P(4000), .block_id = stale->id,
	               .block = stale};
	f->nout = 0;
	deliver(f, P(3000), 3, &b, 1);
	tick(f);
	assert_int_equal(sent(f, P(4000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, -1);
	assert_int_equal(f->rejects[EC_REJECT_STALE], 1);
	/* and one from the committed block, signed by A, is accepted */
	ec_id nk = ec_id_expand(9);
	const ecp_block *next = transfer(f, parent, &nk, pk_a, sk_a, ANYWHERE);
	b.block_id = next->id;
	b.block = next;
	f->nout = 0;
	deliver(f, P(3000), 4, &b, 1);
	tick(f);
	assert_int_equal(sent(f, P(4000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, 1);
	assert_int_equal(nrejects(f), 1);
	destroy(f);
	destroy(sub);
}

/* The signed lifecycle through the node: with the parent committed in its
 * store, a transfer signed by another key than the one the parent named
 * gets a no and WRONG_KEY evidence, a bad signature gets a no and BAD_SIG,
 * a certificate for the wrong-key transfer is refused, and the transfer
 * signed by the right key commits (here the member submits it itself). */
static void
test_signed_transfer(void **state)
{
	(void)state;
	uint8_t pk_a[EC_SIG_PK_BYTES], sk_a[EC_SIG_SK_BYTES];
	uint8_t pk_b[EC_SIG_PK_BYTES], sk_b[EC_SIG_SK_BYTES];
	keys(1, pk_a, sk_a);
	keys(2, pk_b, sk_b);
	ec_id ka = key_hash(pk_a), kb = key_hash(pk_b);
	fixture *f = make(P(NEAR), 1);
	const ec_store *st = &f->ctx.store;
	/* the parent names A's key; stored as committed */
	ecp_block *pb = new_block(1);
	pb->time = 5;
	pb->parts[0] = (ecp_part){.token = tok_id(NEARTOK), .next_key = ka};
	ecp_block_id(pb, &pb->id);
	const ecp_block *parent = keep(f, pb);
	assert_int_equal(ecp_store(st)->xblock_put(st->impl, parent, NULL), EC_OK);
	assert_int_equal(ecp_store(st)->xtoken_put(st->impl, &parent->parts[0].token, &parent->id,
	                                     parent->time),
	                 EC_OK);
	assert_true(committed(f, &parent->id));

	/* B signs, validly, a transfer the parent never allowed it to make */
	const ecp_block *wrong = transfer(f, parent, &kb, pk_b, sk_b, gap(30000, 31000));
	assert_int_equal(ecp_part_check(&ec_sig_keyed_hash, wrong, 0, parent), EC_REJECT_WRONG_KEY);
	/* A is named, but the signature is not A's */
	ec_id k3 = ec_id_expand(3); /* not the good transfer's next key: another block */
	ecp_block *bad = new_block(1);
	memcpy(bad, transfer(f, parent, &k3, pk_a, sk_a, ANYWHERE), ecp_block_size(1));
	bad->parts[0].sig[17] ^= 0x10;
	const ecp_block *badsig = keep(f, bad);
	assert_int_equal(ecp_part_check(&ec_sig_keyed_hash, badsig, 0, parent), EC_REJECT_BAD_SIG);
	ecp_item it[2] = {
	    {.kind = ECP_BLOCK, .role = 0, .origin = P(4000), .block_id = wrong->id, .block = wrong},
	    {.kind = ECP_BLOCK, .role = 0, .origin = P(5000), .block_id = badsig->id,
	     .block = badsig}};
	deliver(f, P(3000), 0, it, 2);
	tick(f);
	ecp_item v;
	assert_int_equal(sent(f, P(4000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, -1);
	assert_int_equal(sent(f, P(5000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, -1);
	assert_int_equal(f->rejects[EC_REJECT_WRONG_KEY], 1);
	assert_int_equal(f->rejects[EC_REJECT_BAD_SIG], 1);
	assert_int_equal(nrejects(f), 2);
	/* votes are no proof: a certificate for the wrong-key transfer is refused */
	ecp_item c = {.kind = ECP_COMMIT, .block_id = wrong->id, .block = wrong,
	              .cert = full_cert(f, P(NEAR), wrong)};
	deliver(f, P(4000), 1, &c, 1);
	tick(f);
	assert_false(committed(f, &wrong->id));
	assert_int_equal(f->rejects[EC_REJECT_WRONG_KEY], 2);
	assert_int_equal(f->commits, 0);

	/* the transfer A signs commits: my own yes and four fellows' make the
	 * quorum, three witnesses the witness role */
	const ecp_block *good = transfer(f, parent, &kb, pk_a, sk_a, gap(30000, 31000));
	assert_int_equal(ecp_part_check(&ec_sig_keyed_hash, good, 0, parent), EC_ACCEPT);
	f->nout = 0;
	submit_block(f, good);
	tick(f);
	assert_int_equal(nrejects(f), 3); /* my own check of it passed */
	window_votes(f, P(NEAR), P(NEARTOK), good->id, 0, 3);
	window_votes(f, P(NEAR), ec_id_pos(&good->id), good->id, ECP_ROLE_WITNESS, 3);
	tick(f);
	assert_false(committed(f, &good->id)); /* 4 yes: no quorum yet */
	window_votes(f, P(NEAR), P(NEARTOK), good->id, 0, 4);
	tick(f);
	assert_true(committed(f, &good->id));
	assert_int_equal(f->commits, 1);
	ec_id cur;
	uint64_t t;
	assert_true(ecp_store(st)->xtoken_get(st->impl, &parent->parts[0].token, &cur, &t));
	assert_true(ec_id_eq(&cur, &good->id));
	assert_int_equal(nrejects(f), 3);
	/* the bodies live in f's arena: copies for the next node */
	ecp_block *pcopy = new_block(1), *gcopy = new_block(1);
	memcpy(pcopy, parent, ecp_block_size(1));
	memcpy(gcopy, good, ecp_block_size(1));
	destroy(f);

	/* without a signature scheme nothing signed passes */
	f = make(P(NEAR), 1);
	f->ctx.sig = NULL;
	parent = keep(f, pcopy);
	good = keep(f, gcopy);
	st = &f->ctx.store;
	assert_int_equal(ecp_store(st)->xblock_put(st->impl, parent, NULL), EC_OK);
	assert_int_equal(ecp_store(st)->xtoken_put(st->impl, &parent->parts[0].token, &parent->id,
	                                     parent->time),
	                 EC_OK);
	ecp_item g = {.kind = ECP_BLOCK, .role = 0, .origin = P(4000), .block_id = good->id,
	              .block = good};
	deliver(f, P(3000), 0, &g, 1);
	tick(f);
	assert_int_equal(sent(f, P(4000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, -1);
	assert_int_equal(f->rejects[EC_REJECT_BAD_SIG], 1);
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
	    cmocka_unit_test(test_commit_rule),
	    cmocka_unit_test(test_balance_and_blocking),
	    cmocka_unit_test(test_grace),
	    cmocka_unit_test(test_wake_at),
	    cmocka_unit_test(test_poll_to_voters),
	    cmocka_unit_test(test_member_waits_for_certificate),
	    cmocka_unit_test(test_conflict_highest_first),
	    cmocka_unit_test(test_withdrawal),
	    cmocka_unit_test(test_withdrawal_at_submitter),
	    cmocka_unit_test(test_certificate),
	    cmocka_unit_test(test_signed_transfer),
	    cmocka_unit_test(test_batching),
	    cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
