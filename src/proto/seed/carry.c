/* SPDX-License-Identifier: MIT */
/*
 * How a driver carries the seed protocol's messages (ec_msg_ops): Block and
 * Answer bodies are pointers the sender may free after the send call, so
 * keep() copies them into the driver's scratch storage; the wire sizes are
 * the reference's bandwidth model.  Seed counts nothing beyond the message
 * types, which every driver counts already.
 */
#include <string.h>

#include "ec/seed.h"

static ec_err
seed_keep(ec_msg *m, const ec_msg_keeper *k)
{
	if (m->type == EC_MSG_BLOCK && m->u.block.block) {
		ec_block *b = k->scratch(k->user, sizeof *b);
		if (!b)
			return EC_ENOMEM;
		*b = *m->u.block.block;
		m->u.block.block = b;
	} else if (m->type == EC_MSG_ANSWER && m->u.answer.answer) {
		ec_answer *a = k->scratch(k->user, sizeof *a);
		if (!a)
			return EC_ENOMEM;
		*a = *m->u.answer.answer;
		m->u.answer.answer = a;
	}
	return EC_OK;
}

/* A 33-byte envelope (sender, receiver, ticket, time: 8 each; type: 1)
 * plus the body: Vote 10, QueryBlock/QueryToken 24, Referral 24, Answer
 * 176, Block 17 plus per used part 25 (+8 with a signature). */
static uint64_t
seed_wire_size(const ec_msg *m)
{
	uint64_t size = 33;
	switch (m->type) {
	case EC_MSG_VOTE: return size + 10;
	case EC_MSG_QUERY_BLOCK:
	case EC_MSG_QUERY_TOKEN:
	case EC_MSG_REFERRAL: return size + 24;
	case EC_MSG_ANSWER: return size + 176;
	case EC_MSG_BLOCK:
		size += 17;
		if (m->u.block.block) {
			const ec_block *b = m->u.block.block;
			for (uint32_t i = 0; i < b->used && i < EC_TOKENS_PER_BLOCK; i++)
				size += 25u + ((b->sig_present >> i & 1u) ? 8u : 0u);
		}
		return size;
	default: return size;
	}
}

static uint32_t
seed_logical(const ec_msg *m)
{
	(void)m;
	return 1;
}

const ec_msg_ops ec_seed_msg_ops = {
	.keep = seed_keep,
	.wire_size = seed_wire_size,
	.logical = seed_logical,
};
