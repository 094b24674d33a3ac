/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the daemon's option parsers (ops/conf.h) on a table with an
 * option of every kind.
 *
 *   - An input without NUL bytes is a config file (ecn_conf_parse_text);
 *     an input with NUL bytes is also split at them into an argv
 *     (ecn_conf_parse_args).
 *   - A parse either succeeds or fails with EC_EPARSE and a non-empty,
 *     one-line message; never anything else.
 *   - Whatever parses dumps (ecn_conf_print) to text that parses back to
 *     the same dump, and the dump holds only `name=value` and `#name=`
 *     lines.
 *   - The value parsers on the input as one string: a duration or size
 *     that parses prints (ecn_conf_format_value) to a string that parses
 *     to the same value.
 * Any violation aborts.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
	if (!ok)
		abort();
}

typedef struct cfg {
	char *config, *listen;
	uint64_t peers_max, tick, map;
	bool json;
	ecn_strlist peers;
} cfg;

static const ecn_opt opts[] = {
	{.name = "config", .kind = ECN_OPT_STRING, .flags = ECN_OPT_CLI_ONLY,
	 .offset = ECN_OFF_STR(cfg, config), .help = "Config file."},
	{.name = "listen", .kind = ECN_OPT_STRING, .offset = ECN_OFF_STR(cfg, listen),
	 .def = "0.0.0.0:7000", .help = "Address."},
	{.name = "max-peers", .kind = ECN_OPT_UINT, .offset = ECN_OFF_U64(cfg, peers_max),
	 .def = "64", .min = 1, .max = 100000, .help = "Peers."},
	{.name = "tick", .kind = ECN_OPT_DURATION, .offset = ECN_OFF_U64(cfg, tick), .def = "50ms",
	 .help = "Tick."},
	{.name = "map-size", .kind = ECN_OPT_SIZE, .offset = ECN_OFF_U64(cfg, map), .def = "1G",
	 .help = "Map."},
	{.name = "log-json", .kind = ECN_OPT_BOOL, .offset = ECN_OFF_BOOL(cfg, json),
	 .help = "JSON."},
	{.name = "peers", .kind = ECN_OPT_LIST, .offset = ECN_OFF_LIST(cfg, peers), .help = "Peers."},
};
#define NOPTS (sizeof opts / sizeof opts[0])

static char *
dump(const cfg *c, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	check(f != NULL);
	check(ecn_conf_print(f, opts, NOPTS, c) == EC_OK);
	fclose(f);
	return buf;
}

static void
check_error(ec_err e, const ecn_conf_err *err)
{
	check(e == EC_OK || e == EC_EPARSE);
	if (e == EC_EPARSE) {
		size_t n = strlen(err->msg);
		check(n > 0 && n < sizeof err->msg);
		check(strchr(err->msg, '\n') == NULL);
	}
}

/* The dump of c reads back to itself. */
static void
roundtrip(const cfg *c)
{
	size_t len;
	char *d1 = dump(c, &len);
	for (const char *p = d1; *p;) {
		const char *nl = strchr(p, '\n');
		check(nl != NULL);
		const char *eq = memchr(p, '=', (size_t)(nl - p));
		check(eq != NULL && eq > p);
		p = nl + 1;
	}
	cfg back;
	memset(&back, 0, sizeof back);
	ecn_conf_err err;
	check(ecn_conf_defaults(opts, NOPTS, &back, &err) == EC_OK);
	ec_err e = ecn_conf_parse_text(opts, NOPTS, &back, "dump", d1, len, &err);
	check(e == EC_OK);
	size_t len2;
	char *d2 = dump(&back, &len2);
	check(len == len2 && memcmp(d1, d2, len) == 0);
	free(d1);
	free(d2);
	ecn_conf_free(opts, NOPTS, &back);
}

static void
fuzz_text(const uint8_t *data, size_t size)
{
	cfg c;
	memset(&c, 0, sizeof c);
	ecn_conf_err err;
	check(ecn_conf_defaults(opts, NOPTS, &c, &err) == EC_OK);
	ec_err e = ecn_conf_parse_text(opts, NOPTS, &c, "fuzz", (const char *)data, size, &err);
	check_error(e, &err);
	if (e == EC_OK)
		roundtrip(&c);
	ecn_conf_free(opts, NOPTS, &c);
}

static void
fuzz_args(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	check(copy != NULL);
	memcpy(copy, data, size);
	copy[size] = '\0';
	char *argv[66];
	int argc = 0;
	argv[argc++] = (char *)(uintptr_t) "ecnode";
	for (size_t i = 0; i <= size && argc < 65;) {
		argv[argc++] = copy + i;
		i += strlen(copy + i) + 1;
	}
	argv[argc] = NULL;
	cfg c;
	memset(&c, 0, sizeof c);
	ecn_conf_err err;
	ecn_conf_action action;
	check(ecn_conf_defaults(opts, NOPTS, &c, &err) == EC_OK);
	ec_err e = ecn_conf_parse_args(opts, NOPTS, &c, argc, argv, &action, &err);
	check_error(e, &err);
	if (e == EC_OK) {
		check(action == ECN_CONF_RUN || action == ECN_CONF_HELP || action == ECN_CONF_VERSION);
		roundtrip(&c);
	}
	ecn_conf_free(opts, NOPTS, &c);
	free(copy);
}

static void
fuzz_values(const uint8_t *data, size_t size)
{
	char s[64];
	if (size >= sizeof s)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	cfg c;
	memset(&c, 0, sizeof c);
	char out[64];
	uint64_t v, w;
	if (ecn_conf_parse_duration_ms(s, &v) == EC_OK) {
		c.tick = v;
		check(ecn_conf_format_value(&opts[3], &c, out, sizeof out) == EC_OK);
		check(ecn_conf_parse_duration_ms(out, &w) == EC_OK && w == v);
	}
	if (ecn_conf_parse_size(s, &v) == EC_OK) {
		c.map = v;
		check(ecn_conf_format_value(&opts[4], &c, out, sizeof out) == EC_OK);
		check(ecn_conf_parse_size(out, &w) == EC_OK && w == v);
	}
	if (ecn_conf_parse_uint(s, &v) == EC_OK) {
		check(ecn_conf_parse_duration_ms(s, &w) == EC_OK && w == v);
		check(ecn_conf_parse_size(s, &w) == EC_OK && w == v);
	}
	bool b = false;
	if (ecn_conf_parse_bool(s, &b) == EC_OK)
		check(strlen(s) <= 5);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_text(data, size);
	if (memchr(data, '\0', size))
		fuzz_args(data, size);
	fuzz_values(data, size);
	return 0;
}
