/* SPDX-License-Identifier: MIT */
/*
 * A program that links libec alone, as a node daemon would: it builds two
 * nodes of each protocol with the C library's allocator and a store of its
 * own, hands one a transaction and ticks both.  That it links at all is the
 * check that libec needs nothing from the simulator (libecsim).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec/ctx.h"
#include "ec/ecp.h"
#include "ec/protocol.h"
#include "ec/seed.h"

/* A store that holds nothing: enough for a node that only starts. */
static const ec_block *
no_block(void *impl, ec_block_id id)
{
	(void)impl;
	(void)id;
	return NULL;
}

static ec_err
drop_block(void *impl, const ec_block *b)
{
	(void)impl;
	(void)b;
	return EC_OK;
}

static bool
no_token(void *impl, ec_token_id t, ec_block_id *b, uint64_t *time)
{
	(void)impl;
	(void)t;
	(void)b;
	(void)time;
	return false;
}

static ec_err
drop_token(void *impl, ec_token_id t, ec_block_id b, uint64_t time)
{
	(void)impl;
	(void)t;
	(void)b;
	(void)time;
	return EC_OK;
}

static bool
no_xtoken(void *impl, const ec_id *t, ec_id *b, uint64_t *time)
{
	(void)impl;
	(void)t;
	(void)b;
	(void)time;
	return false;
}

static ec_err
drop_xtoken(void *impl, const ec_id *t, const ec_id *b, uint64_t time)
{
	(void)impl;
	(void)t;
	(void)b;
	(void)time;
	return EC_OK;
}

static bool
no_xblock(void *impl, const ec_id *id, const ecp_block **b, const ecp_cert **c)
{
	(void)impl;
	(void)id;
	(void)b;
	(void)c;
	return false;
}

static ec_err
drop_xblock(void *impl, const ecp_block *b, const ecp_cert *c)
{
	(void)impl;
	(void)b;
	(void)c;
	return EC_OK;
}

static size_t sent;

static ec_err
count_send(void *user, const ec_msg *m)
{
	(void)user;
	(void)m;
	sent++;
	return EC_OK;
}

int
main(void)
{
	static const ec_seed_store_ops seed_ops = {.block_get = no_block, .block_put = drop_block,
	                                           .token_get = no_token, .token_put = drop_token};
	static const ecp_store_ops ecp_ops = {.xtoken_get = no_xtoken, .xtoken_put = drop_xtoken,
	                                      .xblock_get = no_xblock, .xblock_put = drop_xblock};
	for (const ec_protocol *const *p = ec_protocols; *p; p++) {
		void *node = calloc(1, (*p)->node_size);
		if (!node)
			return 1;
		const void *ops = strcmp((*p)->store_api, EC_SEED_STORE_API) == 0 ? (const void *)&seed_ops
		                  : strcmp((*p)->store_api, ECP_STORE_API) == 0   ? (const void *)&ecp_ops
		                                                                    : NULL;
		if (!ops) {
			fprintf(stderr, "libec_only: %s: no store for %s\n", (*p)->name, (*p)->store_api);
			return 1;
		}
		ec_ctx ctx = {.realloc_fn = ec_libc_realloc, .send = count_send, .store = {ops, NULL}};
		uint64_t peers[2] = {1, 3};
		if ((*p)->node_init(node, 2, NULL) || (*p)->set_peers(node, &ctx, peers, 2) ||
		    (*p)->tick(node, &ctx)) {
			fprintf(stderr, "libec_only: %s: a node would not start\n", (*p)->name);
			return 1;
		}
		(*p)->node_fini(node, &ctx);
		free(node);
		printf("libec_only: %s node started and ticked\n", (*p)->name);
	}
	return 0;
}
