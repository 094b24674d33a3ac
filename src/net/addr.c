/* SPDX-License-Identifier: MIT */
/* UDP addresses in an ec_addr: see addr.h for the encoding. */
#include "net/addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#define TEXT_LIMIT (ECN_ADDR_TEXT_MAX - 1u) /* longest accepted text, NUL excluded */

static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

const char *
ecn_addr_reason_str(ecn_addr_reason r)
{
	switch (r) {
	case ECN_ADDR_OK: return "ok";
	case ECN_ADDR_EMPTY: return "empty";
	case ECN_ADDR_NO_PORT: return "no-port";
	case ECN_ADDR_BAD_PORT: return "bad-port";
	case ECN_ADDR_BAD_HOST: return "bad-host";
	case ECN_ADDR_SCOPED: return "scoped";
	case ECN_ADDR_TOO_LONG: return "too-long";
	case ECN_ADDR_REASON_COUNT: break;
	}
	return "unknown";
}

static uint16_t
get_port(const ec_addr *a)
{
	return (uint16_t)((unsigned)a->b[a->len - 2] << 8 | a->b[a->len - 1]);
}

static void
set(ec_addr *out, uint8_t family, const uint8_t *ip, size_t iplen, uint16_t port)
{
	memset(out, 0, sizeof *out);
	out->b[0] = family;
	memcpy(out->b + 1, ip, iplen);
	out->b[1 + iplen] = (uint8_t)(port >> 8);
	out->b[2 + iplen] = (uint8_t)port;
	out->len = (uint8_t)(iplen + 3);
}

/* Stores a 16-byte IPv6 address, as IPv4 when it is IPv4-mapped. */
static void
set6(ec_addr *out, const uint8_t ip[16], uint16_t port)
{
	if (memcmp(ip, v4_mapped_prefix, sizeof v4_mapped_prefix) == 0)
		set(out, 4, ip + 12, 4, port);
	else
		set(out, 6, ip, 16, port);
}

bool
ecn_addr_valid(const ec_addr *a)
{
	if (!a)
		return false;
	if (!((a->b[0] == 4 && a->len == ECN_ADDR_V4_LEN) ||
	      (a->b[0] == 6 && a->len == ECN_ADDR_V6_LEN)))
		return false;
	if (get_port(a) == 0)
		return false;
	if (a->b[0] == 6 && memcmp(a->b + 1, v4_mapped_prefix, sizeof v4_mapped_prefix) == 0)
		return false;
	for (size_t i = a->len; i < EC_ADDR_MAX; i++)
		if (a->b[i])
			return false;
	return true;
}

bool
ecn_addr_eq(const ec_addr *a, const ec_addr *b)
{
	if (!a || !b)
		return a == b;
	return a->len == b->len && a->len <= EC_ADDR_MAX && memcmp(a->b, b->b, a->len) == 0;
}

/* Plain decimal 1..65535, no sign, no leading zero. */
static bool
parse_port(const char *s, uint16_t *port)
{
	size_t n = strlen(s);
	if (n == 0 || n > 5 || s[0] == '0')
		return false;
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10u + (unsigned)(s[i] - '0');
	}
	if (v > 65535u)
		return false;
	*port = (uint16_t)v;
	return true;
}

static ecn_addr_reason
parse(const char *text, ec_addr *out)
{
	if (!text || !*text)
		return ECN_ADDR_EMPTY;
	size_t n = strnlen(text, TEXT_LIMIT + 1);
	if (n > TEXT_LIMIT)
		return ECN_ADDR_TOO_LONG;
	char host[ECN_ADDR_TEXT_MAX];
	const char *port_text;
	bool v6 = text[0] == '[';
	if (v6) {
		const char *close = strchr(text, ']');
		if (!close)
			return ECN_ADDR_BAD_HOST;
		size_t hl = (size_t)(close - text - 1);
		memcpy(host, text + 1, hl);
		host[hl] = 0;
		if (close[1] != ':')
			return close[1] ? ECN_ADDR_BAD_HOST : ECN_ADDR_NO_PORT;
		port_text = close + 2;
	} else {
		const char *colon = strrchr(text, ':');
		if (!colon)
			return ECN_ADDR_NO_PORT;
		size_t hl = (size_t)(colon - text);
		memcpy(host, text, hl);
		host[hl] = 0;
		port_text = colon + 1;
	}
	if (strchr(host, '%'))
		return ECN_ADDR_SCOPED;
	uint16_t port;
	uint8_t ip[16];
	if (v6 ? inet_pton(AF_INET6, host, ip) != 1 : inet_pton(AF_INET, host, ip) != 1)
		return ECN_ADDR_BAD_HOST;
	if (!parse_port(port_text, &port))
		return ECN_ADDR_BAD_PORT;
	if (v6)
		set6(out, ip, port);
	else
		set(out, 4, ip, 4, port);
	return ECN_ADDR_OK;
}

ecn_addr_reason
ecn_addr_parse(const char *text, ec_addr *out)
{
	if (!out)
		return ECN_ADDR_EMPTY;
	memset(out, 0, sizeof *out);
	ecn_addr_reason r = parse(text, out);
	if (r != ECN_ADDR_OK)
		memset(out, 0, sizeof *out);
	return r;
}

ec_err
ecn_addr_format(const ec_addr *a, char *buf, size_t cap)
{
	if (buf && cap)
		buf[0] = 0;
	if (!buf || !ecn_addr_valid(a))
		return EC_EINVAL;
	char host[INET6_ADDRSTRLEN];
	bool v6 = a->b[0] == 6;
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, a->b + 1, host, sizeof host))
		return EC_EINVAL;
	char text[ECN_ADDR_TEXT_MAX];
	int n = snprintf(text, sizeof text, v6 ? "[%s]:%u" : "%s:%u", host, (unsigned)get_port(a));
	if (n < 0 || (size_t)n >= sizeof text)
		return EC_EINVAL;
	if ((size_t)n >= cap)
		return EC_ERANGE;
	memcpy(buf, text, (size_t)n + 1);
	return EC_OK;
}

ec_err
ecn_addr_to_sockaddr(const ec_addr *a, bool v4_mapped, struct sockaddr_storage *ss,
                     socklen_t *len)
{
	if (ss)
		memset(ss, 0, sizeof *ss);
	if (!ss || !len || !ecn_addr_valid(a))
		return EC_EINVAL;
	uint16_t port = get_port(a);
	if (a->b[0] == 4 && !v4_mapped) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->b + 1, 4);
		*len = (socklen_t)sizeof *sin;
		return EC_OK;
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	if (a->b[0] == 4) {
		memcpy(sin6->sin6_addr.s6_addr, v4_mapped_prefix, sizeof v4_mapped_prefix);
		memcpy(sin6->sin6_addr.s6_addr + 12, a->b + 1, 4);
	} else {
		memcpy(sin6->sin6_addr.s6_addr, a->b + 1, 16);
	}
	*len = (socklen_t)sizeof *sin6;
	return EC_OK;
}

ec_err
ecn_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, ec_addr *out)
{
	if (out)
		memset(out, 0, sizeof *out);
	if (!sa || !out || len < (socklen_t)sizeof(sa_family_t))
		return EC_EINVAL;
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;
		memcpy(&sin, sa, sizeof sin);
		uint16_t port = ntohs(sin.sin_port);
		if (port == 0)
			return EC_EINVAL;
		set(out, 4, (const uint8_t *)&sin.sin_addr, 4, port);
		return EC_OK;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6;
		memcpy(&sin6, sa, sizeof sin6);
		uint16_t port = ntohs(sin6.sin6_port);
		if (port == 0 || sin6.sin6_scope_id != 0)
			return EC_EINVAL;
		set6(out, sin6.sin6_addr.s6_addr, port);
		return EC_OK;
	}
	return EC_EINVAL;
}

size_t
ecn_addr_prefix(const ec_addr *a, uint8_t out[EC_ADDR_MAX])
{
	if (!a || a->len == 0)
		return 0;
	size_t n = a->len > EC_ADDR_MAX ? EC_ADDR_MAX : a->len;
	if (a->b[0] == 4 && a->len == ECN_ADDR_V4_LEN)
		n = 4; /* family + /24 */
	else if (a->b[0] == 6 && a->len == ECN_ADDR_V6_LEN)
		n = 9; /* family + /64 */
	memcpy(out, a->b, n);
	return n;
}
