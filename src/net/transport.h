/* SPDX-License-Identifier: MIT */
/*
 * ecnet: ecnode's encrypted UDP transport, as a sans-I/O engine
 * (docs/transport.md has the packet formats byte by byte and the reasons).
 *
 * The engine owns no socket, reads no clock and draws no randomness of its
 * own.  The driver (the daemon, a test, a fuzzer) feeds it the datagrams it
 * received (ecn_recv), the payloads to send (ecn_send), the passing of time
 * (ecn_tick; every call takes now_ms, a monotonic clock in milliseconds),
 * and drains the datagrams it wants sent (ecn_pull / ecn_pull_ptr).
 * Randomness comes from a callback given at creation.  It never exits,
 * aborts or prints; every failure is a value, and every dropped packet is
 * counted by reason in ecn_net_stats.
 *
 * Cryptography, in one paragraph.  Each node has an Ed25519 key pair and
 * an Argon2id identity claim (ec/identity.h) that fixes its ring position.
 * Its X25519 key is derived from the Ed25519 one, so the transport key is
 * bound to the identity.  Two nodes share the static key
 *     K = BLAKE3-derive_key("ecRust-udp-v1 2026-12 peer key",
 *                           X25519(own sk, peer pk) || network_id ||
 *                           min(pk_a, pk_b) || max(pk_a, pk_b))
 * (the pks are the Ed25519 ones), computed once per peer and cached.  DATA
 * and IAM are XChaCha20-Poly1305 under K with the 57-byte cleartext header
 * as associated data, and a nonce epoch || boot_rand || counter that never
 * repeats.  There is no handshake before data: a peer whose key is known
 * gets DATA at once.  A key is learned from a WHOIS/IAM exchange that
 * carries the identity claims; claims cost an Argon2id evaluation to check,
 * which is budgeted.  There is no forward secrecy and the sender's public
 * key is visible on the wire (docs/transport.md says why that is accepted).
 *
 * Ownership: an engine is the caller's (ecn_new / ecn_destroy).  Inputs
 * are borrowed for the call.  Pointers the engine returns (a delivered
 * payload, a datagram from ecn_pull_ptr) stay valid until the next call on
 * the same engine.  Not thread-safe: one thread per engine at a time.
 *
 * Costs on the machine of docs/transport.md (bench/bench_transport.c):
 * opening a DATA is one hash lookup plus the AEAD (about 0.7 us for 60
 * bytes, 1.7 us for 1,200; sealing the same); learning a new key costs an
 * X25519 with the Ed25519 -> X25519 conversion (about 90 us) plus an
 * Argon2id evaluation (about 5 ms at the production parameters).
 */
#ifndef ECN_TRANSPORT_H
#define ECN_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/ctx.h"
#include "ec/err.h"
#include "ec/identity.h"
#include "ec/protocol.h"

/* ---- wire constants (docs/transport.md) ---- */

#define ECN_VERSION 1u /* the high nibble of every packet's first byte */
#define ECN_TYPE_DATA 1u
#define ECN_TYPE_WHOIS 2u
#define ECN_TYPE_IAM 3u
#define ECN_TYPE_COOKIE 4u
#define ECN_TYPE_COUNT 5u /* statistics index 0 counts packets of no known type */

#define ECN_PK_LEN 32u          /* Ed25519 public key */
#define ECN_SK_LEN 64u          /* Ed25519 secret key, libsodium layout (seed || pk) */
#define ECN_NETWORK_ID_LEN 32u
#define ECN_KEY_LEN 32u         /* the per-peer key K */
#define ECN_NONCE_LEN 24u
#define ECN_TAG_LEN 16u
#define ECN_CHALLENGE_LEN 16u
#define ECN_COOKIE_LEN 16u
#define ECN_HDR_LEN (1u + ECN_PK_LEN + ECN_NONCE_LEN) /* 57: ver_type, sender pk, nonce */

/* The largest payload ecn_send takes.  The daemon packs envelopes up to an
 * MTU of its choice; one larger than that goes alone, up to this. */
#define ECN_MAX_PAYLOAD 65000u
/* DATA: header, AEAD(flags || [echo] || [challenge] || payload), tag. */
#define ECN_DATA_MIN_LEN (ECN_HDR_LEN + 1u + ECN_TAG_LEN) /* 74: empty payload */
#define ECN_DATA_MAX_LEN (ECN_DATA_MIN_LEN + 2u * ECN_CHALLENGE_LEN + ECN_MAX_PAYLOAD)
/* IAM: header, AEAD(salt || address || echo || challenge), tag. */
#define ECN_IAM_LEN (ECN_HDR_LEN + 2u * 32u + 2u * ECN_CHALLENGE_LEN + ECN_TAG_LEN) /* 169 */
/* WHOIS: ver_type, pk, salt, address, challenge, cookie, padding, net_mac:
 * as long as the IAM it asks for, so that answering amplifies nothing. */
#define ECN_WHOIS_LEN ECN_IAM_LEN
/* COOKIE: ver_type, echoed challenge, cookie. */
#define ECN_COOKIE_PKT_LEN (1u + ECN_CHALLENGE_LEN + ECN_COOKIE_LEN) /* 33 */

/* ---- verdicts and statistics ---- */

/* What became of a received datagram (ecn_recv) or of a payload to send
 * (ecn_send; payloads held for a WHOIS answer are counted again when they
 * are finally sent or dropped).  Every verdict is counted in
 * ecn_net_stats.verdicts.  Values from ECN_DROP_SHORT on are drops. */
typedef enum ecn_verdict {
	ECN_DELIVERED = 0, /* an authenticated DATA: see ecn_delivery */
	ECN_CONTROL,       /* a WHOIS, IAM or COOKIE handled; replies may wait in the outbox */
	ECN_SENT,          /* a DATA was sealed into the outbox */
	ECN_QUEUED,        /* the peer's key is unknown: held until its IAM arrives */
	/* incoming, before authentication */
	ECN_DROP_SHORT,          /* shorter than its type's layout */
	ECN_DROP_BAD_VERSION,    /* first byte's high nibble is not ECN_VERSION */
	ECN_DROP_BAD_TYPE,       /* unknown type nibble */
	ECN_DROP_BAD_LENGTH,     /* a fixed-size packet (WHOIS, IAM, COOKIE) of another size */
	ECN_DROP_OVERSIZE,       /* longer than ECN_DATA_MAX_LEN; or a payload over ECN_MAX_PAYLOAD */
	ECN_DROP_WRONG_NETWORK,  /* a WHOIS whose network MAC is not ours */
	ECN_DROP_UNKNOWN_SENDER, /* a DATA from a key we do not know (a WHOIS may follow) */
	ECN_DROP_STALE_EPOCH,    /* the sender's epoch is older than one we accepted */
	ECN_DROP_REPLAY,         /* counter already seen, or too old for the window */
	ECN_DROP_UNSOLICITED,    /* an IAM or COOKIE we did not ask for (or not echoing our challenge) */
	ECN_DROP_BUDGET,         /* claim check refused: budget spent (a COOKIE was sent if allowed) */
	ECN_DROP_BAD_COOKIE,     /* over budget and the WHOIS's cookie is forged or expired */
	ECN_DROP_SMALL_ORDER,    /* the peer's key gives no shared secret (small order, not a point) */
	ECN_DROP_BAD_MAC,        /* authentication failed */
	/* incoming, after authentication (or a verified claim) */
	ECN_DROP_BAD_HEADER,     /* malformed inside (unknown flags, short, padding not zero) */
	ECN_DROP_BAD_CLAIM,      /* the identity claim does not verify (or is our own key) */
	ECN_DROP_POS_MISMATCH,   /* a held payload: the IAM's position is not the one asked for */
	/* outgoing */
	ECN_DROP_AMP_LIMITED,    /* would exceed 3x the bytes received from an unvalidated address */
	ECN_DROP_QUEUE_FULL,     /* held payloads over their bounds (oldest dropped), or no room to ask */
	ECN_DROP_OUTBOX_FULL,    /* the outbox holds ecn_config.outbox_bytes already */
	ECN_DROP_UNREACHABLE,    /* a held payload whose WHOIS got no answer; or no address known */
	ECN_DROP_NONCE_EXHAUSTED,/* no unused nonce left for this peer in this epoch */
	ECN_DROP_NOMEM,          /* an allocation failed; the engine is still consistent */
	ECN_DROP_BAD_ARG,        /* a NULL pointer, or an empty or overlong address */
	ECN_VERDICT_COUNT
} ecn_verdict;

/* Returns a static snake_case name for v ("delivered", "bad_mac",
 * "amp_limited", ...; "unknown" outside the enum), for logs and metric
 * labels.  Never NULL. */
const char *ecn_reason_str(ecn_verdict v);

/* Returns a static name for a type index of ecn_net_stats ("other", "data",
 * "whois", "iam", "cookie"; "unknown" beyond).  Never NULL. */
const char *ecn_type_str(unsigned type);

/* Whether v is a drop. */
static inline bool
ecn_verdict_is_drop(ecn_verdict v)
{
	return v >= ECN_DROP_SHORT;
}

/* Counters, monotonic over the engine's life.  Indexed by verdict and by
 * packet type (ECN_TYPE_*, 0 for packets of no known version and type). */
typedef struct ecn_net_stats {
	uint64_t verdicts[ECN_VERDICT_COUNT];
	uint64_t pkts_in[ECN_TYPE_COUNT], bytes_in[ECN_TYPE_COUNT];
	uint64_t pkts_out[ECN_TYPE_COUNT], bytes_out[ECN_TYPE_COUNT];
	uint64_t dh;               /* X25519 evaluations (keys derived) */
	uint64_t claims_checked;   /* Argon2id evaluations (ec_identity_verify) */
	uint64_t cookies_sent;
	uint64_t whois_sent;       /* first tries and retries */
	uint64_t whois_gave_up;    /* addresses that never answered */
	uint64_t paths_validated;  /* addresses proven to receive what we send */
	uint64_t peers_evicted;    /* least recently heard peers dropped for room */
	uint64_t paths_evicted;
} ecn_net_stats;

/* ---- configuration ---- */

/* Fills out with len random bytes.  Called at creation (boot_rand, table
 * keys, cookie secrets), when a new address is first used (its challenge)
 * and every 120 s (the cookie secret).  Must not fail: a driver whose
 * source can fail retries or aborts itself. */
typedef void (*ecn_rng_fn)(void *user, uint8_t *out, size_t len);

typedef struct ecn_config {
	/* identity */
	const uint8_t *secret_key;     /* ECN_SK_LEN bytes; read by ecn_new only */
	ec_identity_claim claim;       /* ours: claim.public_key = secret_key[32..63] */
	ec_identity_params params;     /* the network's identity rules */
	uint8_t network_id[ECN_NETWORK_ID_LEN];
	/* >= 1; strictly greater than every epoch this key used before (the
	 * daemon persists max(stored + 1, unix seconds), synced, before its
	 * first send).  Reusing an epoch is not a nonce reuse (boot_rand
	 * differs) but peers drop our packets as replays until the counters
	 * pass the old ones. */
	uint64_t epoch;
	ecn_rng_fn rng;
	void *rng_user;
	ec_realloc_fn realloc_fn;      /* NULL: the C library's */
	void *alloc_user;
	/* bounds (ecn_config_init sets the defaults in brackets) */
	uint32_t max_peers;            /* peers with a known key [4096]; least recently heard evicted */
	uint32_t max_pending;          /* addresses being asked WHOIS at once [256] */
	uint32_t spare_paths;          /* addresses remembered beyond peers and pending [1024] */
	uint32_t queue_per_peer;       /* payloads held per asked address [64] */
	size_t queue_bytes;            /* payload bytes held in all [4 MiB] */
	size_t outbox_bytes;           /* datagram bytes waiting for ecn_pull [16 MiB] */
	/* the unknown-sender budget: claim checks (X25519 + Argon2id) per second */
	uint32_t verify_rate, verify_burst;   /* all sources [50/s, 20] */
	uint32_t prefix_rate, prefix_burst;   /* per /24 or /64 [10/s, 5] */
	uint32_t cookie_rate, cookie_burst;   /* hard cap for WHOIS with a valid cookie [50/s, 20] */
	/* WHOIS retries: tries in all, first retry after whois_rto_ms, doubling */
	uint32_t whois_tries;          /* [5] */
	uint32_t whois_rto_ms;         /* [500] */
} ecn_config;

/* Sets every field of c to its default (zero for identity, keys,
 * callbacks and epoch, which the caller must fill). */
void ecn_config_init(ecn_config *c);

typedef struct ecn ecn;

/* Creates an engine.  Checks the configuration: secret_key's public half
 * equals claim.public_key, the claim verifies under params (one Argon2id
 * evaluation), epoch >= 1, rng set, bounds nonzero and max_peers,
 * max_pending, spare_paths at most 2^24.
 * Returns: EC_OK with *out set; EC_EINVAL for a bad configuration or a
 *          NULL pointer; EC_ENOMEM.  *out is NULL on error.
 * In:      cfg: borrowed (secret_key included: the engine keeps only the
 *          derived X25519 key).
 * Cost:    one Argon2id evaluation, the tables (about 600 bytes per
 *          max_peers, 200 per path) and a 64 KiB scratch buffer. */
EC_WUR ec_err ecn_new(const ecn_config *cfg, ecn **out);

/* Frees t and everything it holds (held payloads, the outbox), wiping key
 * material.  Accepts NULL. */
void ecn_destroy(ecn *t);

/* ---- the datagram path ---- */

/* A delivered payload.  Pointers are valid until the next call on the
 * engine. */
typedef struct ecn_delivery {
	uint8_t pk[ECN_PK_LEN];   /* the sender, authenticated */
	uint64_t pos;             /* its ring position (from its verified claim) */
	ec_addr from;             /* the datagram's source, now the peer's address */
	const uint8_t *payload;   /* what the sender passed to ecn_send */
	size_t len;
} ecn_delivery;

/* Handles one received datagram.
 * Returns: the verdict: ECN_DELIVERED (then *out is filled), ECN_CONTROL,
 *          or a drop; never ECN_SENT / ECN_QUEUED.  ECN_DROP_BAD_ARG when t,
 *          from or out is NULL, pkt is NULL with len > 0, or from is empty
 *          or longer than EC_ADDR_MAX.  Every verdict is counted (except
 *          with t NULL).  *out is zeroed unless delivered.
 * In:      now_ms: monotonic milliseconds (a smaller value than before is
 *          taken as no time passing); from: the source address (opaque
 *          bytes to the engine, usually ecn_addr_from_sockaddr's); pkt: len
 *          bytes.  All borrowed.
 * Cost:    DATA from a known peer: a hash lookup, the replay window and the
 *          AEAD over len bytes; from an unknown key: a lookup (and maybe a
 *          WHOIS queued).  WHOIS: a keyed BLAKE2b (network MAC); for a key
 *          not yet known, within budget, an X25519 and an Argon2id
 *          evaluation, then an IAM sealed.  IAM: only for an address we
 *          asked; the AEAD, and for a new key an X25519 and an Argon2id
 *          evaluation; may seal the payloads held for that address. */
ecn_verdict ecn_recv(ecn *t, uint64_t now_ms, const ec_addr *from, const uint8_t *pkt,
                     size_t len, ecn_delivery *out);

/* Sends payload to the node at ring position to_pos (0: unknown, e.g. a
 * bootstrap contact) reachable at to_addr.  The peer is looked up by
 * to_pos when it is nonzero, else by to_addr.  A known peer gets a DATA at
 * the address it last sent an authenticated packet from (to_addr when it
 * never did).  An unknown one gets a WHOIS at to_addr (retried with
 * back-off, ecn_tick) and the payload is held (bounded; the oldest held
 * payload is dropped when full) until its IAM arrives; an IAM whose claim
 * gives another position than to_pos drops the payload (pos_mismatch).
 * to_addr may be NULL or empty when to_pos is not 0: the peer's own
 * address is used, and without one the payload is dropped (unreachable).
 * Returns: EC_OK with *verdict ECN_SENT, ECN_QUEUED or a drop
 *          (amp_limited, queue_full, outbox_full, unreachable); EC_EINVAL
 *          for a NULL t, no to_addr with to_pos 0, an overlong to_addr,
 *          payload NULL with len > 0, or len > ECN_MAX_PAYLOAD (counted as
 *          oversize);
 *          EC_ENOMEM; EC_ERANGE when this peer's nonces are exhausted for
 *          this epoch (restart with a new epoch).  With an error the
 *          payload is dropped and counted; the engine stays usable.
 * In:      payload: len bytes, copied.
 * Out:     verdict: may be NULL.
 * Cost:    known peer: one lookup, the AEAD over len bytes and one
 *          allocation; unknown: one allocation (and a WHOIS). */
EC_WUR ec_err ecn_send(ecn *t, uint64_t now_ms, uint64_t to_pos, const ec_addr *to_addr,
                       const uint8_t *payload, size_t len, ecn_verdict *verdict);

/* Asks the node at addr who it is (a WHOIS, retried as for ecn_send),
 * without a payload: bootstrap contacts.  Nothing is sent when a WHOIS to
 * addr is already under way.
 * Returns: EC_OK; EC_EINVAL (NULL, empty or overlong addr); EC_EFULL when
 *          max_pending addresses are being asked already; EC_ENOMEM.
 * Cost:    one WHOIS built (a keyed BLAKE2b). */
EC_WUR ec_err ecn_probe(ecn *t, uint64_t now_ms, const ec_addr *addr);

/* Advances time: WHOIS retries and give-ups (their held payloads are
 * dropped as unreachable) and the cookie secret's rotation.  Call it at or
 * after ecn_next_deadline, or simply often.
 * Cost: O(addresses being asked). */
void ecn_tick(ecn *t, uint64_t now_ms);

/* The earliest now_ms at which ecn_tick has work (a WHOIS retry), or
 * UINT64_MAX when none.  Cost: O(addresses being asked). */
uint64_t ecn_next_deadline(const ecn *t);

/* ---- the outbox ---- */

/* Takes the oldest datagram to send, copying it to buf.
 * Returns: EC_OK with *to and *len set; EC_ENOTFOUND when the outbox is
 *          empty; EC_ERANGE when cap < the datagram's length (*len is then
 *          its length, and the datagram stays queued); EC_EINVAL for a NULL
 *          pointer.
 * Out:     to: destination; buf: cap bytes; len: the datagram's length. */
EC_WUR ec_err ecn_pull(ecn *t, ec_addr *to, uint8_t *buf, size_t cap, size_t *len);

/* As ecn_pull, without a copy: *data points into the engine, valid until
 * the next call on t.
 * Returns: EC_OK; EC_ENOTFOUND when empty; EC_EINVAL for a NULL pointer. */
EC_WUR ec_err ecn_pull_ptr(ecn *t, ec_addr *to, const uint8_t **data, size_t *len);

/* Datagrams waiting in the outbox. */
size_t ecn_outbox_count(const ecn *t);

/* ---- the peer table ---- */

/* Peers whose key and verified claim we know (those heard only through a
 * WHOIS included). */
uint32_t ecn_peer_count(const ecn *t);

/* Looks a peer up by ring position.
 * Returns: EC_OK; EC_ENOTFOUND; EC_EINVAL for a NULL t.
 * Out:     pk: 32 bytes, may be NULL; addr: may be NULL, the address of its
 *          last authenticated packet, zeroed when there was none yet
 *          (*has_addr false); has_addr: may be NULL. */
EC_WUR ec_err ecn_lookup_pos(const ecn *t, uint64_t pos, uint8_t *pk, ec_addr *addr,
                             bool *has_addr);

/* Looks up the peer whose last authenticated packet came from addr.
 * Returns: EC_OK; EC_ENOTFOUND; EC_EINVAL for a NULL t, a NULL, empty or
 *          overlong addr.
 * Out:     pk (32 bytes), pos: may be NULL. */
EC_WUR ec_err ecn_lookup_addr(const ecn *t, const ec_addr *addr, uint8_t *pk, uint64_t *pos);

/* Looks a peer up by public key.
 * Returns: EC_OK; EC_ENOTFOUND; EC_EINVAL for a NULL t or pk.
 * Out:     pos: may be NULL; addr, has_addr: as for ecn_lookup_pos. */
EC_WUR ec_err ecn_lookup_pk(const ecn *t, const uint8_t pk[ECN_PK_LEN], uint64_t *pos,
                            ec_addr *addr, bool *has_addr);

/* Our own ring position and public key (32 bytes, valid as long as t). */
uint64_t ecn_own_pos(const ecn *t);
const uint8_t *ecn_own_pk(const ecn *t);

/* The counters (valid as long as t; updated by every call). */
const ecn_net_stats *ecn_net_stats_get(const ecn *t);

#endif
