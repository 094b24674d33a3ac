/* SPDX-License-Identifier: MIT */
/*
 * Leveled logging for the daemon: one line per event, either text for a
 * terminal
 *
 *     2025-01-02T03:04:05.678Z INFO  net: peer admitted id=00ab.. addr="10.0.0.1:7000"
 *
 * or, with json set, one JSON object per line
 *
 *     {"ts":"2025-01-02T03:04:05.678Z","level":"info","comp":"net",
 *      "msg":"peer admitted","id":"00ab..","addr":"10.0.0.1:7000"}
 *
 * The message is a printf format checked by the compiler; structured fields
 * are an array of typed ecn_field values (ECN_STR, ECN_U64, ...), formatted
 * only when the level passes, so adding them costs nothing when filtered.
 * The keys ts, level, comp, msg and suppressed are the logger's own.
 *
 * Escaping: whatever a string holds (a peer-supplied name, say), a line
 * stays one line.  JSON strings escape quotes, backslashes and control
 * characters, and invalid UTF-8 becomes U+FFFD.  In text, the message and
 * component escape control characters and backslashes (\n, \t, \xNN);
 * a field value is quoted when it holds a blank, '"', '=', '\' or a byte
 * that is not printable ASCII, with '"' and '\' escaped inside the quotes,
 * and invalid UTF-8 bytes as \xNN.  A string longer than ECN_LOG_VALUE_MAX
 * bytes is cut there and marked with "...".
 *
 * Output goes to a FILE * the caller keeps (stderr) or to a file the logger
 * opens (append, mode 0640) and reopens on ecn_log_reopen, so that
 * logrotate can move it away on SIGHUP.  Each line is written with one
 * write(2) on a file (O_APPEND), so lines of several processes do not mix.
 *
 * The clock is injected (a callback returning wall time), so tests are
 * deterministic.  An optional rate limit counts messages per call site
 * (the ECN_LOG macros pass __FILE__ and __LINE__): past `burst` messages in
 * `window_ms`, a site's lines are dropped and counted, and the site's next
 * line after the window carries suppressed=N (ecn_log_flush_suppressed
 * reports the counts of sites that went quiet).
 *
 * One logger is one object the daemon owns and passes around; there are no
 * globals.  Not thread-safe: the daemon's event loop is single-threaded.
 */
#ifndef ECN_LOG_H
#define ECN_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ec/err.h"

#define ECN_LOG_VALUE_MAX 2048u /* bytes of a message or string field kept */
#define ECN_LOG_HEX_MAX 64u     /* bytes an ECN_HEX field shows */
#define ECN_LOG_SITES 128u      /* call sites the rate limit tracks */

typedef enum ecn_level {
	ECN_ERROR = 0,
	ECN_WARN = 1,
	ECN_INFO = 2,
	ECN_DEBUG = 3
} ecn_level;

/* Wall-clock time in milliseconds since 1970-01-01T00:00:00Z. */
typedef uint64_t (*ecn_clock_fn)(void *user);

typedef enum ecn_field_kind {
	ECN_FIELD_STR = 1, /* v.s: NUL-terminated; NULL prints as null / "(null)" */
	ECN_FIELD_U64,     /* v.u */
	ECN_FIELD_I64,     /* v.i */
	ECN_FIELD_F64,     /* v.f: JSON null when not finite */
	ECN_FIELD_BOOL,    /* v.b */
	ECN_FIELD_HEX64,   /* v.u as 16 lower-case hex digits (a ring position) */
	ECN_FIELD_HEX      /* v.hex: bytes as lower-case hex (a key, an id) */
} ecn_field_kind;

/* One structured field.  Borrowed for the call: nothing is kept. */
typedef struct ecn_field {
	const char *key; /* [A-Za-z0-9_.-]; other bytes print as '_' */
	ecn_field_kind kind;
	union {
		const char *s;
		uint64_t u;
		int64_t i;
		double f;
		bool b;
		struct {
			const void *p;
			size_t n;
		} hex;
	} v;
} ecn_field;

#define ECN_STR(k, x) ((ecn_field){.key = (k), .kind = ECN_FIELD_STR, .v.s = (x)})
#define ECN_U64(k, x) ((ecn_field){.key = (k), .kind = ECN_FIELD_U64, .v.u = (x)})
#define ECN_I64(k, x) ((ecn_field){.key = (k), .kind = ECN_FIELD_I64, .v.i = (x)})
#define ECN_F64(k, x) ((ecn_field){.key = (k), .kind = ECN_FIELD_F64, .v.f = (x)})
#define ECN_BOOL(k, x) ((ecn_field){.key = (k), .kind = ECN_FIELD_BOOL, .v.b = (x)})
#define ECN_HEX64(k, x) ((ecn_field){.key = (k), .kind = ECN_FIELD_HEX64, .v.u = (x)})
#define ECN_HEX(k, ptr, len) \
	((ecn_field){.key = (k), .kind = ECN_FIELD_HEX, .v.hex = {.p = (ptr), .n = (len)}})

/* ECN_FIELDS(f1, f2, ...): an array of fields and its count, as two
 * arguments, for ECN_LOGF and ecn_log_emit. */
#define ECN_FIELDS(...)                   \
	(const ecn_field[]){__VA_ARGS__}, \
	    (sizeof((const ecn_field[]){__VA_ARGS__}) / sizeof(ecn_field))

typedef struct ecn_log_config {
	ecn_level level;        /* lines above this level are dropped */
	bool json;              /* JSON lines instead of text */
	ecn_clock_fn clock;     /* NULL: the system's CLOCK_REALTIME */
	void *clock_user;       /* passed to clock */
	uint32_t burst;         /* lines per call site and window; 0: no limit */
	uint32_t window_ms;     /* the rate limit's window (used when burst > 0) */
} ecn_log_config;

typedef struct ecn_log ecn_log;

/* Creates a logger writing to exactly one of stream (borrowed: kept until
 * ecn_log_free, never closed) or path (opened O_APPEND | O_CREAT, mode 0640
 * before the umask; the logger owns it).
 * Returns: EC_OK; EC_EINVAL (cfg or out NULL, both or neither of stream
 *          and path, level out of range, burst > 0 with window_ms 0);
 *          EC_EIO if path cannot be opened (errno is kept); EC_ENOMEM.
 *          *out is NULL on error.
 * In:      cfg: copied. */
ec_err ecn_log_new(const ecn_log_config *cfg, FILE *stream, const char *path, ecn_log **out)
	EC_WUR;

/* Closes and frees; accepts NULL. */
void ecn_log_free(ecn_log *lg);

/* Reopens the log file by its path (after logrotate moved it): the new
 * file is opened first, so on failure the old one stays in use.  For a
 * stream, flushes it.  Call it from the event loop (a uv_signal_t
 * callback), not from a signal handler.
 * Returns: EC_OK; EC_EIO if the path cannot be opened (errno is kept). */
ec_err ecn_log_reopen(ecn_log *lg) EC_WUR;

/* Changes the threshold. */
void ecn_log_set_level(ecn_log *lg, ecn_level level);

/* Would a line at level be written?  false for a NULL logger. */
bool ecn_log_enabled(const ecn_log *lg, ecn_level level);

/* Writes one line, unless level is above the threshold or the call site's
 * rate limit drops it.  file, line: the call site for the rate limit (NULL:
 * not limited).  comp: the component ("net", "rpc").  fields: nfields
 * fields (NULL when 0).  A NULL logger writes nothing.  Never fails: a
 * write or allocation failure drops the line and counts it
 * (ecn_log_dropped). */
void ecn_log_emit(ecn_log *lg, const char *file, unsigned line, ecn_level level, const char *comp,
                  const ecn_field *fields, size_t nfields, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));

void ecn_log_vemit(ecn_log *lg, const char *file, unsigned line, ecn_level level,
                   const char *comp, const ecn_field *fields, size_t nfields, const char *fmt,
                   va_list ap) __attribute__((format(printf, 8, 0)));

/* For every call site whose window has ended with lines suppressed, writes
 * "suppressed N similar messages" at that site's last level and
 * component, with the field site="FILE:LINE".  Call it from a timer. */
void ecn_log_flush_suppressed(ecn_log *lg);

/* Lines lost to write or allocation failures since creation. */
uint64_t ecn_log_dropped(const ecn_log *lg);

/* "error", "warn", "info", "debug" (anything else: "?"). */
const char *ecn_log_level_name(ecn_level level);

/* Parses a level name as above (case-insensitive; "warning" too).
 * Returns: EC_OK; EC_EPARSE (*out untouched). */
ec_err ecn_log_level_parse(const char *s, ecn_level *out) EC_WUR;

/* ECN_LOG(lg, level, comp, fmt, ...): a line without fields.
 * ECN_LOGF(lg, level, comp, ECN_FIELDS(...), fmt, ...): with fields.
 * The arguments are not evaluated when the level is filtered out. */
#define ECN_LOG(lg, level, comp, ...)                                                      \
	do {                                                                               \
		ecn_log *ecn_log_lg_ = (lg);                                               \
		ecn_level ecn_log_lv_ = (level);                                           \
		if (ecn_log_enabled(ecn_log_lg_, ecn_log_lv_))                             \
			ecn_log_emit(ecn_log_lg_, __FILE__, __LINE__, ecn_log_lv_, (comp), \
			             NULL, 0, __VA_ARGS__);                                \
	} while (0)

#define ECN_LOGF(lg, level, comp, fields, ...)                                             \
	do {                                                                               \
		ecn_log *ecn_log_lg_ = (lg);                                               \
		ecn_level ecn_log_lv_ = (level);                                           \
		if (ecn_log_enabled(ecn_log_lg_, ecn_log_lv_))                             \
			ecn_log_emit(ecn_log_lg_, __FILE__, __LINE__, ecn_log_lv_, (comp), \
			             fields, __VA_ARGS__);                                 \
	} while (0)

#endif
