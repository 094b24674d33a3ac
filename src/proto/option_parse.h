/* SPDX-License-Identifier: MIT */
/* Internal: the strict number parsing the protocols' option tables share
 * (the whole text must be a number in range; no sign, no spaces). */
#ifndef EC_PROTO_OPTION_PARSE_H
#define EC_PROTO_OPTION_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Parses a whole number in [lo, hi] from text into *out; on failure
 * writes "needs a whole number from LO to HI, got 'TEXT'" to err. */
bool ec__parse_u32_in(const char *text, uint32_t lo, uint32_t hi, uint32_t *out, char *err,
                      size_t errlen);
bool ec__parse_u64_in(const char *text, uint64_t lo, uint64_t hi, uint64_t *out, char *err,
                      size_t errlen);

#endif
