/* SPDX-License-Identifier: MIT */
/*
 * Messages between nodes (seed-protocol.md §1.5).  An ec_msg is an envelope plus one
 * message body.  Bodies that carry a block or an answer hold a pointer:
 * whoever hands an ec_msg to someone else (a node to its send callback, a
 * transport to a node) keeps ownership, and the pointee is valid only for the
 * duration of that call.  A receiver that keeps a body must copy it.
 */
#ifndef EC_MSG_H
#define EC_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include "ec/block.h"

typedef enum ec_msg_type {
	EC_MSG_VOTE = 1,
	EC_MSG_QUERY_BLOCK,
	EC_MSG_QUERY_TOKEN,
	EC_MSG_ANSWER,
	EC_MSG_BLOCK,
	EC_MSG_REFERRAL,
	EC_MSG_ENVELOPE,  /* the ec protocol: several logical messages (ec/ecp.h) */
	EC_MSG_TYPE_MAX = EC_MSG_ENVELOPE
} ec_msg_type;

typedef struct ec_token_mapping {
	ec_token_id id;
	ec_block_id block;
} ec_token_mapping;

typedef struct ec_answer {
	ec_token_mapping answer;
	ec_token_mapping signature[EC_TOKENS_SIGNATURE_SIZE];
} ec_answer;

struct ecp_item;

typedef struct ec_msg {
	ec_peer_id sender;
	ec_peer_id receiver;
	uint64_t ticket;   /* envelope ticket (separate from a query's ticket) */
	uint64_t time;     /* sender's clock when the message was created */
	uint8_t type;      /* ec_msg_type */
	union {
		struct { ec_block_id block_id; uint8_t vote; bool reply; } vote;
		/* QueryBlock (id = block) and QueryToken (id = token) */
		struct { uint64_t id; ec_peer_id target; uint64_t ticket; } query;
		struct { const ec_block *block; } block;
		struct { const ec_answer *answer; } answer;
		struct { ec_token_id token; ec_peer_id high; ec_peer_id low; } referral;
		struct { const struct ecp_item *items; uint32_t n; } env;
	} u;
} ec_msg;

/* Returns a short lower-case name for a message type ("vote", ...). */
const char *ec_msg_type_name(uint8_t type);

#endif
