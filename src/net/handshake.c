/* SPDX-License-Identifier: MIT */
/*
 * Learning keys: WHOIS (who are you?), IAM (the signed-by-key answer),
 * COOKIE (prove your address first), the unknown-sender budget and the
 * WHOIS retries.  docs/transport.md explains the rules; the comments here
 * say where each check sits and why it is there.
 */
#include <sodium.h>
#include <string.h>

#include "net/addr.h"
#include "net/engine.h"

/* ---- budget ---- */

/* Brings b up to date at now and says whether a token is there; takes it
 * when take. */
static bool
bucket(ecnet__bucket *b, uint64_t now, uint32_t rate, uint32_t burst, bool take)
{
	if (now > b->at_ms) {
		uint64_t dt = now - b->at_ms;
		uint64_t back = rate && dt > UINT64_MAX / rate ? UINT64_MAX : dt * rate;
		b->spent = back >= b->spent ? 0 : b->spent - back;
		b->at_ms = now;
	}
	if (b->spent + 1000u > (uint64_t)burst * 1000u)
		return false;
	if (take)
		b->spent += 1000u;
	return true;
}

static ecnet__bucket *
prefix_bucket(ecn *t, const ec_addr *from)
{
	uint8_t pre[EC_ADDR_MAX];
	size_t n = ecn_addr_prefix(from, pre);
	return &t->prefix[ecnet__hash(t, pre, n) & (ECNET__PREFIX_SLOTS - 1u)];
}

/* ---- cookies ---- */

static void
cookie_rotate(ecn *t)
{
	if (!t->cookie_started) {
		t->cookie_started = true;
		t->cookie_born = t->now;
		return;
	}
	uint64_t age = t->now - t->cookie_born;
	if (age < ECNET__COOKIE_ROTATE_MS)
		return;
	if (age >= 2u * ECNET__COOKIE_ROTATE_MS)
		t->cfg.rng(t->cfg.rng_user, t->cookie_prev, sizeof t->cookie_prev);
	else
		memcpy(t->cookie_prev, t->cookie_cur, sizeof t->cookie_prev);
	t->cfg.rng(t->cfg.rng_user, t->cookie_cur, sizeof t->cookie_cur);
	t->cookie_born = t->now;
}

/* Valid under the current or the previous secret: 120 to 240 s of life. */
static bool
cookie_valid(ecn *t, const ec_addr *from, const uint8_t pk[ECN_PK_LEN],
             const uint8_t cookie[ECN_COOKIE_LEN])
{
	uint8_t want[ECN_COOKIE_LEN];
	cookie_rotate(t);
	ecn_pkt_cookie(t->cookie_cur, from, pk, want);
	if (sodium_memcmp(want, cookie, ECN_COOKIE_LEN) == 0)
		return true;
	ecn_pkt_cookie(t->cookie_prev, from, pk, want);
	return sodium_memcmp(want, cookie, ECN_COOKIE_LEN) == 0;
}

/* Whether a WHOIS that needs a claim check may have one.  Plain budget
 * first (per prefix and overall); over it, a valid cookie proves the source
 * address and draws on the hard cap; otherwise *cookie_reply. */
static ecn_verdict
budget(ecn *t, const ec_addr *from, const ecn_whois *w, bool *cookie_reply)
{
	const ecn_config *c = &t->cfg;
	*cookie_reply = false;
	ecnet__bucket *pb = prefix_bucket(t, from);
	if (bucket(pb, t->now, c->prefix_rate, c->prefix_burst, false) &&
	    bucket(&t->verify, t->now, c->verify_rate, c->verify_burst, false)) {
		bucket(pb, t->now, c->prefix_rate, c->prefix_burst, true);
		bucket(&t->verify, t->now, c->verify_rate, c->verify_burst, true);
		return ECN_CONTROL;
	}
	bool has = ecn_pkt_has_cookie(w->cookie);
	if (has && cookie_valid(t, from, w->claim.public_key, w->cookie))
		return bucket(&t->cookied, t->now, c->cookie_rate, c->cookie_burst, true)
		           ? ECN_CONTROL
		           : ECN_DROP_BUDGET;
	*cookie_reply = true;
	return has ? ECN_DROP_BAD_COOKIE : ECN_DROP_BUDGET;
}

static void
send_cookie(ecn *t, uint32_t path, const ecn_whois *w)
{
	if (!ecnet__amp_ok(t, path, ECN_COOKIE_PKT_LEN)) {
		ecnet__count(t, ECN_DROP_AMP_LIMITED);
		return;
	}
	uint8_t *buf = ecnet__alloc(t, ECN_COOKIE_PKT_LEN);
	if (!buf) {
		ecnet__count(t, ECN_DROP_NOMEM);
		return;
	}
	uint8_t cookie[ECN_COOKIE_LEN];
	cookie_rotate(t);
	ecn_pkt_cookie(t->cookie_cur, &t->paths[path].addr, w->claim.public_key, cookie);
	ecn_pkt_cookie_encode(w->challenge, cookie, buf);
	ecn_verdict v = ecnet__out_push(t, path, ECN_TYPE_COOKIE, buf, ECN_COOKIE_PKT_LEN);
	if (v == ECN_SENT)
		t->stats.cookies_sent++;
	else
		ecnet__count(t, v);
}

/* ---- keys and claims ---- */

static ecn_verdict
derive(ecn *t, const uint8_t pk[ECN_PK_LEN], uint8_t key[ECN_KEY_LEN])
{
	t->stats.dh++;
	if (ecn_pkt_peer_key(t->xsk, t->pk, pk, t->cfg.network_id, key) != EC_OK)
		return ECN_DROP_SMALL_ORDER;
	return ECN_CONTROL;
}

static ecn_verdict
check_claim(ecn *t, const ec_identity_claim *c, uint64_t *pos)
{
	ec_identity_verdict vd = EC_IDENTITY_BAD_PARAMS;
	t->stats.claims_checked++;
	ec_err e = ec_identity_verify(&t->cfg.params, c->public_key, c->salt, c->address, &vd, NULL);
	if (e == EC_ENOMEM)
		return ECN_DROP_NOMEM;
	if (e != EC_OK || vd != EC_IDENTITY_OK)
		return ECN_DROP_BAD_CLAIM;
	ec_id id = ec_id_from_bytes(c->address);
	*pos = ec_id_pos(&id);
	return ECN_CONTROL;
}

static bool
same_claim(const ecnet__peer *e, const uint8_t salt[32], const uint8_t address[32])
{
	return memcmp(e->salt, salt, 32) == 0 && memcmp(e->address, address, 32) == 0;
}

/* ---- WHOIS ---- */

static void
send_iam(ecn *t, uint32_t p, uint32_t path, const uint8_t echo[ECN_CHALLENGE_LEN])
{
	if (!ecnet__amp_ok(t, path, ECN_IAM_LEN)) {
		ecnet__count(t, ECN_DROP_AMP_LIMITED);
		return;
	}
	if (!ecnet__out_room(t, ECN_IAM_LEN)) {
		ecnet__count(t, ECN_DROP_OUTBOX_FULL);
		return;
	}
	uint8_t *buf = ecnet__alloc(t, ECN_IAM_LEN);
	if (!buf) {
		ecnet__count(t, ECN_DROP_NOMEM);
		return;
	}
	uint64_t ctr;
	if (!ecnet__peer_counter(t, p, &ctr)) {
		ecnet__free(t, buf, ECN_IAM_LEN);
		ecnet__count(t, ECN_DROP_NONCE_EXHAUSTED);
		return;
	}
	ecn_iam m;
	memcpy(m.salt, t->cfg.claim.salt, 32);
	memcpy(m.address, t->cfg.claim.address, 32);
	memcpy(m.echo, echo, ECN_CHALLENGE_LEN);
	memcpy(m.challenge, t->paths[path].challenge, ECN_CHALLENGE_LEN);
	ecn_pkt_iam_write(&m, buf + ECN_HDR_LEN);
	uint8_t nonce[ECN_NONCE_LEN];
	ecn_pkt_nonce(t->cfg.epoch, t->boot, ctr, nonce);
	ecn_pkt_seal(buf, ECN_TYPE_IAM, t->pk, nonce, ECN_IAM_PLAIN_LEN, t->peers[p].key);
	ecn_verdict v = ecnet__out_push(t, path, ECN_TYPE_IAM, buf, ECN_IAM_LEN);
	if (v != ECN_SENT)
		ecnet__count(t, v);
}

/* A WHOIS is not authenticated: anyone may replay a node's public claim
 * from any address.  So it teaches the key and position of a new key's
 * verified claim, but never binds an address or changes a known key's
 * claim (that takes an authenticated packet), and the IAM answer is no
 * longer than the WHOIS. */
ecn_verdict
ecnet__recv_whois(ecn *t, const ec_addr *from, const uint8_t *pkt, size_t len)
{
	ecn_whois w;
	ecn_verdict v = ecn_pkt_whois_decode(pkt, len, t->net_key, &w);
	if (v != ECN_CONTROL)
		return v;
	if (memcmp(w.claim.public_key, t->pk, ECN_PK_LEN) == 0)
		return ECN_DROP_BAD_CLAIM;
	uint32_t path = ecnet__path_get(t, from, len);
	if (path == ECNET__NONE)
		return ECN_DROP_NOMEM;
	ecnet__path_touch(t, path);
	uint32_t p = ecnet__peer_find_pk(t, w.claim.public_key);
	if (p != ECNET__NONE && !same_claim(&t->peers[p], w.claim.salt, w.claim.address)) {
		/* a known key with another claim: it re-mined, or someone replays
		 * an old claim of it.  Only its own authenticated IAM may move
		 * it, so ask the address (a reactive WHOIS, under the 3x rule) */
		if (!t->paths[path].pending)
			(void)ecnet__pending_start(t, path, false);
	} else if (p == ECNET__NONE) {
		/* the proof of work costs nothing to check: before any budget */
		if (ec_identity_trailing_zeros(w.claim.address) < t->cfg.params.bits)
			return ECN_DROP_BAD_CLAIM;
		bool cookie_reply;
		v = budget(t, from, &w, &cookie_reply);
		if (v != ECN_CONTROL) {
			if (cookie_reply)
				send_cookie(t, path, &w);
			return v;
		}
		uint8_t key[ECN_KEY_LEN];
		if ((v = derive(t, w.claim.public_key, key)) != ECN_CONTROL)
			return v;
		uint64_t pos = 0;
		if ((v = check_claim(t, &w.claim, &pos)) != ECN_CONTROL) {
			sodium_memzero(key, sizeof key);
			return v;
		}
		p = ecnet__peer_add(t, &w.claim, pos, key, false);
		sodium_memzero(key, sizeof key);
		if (p == ECNET__NONE)
			return ECN_DROP_NONCE_EXHAUSTED;
	}
	send_iam(t, p, path, w.challenge);
	return ECN_CONTROL;
}

/* ---- IAM ---- */

/* An IAM is accepted only from an address we are asking, and it must echo
 * the challenge we sent there: then the packet proves both the key (AEAD
 * under K) and the address (it received our WHOIS). */
ecn_verdict
ecnet__recv_iam(ecn *t, const ec_addr *from, const uint8_t *pkt, size_t len)
{
	if (len < ECN_IAM_LEN)
		return ECN_DROP_SHORT;
	if (len > ECN_IAM_LEN)
		return ECN_DROP_BAD_LENGTH;
	uint32_t path = ecnet__path_find(t, from);
	if (path == ECNET__NONE || !t->paths[path].pending ||
	    t->paths[path].iam_fails >= ECNET__IAM_FAILS)
		return ECN_DROP_UNSOLICITED;
	ecnet__path *pa = &t->paths[path];
	const uint8_t *pk = pkt + 1, *nonce = pkt + 1 + ECN_PK_LEN;
	uint64_t epoch = ecn_pkt_nonce_epoch(nonce), ctr = ecn_pkt_nonce_ctr(nonce);
	if (memcmp(pk, t->pk, ECN_PK_LEN) == 0) {
		pa->iam_fails++;
		return ECN_DROP_BAD_CLAIM;
	}
	uint32_t p = ecnet__peer_find_pk(t, pk);
	ecn_verdict v;
	if (p != ECNET__NONE && (v = ecnet__rx_check(t, p, epoch, ctr)) != ECN_CONTROL)
		return v;
	uint8_t key[ECN_KEY_LEN];
	if (p != ECNET__NONE) {
		memcpy(key, t->peers[p].key, sizeof key);
	} else if ((v = derive(t, pk, key)) != ECN_CONTROL) {
		pa->iam_fails++;
		return v;
	}
	uint8_t plain[ECN_IAM_PLAIN_LEN];
	ecn_iam m;
	if (!ecn_pkt_open(pkt, len, key, plain)) {
		sodium_memzero(key, sizeof key);
		pa->iam_fails++;
		return ECN_DROP_BAD_MAC;
	}
	ecn_pkt_iam_read(plain, &m);
	if (sodium_memcmp(m.echo, pa->challenge, ECN_CHALLENGE_LEN) != 0) {
		/* authentic, but not an answer to our current WHOIS (a replay) */
		sodium_memzero(key, sizeof key);
		pa->iam_fails++;
		return ECN_DROP_UNSOLICITED;
	}
	ec_identity_claim c;
	memcpy(c.public_key, pk, ECN_PK_LEN);
	memcpy(c.salt, m.salt, 32);
	memcpy(c.address, m.address, 32);
	bool same = p != ECNET__NONE && same_claim(&t->peers[p], c.salt, c.address);
	uint64_t pos = same ? t->peers[p].pos : 0;
	if (!same && (v = check_claim(t, &c, &pos)) != ECN_CONTROL) {
		sodium_memzero(key, sizeof key);
		pa->iam_fails++;
		return v;
	}
	if (p == ECNET__NONE) {
		p = ecnet__peer_add(t, &c, pos, key, true);
		sodium_memzero(key, sizeof key);
		if (p == ECNET__NONE)
			return ECN_DROP_NONCE_EXHAUSTED;
		/* an evicted peer learned again keeps its spent counters */
		if ((v = ecnet__rx_check(t, p, epoch, ctr)) != ECN_CONTROL)
			return v;
	} else if (!same) {
		ecnet__peer_set_claim(t, p, &c, pos);
	}
	ecnet__rx_accept(t, p, epoch, ctr);
	ecnet__peer_heard(t, p);
	memcpy(t->peers[p].echo, m.challenge, ECN_CHALLENGE_LEN);
	t->peers[p].echo_left = ECNET__ECHO_REPEAT;
	if (!pa->validated) {
		pa->validated = true;
		t->stats.paths_validated++;
	}
	ecnet__peer_bind(t, p, path);
	ecnet__pending_resolve(t, path, p);
	return ECN_CONTROL;
}

/* ---- COOKIE ---- */

ecn_verdict
ecnet__recv_cookie(ecn *t, const ec_addr *from, const uint8_t *pkt, size_t len)
{
	uint8_t echo[ECN_CHALLENGE_LEN], cookie[ECN_COOKIE_LEN];
	ecn_verdict v = ecn_pkt_cookie_decode(pkt, len, echo, cookie);
	if (v != ECN_CONTROL)
		return v;
	uint32_t path = ecnet__path_find(t, from);
	if (path == ECNET__NONE || !t->paths[path].pending ||
	    sodium_memcmp(echo, t->paths[path].challenge, ECN_CHALLENGE_LEN) != 0)
		return ECN_DROP_UNSOLICITED;
	if (!ecn_pkt_has_cookie(cookie))
		return ECN_DROP_BAD_HEADER;
	ecnet__path *pa = &t->paths[path];
	memcpy(pa->cookie, cookie, ECN_COOKIE_LEN);
	pa->has_cookie = true;
	pa->cookie_ms = t->now;
	/* ask again at once, now with the cookie; it counts as a try, so a
	 * COOKIE flood ends with the tries */
	if (pa->tries < t->cfg.whois_tries)
		ecnet__whois_send(t, path);
	return ECN_CONTROL;
}

/* ---- WHOIS under way ---- */

ecn_verdict
ecnet__pending_start(ecn *t, uint32_t path, bool initiated)
{
	ecnet__path *pa = &t->paths[path];
	if (pa->pending) {
		if (initiated && !pa->initiated) {
			pa->initiated = true;
			t->n_reactive--;
		}
		return ECN_CONTROL;
	}
	/* WHOIS sent in reaction to unknown senders may use a quarter of the
	 * slots, so spoofed DATA cannot crowd out the node's own contacts */
	uint32_t reactive_cap = t->cfg.max_pending / 4u ? t->cfg.max_pending / 4u : 1u;
	if (t->n_pending >= t->cfg.max_pending || (!initiated && t->n_reactive >= reactive_cap))
		return ECN_DROP_QUEUE_FULL;
	pa->pending = true;
	pa->initiated = initiated;
	pa->tries = 0;
	ecnet__path_pin(t, path);
	pa->pending_slot = t->n_pending;
	t->pending[t->n_pending++] = path;
	if (!initiated)
		t->n_reactive++;
	ecnet__whois_send(t, path);
	return ECN_CONTROL;
}

void
ecnet__pending_end(ecn *t, uint32_t path)
{
	ecnet__path *pa = &t->paths[path];
	uint32_t last = t->pending[--t->n_pending];
	t->pending[pa->pending_slot] = last;
	t->paths[last].pending_slot = pa->pending_slot;
	pa->pending_slot = ECNET__NONE;
	pa->pending = false;
	if (!pa->initiated)
		t->n_reactive--;
	pa->initiated = false;
	ecnet__path_unpin(t, path);
}

void
ecnet__whois_send(ecn *t, uint32_t path)
{
	ecnet__path *pa = &t->paths[path];
	pa->tries++;
	pa->iam_fails = 0;
	uint32_t shift = pa->tries - 1u < 20u ? pa->tries - 1u : 20u;
	pa->next_ms = t->now + ((uint64_t)t->cfg.whois_rto_ms << shift);
	/* our own WHOIS (ecn_send, ecn_probe) are bounded by their tries;
	 * those that answer unknown senders obey the 3x rule */
	if (!pa->initiated && !ecnet__amp_ok(t, path, ECN_WHOIS_LEN)) {
		ecnet__count(t, ECN_DROP_AMP_LIMITED);
		return;
	}
	if (!ecnet__out_room(t, ECN_WHOIS_LEN)) {
		ecnet__count(t, ECN_DROP_OUTBOX_FULL);
		return;
	}
	uint8_t *buf = ecnet__alloc(t, ECN_WHOIS_LEN);
	if (!buf) {
		ecnet__count(t, ECN_DROP_NOMEM);
		return;
	}
	ecn_whois w;
	memset(&w, 0, sizeof w);
	w.claim = t->cfg.claim;
	memcpy(w.challenge, pa->challenge, ECN_CHALLENGE_LEN);
	if (pa->has_cookie && t->now - pa->cookie_ms < ECNET__COOKIE_ROTATE_MS)
		memcpy(w.cookie, pa->cookie, ECN_COOKIE_LEN);
	ecn_pkt_whois_encode(&w, t->net_key, buf);
	ecn_verdict v = ecnet__out_push(t, path, ECN_TYPE_WHOIS, buf, ECN_WHOIS_LEN);
	if (v == ECN_SENT)
		t->stats.whois_sent++;
	else
		ecnet__count(t, v);
}

static void
give_up(ecn *t, uint32_t path)
{
	ecnet__item *it;
	while ((it = ecnet__queue_pop(t, path)) != NULL) {
		ecnet__item_free(t, it);
		ecnet__count(t, ECN_DROP_UNREACHABLE);
	}
	t->stats.whois_gave_up++;
	ecnet__pending_end(t, path);
}

void
ecnet__handshake_tick(ecn *t)
{
	cookie_rotate(t);
	for (uint32_t i = 0; i < t->n_pending;) {
		uint32_t path = t->pending[i];
		ecnet__path *pa = &t->paths[path];
		if (t->now < pa->next_ms) {
			i++;
		} else if (pa->tries >= t->cfg.whois_tries) {
			give_up(t, path); /* moves the last pending into slot i */
		} else {
			ecnet__whois_send(t, path);
			i++;
		}
	}
}
