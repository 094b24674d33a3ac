/* SPDX-License-Identifier: MIT */
/*
 * Byzantine nodes in the simulator (docs/byzantine.md).  The checker is not
 * blind: at 45 % accomplices it finds attack blocks committed by honest
 * nodes, and at 0 % nothing; equivocators at 45 % make double spends, and
 * 1 % of nodes forging certificates do too, unless votes are signed.
 * Conviction convicts equivocators and never an honest node.
 * Also: a run with Byzantine options but no liars is the honest run; every
 * behaviour gives the same output on 1 and 3 threads; silent nodes cast no
 * counted vote; the target placement takes the nodes nearest the target
 * and costs them; the witness rule stops a captured window's double spend
 * where attacker-chosen witnesses do not; behaviour names parse and print
 * back; bad settings are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ec/adversary.h"
#include "ec/ecp.h"
#include "ec/lifecycle.h"
#include "ecsim/sim.h"

static ec_sim_result
run(const ec_sim_config *cfg)
{
	ec_sim *sim = NULL;
	ec_sim_result res;
	assert_int_equal(ec_sim_new(cfg, &sim), EC_OK);
	assert_int_equal(ec_sim_run(sim), EC_OK);
	assert_int_equal(ec_sim_result_get(sim, &res), EC_OK);
	ec_sim_free(sim);
	return res;
}

/* 500 nodes, conflict families and forgeries: the attack workload. */
static ec_sim_config
attacked(ecp_config *ecfg, double f, uint32_t behaviours)
{
	ec_sim_config cfg;
	ec_sim_config_default(&cfg);
	ecp_config_default(ecfg);
	cfg.nodes = 500;
	cfg.rounds = 200;
	cfg.warmup = 20;
	cfg.drain = 40;
	cfg.topology = (ec_topology){EC_TOPO_SMALL_WORLD, 0, 0, 32};
	cfg.tokens_per_node = 1;
	cfg.tx_per_node = 0.01;
	cfg.conflict_rate = 0.3;
	cfg.forge_rate = 0.1;
	cfg.protocol = &ec_protocol_ec;
	cfg.protocol_config = ecfg;
	cfg.neighbourhood = ecfg->window;
	cfg.byzantine.fraction = f;
	cfg.byzantine.behaviours = behaviours;
	return cfg;
}

static void
test_checker_not_blind(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = attacked(&ecfg, 0.45, EC_BHV_ACCOMPLICE);
	ec_sim_result r = run(&cfg);
	assert_true(r.byz.on);
	assert_int_equal(r.byz.nodes, 225);
	/* accomplices vote yes on forgeries and replays: honest submitters
	 * commit them where liars hold a majority of the window */
	assert_true(r.byz.invalid_commits > 0);
	assert_int_equal(r.byz.safety_violations, r.byz.double_spends + r.byz.invalid_commits);
	assert_true(r.byz.first_violation_round < cfg.rounds);
	assert_true(r.safety.checked);
	/* the run went on after the first violation */
	assert_int_equal(r.rounds_run, cfg.rounds);

	cfg = attacked(&ecfg, 0.0, EC_BHV_ACCOMPLICE);
	r = run(&cfg);
	assert_true(r.byz.on);
	assert_int_equal(r.byz.nodes, 0);
	assert_int_equal(r.byz.safety_violations, 0);
	assert_int_equal(r.byz.first_violation_round, UINT64_MAX);
	assert_int_equal(r.byz.votes_byzantine, 0);
	assert_true(r.byz.honest_blocks > 100);
	assert_int_equal(r.byz.honest_committed, r.byz.honest_blocks);
}

static void
test_equivocation_double_spends(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = attacked(&ecfg, 0.45, EC_BHV_EQUIVOCATE);
	ec_sim_result r = run(&cfg);
	/* yes to both twins' submitters: both commit where liars and the
	 * honest members who saw each twin first make two quorums */
	assert_true(r.byz.double_spends > 0);
	assert_true(r.byz.byzantine_vote_share > 0.3);
}

/* Votes are not signed, so a certificate is a list anyone can write: five
 * liars of 500 that send made-up certificates for the attacker's twins
 * make honest members commit them beside the other twin.  (A finding, not
 * a goal: docs/byzantine.md; with signed votes this must become 0.) */
static void
test_forged_certificates(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = attacked(&ecfg, 0.0, EC_BHV_FORGE_CERT);
	cfg.byzantine.count = 5;
	ec_sim_result r = run(&cfg);
	assert_int_equal(r.byz.nodes, 5);
	assert_true(r.byz.double_spends > 0);
	/* the liars cast no vote of their own that counted for much */
	assert_true(r.byz.byzantine_vote_share < 0.05);
}

/* Signed votes: the same five forgers, whose certificates can carry good
 * signatures only for the coalition's own votes, commit nothing anywhere;
 * and signing leaves a conflict-free network's commits alone. */
static void
test_signed_votes_stop_forgery(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = attacked(&ecfg, 0.0, EC_BHV_FORGE_CERT);
	cfg.byzantine.count = 5;
	ecfg.defences = ECP_DEF_SIGNED;
	ec_sim_result r = run(&cfg);
	assert_int_equal(r.byz.nodes, 5);
	assert_int_equal(r.byz.safety_violations, 0);
	assert_true(r.byz.honest_committed_fraction > 0.99);
	/* a yes without a good signature is refused, and counted as evidence */
	assert_true(r.events[EC_EV_REJECT] > 0);

	cfg = attacked(&ecfg, 0.0, 0);
	cfg.conflict_rate = 0;
	cfg.forge_rate = 0;
	ec_sim_result plain = run(&cfg);
	ecfg.defences = ECP_DEF_SIGNED;
	ec_sim_result sig = run(&cfg);
	assert_int_equal(plain.committed, sig.committed);
	assert_true(sig.bytes > plain.bytes); /* 64 bytes a vote */
}

/* Conviction: equivocators sign yes votes for both twins, the two votes
 * meet at some honest node, and the voter is convicted; no honest node is
 * ever convicted, whatever the conflicts (an honest yes is final under
 * signed votes).  Without conviction nobody is. */
static void
test_conviction(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = attacked(&ecfg, 0.1, EC_BHV_EQUIVOCATE);
	ecfg.defences = ECP_DEF_SIGNED;
	ec_sim_result plain = run(&cfg);
	assert_int_equal(plain.byz.convicted, 0);
	assert_int_equal(plain.byz.convictions, 0);
	assert_int_equal(plain.byz.first_conviction_round, UINT64_MAX);
	ecfg.defences = ECP_DEF_SIGNED | ECP_DEF_CONVICT;
	ec_sim_result r = run(&cfg);
	assert_true(r.byz.convicted > r.byz.nodes / 4);
	assert_int_equal(r.byz.convicted_honest, 0);
	assert_true(r.byz.convictions >= r.byz.convicted);
	assert_true(r.byz.first_conviction_round < cfg.rounds);
	/* fewer of the liars' votes count once their neighbours know */
	assert_true(r.byz.byzantine_vote_share < plain.byz.byzantine_vote_share);

	/* an honest network with many conflicts convicts nobody */
	cfg = attacked(&ecfg, 0.0, EC_BHV_EQUIVOCATE);
	cfg.conflict_rate = 0.5;
	ecfg.defences = ECP_DEF_SIGNED | ECP_DEF_CONVICT;
	ec_sim_result honest = run(&cfg);
	assert_true(honest.conflicts.families > 20);
	assert_int_equal(honest.byz.convictions, 0);
}

/* Agreement scoring (the seed's echo chamber) strikes equivocators whose
 * votes disagreed with outcomes, with no proof; off, it strikes nobody. */
static void
test_agreement_scoring(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = attacked(&ecfg, 0.2, EC_BHV_EQUIVOCATE);
	ec_sim_result plain = run(&cfg);
	assert_int_equal(plain.byz.scored_out + plain.byz.scored_out_honest, 0);
	ecfg.defences = ECP_DEF_AGREE;
	ec_sim_result r = run(&cfg);
	assert_true(r.byz.scored_out > 0);
	assert_true(r.byz.scorings >= r.byz.scored_out);
	assert_int_equal(r.byz.convicted, 0); /* no proof was involved */
}

/* storage-cheat in an open network: liars that keep half their mappings
 * fail the storage audits of their neighbours and are evicted; without
 * audits nobody is; no honest node is evicted. */
static void
test_storage_cheat(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = attacked(&ecfg, 0.1, EC_BHV_STORAGE_CHEAT);
	cfg.nodes = 300;
	cfg.start_nodes = 20;
	cfg.join_rate = 20;
	cfg.rounds = 260;
	cfg.warmup = 60;
	cfg.conflict_rate = 0;
	cfg.forge_rate = 0;
	cfg.tx_per_node = 0.005;
	cfg.byzantine.cheat_keep = 0.5;
	ec_sim_result quiet = run(&cfg);
	assert_int_equal(quiet.open.lazy_nodes, 30);
	assert_int_equal(quiet.open.evict_lazy, 0);
	ecfg.audit = 8;
	ec_sim_result r = run(&cfg);
	assert_int_equal(r.open.lazy_nodes, 30);
	assert_true(r.open.evict_lazy > 0);
	assert_int_equal(r.open.evict_honest, 0);
}

static void
same_run(const ec_sim_result *a, const ec_sim_result *b)
{
	assert_int_equal(a->messages, b->messages);
	assert_int_equal(a->bytes, b->bytes);
	assert_int_equal(a->committed, b->committed);
	assert_memory_equal(&a->latency, &b->latency, sizeof a->latency);
	assert_memory_equal(&a->conflicts, &b->conflicts, sizeof a->conflicts);
	assert_memory_equal(&a->byz, &b->byz, sizeof a->byz);
}

/* Eclipse: liars that capture joins and answer lookups with each other
 * keep joiners from ever hearing of their honest neighbours; the floor
 * (self-lookups through the bootstrap contacts, one step at a time)
 * finds them.  Liars that never start are the baseline: nobody isolated. */
static void
test_eclipse(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = attacked(&ecfg, 0.3, EC_BHV_ECLIPSE);
	cfg.start_nodes = 20;
	cfg.join_rate = 20;
	cfg.warmup = 60;
	cfg.conflict_rate = 0;
	cfg.forge_rate = 0;
	cfg.tx_per_node = 0.005;
	cfg.byzantine.start = 1000000; /* never */
	ec_sim_result base = run(&cfg);
	cfg.byzantine.start = 0;
	ec_sim_result off = run(&cfg);
	ecfg.defences = ECP_DEF_FLOOR;
	ec_sim_result floor = run(&cfg);
	print_message("eclipse: isolated %llu / %llu / %llu, joins unfinished %llu / %llu / %llu\n",
	              (unsigned long long)base.byz.honest_isolated,
	              (unsigned long long)off.byz.honest_isolated,
	              (unsigned long long)floor.byz.honest_isolated,
	              (unsigned long long)base.open.join_unfinished,
	              (unsigned long long)off.open.join_unfinished,
	              (unsigned long long)floor.open.join_unfinished);
	assert_int_equal(base.byz.honest_isolated, 0);
	assert_true(off.byz.honest_isolated >= 5);
	assert_true(off.byz.byzantine_peer_share > base.byz.byzantine_peer_share + 0.05);
	assert_true(2 * floor.byz.honest_isolated < off.byz.honest_isolated);
	assert_true(2 * floor.open.join_unfinished < off.open.join_unfinished);
	assert_int_equal(floor.byz.safety_violations, 0);
	/* the same output on 3 threads (the coalition's directory reads the
	 * live set, which changes only between the rounds' phases) */
	ecfg.defences = ECP_DEF_ALL;
	cfg.rounds = 120;
	cfg.threads = 1;
	ec_sim_result one = run(&cfg);
	cfg.threads = 3;
	ec_sim_result three = run(&cfg);
	same_run(&one, &three);
	assert_int_equal(one.open.join_unfinished, three.open.join_unfinished);
	assert_true(one.open.view_exact_fraction == three.open.view_exact_fraction);
}

/* Byzantine options with no liar change nothing but the added figures. */
static void
test_no_liars_is_honest(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = attacked(&ecfg, 0.0, 0);
	ec_sim_result honest = run(&cfg);
	cfg.byzantine.behaviours = EC_BHV_EQUIVOCATE | EC_BHV_DELAY | EC_BHV_FAST_YES;
	ec_sim_result none = run(&cfg);
	assert_false(honest.byz.on);
	assert_true(none.byz.on);
	assert_int_equal(honest.messages, none.messages);
	assert_int_equal(honest.bytes, none.bytes);
	assert_int_equal(honest.committed, none.committed);
	assert_memory_equal(&honest.latency, &none.latency, sizeof honest.latency);
	assert_memory_equal(&honest.conflicts, &none.conflicts, sizeof honest.conflicts);
	assert_memory_equal(honest.events, none.events, sizeof honest.events);
}


/* Every behaviour, in three groups: the same output on 1 and 3 threads
 * (held and express messages are moved in queue order). */
static void
test_threads(void **state)
{
	(void)state;
	static const uint32_t groups[] = {
	    EC_BHV_FAST_YES | EC_BHV_DELAY | EC_BHV_CENSOR,
	    EC_BHV_EQUIVOCATE | EC_BHV_CAMOUFLAGE | EC_BHV_WITHHOLD,
	    EC_BHV_BALANCER | EC_BHV_SLEEPER | EC_BHV_ACCOMPLICE,
	    EC_BHV_SILENT, EC_BHV_EQUIVOCATE | EC_BHV_FORGE_CERT};
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		ecp_config ecfg;
		ec_sim_config cfg = attacked(&ecfg, 0.3, groups[g]);
		if (groups[g] & EC_BHV_FORGE_CERT) /* convictions, concurrently */
			ecfg.defences = ECP_DEF_ALL;
		cfg.nodes = 1024; /* several workers' ranges */
		cfg.rounds = 120;
		cfg.byzantine.start = (groups[g] & EC_BHV_SLEEPER) ? 40 : 0;
		cfg.threads = 1;
		ec_sim_result one = run(&cfg);
		cfg.threads = 3;
		ec_sim_result three = run(&cfg);
		same_run(&one, &three);
		assert_true(one.committed > 0);
	}
}

static void
test_silent_votes_nothing(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = attacked(&ecfg, 0.3, EC_BHV_SILENT);
	ec_sim_result r = run(&cfg);
	assert_int_equal(r.byz.nodes, 150);
	assert_true(r.byz.votes_counted > 0);
	assert_int_equal(r.byz.votes_byzantine, 0);
	/* a third of every window says nothing, and blocks still commit */
	assert_true(r.byz.honest_committed > 0);
	/* the peers honest nodes hold: about the share of liars */
	assert_true(r.byz.byzantine_peer_share > 0.2 && r.byz.byzantine_peer_share < 0.4);
}

/* A Sybil cluster at a target token, one-token blocks: its owner
 * double-spends the token at every spend. */
static ec_sim_config
targeted(ecp_config *ecfg, uint32_t k, uint32_t witnesses, uint32_t defences)
{
	ec_sim_config cfg = attacked(ecfg, 0.0, EC_BHV_SYBIL | EC_BHV_EQUIVOCATE);
	cfg.rounds = 400;
	cfg.conflict_rate = 0;
	cfg.forge_rate = 0;
	cfg.block_min = cfg.block_max = 1;
	cfg.witness_tokens = witnesses;
	cfg.byzantine.count = k;
	cfg.byzantine.placement = EC_PLACE_TARGET;
	ecfg->defences = defences;
	return cfg;
}

static void
test_target_placement(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = targeted(&ecfg, 5, 0, 0);
	ec_sim_result r = run(&cfg);
	assert_int_equal(r.byz.nodes, 5);
	/* every spend of the target token is doubled by its owner, and the
	 * target is spent whenever it is free */
	assert_true(r.byz.target_families > 20);
	assert_int_equal(r.conflicts.families, r.byz.target_families);
	/* 5 identities into the 9-node arc of a 500-node ring: 5 * 500 / 9 */
	assert_true(r.byz.attack_cost_attempts > 277.0 && r.byz.attack_cost_attempts < 278.0);
	/* five of the nine members of the target's window back both twins */
	assert_true(r.byz.double_spends > 0);
	assert_int_equal(r.byz.honest_committed, r.byz.honest_blocks);
}

/* Witness tokens stop the targeted double spend only when the attacker
 * cannot choose them: with its own witnesses for each twin the whole
 * captured window still double-spends; under the witness rule the twin
 * that carries them is refused by every member, and nothing is double
 * spent. */
static void
test_witness_rule(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = targeted(&ecfg, 9, 2, 0);
	ec_sim_result chosen = run(&cfg);
	assert_true(chosen.byz.double_spends > 0);
	cfg = targeted(&ecfg, 9, 2, ECP_DEF_WITNESS);
	ec_sim_result derived = run(&cfg);
	assert_true(derived.byz.target_families > 20);
	assert_int_equal(derived.byz.double_spends, 0);
	assert_int_equal(derived.byz.honest_committed, derived.byz.honest_blocks);
	/* the twins carry the witnesses their owner chose: refused */
	assert_true(derived.rejects[EC_REJECT_MALFORMED] > 0);
}

/* Forgeries on the (token, parent) of honest transfers, with the
 * witnesses the rule derives for them: they must not take the honest
 * block's witness windows (the signer is in the derivation, and witness
 * windows check signatures), or anyone could censor any transfer. */
static void
test_witness_no_griefing(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = attacked(&ecfg, 0.0, EC_BHV_ACCOMPLICE);
	cfg.nodes = 1000;
	cfg.rounds = 300;
	cfg.tx_per_node = 0.005;
	cfg.forge_rate = 0.5;
	cfg.witness_tokens = 2;
	ecfg.defences = ECP_DEF_WITNESS;
	ec_sim_result r = run(&cfg);
	assert_true(r.forged_injected > 100);
	assert_int_equal(r.forged_committed, 0);
	assert_true(r.byz.honest_blocks > 200);
	assert_int_equal(r.byz.honest_committed, r.byz.honest_blocks);
}

/* The minimum: a block with fewer witnesses than witness_min is refused
 * by every member, honest or not. */
static void
test_witness_min(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = targeted(&ecfg, 5, 1, ECP_DEF_WITNESS); /* 1 witness, 2 required */
	ec_sim_result r = run(&cfg);
	assert_true(r.byz.honest_blocks > 100);
	assert_int_equal(r.byz.honest_committed, 0);
	assert_true(r.rejects[EC_REJECT_MALFORMED] > 0);
	ecfg.witness_min = 1;
	r = run(&cfg);
	assert_int_equal(r.byz.honest_committed, r.byz.honest_blocks);
}

/* The behaviours that attack liveness do: with every token a target,
 * withholders and censors leave honest blocks uncommitted that the honest
 * run commits, and delaying nodes make commits slower. */
static void
test_liveness_behaviours(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = attacked(&ecfg, 0.3, EC_BHV_SILENT);
	cfg.byzantine.fraction = 0;
	ec_sim_result honest = run(&cfg);
	assert_int_equal(honest.byz.censored_blocks, 0);
	static const uint32_t lying[] = {EC_BHV_WITHHOLD, EC_BHV_CENSOR, EC_BHV_SILENT};
	for (size_t k = 0; k < sizeof lying / sizeof lying[0]; k++) {
		cfg = attacked(&ecfg, 0.35, lying[k]);
		cfg.byzantine.share = 1.0;
		ec_sim_result r = run(&cfg);
		assert_true(r.byz.censored_blocks > 0);
	}
	cfg = attacked(&ecfg, 0.3, EC_BHV_DELAY);
	ec_sim_result late = run(&cfg);
	assert_true(late.latency.mean > honest.latency.mean + 1.0);
}

/* The rule itself, on a hand-built block: a spend and two witnesses. */
static void
test_witness_ids(void **state)
{
	(void)state;
	ecp_block *b = calloc(1, ecp_block_size(3));
	assert_non_null(b);
	ec_id tok = ec_id_expand(0x4000000000000000ull), par = ec_id_expand(0x1234);
	uint8_t signer[1][EC_SIG_PK_BYTES] = {{0}}, other[1][EC_SIG_PK_BYTES] = {{1}};
	const uint8_t(*sg)[EC_SIG_PK_BYTES] = (const uint8_t(*)[EC_SIG_PK_BYTES])signer;
	uint64_t w0 = ecp_witness_pos(&tok, &par, sg, 1, 0), w1 = ecp_witness_pos(&tok, &par, sg, 1, 1);
	assert_true(w0 != w1 && w0 && w1);
	ecp_part parts[3] = {{.token = tok, .parent = par, .next_key = ec_id_expand(7)},
	                     {.token = ec_id_expand(w0)},
	                     {.token = ec_id_expand(w1)}};
	b->nparts = 3;
	for (uint32_t i = 0; i < 3; i++) { /* ascending token order */
		uint32_t j = i;
		for (; j > 0 && ec_id_cmp(&b->parts[j - 1].token, &parts[i].token) > 0; j--)
			b->parts[j] = b->parts[j - 1];
		b->parts[j] = parts[i];
	}
	assert_true(ecp_witness_derived(b));
	/* another parent, or another signer: other witnesses */
	ec_id par2 = ec_id_expand(0x1235);
	assert_true(ecp_witness_pos(&tok, &par2, sg, 1, 0) != w0);
	assert_true(ecp_witness_pos(&tok, &par, (const uint8_t(*)[EC_SIG_PK_BYTES])other, 1, 0) != w0);
	for (uint32_t i = 0; i < 3; i++)
		if (ec_id_eq(&b->parts[i].token, &parts[2].token))
			b->parts[i].token = ec_id_expand(w1 ^ 1); /* one the submitter chose */
	assert_false(ecp_witness_derived(b));
	free(b);
}

static void
test_names(void **state)
{
	(void)state;
	uint32_t m = 0;
	char buf[256];
	assert_int_equal(ec_behaviour_parse("censor,fast-yes", &m), EC_OK);
	assert_int_equal(m, EC_BHV_CENSOR | EC_BHV_FAST_YES);
	assert_string_equal(ec_behaviour_format(m, buf, sizeof buf), "censor,fast-yes");
	assert_int_equal(ec_behaviour_parse(ec_behaviour_format(EC_BHV_ALL, buf, sizeof buf), &m),
	                 EC_OK);
	assert_int_equal(m, EC_BHV_ALL);
	m = 7;
	assert_int_equal(ec_behaviour_parse("censor,,silent", &m), EC_EINVAL);
	assert_int_equal(ec_behaviour_parse("liar", &m), EC_EINVAL);
	assert_int_equal(ec_behaviour_parse("", &m), EC_EINVAL);
	assert_int_equal(ec_behaviour_parse("silent,", &m), EC_EINVAL);
	assert_int_equal(m, 7); /* unchanged on errors */
	/* a buffer too small keeps whole names only */
	assert_string_equal(ec_behaviour_format(EC_BHV_SILENT | EC_BHV_CENSOR, buf, 10), "silent");
}

static void
test_refused(void **state)
{
	(void)state;
	ecp_config ecfg;
	ec_sim_config cfg = attacked(&ecfg, 0.2, 0);
	assert_non_null(ec_sim_config_check(&cfg)); /* liars need a behaviour */
	cfg = attacked(&ecfg, 1.0, EC_BHV_SILENT);
	assert_non_null(ec_sim_config_check(&cfg));
	cfg = attacked(&ecfg, 0.0, EC_BHV_SILENT);
	cfg.byzantine.count = cfg.nodes;
	assert_non_null(ec_sim_config_check(&cfg)); /* an honest node must remain */
	cfg = attacked(&ecfg, 0.2, EC_BHV_SILENT);
	cfg.protocol = ec_protocol_find("seed");
	cfg.protocol_config = NULL;
	cfg.forge_rate = 0;
	assert_non_null(ec_sim_config_check(&cfg)); /* seed cannot run liars */
	cfg = attacked(&ecfg, 0.2, EC_BHV_SILENT);
	cfg.byzantine.censor_after = 0;
	assert_non_null(ec_sim_config_check(&cfg));
	cfg = attacked(&ecfg, 0.2, EC_BHV_ECLIPSE);
	assert_non_null(ec_sim_config_check(&cfg)); /* not simulated yet */
	cfg = attacked(&ecfg, 0.2, EC_BHV_STORAGE_CHEAT);
	assert_non_null(ec_sim_config_check(&cfg)); /* a static network audits nobody */
	cfg = attacked(&ecfg, 0.2, EC_BHV_CENSOR);
	assert_null(ec_sim_config_check(&cfg));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_checker_not_blind),
	    cmocka_unit_test(test_equivocation_double_spends),
	    cmocka_unit_test(test_forged_certificates),
	    cmocka_unit_test(test_signed_votes_stop_forgery),
	    cmocka_unit_test(test_conviction),
	    cmocka_unit_test(test_storage_cheat),
	    cmocka_unit_test(test_eclipse),
	    cmocka_unit_test(test_agreement_scoring),
	    cmocka_unit_test(test_no_liars_is_honest),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_silent_votes_nothing),
	    cmocka_unit_test(test_target_placement),
	    cmocka_unit_test(test_witness_rule),
	    cmocka_unit_test(test_witness_no_griefing),
	    cmocka_unit_test(test_witness_min),
	    cmocka_unit_test(test_liveness_behaviours),
	    cmocka_unit_test(test_witness_ids),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
