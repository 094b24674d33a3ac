/* SPDX-License-Identifier: MIT */
/*
 * The ec protocol's workload hooks (ec_workload_ops): a driver hands over a
 * transaction's parts, their parents' full ids and the key references that
 * sign them; the wallet (wallet.h) builds the signed block, honest or
 * forged, and the transaction points at it until release().
 */
#include <stdint.h>
#include <stdlib.h>

#include "ec/ecp.h"
#include "proto/ec/node.h"
#include "wallet.h"

static ec_err
ecp_seal(const ec_sig_scheme *scheme, ec_txn *t, const ec_id *parents, const uint64_t *signers,
         ec_seal_kind kind, uint64_t attacker)
{
	ecp_block *b;
	ec_err err = ecp_wallet_seal(scheme, t->time, t->parts, parents, signers, t->used, kind,
	                             attacker, &b);
	if (err)
		return err;
	t->block = b;
	t->id = ec_id_pos(&b->id);
	return EC_OK;
}

static ec_id
ecp_full_id(const ec_txn *t)
{
	return t->block ? t->block->id : (ec_id){{0, 0, 0, 0}};
}

static void
ecp_release(ec_txn *t)
{
	free((void *)(uintptr_t)t->block); /* sealed forms are ecp_seal's malloc */
	t->block = NULL;
}

const ec_workload_ops ecp_workload_ops = {
	.seal = ecp_seal,
	.full_id = ecp_full_id,
	.release = ecp_release,
	.witnesses = ecp__workload_witnesses,
};
