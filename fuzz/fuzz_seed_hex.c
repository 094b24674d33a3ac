/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: ec_seed_parse_hex.  Accepts exactly 64 hex digits; whatever
 * it accepts must print back (lower-cased) to the same digits.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[128];
	if (size >= sizeof text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	uint8_t seed[EC_RNG_SEED_BYTES];
	if (ec_seed_parse_hex(text, seed) != EC_OK)
		return 0;
	char back[65];
	ec_seed_hex(seed, back);
	if (strlen(text) != 64)
		abort();
	for (int i = 0; i < 64; i++)
		if (tolower((unsigned char)text[i]) != back[i])
			abort();
	return 0;
}
