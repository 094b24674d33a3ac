/* SPDX-License-Identifier: MIT */
/* The test-only impairment layer (impair.h). */
#include "impair.h"

#include <stdlib.h>
#include <string.h>

static double
unit(ec_rng *r)
{
	return (double)(ec_rng_u64(r) >> 11) * 0x1p-53;
}

ec_err
ecn_impair_init(ecn_impair *im, double loss, double hold, uint64_t seed, size_t max_held)
{
	memset(im, 0, sizeof *im);
	if (!(loss >= 0 && loss < 1) || !(hold >= 0 && hold < 1) || !max_held)
		return EC_EINVAL;
	uint8_t s[EC_RNG_SEED_BYTES];
	ec_rng_seed_from_u64(seed, s);
	ec_rng_init(&im->rng, s);
	im->loss = loss;
	im->hold = hold;
	im->cap = max_held;
	im->q = calloc(max_held, sizeof *im->q);
	return im->q ? EC_OK : EC_ENOMEM;
}

void
ecn_impair_fini(ecn_impair *im)
{
	for (size_t i = 0; i < im->n; i++)
		free(im->q[(im->head + i) % im->cap].data);
	free(im->q);
	memset(im, 0, sizeof *im);
}

bool
ecn_impair_admit(ecn_impair *im, uint64_t slot, const ec_addr *from, const uint8_t *data,
                 size_t len)
{
	if (im->loss > 0 && unit(&im->rng) < im->loss) {
		im->lost++;
		return false;
	}
	uint64_t g = 0;
	while (im->hold > 0 && unit(&im->rng) < im->hold)
		g++;
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy) {
		im->overflow++;
		return false;
	}
	memcpy(copy, data, len);
	if (im->n == im->cap) { /* full: the oldest goes */
		free(im->q[im->head].data);
		im->head = (im->head + 1) % im->cap;
		im->n--;
		im->overflow++;
	}
	im->q[(im->head + im->n) % im->cap] = (ecn_held){slot + 1 + g, *from, len, copy};
	im->n++;
	im->held += g > 0;
	return true;
}

void
ecn_impair_release(ecn_impair *im, uint64_t now,
                   void (*fn)(void *user, const ec_addr *from, const uint8_t *data, size_t len),
                   void *user)
{
	/* one pass: due entries go out, the others slide down in order */
	size_t kept = 0, n = im->n;
	for (size_t i = 0; i < n; i++) {
		ecn_held h = im->q[(im->head + i) % im->cap];
		if (h.due <= now) {
			fn(user, &h.from, h.data, h.len);
			free(h.data);
		} else {
			im->q[(im->head + kept++) % im->cap] = h;
		}
	}
	im->n = kept;
}
