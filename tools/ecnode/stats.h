/* SPDX-License-Identifier: MIT */
/*
 * ecnode's figures: what the node, the transport and the store counted,
 * as a Prometheus text endpoint (--metrics ADDR:PORT, loopback only) and
 * as the RPC status.  Counters are copied from their sources when the
 * page is rendered, so the hot paths only increment plain integers.
 */
#ifndef ECNODE_STATS_H
#define ECNODE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "ec/ctx.h"
#include "ec/err.h"

struct ecn_daemon;
typedef struct ecn_stats ecn_stats;

/* Sets the figures up and, with --metrics, starts the HTTP endpoint.
 * Returns EC_OK; EC_EINVAL (a --metrics address that is not loopback, or
 * malformed) and EC_EIO (cannot listen) with err; EC_ENOMEM. */
ec_err ecn_stats_open(struct ecn_daemon *d, ecn_stats **out, char *err, size_t errlen);
void ecn_stats_close(ecn_stats *s);
void ecn_stats_free(ecn_stats *s);

/* An event of the node (counted by kind; rejects by verdict). */
void ecn_stats_event(ecn_stats *s, ec_event ev, uint64_t arg);
/* One of my blocks committed after ms milliseconds, ticks ticks. */
void ecn_stats_latency(ecn_stats *s, uint64_t ms, uint64_t ticks);
/* One store commit took us microseconds. */
void ecn_stats_commit_time(ecn_stats *s, uint64_t us);
/* Once a tick (gauges that are cheap to refresh). */
void ecn_stats_tick(ecn_stats *s);
/* The exposition text, freshly synced: a NUL-terminated string the
 * caller frees, or NULL when out of memory. */
char *ecn_stats_render(ecn_stats *s);

#endif
