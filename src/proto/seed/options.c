/* SPDX-License-Identifier: MIT */
/*
 * The seed protocol's settings as drivers see them (ec_proto_config): the
 * salted mempool order of --tiebreak-salt, over ec_seed_config.
 */
#include <stdio.h>
#include <string.h>

#include "ec/seed.h"
#include "proto/option_parse.h"

static void
cfg_init(void *config)
{
	memset(config, 0, sizeof(ec_seed_config));
}

static const char *
cfg_check(const void *config)
{
	(void)config;
	return NULL;
}

/* The reference stores tokens in its 9-peer window: 4 below, 5 at or above. */
static uint32_t
cfg_neighbourhood(const void *config)
{
	(void)config;
	return 4;
}

static bool
set_salt(void *config, const char *text, char *err, size_t errlen)
{
	ec_seed_config *c = config;
	uint64_t v;
	if (!ec__parse_u64_in(text, 0, UINT64_MAX, &v, err, errlen))
		return false;
	c->salted = true;
	c->salt = v;
	return true;
}

static bool
get_salt(const void *config, char *buf, size_t len)
{
	const ec_seed_config *c = config;
	if (!c->salted)
		return false;
	snprintf(buf, len, "%llu", (unsigned long long)c->salt);
	return true;
}

static const ec_proto_option seed_options[] = {
    {"tiebreak-salt", "S",
     "iterate mempools in salted hash order S instead of\n"
     "insertion order (28 replays the published figures)\n",
     set_salt, get_salt},
};

const ec_proto_config ec_seed_config_ops = {
	.size = sizeof(ec_seed_config),
	.init = cfg_init,
	.check = cfg_check,
	.neighbourhood = cfg_neighbourhood,
	.options = seed_options,
	.noptions = sizeof seed_options / sizeof seed_options[0],
};
