/* SPDX-License-Identifier: MIT */
/*
 * ecsim reports: the comparison with the published figures and the
 * multi-run summary.  The published numbers and the band of valid
 * tie-break orders are those of the seed document and the reference spec
 * (seed-protocol.md §6.3).
 */
#include "output.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/report.h"
#include "ecsim/summary.h"

static void
row(FILE *out, const char *name, double pub, double got, double lo, double hi, int decimals)
{
	char a[32], b[32];
	snprintf(a, sizeof a, "%.*f", decimals, pub);
	snprintf(b, sizeof b, "%.*f", decimals, got);
	double diff = pub != 0 ? 100.0 * (got - pub) / pub : 0;
	fprintf(out, "  %-20s %12s %12s %+8.1f%%", name, a, b, diff);
	if (lo <= hi)
		fprintf(out, "   %s", got >= lo && got <= hi ? "inside" : "OUTSIDE");
	fputc('\n', out);
}

void
ecsim_compare_published(FILE *out, const ec_sim_result *r, bool salted, uint64_t salt)
{
	ec_figures f;
	ec_figures_of(r, 0, &f);
	bool exact = r->messages == 331089 && r->committed == 63 && f.query == 6417 &&
	             r->by_type[EC_MSG_VOTE] == 318356 && r->by_type[EC_MSG_BLOCK] == 6307 &&
	             r->by_type[EC_MSG_ANSWER] == 0 && r->peers_max == 890 && r->peers_min == 728;
	fputs("\nComparison with the published figures (seed document, Appendix A):\n", out);
	fprintf(out, "  %-20s %12s %12s %9s   %s\n", "metric", "published", "this run", "diff",
	        "band of valid tie-break orders");
	row(out, "messages", 331089, (double)r->messages, 294830, 340005, 0);
	row(out, "commits", 63, (double)r->committed, 62, 65, 0);
	row(out, "rounds/commit", 31.7, f.rounds_per_commit, 1, 0, 1);
	row(out, "messages/commit", 5255, f.messages_per_commit, 1, 0, 0);
	row(out, "query", 6417, (double)f.query, 5743, 6603, 0);
	row(out, "vote", 318356, (double)r->by_type[EC_MSG_VOTE], 283430, 326890, 0);
	row(out, "block", 6307, (double)r->by_type[EC_MSG_BLOCK], 5653, 6508, 0);
	row(out, "answer", 0, (double)r->by_type[EC_MSG_ANSWER], 0, 0, 0);
	row(out, "peers max", 890, (double)r->peers_max, 887, 898, 0);
	row(out, "peers min", 728, (double)r->peers_min, 728, 729, 0);
	row(out, "peers avg", 801.7, r->peers_avg, 801.6, 801.8, 1);
	if (exact) {
		fprintf(out, "Exact replay of the published run (mempool order: salted, salt %llu).\n",
		        (unsigned long long)salt);
	} else if (!salted) {
		fputs("This run iterates mempools in insertion order, which is deterministic. The\n"
		      "published figures come from one hash-map iteration order of the Rust reference\n"
		      "(it changes from process to process); --tiebreak-salt 28 replays them exactly.\n",
		      out);
	} else {
		fprintf(out, "Mempool order: salted, salt %llu (a Rust-like hash order); salt 28 replays\n"
		             "the published run exactly.\n", (unsigned long long)salt);
	}
	fputs("Note: \"commits\" are blocks committed at the node each block was injected into,\n"
	      "and the published run moves one token in the whole network (one serial chain).\n",
	      out);
}

/* A row of the side-by-side table; a figure that is undefined for a run
 * (a ratio per commit without commits) is shown as n/a. */
static void
side_row_if(FILE *out, const char *name, const char *pub, bool seed_ok, double seed, bool ec_ok,
            double ec, int decimals)
{
	char a[32] = "n/a", b[32] = "n/a";
	if (seed_ok)
		snprintf(a, sizeof a, "%.*f", decimals, seed);
	if (ec_ok)
		snprintf(b, sizeof b, "%.*f", decimals, ec);
	fprintf(out, "  %-28s %12s %12s %12s", name, pub, a, b);
	if (seed_ok && ec_ok && ec > 0 && seed > 0)
		fprintf(out, "   %8.1fx", seed / ec);
	fputc('\n', out);
}

static void
side_row(FILE *out, const char *name, const char *pub, double seed, double ec, int decimals)
{
	side_row_if(out, name, pub, true, seed, true, ec, decimals);
}

void
ecsim_side_by_side(FILE *out, const ec_sim_result *seed, const ec_sim_result *ec,
                   uint32_t nodes)
{
	ec_figures fs, fe;
	ec_figures_of(seed, nodes, &fs);
	ec_figures_of(ec, nodes, &fe);
	fputs("\nThe same configuration under the ec protocol (--protocol ec):\n", out);
	fprintf(out, "  %-28s %12s %12s %12s   %9s\n", "metric", "published", "seed", "ec",
	        "seed / ec");
	side_row(out, "messages", "331089", (double)seed->messages, (double)ec->messages, 0);
	side_row(out, "wire envelopes", "331089", (double)seed->envelopes, (double)ec->envelopes, 0);
	side_row(out, "commits", "63", (double)seed->committed, (double)ec->committed, 0);
	side_row_if(out, "rounds/commit", "31.7", fs.has_commits, fs.rounds_per_commit,
	            fe.has_commits, fe.rounds_per_commit, 1);
	side_row_if(out, "messages/commit", "5255", fs.has_commits, fs.messages_per_commit,
	            fe.has_commits, fe.messages_per_commit, 0);
	side_row(out, "latency p50 (rounds)", "-", (double)seed->latency.p50,
	         (double)ec->latency.p50, 0);
	side_row(out, "latency p95 (rounds)", "-", (double)seed->latency.p95,
	         (double)ec->latency.p95, 0);
	if (seed->latency_all.count && ec->latency_all.count)
		side_row(out, "latency, all members p50", "-", (double)seed->latency_all.p50,
		         (double)ec->latency_all.p50, 0);
	else
		fprintf(out, "  %-28s %12s %12s %12llu\n", "latency, all members p50", "-",
		        seed->latency_all.count ? "-" : "never all",
		        (unsigned long long)ec->latency_all.p50);
	side_row_if(out, "bytes/node/round", "-", fs.has_rounds, fs.bytes_per_node_per_round,
	            fe.has_rounds, fe.bytes_per_node_per_round, 1);
	fputs("Both runs move the published run's single token: a serial chain, so rounds per\n"
	      "commit is the chain's latency.  Under load, bounded degree, conflicts and at\n"
	      "scale, see bench/bench_ec.sh and docs/ec-protocol.md.\n",
	      out);
}

/* The metrics from M_OPEN on are open networks' (docs/open-network.md):
 * summarised only when a run was open, so static summaries keep their
 * exact output. */
enum { M_MESSAGES, M_COMMITS, M_RPC, M_MPC, M_QUERY, M_VOTE, M_BLOCK, M_ANSWER, M_REFERRAL,
       M_PMIN, M_PAVG, M_PMAX, M_LMEAN, M_LP50, M_LP95, M_LMAX, M_STALLED,
       M_OPEN, M_JOIN95 = M_OPEN, M_RECOV95, M_VIEWMIN, M_DEGMIN, M_PEERMSG, M_STALE,
       M_UNCOMMITTED, M_EVHONEST, M_EVLAZY, M_COUNT };

static const char *const metric_names[M_COUNT] = {
	"messages", "commits", "rounds_per_commit", "messages_per_commit", "query", "vote",
	"block", "answer", "referral", "peers_min", "peers_avg", "peers_max", "latency_mean",
	"latency_p50", "latency_p95", "latency_max", "stalled", "join_rounds_p95",
	"recovery_rounds_p95", "view_exact_min", "degree_live_min",
	"peer_messages_per_node_per_round", "stale_votes", "uncommitted_fraction", "evict_honest",
	"evict_lazy"};

struct ecsim_runs {
	size_t cap, n[M_COUNT], runs, below20;
	double *v[M_COUNT];
	bool open; /* a run was open: its metrics are summarised too */
};

ecsim_runs *
ecsim_runs_new(size_t runs)
{
	ecsim_runs *rs = calloc(1, sizeof *rs);
	if (!rs)
		return NULL;
	rs->cap = runs;
	for (int m = 0; m < M_COUNT; m++)
		if (!(rs->v[m] = malloc((runs ? runs : 1) * sizeof(double)))) {
			ecsim_runs_free(rs);
			return NULL;
		}
	return rs;
}

void
ecsim_runs_free(ecsim_runs *rs)
{
	if (!rs)
		return;
	for (int m = 0; m < M_COUNT; m++)
		free(rs->v[m]);
	free(rs);
}

static void
put(ecsim_runs *rs, int m, double x)
{
	if (rs->n[m] < rs->cap)
		rs->v[m][rs->n[m]++] = x;
}

void
ecsim_runs_add(ecsim_runs *rs, const ec_sim_result *r)
{
	ec_figures f;
	ec_figures_of(r, 0, &f);
	rs->runs++;
	if (r->committed < 20)
		rs->below20++;
	put(rs, M_MESSAGES, (double)r->messages);
	put(rs, M_COMMITS, (double)r->committed);
	if (f.has_commits) {
		put(rs, M_RPC, f.rounds_per_commit);
		put(rs, M_MPC, f.messages_per_commit);
	}
	put(rs, M_QUERY, (double)f.query);
	put(rs, M_VOTE, (double)r->by_type[EC_MSG_VOTE]);
	put(rs, M_BLOCK, (double)r->by_type[EC_MSG_BLOCK]);
	put(rs, M_ANSWER, (double)r->by_type[EC_MSG_ANSWER]);
	put(rs, M_REFERRAL, (double)f.referral);
	put(rs, M_PMIN, (double)r->peers_min);
	put(rs, M_PAVG, r->peers_avg);
	put(rs, M_PMAX, (double)r->peers_max);
	if (r->latency.count) {
		put(rs, M_LMEAN, r->latency.mean);
		put(rs, M_LP50, (double)r->latency.p50);
		put(rs, M_LP95, (double)r->latency.p95);
		put(rs, M_LMAX, (double)r->latency.max);
	}
	put(rs, M_STALLED, r->stalled ? 1.0 : 0.0);
	const ec_open_result *o = &r->open;
	if (!o->open)
		return;
	rs->open = true;
	if (o->join_rounds.count)
		put(rs, M_JOIN95, (double)o->join_rounds.p95);
	if (o->recovery_rounds.count)
		put(rs, M_RECOV95, (double)o->recovery_rounds.p95);
	if (o->has_view_min)
		put(rs, M_VIEWMIN, o->view_exact_min);
	put(rs, M_DEGMIN, (double)o->degree_live_min);
	if (o->has_peer_messages)
		put(rs, M_PEERMSG, o->peer_messages_per_node_per_round);
	put(rs, M_STALE, (double)o->stale_votes);
	if (r->created)
		put(rs, M_UNCOMMITTED, f.uncommitted_fraction);
	put(rs, M_EVHONEST, (double)o->evict_honest);
	put(rs, M_EVLAZY, (double)o->evict_lazy);
}

/* A summary statistic (text_decimals in text, 6 in JSON), or n/a / null
 * when undefined: every one without values, the spread (sd, CI) with fewer
 * than two. */
/* Decimals of metric m in the text summary: 1, but fractions need more. */
static int
text_decimals(int m)
{
	return m == M_VIEWMIN || m == M_UNCOMMITTED ? 4 : 1;
}

static const char *
json_stat(char buf[EC_FIG_BUF], bool defined, double x)
{
	return ec_report_fig(buf, defined, 6, x, true);
}

static void
json_summary(FILE *out, const char *name, const ec_summary *x)
{
	bool any = x->n > 0, spread = x->n > 1;
	char v[9][EC_FIG_BUF];
	fprintf(out, ",\"%s\":{\"n\":%zu,\"mean\":%s,\"sd\":%s,\"median\":%s,"
	             "\"p5\":%s,\"p95\":%s,\"min\":%s,\"max\":%s,"
	             "\"ci95_low\":%s,\"ci95_high\":%s}",
	        name, x->n, json_stat(v[0], any, x->mean), json_stat(v[1], spread, x->sd),
	        json_stat(v[2], any, x->median), json_stat(v[3], any, x->p5),
	        json_stat(v[4], any, x->p95), json_stat(v[5], any, x->min),
	        json_stat(v[6], any, x->max), json_stat(v[7], spread, x->ci_low),
	        json_stat(v[8], spread, x->ci_high));
}

int
ecsim_runs_print(ecsim_runs *rs, FILE *out, bool json)
{
	ec_summary s[M_COUNT];
	const int shown = rs->open ? M_COUNT : M_OPEN;
	for (int m = 0; m < M_COUNT; m++)
		if (ec_summary_compute(rs->v[m], rs->n[m], &s[m]))
			return -1;
	if (json) {
		fprintf(out, "{\"summary\":{\"runs\":%zu,\"stalled_runs\":%zu,\"runs_below_20_commits\":%zu",
		        rs->runs, (size_t)llround(s[M_STALLED].mean * (double)s[M_STALLED].n), rs->below20);
		for (int m = 0; m < shown; m++)
			json_summary(out, metric_names[m], &s[m]);
		fputs("}}\n", out);
		return 0;
	}
	fprintf(out, "\nSummary over %zu runs (p5/p95 interpolated; CI = 95%% Student t for the mean):\n",
	        rs->runs);
	const int w = rs->open ? 32 : 20; /* the open metrics' names are longer */
	fprintf(out, "  %-*s %5s %12s %12s %12s %12s %12s %25s\n", w, "metric", "n", "mean", "sd",
	        "median", "p5", "p95", "95% CI of the mean");
	for (int m = 0; m < shown; m++) {
		const ec_summary *x = &s[m];
		bool any = x->n > 0, spread = x->n > 1;
		char v[5][EC_FIG_BUF], ci[64] = "n/a";
		const int d = text_decimals(m);
		if (spread)
			snprintf(ci, sizeof ci, "[%.*f, %.*f]", d, x->ci_low, d, x->ci_high);
		fprintf(out, "  %-*s %5zu %12s %12s %12s %12s %12s %25s\n", w, metric_names[m], x->n,
		        ec_report_fig(v[0], any, d, x->mean, false),
		        ec_report_fig(v[1], spread, d, x->sd, false),
		        ec_report_fig(v[2], any, d, x->median, false),
		        ec_report_fig(v[3], any, d, x->p5, false),
		        ec_report_fig(v[4], any, d, x->p95, false), ci);
	}
	fprintf(out, "Stalled runs (network silent with a block outstanding): %zu of %zu (%.1f%%)\n",
	        (size_t)llround(s[M_STALLED].mean * (double)s[M_STALLED].n), rs->runs,
	        100.0 * s[M_STALLED].mean);
	fprintf(out, "Runs with fewer than 20 commits (the reference's stall criterion): %zu of %zu (%.1f%%)\n",
	        rs->below20, rs->runs, rs->runs ? 100.0 * (double)rs->below20 / (double)rs->runs : 0.0);
	return 0;
}
