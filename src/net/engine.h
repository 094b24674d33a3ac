/* SPDX-License-Identifier: MIT */
/*
 * Internal to ecnet: the engine's state, shared by transport.c (the API,
 * DATA), handshake.c (WHOIS, IAM, COOKIE, the budget) and tables.c (peers,
 * addresses, held payloads, the outbox).  Never API; tests may read it.
 *
 * Tables are arrays of fixed capacity, allocated at creation, indexed by
 * uint32; ECNET__NONE is "no entry".  Lookups go through open-addressing
 * indexes keyed by SipHash-2-4 under a key drawn at creation, so senders
 * cannot aim for collisions.
 */
#ifndef ECN_ENGINE_H
#define ECN_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/packet.h"
#include "net/replay.h"
#include "net/transport.h"

#define ECNET__NONE UINT32_MAX
/* DATA packets that repeat an echo after the peer last sent a challenge. */
#define ECNET__ECHO_REPEAT 16u
/* IAMs from an asked address that may fail (bad MAC, wrong echo, bad
 * claim) per WHOIS sent: bounds the X25519 and Argon2id work a spoofer of
 * that address can cause. */
#define ECNET__IAM_FAILS 4u
#define ECNET__COOKIE_ROTATE_MS 120000u
#define ECNET__PREFIX_SLOTS 4096u

/* An intrusive doubly linked list over table indexes; head = most recent. */
typedef struct ecnet__link {
	uint32_t prev, next;
} ecnet__link;
typedef struct ecnet__list {
	uint32_t head, tail, count;
} ecnet__list;

/* Slots hold hash32 << 32 | (index + 1); 0 is empty.  Linear probing with
 * backward-shift deletion, load at most one half. */
typedef struct ecnet__index {
	uint64_t *slot;
	uint32_t mask;
} ecnet__index;

/* A payload held for an address being asked WHOIS. */
typedef struct ecnet__item {
	struct ecnet__item *next;          /* in its path's queue, oldest first */
	struct ecnet__item *gprev, *gnext; /* in the engine's queue, oldest first */
	uint32_t path;
	uint64_t to_pos;
	size_t len;
	uint8_t data[];
} ecnet__item;

/* A remote address ("path"): its anti-amplification account, its
 * challenge, and a WHOIS under way to it. */
typedef struct ecnet__path {
	ec_addr addr;
	uint32_t hash;
	uint32_t peer;          /* the last peer bound here, or ECNET__NONE */
	uint32_t pins;          /* peers bound here, + 1 while pending; 0: evictable */
	bool used;
	bool validated;         /* an authenticated echo of our challenge came from here */
	bool pending;           /* a WHOIS is under way */
	bool initiated;         /* ... because ecn_send/ecn_probe asked (not amp-limited) */
	bool has_cookie;
	uint8_t challenge[ECN_CHALLENGE_LEN];
	uint8_t cookie[ECN_COOKIE_LEN]; /* the responder's, for our next WHOIS */
	uint64_t cookie_ms;
	uint64_t in, out;       /* bytes received from / sent to it (anti-amplification) */
	uint32_t tries, iam_fails;
	uint64_t next_ms;       /* next WHOIS retry */
	uint32_t pending_slot;  /* index in ecn.pending */
	ecnet__item *q_head, *q_tail;
	uint32_t q_count;
} ecnet__path;

/* A peer: a public key with a verified claim, its key K and its state. */
typedef struct ecnet__peer {
	uint8_t pk[ECN_PK_LEN];
	uint8_t key[ECN_KEY_LEN];
	uint8_t salt[32], address[32]; /* its verified claim */
	uint64_t pos;
	uint32_t hash_pk, hash_pos;
	uint32_t path;          /* where its last authenticated packet came from, or ECNET__NONE */
	bool used;
	bool confirmed;         /* it sent an authenticated packet (else: only a WHOIS) */
	/* receive */
	uint64_t rx_epoch;      /* 0: none accepted yet */
	ecn_replay rx;
	/* send: counter = gen << 32 | seq; gen is engine-wide, so a peer evicted
	 * and learned again never reuses a counter under its key */
	uint32_t tx_gen, tx_seq;
	uint8_t echo[ECN_CHALLENGE_LEN]; /* its challenge, echoed in our next DATA */
	uint32_t echo_left;
} ecnet__peer;

/* What an evicted peer's receive state leaves behind: a direct-mapped
 * table by key hash, so that learning it again does not reopen its old
 * counters to replays. */
typedef struct ecnet__tomb {
	uint64_t tag; /* SipHash of the pk, | 1; 0: empty */
	uint64_t epoch, top;
	bool started;
} ecnet__tomb;

/* A token bucket kept as what was spent, so that a zeroed bucket is full. */
typedef struct ecnet__bucket {
	uint64_t spent;  /* thousandths of a token taken and not yet refilled */
	uint64_t at_ms;  /* when spent was last brought up to date */
} ecnet__bucket;

typedef struct ecnet__dgram {
	ec_addr to;
	uint8_t type;
	uint32_t len;
	uint8_t *buf;
} ecnet__dgram;

struct ecn {
	ecn_config cfg;         /* secret_key cleared */
	uint8_t xsk[32];        /* X25519 secret */
	uint8_t pk[ECN_PK_LEN];
	uint64_t pos;
	uint8_t boot[8];
	uint8_t net_key[32];    /* WHOIS network MAC key */
	uint8_t hash_key[16];   /* SipHash key of the indexes */
	uint32_t gen_next;      /* next sender generation; 0 once exhausted */
	uint64_t now;           /* the latest now_ms seen */

	ecnet__peer *peers;
	ecnet__link *peer_link;
	uint32_t peer_cap, peer_count, peer_free;
	ecnet__list peer_lru[2];  /* [0] WHOIS-only peers, [1] confirmed; evict [0] first */
	ecnet__index by_pk, by_pos;
	ecnet__tomb *tomb;
	uint32_t tomb_mask;

	ecnet__path *paths;
	ecnet__link *path_link;
	uint32_t path_cap, path_count, path_free;
	ecnet__list path_lru;     /* paths with no pins */
	ecnet__index by_addr;
	uint32_t *pending;      /* paths with a WHOIS under way */
	uint32_t n_pending, n_reactive;

	ecnet__item *q_oldest, *q_newest;
	size_t q_bytes;

	ecnet__bucket verify, cookied;
	ecnet__bucket *prefix;    /* ECNET__PREFIX_SLOTS, by keyed hash of the prefix */
	uint8_t cookie_cur[32], cookie_prev[32];
	uint64_t cookie_born;
	bool cookie_started;

	ecnet__dgram *out;
	uint32_t out_cap, out_head, out_count;
	size_t out_bytes;
	uint8_t *held;          /* popped by ecn_pull_ptr; freed by the next call */
	size_t held_len;

	uint8_t *scratch;       /* ECN_DATA_MAX_LEN: opened plaintexts */
	ecn_net_stats stats;
};

/* ---- tables.c ---- */
void *ecnet__alloc(ecn *t, size_t n);
void ecnet__free(ecn *t, void *p, size_t n);
uint32_t ecnet__hash(const ecn *t, const void *data, size_t len);
void ecnet__count(ecn *t, ecn_verdict v);

ec_err ecnet__tables_new(ecn *t);
void ecnet__tables_free(ecn *t);

uint32_t ecnet__peer_find_pk(const ecn *t, const uint8_t pk[ECN_PK_LEN]);
uint32_t ecnet__peer_find_pos(const ecn *t, uint64_t pos);
/* Adds a peer (evicting the least recently heard when full).  Returns the
 * index; ECNET__NONE when no sender generation is left (nonce exhausted). */
uint32_t ecnet__peer_add(ecn *t, const ec_identity_claim *c, uint64_t pos,
                       const uint8_t key[ECN_KEY_LEN], bool confirmed);
void ecnet__peer_set_claim(ecn *t, uint32_t p, const ec_identity_claim *c, uint64_t pos);
/* Marks an authenticated packet from peer p: most recently heard. */
void ecnet__peer_heard(ecn *t, uint32_t p);
void ecnet__peer_bind(ecn *t, uint32_t p, uint32_t path);
/* The next counter for p.  false when exhausted. */
bool ecnet__peer_counter(ecn *t, uint32_t p, uint64_t *ctr);

uint32_t ecnet__path_find(const ecn *t, const ec_addr *a);
/* The path of a, created when absent (evicting the least recently used
 * unpinned one); credit bytes are counted as received from it when it is
 * created (callers credit existing paths themselves).  ECNET__NONE only when
 * every path is pinned, which the capacity rules out. */
uint32_t ecnet__path_get(ecn *t, const ec_addr *a, uint64_t credit);
void ecnet__path_touch(ecn *t, uint32_t path);
void ecnet__path_pin(ecn *t, uint32_t path);
void ecnet__path_unpin(ecn *t, uint32_t path);
/* Whether len more bytes may go to path (validated, or within 3x). */
bool ecnet__amp_ok(const ecn *t, uint32_t path, size_t len);

/* Held payloads. */
ecn_verdict ecnet__queue_add(ecn *t, uint32_t path, uint64_t to_pos, const uint8_t *payload,
                           size_t len);
/* Unlinks and returns the oldest payload held for path (NULL: none); the
 * caller frees it with ecnet__item_free. */
ecnet__item *ecnet__queue_pop(ecn *t, uint32_t path);
void ecnet__item_free(ecn *t, ecnet__item *it);

/* The outbox: takes ownership of buf (len bytes, allocated with
 * ecnet__alloc) whatever happens. */
ecn_verdict ecnet__out_push(ecn *t, uint32_t path, unsigned type, uint8_t *buf, size_t len);
/* Whether len more bytes fit in the outbox. */
bool ecnet__out_room(const ecn *t, size_t len);

/* Receive state: whether (epoch, ctr) may be from peer p (ECN_CONTROL) or
 * is stale / a replay; and recording it once authenticated. */
ecn_verdict ecnet__rx_check(const ecn *t, uint32_t p, uint64_t epoch, uint64_t ctr);
void ecnet__rx_accept(ecn *t, uint32_t p, uint64_t epoch, uint64_t ctr);

/* ---- transport.c ---- */
/* Seals payload for peer p towards path and queues it. */
ecn_verdict ecnet__seal_data(ecn *t, uint32_t p, uint32_t path, const uint8_t *payload, size_t len);
/* An authenticated packet came from path for peer p: flush what was held
 * for it, checking positions. */
void ecnet__pending_resolve(ecn *t, uint32_t path, uint32_t p);

/* ---- handshake.c ---- */
ecn_verdict ecnet__recv_whois(ecn *t, const ec_addr *from, const uint8_t *pkt, size_t len);
ecn_verdict ecnet__recv_iam(ecn *t, const ec_addr *from, const uint8_t *pkt, size_t len);
ecn_verdict ecnet__recv_cookie(ecn *t, const ec_addr *from, const uint8_t *pkt, size_t len);
/* Starts a WHOIS to path (initiated: by ecn_send / ecn_probe).  Returns
 * ECN_CONTROL, or ECN_DROP_QUEUE_FULL when max_pending are under way. */
ecn_verdict ecnet__pending_start(ecn *t, uint32_t path, bool initiated);
/* Ends the WHOIS of path; held payloads must be gone. */
void ecnet__pending_end(ecn *t, uint32_t path);
/* Sends (or re-sends) the WHOIS of pending path. */
void ecnet__whois_send(ecn *t, uint32_t path);
void ecnet__handshake_tick(ecn *t);

#endif
