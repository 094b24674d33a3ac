/* SPDX-License-Identifier: MIT */
/* ecnode's figures and its Prometheus endpoint (stats.h). */
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "net/addr.h"
#include "netio.h"
#include "ops/metrics.h"

/* A counter copied from a source that counts on its own. */
typedef struct mirror {
	ecn_counter *c;
	uint64_t last;
} mirror;

#define MAX_DROPS 64u

static const char *const kind_names[ECN_RT_KINDS] = {
    "none", "block", "vote", "commit", "blocked", "poll", "fetch", "withdraw", "withdrawn",
    "find", "peers", "hello", "welcome", "ping", "bye", "sync", "synced", "audit", "proof",
    "accuse", "sync_commit"};
_Static_assert(ECP_KIND_MAX == ECP_ACCUSE && ECP_ACCUSE == 19 && ECN_RT_KINDS == 21,
               "a kind without a name");

struct ecn_stats {
	ecn_daemon *d;
	ecn_metrics *m;
	mirror in[ECN_RT_KINDS], out[ECN_RT_KINDS];
	mirror dg_in, dg_out, by_in, by_out, commits, submitted, mine, rt_drop[ECN_RT_NOMEM + 1];
	mirror drops[MAX_DROPS];
	const char *drop_names[MAX_DROPS];
	size_t ndrops;
	ecn_counter *events[EC_EV_COUNT];
	ecn_gauge *peers, *ready, *clock, *store_bytes, *map_bytes, *tokens, *blocks, *intern_bytes,
	    *tpeers;
	ecn_histogram *lat_ms, *lat_ticks, *commit_us;
	/* the HTTP endpoint */
	uv_tcp_t server;
	bool listening;
};

static void
sync_mirror(mirror *m, uint64_t now)
{
	if (now > m->last)
		ecn_counter_add(m->c, now - m->last);
	m->last = now;
}

static ec_err
counter(ecn_stats *s, const char *name, const char *help, const char *lname, const char *lval,
        ecn_counter **out)
{
	ecn_label l = {lname, lval};
	return ecn_metrics_counter(s->m, name, help, lname ? &l : NULL, lname ? 1 : 0, out);
}

static ec_err
gauge(ecn_stats *s, const char *name, const char *help, ecn_gauge **out)
{
	return ecn_metrics_gauge(s->m, name, help, NULL, 0, out);
}

static ec_err
register_all(ecn_stats *s)
{
	ec_err e = EC_OK;
	for (int k = 1; !e && k < ECN_RT_KINDS; k++) {
		e = counter(s, "ecnode_messages_in_total", "Logical messages received, by kind.",
		            "kind", kind_names[k], &s->in[k].c);
		if (!e)
			e = counter(s, "ecnode_messages_out_total", "Logical messages sent, by kind.",
			            "kind", kind_names[k], &s->out[k].c);
	}
	static const char *const rt_names[] = {"ok", "payload_short", "payload_decode",
	                                       "sender_mismatch", "payload_nomem"};
	for (int r = 1; !e && r <= ECN_RT_NOMEM; r++)
		e = counter(s, "ecnode_datagrams_dropped_total",
		            "Datagrams or payloads dropped, by reason.", "reason", rt_names[r],
		            &s->rt_drop[r].c);
	const char *names[MAX_DROPS];
	uint64_t counts[MAX_DROPS];
	s->ndrops = ecn_netio_drops(s->d->net, names, counts, MAX_DROPS);
	if (s->ndrops > MAX_DROPS)
		s->ndrops = MAX_DROPS;
	for (size_t i = 0; !e && i < s->ndrops; i++) {
		s->drop_names[i] = names[i];
		e = counter(s, "ecnode_datagrams_dropped_total",
		            "Datagrams or payloads dropped, by reason.", "reason", names[i],
		            &s->drops[i].c);
	}
	static const char *const ev_names[EC_EV_COUNT] = {
	    [EC_EV_COMMIT] = "commit", [EC_EV_REJECT] = "reject", [EC_EV_VOTE_CAST] = "vote_cast",
	    [EC_EV_EXPIRED] = "expired", [EC_EV_VOTE_CONFLICT] = "vote_conflict",
	    [EC_EV_AUDIT] = "audit", [EC_EV_POOL_FULL] = "pool_full", [EC_EV_CONVICT] = "convict"};
	for (int v = 1; !e && v < EC_EV_COUNT; v++)
		if (ev_names[v])
			e = counter(s, "ecnode_events_total", "Node events, by kind.", "event",
			            ev_names[v], &s->events[v]);
	if (!e)
		e = counter(s, "ecnode_datagrams_in_total", "UDP datagrams received.", NULL, NULL,
		            &s->dg_in.c);
	if (!e)
		e = counter(s, "ecnode_datagrams_out_total", "UDP datagrams sent.", NULL, NULL,
		            &s->dg_out.c);
	if (!e)
		e = counter(s, "ecnode_bytes_in_total", "UDP bytes received.", NULL, NULL, &s->by_in.c);
	if (!e)
		e = counter(s, "ecnode_bytes_out_total", "UDP bytes sent.", NULL, NULL, &s->by_out.c);
	if (!e)
		e = counter(s, "ecnode_commits_total", "Blocks committed at this node.", NULL, NULL,
		            &s->commits.c);
	if (!e)
		e = counter(s, "ecnode_submitted_total", "Blocks submitted through this node.", NULL,
		            NULL, &s->submitted.c);
	if (!e)
		e = counter(s, "ecnode_committed_mine_total",
		            "Blocks submitted through this node that committed.", NULL, NULL,
		            &s->mine.c);
	if (!e)
		e = gauge(s, "ecnode_peers", "Admitted peers of the node.", &s->peers);
	if (!e)
		e = gauge(s, "ecnode_transport_peers", "Peers the transport holds keys for.",
		          &s->tpeers);
	if (!e)
		e = gauge(s, "ecnode_ready", "1 when the node is caught up and votes.", &s->ready);
	if (!e)
		e = gauge(s, "ecnode_clock_ticks", "The node's logical clock.", &s->clock);
	if (!e)
		e = gauge(s, "ecnode_store_bytes", "Bytes the LMDB store uses.", &s->store_bytes);
	if (!e)
		e = gauge(s, "ecnode_store_map_bytes", "The LMDB map size (the most it may use).",
		          &s->map_bytes);
	if (!e)
		e = gauge(s, "ecnode_store_tokens", "Token mappings stored.", &s->tokens);
	if (!e)
		e = gauge(s, "ecnode_store_blocks", "Committed blocks stored.", &s->blocks);
	if (!e)
		e = gauge(s, "ecnode_intern_bytes", "Bytes of message bodies the node keeps.",
		          &s->intern_bytes);
	static const double ms_bounds[] = {50, 100, 200, 300, 400, 500, 750, 1000, 1500, 2000,
	                                   3000, 5000, 10000, 30000};
	static const double tick_bounds[] = {2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 20, 32, 64, 128};
	static const double us_bounds[] = {50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000,
	                                   50000, 100000, 250000, 1000000};
	if (!e)
		e = ecn_metrics_histogram(s->m, "ecnode_commit_latency_ms",
		                          "Submit to commit of this node's blocks, milliseconds.",
		                          NULL, 0, ms_bounds, sizeof ms_bounds / sizeof *ms_bounds,
		                          &s->lat_ms);
	if (!e)
		e = ecn_metrics_histogram(s->m, "ecnode_commit_latency_ticks",
		                          "Submit to commit of this node's blocks, ticks.", NULL, 0,
		                          tick_bounds, sizeof tick_bounds / sizeof *tick_bounds,
		                          &s->lat_ticks);
	if (!e)
		e = ecn_metrics_histogram(s->m, "ecnode_store_commit_us",
		                          "Time of one tick's durable store commit, microseconds.",
		                          NULL, 0, us_bounds, sizeof us_bounds / sizeof *us_bounds,
		                          &s->commit_us);
	return e;
}

static void
sync_all(ecn_stats *s)
{
	ecn_daemon *d = s->d;
	for (int k = 1; k < ECN_RT_KINDS; k++) {
		sync_mirror(&s->in[k], d->rt.items_in[k]);
		sync_mirror(&s->out[k], d->rt.items_out[k]);
	}
	for (int r = 1; r <= ECN_RT_NOMEM; r++)
		sync_mirror(&s->rt_drop[r], d->rt.drops[r]);
	const char *names[MAX_DROPS];
	uint64_t counts[MAX_DROPS];
	size_t n = ecn_netio_drops(d->net, names, counts, MAX_DROPS);
	for (size_t i = 0; i < n && i < s->ndrops; i++)
		sync_mirror(&s->drops[i], counts[i]);
	ecn_netio_figures f;
	ecn_netio_figures_get(d->net, &f);
	sync_mirror(&s->dg_in, f.dgrams_in);
	sync_mirror(&s->dg_out, f.dgrams_out);
	sync_mirror(&s->by_in, f.bytes_in);
	sync_mirror(&s->by_out, f.bytes_out);
	sync_mirror(&s->commits, d->commits);
	sync_mirror(&s->submitted, d->submitted);
	sync_mirror(&s->mine, d->committed_mine);
	ecn_gauge_set(s->tpeers, (double)f.peers);
	ecn_lmstore_stat st;
	if (!ecn_lmstore_failed(d->store) && ecn_lmstore_stats(d->store, &st) == EC_OK) {
		ecn_gauge_set(s->store_bytes, (double)st.used_bytes);
		ecn_gauge_set(s->map_bytes, (double)st.map_bytes);
		ecn_gauge_set(s->tokens, (double)st.tokens);
		ecn_gauge_set(s->blocks, (double)st.blocks);
	}
	uint64_t bodies, bytes;
	ecn_intern_stats(d->rt.intern, &bodies, &bytes);
	ecn_gauge_set(s->intern_bytes, (double)bytes);
}

void
ecn_stats_event(ecn_stats *s, ec_event ev, uint64_t arg)
{
	(void)arg;
	if (s && ev > 0 && ev < EC_EV_COUNT)
		ecn_counter_inc(s->events[ev]);
}

void
ecn_stats_latency(ecn_stats *s, uint64_t ms, uint64_t ticks)
{
	if (!s)
		return;
	ecn_histogram_observe(s->lat_ms, (double)ms);
	ecn_histogram_observe(s->lat_ticks, (double)ticks);
}

void
ecn_stats_commit_time(ecn_stats *s, uint64_t us)
{
	if (s)
		ecn_histogram_observe(s->commit_us, (double)us);
}

void
ecn_stats_tick(ecn_stats *s)
{
	if (!s)
		return;
	ec_node_status st;
	ecn_rt_status(&s->d->rt, &st);
	ecn_gauge_set(s->peers, (double)st.npeers);
	ecn_gauge_set(s->ready, st.ready ? 1.0 : 0.0);
	ecn_gauge_set(s->clock, (double)ecn_rt_now(&s->d->rt));
}

char *
ecn_stats_render(ecn_stats *s)
{
	sync_all(s);
	ecn_buf b = {0};
	if (ecn_metrics_render(s->m, &b) != EC_OK) {
		ecn_buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* ---- the HTTP endpoint ------------------------------------------------- */

typedef struct http_conn {
	uv_tcp_t h;
	ecn_stats *s;
	char buf[ECN_HTTP_HEAD_MAX];
	size_t len;
	uv_write_t w;
	char *reply;
	bool answered;
} http_conn;

static void
conn_closed(uv_handle_t *h)
{
	http_conn *c = h->data;
	free(c->reply);
	free(c);
}

static void
conn_written(uv_write_t *w, int status)
{
	(void)status;
	http_conn *c = w->data;
	uv_close((uv_handle_t *)&c->h, conn_closed);
}

static void
conn_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	(void)hint;
	http_conn *c = h->data;
	*buf = uv_buf_init(c->buf + c->len, (unsigned)(sizeof c->buf - c->len));
}

static void
answer(http_conn *c, const char *status, const char *type, const char *body)
{
	size_t blen = strlen(body), cap = blen + 256;
	c->reply = malloc(cap);
	if (!c->reply) {
		uv_close((uv_handle_t *)&c->h, conn_closed);
		return;
	}
	int n = snprintf(c->reply, cap,
	                 "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	                 "Connection: close\r\n\r\n",
	                 status, type, blen);
	memcpy(c->reply + n, body, blen);
	uv_buf_t b = uv_buf_init(c->reply, (unsigned)((size_t)n + blen));
	c->answered = true;
	c->w.data = c;
	uv_read_stop((uv_stream_t *)&c->h);
	if (uv_write(&c->w, (uv_stream_t *)&c->h, &b, 1, conn_written))
		uv_close((uv_handle_t *)&c->h, conn_closed);
}

static void
conn_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	(void)buf;
	http_conn *c = st->data;
	if (c->answered)
		return;
	if (n < 0) {
		uv_close((uv_handle_t *)&c->h, conn_closed);
		return;
	}
	c->len += (size_t)n;
	ecn_http_request rq;
	switch (ecn_http_parse_request_line(c->buf, c->len, &rq)) {
	case ECN_HTTP_INCOMPLETE:
		if (c->len == sizeof c->buf)
			answer(c, "431 Request Header Fields Too Large", "text/plain", "too long\n");
		return;
	case ECN_HTTP_BAD: answer(c, "400 Bad Request", "text/plain", "bad request\n"); return;
	case ECN_HTTP_TOO_LONG: answer(c, "414 URI Too Long", "text/plain", "too long\n"); return;
	case ECN_HTTP_VERSION:
		answer(c, "505 HTTP Version Not Supported", "text/plain", "HTTP/1.x only\n");
		return;
	case ECN_HTTP_OK: break;
	}
	if (strcmp(rq.method, "GET") != 0) {
		answer(c, "405 Method Not Allowed", "text/plain", "GET only\n");
	} else if (strcmp(rq.path, "/metrics") != 0) {
		answer(c, "404 Not Found", "text/plain", "try /metrics\n");
	} else {
		char *text = ecn_stats_render(c->s);
		if (!text)
			answer(c, "500 Internal Server Error", "text/plain", "out of memory\n");
		else
			answer(c, "200 OK", ECN_METRICS_CONTENT_TYPE, text);
		free(text);
	}
}

static void
on_connection(uv_stream_t *server, int status)
{
	ecn_stats *s = server->data;
	if (status < 0)
		return;
	http_conn *c = calloc(1, sizeof *c);
	if (!c)
		return;
	c->s = s;
	uv_tcp_init(server->loop, &c->h);
	c->h.data = c;
	if (uv_accept(server, (uv_stream_t *)&c->h) ||
	    uv_read_start((uv_stream_t *)&c->h, conn_alloc, conn_read))
		uv_close((uv_handle_t *)&c->h, conn_closed);
}

static ec_err
listen_http(ecn_stats *s, const char *where, char *err, size_t errlen)
{
	ec_addr a;
	ecn_addr_reason r = ecn_addr_parse(where, &a);
	if (r != ECN_ADDR_OK) {
		snprintf(err, errlen, "--metrics %s: %s", where, ecn_addr_reason_str(r));
		return EC_EINVAL;
	}
	static const uint8_t v6_loop[16] = {[15] = 1};
	bool loopback = (a.b[0] == 4 && a.b[1] == 127) ||
	                (a.b[0] == 6 && memcmp(a.b + 1, v6_loop, 16) == 0);
	struct sockaddr_storage ss;
	socklen_t sl;
	if (!loopback || ecn_addr_to_sockaddr(&a, false, &ss, &sl) != EC_OK) {
		snprintf(err, errlen, "--metrics %s: only a loopback address is allowed", where);
		return EC_EINVAL;
	}
	uv_tcp_init(&s->d->loop, &s->server);
	s->server.data = s;
	s->listening = true;
	int rc = uv_tcp_bind(&s->server, (const struct sockaddr *)&ss, 0);
	if (!rc)
		rc = uv_listen((uv_stream_t *)&s->server, 16, on_connection);
	if (rc) {
		snprintf(err, errlen, "--metrics %s: %s", where, uv_strerror(rc));
		return EC_EIO;
	}
	return EC_OK;
}

ec_err
ecn_stats_open(ecn_daemon *d, ecn_stats **out, char *err, size_t errlen)
{
	*out = NULL;
	ecn_stats *s = calloc(1, sizeof *s);
	if (!s)
		return EC_ENOMEM;
	s->d = d;
	ec_err e = ecn_metrics_new(&s->m);
	if (!e)
		e = register_all(s);
	if (e) {
		snprintf(err, errlen, "metrics set-up: %s", ec_strerror(e));
		ecn_stats_free(s);
		return e;
	}
	*out = s;
	return d->cfg->metrics ? listen_http(s, d->cfg->metrics, err, errlen) : EC_OK;
}

static void
server_closed(uv_handle_t *h)
{
	(void)h;
}

void
ecn_stats_close(ecn_stats *s)
{
	if (s && s->listening && !uv_is_closing((uv_handle_t *)&s->server))
		uv_close((uv_handle_t *)&s->server, server_closed);
}

void
ecn_stats_free(ecn_stats *s)
{
	if (!s)
		return;
	ecn_metrics_free(s->m);
	free(s);
}
