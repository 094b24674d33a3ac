/* SPDX-License-Identifier: MIT */
/*
 * ec_store: the storage seam of a node.  Consensus code reads and writes
 * blocks and token mappings only through its protocol's store operations,
 * so the same node logic runs on the simulator's in-memory store and on a
 * persistent one.
 *
 * A store is a plain map; protocol rules (such as "only overwrite an older
 * mapping") live in the protocol, not in the store.
 */
#ifndef EC_STORE_H
#define EC_STORE_H

/* A node's store: the operations of the storage interface its protocol
 * declares (ec_protocol.store_api names it: ec_seed_store_ops in
 * ec/seed.h, ecp_store_ops in ec/ecp.h), over the driver's impl.  A driver
 * that offers several interfaces hands each node the table its protocol
 * names; the protocol reads it through its own typed accessor. */
typedef struct ec_store {
	const void *ops;
	void *impl;
} ec_store;

#endif
