/* SPDX-License-Identifier: MIT */
/*
 * ecnode's daemon: one libuv loop, single-threaded, around one protocol
 * node (runtime.h).  Its modules:
 *
 *   main.c      options, --check, --version, --help
 *   daemon.c    start-up, the tick, joining, shutdown, signals
 *   netio.c     the UDP socket (recvmmsg/sendmmsg) and the transport engine
 *   rpcsrv.c    the JSON-RPC server on the Unix socket (docs/rpc.md)
 *   stats.c     the figures (Prometheus endpoint, RPC status)
 *   keys.c      identity, network id, boot epoch, the stored clock
 *   runtime.c   the protocol node and its payloads
 *   impair.c    the test-only packet impairment
 *   intern.c    the bodies the node keeps pointers to
 *
 * A tick: held (impaired) datagrams that are due are delivered; the node
 * ticks; its clock is recorded; the store's transaction commits durably;
 * only then do the tick's payloads go to the transport and the socket
 * (durable before send: a crash can never make the node contradict what
 * it said).  Datagrams are handled as they arrive; what they change is
 * committed at the next tick, before anything that depends on it is sent.
 */
#ifndef ECNODE_DAEMON_H
#define ECNODE_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <uv.h>

#include "config.h"
#include "impair.h"
#include "keys.h"
#include "lmstore/lmstore.h"
#include "ops/log.h"
#include "runtime.h"

struct ecn_netio;
struct ecn_rpcsrv;
struct ecn_stats;

/* A block this node submitted, until it commits (latency). */
typedef struct ecn_mine {
	ec_id id; /* the block's: the cache of blocks met may have lost it */
	uint64_t tick, ms;
} ecn_mine;

typedef enum { JOIN_WAIT, JOIN_DONE } ecn_join_state;

typedef struct ecn_daemon {
	ecn_cfg *cfg;
	uv_loop_t loop;
	uv_timer_t tick_timer;
	uv_signal_t sig_term, sig_int, sig_hup;
	ecn_log *log;
	FILE *vote_log;
	ecn_lmstore *store;
	ecn_keys keys;
	ecn_rt rt;
	bool rt_ready; /* rt initialised */
	ecp_config pcfg;
	ec_identity_params admit;
	ec_addr listen_addr; /* what the socket binds */
	ec_addr self_addr;   /* what the node tells its peers (--advertise) */
	struct ecn_netio *net;
	struct ecn_rpcsrv *rpc;
	struct ecn_stats *stats;
	ecn_impair impair;
	bool impaired;
	/* joining */
	ecn_join_state join;
	ec_addr *boot;
	uint8_t (*boot_pin)[32]; /* the key each must answer with, if pinned */
	bool *boot_pinned;
	size_t nboot;
	uint64_t join_kind; /* ec_join_kind once joined */
	uint64_t ticks;     /* since start */
	uint64_t joined_tick; /* d->ticks at the last join (or rejoin check) */
	uint64_t slot;      /* this tick's slot on the wall clock's grid */
	uint64_t start_ms;
	/* my pending blocks */
	ecn_mine *mine;
	size_t nmine, minecap;
	uint64_t submitted, committed_mine, commits;
	bool stopping;
	int exit_code;
	char *rpc_path; /* owned */
	int lock_fd;    /* flock'ed: one daemon per data directory */
} ecn_daemon;

/* Runs the daemon with cfg until it stops; returns the exit status (0 a
 * clean stop, 1 a failure, logged). */
int ecn_daemon_run(ecn_cfg *cfg);

/* Wall time in ms (CLOCK_REALTIME) and the loop's monotonic ms. */
uint64_t ecn_wall_ms(void);

/* Called by netio for each authenticated payload from ring position
 * sender. */
void ecn_daemon_payload(ecn_daemon *d, uint64_t sender, const uint8_t *p, size_t len);

/* Submits a wallet's block (RPC submit): EC_OK with *id and *held (the
 * node is catching up and holds it); EC_EINVAL with *why. */
ec_err ecn_daemon_submit(ecn_daemon *d, const uint8_t *enc, size_t len, ec_id *id,
                         ec_wire_reason *why, bool *held);

/* Asks the daemon to stop gracefully at the next turn of the loop. */
void ecn_daemon_stop(ecn_daemon *d, int code, const char *why);

#endif
