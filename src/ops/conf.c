/* SPDX-License-Identifier: MIT */
/*
 * Options from one table: command line, config file, help, dump
 * (ops/conf.h, docs/config.md).
 */
#include "ops/conf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME_SHOWN_MAX 64u /* bytes of a user's option name quoted in a message */
#define HELP_COLUMN 26u    /* where help text starts */

/* printf into an error; always NUL-terminated, truncated if needed. */
__attribute__((format(printf, 2, 3))) static void
seterr(ecn_conf_err *err, const char *fmt, ...)
{
	if (!err)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
}

static void
clearerr_(ecn_conf_err *err)
{
	if (err)
		err->msg[0] = '\0';
}

/* Copies at most NAME_SHOWN_MAX bytes of s (n bytes long) into out (which
 * holds NAME_SHOWN_MAX + 4), replacing bytes that are not printable ASCII
 * with '?', so user text cannot break the message it is quoted in. */
static void
shown(char *out, const char *s, size_t n)
{
	size_t k = 0;
	for (; k < n && k < NAME_SHOWN_MAX; k++) {
		unsigned char c = (unsigned char)s[k];
		out[k] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (k < n) {
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k] = '\0';
}

/* -------------------------------------------------------------------- */
/* Value parsers                                                          */

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Reads the decimal digits at *s into *v, advancing *s.  EC_EPARSE if there
 * are none, EC_ERANGE on overflow. */
static ec_err
digits(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t x = 0;
	if (*p < '0' || *p > '9')
		return EC_EPARSE;
	for (; *p >= '0' && *p <= '9'; p++) {
		uint64_t d = (uint64_t)(*p - '0');
		if (x > (UINT64_MAX - d) / 10)
			return EC_ERANGE;
		x = x * 10 + d;
	}
	*s = p;
	*v = x;
	return EC_OK;
}

ec_err
ecn_conf_parse_uint(const char *s, uint64_t *out)
{
	uint64_t v;
	ec_err e = digits(&s, &v);
	if (e != EC_OK)
		return e;
	if (*s != '\0')
		return EC_EPARSE;
	*out = v;
	return EC_OK;
}

/* n * unit with overflow check. */
static ec_err
scaled(uint64_t n, uint64_t unit, uint64_t *out)
{
	if (unit != 0 && n > UINT64_MAX / unit)
		return EC_ERANGE;
	*out = n * unit;
	return EC_OK;
}

ec_err
ecn_conf_parse_duration_ms(const char *s, uint64_t *out)
{
	static const struct {
		const char *suffix;
		uint64_t ms;
	} units[] = {{"", 1}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
	uint64_t v;
	ec_err e = digits(&s, &v);
	if (e != EC_OK)
		return e;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(s, units[i].suffix) == 0)
			return scaled(v, units[i].ms, out);
	return EC_EPARSE;
}

ec_err
ecn_conf_parse_size(const char *s, uint64_t *out)
{
	uint64_t v;
	ec_err e = digits(&s, &v);
	if (e != EC_OK)
		return e;
	uint64_t unit;
	switch (s[0]) {
	case '\0':
		unit = 1;
		break;
	case 'k':
	case 'K':
		unit = 1024;
		break;
	case 'm':
	case 'M':
		unit = 1024 * 1024;
		break;
	case 'g':
	case 'G':
		unit = 1024 * 1024 * 1024;
		break;
	default:
		return EC_EPARSE;
	}
	if (s[0] != '\0' && s[1] != '\0')
		return EC_EPARSE;
	return scaled(v, unit, out);
}

static bool
eq_nocase(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a, y = *b;
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (x != y)
			return false;
	}
	return *a == *b;
}

ec_err
ecn_conf_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "1", "yes"};
	static const char *const no[] = {"false", "0", "no"};
	for (size_t i = 0; i < 3; i++) {
		if (eq_nocase(s, yes[i])) {
			*out = true;
			return EC_OK;
		}
		if (eq_nocase(s, no[i])) {
			*out = false;
			return EC_OK;
		}
	}
	return EC_EPARSE;
}

/* -------------------------------------------------------------------- */
/* Fields of the caller's struct                                          */

static void *
field(void *base, const ecn_opt *o)
{
	return (char *)base + o->offset;
}

static const void *
cfield(const void *base, const ecn_opt *o)
{
	return (const char *)base + o->offset;
}

static void
strlist_clear(ecn_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static char *
dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Checks what every value must be: non-empty, bounded, free of control
 * characters and of surrounding blanks.  Returns NULL or the problem. */
static const char *
value_shape(const char *v)
{
	size_t n = strlen(v);
	if (n == 0)
		return "empty value";
	if (n > ECN_CONF_VALUE_MAX)
		return "value longer than 4096 bytes";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c < 0x20 || c == 0x7f)
			return "control character in value";
	}
	if (is_blank(v[0]) || is_blank(v[n - 1]))
		return "blanks around value";
	return NULL;
}

static const char *
kind_word(ecn_opt_kind k)
{
	switch (k) {
	case ECN_OPT_STRING:
		return "STR";
	case ECN_OPT_UINT:
		return "N";
	case ECN_OPT_BOOL:
		return "BOOL";
	case ECN_OPT_DURATION:
		return "DURATION";
	case ECN_OPT_SIZE:
		return "SIZE";
	case ECN_OPT_LIST:
		return "LIST";
	}
	return "?";
}

/* Checks a number against the option's bounds; writes the problem. */
static ec_err
in_bounds(const ecn_opt *o, uint64_t v, char *why, size_t whylen)
{
	if (o->min == 0 && o->max == 0)
		return EC_OK;
	if (v < o->min || v > o->max) {
		snprintf(why, whylen, "%" PRIu64 " is outside %" PRIu64 "..%" PRIu64 "%s", v, o->min,
		         o->max, o->kind == ECN_OPT_DURATION ? " ms" : o->kind == ECN_OPT_SIZE ? " bytes" : "");
		return EC_ERANGE;
	}
	return EC_OK;
}

/* Parses the items of a list value into l (replacing or appending). */
static ec_err
set_list(ecn_strlist *l, const char *v, bool append, char *why, size_t whylen)
{
	size_t count = 1;
	for (const char *p = v; *p; p++)
		count += *p == ',';
	size_t base_n = append ? l->n : 0;
	if (count > ECN_CONF_LIST_MAX || base_n + count > ECN_CONF_LIST_MAX) {
		snprintf(why, whylen, "more than %u items", ECN_CONF_LIST_MAX);
		return EC_ERANGE;
	}
	char **items = calloc(count, sizeof *items);
	if (!items)
		return EC_ENOMEM;
	size_t n = 0;
	ec_err e = EC_OK;
	const char *p = v;
	for (;;) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		const char *a = p, *b = end;
		while (a < b && is_blank(*a))
			a++;
		while (b > a && is_blank(b[-1]))
			b--;
		if (a == b) {
			snprintf(why, whylen, "empty item %zu in list", n + 1);
			e = EC_EPARSE;
			break;
		}
		items[n] = dup_n(a, (size_t)(b - a));
		if (!items[n]) {
			e = EC_ENOMEM;
			break;
		}
		n++;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	if (e == EC_OK) {
		char **all = items;
		if (append && l->n) {
			all = realloc(l->items, (l->n + n) * sizeof *all);
			if (!all) {
				e = EC_ENOMEM;
			} else {
				memcpy(all + l->n, items, n * sizeof *all);
				free(items);
				l->items = all;
				l->n += n;
				return EC_OK;
			}
		} else {
			strlist_clear(l);
			l->items = items;
			l->n = n;
			return EC_OK;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
	return e;
}

/* Parses v as option o's value and stores it.  append: a list appends
 * instead of replacing.  On error writes the problem into why and leaves
 * the field as it was. */
static ec_err
set_value(const ecn_opt *o, void *base, const char *v, bool append, char *why, size_t whylen)
{
	const char *bad = value_shape(v);
	if (bad) {
		snprintf(why, whylen, "%s", bad);
		return EC_EPARSE;
	}
	void *f = field(base, o);
	uint64_t n = 0;
	ec_err e;
	switch (o->kind) {
	case ECN_OPT_STRING: {
		char *d = dup_n(v, strlen(v));
		if (!d)
			return EC_ENOMEM;
		char *old;
		memcpy(&old, f, sizeof old);
		free(old);
		memcpy(f, &d, sizeof d);
		return EC_OK;
	}
	case ECN_OPT_BOOL: {
		bool b;
		if (ecn_conf_parse_bool(v, &b) != EC_OK) {
			snprintf(why, whylen, "expected true, false, yes, no, 1 or 0");
			return EC_EPARSE;
		}
		memcpy(f, &b, sizeof b);
		return EC_OK;
	}
	case ECN_OPT_UINT:
		e = ecn_conf_parse_uint(v, &n);
		if (e == EC_EPARSE)
			snprintf(why, whylen, "not a non-negative decimal integer");
		break;
	case ECN_OPT_DURATION:
		e = ecn_conf_parse_duration_ms(v, &n);
		if (e == EC_EPARSE)
			snprintf(why, whylen, "not a duration (an integer with ms, s, m or h; bare: ms)");
		break;
	case ECN_OPT_SIZE:
		e = ecn_conf_parse_size(v, &n);
		if (e == EC_EPARSE)
			snprintf(why, whylen, "not a size (an integer with k, M or G; bare: bytes)");
		break;
	case ECN_OPT_LIST:
		return set_list(f, v, append, why, whylen);
	default:
		snprintf(why, whylen, "option has an unknown kind");
		return EC_EINVAL;
	}
	if (e == EC_ERANGE)
		snprintf(why, whylen, "value too large");
	if (e != EC_OK)
		return e;
	e = in_bounds(o, n, why, whylen);
	if (e != EC_OK)
		return e;
	memcpy(f, &n, sizeof n);
	return EC_OK;
}

/* -------------------------------------------------------------------- */
/* Names                                                                  */

static char
fold(char c)
{
	return c == '_' ? '-' : c;
}

/* Does the user's name s (n bytes) equal the option name? */
static bool
name_eq(const char *opt, const char *s, size_t n)
{
	size_t i = 0;
	for (; i < n && opt[i]; i++)
		if (fold(s[i]) != opt[i])
			return false;
	return i == n && opt[i] == '\0';
}

static const ecn_opt *
find(const ecn_opt *opts, size_t nopts, const char *s, size_t n)
{
	for (size_t i = 0; i < nopts; i++)
		if (name_eq(opts[i].name, s, n))
			return &opts[i];
	return NULL;
}

/* Levenshtein distance between s (first n bytes, at most 64 looked at)
 * and the name t, with '_' folded to '-'. */
static size_t
distance(const char *s, size_t n, const char *t)
{
	size_t m = strlen(t);
	if (n > NAME_SHOWN_MAX)
		n = NAME_SHOWN_MAX;
	if (m > NAME_SHOWN_MAX)
		m = NAME_SHOWN_MAX;
	size_t row[NAME_SHOWN_MAX + 1];
	for (size_t j = 0; j <= m; j++)
		row[j] = j;
	for (size_t i = 1; i <= n; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t up = row[j];
			size_t cost = fold(s[i - 1]) == t[j - 1] ? 0 : 1;
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[m];
}

/* The known name closest to s (the actions included when cli). */
static const char *
closest(const ecn_opt *opts, size_t nopts, const char *s, size_t n, bool cli)
{
	const char *best = NULL;
	size_t bd = SIZE_MAX;
	for (size_t i = 0; i < nopts; i++) {
		if (!cli && (opts[i].flags & ECN_OPT_CLI_ONLY))
			continue;
		size_t d = distance(s, n, opts[i].name);
		if (d < bd) {
			bd = d;
			best = opts[i].name;
		}
	}
	if (cli) {
		static const char *const actions[] = {"help", "version"};
		for (size_t i = 0; i < 2; i++) {
			size_t d = distance(s, n, actions[i]);
			if (d < bd) {
				bd = d;
				best = actions[i];
			}
		}
	}
	return best;
}

/* -------------------------------------------------------------------- */
/* The command line                                                       */

/* only: apply just this option (the pre-pass that finds --config), still
 * checking the syntax of everything else. */
static ec_err
parse_args(const ecn_opt *opts, size_t nopts, void *base, int argc, char *const *argv,
           const ecn_opt *only, ecn_conf_action *action, ecn_conf_err *err)
{
	*action = ECN_CONF_RUN;
	clearerr_(err);
	bool *seen = calloc(nopts ? nopts : 1, sizeof *seen);
	if (!seen)
		return EC_ENOMEM;
	ec_err e = EC_OK;
	char why[160], nm[NAME_SHOWN_MAX + 4];
	for (int i = 1; i < argc && e == EC_OK; i++) {
		const char *arg = argv[i];
		if (!arg)
			break;
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			*action = ECN_CONF_HELP;
			break;
		}
		if (strcmp(arg, "--version") == 0) {
			*action = ECN_CONF_VERSION;
			break;
		}
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			shown(nm, arg, strlen(arg));
			seterr(err, "unexpected argument '%s' (options start with --)", nm);
			e = EC_EPARSE;
			break;
		}
		const char *name = arg + 2;
		const char *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		shown(nm, name, nlen);
		const ecn_opt *o = find(opts, nopts, name, nlen);
		const char *value = eq ? eq + 1 : NULL;
		if (!o && nlen > 3 && name[0] == 'n' && name[1] == 'o' && fold(name[2]) == '-') {
			o = find(opts, nopts, name + 3, nlen - 3);
			if (o && o->kind == ECN_OPT_BOOL) {
				if (value) {
					seterr(err, "option --%s takes no value", nm);
					e = EC_EPARSE;
					break;
				}
				value = "false";
			} else {
				o = NULL;
			}
		}
		if (!o) {
			seterr(err, "unknown option --%s (closest: --%s)", nm,
			       closest(opts, nopts, name, nlen, true));
			e = EC_EPARSE;
			break;
		}
		if (!value && o->kind == ECN_OPT_BOOL)
			value = "true";
		if (!value) {
			if (i + 1 >= argc || !argv[i + 1]) {
				seterr(err, "option --%s needs a value", o->name);
				e = EC_EPARSE;
				break;
			}
			value = argv[++i];
			if (strncmp(value, "--", 2) == 0) {
				char vs[NAME_SHOWN_MAX + 4];
				shown(vs, value, strlen(value));
				seterr(err, "option --%s needs a value, got '%s'", o->name, vs);
				e = EC_EPARSE;
				break;
			}
		}
		if (only && o != only) {
			/* the pre-pass checks the value's shape only; the full
			 * pass reports a bad value */
			continue;
		}
		size_t k = (size_t)(o - opts);
		e = set_value(o, base, value, seen[k], why, sizeof why);
		if (e == EC_EPARSE || e == EC_ERANGE || e == EC_EINVAL) {
			char vs[NAME_SHOWN_MAX + 4];
			shown(vs, value, strlen(value));
			seterr(err, "option --%s: '%s': %s", o->name, vs, why);
			e = EC_EPARSE;
		}
		seen[k] = true;
	}
	free(seen);
	return e;
}

ec_err
ecn_conf_parse_args(const ecn_opt *opts, size_t nopts, void *base, int argc, char *const *argv,
                    ecn_conf_action *action, ecn_conf_err *err)
{
	if (!opts || !base || !action) {
		seterr(err, "ecn_conf_parse_args: NULL argument");
		if (action)
			*action = ECN_CONF_RUN;
		return EC_EINVAL;
	}
	if (argc > 0 && !argv) {
		seterr(err, "ecn_conf_parse_args: NULL argv");
		return EC_EINVAL;
	}
	return parse_args(opts, nopts, base, argc, argv, NULL, action, err);
}

/* -------------------------------------------------------------------- */
/* Config files                                                           */

ec_err
ecn_conf_parse_text(const ecn_opt *opts, size_t nopts, void *base, const char *name,
                    const char *text, size_t len, ecn_conf_err *err)
{
	clearerr_(err);
	if (!opts || !base || (!text && len)) {
		seterr(err, "ecn_conf_parse_text: NULL argument");
		return EC_EINVAL;
	}
	if (!name)
		name = "(config)";
	if (len > ECN_CONF_FILE_MAX) {
		seterr(err, "%s: file larger than %u bytes", name, ECN_CONF_FILE_MAX);
		return EC_EPARSE;
	}
	bool *seen = calloc(nopts ? nopts : 1, sizeof *seen);
	if (!seen)
		return EC_ENOMEM;
	static const char bom[] = "\xEF\xBB\xBF";
	size_t pos = 0;
	if (len >= 3 && memcmp(text, bom, 3) == 0)
		pos = 3;
	char line[ECN_CONF_LINE_MAX + 1];
	char why[160], nm[NAME_SHOWN_MAX + 4];
	ec_err e = EC_OK;
	for (unsigned long lineno = 1; pos < len && e == EC_OK; lineno++) {
		const char *p = text + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos;
		pos += n + (nl ? 1 : 0);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > ECN_CONF_LINE_MAX) {
			seterr(err, "%s:%lu: line longer than %u bytes", name, lineno, ECN_CONF_LINE_MAX);
			e = EC_EPARSE;
			break;
		}
		if (memchr(p, '\0', n)) {
			seterr(err, "%s:%lu: NUL byte", name, lineno);
			e = EC_EPARSE;
			break;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		char *s = line;
		while (is_blank(*s))
			s++;
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			seterr(err, "%s:%lu: expected 'key = value'", name, lineno);
			e = EC_EPARSE;
			break;
		}
		char *kend = eq;
		while (kend > s && is_blank(kend[-1]))
			kend--;
		size_t klen = (size_t)(kend - s);
		if (klen == 0) {
			seterr(err, "%s:%lu: missing key before '='", name, lineno);
			e = EC_EPARSE;
			break;
		}
		shown(nm, s, klen);
		char *v = eq + 1;
		while (is_blank(*v))
			v++;
		char *vend = v + strlen(v);
		while (vend > v && is_blank(vend[-1]))
			vend--;
		*vend = '\0';
		const ecn_opt *o = find(opts, nopts, s, klen);
		if (!o) {
			const char *c = closest(opts, nopts, s, klen, false);
			seterr(err, "%s:%lu: unknown key '%s'%s%s%s", name, lineno, nm,
			       c ? " (closest: " : "", c ? c : "", c ? ")" : "");
			e = EC_EPARSE;
			break;
		}
		if (o->flags & ECN_OPT_CLI_ONLY) {
			seterr(err, "%s:%lu: '%s' can only be given on the command line", name, lineno,
			       o->name);
			e = EC_EPARSE;
			break;
		}
		size_t k = (size_t)(o - opts);
		e = set_value(o, base, v, seen[k], why, sizeof why);
		if (e == EC_EPARSE || e == EC_ERANGE || e == EC_EINVAL) {
			seterr(err, "%s:%lu: %s: %s", name, lineno, o->name, why);
			e = EC_EPARSE;
		}
		seen[k] = true;
	}
	free(seen);
	return e;
}

ec_err
ecn_conf_parse_file(const ecn_opt *opts, size_t nopts, void *base, const char *path,
                    ecn_conf_err *err)
{
	clearerr_(err);
	if (!path) {
		seterr(err, "ecn_conf_parse_file: NULL path");
		return EC_EINVAL;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		seterr(err, "%s: %s", path, strerror(errno));
		return EC_EIO;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		seterr(err, "%s: not a regular file", path);
		close(fd);
		return EC_EIO;
	}
	/* one byte more than allowed, so that a larger file is seen */
	size_t cap = (size_t)ECN_CONF_FILE_MAX + 1, len = 0;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		return EC_ENOMEM;
	}
	while (len < cap) {
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			seterr(err, "%s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return EC_EIO;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	ec_err e = ecn_conf_parse_text(opts, nopts, base, path, buf, len, err);
	free(buf);
	return e;
}

/* -------------------------------------------------------------------- */
/* Defaults and the table check                                           */

static const char *
table_problem(const ecn_opt *opts, size_t i)
{
	const ecn_opt *o = &opts[i];
	if (!o->name || !(o->name[0] >= 'a' && o->name[0] <= 'z'))
		return "name must start with a lower-case letter";
	for (const char *p = o->name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return "name may hold only a-z, 0-9 and '-'";
	if (strlen(o->name) > NAME_SHOWN_MAX)
		return "name longer than 64 characters";
	if (strcmp(o->name, "help") == 0 || strcmp(o->name, "version") == 0 ||
	    strncmp(o->name, "no-", 3) == 0)
		return "name is reserved (help, version, no-*)";
	if (o->kind < ECN_OPT_STRING || o->kind > ECN_OPT_LIST)
		return "unknown kind";
	if (o->min > o->max)
		return "min is above max";
	if (!o->help)
		return "no help text";
	for (size_t j = 0; j < i; j++)
		if (strcmp(opts[j].name, o->name) == 0)
			return "name given twice";
	return NULL;
}

ec_err
ecn_conf_defaults(const ecn_opt *opts, size_t nopts, void *base, ecn_conf_err *err)
{
	clearerr_(err);
	if ((!opts && nopts) || !base) {
		seterr(err, "ecn_conf_defaults: NULL argument");
		return EC_EINVAL;
	}
	char why[160];
	for (size_t i = 0; i < nopts; i++) {
		const ecn_opt *o = &opts[i];
		const char *bad = table_problem(opts, i);
		if (bad) {
			seterr(err, "option table entry %zu (%s): %s", i, o->name ? o->name : "(null)", bad);
			return EC_EINVAL;
		}
		if (!o->def)
			continue;
		ec_err e = set_value(o, base, o->def, false, why, sizeof why);
		if (e == EC_ENOMEM)
			return e;
		if (e != EC_OK) {
			seterr(err, "option --%s: default '%s': %s", o->name, o->def, why);
			return EC_EINVAL;
		}
	}
	return EC_OK;
}

ec_err
ecn_conf_load(const ecn_opt *opts, size_t nopts, void *base, const char *config_opt, int argc,
              char *const *argv, ecn_conf_action *action, ecn_conf_err *err)
{
	if (!action) {
		seterr(err, "ecn_conf_load: NULL action");
		return EC_EINVAL;
	}
	*action = ECN_CONF_RUN;
	ec_err e = ecn_conf_defaults(opts, nopts, base, err);
	if (e != EC_OK)
		return e;
	if (argc > 0 && !argv) {
		seterr(err, "ecn_conf_load: NULL argv");
		return EC_EINVAL;
	}
	if (config_opt) {
		const ecn_opt *c = find(opts, nopts, config_opt, strlen(config_opt));
		if (!c || c->kind != ECN_OPT_STRING) {
			seterr(err, "ecn_conf_load: '%s' is not a string option of the table", config_opt);
			return EC_EINVAL;
		}
		e = parse_args(opts, nopts, base, argc, argv, c, action, err);
		if (e != EC_OK || *action != ECN_CONF_RUN)
			return e;
		char *path;
		memcpy(&path, field(base, c), sizeof path);
		if (path) {
			e = ecn_conf_parse_file(opts, nopts, base, path, err);
			if (e != EC_OK)
				return e;
		}
	}
	return parse_args(opts, nopts, base, argc, argv, NULL, action, err);
}

void
ecn_conf_free(const ecn_opt *opts, size_t nopts, void *base)
{
	if (!opts || !base)
		return;
	for (size_t i = 0; i < nopts; i++) {
		void *f = field(base, &opts[i]);
		if (opts[i].kind == ECN_OPT_STRING) {
			char *s;
			memcpy(&s, f, sizeof s);
			free(s);
			s = NULL;
			memcpy(f, &s, sizeof s);
		} else if (opts[i].kind == ECN_OPT_LIST) {
			strlist_clear(f);
		}
	}
}

/* -------------------------------------------------------------------- */
/* Printing                                                               */

/* The largest unit that divides v exactly. */
static void
fmt_unit(char *buf, size_t cap, uint64_t v, const uint64_t *units, const char *const *names,
         size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v != 0 && v % units[i] == 0) {
			snprintf(buf, cap, "%" PRIu64 "%s", v / units[i], names[i]);
			return;
		}
	}
	snprintf(buf, cap, "%" PRIu64 "%s", v, names[n - 1]);
}

ec_err
ecn_conf_format_value(const ecn_opt *o, const void *base, char *buf, size_t cap)
{
	if (!o || !base || !buf || cap == 0)
		return EC_EINVAL;
	buf[0] = '\0';
	const void *f = cfield(base, o);
	uint64_t v;
	int n = 0;
	switch (o->kind) {
	case ECN_OPT_STRING: {
		const char *s;
		memcpy(&s, f, sizeof s);
		n = snprintf(buf, cap, "%s", s ? s : "");
		break;
	}
	case ECN_OPT_BOOL: {
		bool b;
		memcpy(&b, f, sizeof b);
		n = snprintf(buf, cap, "%s", b ? "true" : "false");
		break;
	}
	case ECN_OPT_UINT:
		memcpy(&v, f, sizeof v);
		n = snprintf(buf, cap, "%" PRIu64, v);
		break;
	case ECN_OPT_DURATION: {
		static const uint64_t u[] = {3600000, 60000, 1000, 1};
		static const char *const nm[] = {"h", "m", "s", "ms"};
		memcpy(&v, f, sizeof v);
		char tmp[32];
		fmt_unit(tmp, sizeof tmp, v, u, nm, 4);
		n = snprintf(buf, cap, "%s", tmp);
		break;
	}
	case ECN_OPT_SIZE: {
		static const uint64_t u[] = {1u << 30, 1u << 20, 1u << 10, 1};
		static const char *const nm[] = {"G", "M", "k", ""};
		memcpy(&v, f, sizeof v);
		char tmp[32];
		fmt_unit(tmp, sizeof tmp, v, u, nm, 4);
		n = snprintf(buf, cap, "%s", tmp);
		break;
	}
	case ECN_OPT_LIST: {
		const ecn_strlist *l = f;
		size_t pos = 0;
		for (size_t i = 0; i < l->n; i++) {
			int w = snprintf(buf + pos, cap - pos, "%s%s", i ? "," : "", l->items[i]);
			if (w < 0 || (size_t)w >= cap - pos) {
				buf[0] = '\0';
				return EC_ERANGE;
			}
			pos += (size_t)w;
		}
		return EC_OK;
	}
	default:
		return EC_EINVAL;
	}
	if (n < 0 || (size_t)n >= cap) {
		buf[0] = '\0';
		return EC_ERANGE;
	}
	return EC_OK;
}

ec_err
ecn_conf_print(FILE *out, const ecn_opt *opts, size_t nopts, const void *base)
{
	if (!out || (!opts && nopts) || !base)
		return EC_EINVAL;
	/* a list may hold ECN_CONF_LIST_MAX items of ECN_CONF_VALUE_MAX bytes */
	size_t cap = (size_t)ECN_CONF_LIST_MAX * (ECN_CONF_VALUE_MAX + 1) + 1;
	char *buf = malloc(cap);
	if (!buf)
		return EC_ENOMEM;
	ec_err e = EC_OK;
	for (size_t i = 0; i < nopts && e == EC_OK; i++) {
		if (opts[i].flags & ECN_OPT_CLI_ONLY)
			continue;
		e = ecn_conf_format_value(&opts[i], base, buf, cap);
		if (e != EC_OK)
			break;
		if (fprintf(out, "%s%s=%s\n", buf[0] ? "" : "#", opts[i].name, buf) < 0)
			e = EC_EIO;
	}
	free(buf);
	return e;
}

/* Writes words of text, wrapping at ECN_CONF_HELP_WIDTH with continuation
 * lines indented to HELP_COLUMN; *col is the current column. */
static bool
put_words(FILE *out, const char *text, size_t *col)
{
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		size_t w = strcspn(p, " ");
		if (*col > HELP_COLUMN && *col + 1 + w > ECN_CONF_HELP_WIDTH) {
			if (fprintf(out, "\n%*s", (int)HELP_COLUMN, "") < 0)
				return false;
			*col = HELP_COLUMN;
		}
		if (*col > HELP_COLUMN) {
			if (fputc(' ', out) == EOF)
				return false;
			(*col)++;
		}
		if (fwrite(p, 1, w, out) != w)
			return false;
		*col += w;
		p += w;
	}
	return true;
}

static bool
help_entry(FILE *out, const char *left, const char *help, const char *def)
{
	size_t col = strlen(left) + 2;
	if (fprintf(out, "  %s", left) < 0)
		return false;
	if (col + 2 > HELP_COLUMN) {
		if (fprintf(out, "\n%*s", (int)HELP_COLUMN, "") < 0)
			return false;
	} else if (fprintf(out, "%*s", (int)(HELP_COLUMN - col), "") < 0) {
		return false;
	}
	col = HELP_COLUMN;
	/* the first word must not count as a continuation */
	size_t w = strcspn(help, " ");
	if (fwrite(help, 1, w, out) != w)
		return false;
	col += w;
	if (!put_words(out, help + w, &col))
		return false;
	if (def) {
		char d[ECN_CONF_VALUE_MAX + 16];
		snprintf(d, sizeof d, "(default: %s)", def);
		if (!put_words(out, d, &col))
			return false;
	}
	return fputc('\n', out) != EOF;
}

ec_err
ecn_conf_print_help(FILE *out, const ecn_opt *opts, size_t nopts)
{
	if (!out || (!opts && nopts))
		return EC_EINVAL;
	char left[2 * NAME_SHOWN_MAX + 16], on[NAME_SHOWN_MAX + 32];
	for (size_t i = 0; i < nopts; i++) {
		const ecn_opt *o = &opts[i];
		const char *def = o->def;
		if (o->kind == ECN_OPT_BOOL) {
			snprintf(left, sizeof left, "--%s", o->name);
			bool b = false;
			if (def && ecn_conf_parse_bool(def, &b) == EC_OK && !b)
				def = NULL; /* a flag is off unless given */
			if (def && b) {
				snprintf(on, sizeof on, "on; --no-%s turns it off", o->name);
				def = on;
			}
		} else {
			snprintf(left, sizeof left, "--%s %s", o->name,
			         o->metavar ? o->metavar : kind_word(o->kind));
		}
		if (!help_entry(out, left, o->help ? o->help : "", def))
			return EC_EIO;
	}
	if (!help_entry(out, "-h, --help", "Print this help and exit.", NULL) ||
	    !help_entry(out, "--version", "Print the version and exit.", NULL))
		return EC_EIO;
	return EC_OK;
}
