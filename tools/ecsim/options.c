/* SPDX-License-Identifier: MIT */
/*
 * ecsim option parsing.  Every value is parsed strictly (the whole text
 * must be a number in range); the first problem is reported as one line and
 * nothing runs, so a typo never produces a misleading result or file.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ec/adversary.h"
#include "ecsim/report.h"
#include "options.h"

enum {
	OPT_NODES = 256, OPT_ROUNDS, OPT_SEED, OPT_SEED_HEX, OPT_TOPOLOGY, OPT_DELAY, OPT_LOSS,
	OPT_TOKENS, OPT_BLOCK_SIZE, OPT_PROTOCOL, OPT_RUNS, OPT_JSON, OPT_CSV,
	OPT_QUIET, OPT_HELP, OPT_DEGREE, OPT_TPN, OPT_TX_RATE, OPT_WARMUP, OPT_RESOURCES,
	OPT_PRINT_SCENARIO, OPT_MAX_QUEUE, OPT_THREADS, OPT_VERIFY_EVERY, OPT_TICK_EVERY, OPT_CONFLICT,
	OPT_DRAIN, OPT_TX_PER_NODE,
	OPT_START_NODES, OPT_JOIN_RATE, OPT_BOOTSTRAP, OPT_CHURN, OPT_REJOIN, OPT_LEAVE_GRACEFUL,
	OPT_LAZY,
	OPT_BYZ, OPT_BEHAVIOUR, OPT_PLACEMENT, OPT_ATTACK_START, OPT_ATTACK_SHARE, OPT_ATTACK_DELAY,
	OPT_CENSOR_AFTER, OPT_SHRINK, OPT_CHEAT_KEEP,
	OPT_SIGNATURES, OPT_FORGE, OPT_DESTROY, OPT_WITNESS, OPT_ID_BITS, OPT_BAD_ID, OPT_FORCE,
	OPT_VERSION, OPT_SAFETY, OPT_SAFETY_REPORT, OPT_END
};

static const struct option fixed_opts[] = {
	{"nodes", required_argument, NULL, OPT_NODES},
	{"rounds", required_argument, NULL, OPT_ROUNDS},
	{"seed", required_argument, NULL, OPT_SEED},
	{"seed-hex", required_argument, NULL, OPT_SEED_HEX},
	{"topology", required_argument, NULL, OPT_TOPOLOGY},
	{"delay", required_argument, NULL, OPT_DELAY},
	{"loss", required_argument, NULL, OPT_LOSS},
	{"initial-tokens", required_argument, NULL, OPT_TOKENS},
	{"block-size", required_argument, NULL, OPT_BLOCK_SIZE},
	{"protocol", required_argument, NULL, OPT_PROTOCOL},
	{"runs", required_argument, NULL, OPT_RUNS},
	{"json", no_argument, NULL, OPT_JSON},
	{"csv-events", required_argument, NULL, OPT_CSV},
	{"quiet", no_argument, NULL, OPT_QUIET},
	{"degree", required_argument, NULL, OPT_DEGREE},
	{"tokens-per-node", required_argument, NULL, OPT_TPN},
	{"tx-rate", required_argument, NULL, OPT_TX_RATE},
	{"warmup", required_argument, NULL, OPT_WARMUP},
	{"resources", no_argument, NULL, OPT_RESOURCES},
	{"print-scenario", no_argument, NULL, OPT_PRINT_SCENARIO},
	{"max-queue", required_argument, NULL, OPT_MAX_QUEUE},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"verify-every-node", no_argument, NULL, OPT_VERIFY_EVERY},
	{"tick-every-round", no_argument, NULL, OPT_TICK_EVERY},
	{"conflict-rate", required_argument, NULL, OPT_CONFLICT},
	{"drain", required_argument, NULL, OPT_DRAIN},
	{"tx-rate-per-node", required_argument, NULL, OPT_TX_PER_NODE},
	{"signatures", required_argument, NULL, OPT_SIGNATURES},
	{"forge-rate", required_argument, NULL, OPT_FORGE},
	{"destroy-rate", required_argument, NULL, OPT_DESTROY},
	{"witness-tokens", required_argument, NULL, OPT_WITNESS},
	{"identity-bits", required_argument, NULL, OPT_ID_BITS},
	{"bad-identity-rate", required_argument, NULL, OPT_BAD_ID},
	{"start-nodes", required_argument, NULL, OPT_START_NODES},
	{"join-rate", required_argument, NULL, OPT_JOIN_RATE},
	{"bootstrap-peers", required_argument, NULL, OPT_BOOTSTRAP},
	{"churn", required_argument, NULL, OPT_CHURN},
	{"rejoin-after", required_argument, NULL, OPT_REJOIN},
	{"leave-graceful", required_argument, NULL, OPT_LEAVE_GRACEFUL},
	{"lazy-storage", required_argument, NULL, OPT_LAZY},
	{"byzantine", required_argument, NULL, OPT_BYZ},
	{"behaviour", required_argument, NULL, OPT_BEHAVIOUR},
	{"placement", required_argument, NULL, OPT_PLACEMENT},
	{"attack-start", required_argument, NULL, OPT_ATTACK_START},
	{"attack-share", required_argument, NULL, OPT_ATTACK_SHARE},
	{"attack-delay", required_argument, NULL, OPT_ATTACK_DELAY},
	{"censor-after", required_argument, NULL, OPT_CENSOR_AFTER},
	{"shrink", no_argument, NULL, OPT_SHRINK},
	{"cheat-keep", required_argument, NULL, OPT_CHEAT_KEEP},
	{"force", no_argument, NULL, OPT_FORCE},
	{"version", no_argument, NULL, OPT_VERSION},
	{"safety-check", required_argument, NULL, OPT_SAFETY},
	{"safety-report", required_argument, NULL, OPT_SAFETY_REPORT},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0}};

/* The protocols' own options (ec_proto_config), after the fixed ones: code
 * OPT_PROTO + k is popts[k], k in the order of ec_protocols and their
 * tables.  Built once; the registry is constant. */
#define OPT_PROTO 1024
#define MAX_PROTO_OPTS 64
#define NFIXED (sizeof fixed_opts / sizeof fixed_opts[0] - 1)

typedef struct proto_opt {
	const ec_protocol *p;
	size_t pi; /* its index in ec_protocols */
	const ec_proto_option *opt;
} proto_opt;

static proto_opt popts[MAX_PROTO_OPTS];
static size_t npopts;
static struct option longopts[NFIXED + MAX_PROTO_OPTS + 1];

static void
build_longopts(void)
{
	if (longopts[0].name)
		return;
	memcpy(longopts, fixed_opts, NFIXED * sizeof *longopts);
	size_t n = NFIXED;
	for (size_t pi = 0; ec_protocols[pi] && pi < ECSIM_MAX_PROTOCOLS; pi++) {
		const ec_proto_config *c = ec_protocols[pi]->config;
		for (size_t k = 0; c && k < c->noptions && npopts < MAX_PROTO_OPTS; k++) {
			const ec_proto_option *opt = &c->options[k];
			popts[npopts] = (proto_opt){ec_protocols[pi], pi, opt};
			longopts[n++] = (struct option){opt->name, opt->arg ? required_argument : no_argument,
			                                NULL, OPT_PROTO + (int)npopts};
			npopts++;
		}
	}
	longopts[n] = (struct option){NULL, 0, NULL, 0};
}

/* One help entry: "  --NAME ARG" padded to column 25, then the help text,
 * its later lines indented to that column. */
static void
usage_entry(FILE *out, const char *name, const char *arg, const char *help)
{
	char head[64];
	snprintf(head, sizeof head, "  --%s%s%s", name, arg ? " " : "", arg ? arg : "");
	fprintf(out, "%-24s ", head);
	for (const char *line = help; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		fprintf(out, "%s%.*s\n", line == help ? "" : "                         ", (int)len, line);
		line += len + (end != NULL);
	}
}

/* Each protocol's own options, from its table. */
static void
usage_protocols(FILE *out)
{
	build_longopts();
	const ec_protocol *cur = NULL;
	for (size_t k = 0; k < npopts; k++) {
		if (popts[k].p != cur) {
			cur = popts[k].p;
			fprintf(out, "  %s protocol only:\n", cur->name);
		}
		usage_entry(out, popts[k].opt->name, popts[k].opt->arg, popts[k].opt->help);
	}
}

void
ecsim_usage(FILE *out)
{
	fputs(
	    "usage: ecsim [options]\n"
	    "       ecsim run SCENARIO.yaml [options]   (options after the file override it)\n"
	    "       ecsim sweep --out DIR [options]     (a grid of runs, CSV, summary, plots)\n"
	    "       ecsim identity mine|verify ...      (Argon2id node identities; see\n"
	    "                                            ecsim identity --help)\n"
	    "\n"
	    "Simulates the ecRust consensus protocol.  With no options it replays the\n"
	    "published experiment (2,000 nodes, 2,000 rounds, published seed) and compares\n"
	    "the result with the published figures.\n"
	    "\n"
	    "  --nodes N              number of nodes, 2 to 4294967295 (default 2000)\n"
	    "  --rounds N             rounds to simulate (default 2000)\n"
	    "  --seed N               integer seed (seed bytes 0..7 = N little-endian, rest 0)\n"
	    "  --seed-hex HEX         the 32 seed bytes as 64 hex digits (default: published seed)\n"
	    "  --topology T           dense, as the reference: random:C | ring-gradient:MIN,MAX |\n"
	    "                         ring-gaussian:SIGMA (default ring-gradient:0.1,0.7);\n"
	    "                         bounded degree: capped-gradient[:FAR,NEAR] | small-world |\n"
	    "                         core-tail | random-regular\n"
	    "  --degree D             peers per node for bounded-degree topologies, 1 to\n"
	    "                         nodes - 1 and at most 65536 (default 64)\n"
	    "  --delay F              share of queued messages delayed each round, in [0,1]\n"
	    "                         (default 0.5; the reference's delay_fraction d is 1-F)\n"
	    "  --loss F               share of the delivered part lost, in [0,1] (default 0.02)\n"
	    "  --initial-tokens N     tokens in the whole network (default 1)\n"
	    "  --tokens-per-node N    N tokens per node (replaces --initial-tokens)\n"
	    "  --tx-rate R            offer at most R free tokens per round, picked at random\n"
	    "                         (default: every free token every round, as the reference)\n"
	    "  --warmup W             leave the first W rounds out of the statistics\n"
	    "  --tx-rate-per-node F   tokens offered per round = F x nodes (same load per node\n"
	    "                         at any size; for sweeps)\n"
	    "  --drain D              create no blocks in the last D rounds, so that blocks\n"
	    "                         still open at the end are stuck, not just young\n"
	    "  --threads N            worker threads (default: all cores from 16384 nodes up,\n"
	    "                         else 1); the output is the same for any number\n"
	    "  --verify-every-node    ec: every node hashes and verifies each block body itself,\n"
	    "                         as real nodes do, instead of the simulator checking each\n"
	    "                         shared body once; same output, more CPU\n"
	    "  --tick-every-round     ec: a node with anything pending ticks every round instead\n"
	    "                         of sleeping until its next timer falls due; same output,\n"
	    "                         more CPU\n"
	    "  --max-queue N          stop a run with more than N messages in flight\n"
	    "                         (default 16777216, about 2 GiB; 0 = no limit)\n"
	    "  --block-size MIN,MAX   tokens per block, 1 <= MIN <= MAX; MAX <= 5 for seed,\n"
	    "                         <= 256 for ec (default 1,3)\n"
	    "  --protocol NAME        consensus protocol: seed (default) or ec\n"
	    "  --conflict-rate F      share of blocks whose owner also signs a conflicting\n"
	    "                         twin (same tokens and parents; default 0)\n"
	    "  --safety-check on|off  check every round that no two conflicting blocks have\n"
	    "                         committed at any nodes; the first violation stops the\n"
	    "                         run (exit status 1) and writes a scenario that replays\n"
	    "                         it.  Default: on under ec when every node has its w+1\n"
	    "                         nearest nodes on each side of the ring among its peers\n"
	    "                         (exact views, the condition of ec's safety claim), off\n"
	    "                         otherwise and under seed (which double-commits by\n"
	    "                         design)\n"
	    "  --safety-report FILE   where that scenario goes (default:\n"
	    "                         safety-violation-SEED.yaml in the current directory)\n",
	    out);
	usage_protocols(out);
	fputs(
	    "  for protocols whose blocks are signed (ec):\n"
	    "  --signatures S         ed25519 (libsodium) or keyed-hash (a cheap stand-in,\n"
	    "                         verified the same way; the default): every part of\n"
	    "                         every block is signed by its owner and checked by voters\n"
	    "  --forge-rate F         per honest block, chance of an attack block next to it:\n"
	    "                         a bad signature, a wrong key, a replay and (with\n"
	    "                         destroys) a resurrection, in turn (0)\n"
	    "  --destroy-rate F       share of transfers that destroy their token; a new\n"
	    "                         token is created in its place (0)\n"
	    "  --witness-tokens K     K transient witness tokens per block, created and\n"
	    "                         destroyed with it (0)\n"
	    "  bounded-degree topologies, either protocol:\n"
	    "  --identity-bits B      every node mines an Argon2id identity (64 KiB, 1 pass)\n"
	    "                         with B trailing zero bits and sits at its address;\n"
	    "                         bounded-degree topologies (0: off, the default)\n"
	    "  --bad-identity-rate F  share of nodes claiming an address they did not mine;\n"
	    "                         their peers refuse them (0)\n"
	    "  open networks (docs/open-network.md; a protocol with open-network calls and a\n"
	    "  bounded-degree topology; every node has an identity, --identity-bits 0 allowed):\n"
	    "  --start-nodes K        start with K of the --nodes, 2 <= K <= nodes (default: all,\n"
	    "                         a static network); the others join as the run goes\n"
	    "  --join-rate R          new nodes per round until --nodes have joined (20)\n"
	    "  --bootstrap-peers B    random live nodes a joining node starts from (4)\n"
	    "  --churn F              per 100 rounds, a share F in [0,1] of the live nodes\n"
	    "                         departs without notice; each that does not come back is\n"
	    "                         replaced by a new node (0)\n"
	    "  --rejoin-after R       a crashed node comes back R rounds later with its state\n"
	    "                         (0: never, the default)\n"
	    "  --leave-graceful F     share of departures that say goodbye first; those never\n"
	    "                         come back (0)\n"
	    "  --lazy-storage F       share F in [0,1] of the nodes that join which keep no\n"
	    "                         token mappings (freeloaders); with --audit R their\n"
	    "                         neighbours' storage audits evict them (0)\n",
	    out);
	fputs("  Byzantine nodes (docs/byzantine.md; --protocol ec):\n"
	    "  --byzantine F          share F in [0,1) of the nodes that lie, or a whole\n"
	    "                         number of them (F >= 1); needs --behaviour (0)\n"
	    "  --behaviour LIST       how they lie, comma-separated: silent, withhold, censor,\n"
	    "                         accomplice, equivocate, fast-yes, balancer, delay,\n"
	    "                         sleeper, camouflage, sybil (with --placement target),\n"
	    "                         forge-cert, storage-cheat (open networks);\n"
	    "                         with --byzantine 0 the run is honest and measured alike\n"
	    "  --placement P          random (default), target[:TOKEN] (the nodes nearest\n"
	    "                         TOKEN, hex ring position; default the first initial\n"
	    "                         token, whose every spend the attacker doubles), or\n"
	    "                         cluster:K (runs of K ring neighbours)\n"
	    "  --attack-start R       they are honest before round R (0)\n"
	    "  --attack-share F       share of the tokens that are targets, for withhold,\n"
	    "                         censor and camouflage (0.1)\n"
	    "  --attack-delay D       rounds a delaying node holds what it sends (5)\n"
	    "  --censor-after R       an honest block not committed within R rounds counts as\n"
	    "                         censored (100)\n"
	    "  --cheat-keep S         share of its token mappings a storage-cheat keeps (0.5;\n"
	    "                         open networks, where storage audits can catch it)\n"
	    "  --shrink               a run with safety violations writes the scenario that\n"
	    "                         replays the first, cut at its round (always) and with\n"
	    "                         the fewest nodes (halved while it still shows one)\n",
	    out);
	fputs("  output and runs:\n"
	    "  --runs N               run N consecutive seeds from the given one and report\n"
	    "                         mean, sd, median, p5, p95 and 95% CI of every metric\n"
	    "  --json                 one JSON object per run on stdout (and a final\n"
	    "                         {\"summary\":...} line when --runs > 1)\n"
	    "  --csv-events FILE      stream events (rounds, blocks, node commits; joins and\n"
	    "                         departures of open networks) as CSV\n"
	    "  --resources            add peak_rss_bytes and cpu_seconds (process figures, which\n"
	    "                         vary from run to run) to the JSON\n"
	    "  --quiet                no progress on stderr (shown only when it is a terminal)\n"
	    "  --print-scenario       print the effective configuration as a scenario file\n"
	    "  --force                run even if the run's estimated memory exceeds what the\n"
	    "                         machine has available (checked before each run)\n"
	    "  --version              print the version and stop\n"
	    "  -h, --help             this text\n"
	    "\n"
	    "Exit status: 0 on success, 1 if a run failed, 2 for a usage error.\n",
	    out);
}

#define U64_MAX_TEXT "18446744073709551615"

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return 2;
}

static bool
parse_u64(const char *s, uint64_t *out)
{
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static bool
parse_double(const char *s, double *out)
{
	if (!*s || *s == ' ')
		return false;
	errno = 0;
	char *end;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static bool
parse_fraction(const char *s, double *out)
{
	return parse_double(s, out) && *out >= 0.0 && *out <= 1.0;
}

/* "A,B" into two doubles. */
static bool
parse_pair(const char *s, double *a, double *b)
{
	const char *comma = strchr(s, ',');
	if (!comma)
		return false;
	char first[64];
	size_t len = (size_t)(comma - s);
	if (len == 0 || len >= sizeof first)
		return false;
	memcpy(first, s, len);
	first[len] = 0;
	return parse_double(first, a) && parse_double(comma + 1, b);
}

static int
parse_topology(const char *s, ec_topology *t, char *err, size_t errlen)
{
	const char *colon = strchr(s, ':');
	size_t name_len = colon ? (size_t)(colon - s) : strlen(s);
	const char *arg = colon ? colon + 1 : "";
	if (name_len == 6 && strncmp(s, "random", 6) == 0) {
		t->kind = EC_TOPO_RANDOM;
		if (!parse_fraction(arg, &t->a))
			return fail(err, errlen, "--topology random:C needs a connectivity C in [0,1], got '%s'", s);
		t->b = 0;
		return 0;
	}
	if (name_len == 13 && strncmp(s, "ring-gradient", 13) == 0) {
		t->kind = EC_TOPO_RING_GRADIENT;
		if (!parse_pair(arg, &t->a, &t->b) || t->a < 0 || t->a > 1 || t->b < 0 || t->b > 1)
			return fail(err, errlen,
			            "--topology ring-gradient:MIN,MAX needs two probabilities in [0,1], got '%s'", s);
		if (t->a > t->b)
			return fail(err, errlen, "--topology ring-gradient: MIN (%g) is greater than MAX (%g)",
			            t->a, t->b);
		return 0;
	}
	if (name_len == 13 && strncmp(s, "ring-gaussian", 13) == 0) {
		t->kind = EC_TOPO_RING_GAUSSIAN;
		if (!parse_double(arg, &t->a) || !(t->a > 0))
			return fail(err, errlen, "--topology ring-gaussian:SIGMA needs a positive SIGMA, got '%s'", s);
		t->b = 0;
		return 0;
	}
	static const struct { const char *name; ec_topology_kind kind; } bounded[] = {
		{"capped-gradient", EC_TOPO_CAPPED_GRADIENT}, {"small-world", EC_TOPO_SMALL_WORLD},
		{"core-tail", EC_TOPO_CORE_TAIL}, {"random-regular", EC_TOPO_RANDOM_REGULAR}};
	for (size_t k = 0; k < sizeof bounded / sizeof bounded[0]; k++) {
		if (strlen(bounded[k].name) != name_len || strncmp(s, bounded[k].name, name_len) != 0)
			continue;
		t->kind = bounded[k].kind;
		t->a = 0.1;
		t->b = 0.7;
		if (t->kind == EC_TOPO_CAPPED_GRADIENT && colon &&
		    (!parse_pair(arg, &t->a, &t->b) || t->a < 0 || t->b > 1 || t->a > t->b || t->b == 0))
			return fail(err, errlen,
			            "--topology capped-gradient:FAR,NEAR needs 0 <= FAR <= NEAR <= 1, NEAR > 0, got '%s'", s);
		if (t->kind != EC_TOPO_CAPPED_GRADIENT && colon)
			return fail(err, errlen, "--topology %s takes no parameters (use --degree), got '%s'",
			            bounded[k].name, s);
		return 0;
	}
	return fail(err, errlen,
	            "unknown topology '%s' (use random:C, ring-gradient:MIN,MAX, ring-gaussian:SIGMA, "
	            "capped-gradient[:FAR,NEAR], small-world, core-tail or random-regular)", s);
}

static bool
sleeps(const ec_protocol *p)
{
	return p->wake_at != NULL;
}

static bool
signs(const ec_protocol *p)
{
	return p->workload != NULL;
}

static bool
opens(const ec_protocol *p)
{
	return p->open != NULL;
}

/* "a or b": the registered protocols that have what has() looks for. */
static const char *
protocols_with(bool (*has)(const ec_protocol *), char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = 0;
	for (size_t i = 0; ec_protocols[i] && at < len; i++)
		if (has(ec_protocols[i]))
			at += (size_t)snprintf(buf + at, len - at, "%s%s", at ? " or " : "",
			                       ec_protocols[i]->name);
	return buf;
}

/* The open network's options: refused when the run cannot be open (the
 * protocol, the topology) and when they would change nothing. */
static int
check_open(const ecsim_options *o, const bool *given, char *err, size_t errlen)
{
	const ec_sim_config *c = &o->cfg;
	const ec_protocol *p = c->protocol;
	char names[128];
	static const int mine[] = {OPT_START_NODES, OPT_JOIN_RATE, OPT_BOOTSTRAP,
	                           OPT_CHURN,       OPT_REJOIN,    OPT_LEAVE_GRACEFUL,
	                           OPT_LAZY};
	const char *first = NULL;
	for (size_t k = 0; k < sizeof mine / sizeof mine[0] && !first; k++)
		if (given[mine[k] - OPT_NODES])
			for (size_t j = 0; fixed_opts[j].name && !first; j++)
				if (fixed_opts[j].val == mine[k])
					first = fixed_opts[j].name;
	if (!first)
		return 0;
	if (c->start_nodes > c->nodes)
		return fail(err, errlen, "--start-nodes %u is more than --nodes (%u)", c->start_nodes,
		            c->nodes);
	bool open = ec_sim_config_open(c);
	if (open && !p->open) {
		protocols_with(opens, names, sizeof names);
		return fail(err, errlen,
		            "--%s: an open network (--start-nodes below --nodes, or --churn) needs a "
		            "protocol with open-network calls; --protocol %s has none (%s%s)", first,
		            p->name, names[0] ? "they are in --protocol " : "no registered protocol has "
		                                                           "them yet", names);
	}
	if (open && !ec_topology_bounded(c->topology.kind))
		return fail(err, errlen,
		            "--%s: an open network needs a bounded-degree topology (capped-gradient, "
		            "small-world, core-tail, random-regular); %s is dense", first,
		            ec_topology_name(c->topology.kind));
	bool grows = c->start_nodes && c->start_nodes < c->nodes;
	if (given[OPT_JOIN_RATE - OPT_NODES] && !grows)
		return fail(err, errlen, "--join-rate changes nothing when the run starts with all its "
		                         "nodes: give --start-nodes below --nodes");
	if (given[OPT_BOOTSTRAP - OPT_NODES] && !open)
		return fail(err, errlen, "--bootstrap-peers changes nothing in a static network: give "
		                         "--start-nodes below --nodes, or --churn");
	if (given[OPT_REJOIN - OPT_NODES] && c->rejoin_after && !(c->churn > 0))
		return fail(err, errlen, "--rejoin-after changes nothing without --churn: no node "
		                         "crashes");
	if (given[OPT_LEAVE_GRACEFUL - OPT_NODES] && c->leave_graceful > 0 && !(c->churn > 0))
		return fail(err, errlen, "--leave-graceful changes nothing without --churn: no node "
		                         "departs");
	if (given[OPT_LAZY - OPT_NODES] && c->lazy_storage > 0 && !open)
		return fail(err, errlen, "--lazy-storage changes nothing in a static network: no node "
		                         "joins; give --start-nodes below --nodes, or --churn");
	return 0;
}

static int check_byzantine(const ecsim_options *o, const bool *given, char *err, size_t errlen);

/* Refuses options that the configuration would silently ignore: another
 * protocol's own options, the simulator's switches for what the protocol
 * lacks (timers to sleep on, signed blocks to verify), --degree on a dense
 * topology, and a --degree no node can have.  given[c - OPT_NODES] says
 * whether option c was on the command line, pgiven[k] protocol option k. */
static int
check_applicable(const ecsim_options *o, const bool *given, const bool *pgiven, char *err,
                 size_t errlen)
{
	const ec_protocol *p = o->cfg.protocol;
	for (size_t k = 0; k < npopts; k++)
		if (pgiven[k] && popts[k].p != p)
			return fail(err, errlen, "--%s applies only to --protocol %s, not to %s",
			            popts[k].opt->name, popts[k].p->name, p->name);
	char names[128];
	if (given[OPT_TICK_EVERY - OPT_NODES] && !p->wake_at)
		return fail(err, errlen,
		            "--tick-every-round changes nothing under --protocol %s: its nodes do not "
		            "sleep until a timer (they do under --protocol %s)", p->name,
		            protocols_with(sleeps, names, sizeof names));
	if (given[OPT_VERIFY_EVERY - OPT_NODES] && !p->workload)
		return fail(err, errlen,
		            "--verify-every-node changes nothing under --protocol %s: its blocks carry no "
		            "signatures to verify (they do under --protocol %s)", p->name,
		            protocols_with(signs, names, sizeof names));
	int rc = check_open(o, given, err, errlen);
	if (rc || (rc = check_byzantine(o, given, err, errlen)))
		return rc;
	if (given[OPT_SAFETY_REPORT - OPT_NODES] && !ecsim_safety_on(&o->cfg))
		return fail(err, errlen,
		            "--safety-report names the file the safety check writes, but the check is "
		            "off (under --protocol %s it runs only with --safety-check on)", p->name);
	if (!given[OPT_DEGREE - OPT_NODES])
		return 0;
	const ec_topology *t = &o->cfg.topology;
	if (!ec_topology_bounded(t->kind))
		return fail(err, errlen,
		            "--degree applies only to the bounded-degree topologies (capped-gradient, "
		            "small-world, core-tail, random-regular); %s draws every pair by probability",
		            ec_topology_name(t->kind));
	if (t->degree > o->cfg.nodes - 1)
		return fail(err, errlen, "--degree %u is more than nodes - 1 (%u): a node has at most %u peers",
		            t->degree, o->cfg.nodes - 1, o->cfg.nodes - 1);
	return 0;
}

/* "seed, ec": the registered protocols, for messages. */
static const char *
protocol_names(char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = 0;
	for (size_t i = 0; ec_protocols[i] && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? ", " : "", ec_protocols[i]->name);
	return buf;
}

/* The largest block any registered protocol accepts. */
static uint32_t
max_block_tokens(void)
{
	uint32_t m = 1;
	for (size_t i = 0; ec_protocols[i]; i++)
		m = ec_protocols[i]->max_block_tokens > m ? ec_protocols[i]->max_block_tokens : m;
	return m;
}

/* "at most 5 under seed, 256 under ec", for messages. */
static const char *
block_limits(char *buf, size_t len)
{
	size_t at = (size_t)snprintf(buf, len, "at most");
	for (size_t i = 0; ec_protocols[i] && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s %u under %s", i ? "," : "",
		                       ec_protocols[i]->max_block_tokens, ec_protocols[i]->name);
	return buf;
}

/* Sets protocol option k from text (NULL for a flag) in its protocol's
 * settings; 0, or 2 with the option's message. */
static int
set_proto_option(ecsim_options *o, size_t k, const char *text, char *err, size_t errlen)
{
	char why[200];
	if (popts[k].opt->set(o->proto_cfg[popts[k].pi], text, why, sizeof why))
		return 0;
	return fail(err, errlen, "--%s %s", popts[k].opt->name, why);
}

const void *
ecsim_proto_config(const ecsim_options *o, const ec_protocol *p)
{
	for (size_t i = 0; ec_protocols[i] && i < ECSIM_MAX_PROTOCOLS; i++)
		if (ec_protocols[i] == p)
			return p->config ? o->proto_cfg[i] : NULL;
	return NULL;
}

bool
ecsim_proto_option(const ecsim_options *o, const ec_protocol *p, const char *name, char *buf,
                   size_t len)
{
	const ec_proto_option *opt;
	const void *cfg = ecsim_proto_config(o, p);
	if (!cfg || ec_protocol_option(name, &opt) != p)
		return false;
	return opt->get(cfg, buf, len);
}

const char *
ecsim_option_name(const char *arg, bool *takes_value)
{
	if (strncmp(arg, "--", 2) != 0 || !arg[2])
		return NULL;
	build_longopts();
	const char *name = arg + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct option *hit = NULL;
	for (const struct option *l = longopts; l->name && !hit; l++)
		if (strlen(l->name) == len && strncmp(l->name, name, len) == 0)
			hit = l; /* exact: wins over abbreviations */
	for (const struct option *l = longopts; l->name && !hit; l++) {
		if (strncmp(l->name, name, len) != 0)
			continue;
		for (const struct option *m = l + 1; m->name; m++)
			if (strncmp(m->name, name, len) == 0)
				return NULL; /* ambiguous, as getopt_long finds too */
		hit = l;
	}
	if (hit && takes_value)
		*takes_value = hit->has_arg == required_argument && !eq;
	return hit ? hit->name : NULL;
}

int
ecsim_parse(int argc, char **argv, ecsim_options *o, char *err, size_t errlen)
{
	return ecsim_parse_checked(argc, argv, o, err, errlen, true);
}

/* What parsing remembers for the checks after the last option. */
typedef struct parse_state {
	bool seed_int, seed_hex, tokens_given;
	uint32_t degree;
} parse_state;

enum { STOP = -2, NOT_MINE = -1 };

/* The network and how it runs: size, seed, topology, threads.  Returns 0, 2 (a usage error, in err), STOP (parsed: stop
 * here), or NOT_MINE when c is not one of its options. */
static int
network_option(ecsim_options *o, parse_state *st, int c, const char *a, char *err,
               size_t errlen)
{
	uint64_t v;
	double d;
	switch (c) {
	case OPT_NODES:
		if (!parse_u64(a, &v) || v < 2 || v > UINT32_MAX)
			return fail(err, errlen, "--nodes needs a whole number from 2 to 4294967295, got '%s'",
			            a);
		o->cfg.nodes = (uint32_t)v;
		break;
	case OPT_ROUNDS:
		if (!parse_u64(a, &v))
			return fail(err, errlen, "--rounds needs a whole number from 0 to %s, got '%s'",
			            U64_MAX_TEXT, a);
		o->cfg.rounds = v;
		break;
	case OPT_SEED:
		if (!parse_u64(a, &v))
			return fail(err, errlen, "--seed needs a whole number from 0 to %s, got '%s'",
			            U64_MAX_TEXT, a);
		ec_rng_seed_from_u64(v, o->cfg.seed);
		st->seed_int = true;
		break;
	case OPT_SEED_HEX:
		if (ec_seed_parse_hex(a, o->cfg.seed))
			return fail(err, errlen, "--seed-hex needs exactly 64 hex digits, got '%s'", a);
		st->seed_hex = true;
		break;
	case OPT_TOPOLOGY: {
		int rc = parse_topology(a, &o->cfg.topology, err, errlen);
		if (rc)
			return rc;
		break;
	}
	case OPT_DELAY:
		if (!parse_fraction(a, &d))
			return fail(err, errlen, "--delay needs a fraction in [0,1], got '%s'", a);
		o->cfg.delay = d;
		break;
	case OPT_LOSS:
		if (!parse_fraction(a, &d))
			return fail(err, errlen, "--loss needs a fraction in [0,1], got '%s'", a);
		o->cfg.loss = d;
		break;
	case OPT_PROTOCOL: {
		char names[128];
		o->cfg.protocol = ec_protocol_find(a);
		if (!o->cfg.protocol)
			return fail(err, errlen, "unknown protocol '%s' (available: %s)", a,
			            protocol_names(names, sizeof names));
		break;
	}
	case OPT_VERIFY_EVERY: o->cfg.verify_every_node = true; break;
	case OPT_TICK_EVERY: o->cfg.tick_every_round = true; break;
	case OPT_THREADS:
		if (!parse_u64(a, &v) || v < 1 || v > 64)
			return fail(err, errlen, "--threads needs a whole number from 1 to 64, got '%s'", a);
		o->cfg.threads = (uint32_t)v;
		break;
	case OPT_MAX_QUEUE:
		if (!parse_u64(a, &v))
			return fail(err, errlen,
			            "--max-queue needs a whole number of messages from 0 to %s (0: no limit), "
			            "got '%s'", U64_MAX_TEXT, a);
		o->cfg.max_queue = v;
		break;
	case OPT_DEGREE:
		if (!parse_u64(a, &v) || v < 1 || v > 65536)
			return fail(err, errlen, "--degree needs a whole number from 1 to 65536, got '%s'", a);
		st->degree = (uint32_t)v;
		break;
	case OPT_ID_BITS:
		if (!parse_u64(a, &v) || v > 24)
			return fail(err, errlen, "--identity-bits needs a whole number from 0 to 24, got '%s'", a);
		o->cfg.identity_bits = (uint32_t)v;
		break;
	case OPT_BAD_ID:
		if (!parse_fraction(a, &d))
			return fail(err, errlen, "--bad-identity-rate needs a fraction in [0,1], got '%s'", a);
		o->cfg.bad_identity_rate = d;
		break;
	default:
		return NOT_MINE;
	}
	return 0;
}

/* The workload: tokens, blocks, rates, attacks.  Returns 0, 2 (a usage error, in err), STOP (parsed: stop
 * here), or NOT_MINE when c is not one of its options. */
static int
workload_option(ecsim_options *o, parse_state *st, int c, const char *a, char *err,
                size_t errlen)
{
	uint64_t v;
	double d;
	switch (c) {
	case OPT_TOKENS:
		if (!parse_u64(a, &v) || v > (1ull << 32))
			return fail(err, errlen,
			            "--initial-tokens needs a whole number from 0 to 4294967296 (2^32), got '%s'",
			            a);
		o->cfg.initial_tokens = v;
		st->tokens_given = true;
		break;
	case OPT_BLOCK_SIZE: {
		double lo, hi;
		char limits[160];
		if (!parse_pair(a, &lo, &hi) || lo != floor(lo) || hi != floor(hi) || lo < 1 || hi < 1)
			return fail(err, errlen,
			            "--block-size needs MIN,MAX, whole numbers from 1 to %u (%s), got '%s'",
			            max_block_tokens(), block_limits(limits, sizeof limits), a);
		if (lo > hi)
			return fail(err, errlen, "--block-size: MIN (%g) is greater than MAX (%g)", lo, hi);
		if (hi > max_block_tokens())
			return fail(err, errlen, "--block-size: a block holds at most %u tokens, got MAX %g",
			            max_block_tokens(), hi);
		o->cfg.block_min = (uint64_t)lo;
		o->cfg.block_max = (uint64_t)hi;
		break;
	}
	case OPT_TPN:
		if (!parse_u64(a, &v) || v < 1 || v > 1000000)
			return fail(err, errlen, "--tokens-per-node needs a whole number from 1 to 1000000, got '%s'", a);
		o->cfg.tokens_per_node = v;
		break;
	case OPT_TX_RATE:
		if (!parse_u64(a, &v) || v < 1)
			return fail(err, errlen, "--tx-rate needs a whole number from 1 to %s, got '%s'",
			            U64_MAX_TEXT, a);
		o->cfg.tx_rate = v;
		break;
	case OPT_WARMUP:
		if (!parse_u64(a, &v))
			return fail(err, errlen,
			            "--warmup needs a whole number of rounds from 0 to %s (fewer than --rounds), "
			            "got '%s'", U64_MAX_TEXT, a);
		o->cfg.warmup = v;
		break;
	case OPT_TX_PER_NODE:
		if (!parse_double(a, &d) || !(d > 0) || d > 1e6)
			return fail(err, errlen, "--tx-rate-per-node needs a number in (0, 1e6], got '%s'", a);
		o->cfg.tx_per_node = d;
		break;
	case OPT_DRAIN:
		if (!parse_u64(a, &v))
			return fail(err, errlen,
			            "--drain needs a whole number of rounds from 0 to %s (fewer than --rounds "
			            "minus --warmup), got '%s'", U64_MAX_TEXT, a);
		o->cfg.drain = v;
		break;
	case OPT_CONFLICT:
		if (!parse_fraction(a, &d))
			return fail(err, errlen, "--conflict-rate needs a fraction in [0,1], got '%s'", a);
		o->cfg.conflict_rate = d;
		break;
	case OPT_SIGNATURES:
		if (!(o->cfg.signatures = ec_sig_find(a)))
			return fail(err, errlen, "--signatures needs ed25519 or keyed-hash, got '%s'", a);
		break;
	case OPT_FORGE:
		if (!parse_fraction(a, &d))
			return fail(err, errlen, "--forge-rate needs a fraction in [0,1], got '%s'", a);
		o->cfg.forge_rate = d;
		break;
	case OPT_DESTROY:
		if (!parse_fraction(a, &d))
			return fail(err, errlen, "--destroy-rate needs a fraction in [0,1], got '%s'", a);
		o->cfg.destroy_rate = d;
		break;
	case OPT_SAFETY:
		if (strcmp(a, "on") != 0 && strcmp(a, "off") != 0)
			return fail(err, errlen, "--safety-check needs on or off, got '%s'", a);
		o->cfg.safety_check = strcmp(a, "on") == 0 ? EC_SAFETY_ON : EC_SAFETY_OFF;
		break;
	case OPT_WITNESS:
		if (!parse_u64(a, &v) || v > 16)
			return fail(err, errlen, "--witness-tokens needs a whole number from 0 to 16, got '%s'", a);
		o->cfg.witness_tokens = (uint32_t)v;
		break;
	default:
		return NOT_MINE;
	}
	return 0;
}

/* Open networks.  Returns 0, 2 (a usage error, in err), or NOT_MINE when c
 * is not one of its options. */
static int
open_option(ecsim_options *o, int c, const char *a, char *err, size_t errlen)
{
	uint64_t v;
	double d;
	switch (c) {
	case OPT_START_NODES:
		if (!parse_u64(a, &v) || v < 2 || v > UINT32_MAX)
			return fail(err, errlen,
			            "--start-nodes needs a whole number from 2 to --nodes, got '%s'", a);
		o->cfg.start_nodes = (uint32_t)v;
		break;
	case OPT_JOIN_RATE:
		if (!parse_u64(a, &v) || v < 1 || v > UINT32_MAX)
			return fail(err, errlen,
			            "--join-rate needs a whole number of nodes per round from 1 to "
			            "4294967295, got '%s'", a);
		o->cfg.join_rate = (uint32_t)v;
		break;
	case OPT_BOOTSTRAP:
		if (!parse_u64(a, &v) || v < 1 || v > 1024)
			return fail(err, errlen, "--bootstrap-peers needs a whole number from 1 to 1024, got '%s'",
			            a);
		o->cfg.bootstrap_peers = (uint32_t)v;
		break;
	case OPT_CHURN:
		if (!parse_fraction(a, &d))
			return fail(err, errlen,
			            "--churn needs a fraction in [0,1] (of the live nodes, per 100 rounds), "
			            "got '%s'", a);
		o->cfg.churn = d;
		break;
	case OPT_REJOIN:
		if (!parse_u64(a, &v))
			return fail(err, errlen,
			            "--rejoin-after needs a whole number of rounds from 0 to %s (0: never), "
			            "got '%s'", U64_MAX_TEXT, a);
		o->cfg.rejoin_after = v;
		break;
	case OPT_LEAVE_GRACEFUL:
		if (!parse_fraction(a, &d))
			return fail(err, errlen, "--leave-graceful needs a fraction in [0,1], got '%s'", a);
		o->cfg.leave_graceful = d;
		break;
	case OPT_LAZY:
		if (!parse_fraction(a, &d))
			return fail(err, errlen, "--lazy-storage needs a fraction in [0,1], got '%s'", a);
		o->cfg.lazy_storage = d;
		break;
	default:
		return NOT_MINE;
	}
	return 0;
}

/* --placement random | target[:TOKEN] | cluster:K */
static int
parse_placement(ec_byzantine_config *b, const char *a, char *err, size_t errlen)
{
	uint64_t v;
	if (strcmp(a, "random") == 0) {
		b->placement = EC_PLACE_RANDOM;
	} else if (strcmp(a, "target") == 0) {
		b->placement = EC_PLACE_TARGET;
		b->target = 0;
	} else if (strncmp(a, "target:", 7) == 0) {
		char *end;
		errno = 0;
		unsigned long long t = strtoull(a + 7, &end, 16);
		if (!a[7] || *end || errno || t == 0)
			return fail(err, errlen, "--placement target:TOKEN needs a non-zero hex ring "
			                         "position, got '%s'", a);
		b->placement = EC_PLACE_TARGET;
		b->target = t;
	} else if (strncmp(a, "cluster:", 8) == 0 && parse_u64(a + 8, &v) && v >= 1 &&
	           v <= UINT32_MAX) {
		b->placement = EC_PLACE_CLUSTER;
		b->cluster = (uint32_t)v;
	} else {
		return fail(err, errlen, "--placement needs random, target, target:TOKEN or "
		                         "cluster:K (K >= 1), got '%s'", a);
	}
	return 0;
}

/* Byzantine nodes.  Returns 0, 2 (a usage error, in err), or NOT_MINE when
 * c is not one of its options. */
static int
byzantine_option(ecsim_options *o, int c, const char *a, char *err, size_t errlen)
{
	ec_byzantine_config *b = &o->cfg.byzantine;
	uint64_t v;
	double d;
	switch (c) {
	case OPT_BYZ:
		if (parse_u64(a, &v) && v >= 1 && v <= UINT32_MAX) {
			b->count = (uint32_t)v;
			b->fraction = 0;
		} else if (parse_fraction(a, &d) && d < 1) {
			b->fraction = d;
			b->count = 0;
		} else {
			return fail(err, errlen, "--byzantine needs a share in [0,1) or a whole number of "
			                         "nodes, got '%s'", a);
		}
		break;
	case OPT_BEHAVIOUR:
		if (ec_behaviour_parse(a, &b->behaviours) != EC_OK) {
			char names[256];
			ec_behaviour_format(EC_BHV_ALL, names, sizeof names);
			return fail(err, errlen, "--behaviour needs a comma-separated list of %s; got '%s'",
			            names, a);
		}
		break;
	case OPT_PLACEMENT: return parse_placement(b, a, err, errlen);
	case OPT_ATTACK_START:
		if (!parse_u64(a, &v))
			return fail(err, errlen, "--attack-start needs a round number, got '%s'", a);
		b->start = v;
		break;
	case OPT_ATTACK_SHARE:
		if (!parse_fraction(a, &d))
			return fail(err, errlen, "--attack-share needs a fraction in [0,1], got '%s'", a);
		b->share = d;
		break;
	case OPT_ATTACK_DELAY:
		if (!parse_u64(a, &v) || v < 1 || v > 1000000)
			return fail(err, errlen, "--attack-delay needs a whole number of rounds from 1 to "
			                         "1000000, got '%s'", a);
		b->delay = v;
		break;
	case OPT_SHRINK: o->shrink = true; break;
	case OPT_CHEAT_KEEP:
		if (!parse_fraction(a, &d))
			return fail(err, errlen, "--cheat-keep needs a fraction in [0,1], got '%s'", a);
		b->cheat_keep = d;
		break;
	case OPT_CENSOR_AFTER:
		if (!parse_u64(a, &v) || v < 1 || v > 1000000)
			return fail(err, errlen, "--censor-after needs a whole number of rounds from 1 to "
			                         "1000000, got '%s'", a);
		b->censor_after = v;
		break;
	default:
		return NOT_MINE;
	}
	return 0;
}

/* Refuses Byzantine settings that would change nothing. */
static int
check_byzantine(const ecsim_options *o, const bool *given, char *err, size_t errlen)
{
	const ec_byzantine_config *b = &o->cfg.byzantine;
	static const int mine[] = {OPT_PLACEMENT,    OPT_ATTACK_START, OPT_ATTACK_SHARE,
	                           OPT_ATTACK_DELAY, OPT_CENSOR_AFTER, OPT_SHRINK,
	                           OPT_CHEAT_KEEP};
	if (given[OPT_BYZ - OPT_NODES] && !b->behaviours)
		return fail(err, errlen, "--byzantine needs --behaviour: how the nodes lie");
	for (size_t k = 0; k < sizeof mine / sizeof mine[0]; k++)
		if (given[mine[k] - OPT_NODES] && !b->behaviours)
			return fail(err, errlen, "--placement, --attack-start, --attack-share, "
			                         "--attack-delay, --censor-after, --cheat-keep and "
			                         "--shrink apply to Byzantine nodes: give --byzantine F "
			                         "--behaviour LIST");
	if (given[OPT_ATTACK_DELAY - OPT_NODES] && !(b->behaviours & EC_BHV_DELAY))
		return fail(err, errlen, "--attack-delay changes nothing without --behaviour delay");
	if ((b->behaviours & EC_BHV_SLEEPER) && b->start == 0)
		return fail(err, errlen, "--behaviour sleeper needs --attack-start R > 0: the rounds it "
		                         "stays honest");
	if ((b->behaviours & EC_BHV_SYBIL) && b->placement != EC_PLACE_TARGET)
		return fail(err, errlen, "--behaviour sybil needs --placement target: its identities "
		                         "are ground near a target token");
	if (given[OPT_CHEAT_KEEP - OPT_NODES] && !(b->behaviours & EC_BHV_STORAGE_CHEAT))
		return fail(err, errlen, "--cheat-keep changes nothing without --behaviour "
		                         "storage-cheat");
	return 0;
}

/* Runs and output.  Returns 0, 2 (a usage error, in err), STOP (parsed: stop
 * here), or NOT_MINE when c is not one of its options. */
static int
output_option(ecsim_options *o, parse_state *st, int c, const char *a, char *err,
              size_t errlen)
{
	uint64_t v;
	(void)st;
	switch (c) {
	case OPT_RUNS:
		if (!parse_u64(a, &v) || v < 1 || v > 1000000)
			return fail(err, errlen, "--runs needs a whole number from 1 to 1000000, got '%s'", a);
		o->runs = v;
		break;
	case OPT_JSON: o->json = true; break;
	case OPT_CSV:
		if (!*a)
			return fail(err, errlen, "--csv-events needs a file name");
		o->csv_events = a;
		break;
	case OPT_SAFETY_REPORT:
		if (!*a)
			return fail(err, errlen, "--safety-report needs a file name");
		o->safety_report = a;
		break;
	case OPT_QUIET: o->quiet = true; break;
	case OPT_FORCE: o->force = true; break;
	case OPT_VERSION: o->version = true; return STOP;
	case OPT_RESOURCES: o->resources = true; break;
	case OPT_PRINT_SCENARIO: o->print_scenario = true; break;
	default:
		return NOT_MINE;
	}
	return 0;
}

int
ecsim_parse_checked(int argc, char **argv, ecsim_options *o, char *err, size_t errlen,
                    bool final_checks)
{
	memset(o, 0, sizeof *o);
	ec_sim_config_default(&o->cfg);
	build_longopts();
	for (size_t pi = 0; ec_protocols[pi] && pi < ECSIM_MAX_PROTOCOLS; pi++)
		if (ec_protocols[pi]->config)
			ec_protocols[pi]->config->init(o->proto_cfg[pi]);
	o->runs = 1;
	err[0] = 0;
	opterr = 0;
	optind = 0; /* 0, not 1: also forgets a cluster of short options that an
	               earlier parse left half read (glibc, musl) */
	int c;
	parse_state st = {.degree = 64};
	bool given[OPT_END - OPT_NODES] = {false}; /* by option, for the final checks */
	bool pgiven[MAX_PROTO_OPTS] = {false};
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		const char *a = optarg;
		if (c >= OPT_NODES && c < OPT_END)
			given[c - OPT_NODES] = true;
		if (c == 'h' || c == OPT_HELP) {
			o->help = true;
			return 0;
		}
		if (c == ':')
			return fail(err, errlen, "option '%s' needs a value", argv[optind - 1]);
		if (c >= OPT_PROTO && (size_t)(c - OPT_PROTO) < npopts) {
			int rc = set_proto_option(o, (size_t)(c - OPT_PROTO), a, err, errlen);
			if (rc)
				return rc;
			pgiven[c - OPT_PROTO] = true;
			continue;
		}
		int rc = network_option(o, &st, c, a, err, errlen);
		if (rc == NOT_MINE)
			rc = workload_option(o, &st, c, a, err, errlen);
		if (rc == NOT_MINE)
			rc = open_option(o, c, a, err, errlen);
		if (rc == NOT_MINE)
			rc = byzantine_option(o, c, a, err, errlen);
		if (rc == NOT_MINE)
			rc = output_option(o, &st, c, a, err, errlen);
		if (rc == STOP)
			return 0;
		if (rc == NOT_MINE)
			return fail(err, errlen, "unknown option '%s' (see --help)", argv[optind - 1]);
		if (rc)
			return rc;
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%s' (see --help)", argv[optind]);
	const ec_proto_config *pc = o->cfg.protocol->config;
	o->cfg.protocol_config = ecsim_proto_config(o, o->cfg.protocol);
	o->cfg.neighbourhood = pc ? pc->neighbourhood(o->cfg.protocol_config) : 4;
	o->cfg.topology.degree = st.degree;
	if (!o->cfg.threads) { /* threads pay for their round barriers on big networks only */
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		o->cfg.threads = o->cfg.nodes >= 16384 && cores > 1 ? (uint32_t)(cores > 64 ? 64 : cores) : 1;
	}
	if (!final_checks)
		return 0;
	if (st.seed_int && st.seed_hex)
		return fail(err, errlen, "--seed and --seed-hex are mutually exclusive");
	if (st.tokens_given && o->cfg.tokens_per_node)
		return fail(err, errlen, "--initial-tokens and --tokens-per-node are mutually exclusive");
	if (o->resources && !o->json)
		return fail(err, errlen, "--resources adds figures to the JSON output: give --json too");
	int rc = check_applicable(o, given, pgiven, err, errlen);
	if (rc)
		return rc;
	o->seed_given = st.seed_int || st.seed_hex;
	const char *problem = pc ? pc->check(o->cfg.protocol_config) : NULL;
	if (!problem)
		problem = ec_sim_config_check(&o->cfg);
	if (problem)
		return fail(err, errlen, "%s", problem);
	return 0;
}

bool
ecsim_safety_on(const ec_sim_config *cfg)
{
	return cfg->safety_check == EC_SAFETY_ON ||
	       (cfg->safety_check == EC_SAFETY_DEFAULT &&
	        (cfg->protocol->claims_safety || cfg->byzantine.behaviours));
}

bool
ecsim_is_published(const ecsim_options *o)
{
	ec_sim_config def;
	ec_sim_config_default(&def);
	const ec_sim_config *c = &o->cfg;
	return c->nodes == def.nodes && c->rounds == def.rounds && c->warmup == 0 &&
	       c->tokens_per_node == 0 && c->tx_rate == 0 &&
	       memcmp(c->seed, def.seed, sizeof def.seed) == 0 && c->delay == def.delay &&
	       c->loss == def.loss && c->topology.kind == def.topology.kind &&
	       c->topology.a == def.topology.a && c->topology.b == def.topology.b &&
	       c->initial_tokens == def.initial_tokens && c->block_min == def.block_min &&
	       c->block_max == def.block_max && c->protocol == def.protocol &&
	       c->conflict_rate == 0 && o->runs == 1;
}
