/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the ec protocol node (ec/ecp.h), driven through its
 * ec_protocol table with a recording context (ec_node_fixture.h, which also
 * describes the layout of peers and tokens): the commit rule on a
 * hand-built neighbourhood (net balance, quorum, witness, voters outside the
 * window), grace, blocking, exclusive votes for conflicting blocks (highest
 * first), withdrawals and their stamps, certificates, and the signed token
 * lifecycle (ids are content hashes; transfers are signed by the key the
 * parent named).
 */
#include "ec_node_fixture.h"

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

/* Submits a block the test built (and signed) itself, as a wallet does. */
static void
submit_block(fixture *f, const ecp_block *b)
{
	ec_txn t = {.id = ec_id_pos(&b->id), .time = b->time, .used = b->nparts, .block = b};
	assert_int_equal(f->proto->submit(f->node, &f->ctx, &t), EC_OK);
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

/* A store with yes reservations (ecp_store_ops.xvote_*), as a daemon's:
 * the memstore's ops plus a small table the node's restart keeps. */
typedef struct reservation {
	ec_id token, parent;
	ecp_xvote rec;
} reservation;
static reservation reservations[8];
static size_t nreservations;

static bool
res_get(void *impl, const ec_id *token, const ec_id *parent, ecp_xvote *x)
{
	(void)impl;
	for (size_t i = 0; i < nreservations; i++)
		if (ec_id_eq(&reservations[i].token, token) && ec_id_eq(&reservations[i].parent, parent)) {
			*x = reservations[i].rec;
			return true;
		}
	return false;
}

static ec_err
res_put(void *impl, const ec_id *token, const ec_id *parent, const ecp_xvote *x)
{
	ecp_xvote old;
	(void)impl;
	for (size_t i = 0; i < nreservations; i++)
		if (ec_id_eq(&reservations[i].token, token) && ec_id_eq(&reservations[i].parent, parent)) {
			reservations[i].rec = *x;
			return EC_OK;
		}
	assert_false(res_get(impl, token, parent, &old));
	assert_true(nreservations < 8);
	reservations[nreservations++] = (reservation){*token, *parent, *x};
	return EC_OK;
}

/* The node loses its pool (a crash) and starts again on the same store. */
static void
restart(fixture *f)
{
	f->proto->node_fini(f->node, &f->ctx);
	memset(f->node, 0, f->proto->node_size);
	assert_int_equal(f->proto->node_init(f->node, P(NEAR), &f->cfg), EC_OK);
	uint64_t ids[NPEERS];
	peer_ids(ids);
	assert_int_equal(f->proto->set_peers(f->node, &f->ctx, ids, NPEERS), EC_OK);
	f->nout = 0;
}

/* A member over a store with yes records, with two conflicting blocks:
 * *a (lower, from P(1000)) delivered and voted yes on, *b (higher, from
 * P(2000)) not yet delivered. */
static fixture *
backed_lower(const ecp_block **lo, const ecp_block **hi, ecp_item *a, ecp_item *b)
{
	static ecp_store_ops ops;
	fixture *f = make(P(NEAR), 1);
	ops = *ecp_store(&f->ctx.store);
	ops.xvote_get = res_get;
	ops.xvote_put = res_put;
	f->ctx.store.ops = &ops;
	nreservations = 0;
	conflicting(f, lo, hi);
	*a = (ecp_item){.kind = ECP_BLOCK, .role = 0, .origin = P(1000), .block_id = (*lo)->id,
	                .block = *lo};
	*b = (ecp_item){.kind = ECP_BLOCK, .role = 0, .origin = P(2000), .block_id = (*hi)->id,
	                .block = *hi};
	deliver(f, P(3000), 0, a, 1);
	tick(f);
	ecp_item v;
	assert_int_equal(sent(f, P(1000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, 1);
	return f;
}

/* A yes survives a crash through the store's record: after a restart
 * that lost the pool, a member that backed the lower of two conflicting
 * blocks asks the submitter its record names to drop the yes, and backs
 * the higher block only once acknowledged; one that backed the higher
 * block votes no on the lower; a record from an older store, which names
 * no submitter, keeps the yes for good; the block a member backed still
 * gets its yes. */
static void
test_yes_survives_restart(void **state)
{
	(void)state;
	const ecp_block *lo, *hi;
	ecp_item a, b, v;
	fixture *f = backed_lower(&lo, &hi, &a, &b);
	assert_int_equal(nreservations, 1);
	assert_true(ec_id_eq(&reservations[0].rec.block, &lo->id));
	assert_int_equal(reservations[0].rec.origin, P(1000));
	assert_true(reservations[0].rec.known);
	/* an older store's record: nobody to ask, so no on the higher block */
	reservations[0].rec.known = false;
	restart(f);
	deliver(f, P(3000), 0, &b, 1);
	tick(f);
	assert_int_equal(sent(f, P(2000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, -1);
	assert_int_equal(sent(f, P(1000), ECP_WITHDRAW, NULL), 0);
	/* a record that names its submitter: withdraw there, and wait */
	reservations[0].rec.known = true;
	restart(f);
	deliver(f, P(3000), 0, &b, 1);
	tick(f);
	assert_int_equal(sent(f, P(2000), ECP_VOTE, NULL), 0);
	ecp_item w;
	assert_int_equal(sent(f, P(1000), ECP_WITHDRAW, &w), 1);
	assert_true(ec_id_eq(&w.block_id, &lo->id));
	assert_int_equal(w.role, 0);
	/* an acknowledgement for a block my record does not name frees nothing */
	ecp_item other = {.kind = ECP_WITHDRAWN, .role = 0, .block_id = lo->id};
	other.block_id.w[3] ^= 1;
	f->nout = 0;
	deliver(f, P(1000), 1, &other, 1);
	tick(f);
	assert_int_equal(sent(f, P(2000), ECP_VOTE, NULL), 0);
	assert_true(ec_id_eq(&reservations[0].rec.block, &lo->id));
	/* the submitter acknowledges: the record is freed and the yes goes */
	ecp_item ack = {.kind = ECP_WITHDRAWN, .role = 0, .block_id = lo->id};
	f->nout = 0;
	deliver(f, P(1000), 2, &ack, 1);
	tick(f);
	assert_int_equal(sent(f, P(2000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, 1);
	assert_true(ec_id_eq(&reservations[0].rec.block, &hi->id));
	assert_int_equal(reservations[0].rec.origin, P(2000));
	/* after another crash the lower block gets a no, the higher its yes */
	restart(f);
	deliver(f, P(3000), 3, &a, 1);
	tick(f);
	assert_int_equal(sent(f, P(1000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, -1);
	assert_int_equal(sent(f, P(2000), ECP_WITHDRAW, NULL), 0);
	restart(f);
	deliver(f, P(3000), 4, &b, 1);
	tick(f);
	assert_int_equal(sent(f, P(2000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, 1);
	destroy(f);
}

/* Before a crash, in memory: the pool's own withdrawal (the record follows
 * it), for comparison with the record's. */
static void
test_yes_record_follows_pool(void **state)
{
	(void)state;
	const ecp_block *lo, *hi;
	ecp_item a, b, v;
	fixture *f = backed_lower(&lo, &hi, &a, &b);
	f->nout = 0;
	deliver(f, P(3000), 1, &b, 1);
	tick(f);
	assert_int_equal(sent(f, P(1000), ECP_WITHDRAW, NULL), 1);
	assert_true(ec_id_eq(&reservations[0].rec.block, &lo->id)); /* until acknowledged */
	ecp_item ack = {.kind = ECP_WITHDRAWN, .role = 0, .block_id = lo->id};
	f->nout = 0;
	deliver(f, P(1000), 2, &ack, 1);
	tick(f);
	assert_int_equal(sent(f, P(2000), ECP_VOTE, &v), 1);
	assert_int_equal(v.value, 1);
	assert_true(ec_id_eq(&reservations[0].rec.block, &hi->id));
	destroy(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commit_rule),
	    cmocka_unit_test(test_balance_and_blocking),
	    cmocka_unit_test(test_grace),
	    cmocka_unit_test(test_member_waits_for_certificate),
	    cmocka_unit_test(test_conflict_highest_first),
	    cmocka_unit_test(test_withdrawal),
	    cmocka_unit_test(test_withdrawal_at_submitter),
	    cmocka_unit_test(test_certificate),
	    cmocka_unit_test(test_signed_transfer),
	    cmocka_unit_test(test_yes_survives_restart),
	    cmocka_unit_test(test_yes_record_follows_pool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
