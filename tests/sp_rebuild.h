/* SPDX-License-Identifier: MIT */
/*
 * The oracle of a canonical proof-of-storage answer, shared by the wire
 * and proof-of-storage fuzzers and the wire tests: "canonical" means "what
 * some store says", so a store holding exactly an answer's mappings must
 * answer its point with the same entries.  Header only (the fuzz targets
 * link no test library).
 */
#ifndef EC_TESTS_SP_REBUILD_H
#define EC_TESTS_SP_REBUILD_H

#include <stddef.h>
#include <string.h>

#include "ec/storage_proof.h"

/* The answer to *point of a store holding exactly e[0..n-1] (n at most
 * EC_SP_ENTRIES, in any order), from a zero responder, into *out.
 * Returns ec_sp_answer_build's result; EC_EINVAL when n is too large. */
static inline ec_err
sp_rebuild(const ec_sp_mapping *e, size_t n, const ec_id *point, ec_sp_answer *out)
{
	if (n > EC_SP_ENTRIES)
		return EC_EINVAL;
	ec_sp_mapping sorted[EC_SP_ENTRIES];
	if (n)
		memcpy(sorted, e, n * sizeof sorted[0]);
	for (size_t i = 1; i < n; i++) /* insertion sort by token */
		for (size_t j = i; j > 0 && ec_id_cmp(&sorted[j].token, &sorted[j - 1].token) < 0; j--) {
			ec_sp_mapping t = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	ec_sp_array arr = {sorted, n};
	ec_sp_view view = ec_sp_array_view(&arr);
	const ec_id responder = {{0, 0, 0, 0}};
	return ec_sp_answer_build(&responder, point, &view, out);
}

#endif
