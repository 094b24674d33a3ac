/* SPDX-License-Identifier: MIT */
/* ecctl's messages, output and reported calls (ecctl.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ecctl.h"

static void vmessage(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static void
vmessage(const char *fmt, va_list ap)
{
	fputs("ecctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int
ecctl_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	return ECCTL_EXIT_FAIL;
}

int
ecctl_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(fmt, ap);
	va_end(ap);
	fputs("Try 'ecctl --help' for more information.\n", stderr);
	return ECCTL_EXIT_USAGE;
}

ecctl_rpc_status
ecctl_call(ecctl_session *s, const char *method, const json_t *params, json_t **result,
           ecctl_rpc_err *err)
{
	*result = NULL;
	if (!s->rpc) {
		ecctl_rpc_status st = ecctl_rpc_open(s->o->rpc, s->o->timeout_ms, &s->rpc, err);
		if (st)
			return st;
	}
	return ecctl_rpc_call(s->rpc, method, params, s->o->timeout_ms, result, err);
}

int
ecctl_report(const char *what, const ecctl_rpc_err *err)
{
	return ecctl_fail("%s: %s", what, err->msg);
}

int
ecctl_call_or_report(ecctl_session *s, const char *method, const json_t *params,
                     json_t **result)
{
	ecctl_rpc_err err;
	if (ecctl_call(s, method, params, result, &err) != ECCTL_RPC_OK)
		return ecctl_report(method, &err);
	return ECCTL_EXIT_OK;
}

void
ecctl_print_json(const json_t *v)
{
	/* compact output escapes newlines inside strings: one line each */
	json_dumpf(v, stdout, JSON_COMPACT | JSON_ENCODE_ANY);
	fputc('\n', stdout);
}

/* jansson's object iteration takes a mutable pointer, though it only
 * reads: the one place the const is dropped. */
static json_t *
readable(const json_t *v)
{
	return (json_t *)(uintptr_t)v;
}

/* Walks v's leaves as "key value" lines: measuring the widest key
 * (*width grows) when print is false, printing them when true. */
static void
flat(const char *prefix, const json_t *v, bool print, int *width)
{
	char key[256];
	if (json_is_object(v) && json_object_size(v) > 0) {
		const char *k;
		const json_t *m;
		json_object_foreach(readable(v), k, m) {
			snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", k);
			flat(key, m, print, width);
		}
		return;
	}
	if (json_is_array(v) && json_array_size(v) > 0) {
		size_t i;
		const json_t *m;
		json_array_foreach(v, i, m) {
			snprintf(key, sizeof key, "%s[%zu]", prefix, i);
			flat(key, m, print, width);
		}
		return;
	}
	if (!print) {
		int n = (int)strlen(prefix);
		*width = n > *width ? n : *width;
		return;
	}
	printf("%-*s  ", *width, prefix);
	if (json_is_object(v) || json_is_array(v))
		fputs("(none)", stdout);
	else if (json_is_string(v))
		fputs(json_string_value(v), stdout);
	else
		json_dumpf(v, stdout, JSON_COMPACT | JSON_ENCODE_ANY);
	fputc('\n', stdout);
}

void
ecctl_print_flat(const json_t *obj)
{
	int width = 0;
	flat("", obj, false, &width);
	flat("", obj, true, &width);
}

int
ecctl_finish_output(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		return ecctl_fail("cannot write the output: %s", strerror(errno));
	return ECCTL_EXIT_OK;
}

const char *
ecctl_get_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

bool
ecctl_get_u64(const json_t *obj, const char *key, uint64_t *out)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

/* Calls method {"id": hex}; a -32004 answer is reported with missing. */
int
ecctl_call_id(ecctl_session *s, const char *method, const char *hex, const char *missing,
        json_t **res)
{
	json_t *params = json_pack("{s:s}", "id", hex);
	if (!params)
		return ecctl_fail("out of memory");
	ecctl_rpc_err err;
	ecctl_rpc_status st = ecctl_call(s, method, params, res, &err);
	json_decref(params);
	if (st == ECCTL_RPC_ERROR && err.code == ECCTL_RPC_NOT_FOUND)
		return ecctl_fail("%s %s: %s", method, hex, missing);
	if (st)
		return ecctl_report(method, &err);
	return ECCTL_EXIT_OK;
}
