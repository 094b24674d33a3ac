/* SPDX-License-Identifier: MIT */
/*
 * Behaviour names (ec/adversary.h): how options and reports spell them.
 */
#include <string.h>

#include "ec/adversary.h"

const char *const ec_behaviour_names[EC_BHV_COUNT] = {
	"silent",    "withhold", "censor",     "accomplice", "equivocate", "fast-yes",     "balancer",
	"delay",     "sleeper",  "camouflage", "sybil",      "eclipse",    "storage-cheat",
	"forge-cert"};

ec_err
ec_behaviour_parse(const char *list, uint32_t *mask)
{
	uint32_t m = 0;
	const char *p = list;
	if (!list || !*list)
		return EC_EINVAL;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		uint32_t k = 0;
		while (k < EC_BHV_COUNT &&
		       !(strlen(ec_behaviour_names[k]) == len && memcmp(ec_behaviour_names[k], p, len) == 0))
			k++;
		if (k == EC_BHV_COUNT)
			return EC_EINVAL; /* unknown, or an empty name between commas */
		m |= 1u << k;
		if (!end)
			break;
		p = end + 1;
	}
	*mask = m;
	return EC_OK;
}

char *
ec_behaviour_format(uint32_t mask, char *buf, size_t len)
{
	size_t at = 0;
	if (len == 0)
		return buf;
	buf[0] = 0;
	for (uint32_t k = 0; k < EC_BHV_COUNT; k++) {
		if (!(mask >> k & 1))
			continue;
		size_t name = strlen(ec_behaviour_names[k]), comma = at ? 1 : 0;
		if (at + comma + name >= len)
			break;
		if (comma)
			buf[at++] = ',';
		memcpy(buf + at, ec_behaviour_names[k], name + 1);
		at += name;
	}
	return buf;
}
