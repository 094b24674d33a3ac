/* SPDX-License-Identifier: MIT */
/* Result formatting (see ecsim/report.h). */
#include "ec/adversary.h"
#include "ecsim/report.h"

#include "ec/lifecycle.h"

#include <string.h>

#include "ec/hex.h"

void
ec_figures_of(const ec_sim_result *r, uint32_t nodes, ec_figures *f)
{
	memset(f, 0, sizeof *f);
	f->query = r->by_type[EC_MSG_QUERY_BLOCK] + r->by_type[EC_MSG_QUERY_TOKEN];
	f->referral = r->by_type[EC_MSG_REFERRAL];
	f->has_commits = r->committed > 0;
	f->has_rounds = r->rounds > 0;
	f->has_created = r->created > 0;
	f->has_tokens = r->committed_tokens > 0;
	f->has_messages = r->messages > 0;
	f->has_plain = r->plain_created > 0;
	if (f->has_commits) {
		f->rounds_per_commit = (double)r->rounds / (double)r->committed;
		f->messages_per_commit = (double)r->messages / (double)r->committed;
		if (nodes)
			f->messages_per_node_per_commit = f->messages_per_commit / nodes;
	}
	if (f->has_rounds) {
		f->throughput = (double)r->committed / (double)r->rounds;
		f->tokens_per_round = (double)r->committed_tokens / (double)r->rounds;
		if (nodes)
			f->bytes_per_node_per_round = (double)r->bytes / (double)nodes / (double)r->rounds;
	}
	if (f->has_created)
		f->uncommitted_fraction = (double)r->uncommitted / (double)r->created;
	if (f->has_tokens)
		f->messages_per_token = (double)r->messages / (double)r->committed_tokens;
	if (f->has_messages)
		f->envelope_ratio = (double)r->envelopes / (double)r->messages;
	if (f->has_plain)
		f->plain_committed_fraction = (double)r->plain_committed / (double)r->plain_created;
}

/* x with `decimals` decimals, or "n/a" when it is undefined. */
static const char *
text_fig(char buf[40], bool defined, int decimals, double x)
{
	if (!defined)
		return "n/a";
	snprintf(buf, 40, "%.*f", decimals, x);
	return buf;
}

/* The share x as a percentage with `decimals` decimals, or "n/a". */
static const char *
text_pct(char buf[40], bool defined, int decimals, double x)
{
	if (!defined)
		return "n/a";
	snprintf(buf, 40, "%.*f%%", decimals, 100.0 * x);
	return buf;
}

const char *
ec_report_fig(char buf[EC_FIG_BUF], bool defined, int decimals, double x, bool json)
{
	if (!defined)
		return json ? "null" : "n/a";
	snprintf(buf, EC_FIG_BUF, "%.*f", decimals, x);
	return buf;
}

/* x as a JSON number with 6 decimals, or null when it is undefined. */
static const char *
json_fig(char buf[EC_FIG_BUF], bool defined, double x)
{
	return ec_report_fig(buf, defined, 6, x, true);
}

void
ec_seed_hex(const uint8_t seed[EC_RNG_SEED_BYTES], char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < EC_RNG_SEED_BYTES; i++) {
		hex[2 * i] = digits[seed[i] >> 4];
		hex[2 * i + 1] = digits[seed[i] & 15];
	}
	hex[64] = 0;
}

void
ec_seed_add(uint8_t seed[EC_RNG_SEED_BYTES], uint64_t i)
{
	unsigned carry = 0;
	for (int k = 0; k < EC_RNG_SEED_BYTES; k++) {
		unsigned sum = seed[k] + (unsigned)(i & 0xFF) + carry;
		seed[k] = (uint8_t)sum;
		carry = sum >> 8;
		i >>= 8;
	}
}

ec_err
ec_seed_parse_hex(const char *text, uint8_t seed[EC_RNG_SEED_BYTES])
{
	if (strlen(text) != 2 * EC_RNG_SEED_BYTES)
		return EC_EPARSE;
	return ec_hex_decode(text, seed, EC_RNG_SEED_BYTES) ? EC_OK : EC_EPARSE;
}

/* Whether a protocol names any of its message figures in the text line. */
static bool
has_labels(const ec_protocol *p)
{
	for (size_t i = 0; p && p->msg && i < p->msg->nstats; i++)
		if (p->msg->stats[i].label)
			return true;
	return false;
}

/* The value of one protocol figure (ec_msg_stat) in a result. */
static double
stat_mean(const ec_msg_stat *st, const uint64_t *c)
{
	return c[st->den] ? (double)c[st->num] / (double)c[st->den] : 0.0;
}

/* Whether a figure is left out: one of a feature the run did not use
 * (omit_zero) while it is 0, so reports of runs without the feature stay
 * as they were before it existed. */
static bool
stat_omitted(const ec_msg_stat *st, const uint64_t *c)
{
	/* a mean is 0 when its numerator or its denominator is */
	return st->omit_zero && (c[st->num] == 0 || (st->den >= 0 && c[st->den] == 0));
}

/* "Message distribution: Label: n, ..." from the protocol's figures. */
static int
stats_text(FILE *out, const ec_sim_result *r)
{
	const ec_msg_ops *m = r->protocol->msg;
	fputs("Message distribution: ", out);
	const char *sep = "";
	for (size_t i = 0; i < m->nstats; i++) {
		const ec_msg_stat *st = &m->stats[i];
		if (!st->label || stat_omitted(st, r->msg_counters))
			continue;
		if (st->den >= 0)
			fprintf(out, "%s%s: %.2f", sep, st->label, stat_mean(st, r->msg_counters));
		else
			fprintf(out, "%s%s: %llu", sep, st->label,
			        (unsigned long long)r->msg_counters[st->num]);
		sep = ", ";
	}
	return fputs("\n", out) < 0 ? -1 : 0;
}

/* Every registered protocol's figures, so that every run's JSON has the
 * same keys: those of another protocol than the one that ran are 0 (and
 * those marked omit_zero are then left out, as they are while 0). */
static void
stats_json(FILE *out, const ec_sim_result *r)
{
	static const uint64_t none[EC_MSG_COUNTERS];
	for (const ec_protocol *const *p = ec_protocols; *p; p++) {
		const ec_msg_ops *m = (*p)->msg;
		const uint64_t *c = *p == r->protocol ? r->msg_counters : none;
		for (size_t i = 0; m && i < m->nstats; i++) {
			const ec_msg_stat *st = &m->stats[i];
			if (stat_omitted(st, c))
				continue;
			if (st->den >= 0)
				fprintf(out, "\"%s\":%.6f,", st->key, stat_mean(st, c));
			else
				fprintf(out, "\"%s\":%llu,", st->key, (unsigned long long)c[st->num]);
		}
	}
}

int
ec_report_reference(FILE *out, const uint8_t seed[EC_RNG_SEED_BYTES], const ec_sim_result *r)
{
	ec_figures f;
	ec_figures_of(r, 0, &f);
	fputs("Seed used: [", out);
	for (int i = 0; i < EC_RNG_SEED_BYTES; i++)
		fprintf(out, "%s%u", i ? ", " : "", seed[i]);
	fputs("]\n", out);
	fprintf(out, "Peers: max: %llu min: %llu avg: %.1f\n", (unsigned long long)r->peers_max,
	        (unsigned long long)r->peers_min, r->peers_avg);
	if (f.has_commits)
		fprintf(out, "Messages: %llu. Commits: %llu, avg: %.1f rounds/commit, %.0f messages/commit\n",
		        (unsigned long long)r->messages, (unsigned long long)r->committed,
		        f.rounds_per_commit, f.messages_per_commit);
	else
		fprintf(out, "Messages: %llu. Commits: NONE\n", (unsigned long long)r->messages);
	if (has_labels(r->protocol))
		return stats_text(out, r);
	return fprintf(out, "Message distribution: Query: %llu, Vote: %llu, Block: %llu, Answer: %llu\n",
	               (unsigned long long)f.query, (unsigned long long)r->by_type[EC_MSG_VOTE],
	               (unsigned long long)r->by_type[EC_MSG_BLOCK],
	               (unsigned long long)r->by_type[EC_MSG_ANSWER]) < 0
	           ? -1
	           : 0;
}

/* "<head>N blocks): mean, p50, p95, p99, max", or `none` without blocks. */
static void
latency_line(FILE *out, const char *head, const char *none, const ec_latency_stats *l)
{
	if (!l->count) {
		fprintf(out, "%s\n", none);
		return;
	}
	fprintf(out, "%s%llu blocks): mean %.1f, p50 %llu, p95 %llu, p99 %llu, max %llu\n", head,
	        (unsigned long long)l->count, l->mean,
	        (unsigned long long)l->p50, (unsigned long long)l->p95, (unsigned long long)l->p99,
	        (unsigned long long)l->max);
}

/* The keys <name>_mean, _p50, _p95, _p99, _max (null without blocks). */
static void
latency_json(FILE *out, const char *name, const ec_latency_stats *l)
{
	if (!l->count) {
		fprintf(out, "\"%s_mean\":null,\"%s_p50\":null,\"%s_p95\":null,\"%s_p99\":null,"
		             "\"%s_max\":null,", name, name, name, name, name);
		return;
	}
	fprintf(out, "\"%s_mean\":%.6f,\"%s_p50\":%llu,\"%s_p95\":%llu,\"%s_p99\":%llu,"
	             "\"%s_max\":%llu,", name, l->mean, name, (unsigned long long)l->p50, name,
	        (unsigned long long)l->p95, name, (unsigned long long)l->p99, name,
	        (unsigned long long)l->max);
}

/* "p50 A, p95 B (N <what>)" of a distribution, or "none <none>". */
static void
open_dist_text(FILE *out, const char *head, const ec_latency_stats *l, uint64_t unfinished,
               const char *left)
{
	if (l->count)
		fprintf(out, "%s%llu): p50 %llu, p95 %llu, max %llu; %llu %s\n", head,
		        (unsigned long long)l->count, (unsigned long long)l->p50,
		        (unsigned long long)l->p95, (unsigned long long)l->max,
		        (unsigned long long)unfinished, left);
	else
		fprintf(out, "%s0): none yet; %llu %s\n", head, (unsigned long long)unfinished, left);
}

/* The open network's lines (docs/open-network.md, "Simulator"). */
static void
open_text(FILE *out, const ec_open_result *o)
{
	char b[4][40];
	fprintf(out, "Open network: started with %llu nodes, %llu live at the end (%llu ever); "
	             "%llu joins, %llu crashes, %llu graceful leaves, %llu returns; %llu messages "
	             "to down nodes dropped\n",
	        (unsigned long long)o->start_nodes, (unsigned long long)o->nodes_live_end,
	        (unsigned long long)o->slots, (unsigned long long)o->joins,
	        (unsigned long long)o->crashes, (unsigned long long)o->leaves,
	        (unsigned long long)o->rejoins, (unsigned long long)o->dropped);
	open_dist_text(out, "Joining (rounds to ready with an exact window, ", &o->join_rounds,
	               o->join_unfinished, "new nodes not there at the end");
	open_dist_text(out, "Returning (rounds to ready with an exact window, ", &o->rejoin_rounds,
	               o->rejoin_unfinished, "returned nodes not there at the end");
	open_dist_text(out, "Recovery (rounds until every window that held a departed node is "
	                    "exact, ", &o->recovery_rounds, o->recovery_unfinished,
	               "departures not recovered from at the end");
	fprintf(out, "Views: %s of the live nodes have an exact window at the end (%s of the ready "
	             "ones), %s at worst after the warm-up; live peers per live node: min %llu, "
	             "mean %.1f, max %llu\n",
	        text_pct(b[0], o->has_view, 1, o->view_exact_fraction),
	        text_pct(b[1], o->has_view_ready, 1, o->view_exact_fraction_ready),
	        text_pct(b[2], o->has_view_min, 1, o->view_exact_min),
	        (unsigned long long)o->degree_live_min, o->degree_live_mean,
	        (unsigned long long)o->degree_live_max);
	fprintf(out, "Peer management: %s messages per live node per round; %llu of %llu votes on "
	             "a token cast on a stale view of it\n",
	        text_fig(b[3], o->has_peer_messages, 2, o->peer_messages_per_node_per_round),
	        (unsigned long long)o->stale_votes, (unsigned long long)o->token_votes);
	if (!o->audits && !o->lazy_nodes)
		return;
	fprintf(out, "Storage audits: %llu ended, %llu failed, %llu unanswered; evicted %llu "
	             "honest, %llu freeloading (of %llu freeloaders that joined)\n",
	        (unsigned long long)o->audits, (unsigned long long)o->audit_fail,
	        (unsigned long long)o->audit_unanswered, (unsigned long long)o->evict_honest,
	        (unsigned long long)o->evict_lazy, (unsigned long long)o->lazy_nodes);
	if (o->lazy_nodes) {
		open_dist_text(out, "Freeloaders (rounds from joining to a first eviction, ",
		               &o->lazy_evict_rounds, o->lazy_evict_unfinished,
		               "live at the end and never evicted");
		fprintf(out, "Freeloaders live at the end: %llu, each held as a peer by %.1f honest "
		             "live nodes on average\n",
		        (unsigned long long)o->lazy_live_end, o->lazy_held_mean);
	}
}

/* The open network's keys (null: undefined). */
static void
open_json(FILE *out, const ec_open_result *o)
{
	char b[4][EC_FIG_BUF];
	const ec_latency_stats *d[3] = {&o->join_rounds, &o->rejoin_rounds, &o->recovery_rounds};
	static const char *const name[3] = {"join_rounds", "rejoin_rounds", "recovery_rounds"};
	const uint64_t left[3] = {o->join_unfinished, o->rejoin_unfinished, o->recovery_unfinished};
	fprintf(out, "\"start_nodes\":%llu,\"node_slots\":%llu,\"nodes_live_end\":%llu,"
	             "\"joins\":%llu,\"crashes\":%llu,\"leaves\":%llu,\"rejoins\":%llu,"
	             "\"dropped_to_down\":%llu,",
	        (unsigned long long)o->start_nodes, (unsigned long long)o->slots,
	        (unsigned long long)o->nodes_live_end, (unsigned long long)o->joins,
	        (unsigned long long)o->crashes, (unsigned long long)o->leaves,
	        (unsigned long long)o->rejoins, (unsigned long long)o->dropped);
	for (int k = 0; k < 3; k++) {
		if (d[k]->count)
			fprintf(out, "\"%s_p50\":%llu,\"%s_p95\":%llu,", name[k],
			        (unsigned long long)d[k]->p50, name[k], (unsigned long long)d[k]->p95);
		else
			fprintf(out, "\"%s_p50\":null,\"%s_p95\":null,", name[k], name[k]);
		fprintf(out, "\"%s_count\":%llu,\"%s_unfinished\":%llu,", name[k],
		        (unsigned long long)d[k]->count, name[k], (unsigned long long)left[k]);
	}
	fprintf(out, "\"view_exact_fraction\":%s,\"view_exact_fraction_ready\":%s,"
	             "\"view_exact_min\":%s,\"degree_live_min\":%llu,\"degree_live_mean\":%.6f,"
	             "\"degree_live_max\":%llu,\"live_node_rounds\":%llu,\"lifecycle_messages\":%llu,"
	             "\"peer_messages_per_node_per_round\":%s,\"token_votes\":%llu,"
	             "\"stale_votes\":%llu,",
	        json_fig(b[0], o->has_view, o->view_exact_fraction),
	        json_fig(b[1], o->has_view_ready, o->view_exact_fraction_ready),
	        json_fig(b[2], o->has_view_min, o->view_exact_min),
	        (unsigned long long)o->degree_live_min, o->degree_live_mean,
	        (unsigned long long)o->degree_live_max, (unsigned long long)o->live_node_rounds,
	        (unsigned long long)o->lifecycle_messages,
	        json_fig(b[3], o->has_peer_messages, o->peer_messages_per_node_per_round),
	        (unsigned long long)o->token_votes, (unsigned long long)o->stale_votes);
	const ec_latency_stats *z = &o->lazy_evict_rounds;
	fprintf(out, "\"audits\":%llu,\"audit_fail\":%llu,\"audit_unanswered\":%llu,"
	             "\"evict_honest\":%llu,\"evict_lazy\":%llu,\"lazy_nodes\":%llu,",
	        (unsigned long long)o->audits, (unsigned long long)o->audit_fail,
	        (unsigned long long)o->audit_unanswered, (unsigned long long)o->evict_honest,
	        (unsigned long long)o->evict_lazy, (unsigned long long)o->lazy_nodes);
	if (z->count)
		fprintf(out, "\"lazy_evict_rounds_p50\":%llu,\"lazy_evict_rounds_p95\":%llu,",
		        (unsigned long long)z->p50, (unsigned long long)z->p95);
	else
		fprintf(out, "\"lazy_evict_rounds_p50\":null,\"lazy_evict_rounds_p95\":null,");
	fprintf(out, "\"lazy_evict_rounds_count\":%llu,\"lazy_evict_unfinished\":%llu,"
	             "\"lazy_live_end\":%llu,\"lazy_held_mean\":%.6f,",
	        (unsigned long long)z->count, (unsigned long long)o->lazy_evict_unfinished,
	        (unsigned long long)o->lazy_live_end, o->lazy_held_mean);
}

/* Byzantine nodes' figures (docs/byzantine.md). */
static void
byz_text(FILE *out, const ec_byz_result *z)
{
	char names[256];
	ec_behaviour_format(z->behaviours, names, sizeof names);
	fprintf(out,
	        "Byzantine: %u nodes (%s); safety violations %llu (double spends %llu, invalid "
	        "commits %llu); honest blocks committed %llu of %llu (%.2f%%), censored %llu; "
	        "Byzantine share of counted votes %.2f%%, of honest nodes' peers %.2f%%; isolated "
	        "honest nodes %llu, eclipsed %llu; convicted %u (honest %u); scored out %u (honest %u)\n",
	        z->nodes, names, (unsigned long long)z->safety_violations,
	        (unsigned long long)z->double_spends, (unsigned long long)z->invalid_commits,
	        (unsigned long long)z->honest_committed, (unsigned long long)z->honest_blocks,
	        100.0 * z->honest_committed_fraction, (unsigned long long)z->censored_blocks,
	        100.0 * z->byzantine_vote_share, 100.0 * z->byzantine_peer_share,
	        (unsigned long long)z->honest_isolated, (unsigned long long)z->honest_eclipsed,
	        z->convicted, z->convicted_honest,
	        z->scored_out, z->scored_out_honest);
}

static void
byz_json(FILE *out, const ec_byz_result *z)
{
	char names[256], first[24] = "null";
	ec_behaviour_format(z->behaviours, names, sizeof names);
	if (z->first_violation_round != UINT64_MAX)
		snprintf(first, sizeof first, "%llu", (unsigned long long)z->first_violation_round);
	char conv[24] = "null";
	if (z->first_conviction_round != UINT64_MAX)
		snprintf(conv, sizeof conv, "%llu", (unsigned long long)z->first_conviction_round);
	fprintf(out,
	        "\"byzantine_nodes\":%u,\"behaviours\":\"%s\",\"safety_violations\":%llu,"
	        "\"double_spends\":%llu,\"invalid_commits\":%llu,\"first_violation_round\":%s,"
	        "\"honest_blocks\":%llu,\"honest_committed\":%llu,"
	        "\"honest_committed_fraction\":%.6f,\"censored_blocks\":%llu,"
	        "\"votes_counted\":%llu,\"byzantine_votes\":%llu,\"byzantine_vote_share\":%.6f,"
	        "\"peer_slots\":%llu,\"byzantine_peer_share\":%.6f,\"honest_isolated\":%llu,"
	        "\"honest_eclipsed\":%llu,"
	        "\"target_families\":%llu,\"attack_cost_attempts\":%.6g,"
	        "\"convicted\":%u,\"convicted_honest\":%u,\"convictions\":%llu,"
	        "\"first_conviction_round\":%s,\"scored_out\":%u,\"scored_out_honest\":%u,"
	        "\"scorings\":%llu,",
	        z->nodes, names, (unsigned long long)z->safety_violations,
	        (unsigned long long)z->double_spends, (unsigned long long)z->invalid_commits, first,
	        (unsigned long long)z->honest_blocks, (unsigned long long)z->honest_committed,
	        z->honest_committed_fraction, (unsigned long long)z->censored_blocks,
	        (unsigned long long)z->votes_counted, (unsigned long long)z->votes_byzantine,
	        z->byzantine_vote_share, (unsigned long long)z->peer_slots, z->byzantine_peer_share,
	        (unsigned long long)z->honest_isolated, (unsigned long long)z->honest_eclipsed,
	        (unsigned long long)z->target_families,
	        z->attack_cost_attempts, z->convicted, z->convicted_honest,
	        (unsigned long long)z->convictions, conv, z->scored_out, z->scored_out_honest,
	        (unsigned long long)z->scorings);
}

int
ec_report_extra(FILE *out, const ec_sim_result *r, uint32_t nodes)
{
	ec_figures f;
	ec_figures_of(r, nodes, &f);
	fprintf(out, "Referral: %llu\n", (unsigned long long)f.referral);
	fprintf(out, "Degree after set-up: min %llu, mean %.1f, max %llu\n",
	        (unsigned long long)r->degree_min, r->degree_avg, (unsigned long long)r->degree_max);
	latency_line(out, "Latency (rounds from creation to commit at the injection node, ",
	             "Latency: no block committed", &r->latency);
	char b[6][40];
	fprintf(out, "Throughput: %s commits/round, %s tokens/round; %s messages/node/commit; "
	             "%s bytes/node/round; %llu of %llu blocks never committed (%s)\n",
	        text_fig(b[0], f.has_rounds, 4, f.throughput),
	        text_fig(b[1], f.has_rounds, 4, f.tokens_per_round),
	        text_fig(b[2], f.has_commits && nodes, 2, f.messages_per_node_per_commit),
	        text_fig(b[3], f.has_rounds && nodes, 1, f.bytes_per_node_per_round),
	        (unsigned long long)r->uncommitted, (unsigned long long)r->created,
	        text_pct(b[4], f.has_created, 2, f.uncommitted_fraction));
	fprintf(out, "Wire: %llu envelopes for %llu logical messages (%s); %s messages per "
	             "committed token\n",
	        (unsigned long long)r->envelopes, (unsigned long long)r->messages,
	        text_pct(b[0], f.has_messages, 1, f.envelope_ratio),
	        text_fig(b[1], f.has_tokens, 1, f.messages_per_token));
	latency_line(out, "Latency to every neighbourhood member (",
	             "Latency to every neighbourhood member: no block reached all of them",
	             &r->latency_all);
	if (r->conflicts.families)
		fprintf(out,
		        "Conflicts: %llu families; highest id wins %llu, lower id wins (wrong) %llu, "
		        "both committed %llu, stalled %llu; %llu of %llu other blocks committed "
		        "(%s)\n",
		        (unsigned long long)r->conflicts.families,
		        (unsigned long long)r->conflicts.highest_wins,
		        (unsigned long long)r->conflicts.lower_wins, (unsigned long long)r->conflicts.both,
		        (unsigned long long)r->conflicts.stalled, (unsigned long long)r->plain_committed,
		        (unsigned long long)r->plain_created,
		        text_pct(b[5], f.has_plain, 2, f.plain_committed_fraction));
	if (r->open.open)
		open_text(out, &r->open);
	if (r->byz.on)
		byz_text(out, &r->byz);
	if (r->safety.violated && !r->byz.on)
		fprintf(out,
		        "Safety: violated: blocks %016llx and %016llx, which both spend token %016llx "
		        "from parent %016llx, had both committed by the end of round %llu, where the "
		        "run stopped\n",
		        (unsigned long long)r->safety.block_a, (unsigned long long)r->safety.block_b,
		        (unsigned long long)r->safety.token, (unsigned long long)r->safety.parent,
		        (unsigned long long)r->safety.round);
	if (r->stalled)
		return fprintf(out, "Stalled: yes, the network fell silent with a block outstanding "
		                    "from round %llu on (nothing can happen afterwards)\n",
		               (unsigned long long)r->stall_round) < 0 ? -1 : 0;
	return fputs("Stalled: no\n", out) < 0 ? -1 : 0;
}

int
ec_report_json(FILE *out, const uint8_t seed[EC_RNG_SEED_BYTES], const ec_run_meta *meta,
               const ec_sim_result *r)
{
	ec_figures f;
	char hex[65];
	ec_figures_of(r, meta->nodes, &f);
	ec_seed_hex(seed, hex);
	fprintf(out, "{\"seed\":\"%s\",\"nodes\":%u,\"rounds\":%llu,\"warmup\":%llu,"
	             "\"messages\":%llu,\"commits\":%llu,",
	        hex, meta->nodes, (unsigned long long)r->rounds, (unsigned long long)r->warmup,
	        (unsigned long long)r->messages, (unsigned long long)r->committed);
	if (f.has_commits)
		fprintf(out, "\"rounds_per_commit\":%.6f,\"messages_per_commit\":%.6f,",
		        f.rounds_per_commit, f.messages_per_commit);
	else
		fputs("\"rounds_per_commit\":null,\"messages_per_commit\":null,", out);
	fprintf(out, "\"query\":%llu,\"vote\":%llu,\"block\":%llu,\"answer\":%llu,\"referral\":%llu,"
	             "\"lost\":%llu,\"blocks_created\":%llu,"
	             "\"peers_min\":%llu,\"peers_avg\":%.6f,\"peers_max\":%llu,",
	        (unsigned long long)f.query, (unsigned long long)r->by_type[EC_MSG_VOTE],
	        (unsigned long long)r->by_type[EC_MSG_BLOCK],
	        (unsigned long long)r->by_type[EC_MSG_ANSWER], (unsigned long long)f.referral,
	        (unsigned long long)r->lost, (unsigned long long)r->created,
	        (unsigned long long)r->peers_min, r->peers_avg, (unsigned long long)r->peers_max);
	latency_json(out, "latency", &r->latency);
	char b[7][40];
	fprintf(out, "\"throughput\":%s,\"tokens_per_round\":%s,"
	             "\"messages_per_node_per_commit\":%s,\"bytes_per_node_per_round\":%s,"
	             "\"uncommitted_fraction\":%s,\"committed_tokens\":%llu,\"bytes\":%llu,"
	             "\"degree_min\":%llu,\"degree_avg\":%.6f,\"degree_max\":%llu,",
	        json_fig(b[0], f.has_rounds, f.throughput),
	        json_fig(b[1], f.has_rounds, f.tokens_per_round),
	        json_fig(b[2], f.has_commits && meta->nodes, f.messages_per_node_per_commit),
	        json_fig(b[3], f.has_rounds && meta->nodes, f.bytes_per_node_per_round),
	        json_fig(b[4], f.has_created, f.uncommitted_fraction),
	        (unsigned long long)r->committed_tokens, (unsigned long long)r->bytes,
	        (unsigned long long)r->degree_min, r->degree_avg, (unsigned long long)r->degree_max);
	if (meta->resources)
		fprintf(out,
		        "\"threads\":%u,\"peak_rss_bytes\":%llu,\"cpu_seconds\":%.3f,"
		        "\"setup_cpu_seconds\":%.3f,\"run_cpu_seconds\":%.3f,\"run_wall_seconds\":%.3f,"
		        "\"messages_all_rounds\":%llu,\"memory_estimate_bytes\":%llu,",
		        meta->threads, (unsigned long long)meta->peak_rss_bytes, meta->cpu_seconds,
		        meta->setup_cpu_seconds, meta->run_cpu_seconds, meta->run_wall_seconds,
		        (unsigned long long)r->messages_all,
		        (unsigned long long)meta->memory_estimate_bytes);
	fprintf(out, "\"node_commits\":%llu,\"negative_commits\":%llu,",
	        (unsigned long long)r->events[EC_EV_COMMIT],
	        (unsigned long long)r->negative_commits);
	fprintf(out, "\"envelopes\":%llu,\"envelope_ratio\":%s,\"messages_per_token\":%s,",
	        (unsigned long long)r->envelopes, json_fig(b[5], f.has_messages, f.envelope_ratio),
	        json_fig(b[6], f.has_tokens, f.messages_per_token));
	/* a mean of the protocol's stays 0 when its divisor is (relay_hops_mean
	 * in every seed run): null there would change the JSON of runs that
	 * commit */
	stats_json(out, r);
	latency_json(out, "latency_all", &r->latency_all);
	fprintf(out, "\"latency_all_blocks\":%llu,", (unsigned long long)r->latency_all.count);
	fprintf(out, "\"plain_created\":%llu,\"plain_committed\":%llu,"
	             "\"plain_committed_fraction\":%s,\"conflict_families\":%llu,"
	             "\"conflict_highest_wins\":%llu,\"conflict_lower_wins\":%llu,"
	             "\"conflict_both\":%llu,\"conflict_stalled\":%llu,",
	        (unsigned long long)r->plain_created, (unsigned long long)r->plain_committed,
	        json_fig(b[0], f.has_plain, f.plain_committed_fraction),
	        (unsigned long long)r->conflicts.families,
	        (unsigned long long)r->conflicts.highest_wins,
	        (unsigned long long)r->conflicts.lower_wins, (unsigned long long)r->conflicts.both,
	        (unsigned long long)r->conflicts.stalled);
	fprintf(out, "\"forged_injected\":%llu,\"forged_committed\":%llu,"
	             "\"forged_bad_signature\":%llu,\"forged_wrong_key\":%llu,\"forged_replay\":%llu,"
	             "\"forged_resurrect\":%llu,",
	        (unsigned long long)r->forged_injected, (unsigned long long)r->forged_committed,
	        (unsigned long long)r->forged_by_kind[0], (unsigned long long)r->forged_by_kind[1],
	        (unsigned long long)r->forged_by_kind[2], (unsigned long long)r->forged_by_kind[3]);
	for (int v = 1; v < EC_VERDICT_COUNT; v++) { /* node verdicts: evidence seen */
		char key[40];
		snprintf(key, sizeof key, "rejected_%s", ec_verdict_str((ec_verdict)v));
		for (char *c = key; *c; c++)
			if (*c == '-')
				*c = '_';
		fprintf(out, "\"%s\":%llu,", key, (unsigned long long)r->rejects[v]);
	}
	fprintf(out, "\"destroyed\":%llu,\"witness_parts\":%llu,", (unsigned long long)r->destroyed,
	        (unsigned long long)r->witness_parts);
	fprintf(out, "\"identity_attempts\":%llu,\"identity_bad_nodes\":%llu,\"identity_refused\":%llu,",
	        (unsigned long long)r->identity_attempts, (unsigned long long)r->identity_bad_nodes,
	        (unsigned long long)r->identity_refused);
	if (r->open.open)
		open_json(out, &r->open);
	if (r->byz.on)
		byz_json(out, &r->byz);
	if (r->safety.violated) /* only then: runs without one print what they always did */
		fprintf(out,
		        "\"safety_violation\":{\"round\":%llu,\"block_a\":\"%016llx\",\"block_b\":"
		        "\"%016llx\",\"token\":\"%016llx\",\"parent\":\"%016llx\"},",
		        (unsigned long long)r->safety.round, (unsigned long long)r->safety.block_a,
		        (unsigned long long)r->safety.block_b, (unsigned long long)r->safety.token,
		        (unsigned long long)r->safety.parent);
	return fprintf(out, "\"stalled\":%s,\"stall_round\":%llu}\n", r->stalled ? "true" : "false",
	               (unsigned long long)r->stall_round) < 0 ? -1 : 0;
}
