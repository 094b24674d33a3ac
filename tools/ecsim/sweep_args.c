/* SPDX-License-Identifier: MIT */
/*
 * ecsim sweep's command line.  Its own options (--out, --sweep-nodes,
 * --seeds, --help) are taken out; the rest are ecsim's run options, parsed
 * by ecsim's own parser once per size with --nodes N added, so that they
 * mean in a sweep what they mean for one run.
 */
#include "sweep_args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"

enum { DEFAULT_SEEDS = 3, MAX_SEEDS = 100000 };

/* Run options of ecsim that mean nothing for a sweep; accepting them
 * silently would let a user believe they took effect. */
static const struct {
	const char *name, *why;
} refused[] = {
	{"nodes", "give the sizes with --sweep-nodes"},
	{"runs", "give the number of seeds per size with --seeds"},
	{"json", "sweep writes runs.csv and summary.csv into the --out directory"},
	{"csv-events", "sweep streams no events; run one size with ecsim --csv-events"},
	{"print-scenario", "a sweep is not one scenario; use ecsim --print-scenario"},
	{"resources", "sweep reports no process figures"},
	{"safety-report", "a sweep stops at a safety violation; run that size alone with "
	                  "ecsim for its scenario"},
};

static int
usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "ecsim sweep: %s%s\n", msg, arg ? arg : "");
	return 2;
}

void
sweep_usage(FILE *out)
{
	fputs(
	    "usage: ecsim sweep --out DIR --sweep-nodes N1,N2,... [--seeds K] [run options]\n"
	    "\n"
	    "Runs every network size N1, N2, ... with K consecutive seeds each and writes\n"
	    "into DIR (created if missing; its parent must exist; files of the same names\n"
	    "are replaced):\n"
	    "  runs.csv      one row per run: nodes, seed, messages, commits, messages per\n"
	    "                commit, latency (mean, p50, p95, p99, max), throughput, ...\n"
	    "  summary.csv   per size: the mean and the 95 % confidence interval (Student t)\n"
	    "                of messages per commit, messages per node per commit, latency\n"
	    "                (mean and p95), throughput, commits and messages\n"
	    "  fit.txt       the exponent b of metric = a * N^b (least squares on the\n"
	    "                log-log of the per-size means) and its standard error; also\n"
	    "                printed on stdout\n"
	    "  plots.gp      the gnuplot script of the plots (gnuplot plots.gp, in DIR)\n"
	    "  *.png, *.svg  messages per commit, messages per node per commit, mean\n"
	    "                latency and throughput against N, drawn by gnuplot when it is\n"
	    "                installed\n"
	    "Each file is written under a temporary name and renamed once complete, so a\n"
	    "failed sweep leaves no partial file.\n"
	    "\n"
	    "Sweep options:\n"
	    "  --out DIR             the directory of the files above (required)\n"
	    "  --sweep-nodes N1,...  network sizes, each at least 2, separated by commas\n"
	    "                        (required)\n"
	    "  --seeds K             seeds per size, 1 to 100000 (default 3): the base seed\n"
	    "                        and the K-1 after it, the same at every size\n"
	    "  --quiet               no progress line per run on stderr\n"
	    "  -h, --help            this text\n"
	    "\n"
	    "Run options: the options of ecsim --help that describe a run (--rounds,\n"
	    "--topology, --protocol, --seed or --seed-hex for the base seed, ...) apply to\n"
	    "every run, with the same defaults (default base seed: the published one;\n"
	    "default --threads: chosen for each size as ecsim chooses it).  Refused, as\n"
	    "they do not apply to a sweep: --nodes (use --sweep-nodes), --runs (use\n"
	    "--seeds), --json, --csv-events, --print-scenario, --resources,\n"
	    "--safety-report.  A run that breaks safety (--safety-check) stops the sweep.\n"
	    "\n"
	    "Undefined figures: a figure without a value is an empty field in the CSV\n"
	    "files, never 0: messages per commit of a run without commits, its latency,\n"
	    "rates over zero measured rounds; in summary.csv a mean over the runs of a\n"
	    "size uses the runs where the figure is defined, and is empty if there is\n"
	    "none; an interval needs two such runs.  fit.txt writes n/a for an exponent\n"
	    "with fewer than two sizes of positive mean and for a standard error with\n"
	    "fewer than three.  A metric without a positive mean at any size is not\n"
	    "plotted (the axes are logarithmic).\n"
	    "\n"
	    "Exit status: 0 on success, also when gnuplot is not installed (a warning\n"
	    "says so; the other files are complete); 1 if a run failed or a file could\n"
	    "not be written, or if gnuplot failed (then every file but the plots is\n"
	    "written); 2 for a usage error (nothing is written).\n"
	    "\n"
	    "Example:\n"
	    "  ecsim sweep --out out/sweep --sweep-nodes 1000,10000,100000 --seeds 3 \\\n"
	    "      --protocol ec --topology small-world --degree 64 --tokens-per-node 1 \\\n"
	    "      --tx-rate-per-node 0.002 --rounds 200 --warmup 50 --drain 40\n",
	    out);
}

/* Whether argv[*i] is option name, as "name VALUE" or "name=VALUE": 0 if
 * not, 1 with *val set (advancing *i past a separate value), -1 if the
 * value is missing. */
static int
take_value(int argc, char **argv, int *i, const char *name, const char **val)
{
	size_t len = strlen(name);
	if (strncmp(argv[*i], name, len) != 0)
		return 0;
	if (argv[*i][len] == '=') {
		*val = argv[*i] + len + 1;
		return 1;
	}
	if (argv[*i][len] != 0)
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

static int
parse_seeds(const char *s, unsigned long long *seeds)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || *s < '0' || *s > '9' || v < 1 || v > MAX_SEEDS)
		return -1;
	*seeds = v;
	return 0;
}

int
sweep_args_split(int argc, char **argv, sweep_args *a)
{
	*a = (sweep_args){.seeds = DEFAULT_SEEDS};
	a->rest = calloc((size_t)argc + 3, sizeof *a->rest);
	if (!a->rest) {
		fprintf(stderr, "ecsim sweep: out of memory\n");
		return 1;
	}
	a->rest[a->nrest++] = argv[0];
	for (int i = 2; i < argc; i++) {
		const char *v = NULL;
		int m;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			a->help = true;
		} else if ((m = take_value(argc, argv, &i, "--out", &v))) {
			if (m < 0 || !*v)
				return usage_error("--out needs a directory name", NULL);
			a->out = v;
		} else if ((m = take_value(argc, argv, &i, "--sweep-nodes", &v))) {
			if (m < 0)
				return usage_error("--sweep-nodes needs sizes separated by commas", NULL);
			a->sizes_arg = v;
		} else if ((m = take_value(argc, argv, &i, "--seeds", &v))) {
			if (m < 0 || parse_seeds(v, &a->seeds))
				return usage_error("--seeds needs a whole number from 1 to 100000, got ",
				                   m < 0 ? "nothing" : v);
		} else {
			a->rest[a->nrest++] = argv[i];
		}
	}
	return 0;
}

/* The refused option that v[1..n-1] names, or -1.  With abbreviations,
 * also a unique prefix such as --jso, which getopt_long accepts: checked
 * once the run options have parsed, so that the prefix is known to name
 * exactly one option. */
static int
refused_option(char *const *v, int n, bool abbreviations)
{
	for (int i = 1; i < n; i++) {
		if (strncmp(v[i], "--", 2) != 0)
			continue;
		const char *name = v[i] + 2;
		size_t len = strcspn(name, "=");
		if (len == 0)
			continue;
		for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
			size_t full = strlen(refused[k].name);
			if (strncmp(name, refused[k].name, len) == 0 && (len == full || abbreviations))
				return (int)k;
		}
	}
	return -1;
}

static int
refuse(int k)
{
	fprintf(stderr, "ecsim sweep: --%s does not apply to sweep: %s\n", refused[k].name,
	        refused[k].why);
	return 2;
}

static int
parse_sizes(const char *s, uint32_t **out, size_t *n)
{
	size_t cap = 1;
	for (const char *p = s; *p; p++)
		cap += *p == ',';
	uint32_t *v = calloc(cap, sizeof *v);
	if (!v)
		return -1;
	size_t k = 0;
	const char *p = s;
	while (*p) {
		char *end;
		errno = 0;
		if (*p < '0' || *p > '9')
			goto bad;
		unsigned long long x = strtoull(p, &end, 10);
		if (errno || x < 2 || x > UINT32_MAX || (*end && *end != ','))
			goto bad;
		v[k++] = (uint32_t)x;
		p = *end ? end + 1 : end;
		if (*end == ',' && !*p)
			goto bad;
	}
	if (k == 0)
		goto bad;
	*out = v;
	*n = k;
	return 0;
bad:
	free(v);
	return -1;
}

int
sweep_configure(sweep_args *a, uint32_t nodes, ecsim_options *o)
{
	char n[16], opt[] = "--nodes", err[512];
	snprintf(n, sizeof n, "%u", nodes);
	a->rest[a->nrest] = opt;
	a->rest[a->nrest + 1] = n;
	a->rest[a->nrest + 2] = NULL;
	int rc = ecsim_parse(a->nrest + 2, a->rest, o, err, sizeof err);
	a->rest[a->nrest] = NULL;
	return rc ? usage_error(err, NULL) : 0;
}

int
sweep_args_check(sweep_args *a)
{
	int k = refused_option(a->rest, a->nrest, false);
	if (k >= 0)
		return refuse(k);
	if (!a->out || !a->sizes_arg)
		return usage_error("usage: ecsim sweep --out DIR --sweep-nodes N1,N2,... [--seeds K] "
		                   "[run options] (see ecsim sweep --help)", NULL);
	if (parse_sizes(a->sizes_arg, &a->sizes, &a->nsizes))
		return usage_error("--sweep-nodes needs sizes from 2 to 4294967295 separated by commas, "
		                   "got ", a->sizes_arg);
	for (size_t i = 0; i < a->nsizes; i++) {
		ecsim_options o;
		int rc = sweep_configure(a, a->sizes[i], &o);
		if (rc)
			return rc;
		if (o.help) { /* an abbreviation of --help */
			a->help = true;
			return 0;
		}
		a->quiet = o.quiet;
		/* every size must fit before the first one runs */
		if ((rc = ecsim_memory_check(&o.cfg, o.force, NULL)))
			return rc;
	}
	k = refused_option(a->rest, a->nrest, true);
	return k >= 0 ? refuse(k) : 0;
}

void
sweep_args_free(sweep_args *a)
{
	free(a->rest);
	free(a->sizes);
	a->rest = NULL;
	a->sizes = NULL;
}
