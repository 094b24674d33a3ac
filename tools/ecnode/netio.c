/* SPDX-License-Identifier: MIT */
/* ecnode's UDP side: the socket, batched system calls and the transport
 * engine (netio.h). */
#define _GNU_SOURCE /* recvmmsg, sendmmsg */
#include "netio.h"

#include <errno.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"
#include "net/addr.h"
#include "net/transport.h"

/* Datagrams per recvmmsg/sendmmsg call, and receive batches per readable
 * event (so one flood cannot starve the tick and the RPC socket). */
#define BATCH 32u
#define SLOT (65536u)
#define BATCHES_PER_EVENT 8u

struct ecn_netio {
	ecn_daemon *d;
	int fd;
	bool v6; /* a dual-stack IPv6 socket: IPv4 peers are v4-mapped */
	uv_poll_t poll;
	bool polling;
	ecn *tp;
	uint8_t *rbuf; /* BATCH slots of SLOT bytes */
	struct mmsghdr rmsg[BATCH];
	struct iovec riov[BATCH];
	struct sockaddr_storage rfrom[BATCH];
	ecn_netio_figures fig;
	uint64_t sock_drops; /* datagrams the kernel would not take (EAGAIN) */
};

static uint64_t
mono_ms(const ecn_netio *n)
{
	(void)n;
	return uv_hrtime() / 1000000u;
}

static void
rng(void *user, uint8_t *out, size_t len)
{
	(void)user;
	randombytes_buf(out, len);
}

/* ---- receiving --------------------------------------------------------- */

static void
handle_datagram(ecn_netio *n, const ec_addr *from, const uint8_t *data, size_t len)
{
	ecn_delivery del;
	ecn_verdict v = ecn_recv(n->tp, mono_ms(n), from, data, len, &del);
	if (v == ECN_DELIVERED)
		ecn_daemon_payload(n->d, del.pos, del.payload, del.len);
}

static void
on_readable(uv_poll_t *p, int status, int events)
{
	ecn_netio *n = p->data;
	if (status < 0 || !(events & UV_READABLE))
		return;
	for (unsigned b = 0; b < BATCHES_PER_EVENT; b++) {
		for (unsigned i = 0; i < BATCH; i++) {
			n->riov[i] = (struct iovec){n->rbuf + (size_t)i * SLOT, SLOT};
			n->rmsg[i].msg_hdr = (struct msghdr){.msg_name = &n->rfrom[i],
			                                     .msg_namelen = sizeof n->rfrom[i],
			                                     .msg_iov = &n->riov[i],
			                                     .msg_iovlen = 1};
		}
		int got = recvmmsg(n->fd, n->rmsg, BATCH, MSG_DONTWAIT, NULL);
		if (got < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				n->fig.recv_errors++;
			break;
		}
		for (int i = 0; i < got; i++) {
			const uint8_t *data = n->rbuf + (size_t)i * SLOT;
			size_t len = n->rmsg[i].msg_len;
			ec_addr from;
			n->fig.dgrams_in++;
			n->fig.bytes_in += len;
			if (n->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC)
				continue; /* larger than any datagram we accept */
			if (ecn_addr_from_sockaddr((const struct sockaddr *)&n->rfrom[i],
			                           n->rmsg[i].msg_hdr.msg_namelen, &from) != EC_OK)
				continue;
			if (n->d->impaired) {
				uint64_t slot = ecn_wall_ms() / n->d->cfg->tick_ms;
				(void)ecn_impair_admit(&n->d->impair, slot, &from, data, len);
				continue;
			}
			handle_datagram(n, &from, data, len);
		}
		if ((unsigned)got < BATCH)
			break;
	}
	ecn_netio_flush(n); /* control replies (IAM, COOKIE) */
}

static void
release_one(void *user, const ec_addr *from, const uint8_t *data, size_t len)
{
	handle_datagram(user, from, data, len);
}

void
ecn_netio_release_held(ecn_netio *n, uint64_t slot)
{
	ecn_impair_release(&n->d->impair, slot, release_one, n);
}

/* ---- sending ----------------------------------------------------------- */

void
ecn_netio_send(ecn_netio *n, uint64_t to, const ec_addr *addr, const uint8_t *p, size_t len)
{
	ec_addr a = {0};
	if (addr && addr->len)
		a = *addr;
	else if (ecn_lookup_pos(n->tp, to, NULL, &a, NULL) != EC_OK || !a.len)
		return; /* nowhere to send it: the protocol treats it as lost */
	ec_err e = ecn_send(n->tp, mono_ms(n), to, &a, p, len, NULL);
	(void)e; /* every failure is counted by the engine */
}

void
ecn_netio_probe(ecn_netio *n, const ec_addr *addr)
{
	ec_err e = ecn_probe(n->tp, mono_ms(n), addr);
	(void)e; /* a probe under way already, or no room: the next one asks */
}

bool
ecn_netio_pos_of(const ecn_netio *n, const ec_addr *addr, uint64_t *pos)
{
	return ecn_lookup_addr(n->tp, addr, NULL, pos) == EC_OK;
}

bool
ecn_netio_peer(const ecn_netio *n, uint64_t pos, uint8_t pk[32], ec_addr *addr)
{
	bool has = false;
	return ecn_lookup_pos(n->tp, pos, pk, addr, &has) == EC_OK;
}

void
ecn_netio_flush(ecn_netio *n)
{
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage to[BATCH];
	for (;;) {
		unsigned k = 0;
		/* pointers from ecn_pull_ptr live until the next engine call, so
		 * each datagram is copied into its own slot of rbuf's tail half:
		 * receiving and flushing never overlap (one thread) */
		while (k < BATCH) {
			ec_addr a;
			const uint8_t *data;
			size_t len;
			if (ecn_pull_ptr(n->tp, &a, &data, &len) != EC_OK)
				break;
			socklen_t sl;
			if (len > SLOT || ecn_addr_to_sockaddr(&a, n->v6, &to[k], &sl) != EC_OK) {
				n->fig.send_errors++;
				continue;
			}
			uint8_t *slot = n->rbuf + (size_t)(BATCH + k) * SLOT;
			memcpy(slot, data, len);
			iov[k] = (struct iovec){slot, len};
			m[k].msg_hdr = (struct msghdr){.msg_name = &to[k], .msg_namelen = sl,
			                               .msg_iov = &iov[k], .msg_iovlen = 1};
			k++;
		}
		if (!k)
			return;
		unsigned done = 0;
		while (done < k) {
			int r = sendmmsg(n->fd, m + done, k - done, 0);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				/* a full socket buffer or an unreachable peer: that
				 * datagram is lost, as UDP may lose it anyway */
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
					n->sock_drops++;
				else
					n->fig.send_errors++;
				done++;
				continue;
			}
			for (int i = 0; i < r; i++) {
				n->fig.dgrams_out++;
				n->fig.bytes_out += m[done + (unsigned)i].msg_len;
			}
			done += (unsigned)r;
		}
	}
}

void
ecn_netio_tick(ecn_netio *n)
{
	ecn_tick(n->tp, mono_ms(n));
	ecn_netio_flush(n);
}

/* ---- figures ----------------------------------------------------------- */

void
ecn_netio_figures_get(const ecn_netio *n, ecn_netio_figures *out)
{
	*out = n->fig;
	out->peers = ecn_peer_count(n->tp);
}

size_t
ecn_netio_drops(const ecn_netio *n, const char **names, uint64_t *counts, size_t max)
{
	const ecn_net_stats *st = ecn_net_stats_get(n->tp);
	size_t k = 0;
	for (int v = ECN_DROP_SHORT; v < ECN_VERDICT_COUNT; v++, k++)
		if (k < max) {
			names[k] = ecn_reason_str((ecn_verdict)v);
			counts[k] = st->verdicts[v];
		}
	const struct {
		const char *name;
		uint64_t v;
	} more[] = {{"impair_lost", n->d->impaired ? n->d->impair.lost : 0},
	            {"impair_overflow", n->d->impaired ? n->d->impair.overflow : 0},
	            {"socket_full", n->sock_drops},
	            {"truncated", 0}};
	for (size_t i = 0; i < sizeof more / sizeof *more; i++, k++)
		if (k < max) {
			names[k] = more[i].name;
			counts[k] = more[i].v;
		}
	return k;
}

/* ---- set-up ------------------------------------------------------------ */

static ec_err
open_socket(ecn_netio *n, const ec_addr *self, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	n->v6 = self->b[0] == 6;
	if (ecn_addr_to_sockaddr(self, false, &ss, &sl) != EC_OK) {
		snprintf(err, errlen, "bad listen address");
		return EC_EINVAL;
	}
	n->fd = socket(n->v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (n->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return EC_EIO;
	}
	int size = 4 << 20;
	(void)setsockopt(n->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	(void)setsockopt(n->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	if (bind(n->fd, (const struct sockaddr *)&ss, sl) != 0) {
		snprintf(err, errlen, "bind %s: %s", n->d->cfg->listen, strerror(errno));
		return EC_EIO;
	}
	return EC_OK;
}

ec_err
ecn_netio_open(ecn_daemon *d, ecn_netio **out, char *err, size_t errlen)
{
	*out = NULL;
	ecn_netio *n = calloc(1, sizeof *n);
	if (!n)
		return EC_ENOMEM;
	n->d = d;
	n->fd = -1;
	*out = n;
	if (!(n->rbuf = malloc((size_t)2 * BATCH * SLOT)))
		return EC_ENOMEM;
	ecn_config c;
	ecn_config_init(&c);
	c.secret_key = d->keys.sk;
	c.claim = d->keys.claim;
	c.params = d->admit;
	memcpy(c.network_id, d->keys.network, sizeof c.network_id);
	c.epoch = d->keys.epoch;
	c.rng = rng;
	c.max_peers = (uint32_t)d->cfg->max_peers;
	c.verify_rate = (uint32_t)d->cfg->unknown_budget;
	ec_err e = ecn_new(&c, &n->tp);
	if (e) {
		snprintf(err, errlen, "transport: %s", ec_strerror(e));
		return e;
	}
	if ((e = open_socket(n, &d->listen_addr, err, errlen)))
		return e;
	if (uv_poll_init_socket(&d->loop, &n->poll, n->fd)) {
		snprintf(err, errlen, "uv_poll_init_socket failed");
		return EC_EIO;
	}
	n->poll.data = n;
	n->polling = true;
	uv_poll_start(&n->poll, UV_READABLE, on_readable);
	return EC_OK;
}

static void
poll_closed(uv_handle_t *h)
{
	(void)h;
}

void
ecn_netio_close(ecn_netio *n)
{
	if (n && n->polling && !uv_is_closing((uv_handle_t *)&n->poll)) {
		uv_poll_stop(&n->poll);
		uv_close((uv_handle_t *)&n->poll, poll_closed);
	}
}

void
ecn_netio_free(ecn_netio *n)
{
	if (!n)
		return;
	if (n->fd >= 0)
		close(n->fd);
	ecn_destroy(n->tp);
	free(n->rbuf);
	free(n);
}
