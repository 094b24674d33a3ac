/* SPDX-License-Identifier: MIT */
/*
 * Leveled text and JSON-lines logging (ops/log.h).
 */
#include "ops/log.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define COMP_MAX 24u /* bytes of a component kept for flushed counts */

typedef struct site {
	const char *file; /* NULL: free slot */
	unsigned line;
	uint64_t window_start;
	uint32_t count;      /* lines written in this window */
	uint64_t suppressed; /* lines dropped in this window */
	uint64_t pending;    /* dropped in an earlier window, not yet reported */
	ecn_level level;
	char comp[COMP_MAX];
} site;

struct ecn_log {
	ecn_log_config cfg;
	FILE *stream; /* borrowed; NULL when writing to fd */
	int fd;       /* owned; -1 when writing to stream */
	char *path;   /* owned copy, for reopen */
	char *buf;    /* the line being built */
	size_t len, cap;
	bool oom;     /* an append failed: the line is dropped */
	uint64_t dropped;
	site sites[ECN_LOG_SITES];
};

/* -------------------------------------------------------------------- */
/* The line buffer                                                        */

static void
put(ecn_log *lg, const char *s, size_t n)
{
	if (lg->oom)
		return;
	if (n > lg->cap - lg->len) {
		size_t cap = lg->cap ? lg->cap : 512;
		while (n > cap - lg->len) {
			if (cap > SIZE_MAX / 2) {
				lg->oom = true;
				return;
			}
			cap *= 2;
		}
		char *b = realloc(lg->buf, cap);
		if (!b) {
			lg->oom = true;
			return;
		}
		lg->buf = b;
		lg->cap = cap;
	}
	memcpy(lg->buf + lg->len, s, n);
	lg->len += n;
}

static void
puts_(ecn_log *lg, const char *s)
{
	put(lg, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void
putf(ecn_log *lg, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		put(lg, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* -------------------------------------------------------------------- */
/* Escaping                                                               */

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if the
 * bytes there are not one (overlong forms, surrogates and values above
 * U+10FFFF included). */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp, min;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1Fu;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0Fu;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07u;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0u) != 0x80u)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3Fu);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

enum esc_mode {
	ESC_JSON,   /* inside a JSON string */
	ESC_TEXT,   /* a text message: controls and backslash */
	ESC_QUOTED  /* a quoted text value: also '"' */
};

/* Appends s escaped for mode, cut at ECN_LOG_VALUE_MAX input bytes. */
static void
put_escaped(ecn_log *lg, const char *str, enum esc_mode mode)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), limit = n;
	bool cut = false;
	if (limit > ECN_LOG_VALUE_MAX) {
		limit = ECN_LOG_VALUE_MAX;
		cut = true;
	}
	size_t i = 0;
	while (i < limit) {
		size_t run = i;
		/* a run of bytes that need no escape */
		while (run < limit && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '\\' &&
		       !(s[run] == '"' && mode != ESC_TEXT))
			run++;
		put(lg, str + i, run - i);
		i = run;
		if (i >= limit)
			break;
		unsigned char c = s[i];
		if (c >= 0x80) {
			size_t k = utf8_len(s + i, n - i);
			if (k > 0 && i + k <= limit) {
				put(lg, str + i, k);
				i += k;
			} else if (k > 0) {
				i = limit; /* a character across the cut: drop it */
			} else {
				if (mode == ESC_JSON)
					puts_(lg, "\\ufffd");
				else
					putf(lg, "\\x%02x", c);
				i++;
			}
			continue;
		}
		switch (c) {
		case '\\':
			puts_(lg, "\\\\");
			break;
		case '"':
			puts_(lg, "\\\"");
			break;
		case '\n':
			puts_(lg, "\\n");
			break;
		case '\r':
			puts_(lg, "\\r");
			break;
		case '\t':
			puts_(lg, "\\t");
			break;
		default:
			if (mode == ESC_JSON)
				putf(lg, "\\u%04x", c);
			else
				putf(lg, "\\x%02x", c);
		}
		i++;
	}
	if (cut)
		puts_(lg, "...");
}

/* Does a text field value need quotes? */
static bool
needs_quotes(const char *s)
{
	if (*s == '\0')
		return true;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '=' || c == '\\')
			return true;
	}
	return false;
}

/* Keys are the programmer's, but a stray byte must not break the line. */
static void
put_key(ecn_log *lg, const char *key)
{
	if (!key || !*key) {
		puts_(lg, "_");
		return;
	}
	for (size_t i = 0; key[i] && i < 64; i++) {
		char c = key[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		          c == '_' || c == '.' || c == '-';
		put(lg, ok ? &c : "_", 1);
	}
}

/* The shortest %g form that reads back to the same double. */
static void
put_double(ecn_log *lg, double v)
{
	char tmp[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	puts_(lg, tmp);
}

/* -------------------------------------------------------------------- */
/* Lines                                                                  */

const char *
ecn_log_level_name(ecn_level level)
{
	switch (level) {
	case ECN_ERROR:
		return "error";
	case ECN_WARN:
		return "warn";
	case ECN_INFO:
		return "info";
	case ECN_DEBUG:
		return "debug";
	}
	return "?";
}

static const char *
level_upper(ecn_level level)
{
	switch (level) {
	case ECN_ERROR:
		return "ERROR";
	case ECN_WARN:
		return "WARN ";
	case ECN_INFO:
		return "INFO ";
	case ECN_DEBUG:
		return "DEBUG";
	}
	return "?    ";
}

ec_err
ecn_log_level_parse(const char *s, ecn_level *out)
{
	static const struct {
		const char *name;
		ecn_level level;
	} names[] = {{"error", ECN_ERROR}, {"warn", ECN_WARN},   {"warning", ECN_WARN},
	             {"info", ECN_INFO},   {"debug", ECN_DEBUG}};
	if (!s || !out)
		return EC_EPARSE;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *a = s, *b = names[i].name;
		for (; *a && *b; a++, b++) {
			char c = *a;
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (c != *b)
				break;
		}
		if (*a == '\0' && *b == '\0') {
			*out = names[i].level;
			return EC_OK;
		}
	}
	return EC_EPARSE;
}

/* ISO-8601 UTC with milliseconds: 2025-01-02T03:04:05.678Z. */
static void
put_time(ecn_log *lg, uint64_t ms)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	char tmp[48];
	if ((uint64_t)secs != ms / 1000 || !gmtime_r(&secs, &tm) || tm.tm_year > 9999 - 1900) {
		puts_(lg, "9999-12-31T23:59:59.999Z"); /* a clock beyond ISO's 4-digit years */
		return;
	}
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	         (unsigned)(ms % 1000));
	puts_(lg, tmp);
}

static void
put_hex(ecn_log *lg, const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *b = p;
	size_t shown = n > ECN_LOG_HEX_MAX ? ECN_LOG_HEX_MAX : n;
	if (!p)
		shown = 0;
	for (size_t i = 0; i < shown; i++) {
		char two[2] = {digits[b[i] >> 4], digits[b[i] & 15]};
		put(lg, two, 2);
	}
	if (shown < n && p)
		puts_(lg, "...");
}

/* One field's value, in the line's format. */
static void
put_value(ecn_log *lg, const ecn_field *f)
{
	bool json = lg->cfg.json;
	switch (f->kind) {
	case ECN_FIELD_STR:
		if (!f->v.s) {
			puts_(lg, json ? "null" : "(null)");
		} else if (json) {
			puts_(lg, "\"");
			put_escaped(lg, f->v.s, ESC_JSON);
			puts_(lg, "\"");
		} else if (needs_quotes(f->v.s)) {
			puts_(lg, "\"");
			put_escaped(lg, f->v.s, ESC_QUOTED);
			puts_(lg, "\"");
		} else {
			put_escaped(lg, f->v.s, ESC_TEXT);
		}
		return;
	case ECN_FIELD_U64:
		putf(lg, "%" PRIu64, f->v.u);
		return;
	case ECN_FIELD_I64:
		putf(lg, "%" PRId64, f->v.i);
		return;
	case ECN_FIELD_F64:
		if (isfinite(f->v.f))
			put_double(lg, f->v.f);
		else if (json)
			puts_(lg, "null");
		else
			puts_(lg, isnan(f->v.f) ? "nan" : f->v.f > 0 ? "inf" : "-inf");
		return;
	case ECN_FIELD_BOOL:
		puts_(lg, f->v.b ? "true" : "false");
		return;
	case ECN_FIELD_HEX64:
		putf(lg, json ? "\"%016" PRIx64 "\"" : "%016" PRIx64, f->v.u);
		return;
	case ECN_FIELD_HEX:
		if (json)
			puts_(lg, "\"");
		put_hex(lg, f->v.hex.p, f->v.hex.n);
		if (json)
			puts_(lg, "\"");
		return;
	}
	puts_(lg, json ? "null" : "?");
}

static void
put_field(ecn_log *lg, const ecn_field *f)
{
	if (lg->cfg.json) {
		puts_(lg, ",\"");
		put_key(lg, f->key);
		puts_(lg, "\":");
	} else {
		puts_(lg, " ");
		put_key(lg, f->key);
		puts_(lg, "=");
	}
	put_value(lg, f);
}

/* Writes the built line with one write(2) (or fwrite + fflush). */
static void
flush_line(ecn_log *lg)
{
	if (lg->oom) {
		lg->dropped++;
		return;
	}
	if (lg->stream) {
		if (fwrite(lg->buf, 1, lg->len, lg->stream) != lg->len || fflush(lg->stream) != 0)
			lg->dropped++;
		return;
	}
	size_t off = 0;
	while (off < lg->len) {
		ssize_t w = write(lg->fd, lg->buf + off, lg->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			lg->dropped++;
			return;
		}
		off += (size_t)w;
	}
}

static uint64_t
now_ms(const ecn_log *lg)
{
	if (lg->cfg.clock)
		return lg->cfg.clock(lg->cfg.clock_user);
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
write_line(ecn_log *lg, uint64_t now, ecn_level level, const char *comp, const ecn_field *fields,
           size_t nfields, const ecn_field *extra, const char *msg)
{
	lg->len = 0;
	lg->oom = false;
	if (!comp)
		comp = "-";
	if (lg->cfg.json) {
		puts_(lg, "{\"ts\":\"");
		put_time(lg, now);
		puts_(lg, "\",\"level\":\"");
		puts_(lg, ecn_log_level_name(level));
		puts_(lg, "\",\"comp\":\"");
		put_escaped(lg, comp, ESC_JSON);
		puts_(lg, "\",\"msg\":\"");
		put_escaped(lg, msg, ESC_JSON);
		puts_(lg, "\"");
	} else {
		put_time(lg, now);
		puts_(lg, " ");
		puts_(lg, level_upper(level));
		puts_(lg, " ");
		put_escaped(lg, comp, ESC_TEXT);
		puts_(lg, ": ");
		put_escaped(lg, msg, ESC_TEXT);
	}
	for (size_t i = 0; i < nfields; i++)
		put_field(lg, &fields[i]);
	if (extra)
		put_field(lg, extra);
	puts_(lg, lg->cfg.json ? "}\n" : "\n");
	flush_line(lg);
}

/* -------------------------------------------------------------------- */
/* The rate limit                                                         */

static site *
site_of(ecn_log *lg, const char *file, unsigned line)
{
	uintptr_t h = (uintptr_t)file ^ ((uintptr_t)line * 0x9E3779B1u);
	h ^= h >> 7;
	for (size_t k = 0; k < ECN_LOG_SITES; k++) {
		site *s = &lg->sites[(h + k) % ECN_LOG_SITES];
		if (!s->file) {
			s->file = file;
			s->line = line;
			return s;
		}
		if (s->file == file && s->line == line)
			return s;
	}
	return NULL; /* table full: sites beyond it are not limited */
}

/* Decides whether the line at s passes; sets *report to the count of lines
 * dropped in earlier windows that this line must mention. */
static bool
site_admit(ecn_log *lg, site *s, uint64_t now, ecn_level level, const char *comp,
           uint64_t *report)
{
	*report = 0;
	if (now - s->window_start >= lg->cfg.window_ms || now < s->window_start) {
		s->pending += s->suppressed;
		s->suppressed = 0;
		s->count = 0;
		s->window_start = now;
	}
	s->level = level;
	snprintf(s->comp, sizeof s->comp, "%s", comp ? comp : "-");
	if (s->count >= lg->cfg.burst) {
		s->suppressed++;
		return false;
	}
	s->count++;
	*report = s->pending;
	s->pending = 0;
	return true;
}

void
ecn_log_flush_suppressed(ecn_log *lg)
{
	if (!lg || lg->cfg.burst == 0)
		return;
	uint64_t now = now_ms(lg);
	for (size_t i = 0; i < ECN_LOG_SITES; i++) {
		site *s = &lg->sites[i];
		if (!s->file)
			continue;
		if (now - s->window_start >= lg->cfg.window_ms || now < s->window_start) {
			s->pending += s->suppressed;
			s->suppressed = 0;
			s->count = 0;
			s->window_start = now;
		}
		if (s->pending == 0 || s->level > lg->cfg.level)
			continue;
		char where[256], msg[64];
		snprintf(where, sizeof where, "%s:%u", s->file, s->line);
		snprintf(msg, sizeof msg, "suppressed %" PRIu64 " similar messages", s->pending);
		ecn_field f = ECN_STR("site", where);
		write_line(lg, now, s->level, s->comp, &f, 1, NULL, msg);
		s->pending = 0;
	}
}

/* -------------------------------------------------------------------- */
/* API                                                                    */

bool
ecn_log_enabled(const ecn_log *lg, ecn_level level)
{
	return lg && level <= lg->cfg.level;
}

void
ecn_log_vemit(ecn_log *lg, const char *file, unsigned line, ecn_level level, const char *comp,
              const ecn_field *fields, size_t nfields, const char *fmt, va_list ap)
{
	if (!ecn_log_enabled(lg, level) || !fmt)
		return;
	if (!fields)
		nfields = 0;
	uint64_t now = now_ms(lg);
	uint64_t report = 0;
	if (file && lg->cfg.burst > 0) {
		site *s = site_of(lg, file, line);
		if (s && !site_admit(lg, s, now, level, comp, &report))
			return;
	}
	/* the message is cut at ECN_LOG_VALUE_MAX by the escaper; one byte
	 * more tells it that it was cut */
	char msg[ECN_LOG_VALUE_MAX + 2];
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	if (n < 0)
		snprintf(msg, sizeof msg, "(unformattable message)");
	ecn_field extra = ECN_U64("suppressed", report);
	write_line(lg, now, level, comp, fields, nfields, report ? &extra : NULL, msg);
}

void
ecn_log_emit(ecn_log *lg, const char *file, unsigned line, ecn_level level, const char *comp,
             const ecn_field *fields, size_t nfields, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ecn_log_vemit(lg, file, line, level, comp, fields, nfields, fmt, ap);
	va_end(ap);
}

static int
open_log(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

ec_err
ecn_log_new(const ecn_log_config *cfg, FILE *stream, const char *path, ecn_log **out)
{
	if (out)
		*out = NULL;
	if (!cfg || !out || (stream == NULL) == (path == NULL) || cfg->level > ECN_DEBUG ||
	    (cfg->burst > 0 && cfg->window_ms == 0))
		return EC_EINVAL;
	ecn_log *lg = calloc(1, sizeof *lg);
	if (!lg)
		return EC_ENOMEM;
	lg->cfg = *cfg;
	lg->fd = -1;
	lg->stream = stream;
	if (path) {
		size_t n = strlen(path);
		lg->path = malloc(n + 1);
		if (!lg->path) {
			free(lg);
			return EC_ENOMEM;
		}
		memcpy(lg->path, path, n + 1);
		lg->fd = open_log(path);
		if (lg->fd < 0) {
			int saved = errno;
			free(lg->path);
			free(lg);
			errno = saved;
			return EC_EIO;
		}
	}
	*out = lg;
	return EC_OK;
}

ec_err
ecn_log_reopen(ecn_log *lg)
{
	if (!lg)
		return EC_EINVAL;
	if (lg->stream)
		return fflush(lg->stream) == 0 ? EC_OK : EC_EIO;
	int fd = open_log(lg->path);
	if (fd < 0)
		return EC_EIO;
	close(lg->fd);
	lg->fd = fd;
	return EC_OK;
}

void
ecn_log_set_level(ecn_log *lg, ecn_level level)
{
	if (lg && level <= ECN_DEBUG)
		lg->cfg.level = level;
}

uint64_t
ecn_log_dropped(const ecn_log *lg)
{
	return lg ? lg->dropped : 0;
}

void
ecn_log_free(ecn_log *lg)
{
	if (!lg)
		return;
	if (lg->fd >= 0)
		close(lg->fd);
	free(lg->path);
	free(lg->buf);
	free(lg);
}
