/* SPDX-License-Identifier: MIT */
/* The pure datagram layer: see packet.h and docs/transport.md. */
#include "net/packet.h"

#include <sodium.h>
#include <string.h>

#include "ec/blake3.h"

static void
put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

ec_err
ecn_pkt_peer_key(const uint8_t own_xsk[32], const uint8_t own_pk[ECN_PK_LEN],
                 const uint8_t peer_pk[ECN_PK_LEN], const uint8_t network_id[ECN_NETWORK_ID_LEN],
                 uint8_t key[ECN_KEY_LEN])
{
	uint8_t peer_x[32], shared[32];
	memset(key, 0, ECN_KEY_LEN);
	/* the conversion refuses keys that are not points of the main subgroup;
	 * crypto_scalarmult refuses an all-zero result (small order) */
	if (crypto_sign_ed25519_pk_to_curve25519(peer_x, peer_pk) != 0)
		return EC_EINVAL;
	if (crypto_scalarmult(shared, own_xsk, peer_x) != 0) {
		sodium_memzero(shared, sizeof shared);
		return EC_EINVAL;
	}
	bool own_first = memcmp(own_pk, peer_pk, ECN_PK_LEN) < 0;
	ec_blake3 h;
	ec_blake3_init_derive_key(&h, ECN_PEER_KEY_CONTEXT);
	ec_blake3_update(&h, shared, sizeof shared);
	ec_blake3_update(&h, network_id, ECN_NETWORK_ID_LEN);
	ec_blake3_update(&h, own_first ? own_pk : peer_pk, ECN_PK_LEN);
	ec_blake3_update(&h, own_first ? peer_pk : own_pk, ECN_PK_LEN);
	ec_blake3_final(&h, key, ECN_KEY_LEN);
	sodium_memzero(shared, sizeof shared);
	sodium_memzero(&h, sizeof h);
	return EC_OK;
}

void
ecn_pkt_net_key(const uint8_t network_id[ECN_NETWORK_ID_LEN], uint8_t key[32])
{
	ec_blake3 h;
	ec_blake3_init_derive_key(&h, ECN_NET_KEY_CONTEXT);
	ec_blake3_update(&h, network_id, ECN_NETWORK_ID_LEN);
	ec_blake3_final(&h, key, 32);
}

void
ecn_pkt_nonce(uint64_t epoch, const uint8_t boot[8], uint64_t ctr, uint8_t nonce[ECN_NONCE_LEN])
{
	put64(nonce, epoch);
	memcpy(nonce + 8, boot, 8);
	put64(nonce + 16, ctr);
}

uint64_t
ecn_pkt_nonce_epoch(const uint8_t nonce[ECN_NONCE_LEN])
{
	return get64(nonce);
}

uint64_t
ecn_pkt_nonce_ctr(const uint8_t nonce[ECN_NONCE_LEN])
{
	return get64(nonce + 16);
}

void
ecn_pkt_seal(uint8_t *buf, unsigned type, const uint8_t pk[ECN_PK_LEN],
             const uint8_t nonce[ECN_NONCE_LEN], size_t mlen, const uint8_t key[ECN_KEY_LEN])
{
	buf[0] = ecn_pkt_vt(type);
	memcpy(buf + 1, pk, ECN_PK_LEN);
	memcpy(buf + 1 + ECN_PK_LEN, nonce, ECN_NONCE_LEN);
	uint8_t *m = buf + ECN_HDR_LEN;
	/* in place: the cipher XORs byte by byte, then MACs the ciphertext */
	crypto_aead_xchacha20poly1305_ietf_encrypt_detached(m, m + mlen, NULL, m, mlen, buf,
	                                                    ECN_HDR_LEN, NULL,
	                                                    buf + 1 + ECN_PK_LEN, key);
}

bool
ecn_pkt_open(const uint8_t *pkt, size_t len, const uint8_t key[ECN_KEY_LEN], uint8_t *out)
{
	if (len < ECN_HDR_LEN + ECN_TAG_LEN)
		return false;
	size_t clen = len - ECN_HDR_LEN - ECN_TAG_LEN;
	return crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
	           out, NULL, pkt + ECN_HDR_LEN, clen, pkt + len - ECN_TAG_LEN, pkt, ECN_HDR_LEN,
	           pkt + 1 + ECN_PK_LEN, key) == 0;
}

size_t
ecn_pkt_inner_len(bool echo, bool challenge, size_t len)
{
	return 1u + (echo ? ECN_CHALLENGE_LEN : 0u) + (challenge ? ECN_CHALLENGE_LEN : 0u) + len;
}

size_t
ecn_pkt_inner_write(uint8_t *out, const uint8_t *echo, const uint8_t *challenge,
                    const uint8_t *payload, size_t len)
{
	size_t o = 1;
	out[0] = (uint8_t)((echo ? ECN_FLAG_ECHO : 0u) | (challenge ? ECN_FLAG_CHALLENGE : 0u));
	if (echo) {
		memcpy(out + o, echo, ECN_CHALLENGE_LEN);
		o += ECN_CHALLENGE_LEN;
	}
	if (challenge) {
		memcpy(out + o, challenge, ECN_CHALLENGE_LEN);
		o += ECN_CHALLENGE_LEN;
	}
	if (len)
		memcpy(out + o, payload, len);
	return o + len;
}

bool
ecn_pkt_inner_parse(const uint8_t *pt, size_t len, ecn_inner *in)
{
	memset(in, 0, sizeof *in);
	if (len < 1 || (pt[0] & ~ECN_FLAGS_KNOWN) != 0)
		return false;
	bool echo = pt[0] & ECN_FLAG_ECHO, chal = pt[0] & ECN_FLAG_CHALLENGE;
	size_t o = 1;
	if (len < ecn_pkt_inner_len(echo, chal, 0))
		return false;
	if (echo) {
		in->echo = pt + o;
		o += ECN_CHALLENGE_LEN;
	}
	if (chal) {
		in->challenge = pt + o;
		o += ECN_CHALLENGE_LEN;
	}
	in->payload = pt + o;
	in->len = len - o;
	return true;
}

void
ecn_pkt_iam_write(const ecn_iam *m, uint8_t out[ECN_IAM_PLAIN_LEN])
{
	memcpy(out, m->salt, 32);
	memcpy(out + 32, m->address, 32);
	memcpy(out + 64, m->echo, ECN_CHALLENGE_LEN);
	memcpy(out + 80, m->challenge, ECN_CHALLENGE_LEN);
}

void
ecn_pkt_iam_read(const uint8_t in[ECN_IAM_PLAIN_LEN], ecn_iam *m)
{
	memcpy(m->salt, in, 32);
	memcpy(m->address, in + 32, 32);
	memcpy(m->echo, in + 64, ECN_CHALLENGE_LEN);
	memcpy(m->challenge, in + 80, ECN_CHALLENGE_LEN);
}

static void
mac16(const uint8_t key[32], const uint8_t *data, size_t len, uint8_t out[16])
{
	crypto_generichash(out, 16, data, len, key, 32);
}

void
ecn_pkt_whois_encode(const ecn_whois *w, const uint8_t net_key[32], uint8_t out[ECN_WHOIS_LEN])
{
	memset(out, 0, ECN_WHOIS_LEN);
	out[0] = ecn_pkt_vt(ECN_TYPE_WHOIS);
	memcpy(out + ECN_WHOIS_OFF_PK, w->claim.public_key, 32);
	memcpy(out + ECN_WHOIS_OFF_SALT, w->claim.salt, 32);
	memcpy(out + ECN_WHOIS_OFF_ADDRESS, w->claim.address, 32);
	memcpy(out + ECN_WHOIS_OFF_CHALLENGE, w->challenge, ECN_CHALLENGE_LEN);
	memcpy(out + ECN_WHOIS_OFF_COOKIE, w->cookie, ECN_COOKIE_LEN);
	mac16(net_key, out, ECN_WHOIS_OFF_MAC, out + ECN_WHOIS_OFF_MAC);
}

ecn_verdict
ecn_pkt_whois_decode(const uint8_t *pkt, size_t len, const uint8_t net_key[32], ecn_whois *w)
{
	memset(w, 0, sizeof *w);
	if (len < ECN_WHOIS_LEN)
		return ECN_DROP_SHORT;
	if (len > ECN_WHOIS_LEN)
		return ECN_DROP_BAD_LENGTH;
	uint8_t mac[16];
	mac16(net_key, pkt, ECN_WHOIS_OFF_MAC, mac);
	if (sodium_memcmp(mac, pkt + ECN_WHOIS_OFF_MAC, 16) != 0)
		return ECN_DROP_WRONG_NETWORK;
	for (size_t i = ECN_WHOIS_OFF_PAD; i < ECN_WHOIS_OFF_MAC; i++)
		if (pkt[i])
			return ECN_DROP_BAD_HEADER;
	memcpy(w->claim.public_key, pkt + ECN_WHOIS_OFF_PK, 32);
	memcpy(w->claim.salt, pkt + ECN_WHOIS_OFF_SALT, 32);
	memcpy(w->claim.address, pkt + ECN_WHOIS_OFF_ADDRESS, 32);
	memcpy(w->challenge, pkt + ECN_WHOIS_OFF_CHALLENGE, ECN_CHALLENGE_LEN);
	memcpy(w->cookie, pkt + ECN_WHOIS_OFF_COOKIE, ECN_COOKIE_LEN);
	return ECN_CONTROL;
}

bool
ecn_pkt_has_cookie(const uint8_t cookie[ECN_COOKIE_LEN])
{
	uint8_t any = 0;
	for (size_t i = 0; i < ECN_COOKIE_LEN; i++)
		any |= cookie[i];
	return any != 0;
}

void
ecn_pkt_cookie(const uint8_t secret[32], const ec_addr *from, const uint8_t pk[ECN_PK_LEN],
               uint8_t cookie[ECN_COOKIE_LEN])
{
	crypto_generichash_state st;
	size_t alen = from->len > EC_ADDR_MAX ? EC_ADDR_MAX : from->len;
	crypto_generichash_init(&st, secret, 32, ECN_COOKIE_LEN);
	crypto_generichash_update(&st, from->b, alen);
	crypto_generichash_update(&st, pk, ECN_PK_LEN);
	crypto_generichash_final(&st, cookie, ECN_COOKIE_LEN);
}

void
ecn_pkt_cookie_encode(const uint8_t echo[ECN_CHALLENGE_LEN], const uint8_t cookie[ECN_COOKIE_LEN],
                      uint8_t out[ECN_COOKIE_PKT_LEN])
{
	out[0] = ecn_pkt_vt(ECN_TYPE_COOKIE);
	memcpy(out + 1, echo, ECN_CHALLENGE_LEN);
	memcpy(out + 1 + ECN_CHALLENGE_LEN, cookie, ECN_COOKIE_LEN);
}

ecn_verdict
ecn_pkt_cookie_decode(const uint8_t *pkt, size_t len, uint8_t echo[ECN_CHALLENGE_LEN],
                      uint8_t cookie[ECN_COOKIE_LEN])
{
	if (len < ECN_COOKIE_PKT_LEN)
		return ECN_DROP_SHORT;
	if (len > ECN_COOKIE_PKT_LEN)
		return ECN_DROP_BAD_LENGTH;
	memcpy(echo, pkt + 1, ECN_CHALLENGE_LEN);
	memcpy(cookie, pkt + 1 + ECN_CHALLENGE_LEN, ECN_COOKIE_LEN);
	return ECN_CONTROL;
}
