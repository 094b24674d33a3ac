/* SPDX-License-Identifier: MIT */
/*
 * Prometheus text exposition 0.0.4 and the scraper's HTTP request
 * (ops/metrics.h).
 */
#include "ops/metrics.h"

#include <math.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum mtype { M_COUNTER, M_GAUGE, M_HISTOGRAM } mtype;

struct ecn_counter {
	uint64_t v;
};
struct ecn_gauge {
	double v;
};
struct ecn_histogram {
	uint64_t *buckets; /* per bound, not cumulative; [nbounds] is +Inf */
	size_t nbounds;
	const double *bounds; /* the family's */
	double sum;
	uint64_t count;
};

typedef struct series {
	struct series *next;
	char **values; /* one per label name */
	struct ecn_counter c;
	struct ecn_gauge g;
	struct ecn_histogram h;
} series;

typedef struct family {
	struct family *next;
	mtype type;
	char *name, *help;
	char **labels;
	size_t nlabels;
	double *bounds;
	size_t nbounds;
	series *first, *last;
} family;

struct ecn_metrics {
	family *first, *last;
};

/* -------------------------------------------------------------------- */
/* Buffers                                                                */

ec_err
ecn_buf_append(ecn_buf *b, const void *data, size_t n)
{
	if (!b || (!data && n))
		return EC_EINVAL;
	if (b->cap - b->len <= n || !b->data) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->len <= n) {
			if (cap > SIZE_MAX / 2)
				return EC_ENOMEM;
			cap *= 2;
		}
		char *d = realloc(b->data, cap);
		if (!d)
			return EC_ENOMEM;
		b->data = d;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
	return EC_OK;
}

void
ecn_buf_free(ecn_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static ec_err
app(ecn_buf *b, const char *s)
{
	return ecn_buf_append(b, s, strlen(s));
}

/* -------------------------------------------------------------------- */
/* Registration                                                           */

static bool
valid_name(const char *s, bool metric)
{
	if (!s || !*s)
		return false;
	for (size_t i = 0; s[i]; i++) {
		char c = s[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		             (metric && c == ':');
		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	if (!metric && s[0] == '_' && s[1] == '_')
		return false; /* reserved for Prometheus' own labels */
	return true;
}

static char *
dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static void
free_strs(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
free_family(family *f)
{
	series *s = f->first;
	while (s) {
		series *next = s->next;
		free_strs(s->values, f->nlabels);
		free(s->h.buckets);
		free(s);
		s = next;
	}
	free(f->name);
	free(f->help);
	free_strs(f->labels, f->nlabels);
	free(f->bounds);
	free(f);
}

ec_err
ecn_metrics_new(ecn_metrics **out)
{
	if (!out)
		return EC_EINVAL;
	*out = calloc(1, sizeof **out);
	return *out ? EC_OK : EC_ENOMEM;
}

void
ecn_metrics_free(ecn_metrics *m)
{
	if (!m)
		return;
	family *f = m->first;
	while (f) {
		family *next = f->next;
		free_family(f);
		f = next;
	}
	free(m);
}

static family *
find_family(const ecn_metrics *m, const char *name)
{
	for (family *f = m->first; f; f = f->next)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* Is name one of histogram h's derived series names? */
static bool
derived_of(const char *h, const char *name)
{
	static const char *const sfx[] = {"_bucket", "_sum", "_count"};
	size_t n = strlen(h);
	if (strncmp(name, h, n) != 0)
		return false;
	for (size_t i = 0; i < 3; i++)
		if (strcmp(name + n, sfx[i]) == 0)
			return true;
	return false;
}

static bool
collides(const ecn_metrics *m, const char *name, mtype type)
{
	for (family *f = m->first; f; f = f->next) {
		if (f->type == M_HISTOGRAM && derived_of(f->name, name))
			return true;
		if (type == M_HISTOGRAM && derived_of(name, f->name))
			return true;
	}
	return false;
}

static family *
new_family(const char *name, const char *help, mtype type, const ecn_label *labels,
           size_t nlabels, const double *bounds, size_t nbounds)
{
	family *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->type = type;
	f->nlabels = nlabels;
	f->nbounds = nbounds;
	f->name = dup(name);
	f->help = dup(help);
	f->labels = calloc(nlabels ? nlabels : 1, sizeof *f->labels);
	f->bounds = calloc(nbounds ? nbounds : 1, sizeof *f->bounds);
	bool ok = f->name && f->help && f->labels && f->bounds;
	for (size_t i = 0; ok && i < nlabels; i++)
		ok = (f->labels[i] = dup(labels[i].name)) != NULL;
	if (!ok) {
		free_family(f);
		return NULL;
	}
	if (nbounds)
		memcpy(f->bounds, bounds, nbounds * sizeof *bounds);
	return f;
}

/* Does family f accept a series with these labels (and bounds)? */
static bool
family_matches(const family *f, const char *help, mtype type, const ecn_label *labels,
               size_t nlabels, const double *bounds, size_t nbounds)
{
	if (f->type != type || strcmp(f->help, help) != 0 || f->nlabels != nlabels ||
	    f->nbounds != nbounds)
		return false;
	for (size_t i = 0; i < nlabels; i++)
		if (strcmp(f->labels[i], labels[i].name) != 0)
			return false;
	for (size_t i = 0; i < nbounds; i++)
		if (f->bounds[i] != bounds[i])
			return false;
	return true;
}

static bool
series_exists(const family *f, const ecn_label *labels)
{
	for (const series *s = f->first; s; s = s->next) {
		size_t i = 0;
		while (i < f->nlabels && strcmp(s->values[i], labels[i].value) == 0)
			i++;
		if (i == f->nlabels)
			return true;
	}
	return false;
}

static ec_err
check_args(const char *name, const char *help, mtype type, const ecn_label *labels,
           size_t nlabels, const double *bounds, size_t nbounds)
{
	if (!valid_name(name, true) || !help || (nlabels && !labels) ||
	    nlabels > ECN_METRICS_MAX_LABELS)
		return EC_EINVAL;
	for (size_t i = 0; i < nlabels; i++) {
		if (!valid_name(labels[i].name, false) || !labels[i].value)
			return EC_EINVAL;
		if (type == M_HISTOGRAM && strcmp(labels[i].name, "le") == 0)
			return EC_EINVAL;
		for (size_t j = 0; j < i; j++)
			if (strcmp(labels[i].name, labels[j].name) == 0)
				return EC_EINVAL;
	}
	if (type == M_HISTOGRAM) {
		if (!bounds || nbounds == 0 || nbounds > ECN_METRICS_MAX_BUCKETS)
			return EC_EINVAL;
		for (size_t i = 0; i < nbounds; i++) {
			if (!isfinite(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1])))
				return EC_EINVAL;
		}
	}
	return EC_OK;
}

static ec_err
add_series(ecn_metrics *m, const char *name, const char *help, mtype type,
           const ecn_label *labels, size_t nlabels, const double *bounds, size_t nbounds,
           series **out)
{
	*out = NULL;
	if (!m)
		return EC_EINVAL;
	ec_err e = check_args(name, help, type, labels, nlabels, bounds, nbounds);
	if (e != EC_OK)
		return e;
	family *f = find_family(m, name);
	bool fresh = false;
	if (f) {
		if (!family_matches(f, help, type, labels, nlabels, bounds, nbounds) ||
		    series_exists(f, labels))
			return EC_EINVAL;
	} else {
		if (collides(m, name, type))
			return EC_EINVAL;
		f = new_family(name, help, type, labels, nlabels, bounds, nbounds);
		if (!f)
			return EC_ENOMEM;
		fresh = true;
	}
	series *s = calloc(1, sizeof *s);
	bool ok = s != NULL;
	if (ok) {
		s->values = calloc(nlabels ? nlabels : 1, sizeof *s->values);
		ok = s->values != NULL;
	}
	for (size_t i = 0; ok && i < nlabels; i++)
		ok = (s->values[i] = dup(labels[i].value)) != NULL;
	if (ok && type == M_HISTOGRAM) {
		s->h.buckets = calloc(nbounds + 1, sizeof *s->h.buckets);
		s->h.nbounds = nbounds;
		s->h.bounds = f->bounds;
		ok = s->h.buckets != NULL;
	}
	if (!ok) {
		if (s) {
			free_strs(s->values, nlabels);
			free(s->h.buckets);
			free(s);
		}
		if (fresh)
			free_family(f);
		return EC_ENOMEM;
	}
	if (f->last)
		f->last->next = s;
	else
		f->first = s;
	f->last = s;
	if (fresh) {
		if (m->last)
			m->last->next = f;
		else
			m->first = f;
		m->last = f;
	}
	*out = s;
	return EC_OK;
}

ec_err
ecn_metrics_counter(ecn_metrics *m, const char *name, const char *help, const ecn_label *labels,
                    size_t nlabels, ecn_counter **out)
{
	if (!out)
		return EC_EINVAL;
	series *s;
	ec_err e = add_series(m, name, help, M_COUNTER, labels, nlabels, NULL, 0, &s);
	*out = s ? &s->c : NULL;
	return e;
}

ec_err
ecn_metrics_gauge(ecn_metrics *m, const char *name, const char *help, const ecn_label *labels,
                  size_t nlabels, ecn_gauge **out)
{
	if (!out)
		return EC_EINVAL;
	series *s;
	ec_err e = add_series(m, name, help, M_GAUGE, labels, nlabels, NULL, 0, &s);
	*out = s ? &s->g : NULL;
	return e;
}

ec_err
ecn_metrics_histogram(ecn_metrics *m, const char *name, const char *help,
                      const ecn_label *labels, size_t nlabels, const double *bounds,
                      size_t nbounds, ecn_histogram **out)
{
	if (!out)
		return EC_EINVAL;
	series *s;
	ec_err e = add_series(m, name, help, M_HISTOGRAM, labels, nlabels, bounds, nbounds, &s);
	*out = s ? &s->h : NULL;
	return e;
}

/* -------------------------------------------------------------------- */
/* Updates                                                                */

void
ecn_counter_inc(ecn_counter *c)
{
	ecn_counter_add(c, 1);
}

void
ecn_counter_add(ecn_counter *c, uint64_t n)
{
	if (c)
		c->v = n > UINT64_MAX - c->v ? UINT64_MAX : c->v + n;
}

uint64_t
ecn_counter_value(const ecn_counter *c)
{
	return c ? c->v : 0;
}

void
ecn_gauge_set(ecn_gauge *g, double v)
{
	if (g)
		g->v = v;
}

void
ecn_gauge_add(ecn_gauge *g, double d)
{
	if (g)
		g->v += d;
}

double
ecn_gauge_value(const ecn_gauge *g)
{
	return g ? g->v : 0.0;
}

void
ecn_histogram_observe(ecn_histogram *h, double v)
{
	if (!h || isnan(v))
		return;
	size_t i = 0;
	while (i < h->nbounds && v > h->bounds[i])
		i++;
	h->buckets[i]++;
	h->count++;
	h->sum += v;
}

/* -------------------------------------------------------------------- */
/* Rendering                                                              */

/* Prometheus' spelling of a double: +Inf, -Inf, NaN, else the shortest
 * %g form that reads back exactly. */
static void
fmt_double(char *buf, size_t cap, double v)
{
	if (isnan(v)) {
		snprintf(buf, cap, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, cap, "%s", v > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, cap, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* Appends s escaped: '\' and newline always, '"' when quoted (a label
 * value; HELP text leaves quotes alone). */
static ec_err
app_escaped(ecn_buf *b, const char *s, bool quoted)
{
	ec_err e = EC_OK;
	while (*s && e == EC_OK) {
		size_t run = strcspn(s, quoted ? "\\\n\"" : "\\\n");
		e = ecn_buf_append(b, s, run);
		s += run;
		if (!*s || e != EC_OK)
			break;
		e = app(b, *s == '\\' ? "\\\\" : *s == '\n' ? "\\n" : "\\\"");
		s++;
	}
	return e;
}

/* {name="value",...[,le="bound"]}; nothing when there are no labels. */
static ec_err
app_labels(ecn_buf *b, const family *f, const series *s, const char *le)
{
	if (f->nlabels == 0 && !le)
		return EC_OK;
	ec_err e = app(b, "{");
	for (size_t i = 0; i < f->nlabels && e == EC_OK; i++) {
		if (i)
			e = app(b, ",");
		if (e == EC_OK)
			e = app(b, f->labels[i]);
		if (e == EC_OK)
			e = app(b, "=\"");
		if (e == EC_OK)
			e = app_escaped(b, s->values[i], true);
		if (e == EC_OK)
			e = app(b, "\"");
	}
	if (le && e == EC_OK) {
		e = app(b, f->nlabels ? ",le=\"" : "le=\"");
		if (e == EC_OK)
			e = app(b, le);
		if (e == EC_OK)
			e = app(b, "\"");
	}
	if (e == EC_OK)
		e = app(b, "}");
	return e;
}

/* name[suffix]{labels} value\n */
static ec_err
app_sample(ecn_buf *b, const family *f, const series *s, const char *suffix, const char *le,
           const char *value)
{
	ec_err e = app(b, f->name);
	if (e == EC_OK && suffix)
		e = app(b, suffix);
	if (e == EC_OK)
		e = app_labels(b, f, s, le);
	if (e == EC_OK)
		e = app(b, " ");
	if (e == EC_OK)
		e = app(b, value);
	if (e == EC_OK)
		e = app(b, "\n");
	return e;
}

static ec_err
render_series(ecn_buf *b, const family *f, const series *s)
{
	char v[48], le[48];
	switch (f->type) {
	case M_COUNTER:
		snprintf(v, sizeof v, "%" PRIu64, s->c.v);
		return app_sample(b, f, s, NULL, NULL, v);
	case M_GAUGE:
		fmt_double(v, sizeof v, s->g.v);
		return app_sample(b, f, s, NULL, NULL, v);
	case M_HISTOGRAM: {
		uint64_t cum = 0;
		ec_err e = EC_OK;
		for (size_t i = 0; i <= s->h.nbounds && e == EC_OK; i++) {
			cum += s->h.buckets[i];
			if (i < s->h.nbounds)
				fmt_double(le, sizeof le, f->bounds[i]);
			else
				snprintf(le, sizeof le, "+Inf");
			snprintf(v, sizeof v, "%" PRIu64, cum);
			e = app_sample(b, f, s, "_bucket", le, v);
		}
		if (e == EC_OK) {
			fmt_double(v, sizeof v, s->h.sum);
			e = app_sample(b, f, s, "_sum", NULL, v);
		}
		if (e == EC_OK) {
			snprintf(v, sizeof v, "%" PRIu64, s->h.count);
			e = app_sample(b, f, s, "_count", NULL, v);
		}
		return e;
	}
	}
	return EC_EINVAL;
}

ec_err
ecn_metrics_render(const ecn_metrics *m, ecn_buf *out)
{
	static const char *const types[] = {"counter", "gauge", "histogram"};
	if (!m || !out)
		return EC_EINVAL;
	ec_err e = EC_OK;
	for (const family *f = m->first; f && e == EC_OK; f = f->next) {
		e = app(out, "# HELP ");
		if (e == EC_OK)
			e = app(out, f->name);
		if (e == EC_OK)
			e = app(out, " ");
		if (e == EC_OK)
			e = app_escaped(out, f->help, false);
		if (e == EC_OK)
			e = app(out, "\n# TYPE ");
		if (e == EC_OK)
			e = app(out, f->name);
		if (e == EC_OK)
			e = app(out, " ");
		if (e == EC_OK)
			e = app(out, types[f->type]);
		if (e == EC_OK)
			e = app(out, "\n");
		for (const series *s = f->first; s && e == EC_OK; s = s->next)
			e = render_series(out, f, s);
	}
	return e;
}

/* -------------------------------------------------------------------- */
/* HTTP                                                                   */

typedef struct cursor {
	const char *p;
	size_t pos, n; /* n: bytes we may look at */
} cursor;

/* token characters of RFC 9110 */
static bool
tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Consumes a line end (CRLF or LF).  1: done; 0: need more; -1: bad. */
static int
line_end(cursor *c)
{
	if (c->pos >= c->n)
		return 0;
	if (c->p[c->pos] == '\n') {
		c->pos++;
		return 1;
	}
	if (c->p[c->pos] != '\r')
		return -1;
	if (c->pos + 1 >= c->n)
		return 0;
	if (c->p[c->pos + 1] != '\n')
		return -1;
	c->pos += 2;
	return 1;
}

/* Consumes the literal s.  1: done; 0: need more; -1: mismatch. */
static int
literal(cursor *c, const char *s)
{
	for (; *s; s++, c->pos++) {
		if (c->pos >= c->n)
			return 0;
		if (c->p[c->pos] != *s)
			return -1;
	}
	return 1;
}

static ecn_http_verdict
more(size_t len)
{
	return len >= ECN_HTTP_HEAD_MAX ? ECN_HTTP_TOO_LONG : ECN_HTTP_INCOMPLETE;
}

ecn_http_verdict
ecn_http_parse_request_line(const char *buf, size_t len, ecn_http_request *out)
{
	if (!buf || !out)
		return ECN_HTTP_BAD;
	cursor c = {buf, 0, len < ECN_HTTP_HEAD_MAX ? len : ECN_HTTP_HEAD_MAX};
	ecn_http_request r;
	memset(&r, 0, sizeof r);
	/* method */
	size_t m = 0;
	while (c.pos < c.n && buf[c.pos] >= 'A' && buf[c.pos] <= 'Z') {
		if (m + 1 >= sizeof r.method)
			return ECN_HTTP_BAD;
		r.method[m++] = buf[c.pos++];
	}
	if (c.pos >= c.n)
		return more(len);
	if (m == 0 || buf[c.pos] != ' ')
		return ECN_HTTP_BAD;
	c.pos++;
	/* target: origin-form, visible ASCII */
	size_t t0 = c.pos;
	while (c.pos < c.n && (unsigned char)buf[c.pos] > 0x20 && (unsigned char)buf[c.pos] < 0x7f) {
		if (c.pos - t0 >= ECN_HTTP_TARGET_MAX)
			return ECN_HTTP_TOO_LONG;
		c.pos++;
	}
	if (c.pos > t0 && buf[t0] != '/')
		return ECN_HTTP_BAD;
	if (c.pos >= c.n)
		return more(len);
	if (c.pos == t0 || buf[c.pos] != ' ')
		return ECN_HTTP_BAD;
	size_t tlen = c.pos - t0;
	c.pos++;
	/* version */
	int k = literal(&c, "HTTP/");
	if (k == 0)
		return more(len);
	if (k < 0)
		return ECN_HTTP_BAD;
	for (size_t i = 0; i < 3; i++) {
		if (c.pos + i >= c.n)
			return more(len);
		char ch = buf[c.pos + i];
		if (i == 1 ? ch != '.' : !(ch >= '0' && ch <= '9'))
			return ECN_HTTP_BAD;
	}
	if (buf[c.pos] != '1' || (buf[c.pos + 2] != '0' && buf[c.pos + 2] != '1'))
		return ECN_HTTP_VERSION;
	r.minor = (unsigned)(buf[c.pos + 2] - '0');
	c.pos += 3;
	k = line_end(&c);
	if (k == 0)
		return more(len);
	if (k < 0)
		return ECN_HTTP_BAD;
	/* headers up to an empty line */
	for (;;) {
		if (c.pos >= c.n)
			return more(len);
		char ch = buf[c.pos];
		if (ch == '\r' || ch == '\n') {
			k = line_end(&c);
			if (k == 0)
				return more(len);
			if (k < 0)
				return ECN_HTTP_BAD;
			break;
		}
		size_t n0 = c.pos;
		while (c.pos < c.n && tchar((unsigned char)buf[c.pos]))
			c.pos++;
		if (c.pos >= c.n)
			return more(len);
		if (c.pos == n0 || buf[c.pos] != ':')
			return ECN_HTTP_BAD; /* obs-fold, a blank before ':', junk */
		c.pos++;
		for (;;) {
			if (c.pos >= c.n)
				return more(len);
			unsigned char v = (unsigned char)buf[c.pos];
			if (v == '\r' || v == '\n')
				break;
			if ((v < 0x20 && v != '\t') || v == 0x7f)
				return ECN_HTTP_BAD;
			c.pos++;
		}
		k = line_end(&c);
		if (k == 0)
			return more(len);
		if (k < 0)
			return ECN_HTTP_BAD;
	}
	const char *target = buf + t0;
	const char *q = memchr(target, '?', tlen);
	size_t plen = q ? (size_t)(q - target) : tlen;
	memcpy(r.path, target, plen);
	r.path[plen] = '\0';
	if (q) {
		memcpy(r.query, q + 1, tlen - plen - 1);
		r.query[tlen - plen - 1] = '\0';
	}
	r.head_len = c.pos;
	*out = r;
	return ECN_HTTP_OK;
}
