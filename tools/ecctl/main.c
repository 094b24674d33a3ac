/* SPDX-License-Identifier: MIT */
/*
 * ecctl: the command-line client of the ecnode daemon (ecctl.1).  Parses
 * the command line (usage errors exit 2 before anything touches the node
 * or a wallet), then runs one command (cmd_node.c, cmd_tokens.c).
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec/sig.h"
#include "ecctl.h"
#include "wallet.h"

#ifndef ECCTL_VERSION
#define ECCTL_VERSION "unknown"
#endif

/* Command options; each command names the ones it takes. */
enum {
	O_FORCE = 1u << 0,
	O_TOKEN = 1u << 1,
	O_COUNT = 1u << 2,
	O_TO = 1u << 3,
	O_NEW_WALLET = 1u << 4,
	O_WAIT = 1u << 5,
	O_WITNESSES = 1u << 6,
};

typedef struct command {
	const char *name;
	int (*run)(ecctl_session *s);
	unsigned opts;   /* O_* it accepts */
	const char *arg; /* its one positional argument's name, or NULL */
	bool wallet;     /* uses the wallet file */
} command;

static const command commands[] = {
    {"status", ecctl_cmd_status, 0, NULL, false},
    {"peers", ecctl_cmd_peers, 0, NULL, false},
    {"token", ecctl_cmd_token, 0, "ID", false},
    {"block", ecctl_cmd_block, 0, "ID", false},
    {"watch", ecctl_cmd_watch, 0, NULL, false},
    {"stop", ecctl_cmd_stop, 0, NULL, false},
    {"keygen", ecctl_cmd_keygen, O_FORCE, NULL, true},
    {"pubkey", ecctl_cmd_pubkey, 0, NULL, true},
    {"create", ecctl_cmd_create, O_TOKEN | O_COUNT | O_WAIT | O_WITNESSES, NULL, true},
    {"transfer", ecctl_cmd_transfer, O_TO | O_WAIT | O_WITNESSES, "TOKEN", true},
    {"rekey", ecctl_cmd_rekey, O_NEW_WALLET | O_WAIT | O_WITNESSES, "TOKEN", true},
    {"destroy", ecctl_cmd_destroy, O_WAIT | O_WITNESSES, "TOKEN", true},
};

static void
usage(FILE *out)
{
	fputs("usage: ecctl [--rpc PATH] [--json] [--wallet FILE] [--timeout SEC] COMMAND [ARGS]\n"
	      "\n"
	      "The command-line client of the ecnode daemon (see ecctl(1)).\n"
	      "\n"
	      "Node:\n"
	      "  status                       the node's state\n"
	      "  peers                        the node's peers\n"
	      "  token ID                     a token's current block\n"
	      "  block ID                     a block the node has committed\n"
	      "  watch                        print each commit the node sees, until interrupted\n"
	      "  stop                         ask the node to shut down\n"
	      "Wallet:\n"
	      "  keygen [--force]             make a new key in the wallet file\n"
	      "  pubkey                       print the wallet's public key and key hash\n"
	      "Tokens (signed with the wallet's key, checked locally, then submitted):\n"
	      "  create [--token ID]... [--count N] [--wait SEC]\n"
	      "                               one block creating N tokens (random ids unless\n"
	      "                               given; with the witnesses, at most 256 parts)\n"
	      "                               owned by the wallet\n"
	      "  transfer TOKEN --to KEYHASH [--wait SEC]\n"
	      "                               hand TOKEN to the key whose hash is KEYHASH\n"
	      "  rekey TOKEN --new-wallet FILE [--wait SEC]\n"
	      "                               move TOKEN to the key in FILE (created if missing)\n"
	      "  destroy TOKEN [--wait SEC]   end TOKEN: nobody can change it again\n"
	      "\n"
	      "Options:\n"
	      "  --rpc PATH      the node's socket (default: $ECNODE_RPC, else ./" ECCTL_DEFAULT_RPC
	      ")\n"
	      "  --lookup-rpc PATH  ask this node, not --rpc's, for a token's current block\n"
	      "                  (transfer, rekey, destroy: a node outside the token's window\n"
	      "                  holds no mapping of it; the block is still submitted to --rpc)\n"
	      "  --json          print one JSON object per command (watch: per commit)\n"
	      "  --wallet FILE   the wallet (default: $ECCTL_WALLET, else ~/.ecctl/wallet)\n"
	      "  --timeout SEC   how long to wait for each answer of the node (default 10)\n"
	      "  --wait SEC      after submitting, wait until the node has committed the block\n"
	      "  --witnesses K   (create, transfer, rekey, destroy) add K witness parts to the\n"
	      "                  block, 0..16 (default 2): tokens created and destroyed in it,\n"
	      "                  their ids derived from what it spends; nodes under the witness\n"
	      "                  rule (ecnode's default) refuse fewer than their witness-min (2)\n"
	      "  -h, --help      this text;  --version  the version\n"
	      "\n"
	      "Ids, tokens and key hashes are 64 hex digits.\n"
	      "Exit status: 0 ok, 1 the node, the network or a wallet failed, 2 usage error.\n",
	      out);
}

static const command *
find_command(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* SEC: a positive decimal number of seconds, at most a day, as ms. */
static bool
parse_seconds(const char *text, int *ms)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(v) || v <= 0 || v > 86400)
		return false;
	double m = ceil(v * 1000.0);
	*ms = m < 1 ? 1 : (int)m;
	return true;
}

/* A decimal number lo..hi (digits only: no sign, no blanks). */
static bool
parse_range(const char *text, uint32_t lo, uint32_t hi, uint32_t *n)
{
	if (*text < '0' || *text > '9')
		return false;
	char *end;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*n = (uint32_t)v;
	return true;
}

typedef struct option {
	const char *name;
	unsigned flag; /* O_* for a command option, 0 for a global one */
	bool value;    /* takes a value */
} option;

static const option options[] = {
    {"--rpc", 0, true},           {"--json", 0, false},       {"--wallet", 0, true},
    {"--timeout", 0, true},       {"--help", 0, false},       {"--version", 0, false},
    {"--force", O_FORCE, false},  {"--token", O_TOKEN, true}, {"--count", O_COUNT, true},
    {"--to", O_TO, true},         {"--new-wallet", O_NEW_WALLET, true},
    {"--wait", O_WAIT, true},     {"--lookup-rpc", 0, true},
    {"--witnesses", O_WITNESSES, true},
};

/* What parsing decided. */
enum { PARSE_RUN, PARSE_HELP, PARSE_VERSION, PARSE_USAGE };

/* Applies option opt (value: its value, or NULL). */
static int
apply(const option *opt, const char *value, const command *cmd, ecctl_opts *o,
      const char **rpc, const char **wallet)
{
	const char *n = opt->name;
	if (opt->flag && !(cmd && (cmd->opts & opt->flag))) {
		if (cmd)
			ecctl_usage_error("%s: unknown option %s", cmd->name, n);
		else
			ecctl_usage_error("%s must follow its command", n);
		return PARSE_USAGE;
	}
	if (strcmp(n, "--help") == 0)
		return PARSE_HELP;
	if (strcmp(n, "--version") == 0)
		return PARSE_VERSION;
	if (strcmp(n, "--json") == 0)
		o->json = true;
	else if (strcmp(n, "--force") == 0)
		o->force = true;
	else if (strcmp(n, "--rpc") == 0)
		*rpc = value;
	else if (strcmp(n, "--lookup-rpc") == 0)
		o->lookup_rpc = value;
	else if (strcmp(n, "--wallet") == 0)
		*wallet = value;
	else if (strcmp(n, "--to") == 0)
		o->to = value;
	else if (strcmp(n, "--new-wallet") == 0)
		o->new_wallet = value;
	else if (strcmp(n, "--timeout") == 0 && !parse_seconds(value, &o->timeout_ms)) {
		ecctl_usage_error("--timeout: expected seconds (0 < SEC <= 86400), got '%s'", value);
		return PARSE_USAGE;
	} else if (strcmp(n, "--wait") == 0 && !parse_seconds(value, &o->wait_ms)) {
		ecctl_usage_error("--wait: expected seconds (0 < SEC <= 86400), got '%s'", value);
		return PARSE_USAGE;
	} else if (strcmp(n, "--count") == 0 && !parse_range(value, 1, ECP_MAX_PARTS, &o->count)) {
		ecctl_usage_error("--count: expected a number from 1 to %u, got '%s'", ECP_MAX_PARTS,
		                  value);
		return PARSE_USAGE;
	} else if (strcmp(n, "--witnesses") == 0 &&
	           !parse_range(value, 0, ECCTL_MAX_WITNESSES, &o->witnesses)) {
		ecctl_usage_error("--witnesses: expected a number from 0 to %u, got '%s'",
		                  ECCTL_MAX_WITNESSES, value);
		return PARSE_USAGE;
	} else if (strcmp(n, "--token") == 0) {
		if (o->ntokens == ECP_MAX_PARTS) {
			ecctl_usage_error("create: at most %u tokens per block", ECP_MAX_PARTS);
			return PARSE_USAGE;
		}
		o->tokens[o->ntokens++] = value;
	}
	return PARSE_RUN;
}

/* Parses argv into *o and *cmd.  Global options may come before or after
 * the command, command options only after it. */
static int
parse(int argc, char **argv, ecctl_opts *o, const command **cmd)
{
	const char *rpc = NULL, *wallet = NULL;
	bool dashdash = false;
	*cmd = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!dashdash && strcmp(a, "--") == 0) {
			dashdash = true;
			continue;
		}
		if (!dashdash && a[0] == '-' && a[1] != '\0') {
			if (strcmp(a, "-h") == 0)
				a = "--help";
			const char *eq = strchr(a, '=');
			size_t nl = eq ? (size_t)(eq - a) : strlen(a);
			const option *opt = NULL;
			for (size_t k = 0; !opt && k < sizeof options / sizeof options[0]; k++)
				if (strlen(options[k].name) == nl && strncmp(options[k].name, a, nl) == 0)
					opt = &options[k];
			if (!opt) {
				ecctl_usage_error("unknown option %.*s", (int)nl, a);
				return PARSE_USAGE;
			}
			const char *value = NULL;
			if (opt->value && eq) {
				value = eq + 1;
			} else if (opt->value) {
				if (i + 1 >= argc) {
					ecctl_usage_error("%s needs a value", opt->name);
					return PARSE_USAGE;
				}
				value = argv[++i];
			} else if (eq) {
				ecctl_usage_error("%s takes no value", opt->name);
				return PARSE_USAGE;
			}
			int r = apply(opt, value, *cmd, o, &rpc, &wallet);
			if (r != PARSE_RUN)
				return r;
			continue;
		}
		if (!*cmd) {
			if (strcmp(a, "help") == 0)
				return PARSE_HELP;
			*cmd = find_command(a);
			if (!*cmd) {
				ecctl_usage_error("unknown command '%s'", a);
				return PARSE_USAGE;
			}
		} else if ((*cmd)->arg && !o->arg) {
			o->arg = a;
		} else {
			ecctl_usage_error("%s: unexpected argument '%s'", (*cmd)->name, a);
			return PARSE_USAGE;
		}
	}
	if (!*cmd) {
		ecctl_usage_error("missing command");
		return PARSE_USAGE;
	}
	if ((*cmd)->arg && !o->arg) {
		ecctl_usage_error("%s: missing %s", (*cmd)->name, (*cmd)->arg);
		return PARSE_USAGE;
	}
	if (rpc && !*rpc) {
		ecctl_usage_error("--rpc: empty socket path");
		return PARSE_USAGE;
	}
	const char *env = getenv("ECNODE_RPC");
	o->rpc = rpc ? rpc : env && *env ? env : ECCTL_DEFAULT_RPC;
	if (wallet && !*wallet) {
		ecctl_usage_error("--wallet: empty file name");
		return PARSE_USAGE;
	}
	/* NULL (no home directory, or out of memory) matters only to the
	 * commands that use a wallet (main) */
	o->wallet = wallet ? strdup(wallet) : ecctl_wallet_default_path();
	return PARSE_RUN;
}

int
main(int argc, char **argv)
{
	/* a reader that goes away is a failed write, not a death by signal */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	ecctl_opts o;
	memset(&o, 0, sizeof o);
	o.timeout_ms = ECCTL_DEFAULT_TIMEOUT_MS;
	o.wait_ms = -1;
	o.witnesses = ECCTL_DEFAULT_WITNESSES;
	const command *cmd;
	int r = parse(argc, argv, &o, &cmd);
	int rc = ECCTL_EXIT_OK;
	if (r == PARSE_USAGE) {
		rc = ECCTL_EXIT_USAGE;
	} else if (r == PARSE_HELP) {
		usage(stdout);
		rc = ecctl_finish_output();
	} else if (r == PARSE_VERSION) {
		puts("ecctl " ECCTL_VERSION);
		rc = ecctl_finish_output();
	} else if (cmd->wallet && !o.wallet) {
		rc = ecctl_fail("no wallet file: set HOME or ECCTL_WALLET, or give --wallet");
	} else if (ec_sig_init() != EC_OK) {
		rc = ecctl_fail("cannot initialise libsodium");
	} else {
		ecctl_session s = {.o = &o, .rpc = NULL};
		rc = cmd->run(&s);
		ecctl_rpc_close(s.rpc);
	}
	free(o.wallet);
	return rc;
}
