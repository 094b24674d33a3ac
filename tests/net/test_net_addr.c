/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the UDP address encoding (net/addr.h): text parse and
 * format round trips for IPv4 and IPv6, refusals by reason, socket address
 * conversions both ways (IPv4-mapped IPv6 folded to IPv4), validity of
 * raw encodings, and the prefixes the transport's per-source limits use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>

#include "net/addr.h"

static void
roundtrip(const char *text, uint8_t family, size_t len)
{
	ec_addr a;
	char buf[ECN_ADDR_TEXT_MAX];
	assert_int_equal(ecn_addr_parse(text, &a), ECN_ADDR_OK);
	assert_int_equal(a.b[0], family);
	assert_int_equal(a.len, len);
	assert_true(ecn_addr_valid(&a));
	assert_int_equal(ecn_addr_format(&a, buf, sizeof buf), EC_OK);
	assert_string_equal(buf, text);
}

static void
test_parse_format(void **state)
{
	(void)state;
	roundtrip("1.2.3.4:5", 4, ECN_ADDR_V4_LEN);
	roundtrip("255.255.255.255:65535", 4, ECN_ADDR_V4_LEN);
	roundtrip("[::1]:9000", 6, ECN_ADDR_V6_LEN);
	roundtrip("[2001:db8::8:800:200c:417a]:1", 6, ECN_ADDR_V6_LEN);
	roundtrip("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535", 6, ECN_ADDR_V6_LEN);

	ec_addr a;
	assert_int_equal(ecn_addr_parse("10.0.0.1:258", &a), ECN_ADDR_OK);
	const uint8_t want[7] = {4, 10, 0, 0, 1, 1, 2};
	assert_memory_equal(a.b, want, sizeof want);
	for (size_t i = 7; i < EC_ADDR_MAX; i++)
		assert_int_equal(a.b[i], 0);

	/* IPv4-mapped IPv6 is stored as IPv4 */
	assert_int_equal(ecn_addr_parse("[::ffff:10.0.0.1]:258", &a), ECN_ADDR_OK);
	assert_memory_equal(a.b, want, sizeof want);
	assert_int_equal(a.len, 7);

	/* the longest text fits in ECN_ADDR_TEXT_MAX, and one byte less does not */
	char buf[ECN_ADDR_TEXT_MAX];
	assert_int_equal(ecn_addr_parse("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535", &a),
	                 ECN_ADDR_OK);
	assert_int_equal(ecn_addr_format(&a, buf, strlen("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535")),
	                 EC_ERANGE);
	assert_string_equal(buf, "");
}

static void
test_refusals(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		ecn_addr_reason r;
	} cases[] = {
		{"", ECN_ADDR_EMPTY},
		{"1.2.3.4", ECN_ADDR_NO_PORT},
		{"[::1]", ECN_ADDR_NO_PORT},
		{"1.2.3.4:", ECN_ADDR_BAD_PORT},
		{"1.2.3.4:0", ECN_ADDR_BAD_PORT},
		{"1.2.3.4:65536", ECN_ADDR_BAD_PORT},
		{"1.2.3.4:080", ECN_ADDR_BAD_PORT},
		{"1.2.3.4:+80", ECN_ADDR_BAD_PORT},
		{"1.2.3.4:8a", ECN_ADDR_BAD_PORT},
		{"1.2.3.4:123456", ECN_ADDR_BAD_PORT},
		{"1.2.3:80", ECN_ADDR_BAD_HOST},
		{"1.2.3.256:80", ECN_ADDR_BAD_HOST},
		{"example.com:80", ECN_ADDR_BAD_HOST},
		{"::1:80", ECN_ADDR_BAD_HOST},
		{"[::1:80", ECN_ADDR_BAD_HOST},
		{"[::1]x80", ECN_ADDR_BAD_HOST},
		{"[1.2.3.4]:80", ECN_ADDR_BAD_HOST},
		{"[fe80::1%eth0]:80", ECN_ADDR_SCOPED},
		{"[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:6553500000000000", ECN_ADDR_TOO_LONG},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ec_addr a;
		memset(&a, 0x55, sizeof a);
		ecn_addr_reason r = ecn_addr_parse(cases[i].text, &a);
		if (r != cases[i].r)
			fail_msg("%s: got %s, want %s", cases[i].text, ecn_addr_reason_str(r),
			         ecn_addr_reason_str(cases[i].r));
		assert_int_equal(a.len, 0);
	}
	ec_addr a;
	assert_int_equal(ecn_addr_parse(NULL, &a), ECN_ADDR_EMPTY);
	assert_int_equal(ecn_addr_parse("1.2.3.4:5", NULL), ECN_ADDR_EMPTY);
	assert_string_equal(ecn_addr_reason_str(ECN_ADDR_SCOPED), "scoped");
	assert_string_equal(ecn_addr_reason_str(ECN_ADDR_REASON_COUNT), "unknown");
}

static void
test_valid(void **state)
{
	(void)state;
	ec_addr a;
	assert_int_equal(ecn_addr_parse("1.2.3.4:5", &a), ECN_ADDR_OK);
	assert_true(ecn_addr_valid(&a));
	ec_addr b = a;
	b.b[10] = 1; /* nonzero tail */
	assert_false(ecn_addr_valid(&b));
	b = a;
	b.b[0] = 5;
	assert_false(ecn_addr_valid(&b));
	b = a;
	b.len = 8;
	assert_false(ecn_addr_valid(&b));
	b = a;
	b.b[5] = b.b[6] = 0; /* port 0 */
	assert_false(ecn_addr_valid(&b));
	/* a v4-mapped address stored as IPv6 is not canonical */
	memset(&b, 0, sizeof b);
	b.len = ECN_ADDR_V6_LEN;
	b.b[0] = 6;
	b.b[11] = b.b[12] = 0xff;
	b.b[18] = 1;
	assert_false(ecn_addr_valid(&b));
	assert_false(ecn_addr_valid(NULL));
	char buf[ECN_ADDR_TEXT_MAX] = "x";
	assert_int_equal(ecn_addr_format(&b, buf, sizeof buf), EC_EINVAL);
	assert_string_equal(buf, "");
	assert_true(ecn_addr_eq(&a, &a));
	assert_false(ecn_addr_eq(&a, &b));
	assert_true(ecn_addr_eq(NULL, NULL));
	assert_false(ecn_addr_eq(&a, NULL));
}

static void
test_sockaddr(void **state)
{
	(void)state;
	ec_addr a, back;
	struct sockaddr_storage ss;
	socklen_t len;
	assert_int_equal(ecn_addr_parse("192.168.1.2:4242", &a), ECN_ADDR_OK);
	assert_int_equal(ecn_addr_to_sockaddr(&a, false, &ss, &len), EC_OK);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
	assert_int_equal(ntohs(sin->sin_port), 4242);
	assert_int_equal(ecn_addr_from_sockaddr((const struct sockaddr *)&ss, len, &back), EC_OK);
	assert_true(ecn_addr_eq(&a, &back));

	/* dual stack: IPv4 comes out mapped, and folds back to IPv4 */
	assert_int_equal(ecn_addr_to_sockaddr(&a, true, &ss, &len), EC_OK);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(ecn_addr_from_sockaddr((const struct sockaddr *)&ss, len, &back), EC_OK);
	assert_true(ecn_addr_eq(&a, &back));
	assert_int_equal(back.b[0], 4);

	assert_int_equal(ecn_addr_parse("[2001:db8::1]:53", &a), ECN_ADDR_OK);
	assert_int_equal(ecn_addr_to_sockaddr(&a, false, &ss, &len), EC_OK);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(ecn_addr_from_sockaddr((const struct sockaddr *)&ss, len, &back), EC_OK);
	assert_true(ecn_addr_eq(&a, &back));

	/* refusals: scope id, port 0, short length, other family, invalid ec_addr */
	struct sockaddr_in6 s6;
	memcpy(&s6, &ss, sizeof s6);
	s6.sin6_scope_id = 2;
	assert_int_equal(ecn_addr_from_sockaddr((const struct sockaddr *)&s6, sizeof s6, &back),
	                 EC_EINVAL);
	assert_int_equal(back.len, 0);
	s6.sin6_scope_id = 0;
	s6.sin6_port = 0;
	assert_int_equal(ecn_addr_from_sockaddr((const struct sockaddr *)&s6, sizeof s6, &back),
	                 EC_EINVAL);
	s6.sin6_port = htons(1);
	assert_int_equal(ecn_addr_from_sockaddr((const struct sockaddr *)&s6, 8, &back), EC_EINVAL);
	s6.sin6_family = AF_UNIX;
	assert_int_equal(ecn_addr_from_sockaddr((const struct sockaddr *)&s6, sizeof s6, &back),
	                 EC_EINVAL);
	a.b[0] = 9;
	assert_int_equal(ecn_addr_to_sockaddr(&a, false, &ss, &len), EC_EINVAL);
	assert_int_equal(ecn_addr_to_sockaddr(NULL, false, &ss, &len), EC_EINVAL);
}

static void
test_prefix(void **state)
{
	(void)state;
	ec_addr a, b;
	uint8_t pa[EC_ADDR_MAX], pb[EC_ADDR_MAX];
	assert_int_equal(ecn_addr_parse("10.1.2.3:1", &a), ECN_ADDR_OK);
	assert_int_equal(ecn_addr_parse("10.1.2.200:2", &b), ECN_ADDR_OK);
	assert_int_equal(ecn_addr_prefix(&a, pa), 4);
	assert_int_equal(ecn_addr_prefix(&b, pb), 4);
	assert_memory_equal(pa, pb, 4); /* same /24 */
	assert_int_equal(ecn_addr_parse("10.1.3.3:1", &b), ECN_ADDR_OK);
	assert_int_equal(ecn_addr_prefix(&b, pb), 4);
	assert_memory_not_equal(pa, pb, 4);
	assert_int_equal(ecn_addr_parse("[2001:db8:1:2:3::1]:1", &a), ECN_ADDR_OK);
	assert_int_equal(ecn_addr_parse("[2001:db8:1:2:ffff::9]:7", &b), ECN_ADDR_OK);
	assert_int_equal(ecn_addr_prefix(&a, pa), 9);
	assert_int_equal(ecn_addr_prefix(&b, pb), 9);
	assert_memory_equal(pa, pb, 9); /* same /64 */
	ec_addr opaque = {.len = 3, .b = {1, 2, 3}};
	assert_int_equal(ecn_addr_prefix(&opaque, pa), 3);
	assert_int_equal(ecn_addr_prefix(NULL, pa), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_sockaddr),
		cmocka_unit_test(test_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
