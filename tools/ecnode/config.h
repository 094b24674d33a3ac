/* SPDX-License-Identifier: MIT */
/*
 * ecnode's settings: one table (config.c) gives the command line, the
 * config file keys, --help and the dump of the effective settings.
 */
#ifndef ECNODE_CONFIG_H
#define ECNODE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "ops/conf.h"

typedef struct ecn_cfg {
	char *datadir, *listen, *advertise, *rpc, *metrics, *config, *network;
	char *log_file, *log_level, *vote_log;
	char *impair_hold, *impair_loss; /* decimals, test only */
	ecn_strlist bootstrap, proto;
	uint64_t identity_bits, identity_memory, identity_passes;
	uint64_t tick_ms, mtu, map_size, max_peers, unknown_budget;
	bool log_json, check, print_config;
} ecn_cfg;

extern const ecn_opt ecn_cfg_opts[];
extern const size_t ecn_cfg_nopts;

#endif
