/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: an ec node of an open network (ec_open_ops,
 * docs/open-network.md) receiving arbitrary envelopes.  The input is decoded
 * as an envelope (ec_wire_env_measure, ec_wire_env_decode); when it decodes,
 * it is delivered with ec_protocol_ec.handle to one node, which then ticks
 * TICKS times.  Nothing may crash, leak or trip a sanitizer, handle and
 * tick must return EC_OK (memory and the sink never fail here), and every
 * item the node sends must be one the wire can carry (ec_wire_item_check):
 * a node must not relay or answer with what its peers could not decode.
 *
 * The node is set up once and kept from input to input, so that a run
 * reaches the states a sequence of messages leads to (peers admitted,
 * dropped, catching up): seeded (EC_JOIN_SEEDED) with NPEERS peers, real
 * Argon2id identities (the admit parameters of the tests: 8 KiB, 1 pass,
 * 1 lane, 0 bits), an ec_memstore for its store and bodies, and a send sink
 * that checks and discards.  Every RESET_EVERY inputs it is released
 * (node_fini) and set up again with a fresh store, so memory stays bounded;
 * every other set-up turns on signed votes and convictions.
 * A crash may therefore depend on the inputs before it: replay the run's
 * inputs in order, or set EC_NODE_RESET=1 (a reset before every input) to
 * see whether one input alone does it.
 *
 * Bodies: decoded blocks, certificates and claims point into the decode
 * area, but a node keeps pointers to the ones it receives (ec/ecp.h:
 * bodies that reach a node must outlive it), and reads a claim's verdict
 * memo in front of it (ec_memstore_memo).  So every block, certificate and
 * claim is interned (ec_memstore_intern_memo) and its item repointed
 * before handle(); the decode area and the item copies are freed after
 * handle(), so AddressSanitizer reports any other pointer the node keeps.
 *
 * Seeds: with EC_FUZZ_WRITE_SEEDS=DIR the target first writes its seed
 * corpus to DIR: the golden items of tests/vectors/wire/ (EC_WIRE_VECTORS
 * overrides the directory), each in an envelope from one of the node's
 * peers, and HELLO and WELCOME variants that carry real claims (a joiner's,
 * a peer's, the node's own), which the node admits or must refuse
 * (docs/fuzzing.md).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec/ecp.h"
#include "ec/identity.h"
#include "ec/sig.h"
#include "ec/wire.h"
#include "ecsim/memstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPEERS 12u   /* identities 1..NPEERS: the node's peers */
#define NJOINERS 4u  /* identities after them: nodes it does not know yet */
#define NIDS (1u + NPEERS + NJOINERS)
#define TICKS 2u
#define RESET_EVERY 64u

static const ec_identity_params ADMIT = {.memory_kib = 8, .passes = 1, .lanes = 1, .bits = 0};

static struct {
	bool up;
	uint64_t ups; /* set-ups so far */
	ec_identity_claim claim[NIDS]; /* 0: the node's own */
	uint64_t id[NIDS];
	ecp_config cfg;
	ec_memstore *ms;
	ec_memstore_view view;
	ec_ctx ctx;
	void *node;
	uint64_t inputs, reset_every;
} F;

static void
check(int ok)
{
	if (!ok)
		abort();
}

/* ---- the node's surroundings --------------------------------------------- */

static const void *
intern(void *user, const void *data, size_t len)
{
	return ec_memstore_intern_memo(user, data, len);
}

/* Checks what the node sends, then drops it. */
static ec_err
sink(void *user, const ec_msg *m)
{
	(void)user;
	check(m->type == EC_MSG_ENVELOPE && m->sender == F.id[0]);
	check(m->u.env.n >= 1 && m->u.env.n <= EC_WIRE_ENV_MAX_ITEMS && m->u.env.items != NULL);
	for (uint32_t i = 0; i < m->u.env.n; i++)
		check(ec_wire_item_check(&m->u.env.items[i]) == EC_WIRE_OK);
	return EC_OK;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Identity i: an Ed25519 key from a seed of i, a salt of i, and the
 * address Argon2id gives them; its ring position is the address's. */
static void
make_identity(uint32_t i)
{
	uint8_t seed[EC_SIG_SEED_BYTES] = {0}, sk[EC_SIG_SK_BYTES];
	seed[0] = (uint8_t)i;
	seed[1] = 0xF2;
	ec_identity_claim *c = &F.claim[i];
	ec_sig_ed25519.keypair(seed, c->public_key, sk);
	memset(c->salt, (int)(0x40 + i), sizeof c->salt);
	check(ec_identity_address(&ADMIT, c->public_key, c->salt, c->address) == EC_OK);
	ec_id a = ec_id_from_bytes(c->address);
	F.id[i] = ec_id_pos(&a);
}

static ec_contact
contact(uint32_t i)
{
	ec_contact c = {.id = F.id[i], .addr = {.len = 4}};
	memcpy(c.addr.b, &i, 4);
	return c;
}

/* A fresh store and node: seeded, with identities 1..NPEERS as peers. */
static void
node_up(void)
{
	check(ec_memstore_new(ec_libc_realloc, NULL, &F.ms) == EC_OK);
	F.view = (ec_memstore_view){F.ms, 0, 0};
	/* every other node checks signed votes and convicts (ECP_DEF_SIGNED,
	 * ECP_DEF_CONVICT): its peers' keys are those of their claims */
	F.cfg.defences = (F.ups++ & 1) ? ECP_DEF_SIGNED | ECP_DEF_CONVICT : 0;
	F.ctx = (ec_ctx){.realloc_fn = ec_libc_realloc, .send = sink,
	                 .store = ec_memstore_bind(&F.view, ECP_STORE_API), .intern = intern,
	                 .intern_user = F.ms, .memo = ec_memstore_memo,
	                 .sig = &ec_sig_keyed_hash};
	check(ec_protocol_ec.node_init(F.node, F.id[0], &F.cfg) == EC_OK);
	uint64_t ids[NPEERS];
	ec_contact boot[NPEERS];
	for (uint32_t i = 0; i < NPEERS; i++)
		ids[i] = F.id[1 + i];
	qsort(ids, NPEERS, sizeof ids[0], cmp_u64);
	for (uint32_t i = 0; i < NPEERS; i++)
		boot[i] = contact(1 + i);
	check(ec_protocol_ec.set_peers(F.node, &F.ctx, ids, NPEERS) == EC_OK);
	ec_join j = {.kind = EC_JOIN_SEEDED, .boot = boot, .nboot = NPEERS, .self = &F.claim[0],
	             .addr = contact(0).addr, .admit = ADMIT};
	check(ec_protocol_ec.open->join(F.node, &F.ctx, &j) == EC_OK);
}

static void
node_down(void)
{
	ec_protocol_ec.node_fini(F.node, &F.ctx);
	ec_memstore_free(F.ms);
	F.ms = NULL;
}

static void
teardown(void)
{
	if (!F.up)
		return;
	node_down();
	free(F.node);
	F.up = false;
}

static void write_seeds(const char *dir);

static void
setup(void)
{
	check(ec_sig_init() == EC_OK);
	ecp_config_default(&F.cfg);
	F.cfg.degree = 16; /* 5 ring neighbours a side (w+1), 6 long-range */
	F.cfg.audit = 1;   /* storage audits of its neighbours: every round */
	for (uint32_t i = 0; i < NIDS; i++)
		make_identity(i);
	for (uint32_t i = 1; i < NIDS; i++) /* the identities are distinct nodes */
		for (uint32_t k = 0; k < i; k++)
			check(F.id[i] != F.id[k]);
	const char *every = getenv("EC_NODE_RESET");
	F.reset_every = every && atoi(every) > 0 ? (uint64_t)atoi(every) : RESET_EVERY;
	F.node = calloc(1, ec_protocol_ec.node_size);
	check(F.node != NULL);
	node_up();
	F.up = true;
	atexit(teardown); /* so that LeakSanitizer sees only real leaks */
	const char *seeds = getenv("EC_FUZZ_WRITE_SEEDS");
	if (seeds && *seeds)
		write_seeds(seeds);
}

/* ---- one input ------------------------------------------------------------ */

/* Interned copies of what the node may keep, items repointed to them; the
 * hellos are copied (the claim pointer is const in the decoded one) into
 * hellos[], which the caller frees. */
static void
intern_bodies(ecp_item *it, uint32_t n, ecp_hello **hellos)
{
	for (uint32_t i = 0; i < n; i++) {
		hellos[i] = NULL;
		if (it[i].block) {
			it[i].block = ec_memstore_intern_memo(F.ms, it[i].block,
			                                      ecp_block_size(it[i].block->nparts));
			check(it[i].block != NULL);
		}
		if (it[i].kind == ECP_COMMIT && it[i].cert) {
			const ecp_cert *c = it[i].cert;
			it[i].cert = ec_memstore_intern_memo(F.ms, c, ecp_cert_bytes(c->n, c->sigs));
			check(it[i].cert != NULL);
		}
		if ((it[i].kind == ECP_HELLO || it[i].kind == ECP_WELCOME) && it[i].hello) {
			const ecp_hello *h = it[i].hello;
			size_t len = sizeof *h + h->n * sizeof h->c[0];
			ecp_hello *copy = malloc(len);
			check(copy != NULL);
			memcpy(copy, h, len);
			copy->claim = ec_memstore_intern_memo(F.ms, h->claim, sizeof *h->claim);
			check(copy->claim != NULL);
			it[i].hello = hellos[i] = copy;
		}
	}
}

static void
deliver(const uint8_t *data, size_t size)
{
	size_t need = 0;
	if (ec_wire_env_measure(data, size, &need) != EC_WIRE_OK)
		return;
	void *mem = malloc(need ? need : 8);
	check(mem != NULL);
	ec_wire_env env;
	check(ec_wire_env_decode(data, size, &env, mem, need) == EC_WIRE_OK);
	ecp_item *items = malloc(env.n * sizeof *items);
	ecp_hello **hellos = malloc(env.n * sizeof *hellos);
	check(items != NULL && hellos != NULL);
	memcpy(items, env.items, env.n * sizeof *items);
	intern_bodies(items, env.n, hellos);
	ec_msg m = {.sender = env.sender, .receiver = F.id[0],
	            .time = ec_protocol_ec.now(F.node), .type = EC_MSG_ENVELOPE};
	m.u.env.items = items;
	m.u.env.n = env.n;
	check(ec_protocol_ec.handle(F.node, &F.ctx, &m) == EC_OK);
	for (uint32_t i = 0; i < env.n; i++)
		free(hellos[i]);
	free(hellos);
	free(items);
	free(mem);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!F.up)
		setup();
	if (F.inputs > 0 && F.inputs % F.reset_every == 0) {
		node_down();
		node_up();
	}
	F.inputs++;
	/* an exact-size copy, so that sanitizers see reads past the end even
	 * under the stand-alone driver (whose buffer is larger) */
	uint8_t *in = malloc(size ? size : 1);
	check(in != NULL);
	if (size)
		memcpy(in, data, size);
	deliver(in, size);
	free(in);
	for (uint32_t t = 0; t < TICKS; t++)
		check(ec_protocol_ec.tick(F.node, &F.ctx) == EC_OK);
	return 0;
}

/* ---- the seed corpus (EC_FUZZ_WRITE_SEEDS) -------------------------------- */

#define MAX_SEED 4096u

/* A golden vector: its hex digits, '#' comments skipped.  Returns the
 * length written to out (at most cap). */
static size_t
read_vector(const char *name, uint8_t *out, size_t cap)
{
	char path[1024];
	const char *dir = getenv("EC_WIRE_VECTORS");
	if (dir) {
		snprintf(path, sizeof path, "%s/%s", dir, name);
	} else {
		const char *file = __FILE__; /* .../fuzz/fuzz_ec_node.c */
		const char *slash = strrchr(file, '/');
		int n = slash ? (int)(slash - file) : 1;
		snprintf(path, sizeof path, "%.*s/../tests/vectors/wire/%s", n, slash ? file : ".",
		         name);
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		abort();
	}
	size_t len = 0;
	int c, hi = -1;
	bool comment = false;
	while ((c = fgetc(f)) != EOF) {
		if (comment || c == '#') {
			comment = c != '\n';
			continue;
		}
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (v < 0)
			continue; /* white space */
		if (hi < 0) {
			hi = v;
		} else {
			check(len < cap);
			out[len++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	fclose(f);
	check(hi < 0);
	return len;
}

static void
put_u64(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An envelope from `sender` around n items (len bytes); checked to
 * decode. */
static void
write_seed(const char *dir, const char *name, uint64_t sender, uint8_t n, const uint8_t *item,
           size_t len)
{
	uint8_t env[MAX_SEED];
	check(12 + len <= sizeof env);
	env[0] = EC_WIRE_T_ENVELOPE;
	env[1] = EC_WIRE_VERSION;
	put_u64(env + 2, sender);
	env[10] = n;
	env[11] = 0;
	memcpy(env + 12, item, len);
	size_t need;
	check(ec_wire_env_measure(env, 12 + len, &need) == EC_WIRE_OK);
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	check(f != NULL);
	check(fwrite(env, 1, 12 + len, f) == 12 + len);
	check(fclose(f) == 0);
}

static void
write_seeds(const char *dir)
{
	static const struct {
		const char *name, *vector;
		uint32_t from; /* identity of the sender */
	} plain[] = {
		{"hello_join_badclaim", "item_hello.hex", 1}, /* relayed, then its claim fails */
		{"welcome_badclaim", "item_welcome.hex", 2},
		{"find", "item_find.hex", 3},
		{"peers", "item_peers.hex", 3},
		{"sync", "item_sync.hex", 4},
		{"synced", "item_synced.hex", 4},
		{"ping", "item_ping.hex", 5},
		{"bye", "item_bye.hex", 6},
		{"commit_sync", "item_commit_sync.hex", 7},
		{"audit", "item_audit.hex", 8},  /* answered: a peer asks */
		{"proof", "item_proof.hex", 9},  /* no audit of mine under way: ignored */
	};
	uint8_t item[MAX_SEED];
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		size_t len = read_vector(plain[i].vector, item, sizeof item);
		write_seed(dir, plain[i].name, F.id[plain[i].from], 1, item, len);
	}
	/* the golden HELLO (JOIN | SYNC, 3 hops; the claim at 5) with a
	 * joiner's real claim, relayed by a peer */
	uint32_t joiner = 1 + NPEERS;
	size_t len = read_vector("item_hello.hex", item, sizeof item);
	memcpy(item + 5, &F.claim[joiner], sizeof F.claim[joiner]);
	write_seed(dir, "hello_join", F.id[1], 1, item, len);
	/* the same as a direct HELLO (NEAR | SYNC, no hops) from another
	 * joiner itself */
	item[2] = ECP_F_NEAR | ECP_F_SYNC;
	item[3] = item[4] = 0;
	memcpy(item + 5, &F.claim[joiner + 1], sizeof F.claim[joiner + 1]);
	write_seed(dir, "hello_direct", F.id[joiner + 1], 1, item, len);
	/* my own join coming back to me, relayed by a peer (a node back
	 * after downtime meets its old HELLO): ignored, never admitted */
	len = read_vector("item_hello.hex", item, sizeof item);
	memcpy(item + 5, &F.claim[0], sizeof F.claim[0]);
	write_seed(dir, "hello_join_self", F.id[3], 1, item, len);
	/* the golden WELCOME (the claim at 3) with the real claim of the peer
	 * that sends it */
	len = read_vector("item_welcome.hex", item, sizeof item);
	memcpy(item + 3, &F.claim[2], sizeof F.claim[2]);
	write_seed(dir, "welcome", F.id[2], 1, item, len);
	/* the golden peer envelope (PING, FIND, BYE) from a peer */
	uint8_t env[MAX_SEED];
	len = read_vector("envelope_peer.hex", env, sizeof env);
	write_seed(dir, "envelope_peer", F.id[8], env[10], env + 12, len - 12);
	/* the voting items: a block's first wave, and a plain COMMIT */
	len = read_vector("item_block.hex", item, sizeof item);
	write_seed(dir, "block", F.id[9], 1, item, len);
	len = read_vector("item_commit.hex", item, sizeof item);
	write_seed(dir, "commit", F.id[10], 1, item, len);
}
