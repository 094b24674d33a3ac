/* SPDX-License-Identifier: MIT */
/*
 * UDP addresses in an ec_addr (include/ec/protocol.h), the opaque address
 * the protocol carries in its contacts.  The transport and the daemon put
 * IP addresses in it, encoded as
 *
 *     IPv4: b[0] = 4, b[1..4]  = the address (network order), b[5..6]  = port (big-endian); len 7
 *     IPv6: b[0] = 6, b[1..16] = the address (network order), b[17..18] = port (big-endian); len 19
 *
 * and the rest of b zero.  An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is
 * always stored as IPv4, so that a peer reached through a dual-stack socket
 * and through an IPv4 socket has one address, not two.  Port 0 and IPv6
 * scope ids (link-local "%eth0") are refused: neither can be a peer's
 * address on the network.
 *
 * Text forms: "1.2.3.4:5" and "[::1]:5" (inet_pton syntax inside, a decimal
 * port 1..65535 without sign or leading zeros beyond the digit 0 itself).
 *
 * Pure functions: no allocation, no state, thread-safe.
 */
#ifndef ECN_ADDR_H
#define ECN_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ec/err.h"
#include "ec/protocol.h"

#define ECN_ADDR_V4_LEN 7u
#define ECN_ADDR_V6_LEN 19u
/* Longest text form with its NUL: "[" + 45 (INET6_ADDRSTRLEN - 1) + "]:" +
 * 5 digits + NUL. */
#define ECN_ADDR_TEXT_MAX 54u

/* Why a text address was refused.  A value, never an ec_err: the text
 * comes from configuration files and command lines. */
typedef enum ecn_addr_reason {
	ECN_ADDR_OK = 0,
	ECN_ADDR_EMPTY,      /* NULL or "" */
	ECN_ADDR_NO_PORT,    /* no ":PORT" after the host */
	ECN_ADDR_BAD_PORT,   /* not 1..65535 in plain decimal */
	ECN_ADDR_BAD_HOST,   /* not a dotted IPv4 address or a bracketed IPv6 one */
	ECN_ADDR_SCOPED,     /* an IPv6 scope id ("%eth0"): not supported */
	ECN_ADDR_TOO_LONG,   /* longer than any valid address text */
	ECN_ADDR_REASON_COUNT
} ecn_addr_reason;

/* Returns a static name for r ("ok", "empty", "no-port", "bad-port",
 * "bad-host", "scoped", "too-long"; "unknown" outside the enum).  Never
 * NULL. */
const char *ecn_addr_reason_str(ecn_addr_reason r);

/* Whether a holds a valid encoding as described above (family byte, length,
 * port not 0, zero tail, IPv4-mapped addresses stored as IPv4).  NULL is
 * not valid. */
bool ecn_addr_valid(const ec_addr *a);

/* Whether a and b have the same length and the same first len bytes.
 * Works on any ec_addr, valid or not; NULL equals only NULL. */
bool ecn_addr_eq(const ec_addr *a, const ec_addr *b);

/* Parses text.
 * Returns: ECN_ADDR_OK with *out set, or the reason; out is zeroed on every
 *          refusal (when out is not NULL).
 * In:      text: NUL-terminated, borrowed.
 * Out:     out: the address (not NULL; ECN_ADDR_EMPTY if it is). */
ecn_addr_reason ecn_addr_parse(const char *text, ec_addr *out);

/* Formats a as "1.2.3.4:5" or "[::1]:5".
 * Returns: EC_OK; EC_EINVAL if a is NULL or not ecn_addr_valid (buf then
 *          holds "" when cap > 0); EC_ERANGE if cap bytes cannot hold the
 *          text and its NUL (buf then holds "" when cap > 0).
 *          ECN_ADDR_TEXT_MAX bytes always suffice.
 * Out:     buf: cap bytes. */
EC_WUR ec_err ecn_addr_format(const ec_addr *a, char *buf, size_t cap);

/* Converts to a socket address.  With v4_mapped, IPv4 addresses come out as
 * AF_INET6 ::ffff:a.b.c.d (for a dual-stack IPv6 socket); otherwise as
 * AF_INET.
 * Returns: EC_OK; EC_EINVAL if a is not ecn_addr_valid or a pointer is NULL
 *          (ss is then zeroed when not NULL).
 * Out:     ss: the address, zero-padded; len: its length for sendto(). */
EC_WUR ec_err ecn_addr_to_sockaddr(const ec_addr *a, bool v4_mapped,
                                   struct sockaddr_storage *ss, socklen_t *len);

/* Converts from a socket address (AF_INET, or AF_INET6 without scope id;
 * IPv4-mapped IPv6 becomes IPv4).
 * Returns: EC_OK; EC_EINVAL for another family, a short len, port 0, a
 *          nonzero IPv6 scope id or a NULL pointer (out is then zeroed when
 *          not NULL).
 * In:      sa: len bytes, borrowed. */
EC_WUR ec_err ecn_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, ec_addr *out);

/* The part of a that the transport's per-source limits group by: the
 * family byte and the /24 of an IPv4 address, the family byte and the /64
 * of an IPv6 address, the whole address for anything else (opaque
 * addresses in tests and simulations).
 * Returns: the number of bytes written to out (at most EC_ADDR_MAX); 0 if a
 *          is NULL or empty. */
size_t ecn_addr_prefix(const ec_addr *a, uint8_t out[EC_ADDR_MAX]);

#endif
