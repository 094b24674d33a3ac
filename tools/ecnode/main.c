/* SPDX-License-Identifier: MIT */
/*
 * ecnode: the ec protocol's node daemon (docs/node.md).  Options come from
 * the command line and an optional config file (config.c); --check
 * verifies a data directory's store and exits; otherwise the daemon runs
 * (daemon.c) until SIGTERM or SIGINT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "daemon.h"
#include "ec/sig.h"
#include "ecsim_version.h"
#include "lmstore/lmstore.h"

static void
usage(FILE *out)
{
	fprintf(out, "usage: ecnode --datadir DIR --listen ADDR:PORT [--bootstrap ADDR:PORT[,...]]\n"
	             "              [--rpc PATH] [--metrics ADDR:PORT] [--identity-bits B]\n"
	             "              [--tick-ms MS] [--config FILE] [--log-json] [options]\n"
	             "       ecnode --check --datadir DIR\n\n"
	             "The ec protocol's node: encrypted UDP, an LMDB store, JSON-RPC for ecctl.\n\n");
}

static void
report_problem(void *user, const char *sentence)
{
	(void)user;
	printf("problem: %s\n", sentence);
}

/* ecnode --check: 0 sound, 1 damaged (or unreadable), 2 usage. */
static int
check(const ecn_cfg *cfg)
{
	if (!cfg->datadir) {
		fprintf(stderr, "ecnode: --check needs --datadir DIR\n");
		return 2;
	}
	if (ec_sig_init() != EC_OK) {
		fprintf(stderr, "ecnode: libsodium cannot start\n");
		return 1;
	}
	ecn_lmstore_summary s;
	ec_err err = ecn_lmstore_check(cfg->datadir, &ec_sig_ed25519, report_problem, NULL, &s);
	if (err) {
		fprintf(stderr, "ecnode: --check stopped: %s\n", ec_strerror(err));
		return 1;
	}
	printf("tokens %llu, blocks %llu, votes %llu, peers %llu; parts checked %llu; "
	       "chains complete %llu, partial %llu; problems %llu\n",
	       (unsigned long long)s.tokens, (unsigned long long)s.blocks,
	       (unsigned long long)s.votes, (unsigned long long)s.peers,
	       (unsigned long long)s.parts_checked, (unsigned long long)s.chains_complete,
	       (unsigned long long)s.chains_partial, (unsigned long long)s.problems);
	printf("%s\n", s.problems ? "damaged" : "sound");
	return s.problems ? 1 : 0;
}

int
main(int argc, char **argv)
{
	ecn_cfg cfg = {0};
	ecn_conf_action action;
	ecn_conf_err err;
	ec_err e = ecn_conf_load(ecn_cfg_opts, ecn_cfg_nopts, &cfg, "config", argc, argv, &action,
	                         &err);
	int rc;
	if (e) {
		fprintf(stderr, "ecnode: %s\n(ecnode --help lists the options)\n", err.msg);
		rc = 2;
	} else if (action == ECN_CONF_HELP) {
		usage(stdout);
		rc = ecn_conf_print_help(stdout, ecn_cfg_opts, ecn_cfg_nopts) ? 1 : 0;
	} else if (action == ECN_CONF_VERSION) {
		printf("ecnode %s\n", ECSIM_VERSION);
		rc = 0;
	} else if (cfg.print_config) {
		rc = ecn_conf_print(stdout, ecn_cfg_opts, ecn_cfg_nopts, &cfg) ? 1 : 0;
	} else if (cfg.check) {
		rc = check(&cfg);
	} else {
		rc = ecn_daemon_run(&cfg);
	}
	ecn_conf_free(ecn_cfg_opts, ecn_cfg_nopts, &cfg);
	return rc;
}
