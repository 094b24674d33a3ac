/* SPDX-License-Identifier: MIT */
/* ecnode's JSON-RPC server (rpcsrv.h). */
#include "rpcsrv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "ec/hex.h"
#include "ecsim_version.h"
#include "net/addr.h"
#include "netio.h"
#include "ops/rpc.h"

typedef struct conn {
	uv_pipe_t h;
	ecn_rpcsrv *srv;
	ecn_framer fr;
	ecn_rpc_ctx ctx;
	struct conn *prev, *next;
	bool closing;
	char rbuf[65536];
} conn;

struct ecn_rpcsrv {
	ecn_daemon *d;
	uv_pipe_t server;
	bool listening;
	char *path;
	conn *conns;
	size_t nconns;
};

/* ---- JSON helpers ------------------------------------------------------ */

static json_t *
hex_json(const uint8_t *b, size_t n)
{
	char text[2 * 32 + 1];
	if (n > 32)
		return NULL;
	ec_hex_encode(b, n, text);
	return json_string(text);
}

static json_t *
id_json(const ec_id *id)
{
	uint8_t b[32];
	ec_id_to_bytes(id, b);
	return hex_json(b, 32);
}

static json_t *
pos_json(uint64_t pos)
{
	char text[17];
	snprintf(text, sizeof text, "%016llx", (unsigned long long)pos);
	return json_string(text);
}

static json_t *
addr_json(const ec_addr *a)
{
	char text[ECN_ADDR_TEXT_MAX];
	return json_string(ecn_addr_format(a, text, sizeof text) == EC_OK ? text : "");
}

/* ---- methods ----------------------------------------------------------- */

static bool
no_params(json_t *params, ecn_rpc_error *err)
{
	return ecn_rpc_params_object(params, NULL, 0, err);
}

static json_t *
drops_json(ecn_daemon *d)
{
	json_t *o = json_object();
	const char *names[64];
	uint64_t counts[64];
	size_t n = ecn_netio_drops(d->net, names, counts, 64);
	for (size_t i = 0; i < n && i < 64; i++)
		if (counts[i])
			json_object_set_new(o, names[i], json_integer((json_int_t)counts[i]));
	static const char *const rt_names[] = {"ok", "payload_short", "payload_decode",
	                                       "sender_mismatch", "payload_nomem"};
	for (int r = 1; r <= ECN_RT_NOMEM; r++)
		if (d->rt.drops[r])
			json_object_set_new(o, rt_names[r], json_integer((json_int_t)d->rt.drops[r]));
	return o;
}

static bool
m_status(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	ecn_daemon *d = ctx->user;
	if (!no_params(params, err))
		return false;
	ec_node_status st = {0};
	if (d->join == JOIN_DONE)
		ecn_rt_status(&d->rt, &st);
	ecn_lmstore_stat ls = {0};
	if (!ecn_lmstore_failed(d->store) && ecn_lmstore_stats(d->store, &ls) != EC_OK)
		memset(&ls, 0, sizeof ls);
	uint64_t items_out = 0, items_in = 0, pending = 0, peer_in = 0, peer_out = 0;
	for (int k = 1; k < ECN_RT_KINDS; k++) {
		items_out += d->rt.items_out[k];
		items_in += d->rt.items_in[k];
		if (k >= ECP_FIND) { /* peer management (catch-up answers too) */
			peer_out += d->rt.items_out[k];
			peer_in += d->rt.items_in[k];
		}
	}
	pending = d->nmine;
	ecn_netio_figures f;
	ecn_netio_figures_get(d->net, &f);
	json_t *store = json_pack("{sIsIsIsI}", "tokens", (json_int_t)ls.tokens, "blocks",
	                          (json_int_t)ls.blocks, "bytes", (json_int_t)ls.used_bytes,
	                          "map_bytes", (json_int_t)ls.map_bytes);
	json_t *r = json_pack(
	    "{ss so so sb sI sI sI ss sI sI sI so sI sI sI sI sI so}", "version", ECSIM_VERSION, "id",
	    pos_json(d->keys.pos), "pk", hex_json(d->keys.claim.public_key, 32), "ready", st.ready,
	    "tick", (json_int_t)(d->join == JOIN_DONE ? ecn_rt_now(&d->rt) : 0), "tick_ms",
	    (json_int_t)d->cfg->tick_ms, "peers", (json_int_t)st.npeers, "listen", d->cfg->listen,
	    "submitted", (json_int_t)d->submitted, "committed", (json_int_t)d->committed_mine,
	    "pending", (json_int_t)pending, "store", store, "commits", (json_int_t)d->commits,
	    "messages_in", (json_int_t)items_in, "messages_out", (json_int_t)items_out,
	    "datagrams_in", (json_int_t)f.dgrams_in, "datagrams_out", (json_int_t)f.dgrams_out,
	    "drops", drops_json(d));
	if (!r)
		return ecn_rpc_fail(err, ECN_RPC_INTERNAL_ERROR, NULL, "out of memory");
	json_object_set_new(r, "lifecycle_in", json_integer((json_int_t)peer_in));
	json_object_set_new(r, "lifecycle_out", json_integer((json_int_t)peer_out));
	*result = r;
	return true;
}

static bool
m_peers(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	ecn_daemon *d = ctx->user;
	if (!no_params(params, err))
		return false;
	json_t *list = json_array();
	ec_node_status st = {0};
	if (d->join == JOIN_DONE)
		ecn_rt_status(&d->rt, &st);
	for (size_t i = 0; list && i < st.npeers; i++) {
		uint8_t pk[32];
		ec_addr a = {0};
		bool known = ecn_netio_peer(d->net, st.peers[i], pk, &a);
		if (!a.len)
			(void)d->rt.proto->open->address(d->rt.node, st.peers[i], &a);
		json_t *p = json_pack("{so so}", "id", pos_json(st.peers[i]), "addr", addr_json(&a));
		if (p && known)
			json_object_set_new(p, "pk", hex_json(pk, 32));
		json_array_append_new(list, p);
	}
	*result = json_pack("{so}", "peers", list);
	return *result ? true : ecn_rpc_fail(err, ECN_RPC_INTERNAL_ERROR, NULL, "out of memory");
}

static bool
m_token(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	ecn_daemon *d = ctx->user;
	static const char *const allowed[] = {"id"};
	uint8_t b[32];
	if (!ecn_rpc_params_object(params, allowed, 1, err) ||
	    !ecn_rpc_param_hex(params, "id", 32, b, err))
		return false;
	ec_id tok = ec_id_from_bytes(b), blk;
	uint64_t time;
	if (!ecn_lmstore_ops()->xtoken_get(d->store, &tok, &blk, &time))
		return ecn_rpc_fail(err, ECN_RPC_NOT_FOUND, NULL, "no mapping of this token here");
	*result = json_pack("{so so sI}", "token", id_json(&tok), "block", id_json(&blk), "time",
	                    (json_int_t)time);
	return *result ? true : ecn_rpc_fail(err, ECN_RPC_INTERNAL_ERROR, NULL, "out of memory");
}

static json_t *
block_json(const ecp_block *b, const ecp_cert *c)
{
	json_t *parts = json_array(), *cert = json_array();
	for (uint32_t i = 0; i < b->nparts; i++) {
		const ecp_part *p = &b->parts[i];
		char sig[129];
		ec_hex_encode(p->sig, 64, sig);
		json_array_append_new(parts, json_pack("{so so so so ss}", "token", id_json(&p->token),
		                                       "parent", id_json(&p->parent), "next_key",
		                                       id_json(&p->next_key), "signer",
		                                       hex_json(p->signer, 32), "sig", sig));
	}
	for (uint32_t i = 0; c && i < c->n; i++)
		json_array_append_new(cert, json_pack("{so si si sI}", "voter", pos_json(c->v[i].voter),
		                                      "role", (int)c->v[i].role, "value",
		                                      (int)c->v[i].value, "stamp",
		                                      (json_int_t)c->v[i].stamp));
	size_t size = ec_wire_block_size(b->nparts), len;
	uint8_t *enc = malloc(size);
	char *hex = malloc(2 * size + 1);
	json_t *r = NULL;
	if (enc && hex && ec_wire_block_encode(b, enc, size, &len) == EC_OK) {
		ec_hex_encode(enc, len, hex);
		r = json_pack("{so sI so so ss}", "id", id_json(&b->id), "time", (json_int_t)b->time,
		              "parts", parts, "cert", cert, "encoding", hex);
		parts = cert = NULL;
	}
	json_decref(parts);
	json_decref(cert);
	free(enc);
	free(hex);
	return r;
}

static bool
m_block(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	ecn_daemon *d = ctx->user;
	static const char *const allowed[] = {"id"};
	uint8_t b[32];
	if (!ecn_rpc_params_object(params, allowed, 1, err) ||
	    !ecn_rpc_param_hex(params, "id", 32, b, err))
		return false;
	ec_id id = ec_id_from_bytes(b);
	const ecp_block *blk;
	const ecp_cert *cert;
	if (!ecn_lmstore_ops()->xblock_get(d->store, &id, &blk, &cert) || !blk)
		return ecn_rpc_fail(err, ECN_RPC_NOT_FOUND, NULL, "this block is not committed here");
	*result = block_json(blk, cert);
	return *result ? true : ecn_rpc_fail(err, ECN_RPC_INTERNAL_ERROR, NULL, "out of memory");
}

static bool
m_submit(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	ecn_daemon *d = ctx->user;
	static const char *const allowed[] = {"block"};
	size_t cap = ec_wire_block_size(ECP_MAX_PARTS), len;
	uint8_t *enc = malloc(cap);
	if (!enc)
		return ecn_rpc_fail(err, ECN_RPC_INTERNAL_ERROR, NULL, "out of memory");
	if (!ecn_rpc_params_object(params, allowed, 1, err) ||
	    !ecn_rpc_param_hex_var(params, "block", cap, enc, &len, err)) {
		free(enc);
		return false;
	}
	ec_id id;
	ec_wire_reason why = EC_WIRE_OK;
	bool held;
	ec_err e = ecn_daemon_submit(d, enc, len, &id, &why, &held);
	free(enc);
	if (e == EC_EINVAL)
		return ecn_rpc_fail(err, ECN_RPC_INVALID_PARAMS, NULL,
		                    "Invalid params: block: %s", ec_wire_reason_str(why));
	if (e == EC_ERANGE)
		return ecn_rpc_fail(err, ECN_RPC_INVALID_PARAMS, NULL,
		                    "Invalid params: block: more than %u parts, which no commit "
		                    "certificate of this network could carry in a datagram",
		                    (unsigned)ecn_rt_max_parts(&d->rt));
	if (e == EC_EIO)
		return ecn_rpc_fail(err, ECN_RPC_NOT_READY, NULL, "the node has not joined yet");
	if (e)
		return ecn_rpc_fail(err, ECN_RPC_INTERNAL_ERROR, NULL, "submit: %s", ec_strerror(e));
	*result = json_pack("{so ss}", "id", id_json(&id), "status", held ? "held" : "submitted");
	return *result ? true : ecn_rpc_fail(err, ECN_RPC_INTERNAL_ERROR, NULL, "out of memory");
}

static bool
m_watch(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	if (!no_params(params, err))
		return false;
	ctx->watch = true;
	*result = json_pack("{sb}", "watching", 1);
	return *result != NULL;
}

static bool
m_stop(ecn_rpc_ctx *ctx, json_t *params, json_t **result, ecn_rpc_error *err)
{
	if (!no_params(params, err))
		return false;
	ecn_daemon_stop(ctx->user, 0, "rpc stop");
	*result = json_pack("{sb}", "stopping", 1);
	return *result != NULL;
}

static const ecn_rpc_method methods[] = {
    {"status", m_status}, {"peers", m_peers}, {"token", m_token}, {"block", m_block},
    {"submit", m_submit}, {"watch", m_watch}, {"stop", m_stop},
};

/* ---- connections ------------------------------------------------------- */

static void
conn_closed(uv_handle_t *h)
{
	conn *c = h->data;
	ecn_framer_fini(&c->fr);
	free(c);
}

static void
conn_close(conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	ecn_rpcsrv *s = c->srv;
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	uv_close((uv_handle_t *)&c->h, conn_closed);
}

typedef struct wreq {
	uv_write_t w;
	char *line;
	bool close_after;
	conn *c;
} wreq;

static void
written(uv_write_t *w, int status)
{
	wreq *r = w->data;
	if ((status || r->close_after) && !r->c->closing)
		conn_close(r->c);
	free(r->line);
	free(r);
}

/* Queues line (taken) on c; closes c when its reader falls too far
 * behind. */
static void
conn_write(conn *c, char *line, bool close_after)
{
	if (c->closing || uv_stream_get_write_queue_size((uv_stream_t *)&c->h) > ECN_RPC_BACKLOG) {
		free(line);
		conn_close(c);
		return;
	}
	wreq *r = malloc(sizeof *r);
	if (!r) {
		free(line);
		conn_close(c);
		return;
	}
	*r = (wreq){.line = line, .close_after = close_after, .c = c};
	r->w.data = r;
	uv_buf_t b = uv_buf_init(line, (unsigned)strlen(line));
	if (uv_write(&r->w, (uv_stream_t *)&c->h, &b, 1, written)) {
		free(line);
		free(r);
		conn_close(c);
	}
}

static void
conn_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	(void)hint;
	conn *c = h->data;
	*buf = uv_buf_init(c->rbuf, sizeof c->rbuf);
}

static void
conn_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	conn *c = st->data;
	if (n < 0) {
		conn_close(c);
		return;
	}
	if (c->closing)
		return;
	if (ecn_framer_feed(&c->fr, buf->base, (size_t)n) == EC_ERANGE) {
		char *line = ecn_rpc_error_line(ECN_RPC_INVALID_REQUEST, NULL, "line too long");
		uv_read_stop(st);
		if (line)
			conn_write(c, line, true);
		else
			conn_close(c);
		return;
	}
	char *line;
	size_t len;
	while (!c->closing && ecn_framer_next(&c->fr, &line, &len) == EC_OK && line) {
		char *resp = NULL;
		if (ecn_rpc_dispatch(methods, sizeof methods / sizeof *methods, &c->ctx, line, len,
		                     &resp) != EC_OK) {
			conn_close(c);
			return;
		}
		if (resp)
			conn_write(c, resp, false);
	}
}

static void
on_connection(uv_stream_t *server, int status)
{
	ecn_rpcsrv *s = server->data;
	if (status < 0)
		return;
	conn *c = calloc(1, sizeof *c);
	if (!c)
		return;
	uv_pipe_init(server->loop, &c->h, 0);
	c->h.data = c;
	c->srv = s;
	ecn_framer_init(&c->fr, 0);
	c->ctx.user = s->d;
	c->ctx.conn = c;
	if (uv_accept(server, (uv_stream_t *)&c->h) || s->nconns >= ECN_RPC_CONNS) {
		uv_close((uv_handle_t *)&c->h, conn_closed);
		return;
	}
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	if (uv_read_start((uv_stream_t *)&c->h, conn_alloc, conn_read))
		conn_close(c);
}

void
ecn_rpc_notify_commit(ecn_rpcsrv *s, const ecn_rpc_commit_note *note)
{
	if (!s)
		return;
	for (conn *c = s->conns, *next; c; c = next) {
		next = c->next;
		if (!c->ctx.watch)
			continue;
		json_t *p = json_pack("{so sI sI sb}", "block", note->id ? id_json(note->id) : pos_json(note->pos),
		                      "tick", (json_int_t)note->tick, "time_ms", (json_int_t)note->ms,
		                      "mine", note->mine);
		if (p && note->mine) {
			json_object_set_new(p, "latency_ticks", json_integer((json_int_t)note->latency_ticks));
			json_object_set_new(p, "latency_ms", json_integer((json_int_t)note->latency_ms));
		}
		char *line = p ? ecn_rpc_notification_line("commit", p) : NULL;
		if (line)
			conn_write(c, line, false);
	}
}

/* ---- the listener ------------------------------------------------------ */

ec_err
ecn_rpcsrv_open(ecn_daemon *d, const char *path, ecn_rpcsrv **out, char *err, size_t errlen)
{
	*out = NULL;
	struct stat sb;
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket", path);
			return EC_EIO;
		}
		unlink(path); /* a stale socket of an earlier run */
	}
	ecn_rpcsrv *s = calloc(1, sizeof *s);
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return EC_ENOMEM;
	}
	s->d = d;
	uv_pipe_init(&d->loop, &s->server, 0);
	s->server.data = s;
	s->listening = true;
	*out = s;
	mode_t old = umask(0177); /* the socket file is born 0600 */
	int r = uv_pipe_bind(&s->server, path);
	umask(old);
	if (!r)
		r = uv_listen((uv_stream_t *)&s->server, 16, on_connection);
	if (r) {
		snprintf(err, errlen, "%s: %s", path, uv_strerror(r));
		return EC_EIO;
	}
	return EC_OK;
}

static void
server_closed(uv_handle_t *h)
{
	(void)h;
}

void
ecn_rpcsrv_close(ecn_rpcsrv *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_close(s->conns);
	if (s->listening && !uv_is_closing((uv_handle_t *)&s->server)) {
		uv_close((uv_handle_t *)&s->server, server_closed);
		unlink(s->path);
	}
}

void
ecn_rpcsrv_free(ecn_rpcsrv *s)
{
	if (!s)
		return;
	free(s->path);
	free(s);
}
