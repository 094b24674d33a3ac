/* SPDX-License-Identifier: MIT */
/* Internal: byte helpers the ec protocol's checks share. */
#ifndef ECP_BYTES_H
#define ECP_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether p[0..n) are all zero; reads every byte, whatever it finds. */
static inline bool
ecp__all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

#endif
