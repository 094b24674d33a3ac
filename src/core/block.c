/* SPDX-License-Identifier: MIT */
/* Block content comparison and message type names. */
#include <string.h>

#include "ec/block.h"
#include "ec/msg.h"

bool
ec_block_equal(const ec_block *a, const ec_block *b)
{
	if (a->id != b->id || a->time != b->time || a->used != b->used ||
	    a->sig_present != b->sig_present)
		return false;
	for (int i = 0; i < EC_TOKENS_PER_BLOCK; i++) {
		if (a->parts[i].token != b->parts[i].token || a->parts[i].last != b->parts[i].last ||
		    a->parts[i].key != b->parts[i].key)
			return false;
		if ((a->sig_present >> i & 1) && a->signatures[i] != b->signatures[i])
			return false;
	}
	return true;
}

const char *
ec_msg_type_name(uint8_t type)
{
	switch (type) {
	case EC_MSG_VOTE: return "vote";
	case EC_MSG_QUERY_BLOCK: return "query_block";
	case EC_MSG_QUERY_TOKEN: return "query_token";
	case EC_MSG_ANSWER: return "answer";
	case EC_MSG_BLOCK: return "block";
	case EC_MSG_REFERRAL: return "referral";
	}
	return "unknown";
}
