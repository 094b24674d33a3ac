/* SPDX-License-Identifier: MIT */
/* A safety violation found by the simulator (safety.h). */
#include "safety.h"

#include <stdio.h>
#include <string.h>

#include "ecsim/report.h"
#include "outfile.h"
#include "scenario.h"

/* The run's seed in a file name: the integer --seed takes when the seed is
 * one (bytes 8..31 zero), else the 64 hex digits of --seed-hex. */
static void
seed_name(const uint8_t seed[EC_RNG_SEED_BYTES], char buf[65])
{
	bool small = true;
	for (size_t i = 8; i < EC_RNG_SEED_BYTES; i++)
		small = small && seed[i] == 0;
	if (!small) {
		ec_seed_hex(seed, buf);
		return;
	}
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | seed[i];
	snprintf(buf, 65, "%llu", (unsigned long long)v);
}

/* c's configuration cut at the end of round `round` (< c->cfg.rounds): the
 * same run up to there, checked.  The drain is cut so that block creation
 * stops in the same round (if it stopped by then); the warm-up, which
 * changes figures only, is lowered where the cut run would not leave it
 * (ec_sim_config_check wants rounds left that create blocks).  Returns the
 * warm-up it had. */
static uint64_t
cut(ecsim_options *c, uint64_t round)
{
	uint64_t rounds = round + 1, rest = c->cfg.rounds - rounds, warmup = c->cfg.warmup;
	/* drain < rounds, so the cut drain is at most round */
	c->cfg.drain = c->cfg.drain > rest ? c->cfg.drain - rest : 0;
	if (c->cfg.warmup > round - c->cfg.drain)
		c->cfg.warmup = round - c->cfg.drain;
	c->cfg.rounds = rounds;
	c->cfg.safety_check = EC_SAFETY_ON;
	c->runs = 1;
	return warmup;
}

/* Writes scenario c to path after the comment lines in head (each line
 * already starting with "# ") and a note when c's warm-up is not
 * `warmup`.  Returns 0, or 1 (reported). */
static int
write_cut(const char *path, const ecsim_options *c, const char *head, uint64_t warmup)
{
	outfile f;
	if (outfile_create_path("ecsim", path, &f))
		return 1; /* reported */
	fputs(head, f.f);
	if (c->cfg.warmup != warmup)
		fprintf(f.f, "# The warm-up was %llu rounds: lowered, which changes figures, not the run.\n",
		        (unsigned long long)warmup);
	if (ecsim_scenario_print(f.f, c)) {
		outfile_discard(&f);
		fprintf(stderr, "ecsim: cannot write %s\n", path);
		return 1;
	}
	return outfile_commit(&f);
}

/* Writes the scenario that replays the violation to path.  Returns 0, or 1
 * (reported). */
static int
write_scenario(const char *path, const ecsim_options *o, const ec_safety_result *v)
{
	ecsim_options c = *o;
	uint64_t warmup = cut(&c, v->round);
	char head[256];
	snprintf(head, sizeof head,
	        "# The run up to its safety violation in round %llu: blocks %016llx and %016llx\n"
	        "# both spend token %016llx from parent %016llx, and both committed.\n",
	        (unsigned long long)v->round, (unsigned long long)v->block_a,
	        (unsigned long long)v->block_b, (unsigned long long)v->token,
	        (unsigned long long)v->parent);
	return write_cut(path, &c, head, warmup);
}

int
ecsim_safety_violation(const ecsim_options *o, uint64_t run, const ec_sim *sim,
                       const ec_sim_result *res)
{
	const ec_safety_result *v = &res->safety;
	fprintf(stderr, "ecsim: run %llu: ", (unsigned long long)run);
	ec_sim_safety_report(stderr, sim);
	char seed[65], name[96];
	seed_name(o->cfg.seed, seed);
	snprintf(name, sizeof name, "safety-violation-%s.yaml", seed);
	const char *path = o->safety_report ? o->safety_report : name;
	if (write_scenario(path, o, v) == 0)
		fprintf(stderr, "ecsim: wrote %s: the run up to round %llu (`ecsim run %s` replays it)\n",
		        path, (unsigned long long)v->round, path);
	return 1;
}

/* Runs c once, quietly: its first violation's round, or UINT64_MAX for
 * none (or a failed run). */
static uint64_t
first_violation(const ecsim_options *c)
{
	ec_sim_config cfg = c->cfg;
	cfg.hooks = (ec_sim_hooks){0};
	ec_sim *sim;
	ec_sim_result r;
	uint64_t first = UINT64_MAX;
	if (ec_sim_new(&cfg, &sim) == EC_OK && ec_sim_run(sim) == EC_OK &&
	    ec_sim_result_get(sim, &r) == EC_OK)
		first = r.byz.first_violation_round;
	ec_sim_free(sim);
	return first;
}

/* The smallest network (halving the nodes of o, the whole run) that still
 * shows a violation, into *c, cut at its first one; *c is left alone when
 * no halving does.  A run is halved only while the window and the liars
 * still fit. */
static void
shrink_nodes(const ecsim_options *o, ecsim_options *c)
{
	uint32_t w = o->cfg.neighbourhood ? o->cfg.neighbourhood : 4;
	ecsim_options h = *o;
	h.runs = 1;
	for (;;) {
		h.cfg.nodes /= 2;
		if (ec_topology_bounded(h.cfg.topology.kind) && h.cfg.topology.degree >= h.cfg.nodes)
			h.cfg.topology.degree = h.cfg.nodes - 1; /* every other node, at most */
		if (h.cfg.nodes < 4 * w + 4 || h.cfg.byzantine.count >= h.cfg.nodes ||
		    ec_sim_config_check(&h.cfg))
			return;
		uint64_t round = first_violation(&h);
		if (round == UINT64_MAX)
			return;
		*c = h;
		cut(c, round);
	}
}

int
ecsim_byz_violation(const ecsim_options *o, uint64_t run, const ec_sim_result *res)
{
	const ec_byz_result *z = &res->byz;
	ecsim_options c = *o;
	uint32_t nodes = o->cfg.nodes;
	uint64_t warmup = cut(&c, z->first_violation_round);
	if (o->shrink)
		shrink_nodes(o, &c);
	char seed[65], name[96];
	seed_name(o->cfg.seed, seed);
	snprintf(name, sizeof name, "safety-violation-%s.yaml", seed);
	const char *path = o->safety_report ? o->safety_report : name;
	char head[320];
	snprintf(head, sizeof head,
	        "# A run with Byzantine nodes up to its first safety violation, in round %llu\n"
	        "# of this scenario (%u nodes%s).\n"
	        "# The whole run had %llu double spends and %llu attack blocks committed by\n"
	        "# honest nodes.\n",
	        (unsigned long long)(c.cfg.rounds - 1), c.cfg.nodes,
	        c.cfg.nodes < nodes ? ", shrunk: halved while a violation remained" : "",
	        (unsigned long long)z->double_spends, (unsigned long long)z->invalid_commits);
	/* a shrunk run's warm-up was cut from its own */
	if (write_cut(path, &c, head, c.cfg.nodes == nodes ? warmup : c.cfg.warmup))
		return 1;
	fprintf(stderr, "ecsim: run %llu: %llu safety violations, the first in round %llu; wrote %s "
	                "(`ecsim run %s` replays it)\n",
	        (unsigned long long)run, (unsigned long long)z->safety_violations,
	        (unsigned long long)z->first_violation_round, path, path);
	return 0;
}
