/* SPDX-License-Identifier: MIT */
/*
 * ec_sim: the round-based network simulator of the reference
 * (docs/design/seed-protocol.md §4), driving any ec_protocol through its table.
 * It owns every node (as protocol-opaque state in one array), their stores
 * (an ec_memstore per worker thread), the message queue and the single
 * random stream.  A round is: detect commits at injection nodes, create
 * blocks, shuffle the queue and split it into delivered / delayed / lost,
 * deliver, tick every node in ascending id order.
 *
 * With the same configuration a run is bit-for-bit deterministic, for any
 * number of threads.  One thread at a time may call the functions on one
 * simulator; hooks run on that thread.  The rules every function here
 * follows (argument order, ownership, errors) are in docs/api.md.
 */
#ifndef EC_SIM_H
#define EC_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ec/block.h"
#include "ec/ctx.h"
#include "ec/sig.h"
#include "ec/protocol.h"
#include "ec/rng.h"

typedef enum ec_topology_kind {
	/* dense, as the reference draws them (O(N^2) draws, exact replay) */
	EC_TOPO_RANDOM = 1,       /* a = connectivity in [0,1] */
	EC_TOPO_RING_GRADIENT,    /* a = min_prob, b = max_prob */
	EC_TOPO_RING_GAUSSIAN,    /* a = sigma */
	/* bounded degree, O(N * degree) time and memory; each node draws
	 * `degree` distinct out-peers (fewer only if the network is smaller) */
	EC_TOPO_CAPPED_GRADIENT,  /* ring distance drawn with a density falling
	                             linearly from b (near) to a (far) */
	EC_TOPO_SMALL_WORLD,      /* degree/2 nearest on the ring + long links
	                             with probability proportional to 1/distance */
	EC_TOPO_CORE_TAIL,        /* 3/4 of degree nearest on the ring + uniform tail */
	EC_TOPO_RANDOM_REGULAR    /* degree uniform random peers */
} ec_topology_kind;

typedef struct ec_topology {
	ec_topology_kind kind;
	double a, b;
	uint32_t degree;          /* bounded-degree kinds only */
} ec_topology;

/* Whether a topology kind is one of the bounded-degree ones. */
bool ec_topology_bounded(ec_topology_kind kind);
/* Name of a topology kind as the command line spells it. */
const char *ec_topology_name(ec_topology_kind kind);

/* What happened to a node of an open network (ec_sim_hooks.membership). */
typedef enum ec_member_event {
	EC_MEMBER_JOIN = 1, /* a new node joined (EC_JOIN_NEW) */
	EC_MEMBER_CRASH,    /* a node went down without a word; it keeps its state */
	EC_MEMBER_LEAVE,    /* a node said goodbye (ec_open_ops.leave) and went down */
	EC_MEMBER_REJOIN    /* a crashed node came back (EC_JOIN_RESUME) */
} ec_member_event;

struct ec_byz_result;

typedef struct ec_sim_hooks {
	void *user;
	/* After block creation; target is the injection node's id. */
	void (*block_created)(void *user, uint64_t round, const ec_txn *b, ec_peer_id target);
	/* A block was found committed at its injection node. */
	void (*block_committed)(void *user, uint64_t round, ec_block_id b, ec_peer_id target,
	                        uint64_t latency);
	/* After each round: queue length at its start, delivered and lost counts. */
	void (*round_done)(void *user, uint64_t round, size_t queue_start, size_t delivered,
	                   size_t lost);
	/* Node events (see ec_event); round is the current round. */
	void (*node_event)(void *user, uint64_t round, ec_peer_id node, ec_event ev,
	                   ec_block_id b, uint64_t arg);
	/* The network went silent with a block outstanding: no message can ever
	 * be sent again, so the run ends early (seed-protocol.md §5 A6). */
	void (*stalled)(void *user, uint64_t round);
	/* Set-up progress, from ec_sim_new, for a progress display (a large
	 * network takes seconds to minutes to build): phase names the step
	 * ("drawing node ids", "drawing the topology", ...; a static string),
	 * done of total its units (nodes).  Called at the start of each step and
	 * every few thousand units within the long ones, never from a worker
	 * thread; it must not call back into the simulator.  May be NULL. */
	void (*setup_progress)(void *user, const char *phase, uint64_t done, uint64_t total);
	/* Open networks: a node joined, went down or came back, at the start
	 * of `round` (before anything else of that round).  May be NULL. */
	void (*membership)(void *user, uint64_t round, ec_peer_id node, ec_member_event ev);
	/* Byzantine nodes: every 100 rounds (after round), the figures so far
	 * and of the last 100 rounds: votes counted and those cast by
	 * Byzantine nodes in that window.  May be NULL. */
	void (*byzantine)(void *user, uint64_t round, const struct ec_byz_result *sofar,
	                  uint64_t window_votes, uint64_t window_byzantine);
} ec_sim_hooks;

#define EC_SIM_MAX_THREADS 64

/* Whether the simulator checks safety every round: that no two conflicting
 * blocks (spending one token from one parent) have committed anywhere, at
 * any live node; the first violation stops the run at the end of its round
 * (ec_sim_result.safety). */
typedef enum ec_safety_check {
	EC_SAFETY_DEFAULT = 0, /* on for a protocol that claims safety
	                          (ec_protocol.claims_safety: ec) where every
	                          node's view is exact, the condition of the
	                          claim: its w+1 nearest nodes on each side of
	                          the ring (w: neighbourhood) are among its
	                          peers; else off */
	EC_SAFETY_ON,
	EC_SAFETY_OFF
} ec_safety_check;

/* Where Byzantine nodes sit (docs/byzantine.md). */
typedef enum ec_placement {
	EC_PLACE_RANDOM = 0, /* uniformly among the nodes */
	EC_PLACE_TARGET,     /* the nodes nearest a target token: a Sybil
	                        cluster ground around it */
	EC_PLACE_CLUSTER     /* runs of `cluster` ring neighbours at random
	                        places */
} ec_placement;

/* Byzantine nodes (ec/adversary.h; a protocol with adversary calls).  A
 * run has them when count or fraction is above 0. */
typedef struct ec_byzantine_config {
	double fraction;       /* share of the nodes (rounded) ... */
	uint32_t count;        /* ... or exactly this many, when above 0 */
	uint32_t behaviours;   /* ec_behaviour bits (0: none given) */
	ec_placement placement;
	uint32_t cluster;      /* EC_PLACE_CLUSTER: nodes per run (K) */
	uint64_t target;       /* EC_PLACE_TARGET: the target token's ring
	                          position; 0: the run's first initial token */
	uint64_t start;        /* the round from which they lie (honest before) */
	double share;          /* random and cluster placement: share of the
	                          tokens that are targets (withhold, censor,
	                          camouflage); target placement: its token */
	uint64_t delay;        /* rounds a delaying node holds what it sends */
	uint64_t censor_after; /* an honest block not committed at its
	                          submitter within this many rounds counts as
	                          censored */
	double cheat_keep;     /* storage-cheat: the share of its token
	                          mappings a liar keeps (0.5) */
} ec_byzantine_config;

typedef struct ec_sim_config {
	uint32_t nodes;
	uint64_t rounds;
	uint8_t seed[EC_RNG_SEED_BYTES];
	double delay;             /* share of the queue delayed each round */
	double loss;              /* share of the delivered part that is lost */
	ec_topology topology;
	uint64_t initial_tokens;  /* in the whole network (seed-protocol.md §0.2) */
	uint64_t tokens_per_node; /* if > 0: initial_tokens = tokens_per_node * nodes */
	uint64_t tx_rate;         /* tokens offered per round; 0 = every free token
	                             every round (the reference) */
	double tx_per_node;       /* if > 0: tx_rate = tx_per_node * nodes (rounded,
	                             at least 1), the same load per node at any N */
	uint64_t warmup;          /* rounds excluded from the statistics */
	uint64_t drain;           /* last rounds in which no block is created, so
	                             that what is still open at the end is stuck,
	                             not merely young */
	uint32_t threads;         /* worker threads (0 or 1: the caller only); the
	                             results are identical for any number */
	bool verify_every_node;   /* ec: every node re-runs the checks that are
	                             pure functions of a block body (canonical
	                             form, id hash, signatures) instead of sharing
	                             one verdict per body (ec_ctx.memo); the
	                             results are identical, only the work differs */
	bool tick_every_round;    /* every node that is not idle ticks every round,
	                             instead of sleeping until the protocol's
	                             wake_at; the results are identical */
	uint64_t max_queue;       /* a run whose queue passes this fails with EC_EFULL
	                             instead of exhausting memory; 0 = no limit */
	uint64_t block_min, block_max; /* max <= protocol->max_block_tokens */
	double conflict_rate;     /* share of blocks whose owner also signs a
	                             conflicting twin (same tokens and parents) */
	/* ec protocol wallets: the signature scheme blocks are signed and
	 * checked with (NULL: keyed-hash); every part is verified by its voters
	 * either way */
	const struct ec_sig_scheme *signatures;
	double forge_rate;        /* per honest block, the chance that an attacker
	                             also injects a forged, wrongly-keyed or
	                             replayed block (in turn) */
	double destroy_rate;      /* share of transfers that destroy the token;
	                             a fresh token is created in its place */
	uint32_t witness_tokens;  /* transient witness tokens per block: created
	                             with the block, destroyed by it
	                             (performance_analysis.md §11.9.8.1) */
	uint32_t identity_bits;   /* > 0: every node mines an Argon2id identity
	                             (ec/identity.h, simulation cost: 64 KiB, 1
	                             pass) with this many trailing zero bits, its
	                             ring position is its address, and peers
	                             check each other's at set-up (bounded-degree
	                             topologies only) */
	double bad_identity_rate; /* share of nodes that claim an address they
	                             did not mine: their peers refuse them */
	uint32_t neighbourhood;   /* w for the "every neighbourhood member"
	                             latency: w below and w+1 at or above each
	                             role key in the global ring (0: 4) */
	/* Open networks (docs/open-network.md): a run is open when it starts
	 * with fewer than `nodes` nodes or has churn.  It needs a protocol
	 * with open-network calls (ec_protocol.open) and a bounded-degree
	 * topology; every node has an Argon2id identity (identity_bits, 0
	 * allowed) and maintains its own peers.  A static run ignores these. */
	uint32_t start_nodes;     /* nodes the run starts with, seeded with the
	                             topology drawn over them (0: all `nodes`) */
	uint32_t join_rate;       /* new nodes per round until `nodes` have
	                             joined (the default sets 20) */
	uint32_t bootstrap_peers; /* random live nodes a joining or returning
	                             node gets as contacts (the default sets 4) */
	double churn;             /* per 100 rounds, the share of live nodes that
	                             depart (crash or leave); each one that does
	                             not come back is replaced by a new node */
	uint64_t rejoin_after;    /* a crashed node comes back this many rounds
	                             later with its state (0: never) */
	double leave_graceful;    /* share of departures that say goodbye first
	                             (leave); those never come back */
	double lazy_storage;      /* share of the nodes that join (not those the
	                             run starts with) that keep no token
	                             mappings: freeloaders, for storage audits
	                             (the ec protocol's --audit) to evict; the
	                             ground truth leaves them out */
	ec_byzantine_config byzantine; /* none by default */
	ec_safety_check safety_check; /* the safety check; it draws nothing, so
	                             a run without a violation is the same with
	                             it on or off */
	const ec_protocol *protocol;
	const void *protocol_config; /* e.g. ec_seed_config; may be NULL */
	ec_sim_hooks hooks;
} ec_sim_config;

/* Whether cfg describes an open network (start_nodes below nodes, or churn). */
bool ec_sim_config_open(const ec_sim_config *cfg);

/* The published configuration (seed-protocol.md §4.1), published seed included. */
void ec_sim_config_default(ec_sim_config *cfg);

/* The published run's seed bytes. */
extern const uint8_t ec_published_seed[EC_RNG_SEED_BYTES];

/* Returns NULL if cfg is usable, else a static message naming the problem
 * (ec_sim_new refuses such a configuration with EC_EINVAL). */
const char *ec_sim_config_check(const ec_sim_config *cfg);

/* Estimates the peak memory (resident bytes) of building and running cfg,
 * so that a caller can refuse a run the machine cannot hold before
 * ec_sim_new starts on it.  Counts the process and per-thread baseline, the
 * node states (protocol->node_size) and the simulator's per-node arrays, a
 * dense topology's adjacency bitmap (nodes^2 / 8 bytes) or a bounded one's
 * peer lists (8 bytes per peer), the tokens, and a rough per-node allowance
 * for stores and the message queue.  Rough: within about a factor of 2 of
 * the measured peak for ordinary runs; a protocol that floods the network
 * (the seed protocol on bounded-degree graphs) can fill the queue up to
 * cfg->max_queue messages, about 200 bytes each, beyond it.  Reads nothing
 * of the machine; arithmetic saturates at UINT64_MAX.
 * Returns: EC_OK; EC_EINVAL if cfg or bytes is NULL or cfg fails
 *          ec_sim_config_check (*bytes is then left alone).
 * Out:     bytes: the estimate.
 * In:      cfg: the configuration (borrowed for the call). */
EC_WUR ec_err ec_sim_estimate(const ec_sim_config *cfg, uint64_t *bytes);

typedef struct ec_latency_stats {
	uint64_t count;
	double mean;
	uint64_t p50, p95, p99, max;
} ec_latency_stats;

/* Outcomes of conflict families (a block and its conflicting twin), judged
 * network-wide: which of the two committed at any node by the end. */
typedef struct ec_conflict_stats {
	uint64_t families;
	uint64_t highest_wins;  /* only the higher block id committed anywhere */
	uint64_t lower_wins;    /* only the lower one: "wrong block committed" */
	uint64_t both;          /* both committed somewhere: a double spend */
	uint64_t stalled;       /* neither committed */
} ec_conflict_stats;

/* The figures of an open network (docs/open-network.md, "Simulator"); all
 * zero in a static run.  A node's window is exact when its w nearest
 * admitted peers below it and its w nearest above (ec_open_ops.status)
 * are the w nearest live nodes below and above it (w: the protocol's
 * neighbourhood). */
typedef struct ec_open_result {
	bool open;                 /* the run was open: the rest is meaningful */
	uint64_t start_nodes;
	uint64_t slots;            /* nodes that ever exist: nodes plus the new
	                              ones that replace departures */
	uint64_t nodes_live_end;   /* joined and not down, at the end */
	uint64_t joins, crashes, leaves, rejoins; /* events so far (set-up excluded) */
	uint64_t dropped;          /* logical messages to a node that was down or
	                              not joined yet, dropped (measured rounds) */
	/* per new node: rounds from the start of the round it joined in to the
	 * end of the first round after which it was ready with an exact window
	 * (1: at once); a node that departs first is not counted */
	ec_latency_stats join_rounds;
	uint64_t join_unfinished;  /* new nodes live at the end and not there yet */
	ec_latency_stats rejoin_rounds; /* the same for returning nodes */
	uint64_t rejoin_unfinished;
	/* per departure: rounds from the start of its round to the end of the
	 * first round after which every node whose true window held it (the w
	 * live nodes below and the w above at that time) that is still live has
	 * an exact window */
	ec_latency_stats recovery_rounds;
	uint64_t recovery_unfinished; /* departures not recovered from at the end */
	bool has_view;             /* a round was checked */
	double view_exact_fraction;       /* live nodes with an exact window, at the end */
	bool has_view_ready;              /* some live node was ready at the end */
	double view_exact_fraction_ready; /* the same among the live ready nodes */
	bool has_view_min;                /* a measured round was checked */
	double view_exact_min;     /* the lowest view_exact_fraction of a measured round */
	uint64_t degree_live_min, degree_live_max; /* at the end, per live node: */
	double degree_live_mean;   /* its admitted peers that are live */
	uint64_t live_node_rounds; /* live nodes summed over measured rounds */
	uint64_t lifecycle_messages; /* delivered logical messages of peer
	                                management (ec_msg_ops.lifecycle_counter;
	                                measured rounds) */
	bool has_peer_messages;    /* the protocol counts them, and nodes lived */
	double peer_messages_per_node_per_round; /* lifecycle_messages / live_node_rounds */
	/* EC_EV_VOTE_CAST on a token (the witness role excluded), and of those
	 * the stale ones: the voter's mapping of the token (time T) is older
	 * than the block of the token's last move that had committed at its
	 * submitter by the round the voter last came up (joined or returned),
	 * or it had no mapping though such a move exists */
	uint64_t token_votes, stale_votes;
	/* storage audits (the ec protocol's --audit): audits that ended, of
	 * them failed (wrong or missing mappings) and unanswered; evictions of
	 * honest nodes (false alarms) and of freeloaders (lazy_storage) */
	uint64_t audits, audit_fail, audit_unanswered, evict_honest, evict_lazy;
	uint64_t lazy_nodes;       /* freeloaders that joined */
	/* per freeloader that became ready: rounds from its join to its first
	 * eviction by a neighbour (still live and not evicted: unfinished) */
	ec_latency_stats lazy_evict_rounds;
	uint64_t lazy_evict_unfinished;
	/* at the end: live freeloaders, and the honest live nodes that still
	 * hold one as a peer, on average */
	uint64_t lazy_live_end;
	double lazy_held_mean;
} ec_open_result;
/* What the safety check (ec_sim_config.safety_check) found. */
typedef struct ec_safety_result {
	bool checked;          /* the check ran (EC_SAFETY_ON, or by default
	                          under exact views) */
	bool violated;         /* two conflicting blocks committed: the run
	                          stopped at the end of `round` */
	uint64_t round;        /* the round in which the second of them first
	                          committed, counted from 0 as the hooks count
	                          (a run of round + 1 rounds reproduces it) */
	ec_block_id block_a;   /* the block committed first (in the same round:
	                          the lower id) */
	ec_block_id block_b;   /* the block that conflicts with it */
	ec_token_id token;     /* a token both spend ... */
	ec_block_id parent;    /* ... from this parent (0: the token's first
	                          spend) */
} ec_safety_result;

/* What Byzantine nodes did (docs/byzantine.md); all zero without them.
 * Honest nodes are the others; honest blocks are those outside conflict
 * families and attacks, submitted (always) at honest nodes. */
typedef struct ec_byz_result {
	bool on;
	uint32_t nodes;             /* Byzantine nodes */
	uint32_t behaviours;        /* ec_behaviour bits */
	/* double_spends: (token, parent) pairs that honest nodes committed
	 * under two blocks; invalid_commits: attack blocks (forged, wrongly
	 * keyed, replayed) that an honest node committed */
	uint64_t double_spends, invalid_commits;
	uint64_t safety_violations;  /* their sum */
	uint64_t first_violation_round; /* UINT64_MAX: none */
	/* honest blocks created in the measured rounds at least censor_after
	 * rounds before the end; of them, those committed at their submitter
	 * within censor_after rounds; the others are censored */
	uint64_t honest_blocks, honest_committed, censored_blocks;
	double honest_committed_fraction; /* 1 when there were none */
	/* votes in the certificates of blocks committed at their submitters
	 * (measured rounds), and of those cast by Byzantine nodes */
	uint64_t votes_counted, votes_byzantine;
	double byzantine_vote_share;
	/* honest nodes' peer slots, and of those held by Byzantine nodes (at
	 * the end; a static network's are those of set-up) */
	uint64_t peer_slots, peer_slots_byzantine;
	double byzantine_peer_share;
	uint64_t honest_isolated;   /* honest nodes whose window (w nearest
	                               peers on each side) is all Byzantine */
	uint64_t honest_eclipsed;   /* ... whose window is mostly Byzantine */
	double attack_cost_attempts; /* target placement: the expected Argon2id
	                               evaluations to grind its identities */
	uint64_t target_families;   /* target placement: the attacker's double
	                               spends of its token (conflict families)
	                               made in the measured rounds */
	/* ECP_DEF_CONVICT: convictions by honest nodes (one per convicting
	 * node and voter), the Byzantine nodes some honest node convicted,
	 * the honest nodes some honest node convicted (a false conviction:
	 * it must stay 0), and the round of the first conviction */
	uint64_t convictions;
	uint32_t convicted, convicted_honest;
	uint64_t first_conviction_round; /* UINT64_MAX: none */
	/* ECP_DEF_AGREE (agreement scoring, no proof): strikings by honest
	 * nodes, and the Byzantine and honest nodes some honest node struck */
	uint64_t scorings;
	uint32_t scored_out, scored_out_honest;
} ec_byz_result;

typedef struct ec_sim_result {
	uint64_t rounds;          /* rounds measured: configured rounds minus warm-up
	                             (after a safety violation: rounds run minus it) */
	uint64_t warmup;
	uint64_t rounds_run;      /* rounds simulated (fewer after a stall) */
	uint64_t messages;        /* logical messages delivered, including referrals */
	uint64_t messages_all;    /* the same in every round, warm-up included: the
	                             simulator's work, for speed figures */
	uint64_t envelopes;       /* wire envelopes delivered (= messages for seed) */
	const ec_protocol *protocol; /* the protocol that ran */
	uint64_t msg_counters[EC_MSG_COUNTERS]; /* its counts of the delivered
	                             messages (ec_msg_ops.count; its stats name them) */
	uint64_t lost;
	uint64_t by_type[EC_MSG_TYPE_MAX + 1]; /* delivered to an existing receiver */
	uint64_t committed;       /* blocks seen committed at their injection node */
	uint64_t committed_tokens;
	uint64_t created;         /* blocks created in the measured window */
	uint64_t uncommitted;     /* of those, still not committed at the end */
	uint64_t bytes;           /* delivered bytes (the protocol's ec_msg_ops.wire_size) */
	uint64_t degree_min, degree_max; /* trusted peers right after set-up */
	double degree_avg;
	uint64_t peers_min, peers_max;
	double peers_avg;
	ec_latency_stats latency;
	/* creation to commit at every member of the block's token
	 * neighbourhoods (global ring windows, the nodes that hold its tokens);
	 * only blocks where all of them committed */
	ec_latency_stats latency_all;
	uint64_t nodes_committed;  /* node-level commits of measured blocks */
	uint64_t plain_created, plain_committed; /* blocks outside conflict families */
	ec_conflict_stats conflicts;
	bool stalled;
	uint64_t stall_round;
	uint64_t events[EC_EV_COUNT];   /* node events by kind, summed over nodes */
	uint64_t rejects[16];           /* EC_EV_REJECT by ec_verdict, over nodes */
	uint64_t forged_injected;       /* attack blocks submitted (forge_rate) */
	uint64_t forged_by_kind[4];     /* bad signature, wrong key, replay,
	                                   resurrection of a destroyed token */
	uint64_t forged_committed;      /* of those, committed at any node */
	uint64_t destroyed;             /* tokens destroyed by committed blocks */
	uint64_t witness_parts;         /* witness tokens in created blocks */
	uint64_t identity_attempts;     /* Argon2id evaluations spent mining */
	uint64_t identity_bad_nodes;    /* nodes with a claim that does not verify */
	uint64_t identity_refused;      /* peer links refused for a bad identity */
	uint64_t negative_commits;      /* node commits decided by a balance <= -3 */
	ec_open_result open;            /* open networks only */
	ec_safety_result safety;        /* the safety check's finding */
	ec_byz_result byz;              /* Byzantine nodes */
} ec_sim_result;

typedef struct ec_sim ec_sim;

/* Builds the network (topology draw and peer lists included).  The
 * configuration is copied; cfg->protocol_config and cfg->signatures are
 * borrowed for the simulator's lifetime, cfg->hooks.user too.  Out: *out,
 * released with ec_sim_free (NULL on error).  Errors: EC_EINVAL (a
 * configuration ec_sim_config_check refuses, or two nodes drew one id),
 * EC_ENOMEM, and the protocol's node_init and set_peers errors. */
EC_WUR ec_err ec_sim_new(const ec_sim_config *cfg, ec_sim **out);
/* Releases everything the simulator owns; accepts NULL. */
void ec_sim_free(ec_sim *sim);

/* Runs one round.  Out: *more is false once the run is over (all rounds
 * run, the network fell silent, or the safety check found a violation:
 * ec_sim_result.safety; not an error).  Errors: EC_ENOMEM; EC_EFULL (more
 * than cfg.max_queue messages in flight, or a round of 2^32 deliveries);
 * the protocol's submit, handle and tick errors.  After an error the
 * simulator may only be read (ec_sim_result_get) and freed. */
EC_WUR ec_err ec_sim_step(ec_sim *sim, bool *more);
/* Runs the remaining rounds.  Errors: as ec_sim_step. */
EC_WUR ec_err ec_sim_run(ec_sim *sim);

/* Fills *res with the figures so far (latencies computed on demand).
 * Errors: EC_ENOMEM (*res is then partly filled). */
EC_WUR ec_err ec_sim_result_get(const ec_sim *sim, ec_sim_result *res);

/* Writes what the safety check found, for a person: the round, and for
 * each of the two blocks its id, creation round, the tokens it spends and
 * their parents, how many (live) nodes committed it and the first of them
 * with their rounds.  Writes nothing when the check found nothing.
 * Returns 0, or -1 if a write failed. */
int ec_sim_safety_report(FILE *out, const ec_sim *sim);

uint64_t ec_sim_round(const ec_sim *sim);     /* next round to run */
uint32_t ec_sim_nodes_live(const ec_sim *sim); /* joined and not down (open
                                                 networks); static: nodes */
size_t ec_sim_queue_len(const ec_sim *sim);   /* messages in flight */
/* Set-up inspection, by generation index k < nodes. */
ec_peer_id ec_sim_peer_id(const ec_sim *sim, uint32_t k);
size_t ec_sim_degree(const ec_sim *sim, uint32_t k);
/* Initial token ids (generation order). */
size_t ec_sim_token_count(const ec_sim *sim);
ec_token_id ec_sim_initial_token(const ec_sim *sim, size_t i);

#endif
