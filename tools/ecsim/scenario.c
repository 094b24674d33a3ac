/* SPDX-License-Identifier: MIT */
/*
 * Scenario files (see scenario.h), read with libyaml's document API so that
 * every key and value keeps its line and column for error messages.  Each
 * value is turned into the matching command-line option and checked by the
 * same parser as the command line, so both accept exactly the same things.
 */
#include "scenario.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "ec/adversary.h"
#include "ecsim/report.h"

/* The simulator's keys; each protocol's own settings (those that take a
 * value) come from its table (ec_proto_config) after them. */
static const char *const keys[] = {
	"nodes", "rounds", "seed", "seed-hex", "topology", "degree", "delay", "loss",
	"initial-tokens", "tokens-per-node", "tx-rate", "warmup", "block-size", "protocol",
	"runs", "max-queue", "conflict-rate", "drain", "tx-rate-per-node", "signatures",
	"forge-rate", "destroy-rate", "witness-tokens", "identity-bits", "bad-identity-rate",
	"start-nodes", "join-rate", "bootstrap-peers", "churn", "rejoin-after", "leave-graceful",
	"safety-check", "lazy-storage", "byzantine", "behaviour", "placement", "attack-start",
	"attack-share", "attack-delay", "censor-after", "cheat-keep"};
#define NKEYS (sizeof keys / sizeof keys[0])
#define MAX_PROTO_KEYS 64

/* The index of key name (option spelling): keys[] first, then every
 * protocol's value settings in registry order; SIZE_MAX when unknown. */
static size_t
key_index(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i], name) == 0)
			return i;
	size_t idx = NKEYS;
	for (size_t p = 0; ec_protocols[p]; p++) {
		const ec_proto_config *c = ec_protocols[p]->config;
		for (size_t k = 0; c && k < c->noptions && idx < NKEYS + MAX_PROTO_KEYS; k++) {
			if (!c->options[k].arg)
				continue; /* a flag: its value form has a key of its own */
			if (strcmp(c->options[k].name, name) == 0)
				return idx;
			idx++;
		}
	}
	return SIZE_MAX;
}

static int
where(char *err, size_t errlen, const char *path, yaml_mark_t m, const char *msg, const char *arg)
{
	snprintf(err, errlen, "%s:%zu:%zu: %s%s", path, m.line + 1, m.column + 1, msg, arg ? arg : "");
	return 2;
}

void
ecsim_scenario_free(char **args, int nargs)
{
	for (int i = 0; i < nargs; i++)
		free(args[i]);
	free(args);
}

static char *
dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* Opens path for reading if it is a regular file.  O_NONBLOCK keeps the
 * open itself from waiting for a FIFO's writer; fstat then tells what was
 * opened (no window between a stat and the open).  Returns NULL with err
 * set otherwise. */
static FILE *
open_regular(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot read the scenario file: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (a scenario is a YAML file)", path);
		close(fd);
		return NULL;
	}
	int flags = fcntl(fd, F_GETFL);
	FILE *f = flags >= 0 && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0 ? fdopen(fd, "rb") : NULL;
	if (!f) {
		snprintf(err, errlen, "%s: cannot read the scenario file: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

/* A scenario is one document: a second one would be silently ignored.
 * Returns 0 if the stream ends after the first, else 2 with err set. */
static int
single_document(yaml_parser_t *parser, const char *path, char *err, size_t errlen)
{
	yaml_document_t doc;
	if (!yaml_parser_load(parser, &doc))
		return where(err, errlen, path, parser->problem_mark,
		             parser->problem ? parser->problem : "malformed YAML", NULL);
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	int rc = 0;
	if (root)
		rc = where(err, errlen, path, root->start_mark,
		           "a second YAML document: a scenario file holds one YAML document", NULL);
	yaml_document_delete(&doc);
	return rc;
}

int
ecsim_scenario_load(const char *path, char ***args_out, int *nargs_out, char *err, size_t errlen)
{
	*args_out = NULL;
	*nargs_out = 0;
	FILE *f = open_regular(path, err, errlen);
	if (!f)
		return 2;
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc = 2;
	char **args = NULL;
	int nargs = 0;
	bool seen[NKEYS + MAX_PROTO_KEYS] = {false};
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return 2;
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_mark_t m = parser.problem_mark;
		where(err, errlen, path, m, parser.problem ? parser.problem : "malformed YAML", NULL);
		yaml_parser_delete(&parser);
		fclose(f);
		return 2;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		snprintf(err, errlen, "%s:1:1: the file is empty", path);
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		where(err, errlen, path, root->start_mark, "a scenario must be a mapping of option: value", NULL);
		goto out;
	}
	size_t npairs = (size_t)(root->data.mapping.pairs.top - root->data.mapping.pairs.start);
	args = calloc(2 * npairs + 1, sizeof *args);
	if (!args) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&doc, p->value);
		if (k->type != YAML_SCALAR_NODE) {
			where(err, errlen, path, k->start_mark, "keys must be option names", NULL);
			goto out;
		}
		char name[64];
		const char *key = (const char *)k->data.scalar.value;
		size_t len = k->data.scalar.length;
		if (len >= sizeof name) {
			where(err, errlen, path, k->start_mark, "unknown option ", key);
			goto out;
		}
		for (size_t i = 0; i <= len; i++)
			name[i] = key[i] == '_' ? '-' : key[i];
		size_t idx = key_index(name);
		if (idx == SIZE_MAX) {
			where(err, errlen, path, k->start_mark, "unknown option ", key);
			goto out;
		}
		if (seen[idx]) {
			where(err, errlen, path, k->start_mark, "option given twice: ", key);
			goto out;
		}
		seen[idx] = true;
		if (v->type != YAML_SCALAR_NODE) {
			where(err, errlen, path, v->start_mark, "the value must be a single scalar for ", key);
			goto out;
		}
		char opt[72];
		snprintf(opt, sizeof opt, "--%s", name);
		char *one[] = {(char *)"ecsim", opt, (char *)v->data.scalar.value, NULL};
		ecsim_options probe;
		char msg[512];
		if (ecsim_parse_checked(3, one, &probe, msg, sizeof msg, false)) {
			where(err, errlen, path, v->start_mark, msg, NULL);
			goto out;
		}
		if (!(args[nargs++] = dup_str(opt)) ||
		    !(args[nargs++] = dup_str((const char *)v->data.scalar.value))) {
			snprintf(err, errlen, "%s: out of memory", path);
			goto out;
		}
	}
	if (single_document(&parser, path, err, errlen))
		goto out;
	*args_out = args;
	*nargs_out = nargs;
	args = NULL;
	rc = 0;
out:
	if (args)
		ecsim_scenario_free(args, nargs);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

/* The shortest decimal that reads back as exactly x. */
static const char *
num(char buf[32], double x)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, 32, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	return buf;
}

/* The chosen protocol's settings that have a value, as scenario keys. */
static void
print_proto_options(FILE *out, const ecsim_options *o)
{
	const ec_proto_config *c = o->cfg.protocol->config;
	for (size_t k = 0; c && k < c->noptions; k++) {
		char key[64], val[64];
		const ec_proto_option *opt = &c->options[k];
		if (!opt->arg || !ecsim_proto_option(o, o->cfg.protocol, opt->name, val, sizeof val))
			continue;
		snprintf(key, sizeof key, "%s", opt->name);
		for (char *p = key; *p; p++)
			*p = *p == '-' ? '_' : *p;
		fprintf(out, "%s: %s\n", key, val);
	}
}

int
ecsim_scenario_print(FILE *out, const ecsim_options *o)
{
	char n1[32], n2[32];
	const ec_sim_config *c = &o->cfg;
	char hex[65];
	ec_seed_hex(c->seed, hex);
	fputs("# ecsim scenario: run it with `ecsim run FILE`\n", out);
	fprintf(out, "protocol: %s\n", c->protocol->name);
	fprintf(out, "nodes: %u\nrounds: %llu\nwarmup: %llu\n", c->nodes,
	        (unsigned long long)c->rounds, (unsigned long long)c->warmup);
	fprintf(out, "seed_hex: \"%s\"\n", hex);
	const ec_topology *t = &c->topology;
	switch (t->kind) {
	case EC_TOPO_RANDOM:
		fprintf(out, "topology: \"random:%s\"\n", num(n1, t->a));
		break;
	case EC_TOPO_RING_GRADIENT:
		fprintf(out, "topology: \"ring-gradient:%s,%s\"\n", num(n1, t->a), num(n2, t->b));
		break;
	case EC_TOPO_RING_GAUSSIAN:
		fprintf(out, "topology: \"ring-gaussian:%s\"\n", num(n1, t->a));
		break;
	case EC_TOPO_CAPPED_GRADIENT:
		fprintf(out, "topology: \"capped-gradient:%s,%s\"\n", num(n1, t->a), num(n2, t->b));
		break;
	default:
		fprintf(out, "topology: %s\n", ec_topology_name(t->kind));
		break;
	}
	if (ec_topology_bounded(t->kind)) /* dense topologies have no degree */
		fprintf(out, "degree: %u\n", t->degree);
	fprintf(out, "delay: %s\nloss: %s\n", num(n1, c->delay), num(n2, c->loss));
	if (c->tokens_per_node)
		fprintf(out, "tokens_per_node: %llu\n", (unsigned long long)c->tokens_per_node);
	else
		fprintf(out, "initial_tokens: %llu\n", (unsigned long long)c->initial_tokens);
	if (c->tx_rate)
		fprintf(out, "tx_rate: %llu\n", (unsigned long long)c->tx_rate);
	fprintf(out, "block_size: \"%llu,%llu\"\n", (unsigned long long)c->block_min,
	        (unsigned long long)c->block_max);
	fprintf(out, "max_queue: %llu\n", (unsigned long long)c->max_queue);
	if (c->tx_per_node > 0)
		fprintf(out, "tx_rate_per_node: %s\n", num(n1, c->tx_per_node));
	if (c->drain)
		fprintf(out, "drain: %llu\n", (unsigned long long)c->drain);
	if (c->conflict_rate > 0)
		fprintf(out, "conflict_rate: %s\n", num(n1, c->conflict_rate));
	if (c->identity_bits)
		fprintf(out, "identity_bits: %u\n", c->identity_bits);
	if (c->bad_identity_rate > 0)
		fprintf(out, "bad_identity_rate: %s\n", num(n1, c->bad_identity_rate));
	if (ec_sim_config_open(c)) { /* an open network's settings */
		if (c->start_nodes && c->start_nodes < c->nodes)
			fprintf(out, "start_nodes: %u\njoin_rate: %u\n", c->start_nodes, c->join_rate);
		fprintf(out, "bootstrap_peers: %u\n", c->bootstrap_peers);
		if (c->churn > 0)
			fprintf(out, "churn: %s\n", num(n1, c->churn));
		if (c->churn > 0 && c->rejoin_after)
			fprintf(out, "rejoin_after: %llu\n", (unsigned long long)c->rejoin_after);
		if (c->churn > 0 && c->leave_graceful > 0)
			fprintf(out, "leave_graceful: %s\n", num(n1, c->leave_graceful));
		if (c->lazy_storage > 0)
			fprintf(out, "lazy_storage: %s\n", num(n1, c->lazy_storage));
	}
	if (c->byzantine.behaviours) { /* Byzantine nodes */
		const ec_byzantine_config *b = &c->byzantine;
		char names[256];
		if (b->count)
			fprintf(out, "byzantine: %u\n", b->count);
		else
			fprintf(out, "byzantine: %s\n", num(n1, b->fraction));
		fprintf(out, "behaviour: %s\n", ec_behaviour_format(b->behaviours, names, sizeof names));
		if (b->placement == EC_PLACE_TARGET && b->target)
			fprintf(out, "placement: \"target:%llx\"\n", (unsigned long long)b->target);
		else if (b->placement == EC_PLACE_TARGET)
			fprintf(out, "placement: target\n");
		else if (b->placement == EC_PLACE_CLUSTER)
			fprintf(out, "placement: \"cluster:%u\"\n", b->cluster);
		if (b->start)
			fprintf(out, "attack_start: %llu\n", (unsigned long long)b->start);
		fprintf(out, "attack_share: %s\ncensor_after: %llu\n", num(n1, b->share),
		        (unsigned long long)b->censor_after);
		if (b->behaviours & EC_BHV_DELAY)
			fprintf(out, "attack_delay: %llu\n", (unsigned long long)b->delay);
		if (b->behaviours & EC_BHV_STORAGE_CHEAT)
			fprintf(out, "cheat_keep: %s\n", num(n1, b->cheat_keep));
	}
	if (c->safety_check != EC_SAFETY_DEFAULT) /* given: the default follows the protocol */
		fprintf(out, "safety_check: %s\n", c->safety_check == EC_SAFETY_ON ? "on" : "off");
	print_proto_options(out, o);
	if (c->protocol->workload) { /* settings of signed workloads */
		fprintf(out, "signatures: %s\n",
		        c->signatures ? c->signatures->name : ec_sig_keyed_hash.name);
		if (c->forge_rate > 0)
			fprintf(out, "forge_rate: %s\n", num(n1, c->forge_rate));
		if (c->destroy_rate > 0)
			fprintf(out, "destroy_rate: %s\n", num(n1, c->destroy_rate));
		if (c->witness_tokens)
			fprintf(out, "witness_tokens: %u\n", c->witness_tokens);
	}
	return fprintf(out, "runs: %llu\n", (unsigned long long)o->runs) < 0 ? -1 : 0;
}
