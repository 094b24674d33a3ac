/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the proof-of-storage decoders (ec/storage_proof.h).  The
 * input is decoded as a QueryToken and as an Answer; whatever a decoder
 * accepts must re-encode to exactly the input bytes (one encoding per
 * value); an accepted answer must pass the canonical-form check, agree
 * fully with copies of itself, and be what a store holding exactly its
 * mappings would answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ec/storage_proof.h"
#include "sp_rebuild.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ec_sp_query q;
	if (ec_sp_query_decode(data, size, &q) == EC_SP_OK) {
		uint8_t back[EC_SP_QUERY_LEN];
		ec_sp_query_encode(&q, back);
		if (size != EC_SP_QUERY_LEN || memcmp(back, data, size) != 0)
			abort();
	}
	ec_sp_answer a;
	if (ec_sp_answer_decode(data, size, &a) != EC_SP_OK)
		return 0;
	if (ec_sp_answer_check(&a) != EC_SP_OK)
		abort();
	uint8_t back[EC_SP_ANSWER_MAX_LEN];
	size_t len = sizeof back;
	if (ec_sp_answer_encode(&a, back, &len) != EC_OK || len != size ||
	    memcmp(back, data, size) != 0)
		abort();
	/* Three copies of an answer agree with each other completely. */
	ec_sp_answer three[3] = {a, a, a};
	three[1].responder.w[3] ^= 1;
	three[2].responder.w[3] ^= 2;
	ec_sp_verdict v[3];
	uint8_t agree[3];
	if (ec_sp_compare(three, 3, &a.point, EC_SP_MIN_AGREE, v, agree) != EC_OK)
		abort();
	for (int i = 0; i < 3; i++)
		if (v[i] != EC_SP_PASS || agree[i] != a.count)
			abort();
	/* A store holding exactly the answer's mappings answers the same
	 * point with the same answer: canonical means "what some store says". */
	ec_sp_answer rebuilt;
	if (sp_rebuild(a.entries, a.count, &a.point, &rebuilt) != EC_OK)
		abort();
	if (rebuilt.count != a.count ||
	    memcmp(rebuilt.entries, a.entries, sizeof a.entries) != 0)
		abort();
	return 0;
}
