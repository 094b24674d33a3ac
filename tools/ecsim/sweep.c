/* SPDX-License-Identifier: MIT */
/*
 * ecsim sweep --out DIR --sweep-nodes N1,N2,... [--seeds K] [run options]
 *
 * For every network size N and every seed s = base .. base+K-1 it runs the
 * configuration given by the other options and writes, into DIR:
 *   runs.csv     one row per run;
 *   summary.csv  per N: mean and 95 % CI (Student t) of each metric;
 *   fit.txt      the exponent b of metric ~ a * N^b, least squares on
 *                log(mean) against log(N), with its standard error;
 *   plots.gp     a gnuplot script, run to make *.png and *.svg (when gnuplot
 *                is installed) for messages per commit, messages per node
 *                per commit, latency and throughput against N.
 * A figure that has no value (messages per commit of a run without commits,
 * the interval of one run, ...) is an empty CSV field and n/a in text.
 *
 * Nothing is written before every option is checked.  Every file is written
 * under a hidden temporary name and renamed over its real name once
 * complete, so that a failed sweep leaves no partial file.  Files are opened
 * relative to DIR's descriptor (no path is ever assembled), and gnuplot is
 * started without a shell, in DIR, on a script that names only files this
 * code named.
 */
#include "sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ecsim/report.h"
#include "ecsim/summary.h"
#include "options.h"

enum { M_MPC, M_MPNPC, M_LAT, M_LATP95, M_THR, M_COMMITS, M_MESSAGES, M_COUNT };
static const char *const mname[M_COUNT] = {"messages_per_commit", "messages_per_node_per_commit",
                                           "latency_mean", "latency_p95", "throughput", "commits",
                                           "messages"};

/* ---- options ---------------------------------------------------------- */

enum { DEFAULT_SEEDS = 3, MAX_SEEDS = 100000 };

typedef struct sweep_args {
	const char *out, *sizes_arg;
	unsigned long long seeds;
	bool help;
	char **rest; /* argv[0], the run options, then room for --nodes N and NULL */
	int nrest;
} sweep_args;

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
};

static int
usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "ecsim sweep: %s%s\n", msg, arg ? arg : "");
	return 2;
}

static void
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
	    "--seeds), --json, --csv-events, --print-scenario, --resources.\n"
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

/* Takes sweep's own options out of argv; the rest are run options. */
static int
split_args(int argc, char **argv, sweep_args *a)
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

/* Parses the run options for a network of `nodes`, as `ecsim --nodes N`
 * would: every check that depends on the size, and the default thread
 * count for that size.  o must outlive the run (it points into itself). */
static int
configure(sweep_args *a, uint32_t nodes, ecsim_options *o)
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

/* ---- the grid of runs ------------------------------------------------- */

typedef struct grid {
	uint32_t *sizes;
	size_t nsizes;
	unsigned long long seeds;
	bool quiet;
	double *vals;    /* [size][metric][seed]: the first nval[size][metric] hold
	                    the runs where the metric is defined */
	size_t *nval;    /* [size][metric] */
	ec_summary *st;  /* [size][metric] */
} grid;

/* Checks every option and size before anything is written. */
static int
check_args(sweep_args *a, grid *g)
{
	int k = refused_option(a->rest, a->nrest, false);
	if (k >= 0)
		return refuse(k);
	if (!a->out || !a->sizes_arg)
		return usage_error("usage: ecsim sweep --out DIR --sweep-nodes N1,N2,... [--seeds K] "
		                   "[run options] (see ecsim sweep --help)", NULL);
	if (parse_sizes(a->sizes_arg, &g->sizes, &g->nsizes))
		return usage_error("--sweep-nodes needs sizes of at least 2 separated by commas, got ",
		                   a->sizes_arg);
	g->seeds = a->seeds;
	for (size_t i = 0; i < g->nsizes; i++) {
		ecsim_options o;
		int rc = configure(a, g->sizes[i], &o);
		if (rc)
			return rc;
		if (o.help) { /* an abbreviation of --help */
			a->help = true;
			return 0;
		}
		g->quiet = o.quiet;
	}
	k = refused_option(a->rest, a->nrest, true);
	return k >= 0 ? refuse(k) : 0;
}

static int
grid_alloc(grid *g)
{
	g->vals = calloc(g->nsizes * g->seeds * M_COUNT, sizeof *g->vals);
	g->nval = calloc(g->nsizes * M_COUNT, sizeof *g->nval);
	g->st = calloc(g->nsizes * M_COUNT, sizeof *g->st);
	if (g->vals && g->nval && g->st)
		return 0;
	fprintf(stderr, "ecsim sweep: out of memory\n");
	return 1;
}

static void
grid_free(grid *g)
{
	free(g->sizes);
	free(g->vals);
	free(g->nval);
	free(g->st);
}

/* A CSV field: the value, or nothing when it is undefined. */
static void
csv_real(FILE *f, bool defined, int decimals, double v)
{
	fputc(',', f);
	if (defined)
		fprintf(f, "%.*f", decimals, v);
}

static void
csv_count(FILE *f, bool defined, uint64_t v)
{
	fputc(',', f);
	if (defined)
		fprintf(f, "%llu", (unsigned long long)v);
}

static void
write_run_row(FILE *f, uint32_t nodes, const uint8_t seed[EC_RNG_SEED_BYTES],
              const ec_sim_result *r, const ec_figures *fig)
{
	char hex[65];
	ec_seed_hex(seed, hex);
	const bool lat = r->latency.count > 0, rounds = r->rounds > 0;
	fprintf(f, "%u,%s,%llu,%llu", nodes, hex, (unsigned long long)r->messages,
	        (unsigned long long)r->committed);
	csv_real(f, fig->has_commits, 6, fig->messages_per_commit);
	csv_real(f, fig->has_commits, 6, fig->messages_per_node_per_commit);
	csv_real(f, lat, 4, r->latency.mean);
	csv_count(f, lat, r->latency.p50);
	csv_count(f, lat, r->latency.p95);
	csv_count(f, lat, r->latency.p99);
	csv_count(f, lat, r->latency.max);
	csv_real(f, rounds, 6, fig->throughput);
	csv_real(f, rounds, 6, fig->tokens_per_round);
	csv_real(f, rounds, 4, fig->bytes_per_node_per_round);
	csv_real(f, r->created > 0, 6, fig->uncommitted_fraction);
	fprintf(f, ",%d\n", r->stalled);
}

/* Keeps the run's defined metrics for the summary of size k. */
static void
record_run(grid *g, size_t k, const ec_sim_result *r, const ec_figures *f)
{
	const double m[M_COUNT] = {f->messages_per_commit, f->messages_per_node_per_commit,
	                           r->latency.mean, (double)r->latency.p95, f->throughput,
	                           (double)r->committed, (double)r->messages};
	const bool have[M_COUNT] = {f->has_commits, f->has_commits, r->latency.count > 0,
	                            r->latency.count > 0, r->rounds > 0, true, true};
	for (size_t j = 0; j < M_COUNT; j++) {
		size_t at = k * M_COUNT + j;
		if (have[j])
			g->vals[at * g->seeds + g->nval[at]++] = m[j];
	}
}

static ec_err
run_one(const ec_sim_config *cfg, ec_sim_result *r)
{
	ec_sim *sim;
	ec_err e = ec_sim_new(&sim, cfg);
	if (!e)
		e = ec_sim_run(sim);
	if (!e)
		e = ec_sim_result_get(sim, r);
	ec_sim_free(sim);
	return e;
}

/* Runs every size and seed, writing runs.csv's rows. */
static int
run_grid(sweep_args *a, grid *g, FILE *runs)
{
	fputs("nodes,seed,messages,commits,messages_per_commit,messages_per_node_per_commit,"
	      "latency_mean,latency_p50,latency_p95,latency_p99,latency_max,throughput,"
	      "tokens_per_round,bytes_per_node_per_round,uncommitted_fraction,stalled\n", runs);
	for (size_t k = 0; k < g->nsizes; k++) {
		ecsim_options o;
		if (configure(a, g->sizes[k], &o))
			return 2; /* checked before; cannot happen */
		uint8_t base[EC_RNG_SEED_BYTES];
		memcpy(base, o.cfg.seed, sizeof base);
		for (unsigned long long s = 0; s < g->seeds; s++) {
			memcpy(o.cfg.seed, base, sizeof base);
			ec_seed_add(o.cfg.seed, s);
			ec_sim_result r;
			ec_err e = run_one(&o.cfg, &r);
			if (e) {
				fprintf(stderr, "ecsim sweep: run N=%u seed #%llu failed: %s\n", g->sizes[k], s,
				        e == EC_EFULL ? "the message queue passed --max-queue" : ec_strerror(e));
				return 1;
			}
			ec_figures f;
			ec_figures_of(&r, g->sizes[k], &f);
			write_run_row(runs, g->sizes[k], o.cfg.seed, &r, &f);
			record_run(g, k, &r, &f);
			if (!g->quiet)
				fprintf(stderr, "ecsim sweep: N=%u seed #%llu done\n", g->sizes[k], s);
		}
	}
	return 0;
}

/* ---- summary and fit -------------------------------------------------- */

static int
summarize(grid *g)
{
	for (size_t at = 0; at < g->nsizes * M_COUNT; at++) {
		if (ec_summary_compute(g->vals + at * g->seeds, g->nval[at], &g->st[at])) {
			fprintf(stderr, "ecsim sweep: out of memory\n");
			return 1;
		}
	}
	return 0;
}

/* A mean needs one run where the metric is defined, an interval two. */
static void
csv_stat(FILE *f, const ec_summary *st)
{
	if (st->n == 0) {
		fputs(",,,", f);
	} else if (st->n == 1) {
		fprintf(f, ",%.6g,,", st->mean);
	} else {
		fprintf(f, ",%.6g,%.6g,%.6g", st->mean, st->ci_low, st->ci_high);
	}
}

static void
write_summary(FILE *f, const grid *g)
{
	fputs("nodes,runs", f);
	for (int j = 0; j < M_COUNT; j++)
		fprintf(f, ",%s_mean,%s_ci_low,%s_ci_high", mname[j], mname[j], mname[j]);
	fputc('\n', f);
	for (size_t k = 0; k < g->nsizes; k++) {
		fprintf(f, "%u,%llu", g->sizes[k], g->seeds);
		for (size_t j = 0; j < M_COUNT; j++)
			csv_stat(f, &g->st[k * M_COUNT + j]);
		fputc('\n', f);
	}
}

/* y = a * x^b by least squares on logs over the points with x, y > 0:
 * b needs two such points (else NAN), its standard error three. */
static void
fit_power(const double *x, const double *y, size_t n, double *b, double *se)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (!(x[i] > 0) || !(y[i] > 0))
			continue;
		double lx = log(x[i]), ly = log(y[i]);
		sx += lx, sy += ly, sxx += lx * lx, sxy += lx * ly;
		m++;
	}
	*b = NAN;
	*se = NAN;
	if (m < 2)
		return;
	double den = (double)m * sxx - sx * sx;
	if (den == 0)
		return;
	*b = ((double)m * sxy - sx * sy) / den;
	if (m > 2) {
		double a = (sy - *b * sx) / (double)m, rss = 0;
		for (size_t i = 0; i < n; i++) {
			if (!(x[i] > 0) || !(y[i] > 0))
				continue;
			double r = log(y[i]) - (a + *b * log(x[i]));
			rss += r * r;
		}
		*se = sqrt(rss / (double)(m - 2) / (sxx - sx * sx / (double)m));
	}
}

/* The exponent and standard error of every metric (NAN: undefined). */
static int
fit_all(const grid *g, double b[M_COUNT], double se[M_COUNT])
{
	double *xs = calloc(g->nsizes, sizeof *xs), *ys = calloc(g->nsizes, sizeof *ys);
	if (!xs || !ys) {
		free(xs);
		free(ys);
		fprintf(stderr, "ecsim sweep: out of memory\n");
		return 1;
	}
	for (size_t j = 0; j < M_COUNT; j++) {
		for (size_t k = 0; k < g->nsizes; k++) {
			const ec_summary *st = &g->st[k * M_COUNT + j];
			xs[k] = g->sizes[k];
			ys[k] = st->n ? st->mean : NAN;
		}
		fit_power(xs, ys, g->nsizes, &b[j], &se[j]);
	}
	free(xs);
	free(ys);
	return 0;
}

static void
write_fit(FILE *f, unsigned long long seeds, const double b[M_COUNT], const double se[M_COUNT])
{
	fprintf(f, "Fitted scaling exponents b in metric = a * N^b (least squares on log-log of\n"
	           "the per-N means over %llu seeds; +- one standard error):\n", seeds);
	bool undefined = false;
	for (int j = 0; j < M_COUNT; j++) {
		fprintf(f, "  %-30s b = ", mname[j]);
		if (isnan(b[j]))
			fprintf(f, "%8s", "n/a");
		else
			fprintf(f, "%8.4f", b[j]);
		if (isnan(se[j]))
			fputs("  +- n/a\n", f);
		else
			fprintf(f, "  +- %.4f\n", se[j]);
		undefined |= isnan(b[j]) || isnan(se[j]);
	}
	if (undefined)
		fputs("n/a: an exponent needs two sizes with a positive mean, its error three.\n", f);
}

/* ---- files in the output directory ------------------------------------ */

/* The output directory, open, so that files are named relative to it and
 * no path is ever assembled (or truncated). */
typedef struct out_dir {
	int fd;
	const char *path;
} out_dir;

static int
dir_open(const char *path, out_dir *d)
{
	d->path = path;
	if (mkdir(path, 0777) && errno != EEXIST) {
		fprintf(stderr, "ecsim sweep: cannot create %s: %s\n", path, strerror(errno));
		return 1;
	}
	d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->fd >= 0)
		return 0;
	if (errno == ENOTDIR)
		fprintf(stderr, "ecsim sweep: --out %s is not a directory\n", path);
	else
		fprintf(stderr, "ecsim sweep: cannot open %s: %s\n", path, strerror(errno));
	return 1;
}

static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A newly allocated formatted string, or NULL. */
static char *
str_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* A file written under a hidden temporary name in the output directory,
 * renamed over its real name only once complete. */
typedef struct staged {
	const char *name;
	char *tmp;
	FILE *f; /* NULL once closed, or for a file another program writes */
} staged;

static void
report_io(const out_dir *d, const char *name, int err)
{
	fprintf(stderr, "ecsim sweep: cannot write %s/%s: %s\n", d->path, name, strerror(err));
}

/* Creates the temporary file of name; a fresh name on each try, so that a
 * leftover of an interrupted sweep is never reused. */
static int
staged_create(const out_dir *d, const char *name, staged *s)
{
	static unsigned counter;
	*s = (staged){.name = name};
	for (int tries = 0; tries < 100; tries++) {
		s->tmp = str_printf(".%s.tmp-%ld-%u", name, (long)getpid(), counter++);
		if (!s->tmp) {
			fprintf(stderr, "ecsim sweep: out of memory\n");
			return 1;
		}
		int fd = openat(d->fd, s->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0 && (s->f = fdopen(fd, "w")) != NULL)
			return 0;
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlinkat(d->fd, s->tmp, 0);
		}
		free(s->tmp);
		s->tmp = NULL;
		if (e != EEXIST) {
			report_io(d, name, e);
			return 1;
		}
	}
	report_io(d, name, EEXIST);
	return 1;
}

/* Closes s's stream, reporting a write error. */
static int
staged_close(const out_dir *d, staged *s)
{
	if (!s->f)
		return 0;
	errno = 0;
	int bad = fflush(s->f) != 0 || ferror(s->f);
	int e = errno ? errno : EIO; /* a write failed earlier: its errno is gone */
	if (fclose(s->f) && !bad) {
		bad = 1;
		e = errno;
	}
	s->f = NULL;
	if (bad)
		report_io(d, s->name, e);
	return bad ? 1 : 0;
}

static void
staged_discard(const out_dir *d, staged *s)
{
	if (s->f)
		fclose(s->f);
	s->f = NULL;
	if (s->tmp)
		unlinkat(d->fd, s->tmp, 0);
	free(s->tmp);
	s->tmp = NULL;
}

/* Renames the complete file into place; on failure it is removed. */
static int
staged_commit(const out_dir *d, staged *s)
{
	int rc = staged_close(d, s);
	if (!rc && renameat(d->fd, s->tmp, d->fd, s->name)) {
		report_io(d, s->name, errno);
		rc = 1;
	}
	if (rc)
		staged_discard(d, s);
	free(s->tmp);
	s->tmp = NULL;
	return rc;
}

/* ---- plots ------------------------------------------------------------ */

typedef struct plot {
	int metric;
	const char *title;
} plot;

static const plot all_plots[] = {{M_MPC, "messages per commit"},
                                 {M_MPNPC, "messages per node per commit"},
                                 {M_LAT, "latency (rounds, mean)"},
                                 {M_THR, "throughput (commits per round)"}};
enum { N_PLOTS = sizeof all_plots / sizeof all_plots[0], N_OUTPUTS = 2 * N_PLOTS };
static const char *const plot_ext[2] = {"png", "svg"};

/* The plots that have a point on logarithmic axes: a positive mean at
 * some size (gnuplot fails on a plot without any). */
static size_t
drawable_plots(const grid *g, const plot **out)
{
	size_t n = 0;
	for (size_t p = 0; p < N_PLOTS; p++) {
		bool any = false;
		for (size_t k = 0; k < g->nsizes; k++) {
			const ec_summary *st = &g->st[k * M_COUNT + (size_t)all_plots[p].metric];
			any |= st->n > 0 && st->mean > 0;
		}
		if (any)
			out[n++] = &all_plots[p];
		else
			fprintf(stderr, "ecsim sweep: no plot of %s: no size has a positive mean "
			                "(the axes are logarithmic)\n", mname[all_plots[p].metric]);
	}
	return n;
}

/* s as a gnuplot string: single quotes, a quote inside doubled. */
static void
gp_string(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

/* The plot script; output[2 p + fmt] names plot p's PNG (fmt 0) or SVG. */
static void
write_plot_script(FILE *gp, const plot *const *plots, size_t n, const double *b,
                  char *const *output)
{
	fputs("# gnuplot script written by ecsim sweep: gnuplot plots.gp\n"
	      "set datafile separator ','\nset logscale xy\nset key top left\nset grid\n"
	      "set xlabel 'nodes (N)'\n"
	      "# an interval left empty (fewer than two runs) is drawn as the mean\n"
	      "ci(c, m) = valid(c) ? column(c) : column(m)\n", gp);
	for (size_t p = 0; p < n; p++) {
		int metric = plots[p]->metric;
		const char *title = plots[p]->title;
		for (size_t fmt = 0; fmt < 2; fmt++) {
			fprintf(gp, "set terminal %s size 800,500 noenhanced\nset output ",
			        fmt ? "svg" : "pngcairo");
			gp_string(gp, output[2 * p + fmt]);
			fprintf(gp, "\nset ylabel '%s'\nset title '%s vs N (mean, 95%% CI; fitted exponent ",
			        title, title);
			if (isnan(b[metric]))
				fputs("n/a)'\n", gp);
			else
				fprintf(gp, "%.3f)'\n", b[metric]);
			/* summary.csv: nodes, runs, then mean,ci_low,ci_high per metric */
			int c = 3 + 3 * metric;
			fprintf(gp, "plot 'summary.csv' skip 1 using 1:%d:(ci(%d,%d)):(ci(%d,%d)) "
			            "with yerrorlines title '%s'\n", c, c + 1, c, c + 2, c, mname[metric]);
		}
	}
}

static void
free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
}

/* plots.gp, drawing into the plots' real names. */
static int
write_plots_gp(FILE *f, const plot *const *plots, size_t n, const double *b)
{
	char *names[N_OUTPUTS] = {0};
	for (size_t i = 0; i < 2 * n; i++) {
		names[i] = str_printf("%s.%s", mname[plots[i / 2]->metric], plot_ext[i % 2]);
		if (!names[i]) {
			free_names(names, i);
			fprintf(stderr, "ecsim sweep: out of memory\n");
			return 1;
		}
	}
	write_plot_script(f, plots, n, b, names);
	free_names(names, 2 * n);
	return 0;
}

typedef enum { GP_DONE, GP_ABSENT, GP_FAILED } gp_result;

/* Copies what gnuplot printed to stderr, after a failure. */
static void
show_log(FILE *log)
{
	if (!log)
		return;
	rewind(log);
	int c;
	while ((c = fgetc(log)) != EOF)
		fputc(c, stderr);
}

/* The child: in the output directory, input from /dev/null, output to
 * log; reports a failing fchdir or exec through report_fd.  Only
 * async-signal-safe calls before the exec. */
static _Noreturn void
gnuplot_child(int dir_fd, char *script, int log_fd, int report_fd)
{
	char prog[] = "gnuplot";
	char *args[] = {prog, script, NULL};
	int null_fd = open("/dev/null", O_RDONLY);
	if (null_fd >= 0)
		dup2(null_fd, STDIN_FILENO);
	if (log_fd >= 0) {
		dup2(log_fd, STDOUT_FILENO);
		dup2(log_fd, STDERR_FILENO);
	}
	int what[2] = {0, 0};
	if (fchdir(dir_fd) == 0) {
		what[0] = 1;
		execvp(prog, args);
	}
	what[1] = errno;
	ssize_t w = write(report_fd, what, sizeof what);
	(void)w;
	_exit(127);
}

/* Reads the child's report: 0 if exec succeeded (the pipe closed on exec),
 * else the errno of the failing step, *exec_step telling which. */
static int
read_child_report(int fd, bool *exec_step)
{
	int what[2];
	size_t got = 0;
	while (got < sizeof what) {
		ssize_t r = read(fd, (char *)what + got, sizeof what - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got < sizeof what)
		return 0;
	*exec_step = what[0] == 1;
	return what[1] ? what[1] : EIO;
}

/* Runs `gnuplot SCRIPT` in the output directory without a shell. */
static gp_result
run_gnuplot(const out_dir *d, char *script)
{
	int report[2];
	if (pipe(report)) {
		fprintf(stderr, "ecsim sweep: cannot start gnuplot: %s\n", strerror(errno));
		return GP_FAILED;
	}
	/* the write end closes when the exec succeeds: EOF means it did */
	if (fcntl(report[0], F_SETFD, FD_CLOEXEC) || fcntl(report[1], F_SETFD, FD_CLOEXEC)) {
		fprintf(stderr, "ecsim sweep: cannot start gnuplot: %s\n", strerror(errno));
		close(report[0]);
		close(report[1]);
		return GP_FAILED;
	}
	FILE *log = tmpfile(); /* gnuplot's messages, shown if it fails */
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0)
		gnuplot_child(d->fd, script, log ? fileno(log) : -1, report[1]);
	int fork_errno = errno;
	close(report[1]);
	bool exec_step = false;
	int err = pid > 0 ? read_child_report(report[0], &exec_step) : 0;
	close(report[0]);
	int ws = 0;
	while (pid > 0 && waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	gp_result res = GP_FAILED;
	if (pid < 0) {
		fprintf(stderr, "ecsim sweep: cannot start gnuplot: %s\n", strerror(fork_errno));
	} else if (err == ENOENT && exec_step) {
		fprintf(stderr, "ecsim sweep: gnuplot is not installed; no plots drawn "
		                "(run gnuplot plots.gp in %s)\n", d->path);
		res = GP_ABSENT;
	} else if (err) {
		fprintf(stderr, "ecsim sweep: cannot run gnuplot%s%s: %s\n", exec_step ? "" : " in ",
		        exec_step ? "" : d->path, strerror(err));
	} else if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0) {
		res = GP_DONE;
	} else {
		if (WIFEXITED(ws))
			fprintf(stderr, "ecsim sweep: gnuplot failed (exit status %d) on the plots of "
			                "%s/plots.gp; no plot written:\n", WEXITSTATUS(ws), d->path);
		else
			fprintf(stderr, "ecsim sweep: gnuplot was killed by signal %d on the plots of "
			                "%s/plots.gp; no plot written\n", WTERMSIG(ws), d->path);
		show_log(log);
	}
	if (log)
		fclose(log);
	return res;
}

/* Whether gnuplot wrote something into every output. */
static int
check_outputs(const out_dir *d, const staged *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (fstatat(d->fd, out[i].tmp, &st, 0) || st.st_size == 0) {
			fprintf(stderr, "ecsim sweep: gnuplot wrote nothing into %s/%s; no plot written\n",
			        d->path, out[i].name);
			return 1;
		}
	}
	return 0;
}

/* Draws the plots into temporary files and renames them into place when
 * gnuplot succeeded; status 0 also when gnuplot is not installed. */
static int
draw_plots(const out_dir *d, const plot *const *plots, size_t n, const double *b)
{
	staged out[N_OUTPUTS] = {{0}}, script = {0};
	char *names[N_OUTPUTS] = {0}, *oname[N_OUTPUTS] = {0};
	int rc = 0;
	for (size_t i = 0; i < 2 * n && !rc; i++) {
		oname[i] = str_printf("%s.%s", mname[plots[i / 2]->metric], plot_ext[i % 2]);
		rc = oname[i] ? staged_create(d, oname[i], &out[i]) : 1;
		if (!rc) {
			rc = staged_close(d, &out[i]); /* gnuplot writes it */
			names[i] = out[i].tmp;
		}
	}
	if (!rc)
		rc = staged_create(d, "plots.gp", &script);
	if (!rc) {
		write_plot_script(script.f, plots, n, b, names);
		rc = staged_close(d, &script);
	}
	if (!rc) {
		gp_result g = run_gnuplot(d, script.tmp);
		rc = g == GP_FAILED || (g == GP_DONE && check_outputs(d, out, 2 * n));
		for (size_t i = 0; i < 2 * n && g == GP_DONE && !rc; i++)
			rc = staged_commit(d, &out[i]);
	}
	staged_discard(d, &script);
	for (size_t i = 0; i < N_OUTPUTS; i++)
		staged_discard(d, &out[i]);
	free_names(oname, N_OUTPUTS);
	return rc;
}

/* ---- the sweep -------------------------------------------------------- */

/* summary.csv, fit.txt and plots.gp, each complete or not at all. */
static int
write_tables(const out_dir *d, const grid *g, const double *b, const double *se,
             const plot *const *plots, size_t nplots)
{
	staged sum = {0}, fit = {0}, gp = {0};
	int rc = staged_create(d, "summary.csv", &sum);
	if (!rc) {
		write_summary(sum.f, g);
		rc = staged_commit(d, &sum);
	}
	if (!rc)
		rc = staged_create(d, "fit.txt", &fit);
	if (!rc) {
		write_fit(fit.f, g->seeds, b, se);
		rc = staged_commit(d, &fit);
	}
	if (!rc)
		rc = staged_create(d, "plots.gp", &gp);
	if (!rc)
		rc = write_plots_gp(gp.f, plots, nplots, b);
	if (!rc)
		rc = staged_commit(d, &gp);
	staged_discard(d, &gp);
	return rc;
}

static int
sweep_run(sweep_args *a, grid *g)
{
	out_dir d;
	if (dir_open(a->out, &d))
		return 1;
	staged runs = {0};
	int rc = staged_create(&d, "runs.csv", &runs);
	if (!rc)
		rc = grid_alloc(g);
	if (!rc)
		rc = run_grid(a, g, runs.f);
	if (!rc)
		rc = staged_commit(&d, &runs);
	staged_discard(&d, &runs);
	double b[M_COUNT], se[M_COUNT];
	if (!rc)
		rc = summarize(g);
	if (!rc)
		rc = fit_all(g, b, se);
	const plot *plots[N_PLOTS];
	size_t nplots = rc ? 0 : drawable_plots(g, plots);
	if (!rc)
		rc = write_tables(&d, g, b, se, plots, nplots);
	bool tables = !rc;
	if (!rc && nplots)
		rc = draw_plots(&d, plots, nplots, b);
	close(d.fd);
	if (tables) { /* written, even when the plots failed */
		write_fit(stdout, g->seeds, b, se);
		if (fflush(stdout) || ferror(stdout)) {
			fprintf(stderr, "ecsim sweep: writing to stdout failed\n");
			rc = 1;
		}
	}
	return rc;
}

int
ecsim_sweep(int argc, char **argv)
{
	sweep_args a;
	grid g = {0};
	int rc = split_args(argc, argv, &a);
	if (!rc && !a.help)
		rc = check_args(&a, &g);
	if (!rc && a.help)
		sweep_usage(stdout);
	else if (!rc)
		rc = sweep_run(&a, &g);
	free(a.rest);
	grid_free(&g);
	return rc;
}
