/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the wire decoders (ec/wire.h).  The input is decoded as a
 * block, a certificate, an item and an envelope (items of every kind: the
 * voting items, the peer-management items FIND .. PROOF and the flagged
 * COMMIT of a catch-up answer).  Whatever a decoder accepts must re-encode
 * to exactly the input bytes (canonical: one byte string per value), the
 * measure functions must agree with the decoders (ec_wire_decode_bound
 * memory always suffices; a valid item needs at most 4 bytes per input
 * byte, a valid envelope 32), a decoded item must start with its own type
 * byte and carry its contacts in the canonical order with zero-filled
 * addresses (and a HELLO its hops only on a relayed join), a decoded
 * PROOF must hold at most EC_SP_ENTRIES entries and be exactly what a store
 * holding just its mappings answers to its point (ec_sp_answer_build), and
 * a decoded block's id must be the streaming ec_wire_block_id of its
 * fields.  Any disagreement aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ec/storage_proof.h"
#include "ec/wire.h"
#include "sp_rebuild.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
	if (!ok)
		abort();
}

/* enc: the re-encoding of what was decoded from data; must equal it. */
static void
same_bytes(const uint8_t *data, size_t size, const uint8_t *enc, size_t len)
{
	check(len == size);
	check(memcmp(data, enc, size) == 0);
}

static void
fuzz_block(const uint8_t *data, size_t size)
{
	uint32_t n = 0;
	ec_wire_reason peek = ec_wire_block_peek(data, size, &n);
	ecp_block *b = malloc(ecp_block_size(ECP_MAX_PARTS));
	check(b != NULL);
	ec_wire_reason r = ec_wire_block_decode(data, size, b, ECP_MAX_PARTS);
	if (r == EC_WIRE_OK) {
		check(peek == EC_WIRE_OK && n == b->nparts);
		uint8_t *enc = malloc(size);
		size_t len = 0;
		check(enc != NULL);
		check(ec_wire_block_encode(b, enc, size, &len) == EC_OK);
		same_bytes(data, size, enc, len);
		ec_id id;
		ec_wire_block_id(b, &id);
		check(ec_id_eq(&id, &b->id));
		/* a too small capacity is refused, not overrun */
		if (n > 1)
			check(ec_wire_block_decode(data, size, b, n - 1) == EC_WIRE_NOSPACE);
		free(enc);
	} else {
		check(r != EC_WIRE_NOSPACE);
	}
	free(b);
}

static void
fuzz_cert(const uint8_t *data, size_t size)
{
	uint32_t n = 0;
	bool sigs = false;
	ec_wire_reason peek = ec_wire_cert_peek(data, size, &n, &sigs);
	if (peek != EC_WIRE_OK)
		return;
	ecp_cert *c = malloc(ecp_cert_bytes(n, sigs));
	check(c != NULL);
	if (ec_wire_cert_decode(data, size, c, n) == EC_WIRE_OK) {
		uint8_t *enc = malloc(size);
		size_t len = 0;
		check(enc != NULL);
		check(ec_wire_cert_encode(c, enc, size, &len) == EC_OK);
		same_bytes(data, size, enc, len);
		free(enc);
	}
	free(c);
}

/* The contacts of a decoded item: already in the order the sort makes,
 * with nothing after each address's length. */
static void
check_contacts(const ec_contact *c, uint32_t n)
{
	check(n <= ECP_MAX_CONTACTS);
	ec_contact sorted[ECP_MAX_CONTACTS];
	memcpy(sorted, c, n * sizeof *c);
	ec_wire_contacts_sort(sorted, n);
	for (uint32_t i = 0; i < n; i++) {
		check(sorted[i].id == c[i].id);
		check(c[i].addr.len <= EC_ADDR_MAX);
		for (uint32_t k = c[i].addr.len; k < EC_ADDR_MAX; k++)
			check(c[i].addr.b[k] == 0);
	}
}

/* A decoded proof is canonical: a store holding exactly its mappings
 * answers its point with the same entries. */
static void
check_proof(const ecp_proof *pr)
{
	check(pr->count <= EC_SP_ENTRIES);
	ec_sp_answer a;
	check(sp_rebuild(pr->e, pr->count, &pr->point, &a) == EC_OK);
	check(a.count == pr->count);
	check(pr->count == 0 || memcmp(a.entries, pr->e, pr->count * sizeof pr->e[0]) == 0);
}

static void
check_bodies(const ecp_item *it)
{
	/* neither flags nor hops travel but on the kinds that carry them */
	if (it->kind == ECP_AUDIT || it->kind == ECP_PROOF)
		check(!it->flags && !it->hops &&
		      (it->kind == ECP_AUDIT ? it->audit != NULL : it->proof != NULL));
	if (it->kind == ECP_PROOF)
		check_proof(it->proof);
	if (it->kind == ECP_FIND || it->kind == ECP_PEERS)
		check_contacts(it->contacts->c, it->contacts->n);
	if (it->kind == ECP_HELLO || it->kind == ECP_WELCOME) {
		check(it->hello->claim != NULL);
		check_contacts(it->hello->c, it->hello->n);
		/* INTRO only with JOIN; hops only on a relayed join (JOIN without
		 * INTRO); a WELCOME has none */
		check(!(it->flags & ECP_F_INTRO) || (it->flags & ECP_F_JOIN));
		check(!it->hops || (it->kind == ECP_HELLO && (it->flags & ECP_F_JOIN) &&
		                    !(it->flags & ECP_F_INTRO)));
	}
}

static void
fuzz_item(const uint8_t *data, size_t size)
{
	size_t need = 0;
	ec_wire_reason r = ec_wire_item_measure(data, size, &need);
	size_t cap = ec_wire_decode_bound(size);
	void *mem = malloc(cap ? cap : 8);
	check(mem != NULL);
	ecp_item it;
	ec_wire_reason d = ec_wire_item_decode(data, size, &it, mem, cap);
	check(d == r);
	if (r == EC_WIRE_OK) {
		check(need <= 4 * size);
		check(ec_wire_item_size(&it) == size);
		check(ec_wire_item_type(&it) == data[0]);
		check_bodies(&it);
		uint8_t *enc = malloc(size);
		size_t len = 0;
		check(enc != NULL);
		check(ec_wire_item_encode(&it, enc, size, &len) == EC_OK);
		same_bytes(data, size, enc, len);
		free(enc);
		if (need)
			check(ec_wire_item_decode(data, size, &it, mem, need - 1) == EC_WIRE_NOSPACE);
	}
	free(mem);
}

static void
fuzz_env(const uint8_t *data, size_t size)
{
	size_t need = 0;
	ec_wire_reason r = ec_wire_env_measure(data, size, &need);
	size_t cap = ec_wire_decode_bound(size);
	void *mem = malloc(cap ? cap : 8);
	check(mem != NULL);
	ec_wire_env env;
	ec_wire_reason d = ec_wire_env_decode(data, size, &env, mem, cap);
	check(d == r);
	if (r == EC_WIRE_OK) {
		check(need <= 32 * size);
		check(ec_wire_env_size(&env) == size);
		for (uint32_t i = 0; i < env.n; i++)
			check_bodies(&env.items[i]);
		uint8_t *enc = malloc(size);
		size_t len = 0;
		check(enc != NULL);
		check(ec_wire_env_encode(&env, enc, size, &len) == EC_OK);
		same_bytes(data, size, enc, len);
		free(enc);
	}
	free(mem);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so that sanitizers see reads past the end even
	 * under the stand-alone driver (whose buffer is larger) */
	uint8_t *in = malloc(size ? size : 1);
	check(in != NULL);
	if (size)
		memcpy(in, data, size);
	fuzz_block(in, size);
	fuzz_cert(in, size);
	fuzz_item(in, size);
	fuzz_env(in, size);
	free(in);
	return 0;
}
