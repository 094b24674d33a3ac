/* SPDX-License-Identifier: MIT */
/* ecnode's JSON-RPC interface, client side (rpc_client.h). */
#include "rpc_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Read granularity: the buffer keeps at least this much room free. */
#define READ_CHUNK ((size_t)64 << 10)

struct ecctl_rpc {
	int fd;
	int64_t next_id;
	char *buf;   /* received bytes not yet returned as lines */
	size_t len;  /* bytes held in buf */
	size_t scan; /* buf[0 .. scan) holds no newline */
	size_t cap;
};

static ecctl_rpc_status
fail(ecctl_rpc_err *err, ecctl_rpc_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static ecctl_rpc_status
fail(ecctl_rpc_err *err, ecctl_rpc_status st, const char *fmt, ...)
{
	err->status = st;
	err->code = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return st;
}

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until deadline (-1: no deadline), for poll(2). */
static int
left_ms(int64_t deadline)
{
	if (deadline < 0)
		return -1;
	int64_t d = deadline - now_ms();
	return d <= 0 ? 0 : d > INT32_MAX ? INT32_MAX : (int)d;
}

static int64_t
deadline_of(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

/* Waits until fd is ready for events or deadline passes. */
static ecctl_rpc_status
wait_fd(int fd, short events, int64_t deadline, const char *what, ecctl_rpc_err *err)
{
	struct pollfd p = {.fd = fd, .events = events};
	int r = poll(&p, 1, left_ms(deadline));
	if (r < 0 && errno == EINTR)
		return fail(err, ECCTL_RPC_INTERRUPTED, "interrupted");
	if (r < 0)
		return fail(err, ECCTL_RPC_IO, "poll: %s", strerror(errno));
	if (r == 0)
		return fail(err, ECCTL_RPC_TIMEOUT, "timed out %s", what);
	return ECCTL_RPC_OK;
}

ecctl_rpc_status
ecctl_rpc_open(const char *path, int timeout_ms, ecctl_rpc **out, ecctl_rpc_err *err)
{
	*out = NULL;
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	size_t plen = strlen(path);
	if (plen == 0 || plen >= sizeof sa.sun_path)
		return fail(err, ECCTL_RPC_CONNECT, "cannot connect to %s: %s", path,
		            plen ? "socket path too long" : "empty socket path");
	memcpy(sa.sun_path, path, plen);
	ecctl_rpc *c = calloc(1, sizeof *c);
	if (!c)
		return fail(err, ECCTL_RPC_NOMEM, "out of memory");
	c->next_id = 1;
	c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (c->fd < 0) {
		free(c);
		return fail(err, ECCTL_RPC_CONNECT, "socket: %s", strerror(errno));
	}
	/* non-blocking, so that no wait escapes the caller's timeout; a full
	 * listen queue (EAGAIN) is reported rather than waited out */
	int fl = fcntl(c->fd, F_GETFL);
	(void)fcntl(c->fd, F_SETFD, FD_CLOEXEC);
	ecctl_rpc_status st = ECCTL_RPC_OK;
	if (fl < 0 || fcntl(c->fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		st = fail(err, ECCTL_RPC_CONNECT, "fcntl: %s", strerror(errno));
	} else if (connect(c->fd, (const struct sockaddr *)&sa, sizeof sa) != 0) {
		if (errno == EINPROGRESS) {
			st = wait_fd(c->fd, POLLOUT, deadline_of(timeout_ms), "connecting", err);
			int e = 0;
			socklen_t el = sizeof e;
			if (!st && (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0 || e))
				st = fail(err, ECCTL_RPC_CONNECT, "cannot connect to %s: %s", path,
				          strerror(e ? e : errno));
		} else {
			st = fail(err, ECCTL_RPC_CONNECT, "cannot connect to %s: %s%s", path,
			          strerror(errno),
			          errno == ENOENT || errno == ECONNREFUSED ? " (is ecnode running?)"
			                                                   : "");
		}
	}
	if (st) {
		ecctl_rpc_close(c);
		return st;
	}
	*out = c;
	return ECCTL_RPC_OK;
}

void
ecctl_rpc_close(ecctl_rpc *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}

int
ecctl_rpc_fd(const ecctl_rpc *c)
{
	return c->fd;
}

static ecctl_rpc_status
send_all(ecctl_rpc *c, const char *p, size_t n, int64_t deadline, ecctl_rpc_err *err)
{
	while (n > 0) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ecctl_rpc_status st = wait_fd(c->fd, POLLOUT, deadline, "sending", err);
			if (st)
				return st;
			continue;
		}
		return fail(err, ECCTL_RPC_IO, "cannot send to the node: %s",
		            w < 0 ? strerror(errno) : "nothing written");
	}
	return ECCTL_RPC_OK;
}

ecctl_rpc_status
ecctl_rpc_send(ecctl_rpc *c, const char *method, const json_t *params, int timeout_ms,
               int64_t *id, ecctl_rpc_err *err)
{
	int64_t rid = c->next_id++;
	if (id)
		*id = rid;
	json_t *req = json_pack("{s:s,s:I,s:s}", "jsonrpc", "2.0", "id", (json_int_t)rid,
	                        "method", method);
	if (!req)
		return fail(err, ECCTL_RPC_NOMEM, "out of memory");
	/* json_object_set takes a mutable value: a copy keeps params const */
	if (params && json_object_set_new(req, "params", json_deep_copy(params)) != 0) {
		json_decref(req);
		return fail(err, ECCTL_RPC_NOMEM, "out of memory");
	}
	/* compact output escapes every newline inside strings: one line */
	char *text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!text)
		return fail(err, ECCTL_RPC_NOMEM, "out of memory");
	size_t n = strlen(text);
	char *line = realloc(text, n + 1);
	if (!line) {
		free(text);
		return fail(err, ECCTL_RPC_NOMEM, "out of memory");
	}
	line[n] = '\n';
	ecctl_rpc_status st = send_all(c, line, n + 1, deadline_of(timeout_ms), err);
	free(line);
	return st;
}

/* Makes room for READ_CHUNK more bytes, up to one line of the maximum
 * length plus its newline and a chunk. */
static ecctl_rpc_status
grow(ecctl_rpc *c, ecctl_rpc_err *err)
{
	if (c->cap - c->len >= READ_CHUNK)
		return ECCTL_RPC_OK;
	size_t want = c->cap ? c->cap * 2 : 4 * READ_CHUNK;
	if (want < c->len + READ_CHUNK)
		want = c->len + READ_CHUNK;
	if (want > ECCTL_RPC_LINE_MAX + 2 + READ_CHUNK)
		want = ECCTL_RPC_LINE_MAX + 2 + READ_CHUNK;
	char *b = realloc(c->buf, want);
	if (!b)
		return fail(err, ECCTL_RPC_NOMEM, "out of memory");
	c->buf = b;
	c->cap = want;
	return ECCTL_RPC_OK;
}

/* Takes the first line out of the buffer: returns its length (without the
 * newline and a carriage return before it) and moves the rest forward
 * after the caller used it (consume).  -1 if no complete line is held. */
static long
find_line(ecctl_rpc *c, size_t *nl)
{
	char *p = c->len > c->scan ? memchr(c->buf + c->scan, '\n', c->len - c->scan) : NULL;
	if (!p) {
		c->scan = c->len;
		return -1;
	}
	*nl = (size_t)(p - c->buf);
	size_t n = *nl;
	if (n > 0 && c->buf[n - 1] == '\r')
		n--;
	return (long)n;
}

static void
consume(ecctl_rpc *c, size_t nl)
{
	memmove(c->buf, c->buf + nl + 1, c->len - nl - 1);
	c->len -= nl + 1;
	c->scan = 0;
}

static bool
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* Parses one line as a JSON object. */
static ecctl_rpc_status
parse_line(const char *s, size_t n, json_t **msg, ecctl_rpc_err *err)
{
	json_error_t je;
	json_t *v = json_loadb(s, n, 0, &je);
	if (!v)
		return fail(err, ECCTL_RPC_PROTOCOL, "the node sent invalid JSON: %s", je.text);
	if (!json_is_object(v)) {
		json_decref(v);
		return fail(err, ECCTL_RPC_PROTOCOL, "the node sent JSON that is not an object");
	}
	*msg = v;
	return ECCTL_RPC_OK;
}

ecctl_rpc_status
ecctl_rpc_recv(ecctl_rpc *c, int timeout_ms, json_t **msg, ecctl_rpc_err *err)
{
	*msg = NULL;
	int64_t deadline = deadline_of(timeout_ms);
	for (;;) {
		size_t nl;
		long n = find_line(c, &nl);
		if (n >= 0 && (size_t)n > ECCTL_RPC_LINE_MAX)
			return fail(err, ECCTL_RPC_PROTOCOL, "the node sent a line longer than %zu bytes",
			            ECCTL_RPC_LINE_MAX);
		if (n >= 0) {
			ecctl_rpc_status st = ECCTL_RPC_OK;
			if (!blank(c->buf, (size_t)n))
				st = parse_line(c->buf, (size_t)n, msg, err);
			consume(c, nl);
			if (st || *msg)
				return st;
			continue;
		}
		if (c->len > ECCTL_RPC_LINE_MAX + 1)
			return fail(err, ECCTL_RPC_PROTOCOL, "the node sent a line longer than %zu bytes",
			            ECCTL_RPC_LINE_MAX);
		ecctl_rpc_status st = grow(c, err);
		if (st)
			return st;
		ssize_t r = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (r > 0) {
			c->len += (size_t)r;
			continue;
		}
		/* a peer that closes with our request unread resets the
		 * connection: to us, the same end of the stream */
		if (r == 0 || errno == ECONNRESET)
			return fail(err, ECCTL_RPC_CLOSED, "the node closed the connection%s",
			            c->len ? " in the middle of a line" : "");
		if (errno == EINTR)
			return fail(err, ECCTL_RPC_INTERRUPTED, "interrupted");
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return fail(err, ECCTL_RPC_IO, "cannot read from the node: %s", strerror(errno));
		st = wait_fd(c->fd, POLLIN, deadline, "waiting for the node", err);
		if (st)
			return st;
	}
}

bool
ecctl_rpc_is_notification(const json_t *msg)
{
	return json_is_string(json_object_get(msg, "method")) && !json_object_get(msg, "id");
}

ecctl_rpc_status
ecctl_rpc_response(const json_t *msg, int64_t id, json_t **result, ecctl_rpc_err *err)
{
	*result = NULL;
	const json_t *ver = json_object_get(msg, "jsonrpc");
	if (!json_is_string(ver) || strcmp(json_string_value(ver), "2.0") != 0)
		return fail(err, ECCTL_RPC_PROTOCOL, "the node's response is not JSON-RPC 2.0");
	json_t *res = json_object_get(msg, "result");
	const json_t *e = json_object_get(msg, "error");
	if (!res == !e)
		return fail(err, ECCTL_RPC_PROTOCOL,
		            "the node's response has %s of \"result\" and \"error\"",
		            res ? "both" : "neither");
	const json_t *rid = json_object_get(msg, "id");
	bool ours = json_is_integer(rid) && json_integer_value(rid) == id;
	if (!ours && !(e && json_is_null(rid)))
		return fail(err, ECCTL_RPC_PROTOCOL, "the node answered another request (id %s)",
		            json_is_integer(rid) ? "mismatch" : "missing or not a number");
	if (e) {
		const json_t *code = json_object_get(e, "code");
		const json_t *m = json_object_get(e, "message");
		if (!json_is_object(e) || !json_is_integer(code) || !json_is_string(m))
			return fail(err, ECCTL_RPC_PROTOCOL, "the node sent a malformed error object");
		fail(err, ECCTL_RPC_ERROR, "%s (error %lld)", json_string_value(m),
		     (long long)json_integer_value(code));
		err->code = (long long)json_integer_value(code);
		return ECCTL_RPC_ERROR;
	}
	*result = json_incref(res);
	return ECCTL_RPC_OK;
}

ecctl_rpc_status
ecctl_rpc_call(ecctl_rpc *c, const char *method, const json_t *params, int timeout_ms,
               json_t **result, ecctl_rpc_err *err)
{
	*result = NULL;
	int64_t deadline = deadline_of(timeout_ms);
	int64_t id;
	ecctl_rpc_status st = ecctl_rpc_send(c, method, params, timeout_ms, &id, err);
	while (!st) {
		json_t *msg;
		st = ecctl_rpc_recv(c, deadline < 0 ? -1 : left_ms(deadline), &msg, err);
		if (st)
			break;
		if (ecctl_rpc_is_notification(msg)) {
			json_decref(msg);
			continue;
		}
		st = ecctl_rpc_response(msg, id, result, err);
		json_decref(msg);
		break;
	}
	return st;
}
