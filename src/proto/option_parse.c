/* SPDX-License-Identifier: MIT */
/* Strict number parsing for the protocols' option tables (option_parse.h). */
#include "option_parse.h"

#include <errno.h>
#include <stdlib.h>

bool
ec__parse_u64_in(const char *text, uint64_t lo, uint64_t hi, uint64_t *out, char *err,
                 size_t errlen)
{
	char *end;
	bool ok = text && text[0] >= '0' && text[0] <= '9';
	unsigned long long v = 0;
	if (ok) {
		errno = 0;
		v = strtoull(text, &end, 10);
		ok = errno == 0 && *end == '\0' && v >= lo && v <= hi;
	}
	if (!ok) {
		snprintf(err, errlen, "needs a whole number from %llu to %llu, got '%s'",
		         (unsigned long long)lo, (unsigned long long)hi, text ? text : "");
		return false;
	}
	*out = v;
	return true;
}

bool
ec__parse_u32_in(const char *text, uint32_t lo, uint32_t hi, uint32_t *out, char *err,
                 size_t errlen)
{
	uint64_t v;
	if (!ec__parse_u64_in(text, lo, hi, &v, err, errlen))
		return false;
	*out = (uint32_t)v;
	return true;
}
