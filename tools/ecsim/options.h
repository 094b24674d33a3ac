/* SPDX-License-Identifier: MIT */
/* Command-line options of ecsim. */
#ifndef ECSIM_OPTIONS_H
#define ECSIM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ec/protocol.h"
#include "ecsim/sim.h"

/* Most protocols the registry may hold (ec_protocols). */
#define ECSIM_MAX_PROTOCOLS 8

typedef struct ecsim_options {
	ec_sim_config cfg;
	/* every registered protocol's settings, in ec_protocols order, each
	 * set by its own options (ec_proto_config); cfg.protocol_config points
	 * at the chosen protocol's */
	_Alignas(max_align_t) unsigned char proto_cfg[ECSIM_MAX_PROTOCOLS][EC_PROTO_CONFIG_MAX];
	bool seed_given;
	uint64_t runs;
	bool json;
	bool help;
	bool quiet;           /* no progress line */
	bool resources;       /* add peak RSS and CPU time to JSON (not deterministic) */
	bool print_scenario;  /* print the effective configuration as YAML and stop */
	bool force;           /* run even if the memory estimate exceeds what is available */
	bool version;         /* print the version and stop */
	const char *csv_events;
	const char *safety_report; /* --safety-report FILE, or NULL */
	bool shrink;          /* Byzantine runs: shrink a violation's scenario */
} ecsim_options;

/* Parses argv.  Returns 0 on success; otherwise writes one message to
 * err[0..errlen-1] and returns 2 (the exit status for usage errors). */
int ecsim_parse(int argc, char **argv, ecsim_options *o, char *err, size_t errlen);
/* The same; with final_checks false, combinations of options (such as a
 * warm-up longer than the default run) are not checked. */
int ecsim_parse_checked(int argc, char **argv, ecsim_options *o, char *err, size_t errlen,
                        bool final_checks);

void ecsim_usage(FILE *out);

/* The long option an argv element names: "--name", "--name=value" or an
 * unambiguous abbreviation of name, as getopt_long reads them.  Returns the
 * option's full name without dashes (static), or NULL if arg names none.
 * Out: *takes_value (may be NULL): whether the option reads the next argv
 * element as its value (it takes one and arg has no '='). */
const char *ecsim_option_name(const char *arg, bool *takes_value);

/* Whether runs of cfg may check safety: --safety-check on, or by default
 * under a protocol that claims safety (whose runs check it where the views
 * are exact, which only the run finds out). */
bool ecsim_safety_on(const ec_sim_config *cfg);

/* Whether o describes the published experiment (any tie-break order). */
bool ecsim_is_published(const ecsim_options *o);

/* The settings of protocol p in o (NULL if p is not registered). */
const void *ecsim_proto_config(const ecsim_options *o, const ec_protocol *p);

/* Writes the value of p's option name in o into buf (len bytes) as the
 * option takes it; false when it is unset (a flag, or a value not given). */
bool ecsim_proto_option(const ecsim_options *o, const ec_protocol *p, const char *name, char *buf,
                        size_t len);

#endif
