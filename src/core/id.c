/* SPDX-License-Identifier: MIT */
#include "ec/id.h"

#include "ec/rng.h"

int
ec_id_cmp(const ec_id *a, const ec_id *b)
{
	for (int i = 0; i < 4; i++)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

ec_id
ec_id_expand(uint64_t pos)
{
	ec_id id = {{pos, 0, 0, 0}};
	if (pos == 0)
		return id;
	uint64_t x = pos;
	for (unsigned i = 1; i < 4; i++)
		id.w[i] = x = ec_mix64(x + 0x9E3779B97F4A7C15ull * i);
	return id;
}

uint64_t
ec_id_hash(const ec_id *a)
{
	return ec_mix64(a->w[0] ^ ec_mix64(a->w[3] ^ (a->w[1] << 1) ^ (a->w[2] >> 1)));
}

void
ec_id_to_bytes(const ec_id *a, uint8_t out[32])
{
	for (unsigned i = 0; i < 4; i++)
		for (unsigned j = 0; j < 8; j++)
			out[8 * i + j] = (uint8_t)(a->w[i] >> (56 - 8 * j));
}

ec_id
ec_id_from_bytes(const uint8_t in[32])
{
	ec_id id;
	for (unsigned i = 0; i < 4; i++) {
		uint64_t x = 0;
		for (unsigned j = 0; j < 8; j++)
			x = x << 8 | in[8 * i + j];
		id.w[i] = x;
	}
	return id;
}

ec_id
ec_id_sub(const ec_id *a, const ec_id *b)
{
	ec_id r;
	uint64_t borrow = 0;
	for (int i = 3; i >= 0; i--) {
		uint64_t x = a->w[i], y = b->w[i];
		r.w[i] = x - y - borrow;
		borrow = (x < y || (x == y && borrow)) ? 1 : 0;
	}
	return r;
}

ec_id
ec_id_add(const ec_id *a, const ec_id *b)
{
	ec_id r;
	uint64_t carry = 0;
	for (int i = 3; i >= 0; i--) {
		uint64_t s1 = a->w[i] + b->w[i], s2 = s1 + carry;
		carry = (uint64_t)(s1 < a->w[i]) | (uint64_t)(s2 < s1);
		r.w[i] = s2;
	}
	return r;
}
