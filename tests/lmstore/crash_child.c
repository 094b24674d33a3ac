/* SPDX-License-Identifier: MIT */
/*
 * The crash test's child (lmtest.h): commits batches in a loop until the
 * parent kills it with SIGKILL.  Batch c is a pure function of c, so the
 * parent can tell exactly what the last committed counter promises.  No
 * cmocka here: the child only ever leaves through _exit.
 */
#include "lmtest.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ec/wire.h"

uint32_t
crash_blocks(uint64_t c)
{
	return 1 + (uint32_t)(c % 4);
}

void
crash_block(uint64_t c, uint32_t k, ecp_block *b)
{
	memset(b, 0, ecp_block_size(CRASH_PARTS));
	uint64_t x = (c << 3 | k) * 0x9E3779B97F4A7C15ull;
	x ^= x >> 29;
	b->time = c;
	b->nparts = CRASH_PARTS;
	for (uint32_t r = 0; r < CRASH_PARTS; r++) {
		/* one high part per block, r below it: ascending, distinct */
		b->parts[r].token = (ec_id){{(x & ~0xFFull) | r, c, k, 1}};
		b->parts[r].next_key = (ec_id){{c, k, r, 1}};
	}
	ec_wire_block_id(b, &b->id);
}

static void
be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* The counter stored, or 0. */
static uint64_t
counter(ecn_lmstore *s)
{
	uint8_t buf[8];
	size_t len;
	ec_err e = ecn_lmstore_meta_get(s, "counter", buf, sizeof buf, &len);
	if (e == EC_ENOTFOUND)
		return 0;
	if (e || len != 8)
		_exit(4);
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | buf[i];
	return v;
}

/* Batch c's writes, in one transaction. */
static ec_err
batch(ecn_lmstore *s, uint64_t c, ecp_block *b, const ecp_cert *cert)
{
	const ecp_store_ops *o = ecn_lmstore_ops();
	ec_err e = EC_OK;
	uint8_t v[8];
	for (uint32_t k = 0; k < crash_blocks(c) && !e; k++) {
		crash_block(c, k, b);
		e = o->xblock_put(s, b, cert);
		for (uint32_t r = 0; r < CRASH_PARTS && !e; r++)
			e = o->xtoken_put(s, &b->parts[r].token, &b->id, b->time);
		if (!e && k == 0)
			e = o->xvote_put(s, &b->parts[0].token, &b->parts[0].parent,
			                 &(ecp_xvote){.block = b->id, .origin = c, .known = true});
	}
	be64(v, c);
	if (!e)
		e = ecn_lmstore_peer_put(s, c % 64, v, sizeof v);
	if (!e)
		e = ecn_lmstore_peer_del(s, (c + 32) % 64);
	if (!e)
		e = ecn_lmstore_meta_put(s, "counter", v, sizeof v);
	return e ? e : ecn_lmstore_commit(s);
}

_Noreturn void
crash_child_run(const char *dir, unsigned seconds)
{
	ecn_lmstore *s;
	char err[256];
	if (ecn_lmstore_open(dir, 0, 0, &s, err, sizeof err))
		_exit(3);
	uint64_t c = counter(s);
	ecp_block *b = malloc(ecp_block_size(CRASH_PARTS));
	ecp_cert *cert = malloc(sizeof *cert + 3 * sizeof cert->v[0]);
	if (!b || !cert)
		_exit(5);
	cert->n = 3;
	cert->sigs = 0;
	for (uint32_t i = 0; i < 3; i++)
		cert->v[i] = (ecp_vote){.voter = i + 1, .stamp = 2, .role = (uint16_t)i, .value = 1};
	time_t end = time(NULL) + (time_t)seconds;
	while (time(NULL) < end) {
		if (batch(s, ++c, b, cert))
			_exit(6);
		ecn_lmstore_release(s);
	}
	_exit(0);
}
