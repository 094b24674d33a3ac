/* SPDX-License-Identifier: MIT */
/*
 * The wallet and token commands: keygen, pubkey, create, transfer, rekey
 * and destroy.  A token command checks its arguments, loads the wallet,
 * asks the node for its clock (status "tick": the block's time) and, for
 * a change, the token's current block; builds, signs and checks the block
 * locally (blocks.h), with --witnesses witness parts (2 by default: what a
 * node under the witness rule wants); submits it; and with --wait polls
 * `block` until the node has committed it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blocks.h"
#include "ec/hex.h"
#include "ecctl.h"
#include "wallet.h"

/* ---- wallets ---------------------------------------------------------- */

static int
load_wallet(const char *path, ecctl_wallet *w)
{
	ecctl_wallet_status st = ecctl_wallet_load(path, w);
	if (st == ECCTL_WALLET_IO)
		return ecctl_fail("wallet %s: %s", path, strerror(errno));
	if (st)
		return ecctl_fail("wallet %s: %s", path, ecctl_wallet_strerror(st));
	return ECCTL_EXIT_OK;
}

/* {"wallet": path, "pk": ..., "key_hash": ...} */
static json_t *
wallet_json(const char *path, const ecctl_wallet *w)
{
	char pk[2 * EC_SIG_PK_BYTES + 1], kh[ECCTL_ID_HEX];
	ec_id h;
	ec_hex_encode(w->pk, sizeof w->pk, pk);
	ecctl_wallet_key_hash(w, &h);
	ecctl_id_format(&h, kh);
	return json_pack("{s:s,s:s,s:s}", "wallet", path, "pk", pk, "key_hash", kh);
}

/* Prints obj as JSON or as lines; takes the reference. */
static int
emit(const ecctl_session *s, json_t *obj)
{
	if (!obj)
		return ecctl_fail("out of memory");
	if (s->o->json)
		ecctl_print_json(obj);
	else
		ecctl_print_flat(obj);
	json_decref(obj);
	return ecctl_finish_output();
}

int
ecctl_cmd_keygen(ecctl_session *s)
{
	ecctl_wallet w;
	ecctl_wallet_generate(&w);
	ecctl_wallet_status st = ecctl_wallet_save(&w, s->o->wallet, s->o->force);
	int rc = ECCTL_EXIT_OK;
	if (st == ECCTL_WALLET_IO)
		rc = ecctl_fail("wallet %s: cannot write: %s", s->o->wallet, strerror(errno));
	else if (st)
		rc = ecctl_fail("wallet %s: %s", s->o->wallet, ecctl_wallet_strerror(st));
	else
		rc = emit(s, wallet_json(s->o->wallet, &w));
	ecctl_wallet_wipe(&w);
	return rc;
}

int
ecctl_cmd_pubkey(ecctl_session *s)
{
	ecctl_wallet w;
	int rc = load_wallet(s->o->wallet, &w);
	if (!rc)
		rc = emit(s, wallet_json(s->o->wallet, &w));
	ecctl_wallet_wipe(&w);
	return rc;
}

/* ---- talking to the node ------------------------------------------------ */

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(int64_t ms)
{
	struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

/* The node's clock, which new blocks carry as their time. */
static int
node_tick(ecctl_session *s, uint64_t *tick)
{
	json_t *res;
	int rc = ecctl_call_or_report(s, "status", NULL, &res);
	if (rc)
		return rc;
	if (!ecctl_get_u64(res, "tick", tick))
		rc = ecctl_fail("status: the node's answer has no \"tick\"");
	json_decref(res);
	return rc;
}

/* Fetches token's current block from the node (token, then block) and
 * checks that the encoding the node sent is the block it named. */
static int fetch_parent_at(ecctl_session *s, const ec_id *token, ecp_block **parent);

/* With --lookup-rpc the lookups go to that node (a member of the token's
 * window), on a connection of their own; the block is submitted to --rpc. */
static int
fetch_parent(ecctl_session *s, const ec_id *token, ecp_block **parent)
{
	if (!s->o->lookup_rpc)
		return fetch_parent_at(s, token, parent);
	ecctl_opts lo = *s->o;
	lo.rpc = s->o->lookup_rpc;
	ecctl_session ls = {.o = &lo};
	int rc = fetch_parent_at(&ls, token, parent);
	if (ls.rpc)
		ecctl_rpc_close(ls.rpc);
	return rc;
}

static int
fetch_parent_at(ecctl_session *s, const ec_id *token, ecp_block **parent)
{
	*parent = NULL;
	char thex[ECCTL_ID_HEX], bhex[ECCTL_ID_HEX];
	ecctl_id_format(token, thex);
	json_t *res;
	int rc = ecctl_call_id(s, "token", thex, "the node holds no mapping for it", &res);
	if (rc)
		return rc;
	ec_id bid;
	const char *b = ecctl_get_str(res, "block");
	bool ok = b && ecctl_id_parse(b, &bid);
	json_decref(res);
	if (!ok)
		return ecctl_fail("token %s: the node's answer has no valid \"block\"", thex);
	ecctl_id_format(&bid, bhex);
	rc = ecctl_call_id(s, "block", bhex, "the token's current block is not committed at the node",
	             &res);
	if (rc)
		return rc;
	const char *enc = ecctl_get_str(res, "encoding");
	uint8_t *bytes = NULL;
	size_t len = 0;
	ec_wire_reason why = EC_WIRE_OK;
	ec_err e = enc ? ecctl_hex_decode_alloc(enc, &bytes, &len) : EC_EPARSE;
	json_decref(res);
	if (e == EC_OK)
		e = ecctl_block_decode(bytes, len, parent, &why);
	free(bytes);
	if (e == EC_ENOMEM)
		return ecctl_fail("out of memory");
	if (e != EC_OK)
		return ecctl_fail("block %s: the node sent an undecodable encoding (%s)", bhex,
		                  why ? ec_wire_reason_str(why) : "not hex");
	if (!ec_id_eq(&(*parent)->id, &bid)) {
		free(*parent);
		*parent = NULL;
		return ecctl_fail("block %s: the node sent another block's encoding", bhex);
	}
	return ECCTL_EXIT_OK;
}

/* The owner check, in words: parent must hand token to the wallet's key. */
static int
check_owner(const ecp_block *parent, const ec_id *token, const ecctl_wallet *w)
{
	char thex[ECCTL_ID_HEX], bhex[ECCTL_ID_HEX], want[ECCTL_ID_HEX], have[ECCTL_ID_HEX];
	ecctl_id_format(token, thex);
	ecctl_id_format(&parent->id, bhex);
	const ecp_part *p = ecctl_block_part(parent, token);
	if (!p)
		return ecctl_fail("token %s: its current block %s (as the node says) does not move it",
		                  thex, bhex);
	if (ec_id_is_zero(&p->next_key))
		return ecctl_fail("token %s: destroyed by block %s", thex, bhex);
	ec_id kh;
	ecctl_wallet_key_hash(w, &kh);
	if (!ec_id_eq(&kh, &p->next_key)) {
		ecctl_id_format(&p->next_key, want);
		ecctl_id_format(&kh, have);
		return ecctl_fail("token %s: not owned by this wallet (block %s names key hash %s; "
		                  "the wallet's is %s)",
		                  thex, bhex, want, have);
	}
	return ECCTL_EXIT_OK;
}

/* Submits b; the node must report b's id.  Out: *status ("submitted" or
 * "held"), a new string the caller frees. */
static int
submit(ecctl_session *s, const ecp_block *b, char **status)
{
	*status = NULL;
	uint8_t *enc;
	size_t len;
	if (ecctl_block_encode(b, &enc, &len) != EC_OK)
		return ecctl_fail("cannot encode the block"); /* checked before: out of memory */
	char *hex = ecctl_hex_encode_alloc(enc, len);
	free(enc);
	json_t *params = hex ? json_pack("{s:s}", "block", hex) : NULL;
	free(hex);
	if (!params)
		return ecctl_fail("out of memory");
	json_t *res;
	int rc = ecctl_call_or_report(s, "submit", params, &res);
	json_decref(params);
	if (rc)
		return rc;
	char want[ECCTL_ID_HEX];
	ecctl_id_format(&b->id, want);
	const char *id = ecctl_get_str(res, "id"), *st = ecctl_get_str(res, "status");
	ec_id got;
	if (!id || !ecctl_id_parse(id, &got) || !ec_id_eq(&got, &b->id))
		rc = ecctl_fail("submit: the node reports block id %s, not %s", id ? id : "(none)",
		                want);
	else if (!(*status = strdup(st ? st : "submitted")))
		rc = ecctl_fail("out of memory");
	json_decref(res);
	return rc;
}

/* Polls `block` until the node has committed b or wait_ms from start have
 * passed.  Out: *ms, the time from start to the commit. */
static int
wait_commit(ecctl_session *s, const ec_id *id, int64_t start, int wait_ms, int64_t *ms)
{
	char hex[ECCTL_ID_HEX];
	ecctl_id_format(id, hex);
	json_t *params = json_pack("{s:s}", "id", hex);
	if (!params)
		return ecctl_fail("out of memory");
	int64_t pause = 10;
	int rc = ECCTL_EXIT_FAIL;
	for (;;) {
		json_t *res;
		ecctl_rpc_err err;
		ecctl_rpc_status st = ecctl_call(s, "block", params, &res, &err);
		int64_t now = now_ms();
		if (st == ECCTL_RPC_OK) {
			json_decref(res);
			*ms = now - start;
			rc = ECCTL_EXIT_OK;
			break;
		}
		if (st != ECCTL_RPC_ERROR || err.code != ECCTL_RPC_NOT_FOUND) {
			ecctl_report("block", &err);
			break;
		}
		int64_t left = start + wait_ms - now;
		if (left <= 0) {
			ecctl_fail("block %s: not committed within %d ms", hex, wait_ms);
			break;
		}
		sleep_ms(pause < left ? pause : left);
		pause = pause * 2 > 200 ? 200 : pause * 2; /* back off to 5 polls a second */
	}
	json_decref(params);
	return rc;
}

/* The ids of b's witness parts, in block order. */
static json_t *
witness_list(const ecp_block *b)
{
	json_t *list = json_array();
	for (uint32_t i = 0; list && i < b->nparts; i++) {
		if (!ecctl_part_is_witness(&b->parts[i]))
			continue;
		char hex[ECCTL_ID_HEX];
		ecctl_id_format(&b->parts[i].token, hex);
		if (json_array_append_new(list, json_string(hex)) != 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

/* Submits b and reports: out is the command's result object (taken),
 * completed with "block", "status", "witnesses" and, with --wait,
 * "committed" and "committed_ms".  It is printed once the block is out,
 * also when the wait runs out (with "committed": false, and exit status
 * 1). */
static int
submit_and_report(ecctl_session *s, const ecp_block *b, json_t *out)
{
	char hex[ECCTL_ID_HEX];
	ecctl_id_format(&b->id, hex);
	char *status = NULL;
	int64_t start = now_ms();
	int rc = out ? submit(s, b, &status) : ecctl_fail("out of memory");
	json_t *head = NULL;
	if (!rc) {
		head = json_pack("{s:s,s:s}", "block", hex, "status", status);
		/* set_new takes the list, NULL (out of memory) included */
		if (!head || json_object_set_new(head, "witnesses", witness_list(b)) != 0 ||
		    json_object_update(head, out) != 0)
			rc = ecctl_fail("out of memory");
	}
	free(status);
	json_decref(out);
	if (rc) {
		json_decref(head);
		return rc;
	}
	if (s->o->wait_ms >= 0) {
		int64_t ms = 0;
		rc = wait_commit(s, &b->id, start, s->o->wait_ms, &ms);
		json_object_set_new(head, "committed", json_boolean(!rc));
		if (!rc)
			json_object_set_new(head, "committed_ms", json_integer(ms));
	}
	if (s->o->json)
		ecctl_print_json(head);
	else
		ecctl_print_flat(head);
	json_decref(head);
	int frc = ecctl_finish_output();
	return rc ? rc : frc;
}

/* ---- create ----------------------------------------------------------- */

int
ecctl_cmd_create(ecctl_session *s)
{
	const ecctl_opts *o = s->o;
	ec_id tokens[ECP_MAX_PARTS];
	for (uint32_t i = 0; i < o->ntokens; i++) {
		if (!ecctl_id_parse(o->tokens[i], &tokens[i]) || ec_id_is_zero(&tokens[i]))
			return ecctl_usage_error("create: --token: expected a non-zero id of 64 hex "
			                         "digits, got '%s'",
			                         o->tokens[i]);
		for (uint32_t j = 0; j < i; j++)
			if (ec_id_eq(&tokens[i], &tokens[j]))
				return ecctl_usage_error("create: token %s given twice", o->tokens[i]);
	}
	uint32_t n = o->count ? o->count : o->ntokens ? o->ntokens : 1;
	if (n < o->ntokens)
		return ecctl_usage_error("create: --count %u is less than the %u tokens given", n,
		                         o->ntokens);
	if (n > ECP_MAX_PARTS - o->witnesses)
		return ecctl_usage_error("create: %u tokens and %u witness parts are more than the %u "
		                         "parts a block may have",
		                         n, o->witnesses, ECP_MAX_PARTS);
	ecctl_wallet w;
	int rc = load_wallet(o->wallet, &w);
	if (rc)
		return rc;
	ec_id owner;
	ecctl_wallet_key_hash(&w, &owner);
	ecctl_wallet_wipe(&w); /* a create is not signed */
	for (uint32_t i = o->ntokens; i < n; i++) {
		bool fresh;
		do { /* 2^-256 apart, but a repeat would make the block invalid */
			ecctl_token_random(&tokens[i]);
			fresh = true;
			for (uint32_t j = 0; j < i; j++)
				fresh = fresh && !ec_id_eq(&tokens[i], &tokens[j]);
		} while (!fresh);
	}
	uint64_t tick;
	rc = node_tick(s, &tick);
	if (rc)
		return rc;
	ecp_block *b;
	if (ecctl_block_create(tick, tokens, n, o->witnesses, &owner, &b) != EC_OK)
		return ecctl_fail("cannot build the block (out of memory)");
	json_t *list = json_array();
	for (uint32_t i = 0; list && i < b->nparts; i++) {
		char hex[ECCTL_ID_HEX];
		if (ecctl_part_is_witness(&b->parts[i]))
			continue; /* listed as "witnesses": nobody owns them */
		ecctl_id_format(&b->parts[i].token, hex);
		json_array_append_new(list, json_string(hex));
	}
	char kh[ECCTL_ID_HEX];
	ecctl_id_format(&owner, kh);
	json_t *out = list ? json_pack("{s:o,s:s}", "tokens", list, "owner", kh) : NULL;
	rc = submit_and_report(s, b, out);
	free(b);
	return rc;
}

/* ---- transfer, rekey, destroy --------------------------------------------- */

/* Moves the positional TOKEN to next_key (zero: destroy), signed by the
 * wallet; extra (taken; may be NULL) joins the output. */
static int
change(ecctl_session *s, const ec_id *token, const ec_id *next_key, json_t *extra)
{
	ecctl_wallet w;
	int rc = load_wallet(s->o->wallet, &w);
	ecp_block *parent = NULL, *b = NULL;
	uint64_t tick = 0;
	if (!rc)
		rc = fetch_parent(s, token, &parent);
	if (!rc)
		rc = check_owner(parent, token, &w);
	if (!rc)
		rc = node_tick(s, &tick);
	/* a token's blocks must grow in time: members never move a mapping
	 * to a block older than the one they hold, and nodes' clocks differ
	 * (each counts its own ticks), so a block built at a node whose clock
	 * is behind the parent's would commit and be ignored by the members */
	if (!rc && tick <= parent->time)
		tick = parent->time + 1;
	if (!rc) {
		ec_verdict v;
		if (ecctl_block_change(tick, token, parent, next_key, s->o->witnesses, &w, &b, &v) !=
		    EC_OK)
			rc = ecctl_fail("cannot build the block (out of memory)");
		else if (v != EC_ACCEPT)
			rc = ecctl_fail("the block fails its own check: %s", ec_verdict_str(v));
	}
	ecctl_wallet_wipe(&w);
	if (!rc) {
		char thex[ECCTL_ID_HEX], khex[ECCTL_ID_HEX], phex[ECCTL_ID_HEX];
		ecctl_id_format(token, thex);
		ecctl_id_format(next_key, khex);
		ecctl_id_format(&parent->id, phex);
		json_t *out = json_pack("{s:s,s:s,s:s}", "token", thex, "parent", phex, "next_key",
		                        khex);
		if (out && extra)
			json_object_update(out, extra);
		rc = submit_and_report(s, b, out);
	}
	json_decref(extra);
	free(parent);
	free(b);
	return rc;
}

static int
token_arg(const ecctl_session *s, const char *cmd, ec_id *token)
{
	if (!ecctl_id_parse(s->o->arg, token) || ec_id_is_zero(token))
		return ecctl_usage_error("%s: expected a token id of 64 hex digits, got '%s'", cmd,
		                         s->o->arg);
	return ECCTL_EXIT_OK;
}

int
ecctl_cmd_transfer(ecctl_session *s)
{
	ec_id token, to;
	int rc = token_arg(s, "transfer", &token);
	if (rc)
		return rc;
	if (!s->o->to)
		return ecctl_usage_error("transfer: --to KEYHASH is required");
	if (!ecctl_id_parse(s->o->to, &to))
		return ecctl_usage_error("transfer: --to: expected a key hash of 64 hex digits, "
		                         "got '%s'",
		                         s->o->to);
	if (ec_id_is_zero(&to))
		return ecctl_usage_error("transfer: --to: the zero key hash destroys the token "
		                         "(use 'ecctl destroy')");
	return change(s, &token, &to, NULL);
}

int
ecctl_cmd_rekey(ecctl_session *s)
{
	ec_id token, kh, old;
	int rc = token_arg(s, "rekey", &token);
	if (rc)
		return rc;
	const char *path = s->o->new_wallet;
	if (!path || !*path)
		return ecctl_usage_error("rekey: --new-wallet FILE is required");
	ecctl_wallet cur, nw;
	rc = load_wallet(s->o->wallet, &cur);
	if (rc)
		return rc;
	ecctl_wallet_key_hash(&cur, &old);
	ecctl_wallet_wipe(&cur);
	bool created = false;
	ecctl_wallet_status st = ecctl_wallet_load(path, &nw);
	if (st == ECCTL_WALLET_NOT_FOUND) {
		ecctl_wallet_generate(&nw);
		st = ecctl_wallet_save(&nw, path, false);
		created = st == ECCTL_WALLET_OK;
	}
	if (st == ECCTL_WALLET_IO)
		return ecctl_fail("new wallet %s: %s", path, strerror(errno));
	if (st)
		return ecctl_fail("new wallet %s: %s", path, ecctl_wallet_strerror(st));
	ecctl_wallet_key_hash(&nw, &kh);
	char pk[2 * EC_SIG_PK_BYTES + 1];
	ec_hex_encode(nw.pk, sizeof nw.pk, pk);
	ecctl_wallet_wipe(&nw);
	if (ec_id_eq(&kh, &old))
		return ecctl_usage_error("rekey: the new wallet %s holds the current key", path);
	json_t *extra = json_pack("{s:s,s:s,s:b}", "new_wallet", path, "new_pk", pk,
	                          "new_wallet_created", created);
	return change(s, &token, &kh, extra);
}

int
ecctl_cmd_destroy(ecctl_session *s)
{
	ec_id token, zero = {{0, 0, 0, 0}};
	int rc = token_arg(s, "destroy", &token);
	if (rc)
		return rc;
	return change(s, &token, &zero, NULL);
}
