/* SPDX-License-Identifier: MIT */
/*
 * The daemon's UDP side: one non-blocking socket read in batches with
 * recvmmsg when libuv says it is readable, written in batches with
 * sendmmsg, and the transport engine (net/transport.h) between it and the
 * protocol: every datagram is authenticated and decrypted before the node
 * sees its payload, every payload sealed before it leaves.  With the test
 * impairment on, incoming datagrams pass through it first.
 */
#ifndef ECNODE_NETIO_H
#define ECNODE_NETIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/protocol.h"

struct ecn_daemon;
typedef struct ecn_netio ecn_netio;

/* Bytes a sealed datagram adds to a payload (header, nonce, tag, the
 * transport's own header). */
#define ECN_NETIO_OVERHEAD 112u /* >= ECN_DATA_MIN_LEN + two challenges */

/* Binds the socket to d->self_addr and starts reading.
 * Returns EC_OK; EC_EIO with err (the system's reason); EC_ENOMEM. */
ec_err ecn_netio_open(struct ecn_daemon *d, ecn_netio **out, char *err, size_t errlen);
/* Stops reading and closes the socket (the loop finishes the close). */
void ecn_netio_close(ecn_netio *n);
/* Frees what is left after the loop ended; accepts NULL. */
void ecn_netio_free(ecn_netio *n);

/* Seals one payload for the node at ring position to (address addr, len 0
 * if unknown: the transport's own table is asked) and queues it. */
void ecn_netio_send(ecn_netio *n, uint64_t to, const ec_addr *addr, const uint8_t *p, size_t len);
/* Asks who is at addr (a bootstrap contact). */
void ecn_netio_probe(ecn_netio *n, const ec_addr *addr);
/* The ring position of the node at addr, once the transport knows it. */
bool ecn_netio_pos_of(const ecn_netio *n, const ec_addr *addr, uint64_t *pos);
/* The public key and address the transport holds for ring position pos. */
bool ecn_netio_peer(const ecn_netio *n, uint64_t pos, uint8_t pk[32], ec_addr *addr);
/* Writes every queued datagram to the socket. */
void ecn_netio_flush(ecn_netio *n);
/* The transport's timers (retries, cookie rotation), once a tick. */
void ecn_netio_tick(ecn_netio *n);
/* Delivers the held datagrams due at or before grid slot `slot` (test
 * impairment, impair.h). */
void ecn_netio_release_held(ecn_netio *n, uint64_t slot);

/* Figures for metrics and the RPC status. */
typedef struct ecn_netio_figures {
	uint64_t dgrams_in, dgrams_out, bytes_in, bytes_out;
	uint64_t recv_errors, send_errors; /* system calls that failed */
	uint64_t peers;                    /* peers the transport knows */
} ecn_netio_figures;
void ecn_netio_figures_get(const ecn_netio *n, ecn_netio_figures *out);

/* Drop reasons with their counts (the transport's, the impairment's and
 * the socket's): up to max of them into names[] and counts[]; returns how
 * many there are in all.  Names are static. */
size_t ecn_netio_drops(const ecn_netio *n, const char **names, uint64_t *counts, size_t max);

#endif
