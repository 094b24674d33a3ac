/* SPDX-License-Identifier: MIT */
/*
 * Metrics in the Prometheus text exposition format, version 0.0.4: a
 * registry of counters, gauges and histograms rendered into a growable
 * buffer, and a strict parser of the HTTP request a scraper sends, so that
 * the daemon's HTTP/1.0 responder has nothing to parse itself.
 *
 * A family is a metric name with its HELP text, its TYPE and a fixed list
 * of label names; each series of it is registered once with its label
 * values, and the registration returns a handle the daemon updates:
 *
 *     ecn_counter *bad_mac;
 *     ecn_label l[] = {{"reason", "bad_mac"}};
 *     ecn_metrics_counter(m, "ecnode_datagrams_dropped_total",
 *                         "Datagrams dropped, by reason.", l, 1, &bad_mac);
 *     ecn_counter_inc(bad_mac);
 *
 * renders as
 *
 *     # HELP ecnode_datagrams_dropped_total Datagrams dropped, by reason.
 *     # TYPE ecnode_datagrams_dropped_total counter
 *     ecnode_datagrams_dropped_total{reason="bad_mac"} 1
 *
 * Families render in registration order, series in registration order
 * within their family.  HELP text escapes '\' and newline; label values
 * escape '\', '"' and newline.  Counters are uint64_t (saturating), gauges
 * double, histograms observe doubles into fixed buckets and render
 * cumulative _bucket{le="..."} lines ending with le="+Inf", then _sum and
 * _count.  Doubles print in the shortest form that reads back exactly,
 * and as +Inf, -Inf, NaN.
 *
 * Handles stay valid until ecn_metrics_free.  The update functions accept
 * a NULL handle and do nothing, so optional metrics need no checks.  No
 * threads, no globals; not thread-safe.
 */
#ifndef ECN_METRICS_H
#define ECN_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/err.h"

#define ECN_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define ECN_METRICS_MAX_LABELS 8u   /* label names of a family */
#define ECN_METRICS_MAX_BUCKETS 64u /* finite bucket bounds of a histogram */

/* A growable byte buffer the caller owns: start it zeroed, reuse it across
 * renders (set len = 0), release it with ecn_buf_free.  data is
 * NUL-terminated after every successful append (the NUL is not counted in
 * len). */
typedef struct ecn_buf {
	char *data;
	size_t len, cap;
} ecn_buf;

/* Appends n bytes.  Returns EC_OK; EC_EINVAL (b NULL, or data NULL with
 * n > 0); EC_ENOMEM (b unchanged). */
ec_err ecn_buf_append(ecn_buf *b, const void *data, size_t n) EC_WUR;
/* Frees data and zeroes b; accepts NULL. */
void ecn_buf_free(ecn_buf *b);

typedef struct ecn_label {
	const char *name;  /* [a-zA-Z_][a-zA-Z0-9_]*, not starting "__"; not "le"
	                      in a histogram */
	const char *value; /* any UTF-8 text (escaped when rendered) */
} ecn_label;

typedef struct ecn_metrics ecn_metrics;
typedef struct ecn_counter ecn_counter;
typedef struct ecn_gauge ecn_gauge;
typedef struct ecn_histogram ecn_histogram;

/* Returns: EC_OK; EC_EINVAL (out NULL); EC_ENOMEM.  *out NULL on error. */
ec_err ecn_metrics_new(ecn_metrics **out) EC_WUR;
/* Frees the registry and every handle; accepts NULL. */
void ecn_metrics_free(ecn_metrics *m);

/* Registers one series of a counter family, creating the family on first
 * use.  Copies name, help and the labels.
 * Returns: EC_OK; EC_EINVAL if the name or a label name is malformed, more
 *          than ECN_METRICS_MAX_LABELS labels are given, the family exists
 *          with another type, help or label names (same names, same order),
 *          the series exists, or the name collides with a histogram's
 *          _bucket/_sum/_count lines; EC_ENOMEM.  *out NULL on error.
 * In:      m; name: "ecnode_..._total"; help: one line or more; labels:
 *          nlabels pairs (NULL when 0). */
ec_err ecn_metrics_counter(ecn_metrics *m, const char *name, const char *help,
                           const ecn_label *labels, size_t nlabels, ecn_counter **out) EC_WUR;

/* A gauge series; as ecn_metrics_counter. */
ec_err ecn_metrics_gauge(ecn_metrics *m, const char *name, const char *help,
                         const ecn_label *labels, size_t nlabels, ecn_gauge **out) EC_WUR;

/* A histogram series; as ecn_metrics_counter, and the family's buckets:
 * nbounds finite upper bounds, strictly increasing, 1 .. ECN_METRICS_MAX_
 * BUCKETS of them (+Inf is implied), the same for every series of the
 * family (else EC_EINVAL).  A label may not be named "le". */
ec_err ecn_metrics_histogram(ecn_metrics *m, const char *name, const char *help,
                             const ecn_label *labels, size_t nlabels, const double *bounds,
                             size_t nbounds, ecn_histogram **out) EC_WUR;

void ecn_counter_inc(ecn_counter *c);
void ecn_counter_add(ecn_counter *c, uint64_t n); /* saturates at UINT64_MAX */
uint64_t ecn_counter_value(const ecn_counter *c);
void ecn_gauge_set(ecn_gauge *g, double v);
void ecn_gauge_add(ecn_gauge *g, double d);
double ecn_gauge_value(const ecn_gauge *g);
/* Counts v in the first bucket whose bound is >= v (le is inclusive) and
 * adds it to the sum.  NaN is ignored (it would poison the sum). */
void ecn_histogram_observe(ecn_histogram *h, double v);

/* Appends the whole exposition to out (after what it holds).
 * Returns: EC_OK; EC_EINVAL (NULL argument); EC_ENOMEM (out then holds a
 *          partial rendering: reset len before reusing it). */
ec_err ecn_metrics_render(const ecn_metrics *m, ecn_buf *out) EC_WUR;

/* ---- HTTP: the scraper's request ---- */

#define ECN_HTTP_HEAD_MAX 8192u  /* bytes of a request head (line + headers) */
#define ECN_HTTP_TARGET_MAX 255u /* bytes of a request target */

typedef enum ecn_http_verdict {
	ECN_HTTP_OK = 0,     /* a complete, well-formed head */
	ECN_HTTP_INCOMPLETE, /* no blank line yet: read more (then call again
	                        with everything read so far) */
	ECN_HTTP_BAD,        /* malformed: answer 400 and close */
	ECN_HTTP_TOO_LONG,   /* the head or the target is too long: 431 or 414 */
	ECN_HTTP_VERSION     /* not HTTP/1.0 or HTTP/1.1: 505 */
} ecn_http_verdict;

typedef struct ecn_http_request {
	char method[16];                     /* "GET", "HEAD", ...: A-Z only */
	char path[ECN_HTTP_TARGET_MAX + 1];  /* the target without its query */
	char query[ECN_HTTP_TARGET_MAX + 1]; /* after '?', "" if none */
	unsigned minor;                      /* 0 or 1: HTTP/1.minor */
	size_t head_len;                     /* bytes of the head, blank line
	                                        included */
} ecn_http_request;

/* Parses the start of an HTTP/1.x request held in buf[0 .. len): the
 * request line "METHOD SP TARGET SP HTTP/1.x CRLF" (one space each, bare
 * LF accepted as line end), then header lines "Name: value" (a token,
 * a colon, no control characters but tab; not looked at otherwise) up to
 * an empty line.  The target must be origin-form (start with '/') of
 * visible ASCII.  A body is not read (a scrape has none).  The caller
 * decides the answer (200 for GET or HEAD of its path, 404, 405).
 * Returns: the verdict; *out is written completely only on ECN_HTTP_OK.
 *          INCOMPLETE is returned only while len < ECN_HTTP_HEAD_MAX and
 *          what is there could still become valid.
 * In:      buf, len: the bytes received so far (need not be
 *          NUL-terminated). */
ecn_http_verdict ecn_http_parse_request_line(const char *buf, size_t len,
                                             ecn_http_request *out) EC_WUR;

#endif
