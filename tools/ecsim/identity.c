/* SPDX-License-Identifier: MIT */
/*
 * ecsim identity mine|verify: the command-line face of the proof-of-work
 * node identities in ec/identity.h.
 *
 * mine makes an Ed25519 key pair with libsodium (from --seed when given, so
 * a run can be replayed, else from the system's random source), picks a
 * starting salt (derived from the seed, or random) and mines with the
 * library in small chunks, showing progress when stderr is a terminal.  The
 * library itself draws no randomness: everything random happens here.
 * verify recomputes an address and reports the library's verdict through
 * the exit status.  Every argument is checked before any work starts; a
 * usage error is one "ecsim identity: " line on stderr and exit status 2.
 */
#include "identity.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "ec/hex.h"

#include "ec/identity.h"

#define HEX32 (2 * 32 + 1)

/* Domain separation for the starting salt derived from --seed (BLAKE2b
 * keyed with the seed), so the salt reveals nothing about the key seed. */
static const char salt_context[] = "ecsim identity start salt v1";

static void
usage(FILE *out)
{
	fputs(
	    "usage: ecsim identity mine --bits N [--memory KiB] [--passes P] [--seed HEX]\n"
	    "                           [--salt HEX] [--max-attempts N] [--json]\n"
	    "       ecsim identity verify --bits N [--memory KiB] [--passes P] [--json]\n"
	    "                             PUBLIC_KEY SALT [ADDRESS]\n"
	    "\n"
	    "Proof-of-work node identities.  A node's address is\n"
	    "  Argon2id(password = its 32-byte Ed25519 public key, salt = a 32-byte salt,\n"
	    "           memory KiB, passes, 1 lane, 32-byte output)\n"
	    "and is valid when it has at least N trailing zero bits: the address read as\n"
	    "a 256-bit big-endian number, zero bits counted from the least significant\n"
	    "bit of its last byte.  Mining tries salt, salt+1, salt+2, ... (the salt as a\n"
	    "big-endian counter); it takes about 2^N attempts, verifying takes one.\n"
	    "\n"
	    "  --bits N          required trailing zero bits, 0..256 (production: 24,\n"
	    "                    about a day of mining on one core at the default cost)\n"
	    "  --memory KiB      Argon2id memory, 8..4194304 (default 4096, production)\n"
	    "  --passes P        Argon2id passes, 1..1024 (default 1, production)\n"
	    "  --seed HEX        mine: the Ed25519 key seed as 64 hex digits; the starting\n"
	    "                    salt is derived from it too, so the run is reproducible\n"
	    "                    (default: a random key and a random salt).  A command\n"
	    "                    line is visible to other users: use it for tests\n"
	    "  --salt HEX        mine: the first salt to try, 64 hex digits (resumes a run\n"
	    "                    stopped by --max-attempts, with the same --seed)\n"
	    "  --max-attempts N  mine: give up after N attempts (default: no limit)\n"
	    "  --json            print one JSON object\n"
	    "  -h, --help        this text\n"
	    "\n"
	    "mine prints public_key, salt, address (lower-case hex), attempts, bits,\n"
	    "memory_kib, passes and secret_seed.  secret_seed is SECRET: it is the\n"
	    "Ed25519 private key seed from which the node's signing key is rebuilt.\n"
	    "Store it privately; whoever has it can act as the node.\n"
	    "verify checks PUBLIC_KEY and SALT (64 hex digits each) and, when given, that\n"
	    "ADDRESS is the address they give; PUBLIC_KEY must be a valid Ed25519 key (a\n"
	    "point of the prime-order group).  It prints why on stderr when they fail.\n"
	    "\n"
	    "Exit status: 0 for a valid identity (verify) or one found (mine); 1 for an\n"
	    "invalid identity, no identity within --max-attempts, or a failure such as\n"
	    "running out of memory; 2 for a usage error.\n",
	    out);
}

static int
usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("ecsim identity: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

/* Parses exactly 64 hex digits (either case) into 32 bytes. */
static bool
parse_hex32(const char *s, uint8_t out[32])
{
	return strlen(s) == 64 && ec_hex_decode(s, out, 32);
}

static void
to_hex(const uint8_t in[32], char out[HEX32])
{
	ec_hex_encode(in, 32, out);
}

/* A whole decimal number in [lo, hi]: digits only, no sign or spaces. */
static bool
parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (*s < '0' || *s > '9')
		return false;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || *end || x < lo || x > hi)
		return false;
	*out = x;
	return true;
}

typedef struct args {
	bool mine;
	ec_identity_params p;
	bool have_bits, json, help, have_seed, have_salt;
	uint8_t seed[32], salt[32];
	uint64_t max_attempts;
	const char *pos[4];
	int npos;
} args;

/* Parses argv[3..] into a.  Returns 0, or 2 after printing a usage error. */
static int
parse(int argc, char **argv, args *a)
{
	for (int i = 3; i < argc; i++) {
		const char *opt = argv[i], *val = NULL;
		char name[32];
		if (strcmp(opt, "-h") == 0) {
			a->help = true;
			continue;
		}
		if (strncmp(opt, "--", 2) != 0 || opt[2] == 0) {
			if (opt[0] == '-' && opt[1] != 0)
				return usage_error("unknown option '%s' (see ecsim identity --help)", opt);
			if (a->npos == 4)
				return usage_error("unexpected argument '%s' (see ecsim identity --help)", opt);
			a->pos[a->npos++] = opt;
			continue;
		}
		/* --name VALUE or --name=VALUE */
		const char *eq = strchr(opt, '=');
		size_t len = eq ? (size_t)(eq - opt) : strlen(opt);
		if (len >= sizeof name)
			return usage_error("unknown option '%s' (see ecsim identity --help)", opt);
		memcpy(name, opt, len);
		name[len] = 0;
		bool flag = strcmp(name, "--json") == 0 || strcmp(name, "--help") == 0;
		if (flag) {
			if (eq)
				return usage_error("%s takes no value", name);
		} else if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		}
		uint64_t x;
		if (strcmp(name, "--json") == 0) {
			a->json = true;
		} else if (strcmp(name, "--help") == 0) {
			a->help = true;
		} else if (strcmp(name, "--bits") == 0 || strcmp(name, "--memory") == 0 ||
		           strcmp(name, "--passes") == 0 || strcmp(name, "--seed") == 0 ||
		           (a->mine && (strcmp(name, "--salt") == 0 ||
		                        strcmp(name, "--max-attempts") == 0))) {
			if (!val)
				return usage_error("%s needs a value", name);
			if (strcmp(name, "--bits") == 0) {
				if (!parse_u64(val, 0, EC_IDENTITY_MAX_BITS, &x))
					return usage_error("--bits needs a whole number from 0 to 256, got '%s'",
					                   val);
				a->p.bits = (uint32_t)x;
				a->have_bits = true;
			} else if (strcmp(name, "--memory") == 0) {
				if (!parse_u64(val, EC_IDENTITY_MIN_MEMORY_KIB, EC_IDENTITY_MAX_MEMORY_KIB, &x))
					return usage_error("--memory needs KiB from 8 to 4194304, got '%s'", val);
				a->p.memory_kib = (uint32_t)x;
			} else if (strcmp(name, "--passes") == 0) {
				if (!parse_u64(val, 1, EC_IDENTITY_MAX_PASSES, &x))
					return usage_error("--passes needs a whole number from 1 to 1024, got '%s'",
					                   val);
				a->p.passes = (uint32_t)x;
			} else if (strcmp(name, "--seed") == 0) {
				if (!a->mine)
					return usage_error("--seed is for mine only");
				if (!parse_hex32(val, a->seed))
					return usage_error("--seed needs 64 hex digits (32 bytes), got '%s'", val);
				a->have_seed = true;
			} else if (strcmp(name, "--salt") == 0) {
				if (!parse_hex32(val, a->salt))
					return usage_error("--salt needs 64 hex digits (32 bytes), got '%s'", val);
				a->have_salt = true;
			} else {
				if (!parse_u64(val, 1, UINT64_MAX, &x))
					return usage_error("--max-attempts needs a whole number from 1 to "
					                   "18446744073709551615, got '%s'", val);
				a->max_attempts = x;
			}
		} else {
			return usage_error("unknown option '%s' for %s (see ecsim identity --help)", name,
			                   a->mine ? "mine" : "verify");
		}
	}
	if (a->help)
		return 0;
	if (!a->have_bits)
		return usage_error("%s needs --bits N (production: 24)", a->mine ? "mine" : "verify");
	if (a->mine && a->npos > 0)
		return usage_error("unexpected argument '%s' (see ecsim identity --help)", a->pos[0]);
	if (!a->mine && (a->npos < 2 || a->npos > 3))
		return usage_error(a->npos < 2 ? "verify needs PUBLIC_KEY and SALT (64 hex digits each)"
		                               : "verify takes PUBLIC_KEY SALT [ADDRESS], got more");
	const char *problem = ec_identity_params_check(&a->p);
	if (problem)
		return usage_error("%s", problem);
	return 0;
}

static int
mine(args *a)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	uint8_t addr[32];
	char hpk[HEX32], hsalt[HEX32], haddr[HEX32], hseed[HEX32];
	int status = 1;
	if (!a->have_seed)
		randombytes_buf(a->seed, sizeof a->seed);
	if (crypto_sign_seed_keypair(pk, sk, a->seed) != 0) {
		fprintf(stderr, "ecsim identity: key generation failed\n");
		goto out;
	}
	if (!a->have_salt) {
		if (a->have_seed)
			crypto_generichash(a->salt, sizeof a->salt, (const unsigned char *)salt_context,
			                   sizeof salt_context - 1, a->seed, sizeof a->seed);
		else
			randombytes_buf(a->salt, sizeof a->salt);
	}
	bool progress = isatty(STDERR_FILENO) != 0, found = false;
	uint64_t total = 0;
	while (!found && total < a->max_attempts) {
		uint64_t n, chunk = a->max_attempts - total < 64 ? a->max_attempts - total : 64;
		ec_err e = ec_identity_mine(&a->p, pk, chunk, a->salt, addr, &found, &n);
		total += n;
		if (e) {
			if (progress)
				fputs("\r\033[K", stderr);
			fprintf(stderr, "ecsim identity: mining failed after %llu attempts: %s%s\n",
			        (unsigned long long)total, ec_strerror(e),
			        e == EC_ENOMEM ? " (Argon2 could not get its memory)" : "");
			goto out;
		}
		if (progress)
			fprintf(stderr, "\rmining: %llu attempts (about 2^%u expected) ",
			        (unsigned long long)total, (unsigned)a->p.bits);
	}
	if (progress)
		fputs("\r\033[K", stderr);
	to_hex(a->salt, hsalt);
	if (!found) {
		if (a->have_seed)
			fprintf(stderr,
			        "ecsim identity: no identity with %u trailing zero bits in %llu attempts; "
			        "resume with the same --seed and --salt %s\n",
			        (unsigned)a->p.bits, (unsigned long long)total, hsalt);
		else
			fprintf(stderr, "ecsim identity: no identity with %u trailing zero bits in %llu "
			                "attempts\n",
			        (unsigned)a->p.bits, (unsigned long long)total);
		goto out;
	}
	to_hex(pk, hpk);
	to_hex(addr, haddr);
	to_hex(a->seed, hseed);
	if (a->json)
		printf("{\"public_key\":\"%s\",\"salt\":\"%s\",\"address\":\"%s\",\"attempts\":%llu,"
		       "\"bits\":%u,\"memory_kib\":%u,\"passes\":%u,\"trailing_zero_bits\":%u,"
		       "\"secret_seed\":\"%s\"}\n",
		       hpk, hsalt, haddr, (unsigned long long)total, (unsigned)a->p.bits,
		       (unsigned)a->p.memory_kib, (unsigned)a->p.passes, ec_identity_trailing_zeros(addr),
		       hseed);
	else
		printf("public_key   %s\n"
		       "salt         %s\n"
		       "address      %s\n"
		       "secret_seed  %s\n"
		       "             (SECRET: the Ed25519 key seed; keep it private)\n"
		       "found after %llu attempts: %u trailing zero bits (%u required), "
		       "Argon2id %u KiB, %u pass%s\n",
		       hpk, hsalt, haddr, hseed, (unsigned long long)total,
		       ec_identity_trailing_zeros(addr), (unsigned)a->p.bits, (unsigned)a->p.memory_kib,
		       (unsigned)a->p.passes, a->p.passes == 1 ? "" : "es");
	sodium_memzero(hseed, sizeof hseed);
	status = fflush(stdout) || ferror(stdout) ? 1 : 0;
	if (status)
		fprintf(stderr, "ecsim identity: writing the output failed\n");
out:
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(a->seed, sizeof a->seed);
	return status;
}

static int
verify(const args *a)
{
	uint8_t pk[32], salt[32], claimed[32], addr[32];
	const char *names[3] = {"PUBLIC_KEY", "SALT", "ADDRESS"};
	uint8_t *dst[3] = {pk, salt, claimed};
	for (int i = 0; i < a->npos; i++)
		if (!parse_hex32(a->pos[i], dst[i]))
			return usage_error("%s needs 64 hex digits (32 bytes), got '%s'", names[i], a->pos[i]);
	bool have_claim = a->npos == 3;
	ec_identity_verdict v;
	ec_err e = ec_identity_verify(&a->p, pk, salt, have_claim ? claimed : NULL, &v, addr);
	if (e) {
		fprintf(stderr, "ecsim identity: the check failed: %s%s\n", ec_strerror(e),
		        e == EC_ENOMEM ? " (Argon2 could not get its memory)" : "");
		return 1;
	}
	/* An address was computed unless a claim failed the cheap zero-bit test
	 * or the key was refused; then the claim is shown, if there is one. */
	bool computed = v == EC_IDENTITY_OK || v == EC_IDENTITY_BAD_ADDRESS ||
	                (v == EC_IDENTITY_BAD_POW && !have_claim);
	const uint8_t *shown = computed ? addr : have_claim ? claimed : NULL;
	unsigned tz = shown ? ec_identity_trailing_zeros(shown) : 0;
	char hpk[HEX32], hsalt[HEX32], haddr[HEX32] = "";
	to_hex(pk, hpk);
	to_hex(salt, hsalt);
	if (shown)
		to_hex(shown, haddr);
	if (a->json && shown)
		printf("{\"valid\":%s,\"verdict\":\"%s\",\"public_key\":\"%s\",\"salt\":\"%s\","
		       "\"address\":\"%s\",\"trailing_zero_bits\":%u,\"bits\":%u,\"memory_kib\":%u,"
		       "\"passes\":%u}\n",
		       v == EC_IDENTITY_OK ? "true" : "false", ec_identity_verdict_str(v), hpk, hsalt,
		       haddr, tz, (unsigned)a->p.bits, (unsigned)a->p.memory_kib,
		       (unsigned)a->p.passes);
	else if (a->json)
		printf("{\"valid\":false,\"verdict\":\"%s\",\"public_key\":\"%s\",\"salt\":\"%s\","
		       "\"address\":null,\"trailing_zero_bits\":null,\"bits\":%u,\"memory_kib\":%u,"
		       "\"passes\":%u}\n",
		       ec_identity_verdict_str(v), hpk, hsalt, (unsigned)a->p.bits,
		       (unsigned)a->p.memory_kib, (unsigned)a->p.passes);
	switch (v) {
	case EC_IDENTITY_OK:
		if (!a->json)
			printf("valid: address %s, %u trailing zero bits (%u required)\n", haddr, tz,
			       (unsigned)a->p.bits);
		break;
	case EC_IDENTITY_BAD_POW:
		fprintf(stderr,
		        "ecsim identity: invalid: the %saddress %s has %u trailing zero bits, fewer "
		        "than the %u required\n",
		        computed ? "" : "claimed ", haddr, tz, (unsigned)a->p.bits);
		break;
	case EC_IDENTITY_BAD_ADDRESS:
		fprintf(stderr,
		        "ecsim identity: invalid: ADDRESS is not the address of this key and salt at "
		        "%u KiB, %u pass%s (that is %s)\n",
		        (unsigned)a->p.memory_kib, (unsigned)a->p.passes, a->p.passes == 1 ? "" : "es",
		        haddr);
		break;
	case EC_IDENTITY_BAD_KEY:
		fprintf(stderr,
		        "ecsim identity: invalid: PUBLIC_KEY is not a valid Ed25519 public key (not "
		        "the encoding of a point of the prime-order group), so it can sign nothing\n");
		break;
	case EC_IDENTITY_BAD_PARAMS:
	case EC_IDENTITY_VERDICT_COUNT:
		fprintf(stderr, "ecsim identity: invalid: %s\n", ec_identity_verdict_str(v));
		break;
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "ecsim identity: writing the output failed\n");
		return 1;
	}
	return v == EC_IDENTITY_OK ? 0 : 1;
}

int
ecsim_identity(int argc, char **argv)
{
	if (argc < 3)
		return usage_error("usage: ecsim identity mine|verify ... (see ecsim identity --help)");
	const char *cmd = argv[2];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "mine") != 0 && strcmp(cmd, "verify") != 0)
		return usage_error("unknown subcommand '%s': use mine or verify", cmd);
	args a = {.mine = strcmp(cmd, "mine") == 0, .p = EC_IDENTITY_PARAMS_PRODUCTION,
	          .max_attempts = UINT64_MAX};
	int rc = parse(argc, argv, &a);
	if (rc == 0 && a.help) {
		usage(stdout);
		return 0;
	}
	if (rc) {
		sodium_memzero(a.seed, sizeof a.seed);
		return rc;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "ecsim identity: libsodium failed to initialise\n");
		return 1;
	}
	return a.mine ? mine(&a) : verify(&a);
}
