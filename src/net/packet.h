/* SPDX-License-Identifier: MIT */
/*
 * The pure layer of the transport: one datagram at a time, no state.  Key
 * derivation, nonces, sealing and opening (XChaCha20-Poly1305-IETF, the
 * 57-byte header as associated data), the inner DATA header, and the
 * encodings of WHOIS, IAM and COOKIE.  Layouts: docs/transport.md.
 *
 * The engine (transport.c, handshake.c) is built on these; tests and the
 * fuzz target call them directly to craft packets.  No allocation; every
 * function is thread-safe.
 */
#ifndef ECN_PACKET_H
#define ECN_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/transport.h"

/* BLAKE3 derive-key contexts.  Changing one changes every key: bump the
 * version with the wire format. */
#define ECN_PEER_KEY_CONTEXT "ecRust-udp-v1 2026-12 peer key"
#define ECN_NET_KEY_CONTEXT "ecRust-udp-v1 2026-12 whois network mac"

/* DATA inner header flags (the first plaintext byte). */
#define ECN_FLAG_ECHO 0x01u      /* a 16-byte echo of the receiver's challenge follows */
#define ECN_FLAG_CHALLENGE 0x02u /* a 16-byte challenge follows, to be echoed */
#define ECN_FLAGS_KNOWN (ECN_FLAG_ECHO | ECN_FLAG_CHALLENGE)

/* WHOIS field offsets. */
#define ECN_WHOIS_OFF_PK 1u
#define ECN_WHOIS_OFF_SALT 33u
#define ECN_WHOIS_OFF_ADDRESS 65u
#define ECN_WHOIS_OFF_CHALLENGE 97u
#define ECN_WHOIS_OFF_COOKIE 113u
#define ECN_WHOIS_OFF_PAD 129u
#define ECN_WHOIS_OFF_MAC 153u
#define ECN_IAM_PLAIN_LEN 96u /* salt, address, echo, challenge */

/* The first byte of a packet of type `type`. */
static inline uint8_t
ecn_pkt_vt(unsigned type)
{
	return (uint8_t)(ECN_VERSION << 4 | (type & 15u));
}

/* The per-peer key K (transport.h).  own_xsk is our X25519 secret key (from
 * crypto_sign_ed25519_sk_to_curve25519); the pks are Ed25519.
 * Returns: EC_OK; EC_EINVAL when peer_pk is not a valid Ed25519 point or
 *          the shared secret is all zero (small order): key is then zeroed.
 * Cost:    one point decompression and one X25519 (about 50 us). */
EC_WUR ec_err ecn_pkt_peer_key(const uint8_t own_xsk[32], const uint8_t own_pk[ECN_PK_LEN],
                               const uint8_t peer_pk[ECN_PK_LEN],
                               const uint8_t network_id[ECN_NETWORK_ID_LEN],
                               uint8_t key[ECN_KEY_LEN]);

/* The key of the WHOIS network MAC: BLAKE3-derive_key(ECN_NET_KEY_CONTEXT,
 * network_id).  Public knowledge for members of the network. */
void ecn_pkt_net_key(const uint8_t network_id[ECN_NETWORK_ID_LEN], uint8_t key[32]);

/* nonce = epoch (8, big-endian) || boot (8, as given) || ctr (8, big-endian). */
void ecn_pkt_nonce(uint64_t epoch, const uint8_t boot[8], uint64_t ctr,
                   uint8_t nonce[ECN_NONCE_LEN]);
uint64_t ecn_pkt_nonce_epoch(const uint8_t nonce[ECN_NONCE_LEN]);
uint64_t ecn_pkt_nonce_ctr(const uint8_t nonce[ECN_NONCE_LEN]);

/* Seals in place: buf has ECN_HDR_LEN + mlen + ECN_TAG_LEN bytes and the
 * plaintext at buf + ECN_HDR_LEN; writes the header (type, pk, nonce),
 * encrypts the plaintext and appends the tag. */
void ecn_pkt_seal(uint8_t *buf, unsigned type, const uint8_t pk[ECN_PK_LEN],
                  const uint8_t nonce[ECN_NONCE_LEN], size_t mlen, const uint8_t key[ECN_KEY_LEN]);

/* Opens a sealed packet of len >= ECN_HDR_LEN + ECN_TAG_LEN bytes into out
 * (len - ECN_HDR_LEN - ECN_TAG_LEN bytes).
 * Returns: true when the tag verifies over header and ciphertext; false
 *          otherwise (out then holds nothing useful) or when len is short. */
bool ecn_pkt_open(const uint8_t *pkt, size_t len, const uint8_t key[ECN_KEY_LEN], uint8_t *out);

/* The DATA plaintext: flags, [echo], [challenge], payload. */
typedef struct ecn_inner {
	const uint8_t *echo;      /* NULL when absent */
	const uint8_t *challenge; /* NULL when absent */
	const uint8_t *payload;
	size_t len;
} ecn_inner;

/* Writes the plaintext for (echo, challenge, payload) to out (room for
 * ecn_pkt_inner_len bytes; payload may overlap nothing).  echo and
 * challenge may be NULL.  Returns the length written. */
size_t ecn_pkt_inner_write(uint8_t *out, const uint8_t *echo, const uint8_t *challenge,
                           const uint8_t *payload, size_t len);
size_t ecn_pkt_inner_len(bool echo, bool challenge, size_t len);

/* Parses a DATA plaintext of len bytes; in points into pt.
 * Returns: false for unknown flags or a plaintext too short for its flags. */
bool ecn_pkt_inner_parse(const uint8_t *pt, size_t len, ecn_inner *in);

/* The IAM plaintext. */
typedef struct ecn_iam {
	uint8_t salt[32];
	uint8_t address[32];
	uint8_t echo[ECN_CHALLENGE_LEN];      /* the WHOIS's challenge */
	uint8_t challenge[ECN_CHALLENGE_LEN]; /* the responder's, to be echoed in DATA */
} ecn_iam;
void ecn_pkt_iam_write(const ecn_iam *m, uint8_t out[ECN_IAM_PLAIN_LEN]);
void ecn_pkt_iam_read(const uint8_t in[ECN_IAM_PLAIN_LEN], ecn_iam *m);

/* A WHOIS.  cookie all zero means none. */
typedef struct ecn_whois {
	ec_identity_claim claim;
	uint8_t challenge[ECN_CHALLENGE_LEN];
	uint8_t cookie[ECN_COOKIE_LEN];
} ecn_whois;

/* Encodes w, zero padding and the network MAC (keyed BLAKE2b-128 under
 * net_key over the 153 bytes before it). */
void ecn_pkt_whois_encode(const ecn_whois *w, const uint8_t net_key[32],
                          uint8_t out[ECN_WHOIS_LEN]);

/* Decodes a WHOIS (the type byte is not checked here).
 * Returns: ECN_CONTROL with *w set; ECN_DROP_SHORT / ECN_DROP_BAD_LENGTH
 *          for another length; ECN_DROP_WRONG_NETWORK for a MAC not under
 *          net_key; ECN_DROP_BAD_HEADER for padding that is not zero. */
ecn_verdict ecn_pkt_whois_decode(const uint8_t *pkt, size_t len, const uint8_t net_key[32],
                                 ecn_whois *w);

/* Whether a cookie field carries a cookie (is not all zero). */
bool ecn_pkt_has_cookie(const uint8_t cookie[ECN_COOKIE_LEN]);

/* cookie = keyed BLAKE2b-128(secret, from's len bytes || pk). */
void ecn_pkt_cookie(const uint8_t secret[32], const ec_addr *from, const uint8_t pk[ECN_PK_LEN],
                    uint8_t cookie[ECN_COOKIE_LEN]);

/* COOKIE packet: type byte, echoed challenge, cookie. */
void ecn_pkt_cookie_encode(const uint8_t echo[ECN_CHALLENGE_LEN],
                           const uint8_t cookie[ECN_COOKIE_LEN], uint8_t out[ECN_COOKIE_PKT_LEN]);
/* Returns ECN_CONTROL, ECN_DROP_SHORT or ECN_DROP_BAD_LENGTH. */
ecn_verdict ecn_pkt_cookie_decode(const uint8_t *pkt, size_t len, uint8_t echo[ECN_CHALLENGE_LEN],
                                  uint8_t cookie[ECN_COOKIE_LEN]);

#endif
