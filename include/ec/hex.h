/* SPDX-License-Identifier: MIT */
/*
 * Hexadecimal text for keys, salts, seeds and hashes (command lines, golden
 * files, JSON).  No allocation; buffers belong to the caller.
 */
#ifndef EC_HEX_H
#define EC_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes the first 2*n characters of text (hex digits of either case)
 * into n bytes.  Returns false at the first character that is not a hex
 * digit (a terminating NUL included), never reading past it; out is then
 * partly written.  Callers that want exactly 2*n digits also check the
 * text's length. */
bool ec_hex_decode(const char *text, uint8_t *out, size_t n);

/* Writes 2*n lower-case hex digits of in[0..n) and a NUL to out, which
 * must hold 2*n + 1 characters. */
void ec_hex_encode(const uint8_t *in, size_t n, char *out);

#endif
