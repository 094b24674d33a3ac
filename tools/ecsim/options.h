/* SPDX-License-Identifier: MIT */
/* Command-line options of ecsim. */
#ifndef ECSIM_OPTIONS_H
#define ECSIM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ec/ecp.h"
#include "ec/seed.h"
#include "ecsim/sim.h"

typedef struct ecsim_options {
	ec_sim_config cfg;
	ec_seed_config seed_cfg;
	ecp_config ec_cfg;
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

/* Whether o describes the published experiment (any tie-break order). */
bool ecsim_is_published(const ecsim_options *o);

#endif
