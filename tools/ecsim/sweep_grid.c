/* SPDX-License-Identifier: MIT */
#include "sweep_grid.h"

#include <stdlib.h>
#include <string.h>

#include "ecsim/report.h"

const char *const sweep_metric_name[SWEEP_METRICS] = {
    "messages_per_commit", "messages_per_node_per_commit", "latency_mean", "latency_p95",
    "throughput", "commits", "messages"};

int
sweep_grid_alloc(sweep_grid *g, const sweep_args *a)
{
	*g = (sweep_grid){
	    .sizes = a->sizes, .nsizes = a->nsizes, .seeds = a->seeds, .quiet = a->quiet};
	g->vals = calloc(g->nsizes * g->seeds * SWEEP_METRICS, sizeof *g->vals);
	g->nval = calloc(g->nsizes * SWEEP_METRICS, sizeof *g->nval);
	g->st = calloc(g->nsizes * SWEEP_METRICS, sizeof *g->st);
	if (g->vals && g->nval && g->st)
		return 0;
	fprintf(stderr, "ecsim sweep: out of memory\n");
	return 1;
}

void
sweep_grid_free(sweep_grid *g)
{
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
	fprintf(f, ",%d", r->stalled);
	const ec_open_result *o = &r->open;
	if (o->open) { /* the columns OPEN_COLUMNS name */
		csv_count(f, o->join_rounds.count > 0, o->join_rounds.p95);
		csv_count(f, o->recovery_rounds.count > 0, o->recovery_rounds.p95);
		csv_real(f, o->has_view_min, 6, o->view_exact_min);
		csv_count(f, true, o->degree_live_min);
		csv_real(f, o->has_peer_messages, 4, o->peer_messages_per_node_per_round);
		csv_count(f, true, o->stale_votes);
		csv_count(f, true, o->evict_honest);
		csv_count(f, true, o->evict_lazy);
	}
	fputc('\n', f);
}

/* Keeps the run's defined metrics for the summary of size k. */
static void
record_run(sweep_grid *g, size_t k, const ec_sim_result *r, const ec_figures *f)
{
	const double m[SWEEP_METRICS] = {f->messages_per_commit, f->messages_per_node_per_commit,
	                                 r->latency.mean, (double)r->latency.p95, f->throughput,
	                                 (double)r->committed, (double)r->messages};
	const bool have[SWEEP_METRICS] = {f->has_commits, f->has_commits, r->latency.count > 0,
	                                  r->latency.count > 0, r->rounds > 0, true, true};
	for (size_t j = 0; j < SWEEP_METRICS; j++) {
		size_t at = k * SWEEP_METRICS + j;
		if (have[j])
			g->vals[at * g->seeds + g->nval[at]++] = m[j];
	}
}

static ec_err
run_one(const ec_sim_config *cfg, ec_sim_result *r)
{
	ec_sim *sim;
	ec_err e = ec_sim_new(cfg, &sim);
	if (!e)
		e = ec_sim_run(sim);
	if (!e)
		e = ec_sim_result_get(sim, r);
	ec_sim_free(sim);
	return e;
}

/* runs.csv's columns of an open network's figures (docs/open-network.md),
 * after the others, only when the sweep's runs are open. */
#define OPEN_COLUMNS                                                                               \
	",join_rounds_p95,recovery_rounds_p95,view_exact_min,degree_live_min,"                    \
	"peer_messages_per_node_per_round,stale_votes,evict_honest,evict_lazy"

int
sweep_grid_run(sweep_grid *g, sweep_args *a, FILE *runs)
{
	ecsim_options first;
	bool open = g->nsizes && !sweep_configure(a, g->sizes[0], &first) &&
	            ec_sim_config_open(&first.cfg);
	fputs("nodes,seed,messages,commits,messages_per_commit,messages_per_node_per_commit,"
	      "latency_mean,latency_p50,latency_p95,latency_p99,latency_max,throughput,"
	      "tokens_per_round,bytes_per_node_per_round,uncommitted_fraction,stalled", runs);
	fputs(open ? OPEN_COLUMNS "\n" : "\n", runs);
	for (size_t k = 0; k < g->nsizes; k++) {
		ecsim_options o;
		if (sweep_configure(a, g->sizes[k], &o))
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
			if (r.safety.violated) {
				fprintf(stderr,
				        "ecsim sweep: run N=%u seed #%llu broke safety in round %llu (blocks "
				        "%016llx and %016llx); run that size alone with ecsim for the details "
				        "and a scenario that replays it\n",
				        g->sizes[k], s, (unsigned long long)r.safety.round,
				        (unsigned long long)r.safety.block_a, (unsigned long long)r.safety.block_b);
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

int
sweep_grid_summarize(sweep_grid *g)
{
	for (size_t at = 0; at < g->nsizes * SWEEP_METRICS; at++) {
		if (ec_summary_compute(g->vals + at * g->seeds, g->nval[at], &g->st[at])) {
			fprintf(stderr, "ecsim sweep: out of memory\n");
			return 1;
		}
	}
	return 0;
}

const ec_summary *
sweep_grid_stat(const sweep_grid *g, size_t k, size_t metric)
{
	return &g->st[k * SWEEP_METRICS + metric];
}

bool
sweep_grid_positive(const sweep_grid *g, size_t k, size_t metric)
{
	const ec_summary *st = sweep_grid_stat(g, k, metric);
	return st->n > 0 && st->mean > 0;
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

void
sweep_grid_write_summary(FILE *f, const sweep_grid *g)
{
	fputs("nodes,runs", f);
	for (int j = 0; j < SWEEP_METRICS; j++) {
		const char *m = sweep_metric_name[j];
		fprintf(f, ",%s_mean,%s_ci_low,%s_ci_high", m, m, m);
	}
	fputc('\n', f);
	for (size_t k = 0; k < g->nsizes; k++) {
		fprintf(f, "%u,%llu", g->sizes[k], g->seeds);
		for (size_t j = 0; j < SWEEP_METRICS; j++)
			csv_stat(f, sweep_grid_stat(g, k, j));
		fputc('\n', f);
	}
}
