/* SPDX-License-Identifier: MIT */
/*
 * The engine's API: creation, the receive path (dispatch and DATA), the
 * send path, the outbox and the lookups.  WHOIS/IAM/COOKIE live in
 * handshake.c, the tables in tables.c.
 */
#include <sodium.h>
#include <string.h>

#include "net/engine.h"

static const char *const verdict_names[ECN_VERDICT_COUNT] = {
	[ECN_DELIVERED] = "delivered",
	[ECN_CONTROL] = "control",
	[ECN_SENT] = "sent",
	[ECN_QUEUED] = "queued",
	[ECN_DROP_SHORT] = "short",
	[ECN_DROP_BAD_VERSION] = "bad_version",
	[ECN_DROP_BAD_TYPE] = "bad_type",
	[ECN_DROP_BAD_LENGTH] = "bad_length",
	[ECN_DROP_OVERSIZE] = "oversize",
	[ECN_DROP_WRONG_NETWORK] = "wrong_network",
	[ECN_DROP_UNKNOWN_SENDER] = "unknown_sender",
	[ECN_DROP_STALE_EPOCH] = "stale_epoch",
	[ECN_DROP_REPLAY] = "replay",
	[ECN_DROP_UNSOLICITED] = "unsolicited",
	[ECN_DROP_BUDGET] = "budget",
	[ECN_DROP_BAD_COOKIE] = "bad_cookie",
	[ECN_DROP_SMALL_ORDER] = "small_order",
	[ECN_DROP_BAD_MAC] = "bad_mac",
	[ECN_DROP_BAD_HEADER] = "bad_header",
	[ECN_DROP_BAD_CLAIM] = "bad_claim",
	[ECN_DROP_POS_MISMATCH] = "pos_mismatch",
	[ECN_DROP_AMP_LIMITED] = "amp_limited",
	[ECN_DROP_QUEUE_FULL] = "queue_full",
	[ECN_DROP_OUTBOX_FULL] = "outbox_full",
	[ECN_DROP_UNREACHABLE] = "unreachable",
	[ECN_DROP_NONCE_EXHAUSTED] = "nonce_exhausted",
	[ECN_DROP_NOMEM] = "nomem",
	[ECN_DROP_BAD_ARG] = "bad_arg",
};

const char *
ecn_reason_str(ecn_verdict v)
{
	if ((unsigned)v >= ECN_VERDICT_COUNT || !verdict_names[v])
		return "unknown";
	return verdict_names[v];
}

const char *
ecn_type_str(unsigned type)
{
	static const char *const names[ECN_TYPE_COUNT] = {"other", "data", "whois", "iam", "cookie"};
	return type < ECN_TYPE_COUNT ? names[type] : "unknown";
}

/* ---- creation ---- */

void
ecn_config_init(ecn_config *c)
{
	memset(c, 0, sizeof *c);
	c->max_peers = 4096;
	c->max_pending = 256;
	c->spare_paths = 1024;
	c->queue_per_peer = 64;
	c->queue_bytes = (size_t)4 << 20;
	c->outbox_bytes = (size_t)16 << 20;
	c->verify_rate = 50;
	c->verify_burst = 20;
	c->prefix_rate = 10;
	c->prefix_burst = 5;
	c->cookie_rate = 50;
	c->cookie_burst = 20;
	c->whois_tries = 5;
	c->whois_rto_ms = 500;
}

#define MAX_TABLE (1u << 24)

static bool
config_ok(const ecn_config *c)
{
	return c->secret_key && c->rng && c->epoch >= 1 && c->max_peers >= 1 &&
	       c->max_peers <= MAX_TABLE && c->max_pending >= 1 && c->max_pending <= MAX_TABLE &&
	       c->spare_paths >= 1 && c->spare_paths <= MAX_TABLE && c->queue_per_peer >= 1 &&
	       c->queue_bytes >= 1 && c->outbox_bytes >= ECN_DATA_MAX_LEN && c->whois_tries >= 1 &&
	       c->whois_tries <= 64 && c->whois_rto_ms >= 1 && !ec_identity_params_check(&c->params) &&
	       memcmp(c->secret_key + 32, c->claim.public_key, ECN_PK_LEN) == 0;
}

ec_err
ecn_new(const ecn_config *cfg, ecn **out)
{
	if (!out)
		return EC_EINVAL;
	*out = NULL;
	if (!cfg || !config_ok(cfg))
		return EC_EINVAL;
	if (sodium_init() < 0)
		return EC_EIO;
	ec_identity_verdict vd = EC_IDENTITY_BAD_PARAMS;
	ec_err e = ec_identity_verify(&cfg->params, cfg->claim.public_key, cfg->claim.salt,
	                              cfg->claim.address, &vd, NULL);
	if (e != EC_OK)
		return e;
	if (vd != EC_IDENTITY_OK)
		return EC_EINVAL;
	ec_realloc_fn ra = cfg->realloc_fn ? cfg->realloc_fn : ec_libc_realloc;
	ecn *t = ra(cfg->alloc_user, NULL, 0, sizeof *t);
	if (!t)
		return EC_ENOMEM;
	memset(t, 0, sizeof *t);
	t->cfg = *cfg;
	t->cfg.secret_key = NULL;
	t->cfg.realloc_fn = ra;
	if (crypto_sign_ed25519_sk_to_curve25519(t->xsk, cfg->secret_key) != 0) {
		ecn_destroy(t);
		return EC_EINVAL;
	}
	memcpy(t->pk, cfg->claim.public_key, ECN_PK_LEN);
	ec_id id = ec_id_from_bytes(cfg->claim.address);
	t->pos = ec_id_pos(&id);
	cfg->rng(cfg->rng_user, t->boot, sizeof t->boot);
	cfg->rng(cfg->rng_user, t->hash_key, sizeof t->hash_key);
	cfg->rng(cfg->rng_user, t->cookie_cur, sizeof t->cookie_cur);
	cfg->rng(cfg->rng_user, t->cookie_prev, sizeof t->cookie_prev);
	ecn_pkt_net_key(cfg->network_id, t->net_key);
	t->gen_next = 1;
	t->scratch = ecnet__alloc(t, ECN_DATA_MAX_LEN);
	if (!t->scratch || ecnet__tables_new(t) != EC_OK) {
		ecn_destroy(t);
		return EC_ENOMEM;
	}
	*out = t;
	return EC_OK;
}

static void
release_held(ecn *t)
{
	if (t->held) {
		ecnet__free(t, t->held, t->held_len);
		t->held = NULL;
	}
}

void
ecn_destroy(ecn *t)
{
	if (!t)
		return;
	release_held(t);
	ecnet__tables_free(t);
	ecnet__free(t, t->scratch, ECN_DATA_MAX_LEN);
	ec_realloc_fn ra = t->cfg.realloc_fn;
	void *user = t->cfg.alloc_user;
	sodium_memzero(t, sizeof *t);
	(void)ra(user, t, sizeof *t, 0);
}

/* Every call starts here: what the previous call lent out expires, and
 * time moves forward only. */
static void
begin(ecn *t, uint64_t now_ms)
{
	release_held(t);
	if (now_ms > t->now)
		t->now = now_ms;
}

static bool
addr_ok(const ec_addr *a)
{
	return a && a->len >= 1 && a->len <= EC_ADDR_MAX;
}

/* ---- sending DATA ---- */

ecn_verdict
ecnet__seal_data(ecn *t, uint32_t p, uint32_t path, const uint8_t *payload, size_t len)
{
	ecnet__peer *e = &t->peers[p];
	ecnet__path *pa = &t->paths[path];
	bool echo = e->echo_left > 0, chal = !pa->validated;
	size_t mlen = ecn_pkt_inner_len(echo, chal, len);
	size_t total = ECN_HDR_LEN + mlen + ECN_TAG_LEN;
	if (!ecnet__amp_ok(t, path, total))
		return ECN_DROP_AMP_LIMITED;
	if (!ecnet__out_room(t, total))
		return ECN_DROP_OUTBOX_FULL;
	uint8_t *buf = ecnet__alloc(t, total);
	if (!buf)
		return ECN_DROP_NOMEM;
	uint64_t ctr;
	if (!ecnet__peer_counter(t, p, &ctr)) {
		ecnet__free(t, buf, total);
		return ECN_DROP_NONCE_EXHAUSTED;
	}
	ecn_pkt_inner_write(buf + ECN_HDR_LEN, echo ? e->echo : NULL, chal ? pa->challenge : NULL,
	                    payload, len);
	uint8_t nonce[ECN_NONCE_LEN];
	ecn_pkt_nonce(t->cfg.epoch, t->boot, ctr, nonce);
	ecn_pkt_seal(buf, ECN_TYPE_DATA, t->pk, nonce, mlen, e->key);
	ecn_verdict v = ecnet__out_push(t, path, ECN_TYPE_DATA, buf, total);
	if (v == ECN_SENT && echo)
		e->echo_left--;
	return v;
}

void
ecnet__pending_resolve(ecn *t, uint32_t path, uint32_t p)
{
	ecnet__item *it;
	while ((it = ecnet__queue_pop(t, path)) != NULL) {
		ecn_verdict v = it->to_pos && it->to_pos != t->peers[p].pos
		                    ? ECN_DROP_POS_MISMATCH
		                    : ecnet__seal_data(t, p, t->peers[p].path, it->data, it->len);
		ecnet__count(t, v);
		ecnet__item_free(t, it);
	}
	ecnet__pending_end(t, path);
}

ec_err
ecn_send(ecn *t, uint64_t now_ms, uint64_t to_pos, const ec_addr *to_addr, const uint8_t *payload,
         size_t len, ecn_verdict *verdict)
{
	if (verdict)
		*verdict = ECN_DROP_BAD_ARG;
	if (!t)
		return EC_EINVAL;
	begin(t, now_ms);
	ecn_verdict v;
	bool no_addr = !to_addr || to_addr->len == 0;
	if ((no_addr && !to_pos) || (!no_addr && !addr_ok(to_addr)) || (!payload && len)) {
		v = ECN_DROP_BAD_ARG;
	} else if (len > ECN_MAX_PAYLOAD) {
		v = ECN_DROP_OVERSIZE;
	} else {
		uint32_t p, path = ECNET__NONE;
		if (to_pos) {
			p = ecnet__peer_find_pos(t, to_pos);
		} else {
			path = ecnet__path_find(t, to_addr);
			p = path != ECNET__NONE ? t->paths[path].peer : ECNET__NONE;
		}
		if (p != ECNET__NONE && t->peers[p].path != ECNET__NONE)
			path = t->peers[p].path; /* where it last spoke from */
		else if (!no_addr)
			path = ecnet__path_get(t, to_addr, 0);
		if (path == ECNET__NONE && no_addr) {
			v = ECN_DROP_UNREACHABLE; /* nowhere to send or ask */
		} else if (path == ECNET__NONE) {
			v = ECN_DROP_NOMEM;
		} else if (p != ECNET__NONE) {
			ecnet__path_touch(t, path);
			v = ecnet__seal_data(t, p, path, payload, len);
		} else {
			ecnet__path_touch(t, path);
			v = ecnet__pending_start(t, path, true);
			if (v == ECN_CONTROL)
				v = ecnet__queue_add(t, path, to_pos, payload, len);
		}
	}
	ecnet__count(t, v);
	if (verdict)
		*verdict = v;
	switch (v) {
	case ECN_DROP_BAD_ARG:
	case ECN_DROP_OVERSIZE: return EC_EINVAL;
	case ECN_DROP_NOMEM: return EC_ENOMEM;
	case ECN_DROP_NONCE_EXHAUSTED: return EC_ERANGE;
	default: return EC_OK;
	}
}

ec_err
ecn_probe(ecn *t, uint64_t now_ms, const ec_addr *addr)
{
	if (!t || !addr_ok(addr))
		return EC_EINVAL;
	begin(t, now_ms);
	uint32_t path = ecnet__path_get(t, addr, 0);
	if (path == ECNET__NONE)
		return EC_ENOMEM;
	ecnet__path_touch(t, path);
	return ecnet__pending_start(t, path, true) == ECN_CONTROL ? EC_OK : EC_EFULL;
}

void
ecn_tick(ecn *t, uint64_t now_ms)
{
	if (!t)
		return;
	begin(t, now_ms);
	ecnet__handshake_tick(t);
}

uint64_t
ecn_next_deadline(const ecn *t)
{
	uint64_t d = UINT64_MAX;
	for (uint32_t i = 0; t && i < t->n_pending; i++) {
		uint64_t n = t->paths[t->pending[i]].next_ms;
		if (n < d)
			d = n;
	}
	return d;
}

/* ---- receiving ---- */

/* DATA from a key we do not know: maybe we restarted and forgot it.  Ask
 * who is there (one WHOIS under way per address, within the 3x rule and
 * the reactive quota), so that its next packets are accepted. */
static void
whois_unknown(ecn *t, const ec_addr *from, size_t len)
{
	uint32_t path = ecnet__path_get(t, from, len);
	if (path == ECNET__NONE)
		return;
	ecnet__path_touch(t, path);
	if (!t->paths[path].pending)
		(void)ecnet__pending_start(t, path, false);
}

static ecn_verdict
recv_data(ecn *t, const ec_addr *from, const uint8_t *pkt, size_t len, ecn_delivery *out)
{
	if (len < ECN_DATA_MIN_LEN)
		return ECN_DROP_SHORT;
	if (len > ECN_DATA_MAX_LEN)
		return ECN_DROP_OVERSIZE;
	const uint8_t *pk = pkt + 1, *nonce = pkt + 1 + ECN_PK_LEN;
	uint32_t p = ecnet__peer_find_pk(t, pk);
	if (p == ECNET__NONE) {
		if (memcmp(pk, t->pk, ECN_PK_LEN) != 0)
			whois_unknown(t, from, len);
		return ECN_DROP_UNKNOWN_SENDER;
	}
	uint64_t epoch = ecn_pkt_nonce_epoch(nonce), ctr = ecn_pkt_nonce_ctr(nonce);
	ecn_verdict v = ecnet__rx_check(t, p, epoch, ctr);
	if (v != ECN_CONTROL)
		return v;
	if (!ecn_pkt_open(pkt, len, t->peers[p].key, t->scratch))
		return ECN_DROP_BAD_MAC;
	ecn_inner in;
	if (!ecn_pkt_inner_parse(t->scratch, len - ECN_HDR_LEN - ECN_TAG_LEN, &in))
		return ECN_DROP_BAD_HEADER;
	/* authentic from here on */
	ecnet__rx_accept(t, p, epoch, ctr);
	ecnet__peer_heard(t, p);
	ecnet__peer *e = &t->peers[p];
	uint32_t path = ecnet__path_get(t, from, len);
	if (path != ECNET__NONE) {
		ecnet__peer_bind(t, p, path); /* roaming: replies go where it spoke from */
		ecnet__path *pa = &t->paths[path];
		if (in.echo && !pa->validated &&
		    sodium_memcmp(in.echo, pa->challenge, ECN_CHALLENGE_LEN) == 0) {
			pa->validated = true;
			t->stats.paths_validated++;
		}
		if (pa->pending)
			ecnet__pending_resolve(t, path, p);
	}
	if (in.challenge) {
		memcpy(e->echo, in.challenge, ECN_CHALLENGE_LEN);
		e->echo_left = ECNET__ECHO_REPEAT;
	} else {
		e->echo_left = 0; /* it has validated our address */
	}
	memcpy(out->pk, e->pk, ECN_PK_LEN);
	out->pos = e->pos;
	out->from = *from;
	out->payload = in.payload;
	out->len = in.len;
	return ECN_DELIVERED;
}

static ecn_verdict
dispatch(ecn *t, const ec_addr *from, const uint8_t *pkt, size_t len, ecn_delivery *out)
{
	if (len < 1)
		return ECN_DROP_SHORT;
	if (pkt[0] >> 4 != ECN_VERSION)
		return ECN_DROP_BAD_VERSION;
	switch (pkt[0] & 15u) {
	case ECN_TYPE_DATA: return recv_data(t, from, pkt, len, out);
	case ECN_TYPE_WHOIS: return ecnet__recv_whois(t, from, pkt, len);
	case ECN_TYPE_IAM: return ecnet__recv_iam(t, from, pkt, len);
	case ECN_TYPE_COOKIE: return ecnet__recv_cookie(t, from, pkt, len);
	default: return ECN_DROP_BAD_TYPE;
	}
}

ecn_verdict
ecn_recv(ecn *t, uint64_t now_ms, const ec_addr *from, const uint8_t *pkt, size_t len,
         ecn_delivery *out)
{
	if (!t)
		return ECN_DROP_BAD_ARG;
	begin(t, now_ms);
	if (out)
		memset(out, 0, sizeof *out);
	if (!out || !addr_ok(from) || (!pkt && len)) {
		ecnet__count(t, ECN_DROP_BAD_ARG);
		return ECN_DROP_BAD_ARG;
	}
	unsigned type = 0;
	if (len >= 1 && pkt[0] >> 4 == ECN_VERSION && (pkt[0] & 15u) >= 1u &&
	    (pkt[0] & 15u) < ECN_TYPE_COUNT)
		type = pkt[0] & 15u;
	t->stats.pkts_in[type]++;
	t->stats.bytes_in[type] += len;
	/* everything an address sends counts towards what we may send back
	 * (new paths get their credit when created) */
	uint32_t path = ecnet__path_find(t, from);
	if (path != ECNET__NONE)
		t->paths[path].in += len;
	ecn_verdict v = dispatch(t, from, pkt, len, out);
	ecnet__count(t, v);
	return v;
}

/* ---- the outbox ---- */

static void
out_pop(ecn *t)
{
	ecnet__dgram *d = &t->out[t->out_head];
	t->out_bytes -= d->len;
	t->out_head = (t->out_head + 1u) % t->out_cap;
	t->out_count--;
}

ec_err
ecn_pull(ecn *t, ec_addr *to, uint8_t *buf, size_t cap, size_t *len)
{
	if (!t || !to || !len || (!buf && cap))
		return EC_EINVAL;
	release_held(t);
	if (!t->out_count)
		return EC_ENOTFOUND;
	ecnet__dgram *d = &t->out[t->out_head];
	*len = d->len;
	if (cap < d->len)
		return EC_ERANGE;
	memcpy(buf, d->buf, d->len);
	*to = d->to;
	ecnet__free(t, d->buf, d->len);
	out_pop(t);
	return EC_OK;
}

ec_err
ecn_pull_ptr(ecn *t, ec_addr *to, const uint8_t **data, size_t *len)
{
	if (!t || !to || !data || !len)
		return EC_EINVAL;
	release_held(t);
	if (!t->out_count)
		return EC_ENOTFOUND;
	ecnet__dgram *d = &t->out[t->out_head];
	*to = d->to;
	*data = d->buf;
	*len = d->len;
	t->held = d->buf;
	t->held_len = d->len;
	out_pop(t);
	return EC_OK;
}

size_t
ecn_outbox_count(const ecn *t)
{
	return t ? t->out_count : 0;
}

/* ---- lookups ---- */

uint32_t
ecn_peer_count(const ecn *t)
{
	return t ? t->peer_count : 0;
}

static void
peer_addr(const ecn *t, uint32_t p, ec_addr *addr, bool *has_addr)
{
	uint32_t path = t->peers[p].path;
	if (addr) {
		if (path != ECNET__NONE)
			*addr = t->paths[path].addr;
		else
			memset(addr, 0, sizeof *addr);
	}
	if (has_addr)
		*has_addr = path != ECNET__NONE;
}

ec_err
ecn_lookup_pos(const ecn *t, uint64_t pos, uint8_t *pk, ec_addr *addr, bool *has_addr)
{
	if (!t)
		return EC_EINVAL;
	uint32_t p = ecnet__peer_find_pos(t, pos);
	if (p == ECNET__NONE)
		return EC_ENOTFOUND;
	if (pk)
		memcpy(pk, t->peers[p].pk, ECN_PK_LEN);
	peer_addr(t, p, addr, has_addr);
	return EC_OK;
}

ec_err
ecn_lookup_addr(const ecn *t, const ec_addr *addr, uint8_t *pk, uint64_t *pos)
{
	if (!t || !addr_ok(addr))
		return EC_EINVAL;
	uint32_t path = ecnet__path_find(t, addr);
	uint32_t p = path != ECNET__NONE ? t->paths[path].peer : ECNET__NONE;
	if (p == ECNET__NONE)
		return EC_ENOTFOUND;
	if (pk)
		memcpy(pk, t->peers[p].pk, ECN_PK_LEN);
	if (pos)
		*pos = t->peers[p].pos;
	return EC_OK;
}

ec_err
ecn_lookup_pk(const ecn *t, const uint8_t pk[ECN_PK_LEN], uint64_t *pos, ec_addr *addr,
              bool *has_addr)
{
	if (!t || !pk)
		return EC_EINVAL;
	uint32_t p = ecnet__peer_find_pk(t, pk);
	if (p == ECNET__NONE)
		return EC_ENOTFOUND;
	if (pos)
		*pos = t->peers[p].pos;
	peer_addr(t, p, addr, has_addr);
	return EC_OK;
}

uint64_t
ecn_own_pos(const ecn *t)
{
	return t ? t->pos : 0;
}

const uint8_t *
ecn_own_pk(const ecn *t)
{
	return t ? t->pk : NULL;
}

const ecn_net_stats *
ecn_net_stats_get(const ecn *t)
{
	return t ? &t->stats : NULL;
}
