/* SPDX-License-Identifier: MIT */
/*
 * Output formats for simulation results: the reference simulator's four
 * lines (seed-protocol.md §6.1) and one-line JSON objects.  Keys and number formats are
 * fixed so that equal results print byte-identical text.
 */
#ifndef EC_REPORT_H
#define EC_REPORT_H

#include <stdio.h>

#include "ec/rng.h"
#include "ecsim/sim.h"
#include "ecsim/summary.h"

/* Derived figures; NaN-free: a ratio whose denominator is zero is set to 0
 * and flagged undefined by its has_ field, and the reports print it as
 * "n/a" (text) or null (JSON): a run with no commit has no messages per
 * commit, rather than zero of them. */
typedef struct ec_figures {
	bool has_commits;   /* rounds_per_commit, messages_per_commit,
	                       messages_per_node_per_commit (with nodes > 0) */
	bool has_rounds;    /* throughput, tokens_per_round,
	                       bytes_per_node_per_round (with nodes > 0) */
	bool has_created;   /* uncommitted_fraction */
	bool has_tokens;    /* messages_per_token: tokens were committed */
	bool has_messages;  /* envelope_ratio */
	bool has_plain;     /* plain_committed_fraction */
	double rounds_per_commit;
	double messages_per_commit;
	double messages_per_node_per_commit;
	double throughput;             /* commits per measured round */
	double tokens_per_round;       /* committed tokens per measured round */
	double bytes_per_node_per_round;
	double uncommitted_fraction;   /* of the blocks created while measuring */
	double messages_per_token;     /* logical messages per committed token */
	double envelope_ratio;         /* wire envelopes / logical messages */
	double plain_committed_fraction; /* of the blocks outside conflict families */
	uint64_t query;    /* QueryBlock + QueryToken */
	uint64_t referral;
} ec_figures;

/* What a run's JSON carries beyond its result. */
typedef struct ec_run_meta {
	uint32_t nodes;
	uint32_t threads;
	/* Process measurements, which differ from run to run: printed only when
	 * `resources` is set, so that default output stays byte-identical. */
	bool resources;
	uint64_t peak_rss_bytes;
	double cpu_seconds;       /* whole process */
	double setup_cpu_seconds; /* building the network (topology included) */
	double run_cpu_seconds;   /* the rounds alone: all threads' CPU */
	double run_wall_seconds;
	uint64_t memory_estimate_bytes; /* ec_sim_estimate, or 0 if unknown */
} ec_run_meta;

void ec_figures_of(const ec_sim_result *r, uint32_t nodes, ec_figures *f);

/* The reference's lines: Seed used / Peers / Messages / Message distribution. */
int ec_report_reference(FILE *out, const uint8_t seed[EC_RNG_SEED_BYTES], const ec_sim_result *r);

/* Our additional lines: referrals, latency, stall. */
int ec_report_extra(FILE *out, const ec_sim_result *r, uint32_t nodes);

/* One JSON object on one line. */
int ec_report_json(FILE *out, const uint8_t seed[EC_RNG_SEED_BYTES], const ec_run_meta *meta,
                   const ec_sim_result *r);

/* Formats seed as 64 lower-case hex digits into hex[65]. */
/* x with `decimals` decimals into buf (EC_FIG_BUF bytes), or, when it is
 * undefined, "null" (json) or "n/a" (text): the one spelling of figures a
 * run leaves undefined.  Returns what to print (buf or a constant). */
#define EC_FIG_BUF 40
const char *ec_report_fig(char buf[EC_FIG_BUF], bool defined, int decimals, double x, bool json);

void ec_seed_hex(const uint8_t seed[EC_RNG_SEED_BYTES], char hex[65]);

/* seed += i, the 32 bytes read as a little-endian number (consecutive seeds
 * of --runs and sweeps; for integer seeds this is seed N + i). */
void ec_seed_add(uint8_t seed[EC_RNG_SEED_BYTES], uint64_t i);

/* Parses 64 hex digits.  Returns EC_EPARSE if text is anything else. */
EC_WUR ec_err ec_seed_parse_hex(const char *text, uint8_t seed[EC_RNG_SEED_BYTES]);

#endif
