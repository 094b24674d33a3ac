/* SPDX-License-Identifier: MIT */
/*
 * The ec protocol's settings as drivers see them (ec_proto_config): the
 * options a command line or a scenario file may set, each registered once,
 * over ecp_config.
 */
#include <stdio.h>
#include <string.h>

#include "ec/ecp.h"
#include "proto/option_parse.h"

static void
cfg_init(void *config)
{
	ecp_config_default(config);
}

static const char *
cfg_check(const void *config)
{
	return ecp_config_check(config);
}

static uint32_t
cfg_neighbourhood(const void *config)
{
	return ((const ecp_config *)config)->window;
}

/* get() for a uint32_t field. */
static bool
get_u32(const void *config, size_t off, char *buf, size_t len)
{
	uint32_t v;
	memcpy(&v, (const char *)config + off, sizeof v);
	snprintf(buf, len, "%u", (unsigned)v);
	return true;
}

#define U32_OPTION(field, lo, hi)                                                                  \
	static bool set_##field(void *config, const char *text, char *err, size_t errlen)          \
	{                                                                                          \
		return ec__parse_u32_in(text, lo, hi, &((ecp_config *)config)->field, err, errlen); \
	}                                                                                          \
	static bool get_##field(const void *config, char *buf, size_t len)                         \
	{                                                                                          \
		return get_u32(config, offsetof(ecp_config, field), buf, len);                     \
	}

U32_OPTION(window, 1, 64)
U32_OPTION(threshold, 0, 129)
U32_OPTION(fanout, 1, 16)
U32_OPTION(grace, 0, 64)
U32_OPTION(degree, 8, 4096)
U32_OPTION(probe, 1, 64)
U32_OPTION(dead_after, 2, 1000)
U32_OPTION(audit, 0, 100000)
U32_OPTION(witness_min, 0, 16)

static bool
set_quorum(void *config, const char *text, char *err, size_t errlen)
{
	if (ec__parse_u32_in(text, 0, 129, &((ecp_config *)config)->quorum, err, errlen))
		return true;
	snprintf(err, errlen, "needs a whole number from 0 to 129 (0: a majority), got '%s'", text);
	return false;
}

static bool
get_quorum(const void *config, char *buf, size_t len)
{
	return get_u32(config, offsetof(ecp_config, quorum), buf, len);
}

static bool
set_batch(void *config, const char *text, char *err, size_t errlen)
{
	if (strcmp(text, "on") != 0 && strcmp(text, "off") != 0) {
		snprintf(err, errlen, "needs on or off, got '%s'", text);
		return false;
	}
	((ecp_config *)config)->batch = strcmp(text, "on") == 0;
	return true;
}

static bool
get_batch(const void *config, char *buf, size_t len)
{
	snprintf(buf, len, "%s", ((const ecp_config *)config)->batch ? "on" : "off");
	return true;
}

static bool
set_no_batch(void *config, const char *text, char *err, size_t errlen)
{
	(void)text;
	(void)err;
	(void)errlen;
	((ecp_config *)config)->batch = 0;
	return true;
}

static bool
get_flag(const void *config, char *buf, size_t len)
{
	(void)config;
	(void)buf;
	(void)len;
	return false; /* a flag: printed as its value form (batch: off) */
}

/* The defences by name (ECP_DEF_* bit k is names[k]). */
static const char *const defence_names[] = {"witness", "signed",  "convict",
                                            "agreement", "floor", "quota"};
#define NDEFENCES (sizeof defence_names / sizeof defence_names[0])

/* off | default | a list of defence names separated by ',' or '+' */
static bool
set_defences(void *config, const char *text, char *err, size_t errlen)
{
	uint32_t m = 0;
	if (strcmp(text, "off") == 0 || strcmp(text, "default") == 0) {
		((ecp_config *)config)->defences = text[0] == 'o' ? 0 : ECP_DEF_DEFAULT;
		return true;
	}
	for (const char *p = text;;) {
		/* ',' or '+' between names: '+' fits inside a comma-separated
		 * list of settings (ecnode --proto defences=signed+convict) */
		const char *end = strpbrk(p, ",+");
		size_t len = end ? (size_t)(end - p) : strlen(p), k = 0;
		while (k < NDEFENCES &&
		       !(strlen(defence_names[k]) == len && memcmp(defence_names[k], p, len) == 0))
			k++;
		if (k == NDEFENCES) {
			snprintf(err, errlen, "needs off, default or a list of: witness, signed, "
			                      "convict, agreement, floor, quota (separated by ',' or "
			                      "'+'); got '%s'", text);
			return false;
		}
		m |= 1u << k;
		if (!end)
			break;
		p = end + 1;
	}
	((ecp_config *)config)->defences = m;
	return true;
}

static bool
get_defences(const void *config, char *buf, size_t len)
{
	uint32_t m = ((const ecp_config *)config)->defences;
	size_t at = 0;
	buf[0] = 0;
	if (!m)
		snprintf(buf, len, "off");
	for (size_t k = 0; k < NDEFENCES && m; k++)
		if (m >> k & 1 && at < len)
			at += (size_t)snprintf(buf + at, len - at, "%s%s", at ? "," : "", defence_names[k]);
	return true;
}

static const ec_proto_option ecp_options[] = {
    {"window", "W", "neighbourhood half-width: w below, w+1 at or above (4)\n", set_window,
     get_window},
    {"threshold", "T", "a role needs a net balance above T (2)\n", set_threshold, get_threshold},
    {"quorum", "Q", "yes votes a token role needs (default w+1, a majority)\n", set_quorum,
     get_quorum},
    {"fanout", "F", "peers each first-wave hop sends to (2)\n", set_fanout, get_fanout},
    {"grace", "G",
     "rounds a submitter waits after its votes decide, for late\n"
     "withdrawals in favour of a higher twin (0)\n",
     set_grace, get_grace},
    {"batch", "on|off",
     "one envelope per receiver and round (on, the default)\n"
     "or one per logical message (off; --no-batch)\n",
     set_batch, get_batch},
    {"no-batch", NULL, "the same as --batch off\n", set_no_batch, get_flag},
    {"peer-degree", "D",
     "open networks: peers a node keeps, a quarter nearest on each\n"
     "side and half long-range (64)\n",
     set_degree, get_degree},
    {"heartbeat", "P", "open networks: rounds between heartbeats to the w+1\n"
                       "nearest peers on each side (1)\n",
     set_probe, get_probe},
    {"dead-after", "R", "open networks: rounds of silence after which such a peer\n"
                        "is dropped as dead (4; more than --heartbeat)\n",
     set_dead_after, get_dead_after},
    {"audit", "R", "open networks: rounds between proof-of-storage audits of\n"
                   "each of the w+1 nearest peers on each side; a peer that\n"
                   "fails four in a row is evicted (0: no audits, the default)\n",
     set_audit, get_audit},
    {"defences", "LIST",
     "defences against Byzantine nodes (docs/byzantine.md): off\n"
     "(the default, the measured baseline), default (what a real\n"
     "node runs: all but agreement), or a list separated by ',' or\n"
     "'+': witness (witness token ids derived from what the block\n"
     "spends), signed (votes signed; a yes is final and counts only\n"
     "with its voter's signature), convict (a signed double vote\n"
     "convicts the voter; needs signed), agreement (the seed's echo\n"
     "chamber: voters that disagree with outcomes stop counting; not\n"
     "in default), floor (open networks: self-lookups through the\n"
     "bootstrap contacts), quota (open networks: one contact list\n"
     "adds at most 8 new nodes)\n",
     set_defences, get_defences},
    {"witness-min", "K",
     "under the witness defence, the witness tokens every block\n"
     "must carry (2); give the workload --witness-tokens K too\n",
     set_witness_min, get_witness_min},
};

const ec_proto_config ecp_config_ops = {
	.size = sizeof(ecp_config),
	.init = cfg_init,
	.check = cfg_check,
	.neighbourhood = cfg_neighbourhood,
	.options = ecp_options,
	.noptions = sizeof ecp_options / sizeof ecp_options[0],
};
