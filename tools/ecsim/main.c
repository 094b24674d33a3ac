/* SPDX-License-Identifier: MIT */
/*
 * ecsim: the simulator command line.  Parses options (usage errors exit 2
 * before anything is written), checks each run's memory estimate against
 * the machine, runs one or more seeds with progress on a terminal, prints
 * the reference's lines or JSON, and optionally streams events as CSV.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "ecsim/report.h"
#include "ecsim/sim.h"
#include "ecsim_version.h" /* generated at build time: ECSIM_VERSION */
#include "identity.h"
#include "machine.h"
#include "options.h"
#include "outfile.h"
#include "output.h"
#include "progress.h"
#include "safety.h"
#include "scenario.h"
#include "sweep.h"

/* Process CPU seconds (user + system, every thread) so far. */
static double
cpu_now(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0.0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

typedef struct run_io {
	FILE *csv;
	uint64_t run;
	ecsim_progress progress;
} run_io;

/* One CSV row; node and block are printed as 16 hex digits when given. */
static void
csv_row(const run_io *io, uint64_t round, const char *event, const uint64_t *node,
        const uint64_t *block, const char *tail)
{
	fprintf(io->csv, "%llu,%llu,%s,", (unsigned long long)io->run, (unsigned long long)round,
	        event);
	if (node)
		fprintf(io->csv, "%016llx", (unsigned long long)*node);
	fputc(',', io->csv);
	if (block)
		fprintf(io->csv, "%016llx", (unsigned long long)*block);
	fprintf(io->csv, ",%s\n", tail);
}

static void
on_round(void *user, uint64_t round, size_t queue, size_t delivered, size_t lost)
{
	run_io *io = user;
	if (io->csv) {
		char tail[96];
		snprintf(tail, sizeof tail, "%zu,%zu,%zu,,", queue, delivered, lost);
		csv_row(io, round, "round", NULL, NULL, tail);
	}
	ecsim_progress_round(&io->progress, round, delivered);
}

static void
on_setup(void *user, const char *phase, uint64_t done, uint64_t total)
{
	run_io *io = user;
	ecsim_progress_setup(&io->progress, phase, done, total);
}

static void
on_created(void *user, uint64_t round, const ec_txn *b, ec_peer_id target)
{
	csv_row(user, round, "create", &target, &b->id, ",,,,");
}

static void
on_committed(void *user, uint64_t round, ec_block_id b, ec_peer_id target, uint64_t latency)
{
	char tail[64];
	snprintf(tail, sizeof tail, ",,,%llu,", (unsigned long long)latency);
	csv_row(user, round, "commit", &target, &b, tail);
}

static void
on_node_event(void *user, uint64_t round, ec_peer_id node, ec_event ev, ec_block_id b,
              uint64_t arg)
{
	if (ev != EC_EV_COMMIT)
		return;
	char tail[64];
	snprintf(tail, sizeof tail, ",,,,%llu", (unsigned long long)arg);
	csv_row(user, round, "node_commit", &node, &b, tail);
}

static void
on_member(void *user, uint64_t round, ec_peer_id node, ec_member_event ev)
{
	static const char *const name[] = {[EC_MEMBER_JOIN] = "join", [EC_MEMBER_CRASH] = "crash",
	                                   [EC_MEMBER_LEAVE] = "leave", [EC_MEMBER_REJOIN] = "rejoin"};
	csv_row(user, round, (unsigned)ev <= EC_MEMBER_REJOIN && name[ev] ? name[ev] : "member",
	        &node, NULL, ",,,,");
}

/* Every 100 rounds of a run with Byzantine nodes: queue = votes counted in
 * those rounds, delivered = those cast by Byzantine nodes, lost = honest
 * nodes isolated now, arg = the Byzantine share of honest nodes' peers. */
static void
on_byzantine(void *user, uint64_t round, const ec_byz_result *z, uint64_t votes,
             uint64_t byzantine)
{
	char tail[96];
	snprintf(tail, sizeof tail, "%llu,%llu,%llu,,%.6f", (unsigned long long)votes,
	         (unsigned long long)byzantine, (unsigned long long)z->honest_isolated,
	         z->byzantine_peer_share);
	csv_row(user, round, "byzantine", NULL, NULL, tail);
}

static void
on_stalled(void *user, uint64_t round)
{
	csv_row(user, round, "stall", NULL, NULL, ",,,,");
}

/* Whether the options named a and b (full names without dashes) set the
 * same thing: the same option, or mutually exclusive partners. */
static bool
same_setting(const char *a, const char *b)
{
	static const char *const partners[][2] = {{"seed", "seed-hex"},
	                                          {"initial-tokens", "tokens-per-node"},
	                                          {"tx-rate", "tx-rate-per-node"}};
	if (strcmp(a, b) == 0)
		return true;
	for (size_t i = 0; i < sizeof partners / sizeof partners[0]; i++)
		if ((strcmp(a, partners[i][0]) == 0 && strcmp(b, partners[i][1]) == 0) ||
		    (strcmp(a, partners[i][1]) == 0 && strcmp(b, partners[i][0]) == 0))
			return true;
	return false;
}

/* Whether the command line's options argv[from..argc-1] set what the
 * scenario option opt ("--name") sets, in any spelling getopt_long takes
 * ("--name value", "--name=value", an abbreviation). */
static bool
overridden(const char *opt, int argc, char **argv, int from)
{
	const char *name = ecsim_option_name(opt, NULL);
	for (int j = from; name && j < argc; j++) {
		bool takes_value = false;
		const char *given = ecsim_option_name(argv[j], &takes_value);
		if (given && same_setting(name, given))
			return true;
		if (given && takes_value)
			j++; /* its value, even one that starts with "--" */
	}
	return false;
}

static void
run_usage(FILE *out)
{
	fputs("usage: ecsim run SCENARIO.yaml [options]\n"
	      "\n"
	      "Runs the configuration held in SCENARIO.yaml: one YAML document, a mapping of\n"
	      "option names (the long options of ecsim --help, with '-' or '_') to values in\n"
	      "the command line's syntax.  `ecsim [options] --print-scenario` writes one.\n"
	      "Options after the file replace the file's; an option also replaces its\n"
	      "mutually exclusive partner (--seed and --seed-hex, --initial-tokens and\n"
	      "--tokens-per-node, --tx-rate and --tx-rate-per-node).\n"
	      "\n"
	      "Exit status: 0 on success, 1 if a run failed, 2 for a usage error.\n",
	      out);
}

/* `ecsim run FILE [options]`: the scenario's options, then the command
 * line's, which replace any scenario option they name. */
static int
scenario_argv(int argc, char **argv, char ***out, int *outc, char ***sargs, int *nsargs, char *err,
              size_t errlen)
{
	if (argc < 3) {
		snprintf(err, errlen, "usage: ecsim run SCENARIO.yaml [options] (see ecsim run --help)");
		return 2;
	}
	int rc = ecsim_scenario_load(argv[2], sargs, nsargs, err, errlen);
	if (rc)
		return rc;
	char **v = calloc((size_t)(*nsargs + argc) + 1, sizeof *v);
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return 1;
	}
	int n = 0;
	v[n++] = argv[0];
	for (int i = 0; i + 1 < *nsargs; i += 2) {
		if (!overridden((*sargs)[i], argc, argv, 3)) {
			v[n++] = (*sargs)[i];
			v[n++] = (*sargs)[i + 1];
		}
	}
	for (int j = 3; j < argc; j++)
		v[n++] = argv[j];
	*out = v;
	*outc = n;
	return 0;
}

/* Runs protocol p, with its settings in o, on o's configuration (for the
 * side-by-side view). */
static ec_err
run_with(const ecsim_options *o, const ec_protocol *p, ec_sim_result *res)
{
	ec_sim_config cfg = o->cfg;
	cfg.protocol = p;
	cfg.protocol_config = ecsim_proto_config(o, p);
	cfg.neighbourhood = p->config ? p->config->neighbourhood(cfg.protocol_config) : 4;
	cfg.hooks = (ec_sim_hooks){0};
	ec_sim *sim;
	ec_err e = ec_sim_new(&cfg, &sim);
	if (!e)
		e = ec_sim_run(sim);
	if (!e)
		e = ec_sim_result_get(sim, res);
	ec_sim_free(sim);
	return e;
}

/* Prints one run's result in the chosen form. */
static int
report_run(ecsim_options *o, uint64_t i, const ec_sim_result *res, const ec_run_meta *meta,
           bool side_by_side)
{
	if (o->json) {
		ec_report_json(stdout, o->cfg.seed, meta, res);
		return 0;
	}
	if (o->runs > 1) {
		char hex[65];
		ec_figures f;
		ec_seed_hex(o->cfg.seed, hex);
		ec_figures_of(res, o->cfg.nodes, &f);
		printf("run %llu seed %s: messages %llu, commits %llu, query %llu, vote %llu, "
		       "block %llu%s\n",
		       (unsigned long long)i, hex, (unsigned long long)res->messages,
		       (unsigned long long)res->committed, (unsigned long long)f.query,
		       (unsigned long long)res->by_type[EC_MSG_VOTE],
		       (unsigned long long)res->by_type[EC_MSG_BLOCK], res->stalled ? ", stalled" : "");
		if (res->safety.violated)
			printf("run %llu broke safety in round %llu\n", (unsigned long long)i,
			       (unsigned long long)res->safety.round);
		return 0;
	}
	ec_report_reference(stdout, o->cfg.seed, res);
	ec_report_extra(stdout, res, o->cfg.nodes);
	char salt[32];
	bool salted = ecsim_proto_option(o, o->cfg.protocol, "tiebreak-salt", salt, sizeof salt);
	if (ecsim_is_published(o))
		ecsim_compare_published(stdout, res, salted, salted ? strtoull(salt, NULL, 10) : 0);
	/* the published run (the reference protocol) beside the ec protocol */
	const ec_protocol *ec = ec_protocol_find("ec");
	if (side_by_side && ec && strcmp(o->cfg.protocol->name, "seed") == 0) {
		ec_sim_result ecres;
		ec_err e2 = run_with(o, ec, &ecres);
		if (e2) {
			fprintf(stderr, "ecsim: the ec run failed: %s\n", ec_strerror(e2));
			return 1;
		}
		if (ecres.safety.violated) {
			fprintf(stderr, "ecsim: the ec run broke safety in round %llu (run it with "
			                "--protocol ec for the blocks and a scenario)\n",
			        (unsigned long long)ecres.safety.round);
			return 1;
		}
		ecsim_side_by_side(stdout, res, &ecres, o->cfg.nodes);
	}
	return 0;
}

/* Process figures for --resources. */
static void
measure(ec_run_meta *meta, double cpu0, double cpu1, double cpu2, double wall1, double wall2)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return;
	meta->peak_rss_bytes = (uint64_t)ru.ru_maxrss * 1024u;
	meta->cpu_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	                    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	meta->setup_cpu_seconds = cpu1 - cpu0;
	meta->run_cpu_seconds = cpu2 - cpu1;
	meta->run_wall_seconds = wall2 - wall1;
}

/* Runs every seed of the options and prints the results.  Each run's
 * memory estimate is checked against the machine first (exit status 2,
 * nothing built, unless --force); the event CSV appears only if every run
 * succeeds.  A run that breaks safety is the last: its outputs (the event
 * CSV too) are written, its violation reported, and the status is 1. */
static int
run_all(ecsim_options *o, bool side_by_side)
{
	run_io io = {.progress = {.on = ecsim_progress_wanted(o->quiet), .runs = o->runs,
	                          .rounds = o->cfg.rounds}};
	outfile csv = {0};
	if (o->csv_events) {
		if (outfile_create_path("ecsim", o->csv_events, &csv))
			return 1; /* reported */
		io.csv = csv.f;
		fputs("run,round,event,node,block,queue,delivered,lost,latency,arg\n", io.csv);
	}
	o->cfg.hooks = (ec_sim_hooks){.user = &io, .round_done = on_round, .setup_progress = on_setup};
	if (io.csv) {
		o->cfg.hooks.block_created = on_created;
		o->cfg.hooks.block_committed = on_committed;
		o->cfg.hooks.node_event = on_node_event;
		o->cfg.hooks.stalled = on_stalled;
		o->cfg.hooks.membership = on_member; /* open networks only */
		o->cfg.hooks.byzantine = on_byzantine; /* runs with Byzantine nodes only */
	}
	ecsim_runs *rs = o->runs > 1 ? ecsim_runs_new(o->runs) : NULL;
	int status = 0;
	if (o->runs > 1 && !rs) {
		fprintf(stderr, "ecsim: out of memory\n");
		status = 1;
	}
	uint8_t base[EC_RNG_SEED_BYTES];
	memcpy(base, o->cfg.seed, sizeof base);
	int unsafe = 0; /* a run broke safety: the last one, reported, with its outputs */
	for (uint64_t i = 0; i < o->runs && status == 0 && !unsafe; i++) {
		memcpy(o->cfg.seed, base, sizeof base);
		ec_seed_add(o->cfg.seed, i);
		io.run = io.progress.run = i;
		ec_run_meta meta = {.nodes = o->cfg.nodes, .threads = o->cfg.threads,
		                    .resources = o->resources};
		if ((status = ecsim_memory_check(&o->cfg, o->force, &meta.memory_estimate_bytes)))
			break;
		ec_sim *sim;
		ec_sim_result res;
		uint64_t stopped_round = 0;
		/* set-up and rounds are timed apart: the benchmarks report
		 * delivered messages per CPU second of the rounds alone */
		double cpu0 = cpu_now();
		ec_err e = ec_sim_new(&o->cfg, &sim);
		double cpu1 = cpu_now(), wall1 = ecsim_wall_seconds();
		ecsim_progress_rounds(&io.progress);
		if (!e)
			e = ec_sim_run(sim);
		double cpu2 = cpu_now(), wall2 = ecsim_wall_seconds();
		if (!e)
			e = ec_sim_result_get(sim, &res);
		if (sim)
			stopped_round = ec_sim_round(sim);
		ecsim_progress_clear(&io.progress);
		if (!e && res.safety.violated && !res.byz.on)
			unsafe = ecsim_safety_violation(o, i, sim, &res);
		int written = 0; /* a violation's scenario could not be written */
		if (!e && res.byz.on && res.byz.safety_violations)
			written = ecsim_byz_violation(o, i, &res);
		ec_sim_free(sim);
		if (e == EC_EFULL) {
			fprintf(stderr,
			        "ecsim: run %llu stopped: more than %llu messages in flight in round %llu "
			        "(the protocol floods the network; --max-queue raises the limit)\n",
			        (unsigned long long)i, (unsigned long long)o->cfg.max_queue,
			        (unsigned long long)stopped_round);
			status = 1;
			break;
		}
		if (e) {
			fprintf(stderr, "ecsim: run %llu failed: %s\n", (unsigned long long)i,
			        ec_strerror(e));
			status = 1;
			break;
		}
		if (o->resources)
			measure(&meta, cpu0, cpu1, cpu2, wall1, wall2);
		status = report_run(o, i, &res, &meta, side_by_side);
		if (written)
			status = written;
		if (rs)
			ecsim_runs_add(rs, &res);
		fflush(stdout);
	}
	if (rs && status == 0 && !unsafe && ecsim_runs_print(rs, stdout, o->json)) {
		fprintf(stderr, "ecsim: out of memory\n");
		status = 1;
	}
	ecsim_runs_free(rs);
	if (io.csv && status != 0) {
		outfile_discard(&csv); /* no partial event file */
	} else if (io.csv && outfile_commit(&csv)) {
		status = 1; /* reported */
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "ecsim: writing the output failed\n");
		status = 1;
	}
	return status ? status : unsafe;
}

/* The options after the scenario file, parsed alone: an error there is
 * the command line's, and the message names the option, not the file. */
static int
check_run_options(int argc, char **argv, char *err, size_t errlen)
{
	char **v = calloc((size_t)argc, sizeof *v);
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return 1;
	}
	int n = 0;
	v[n++] = argv[0];
	for (int j = 3; j < argc; j++)
		v[n++] = argv[j];
	ecsim_options probe;
	int rc = ecsim_parse_checked(n, v, &probe, err, errlen, false);
	free(v);
	return rc;
}

/* Whether the scenario's options make a configuration on their own. */
static bool
scenario_valid(char **sargs, int nsargs, char *argv0)
{
	char **v = calloc((size_t)nsargs + 2, sizeof *v);
	if (!v)
		return true; /* cannot tell: blame both */
	v[0] = argv0;
	memcpy(v + 1, sargs, (size_t)nsargs * sizeof *v);
	ecsim_options probe;
	char err[512];
	bool ok = ecsim_parse(nsargs + 1, v, &probe, err, sizeof err) == 0;
	free(v);
	return ok;
}

/* `ecsim run FILE [options]` into *o.  Problems of the file name the file
 * (with line and column where there is one), those of the later options
 * name the option, and those of the combination name both.  Returns 0 or
 * the exit status. */
static int
parse_run(int argc, char **argv, ecsim_options *o, char ***margv, char ***sargs, int *nsargs)
{
	char err[512];
	int margc = 0;
	int rc = scenario_argv(argc, argv, margv, &margc, sargs, nsargs, err, sizeof err);
	if (!rc && (rc = check_run_options(argc, argv, err, sizeof err)) == 0) {
		rc = ecsim_parse(margc, *margv, o, err, sizeof err);
		if (rc) {
			bool file_alone = argc == 3 || !scenario_valid(*sargs, *nsargs, argv[0]);
			fprintf(stderr, "ecsim: %s%s: %s\n", argv[2],
			        file_alone ? "" : " with the options after it", err);
			return rc;
		}
	}
	if (rc)
		fprintf(stderr, "ecsim: %s\n", err);
	return rc;
}

int
main(int argc, char **argv)
{
	ecsim_options o;
	char err[512];
	char **sargs = NULL, **margv = NULL;
	int nsargs = 0, rc;
	if (argc >= 2 && strcmp(argv[1], "sweep") == 0)
		return ecsim_sweep(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "identity") == 0)
		return ecsim_identity(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "run") == 0) {
		if (argc >= 3 && (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
			run_usage(stdout);
			return 0;
		}
		rc = parse_run(argc, argv, &o, &margv, &sargs, &nsargs);
	} else {
		rc = ecsim_parse(argc, argv, &o, err, sizeof err);
		if (rc)
			fprintf(stderr, "ecsim: %s\n", err);
	}
	if (rc || o.help || o.version || o.print_scenario) {
		if (!rc && o.version)
			printf("ecsim %s\n", ECSIM_VERSION);
		else if (!rc && o.help)
			ecsim_usage(stdout);
		else if (!rc && ecsim_scenario_print(stdout, &o))
			rc = 1;
		free(margv);
		ecsim_scenario_free(sargs, nsargs);
		return rc;
	}
	rc = run_all(&o, argc == 1); /* no arguments: the side-by-side view */
	free(margv);
	ecsim_scenario_free(sargs, nsargs);
	return rc;
}
