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
 * Nothing is written before every option is checked.
 */
#include "sweep.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ecsim/report.h"
#include "ecsim/summary.h"
#include "options.h"

enum { M_MPC, M_MPNPC, M_LAT, M_LATP95, M_THR, M_COMMITS, M_MESSAGES, M_COUNT };
static const char *const mname[M_COUNT] = {"messages_per_commit", "messages_per_node_per_commit",
                                           "latency_mean", "latency_p95", "throughput", "commits",
                                           "messages"};

static int
usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "ecsim sweep: %s%s\n", msg, arg ? arg : "");
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

/* y = a * x^b by least squares on logs; returns b and its standard error. */
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

static FILE *
open_in(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "ecsim sweep: cannot write %s: %s\n", path, strerror(errno));
	return f;
}

static void
write_plots(FILE *gp, const char *const *title, const int *cols, size_t n, const double *b)
{
	fputs("# gnuplot script written by ecsim sweep: gnuplot plots.gp\n"
	      "set datafile separator ','\nset logscale xy\nset key top left\nset grid\n"
	      "set xlabel 'nodes (N)'\n", gp);
	for (size_t k = 0; k < n; k++) {
		for (int fmt = 0; fmt < 2; fmt++) {
			fprintf(gp, "set terminal %s size 800,500 noenhanced\nset output '%s.%s'\n",
			        fmt ? "svg" : "pngcairo", mname[cols[k]], fmt ? "svg" : "png");
			fprintf(gp, "set ylabel '%s'\nset title '%s vs N (mean, 95%% CI; fitted exponent %.3f)'\n",
			        title[k], title[k], b[cols[k]]);
			/* summary.csv: nodes, runs, then mean,ci_low,ci_high per metric */
			int c = 3 + 3 * cols[k];
			fprintf(gp, "plot 'summary.csv' skip 1 using 1:%d:%d:%d with yerrorlines title '%s'\n", c,
			        c + 1, c + 2, mname[cols[k]]);
		}
	}
}

int
ecsim_sweep(int argc, char **argv)
{
	const char *out = NULL, *sizes_arg = NULL;
	unsigned long long seeds = 3;
	char **rest = calloc((size_t)argc + 1, sizeof *rest);
	int nrest = 0;
	if (!rest)
		return 1;
	rest[nrest++] = argv[0];
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else if (strcmp(argv[i], "--sweep-nodes") == 0 && i + 1 < argc) {
			sizes_arg = argv[++i];
		} else if (strcmp(argv[i], "--seeds") == 0 && i + 1 < argc) {
			char *end;
			errno = 0;
			seeds = strtoull(argv[++i], &end, 10);
			if (errno || *end || seeds < 1 || seeds > 100000 || argv[i][0] == '-') {
				free(rest);
				return usage_error("--seeds needs a whole number from 1 to 100000, got ", argv[i]);
			}
		} else {
			rest[nrest++] = argv[i];
		}
	}
	if (!out || !sizes_arg) {
		free(rest);
		return usage_error("usage: ecsim sweep --out DIR --sweep-nodes N1,N2,... [--seeds K] [run options]", NULL);
	}
	uint32_t *sizes;
	size_t nsizes;
	if (parse_sizes(sizes_arg, &sizes, &nsizes)) {
		free(rest);
		return usage_error("--sweep-nodes needs sizes of at least 2 separated by commas, got ", sizes_arg);
	}
	ecsim_options o;
	char err[512];
	int rc = ecsim_parse(nrest, rest, &o, err, sizeof err);
	free(rest);
	if (rc) {
		free(sizes);
		return usage_error(err, NULL);
	}
	for (size_t k = 0; k < nsizes; k++) {
		o.cfg.nodes = sizes[k];
		const char *problem = ec_sim_config_check(&o.cfg);
		if (problem) {
			free(sizes);
			return usage_error(problem, NULL);
		}
	}
	if (mkdir(out, 0777) && errno != EEXIST) {
		fprintf(stderr, "ecsim sweep: cannot create %s: %s\n", out, strerror(errno));
		free(sizes);
		return 1;
	}
	FILE *runs = open_in(out, "runs.csv");
	double *vals = calloc(nsizes * seeds * M_COUNT, sizeof *vals);
	size_t *nval = calloc(nsizes * M_COUNT, sizeof *nval);
	int status = 0;
	if (!runs || !vals || !nval) {
		status = 1;
		goto done;
	}
	fputs("nodes,seed,messages,commits,messages_per_commit,messages_per_node_per_commit,"
	      "latency_mean,latency_p50,latency_p95,latency_p99,latency_max,throughput,"
	      "tokens_per_round,bytes_per_node_per_round,uncommitted_fraction,stalled\n", runs);
	uint8_t base[EC_RNG_SEED_BYTES];
	memcpy(base, o.cfg.seed, sizeof base);
	for (size_t k = 0; k < nsizes && !status; k++) {
		for (unsigned long long s = 0; s < seeds && !status; s++) {
			o.cfg.nodes = sizes[k];
			memcpy(o.cfg.seed, base, sizeof base);
			ec_seed_add(o.cfg.seed, s);
			ec_sim *sim;
			ec_sim_result r;
			ec_err e = ec_sim_new(&sim, &o.cfg);
			if (!e)
				e = ec_sim_run(sim);
			if (!e)
				e = ec_sim_result_get(sim, &r);
			ec_sim_free(sim);
			if (e) {
				fprintf(stderr, "ecsim sweep: run N=%u seed #%llu failed: %s\n", sizes[k], s,
				        e == EC_EFULL ? "the message queue passed --max-queue" : ec_strerror(e));
				status = 1;
				break;
			}
			ec_figures f;
			ec_figures_of(&r, sizes[k], &f);
			char hex[65];
			ec_seed_hex(o.cfg.seed, hex);
			fprintf(runs, "%u,%s,%llu,%llu,%.6f,%.6f,%.4f,%llu,%llu,%llu,%llu,%.6f,%.6f,%.4f,%.6f,%d\n",
			        sizes[k], hex, (unsigned long long)r.messages, (unsigned long long)r.committed,
			        f.messages_per_commit, f.messages_per_node_per_commit, r.latency.mean,
			        (unsigned long long)r.latency.p50, (unsigned long long)r.latency.p95,
			        (unsigned long long)r.latency.p99, (unsigned long long)r.latency.max,
			        f.throughput, f.tokens_per_round, f.bytes_per_node_per_round,
			        f.uncommitted_fraction, r.stalled);
			fflush(runs);
			double m[M_COUNT] = {f.messages_per_commit, f.messages_per_node_per_commit,
			                     r.latency.mean, (double)r.latency.p95, f.throughput,
			                     (double)r.committed, (double)r.messages};
			bool have[M_COUNT] = {f.has_commits, f.has_commits, r.latency.count > 0,
			                      r.latency.count > 0, true, true, true};
			for (int j = 0; j < M_COUNT; j++)
				if (have[j])
					vals[(k * M_COUNT + (size_t)j) * seeds + nval[k * M_COUNT + (size_t)j]++] = m[j];
			fprintf(stderr, "ecsim sweep: N=%u seed #%llu done\n", sizes[k], s);
		}
	}
	if (status)
		goto done;
	FILE *sum = open_in(out, "summary.csv"), *fit = open_in(out, "fit.txt"),
	     *gp = open_in(out, "plots.gp");
	if (!sum || !fit || !gp) {
		status = 1;
	} else {
		fputs("nodes,runs", sum);
		for (int j = 0; j < M_COUNT; j++)
			fprintf(sum, ",%s_mean,%s_ci_low,%s_ci_high", mname[j], mname[j], mname[j]);
		fputc('\n', sum);
		double *xs = calloc(nsizes, sizeof *xs), *ys = calloc(nsizes * M_COUNT, sizeof *ys);
		for (size_t k = 0; xs && ys && k < nsizes; k++) {
			fprintf(sum, "%u,%llu", sizes[k], seeds);
			xs[k] = sizes[k];
			for (int j = 0; j < M_COUNT; j++) {
				ec_summary st;
				size_t at = k * M_COUNT + (size_t)j;
				if (ec_summary_compute(vals + at * seeds, nval[at], &st))
					status = 1;
				fprintf(sum, ",%.6g,%.6g,%.6g", st.mean, st.ci_low, st.ci_high);
				ys[(size_t)j * nsizes + k] = st.n ? st.mean : NAN;
			}
			fputc('\n', sum);
		}
		fprintf(fit, "Fitted scaling exponents b in metric = a * N^b (least squares on log-log of\n"
		             "the per-N means over %llu seeds; +- one standard error):\n", seeds);
		double b[M_COUNT];
		for (int j = 0; j < M_COUNT; j++) {
			double se = NAN;
			b[j] = NAN;
			if (xs && ys)
				fit_power(xs, ys + (size_t)j * nsizes, nsizes, &b[j], &se);
			fprintf(fit, "  %-30s b = %8.4f  +- %.4f\n", mname[j], b[j], se);
		}
		free(xs);
		free(ys);
		static const char *const titles[] = {"messages per commit", "messages per node per commit",
		                                     "latency (rounds, mean)", "throughput (commits per round)"};
		static const int cols[] = {M_MPC, M_MPNPC, M_LAT, M_THR};
		write_plots(gp, titles, cols, 4, b);
	}
	if (sum && fclose(sum))
		status = 1;
	if (fit && fclose(fit))
		status = 1;
	if (gp && fclose(gp))
		status = 1;
	if (!status) {
		char cmd[4200];
		snprintf(cmd, sizeof cmd, "cd '%s' && gnuplot plots.gp 2>/dev/null", out);
		if (system("command -v gnuplot >/dev/null 2>&1") == 0) {
			if (system(cmd) != 0) {
				fprintf(stderr, "ecsim sweep: gnuplot failed on %s/plots.gp\n", out);
				status = 1;
			}
		} else {
			fprintf(stderr, "ecsim sweep: gnuplot is not installed; run it on %s/plots.gp\n", out);
		}
		char path[4096];
		snprintf(path, sizeof path, "%s/fit.txt", out);
		FILE *f = fopen(path, "r");
		int c;
		while (f && (c = fgetc(f)) != EOF)
			putchar(c);
		if (f)
			fclose(f);
	}
done:
	if (runs && fclose(runs))
		status = 1;
	free(vals);
	free(nval);
	free(sizes);
	return status;
}
