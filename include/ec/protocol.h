/* SPDX-License-Identifier: MIT */
/*
 * ec_protocol: the interface between a consensus protocol's node logic and
 * whatever drives it (the simulator, tests, a daemon).  Each protocol is a
 * static table of functions over an opaque node state of node_size bytes
 * that the driver allocates; every call gets the context it may use.  The
 * table also says how a driver carries the protocol's messages (msg) and,
 * for a protocol with signed transactions, how a workload makes them
 * (workload): a driver needs no other knowledge of a protocol.  The rules
 * every function here follows are in docs/api.md.
 *
 * Calls on one node must not overlap.  The driver calls, per round or time
 * step: handle() for each delivered message, then tick() once (or, for an
 * idle node, nothing: advance() catches its clock up before its next call).
 */
#ifndef EC_PROTOCOL_H
#define EC_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/block.h"
#include "ec/ctx.h"
#include "ec/id.h"
#include "ec/identity.h"
#include "ec/msg.h"

/* Storage a driver lends a protocol for the bodies of messages in flight
 * (ec_msg_ops.keep). */
typedef struct ec_msg_keeper {
	/* bytes of storage, aligned for any type, valid until the message is
	 * delivered or lost; a driver that keeps a message longer (it was
	 * delayed) calls keep again on the kept copy.  NULL: out of memory. */
	void *(*scratch)(void *user, size_t bytes);
	void *user;
} ec_msg_keeper;

/* Most counters a protocol may keep of the messages a driver delivers. */
#define EC_MSG_COUNTERS 16

/* One figure a report prints from the protocol's message counters: the
 * counter num, or with den >= 0 the mean counters[num] / counters[den]
 * (0 when counters[den] is 0). */
typedef struct ec_msg_stat {
	const char *key;    /* JSON key */
	const char *label;  /* name in the text report's message line; NULL: not there */
	int8_t num, den;
	bool omit_zero;     /* left out of reports while the figure is 0 (figures
	                       of features a run may not use) */
} ec_msg_stat;

/* What a driver needs to carry a protocol's messages without knowing their
 * bodies: keep them past the send call, size them on the wire, count them. */
typedef struct ec_msg_ops {
	/* Makes m's body outlive the send call: copies what m points to that
	 * the sender may free into storage from k, and points m at the copies.
	 * Bodies that already outlive the sender (interned through ec_ctx.intern)
	 * stay where they are.  Errors: EC_ENOMEM (m is then unchanged). */
	ec_err (*keep)(ec_msg *m, const ec_msg_keeper *k);
	/* Bytes m takes on a wire (envelope and body), for the bandwidth model. */
	uint64_t (*wire_size)(const ec_msg *m);
	/* Logical messages m carries (an envelope may carry several). */
	uint32_t (*logical)(const ec_msg *m);
	/* Optional (may be NULL): adds m's contribution to counters
	 * (EC_MSG_COUNTERS of them, which the driver sums over deliveries). */
	void (*count)(const ec_msg *m, uint64_t *counters);
	/* Optional (may be NULL): a hint that m's body is read soon. */
	void (*prefetch)(const ec_msg *m);
	/* The figures reports print from the counters, in order; nstats of them. */
	const ec_msg_stat *stats;
	size_t nstats;
	/* 1 + the index of the counter that holds the logical messages of peer
	 * management (finding, admitting, probing peers, catching up), which
	 * drivers report as lifecycle traffic; 0: the protocol has none. */
	uint8_t lifecycle_counter;
} ec_msg_ops;

/* How a sealed transaction is made (ec_workload_ops.seal): honestly, or as
 * one of the attacks a simulation injects. */
typedef enum ec_seal_kind {
	EC_SEAL_HONEST = 0,
	EC_SEAL_BAD_SIG,   /* the right signer named, signed with another key */
	EC_SEAL_WRONG_KEY  /* signed, validly, by a key the parent never named */
} ec_seal_kind;

struct ec_sig_scheme;

/* A protocol whose transactions are signed by their owners (optional: NULL
 * for one that takes bare parts, like seed).  With it, a workload may sign
 * with a scheme, destroy tokens, add witness tokens and forge attacks. */
typedef struct ec_workload_ops {
	/* Seals t->used parts of t: the signed form a wallet would send, with
	 * parents[i] the full id of the block that last moved part i (zero: a
	 * create) and signers[i] the key reference that signs it (0: none).
	 * kind and attacker (the key an attack signs with) make a forgery.
	 * Sets t->block to the sealed form and t->id to its 64-bit handle; the
	 * form is the caller's, released with release().  Errors: EC_EINVAL
	 * (t->used outside 1..max_block_tokens), EC_ENOMEM; t is then unchanged
	 * and nothing is held. */
	ec_err (*seal)(const struct ec_sig_scheme *scheme, ec_txn *t, const ec_id *parents,
	               const uint64_t *signers, ec_seal_kind kind, uint64_t attacker);
	/* The full id of t's sealed form. */
	ec_id (*full_id)(const ec_txn *t);
	/* Releases t's sealed form (t->block); accepts t->block == NULL. */
	void (*release)(ec_txn *t);
	/* Optional (NULL: witness ids are the workload's to draw): before
	 * sealing, gives the witness parts of a transaction's used parts
	 * (index real and on: creates that destroy their token) the ids the
	 * protocol's rules under config require, from the other parts, their
	 * parents' full ids and signers' key references (as seal takes them);
	 * may adjust the other parts so that none of them looks like a
	 * witness.  Cannot fail. */
	void (*witnesses)(const void *config, const struct ec_sig_scheme *scheme,
	                  ec_token_part *parts, const ec_id *parents, const uint64_t *signers,
	                  uint32_t used, uint32_t real);
} ec_workload_ops;

/* ---- open networks (optional calls: NULL for a protocol without them) ----
 * A node of a static network is handed its exact peer list once
 * (set_peers).  A node of an open network is handed a few contacts instead
 * (join) and from then on finds, admits, checks and drops its peers itself,
 * with messages that travel like any other. */

/* Where a driver reaches a node: opaque bytes to the protocol, carried in
 * its messages (the simulator: a node index; a daemon: an IP address and
 * port).  len bytes of b are meaningful, the rest are zero. */
#define EC_ADDR_MAX 22u
typedef struct ec_addr {
	uint8_t len;
	uint8_t b[EC_ADDR_MAX];
} ec_addr;

/* A peer as one node tells another about it. */
typedef struct ec_contact {
	uint64_t id; /* ring position */
	ec_addr addr;
} ec_contact;

typedef enum ec_join_kind {
	/* The contacts are the node's exact view of a network that starts with
	 * it, and its store is current (the nodes a run starts with): it votes
	 * at once and maintains its peers from then on. */
	EC_JOIN_SEEDED = 0,
	/* A new node with an empty store: it finds its neighbourhood from the
	 * contacts (bootstrap peers), fetches the token mappings of its
	 * windows, and only then votes. */
	EC_JOIN_NEW,
	/* A node back after downtime with the state it had (a crash, a
	 * restart): everything it knows may be stale, so it rebuilds its view
	 * and catches up before it votes again, as a new node does. */
	EC_JOIN_RESUME
} ec_join_kind;

typedef struct ec_join {
	ec_join_kind kind;
	const ec_contact *boot;        /* nboot contacts; borrowed for the call */
	size_t nboot;
	const ec_identity_claim *self; /* the node's own identity; copied */
	ec_addr addr;                  /* the node's own address */
	ec_identity_params admit;      /* the identity rules of this network:
	                                  every peer's claim is checked with them */
	uint64_t secret;               /* drawn by the driver from its own
	                                  randomness and told to nobody: seeds
	                                  what peers must not predict (the
	                                  nonces of storage audits) */
} ec_join;

/* What a driver may read of a node in an open network (measurements). */
typedef struct ec_node_status {
	bool open;          /* join was called */
	bool ready;         /* its view is settled and it has caught up: it votes */
	uint64_t ready_at;  /* its clock when it last became ready */
	const uint64_t *peers; /* its admitted peers, ascending; valid until the
	                          node's next call */
	size_t npeers;
} ec_node_status;

/* The calls of a protocol that supports open networks (ec_protocol.open). */
typedef struct ec_open_ops {
	/* Opens the node to a changing network (see ec_join_kind); call it
	 * instead of set_peers, or after it for EC_JOIN_SEEDED.  What the node
	 * sends leaves through ctx->send at once.  Errors: EC_EINVAL (no
	 * identity, kind unknown, admit fails ec_identity_params_check),
	 * EC_ENOMEM, and ctx->send's. */
	ec_err (*join)(void *node, const ec_ctx *ctx, const ec_join *j);
	/* A graceful departure: tells the node's peers it leaves (through
	 * ctx->send, at once).  The node should then be released.  Errors:
	 * EC_ENOMEM, ctx->send's. */
	ec_err (*leave)(void *node, const ec_ctx *ctx);
	/* Fills *out (never fails; a node never joined reports open false). */
	void (*status)(const void *node, ec_node_status *out);
	/* The address the node knows for peer id: true and *out, or false. */
	bool (*address)(const void *node, uint64_t id, ec_addr *out);
} ec_open_ops;

/* One setting of a protocol's configuration, as a command line (--NAME
 * VALUE) and a scenario file (NAME with '-' as '_') spell it.  Registered
 * once, in the protocol's table: drivers parse, print and document the
 * setting from here. */
typedef struct ec_proto_option {
	const char *name;  /* "window" */
	const char *arg;   /* the value in help texts ("W"); NULL: a flag */
	const char *help;  /* what it does and its default; lines end in '\n' */
	/* Parses text (NULL for a flag) into config.  Returns true, or false
	 * with a message naming the allowed values in err (errlen bytes, the
	 * option's name not included).  config is unchanged on false. */
	bool (*set)(void *config, const char *text, char *err, size_t errlen);
	/* Writes the value as set() takes it into buf (len bytes); returns
	 * false, writing nothing, for a flag or a setting that is unset (one
	 * without a default, never given). */
	bool (*get)(const void *config, char *buf, size_t len);
} ec_proto_option;

/* A protocol's configuration: what node_init's config points to. */
typedef struct ec_proto_config {
	size_t size;                       /* bytes, at most EC_PROTO_CONFIG_MAX */
	void (*init)(void *config);        /* the defaults */
	/* NULL if usable, else a static message naming the problem. */
	const char *(*check)(const void *config);
	/* w of the neighbourhood that holds a token: the w nodes below a key
	 * and the w+1 at or above it (drivers measure latency to all of them) */
	uint32_t (*neighbourhood)(const void *config);
	const ec_proto_option *options;
	size_t noptions;
} ec_proto_config;

#define EC_PROTO_CONFIG_MAX 256

typedef struct ec_protocol {
	const char *name;
	const ec_proto_config *config;  /* its settings */
	const char *store_api;          /* the store interface its nodes use
	                                   (ec_store.ops): EC_SEED_STORE_API... */
	const ec_msg_ops *msg;          /* how drivers carry its messages */
	const ec_workload_ops *workload; /* NULL: transactions are not signed */
	const ec_open_ops *open;        /* NULL: static networks only */
	/* NULL: the protocol cannot run Byzantine nodes (ec/adversary.h) */
	const struct ec_adversary_ops *adversary;
	size_t node_size;
	uint32_t max_block_tokens; /* largest transaction submit() accepts */
	/* Whether the protocol claims safety when every node's view of its
	 * neighbourhood is exact: no two conflicting blocks (two blocks that
	 * spend one token from one parent) ever commit, at one node or at two.
	 * Drivers check such a protocol by default where the views are exact
	 * (the simulator's safety check, ec_sim_config.safety_check).  The
	 * seed protocol, the reference, claims nothing: it double-commits by
	 * design. */
	bool claims_safety;
	/* Initialises node storage (node_size bytes, zeroed) for a node with
	 * this id at time 0.  config is protocol-specific (NULL: defaults);
	 * copied.  Errors: EC_EINVAL (a config its check refuses). */
	ec_err (*node_init)(void *node, ec_peer_id id, const void *config);
	/* Releases everything the node owns; accepts zeroed storage. */
	void (*node_fini)(void *node, const ec_ctx *ctx);
	/* Set-up: replaces the trusted peer list with n sorted, distinct ids
	 * (borrowed).  Errors: EC_ENOMEM (the list is then unchanged). */
	ec_err (*set_peers)(void *node, const ec_ctx *ctx, const uint64_t *sorted, size_t n);
	/* Number of trusted peers. */
	size_t (*peer_count)(const void *node);
	/* Whether the node would stay silent for ever if no message arrived
	 * (nothing pending that could make it send or change state on a tick). */
	bool (*idle)(const void *node);
	/* Optional (may be NULL): the earliest clock value now() at which a
	 * tick() would do more than count time, were no message or submit to
	 * arrive first; UINT64_MAX when idle.  The ticks before it are no-ops
	 * apart from the clock, so a driver may skip them (advance() catches
	 * up); it must tick the node when now() reaches it. */
	uint64_t (*wake_at)(const void *node);
	/* Same effect as `ticks` calls of tick() on an idle node, or on one
	 * whose wake_at() is at least now() + ticks: a driver may skip those
	 * ticks and let the node's clock catch up later. */
	void (*advance)(void *node, uint64_t ticks);
	/* The node's clock (logical time). */
	uint64_t (*now)(const void *node);
	/* A locally created transaction enters the node (no message is
	 * involved); txn and what it points to are borrowed.  What a protocol
	 * does with more than max_block_tokens parts is its own rule (seed: the
	 * block is invalid and Blocked; ec: EC_EINVAL).  Errors: EC_ENOMEM,
	 * EC_EINVAL, and those of ctx->send and the store, passed up. */
	ec_err (*submit)(void *node, const ec_ctx *ctx, const ec_txn *txn);
	/* Whether the node has committed the block whose 64-bit handle is id
	 * (the seed's id, or the ring position of an ec block id); full is the
	 * complete 256-bit id where the driver has one (NULL otherwise). */
	bool (*committed)(const void *node, const ec_ctx *ctx, ec_block_id id, const ec_id *full);
	/* One delivered message (borrowed for the call).  A message that is
	 * malformed or breaks a protocol rule is not an error: the node drops
	 * or answers it by its rules.  Errors: EC_ENOMEM (an allocation through
	 * ctx->realloc_fn or ctx->intern failed) and the errors of ctx->send and
	 * the store, passed up unchanged.  After an error the node is
	 * consistent and may be used again, but the message may be lost in
	 * part; the simulator ends the run with the error. */
	ec_err (*handle)(void *node, const ec_ctx *ctx, const ec_msg *msg);
	/* One time step: the clock advances by one, then timers run.  Errors
	 * and what holds after one: as for handle. */
	ec_err (*tick)(void *node, const ec_ctx *ctx);
	/* Optional (may be NULL): a hint that the node will soon handle msg
	 * (its first message this round; NULL: it will only tick) in this
	 * context; it may prefetch the memory it reaches through pointers or
	 * the store.  Reads only, changes nothing; the driver may skip it.
	 * Stage 0 comes first and should read only the node's own bytes;
	 * stage 1 comes later, when what stage 0 prefetched, and the message
	 * with its items, may be read without waiting for memory. */
	void (*prefetch)(const void *node, const ec_ctx *ctx, const ec_msg *msg, unsigned stage);
	/* Optional (NULL: the node may read every body it was ever given until
	 * it is released): calls fn(user, body) for each body interned through
	 * ctx->intern that the node may still read, each at least once, in no
	 * particular order.  Between calls into the node (never during one), a
	 * driver may free any body it interned for this node alone that the
	 * last such listing did not name, and reuse its memory.  A body the
	 * node will only read through the store is the store's (the memstore
	 * keeps pointers; a store that copies does not), not listed here. */
	void (*bodies)(const void *node, void (*fn)(void *user, const void *body), void *user);
} ec_protocol;

/* Returns the protocol registered under name, or NULL. */
const ec_protocol *ec_protocol_find(const char *name);

/* NULL-terminated list of every available protocol, for help texts. */
extern const ec_protocol *const ec_protocols[];

/* The protocol that registers option name (and the option in *opt), or
 * NULL when none does. */
const ec_protocol *ec_protocol_option(const char *name, const ec_proto_option **opt);

#endif
