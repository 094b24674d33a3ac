/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for ecctl's library (tools/ecctl): the blocks it builds
 * (blocks.h: a create's shape; a transfer decodes back, its id is the
 * BLAKE3 of its unsigned prefix, its signature verifies against the parent
 * with ecp_part_check; rekey and destroy; the wrong wallet, a parent that
 * does not move the token, a destroyed token; witness parts: the ids the
 * rule derives, in block order, the signature over the whole block, too
 * many parts refused), the wallet file (wallet.h:
 * round trip, modes, refusing to overwrite, refusing files others may
 * read, corrupt files, a pk that is not the seed's) and the JSON-RPC
 * client (rpc_client.h) against a socket the test serves itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "blocks.h"
#include "ec/blake3.h"
#include "ec/hex.h"
#include "rpc_client.h"
#include "wallet.h"

/* ---- helpers ------------------------------------------------------------ */

static ec_id
id_of(const char *hex)
{
	ec_id id;
	assert_true(ecctl_id_parse(hex, &id));
	return id;
}

static void
wallet_of(uint8_t fill, ecctl_wallet *w)
{
	uint8_t seed[EC_SIG_SEED_BYTES];
	memset(seed, fill, sizeof seed);
	ecctl_wallet_from_seed(seed, w);
}

static ec_id
key_hash(const ecctl_wallet *w)
{
	ec_id h;
	ecctl_wallet_key_hash(w, &h);
	return h;
}

/* The block creating token T1 for w (no witness parts). */
static ecp_block *
create_for(const ecctl_wallet *w, const ec_id *token)
{
	ec_id kh = key_hash(w);
	ecp_block *b = NULL;
	assert_int_equal(ecctl_block_create(7, token, 1, 0, &kh, &b), EC_OK);
	assert_non_null(b);
	return b;
}

static ecp_block *
change(const ecp_block *parent, const ec_id *token, const ec_id *next, const ecctl_wallet *w,
       ec_verdict want)
{
	ecp_block *b = NULL;
	ec_verdict v = EC_ACCEPT;
	assert_int_equal(ecctl_block_change(9, token, parent, next, 0, w, &b, &v), EC_OK);
	assert_int_equal(v, want);
	if (want == EC_ACCEPT)
		assert_non_null(b);
	else
		assert_null(b);
	return b;
}

#define T1 "1111111111111111111111111111111111111111111111111111111111111111"
#define T2 "00000000000000000000000000000000000000000000000000000000000000ff"
#define T3 "8000000000000000000000000000000000000000000000000000000000000000"

/* ---- ids and hex ---------------------------------------------------------- */

static void
test_id_text(void **state)
{
	(void)state;
	ec_id id;
	char out[ECCTL_ID_HEX];
	assert_true(ecctl_id_parse(T3, &id));
	assert_int_equal(id.w[0], 0x8000000000000000ull); /* big-endian: position first */
	ecctl_id_format(&id, out);
	assert_string_equal(out, T3);
	assert_true(ecctl_id_parse("ABCDEFabcdef0000000000000000000000000000000000000000000000000000",
	                           &id));
	ecctl_id_format(&id, out);
	assert_string_equal(out, "abcdefabcdef0000000000000000000000000000000000000000000000000000");
	assert_false(ecctl_id_parse("", &id));
	assert_false(ecctl_id_parse(T1 "1", &id));
	assert_false(ecctl_id_parse(&T1[1], &id)); /* 63 digits */
	assert_false(ecctl_id_parse("g111111111111111111111111111111111111111111111111111111111111111",
	                            &id));
	assert_false(ecctl_id_parse(" 11111111111111111111111111111111111111111111111111111111111111",
	                            &id));

	uint8_t *b;
	size_t n;
	assert_int_equal(ecctl_hex_decode_alloc("00ff7A", &b, &n), EC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(b[2], 0x7a);
	char *s = ecctl_hex_encode_alloc(b, n);
	assert_string_equal(s, "00ff7a");
	free(s);
	free(b);
	assert_int_equal(ecctl_hex_decode_alloc("abc", &b, &n), EC_EPARSE);
	assert_null(b);
	assert_int_equal(ecctl_hex_decode_alloc("zz", &b, &n), EC_EPARSE);
	assert_int_equal(ecctl_hex_decode_alloc("", &b, &n), EC_OK);
	assert_int_equal(n, 0);

	ec_id r1, r2;
	ecctl_token_random(&r1);
	ecctl_token_random(&r2);
	assert_false(ec_id_is_zero(&r1));
	assert_false(ec_id_eq(&r1, &r2));
}

/* ---- blocks ----------------------------------------------------------------- */

static void
test_create_shape(void **state)
{
	(void)state;
	ecctl_wallet w;
	wallet_of(1, &w);
	ec_id kh = key_hash(&w), toks[3] = {id_of(T3), id_of(T1), id_of(T2)};
	ecp_block *b;
	assert_int_equal(ecctl_block_create(42, toks, 3, 0, &kh, &b), EC_OK);
	assert_int_equal(b->time, 42);
	assert_int_equal(b->nparts, 3);
	/* sorted into the canonical order */
	ec_id want[3] = {id_of(T2), id_of(T1), id_of(T3)};
	static const uint8_t zero[64];
	for (uint32_t i = 0; i < 3; i++) {
		assert_true(ec_id_eq(&b->parts[i].token, &want[i]));
		assert_true(ec_id_is_zero(&b->parts[i].parent));
		assert_true(ec_id_eq(&b->parts[i].next_key, &kh));
		assert_memory_equal(b->parts[i].signer, zero, 32);
		assert_memory_equal(b->parts[i].sig, zero, 64);
	}
	ec_id id;
	ec_wire_block_id(b, &id);
	assert_true(ec_id_eq(&id, &b->id));
	assert_int_equal(ecctl_block_check(b, NULL), EC_ACCEPT);
	free(b);

	/* refusals */
	ec_id dup[2] = {id_of(T1), id_of(T1)}, zid = {{0, 0, 0, 0}};
	assert_int_equal(ecctl_block_create(1, dup, 2, 0, &kh, &b), EC_EINVAL);
	assert_null(b);
	assert_int_equal(ecctl_block_create(1, dup, 2, 2, &kh, &b), EC_EINVAL);
	assert_null(b);
	assert_int_equal(ecctl_block_create(1, &zid, 1, 0, &kh, &b), EC_EINVAL);
	assert_int_equal(ecctl_block_create(1, toks, 0, 0, &kh, &b), EC_EINVAL);
	assert_int_equal(ecctl_block_create(1, toks, 1, 0, &zid, &b), EC_EINVAL);
	ec_id *many = calloc(ECP_MAX_PARTS + 1, sizeof *many);
	for (uint32_t i = 0; i <= ECP_MAX_PARTS; i++)
		ecctl_token_random(&many[i]);
	assert_int_equal(ecctl_block_create(1, many, ECP_MAX_PARTS + 1, 0, &kh, &b), EC_EINVAL);
	assert_int_equal(ecctl_block_create(1, many, ECP_MAX_PARTS, 0, &kh, &b), EC_OK);
	assert_int_equal(b->nparts, ECP_MAX_PARTS);
	free(b);
	free(many);
}

static void
test_transfer_roundtrip(void **state)
{
	(void)state;
	ecctl_wallet a, bob;
	wallet_of(1, &a);
	wallet_of(2, &bob);
	ec_id tok = id_of(T1), to = key_hash(&bob);
	ecp_block *parent = create_for(&a, &tok);
	ecp_block *b = change(parent, &tok, &to, &a, EC_ACCEPT);
	assert_int_equal(b->nparts, 1);
	assert_int_equal(b->time, 9);
	assert_true(ec_id_eq(&b->parts[0].parent, &parent->id));
	assert_true(ec_id_eq(&b->parts[0].next_key, &to));
	assert_memory_equal(b->parts[0].signer, a.pk, 32);

	/* encodes and decodes back to the same block */
	uint8_t *enc;
	size_t len;
	assert_int_equal(ecctl_block_encode(b, &enc, &len), EC_OK);
	assert_int_equal(len, ec_wire_block_size(1));
	ecp_block *d;
	ec_wire_reason why;
	assert_int_equal(ecctl_block_decode(enc, len, &d, &why), EC_OK);
	assert_int_equal(why, EC_WIRE_OK);
	assert_true(ec_id_eq(&d->id, &b->id));
	assert_int_equal(d->time, b->time);
	assert_memory_equal(&d->parts[0], &b->parts[0], sizeof(ecp_part));

	/* its id is the BLAKE3 of the unsigned prefix (docs/wire.md) */
	uint8_t h[32], idb[32];
	ec_blake3(enc, EC_WIRE_BLOCK_HDR + EC_WIRE_PART_BYTES, h);
	ec_id_to_bytes(&d->id, idb);
	assert_memory_equal(h, idb, 32);

	/* the signature verifies as a member checks it */
	assert_int_equal(ecp_part_check(&ec_sig_ed25519, d, 0, parent), EC_ACCEPT);
	assert_true(ec_sig_ed25519.verify(a.pk, d->parts[0].sig, idb, 32));
	/* ... and a changed signature or content does not */
	d->parts[0].sig[5] ^= 1;
	assert_int_equal(ecp_part_check(&ec_sig_ed25519, d, 0, parent), EC_REJECT_BAD_SIG);
	assert_int_equal(ecctl_block_check(d, parent), EC_REJECT_BAD_SIG);
	d->parts[0].sig[5] ^= 1;
	d->time++;
	assert_int_equal(ecctl_block_check(d, parent), EC_REJECT_BAD_ID);

	/* truncated, trailing and retyped encodings are refused with a reason */
	free(d);
	assert_int_equal(ecctl_block_decode(enc, len - 1, &d, &why), EC_EPARSE);
	assert_null(d);
	assert_int_equal(why, EC_WIRE_TRUNCATED);
	uint8_t *longer = realloc(enc, len + 1);
	assert_non_null(longer);
	enc = longer;
	enc[len] = 0;
	assert_int_equal(ecctl_block_decode(enc, len + 1, &d, &why), EC_EPARSE);
	assert_int_equal(why, EC_WIRE_TRAILING);
	enc[0] = 0xB2;
	assert_int_equal(ecctl_block_decode(enc, len, &d, &why), EC_EPARSE);
	assert_int_equal(why, EC_WIRE_BAD_TYPE);
	free(enc);

	/* bob can move it on; a no longer can */
	ecp_block *again = change(b, &tok, &to, &bob, EC_ACCEPT);
	free(again);
	change(b, &tok, &to, &a, EC_REJECT_WRONG_KEY);
	free(b);
	free(parent);
	ecctl_wallet_wipe(&a);
	ecctl_wallet_wipe(&bob);
}

static void
test_change_refusals(void **state)
{
	(void)state;
	ecctl_wallet a, mallory;
	wallet_of(1, &a);
	wallet_of(3, &mallory);
	ec_id tok = id_of(T1), other = id_of(T2), to = key_hash(&mallory), zero = {{0, 0, 0, 0}};
	ecp_block *parent = create_for(&a, &tok);
	/* not the owner */
	change(parent, &tok, &to, &mallory, EC_REJECT_WRONG_KEY);
	/* a parent that does not move the token */
	change(parent, &other, &to, &a, EC_REJECT_BAD_PARENT);
	ecp_block *b = NULL;
	ec_verdict v;
	assert_int_equal(ecctl_block_change(1, &zero, parent, &to, 0, &a, &b, &v), EC_EINVAL);
	assert_null(b);
	free(parent);
}

static void
test_rekey_and_destroy(void **state)
{
	(void)state;
	ecctl_wallet a, a2;
	wallet_of(1, &a);
	wallet_of(4, &a2);
	ec_id tok = id_of(T3), k2 = key_hash(&a2), zero = {{0, 0, 0, 0}};
	ecp_block *c = create_for(&a, &tok);
	/* rekey: a transfer to the holder's new key; only the new key signs next */
	ecp_block *r = change(c, &tok, &k2, &a, EC_ACCEPT);
	assert_true(ec_id_eq(&r->parts[0].next_key, &k2));
	change(r, &tok, &k2, &a, EC_REJECT_WRONG_KEY);
	/* destroy: next key zero, signed by the current key */
	ecp_block *d = change(r, &tok, &zero, &a2, EC_ACCEPT);
	assert_true(ec_id_is_zero(&d->parts[0].next_key));
	assert_memory_equal(d->parts[0].signer, a2.pk, 32);
	assert_int_equal(ecctl_block_check(d, r), EC_ACCEPT);
	/* nothing can follow a destroy */
	change(d, &tok, &k2, &a2, EC_REJECT_DESTROYED);
	free(d);
	free(r);
	free(c);
}

/* ---- witness parts ------------------------------------------------------------ */

/* b's parts are in block order (strictly ascending token ids). */
static void
assert_block_order(const ecp_block *b)
{
	for (uint32_t i = 1; i < b->nparts; i++)
		assert_true(ec_id_cmp(&b->parts[i - 1].token, &b->parts[i].token) < 0);
}

/* Whether id is the token of one of b's witness parts. */
static bool
has_witness(const ecp_block *b, const ec_id *id)
{
	for (uint32_t i = 0; i < b->nparts; i++)
		if (ecctl_part_is_witness(&b->parts[i]) && ec_id_eq(&b->parts[i].token, id))
			return true;
	return false;
}

/* A witness part: born dead and unsigned. */
static void
assert_witness_shape(const ecp_part *p)
{
	static const uint8_t zero[64];
	assert_true(ec_id_is_zero(&p->parent));
	assert_true(ec_id_is_zero(&p->next_key));
	assert_memory_equal(p->signer, zero, 32);
	assert_memory_equal(p->sig, zero, 64);
}

static void
test_witness_create(void **state)
{
	(void)state;
	ecctl_wallet w;
	wallet_of(1, &w);
	ec_id kh = key_hash(&w), toks[3] = {id_of(T3), id_of(T1), id_of(T2)};
	ecp_block *b;
	assert_int_equal(ecctl_block_create(42, toks, 3, 2, &kh, &b), EC_OK);
	assert_int_equal(b->nparts, 5);
	assert_block_order(b);
	assert_int_equal(ecp_witness_count(b), 2);
	assert_true(ecp_witness_derived(b));
	/* the ids, computed here from the real parts in block order: creates,
	 * so parents and signers zero */
	ec_id real[3] = {id_of(T2), id_of(T1), id_of(T3)}, zpar[3] = {{{0}}};
	uint8_t zsig[3][EC_SIG_PK_BYTES] = {{0}};
	for (uint32_t i = 0; i < 2; i++) {
		ec_id want = ec_id_expand(ecp_witness_pos(real, zpar,
		                                          (const uint8_t(*)[EC_SIG_PK_BYTES])zsig, 3, i));
		assert_true(has_witness(b, &want));
	}
	uint32_t nreal = 0;
	for (uint32_t i = 0; i < b->nparts; i++) {
		if (ecctl_part_is_witness(&b->parts[i])) {
			assert_witness_shape(&b->parts[i]);
			continue;
		}
		assert_true(ec_id_eq(&b->parts[i].token, &real[nreal++])); /* in order among them */
		assert_true(ec_id_eq(&b->parts[i].next_key, &kh));
	}
	assert_int_equal(nreal, 3);
	ec_id id;
	ec_wire_block_id(b, &id);
	assert_true(ec_id_eq(&id, &b->id));
	assert_int_equal(ecctl_block_check(b, NULL), EC_ACCEPT);

	/* the same tokens in another order and at another time: the same
	 * witnesses (they depend on what is spent only) */
	ec_id again[3] = {id_of(T1), id_of(T3), id_of(T2)};
	ecp_block *c;
	assert_int_equal(ecctl_block_create(43, again, 3, 2, &kh, &c), EC_OK);
	assert_false(ec_id_eq(&c->id, &b->id));
	for (uint32_t i = 0; i < c->nparts; i++)
		assert_true(ec_id_eq(&c->parts[i].token, &b->parts[i].token));
	free(c);

	/* a witness id that is not the derived one (re-sorted, id recomputed):
	 * the check refuses it as the members would */
	for (uint32_t i = 0; i < b->nparts; i++) {
		if (ecctl_part_is_witness(&b->parts[i])) {
			b->parts[i].token.w[3] ^= 1;
			break;
		}
	}
	assert_false(ecp_witness_derived(b));
	ec_wire_block_id(b, &b->id);
	assert_int_equal(ecctl_block_check(b, NULL), EC_REJECT_MALFORMED);
	free(b);
}

static void
test_witness_transfer(void **state)
{
	(void)state;
	ecctl_wallet a, bob;
	wallet_of(1, &a);
	wallet_of(2, &bob);
	ec_id tok = id_of(T1), to = key_hash(&bob), kh = key_hash(&a);
	ecp_block *parent, *b = NULL, *other = NULL;
	assert_int_equal(ecctl_block_create(7, &tok, 1, 2, &kh, &parent), EC_OK);
	ec_verdict v;
	assert_int_equal(ecctl_block_change(9, &tok, parent, &to, 2, &a, &b, &v), EC_OK);
	assert_int_equal(v, EC_ACCEPT);
	assert_non_null(b);
	assert_int_equal(b->nparts, 3);
	assert_block_order(b);
	assert_int_equal(ecp_witness_count(b), 2);
	assert_true(ecp_witness_derived(b));
	/* derived from (token, parent, the signer's public key) */
	for (uint32_t i = 0; i < 2; i++) {
		ec_id want = ec_id_expand(ecp_witness_pos(&tok, &parent->id,
		                                          (const uint8_t(*)[EC_SIG_PK_BYTES])&a.pk, 1, i));
		assert_true(has_witness(b, &want));
	}
	uint32_t r = b->nparts;
	for (uint32_t i = 0; i < b->nparts; i++) {
		if (ecctl_part_is_witness(&b->parts[i]))
			assert_witness_shape(&b->parts[i]);
		else
			r = i;
	}
	assert_true(r < b->nparts);
	assert_ptr_equal(ecctl_block_part(b, &tok), &b->parts[r]);
	assert_true(ec_id_eq(&b->parts[r].parent, &parent->id));
	assert_true(ec_id_eq(&b->parts[r].next_key, &to));
	assert_memory_equal(b->parts[r].signer, a.pk, 32);

	/* the signature, at the real part's sorted index, is over the id of
	 * the whole block, witnesses included */
	ec_id id;
	ec_wire_block_id(b, &id);
	assert_true(ec_id_eq(&id, &b->id));
	uint8_t idb[32];
	ec_id_to_bytes(&b->id, idb);
	assert_true(ec_sig_ed25519.verify(a.pk, b->parts[r].sig, idb, 32));
	assert_int_equal(ecp_part_check(&ec_sig_ed25519, b, r, parent), EC_ACCEPT);
	assert_int_equal(ecctl_block_check(b, parent), EC_ACCEPT);

	/* it travels: encoded and decoded, it is the same and checks */
	uint8_t *enc;
	size_t len;
	assert_int_equal(ecctl_block_encode(b, &enc, &len), EC_OK);
	assert_int_equal(len, ec_wire_block_size(3));
	ecp_block *d;
	ec_wire_reason why;
	assert_int_equal(ecctl_block_decode(enc, len, &d, &why), EC_OK);
	free(enc);
	assert_true(ec_id_eq(&d->id, &b->id));
	assert_memory_equal(d->parts, b->parts, 3 * sizeof(ecp_part));
	assert_int_equal(ecctl_block_check(d, parent), EC_ACCEPT);
	/* a changed signature does not verify */
	d->parts[r].sig[0] ^= 1;
	assert_int_equal(ecctl_block_check(d, parent), EC_REJECT_BAD_SIG);
	free(d);

	/* a twin to another key at another time spends the same: the same
	 * witnesses, so the witness windows see the conflict */
	ec_id zero = {{0, 0, 0, 0}};
	assert_int_equal(ecctl_block_change(30, &tok, parent, &zero, 2, &a, &other, &v), EC_OK);
	assert_int_equal(v, EC_ACCEPT);
	assert_false(ec_id_eq(&other->id, &b->id));
	for (uint32_t i = 0; i < b->nparts; i++)
		if (ecctl_part_is_witness(&b->parts[i]))
			assert_true(has_witness(other, &b->parts[i].token));
	free(other);

	/* the next owner moves it on from b: other witnesses (other parent,
	 * other signer) */
	assert_int_equal(ecctl_block_change(31, &tok, b, &kh, 2, &bob, &other, &v), EC_OK);
	assert_int_equal(v, EC_ACCEPT);
	assert_true(ecp_witness_derived(other));
	for (uint32_t i = 0; i < b->nparts; i++)
		if (ecctl_part_is_witness(&b->parts[i]))
			assert_false(has_witness(other, &b->parts[i].token));
	free(other);
	/* and the wrong key still gets no block, witnesses or not */
	assert_int_equal(ecctl_block_change(31, &tok, b, &kh, 2, &a, &other, &v), EC_OK);
	assert_int_equal(v, EC_REJECT_WRONG_KEY);
	assert_null(other);
	free(b);
	free(parent);
	ecctl_wallet_wipe(&a);
	ecctl_wallet_wipe(&bob);
}

static void
test_witness_too_many(void **state)
{
	(void)state;
	ecctl_wallet w;
	wallet_of(1, &w);
	ec_id kh = key_hash(&w), tok = id_of(T1);
	ec_id *many = calloc(ECP_MAX_PARTS, sizeof *many);
	for (uint32_t i = 0; i < ECP_MAX_PARTS; i++)
		ecctl_token_random(&many[i]);
	ecp_block *b = NULL;
	/* the real parts and the witnesses together: at most ECP_MAX_PARTS */
	assert_int_equal(ecctl_block_create(1, many, ECP_MAX_PARTS - 1, 2, &kh, &b), EC_EINVAL);
	assert_null(b);
	assert_int_equal(ecctl_block_create(1, many, 1, ECP_MAX_PARTS, &kh, &b), EC_EINVAL);
	assert_int_equal(ecctl_block_create(1, many, 1, UINT32_MAX, &kh, &b), EC_EINVAL);
	assert_null(b);
	assert_int_equal(ecctl_block_create(1, many, ECP_MAX_PARTS - 2, 2, &kh, &b), EC_OK);
	assert_int_equal(b->nparts, ECP_MAX_PARTS);
	assert_block_order(b);
	assert_int_equal(ecp_witness_count(b), 2);
	assert_true(ecp_witness_derived(b));
	free(b);
	free(many);

	ecp_block *parent = create_for(&w, &tok);
	ec_verdict v = EC_ACCEPT;
	assert_int_equal(ecctl_block_change(2, &tok, parent, &kh, ECP_MAX_PARTS, &w, &b, &v),
	                 EC_EINVAL);
	assert_null(b);
	assert_int_equal(v, EC_REJECT_MALFORMED);
	assert_int_equal(ecctl_block_change(2, &tok, parent, &kh, UINT32_MAX, &w, &b, &v),
	                 EC_EINVAL);
	assert_int_equal(ecctl_block_change(2, &tok, parent, &kh, ECP_MAX_PARTS - 1, &w, &b, &v),
	                 EC_OK);
	assert_int_equal(v, EC_ACCEPT);
	assert_int_equal(b->nparts, ECP_MAX_PARTS);
	assert_int_equal(ecp_witness_count(b), ECP_MAX_PARTS - 1);
	assert_true(ecp_witness_derived(b));
	free(b);
	free(parent);
	ecctl_wallet_wipe(&w);
}

/* ---- wallets ----------------------------------------------------------------- */

static char dir[] = "/tmp/test_ecctl.XXXXXX";

static int
make_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_ecctl.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
remove_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *
path_in(const char *name)
{
	static char buf[4][256];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
	return buf[k];
}

static void
write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static mode_t
mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static void
test_wallet_roundtrip(void **state)
{
	(void)state;
	/* RFC 8032 section 7.1, test 1 */
	uint8_t seed[32], pk[32];
	assert_true(ec_hex_decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	                          seed, 32));
	assert_true(ec_hex_decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
	                          pk, 32));
	ecctl_wallet w, back;
	ecctl_wallet_from_seed(seed, &w);
	assert_memory_equal(w.pk, pk, 32);

	const char *p = path_in("a/b/wallet");
	assert_int_equal(ecctl_wallet_save(&w, p, false), ECCTL_WALLET_OK);
	assert_int_equal(mode_of(p), 0600);
	assert_int_equal(mode_of(path_in("a/b")), 0700);
	assert_int_equal(mode_of(path_in("a")), 0700);
	assert_int_equal(ecctl_wallet_load(p, &back), ECCTL_WALLET_OK);
	assert_memory_equal(&back, &w, sizeof w);

	/* the format, exactly */
	char text[ECCTL_WALLET_TEXT];
	size_t n = ecctl_wallet_format(&w, text, sizeof text);
	assert_int_equal(n, 154);
	assert_string_equal(text, "ecctl-wallet v1\n"
	                          "seed 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n"
	                          "pk d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a\n");
	char small[100];
	assert_int_equal(ecctl_wallet_format(&w, small, sizeof small), 0);
	for (size_t i = 0; i < sizeof small; i++)
		assert_int_equal(small[i], 0); /* no partial secret left */
	assert_int_equal(ecctl_wallet_parse(text, n, &back), ECCTL_WALLET_OK);
	assert_int_equal(ecctl_wallet_parse(text, n - 1, &back), ECCTL_WALLET_OK); /* no final \n */

	/* no overwrite without force; with force, replaced */
	ecctl_wallet other;
	ecctl_wallet_generate(&other);
	assert_memory_not_equal(other.seed, w.seed, 32);
	assert_int_equal(ecctl_wallet_save(&other, p, false), ECCTL_WALLET_EXISTS);
	assert_int_equal(ecctl_wallet_load(p, &back), ECCTL_WALLET_OK);
	assert_memory_equal(back.pk, w.pk, 32);
	assert_int_equal(ecctl_wallet_save(&other, p, true), ECCTL_WALLET_OK);
	assert_int_equal(mode_of(p), 0600);
	assert_int_equal(ecctl_wallet_load(p, &back), ECCTL_WALLET_OK);
	assert_memory_equal(back.pk, other.pk, 32);

	/* no temporary file left behind */
	char cmd[300];
	snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 1", path_in("a/b"));
	assert_int_equal(system(cmd), 0);

	/* a file where a directory should be */
	write_file(path_in("plain"), "x", 1, 0600);
	assert_int_equal(ecctl_wallet_save(&w, path_in("plain/wallet"), false), ECCTL_WALLET_IO);
	ecctl_wallet_wipe(&w);
	static const uint8_t zero[sizeof w];
	assert_memory_equal(&w, zero, sizeof w);
}

static void
test_wallet_permissions(void **state)
{
	(void)state;
	ecctl_wallet w, back;
	wallet_of(5, &w);
	const char *p = path_in("perm");
	assert_int_equal(ecctl_wallet_save(&w, p, false), ECCTL_WALLET_OK);
	static const mode_t open_modes[] = {0640, 0604, 0620, 0602, 0610, 0601, 0644, 0666};
	for (size_t i = 0; i < sizeof open_modes / sizeof open_modes[0]; i++) {
		assert_int_equal(chmod(p, open_modes[i]), 0);
		assert_int_equal(ecctl_wallet_load(p, &back), ECCTL_WALLET_PERMS);
	}
	assert_int_equal(chmod(p, 0400), 0);
	assert_int_equal(ecctl_wallet_load(p, &back), ECCTL_WALLET_OK);
	assert_int_equal(ecctl_wallet_load(path_in("missing"), &back), ECCTL_WALLET_NOT_FOUND);
	assert_int_equal(ecctl_wallet_load(dir, &back), ECCTL_WALLET_NOT_FILE);
	assert_non_null(strstr(ecctl_wallet_strerror(ECCTL_WALLET_PERMS), "chmod 600"));
}

static void
test_wallet_corrupt(void **state)
{
	(void)state;
	ecctl_wallet w, back;
	wallet_of(6, &w);
	char good[ECCTL_WALLET_TEXT];
	size_t n = ecctl_wallet_format(&w, good, sizeof good);
	static const char *const bad_texts[] = {
	    "",
	    "ecctl-wallet v1\n",
	    "ecctl-wallet v2\nseed 00\n",
	    "ecctl-wallet v1\nseed 1234\npk 1234\n",
	};
	for (size_t i = 0; i < sizeof bad_texts / sizeof bad_texts[0]; i++)
		assert_int_equal(ecctl_wallet_parse(bad_texts[i], strlen(bad_texts[i]), &back),
		                 ECCTL_WALLET_CORRUPT);
	/* every one-byte change of a good file is refused (the key's case
	 * aside: hex digits of either case are the same bytes) */
	for (size_t i = 0; i < n; i++) {
		char t[ECCTL_WALLET_TEXT];
		memcpy(t, good, n);
		t[i] = t[i] == 'z' ? 'y' : 'z';
		assert_int_not_equal(ecctl_wallet_parse(t, n, &back), ECCTL_WALLET_OK);
	}
	/* a different valid pk: the pk does not match the seed */
	char t[ECCTL_WALLET_TEXT];
	memcpy(t, good, n);
	char *pk = strstr(t, "\npk ") + 4;
	pk[0] = pk[0] == '0' ? '1' : '0';
	assert_int_equal(ecctl_wallet_parse(t, n, &back), ECCTL_WALLET_MISMATCH);
	/* CRLF lines, an extra line, a missing line, truncation */
	const char *crlf = "ecctl-wallet v1\r\n";
	assert_int_equal(ecctl_wallet_parse(crlf, strlen(crlf), &back), ECCTL_WALLET_CORRUPT);
	memcpy(t, good, n);
	memcpy(t + n, "x\n", 3);
	assert_int_equal(ecctl_wallet_parse(t, n + 2, &back), ECCTL_WALLET_CORRUPT);
	for (size_t cut = 0; cut < n - 1; cut++)
		assert_int_equal(ecctl_wallet_parse(good, cut, &back), ECCTL_WALLET_CORRUPT);
	/* the same through files, and a file too large to be a wallet */
	write_file(path_in("bad"), bad_texts[3], strlen(bad_texts[3]), 0600);
	assert_int_equal(ecctl_wallet_load(path_in("bad"), &back), ECCTL_WALLET_CORRUPT);
	memcpy(t, good, n);
	pk = strstr(t, "\npk ") + 4;
	pk[0] = pk[0] == '0' ? '1' : '0';
	write_file(path_in("mismatch"), t, n, 0600);
	assert_int_equal(ecctl_wallet_load(path_in("mismatch"), &back), ECCTL_WALLET_MISMATCH);
	char *big = malloc(ECCTL_WALLET_FILE_MAX + 10);
	memcpy(big, good, n);
	memset(big + n, '\n', ECCTL_WALLET_FILE_MAX + 10 - n);
	write_file(path_in("big"), big, ECCTL_WALLET_FILE_MAX + 10, 0600);
	free(big);
	assert_int_equal(ecctl_wallet_load(path_in("big"), &back), ECCTL_WALLET_CORRUPT);
	static const uint8_t zero[sizeof back];
	assert_memory_equal(&back, zero, sizeof back); /* wiped on failure */
}

static void
test_wallet_default_path(void **state)
{
	(void)state;
	setenv("ECCTL_WALLET", "/x/y", 1);
	char *p = ecctl_wallet_default_path();
	assert_string_equal(p, "/x/y");
	free(p);
	unsetenv("ECCTL_WALLET");
	setenv("HOME", "/home/z", 1);
	p = ecctl_wallet_default_path();
	assert_string_equal(p, "/home/z/.ecctl/wallet");
	free(p);
}

/* ---- the JSON-RPC client ------------------------------------------------------ */

static void
test_rpc_response(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		ecctl_rpc_status want;
	} cases[] = {
	    {"{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"a\":1}}", ECCTL_RPC_OK},
	    {"{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":null}", ECCTL_RPC_OK},
	    {"{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":{}}", ECCTL_RPC_PROTOCOL},
	    {"{\"jsonrpc\":\"2.0\",\"id\":\"7\",\"result\":{}}", ECCTL_RPC_PROTOCOL},
	    {"{\"jsonrpc\":\"2.0\",\"result\":{}}", ECCTL_RPC_PROTOCOL},
	    {"{\"jsonrpc\":\"1.0\",\"id\":7,\"result\":{}}", ECCTL_RPC_PROTOCOL},
	    {"{\"id\":7,\"result\":{}}", ECCTL_RPC_PROTOCOL},
	    {"{\"jsonrpc\":\"2.0\",\"id\":7}", ECCTL_RPC_PROTOCOL},
	    {"{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":1,\"error\":{\"code\":1,\"message\":\"m\"}}",
	     ECCTL_RPC_PROTOCOL},
	    {"{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32004,\"message\":\"gone\"}}",
	     ECCTL_RPC_ERROR},
	    {"{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"p\"}}",
	     ECCTL_RPC_ERROR},
	    {"{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":{}}", ECCTL_RPC_PROTOCOL},
	    {"{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":\"x\",\"message\":\"m\"}}",
	     ECCTL_RPC_PROTOCOL},
	    {"{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":1}}", ECCTL_RPC_PROTOCOL},
	    {"{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":\"bad\"}", ECCTL_RPC_PROTOCOL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *msg = json_loads(cases[i].json, 0, NULL);
		assert_non_null(msg);
		json_t *res = (json_t *)1;
		ecctl_rpc_err err;
		ecctl_rpc_status st = ecctl_rpc_response(msg, 7, &res, &err);
		if (st != cases[i].want)
			fail_msg("case %zu (%s): status %d, want %d", i, cases[i].json, st, cases[i].want);
		if (st == ECCTL_RPC_OK)
			assert_non_null(res);
		else
			assert_null(res);
		if (i == 9) {
			assert_int_equal(err.code, -32004);
			assert_non_null(strstr(err.msg, "gone"));
		}
		json_decref(res);
		json_decref(msg);
	}
	json_t *note = json_loads("{\"jsonrpc\":\"2.0\",\"method\":\"commit\",\"params\":{}}", 0, NULL);
	assert_true(ecctl_rpc_is_notification(note));
	json_decref(note);
	note = json_loads("{\"jsonrpc\":\"2.0\",\"method\":\"commit\",\"id\":1}", 0, NULL);
	assert_false(ecctl_rpc_is_notification(note));
	json_decref(note);
}

/* A listening socket in dir, a client connected to it and the server's
 * end of the connection. */
typedef struct pair {
	int listener, server;
	ecctl_rpc *client;
} pair;

static void
connect_pair(pair *p)
{
	const char *path = path_in("rpc.sock");
	unlink(path);
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	p->listener = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(p->listener >= 0);
	assert_int_equal(bind(p->listener, (const struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(p->listener, 1), 0);
	ecctl_rpc_err err;
	assert_int_equal(ecctl_rpc_open(path, 1000, &p->client, &err), ECCTL_RPC_OK);
	p->server = accept(p->listener, NULL, NULL);
	assert_true(p->server >= 0);
}

static void
close_pair(pair *p)
{
	ecctl_rpc_close(p->client);
	if (p->server >= 0)
		close(p->server);
	close(p->listener);
}

static void
put(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* Reads what the client sent, up to a newline. */
static void
get_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	while (n + 1 < cap) {
		assert_int_equal(read(fd, buf + n, 1), 1);
		if (buf[n++] == '\n')
			break;
	}
	buf[n] = '\0';
}

static void
test_rpc_exchange(void **state)
{
	(void)state;
	pair p;
	connect_pair(&p);
	ecctl_rpc_err err;
	int64_t id;
	json_t *params = json_pack("{s:s}", "id", "ab\ncd");
	assert_int_equal(ecctl_rpc_send(p.client, "token", params, 1000, &id, &err), ECCTL_RPC_OK);
	json_decref(params);
	assert_int_equal(id, 1);
	char line[512];
	get_line(p.server, line, sizeof line);
	/* one line: the newline in the value is escaped */
	assert_string_equal(line, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"token\","
	                          "\"params\":{\"id\":\"ab\\ncd\"}}\n");

	/* split lines, a blank line, CRLF, a notification before the answer */
	put(p.server, "\n{\"jsonrpc\":\"2.0\",\"method\":\"commit\",\"params\":{}}\r\n{\"jsonrpc\":");
	put(p.server, "\"2.0\",\"id\":2,\"result\":{\"tick\":5}}\n");
	json_t *res;
	assert_int_equal(ecctl_rpc_call(p.client, "status", NULL, 1000, &res, &err), ECCTL_RPC_OK);
	assert_int_equal(json_integer_value(json_object_get(res, "tick")), 5);
	json_decref(res);

	/* a node error */
	put(p.server, "{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32001,\"message\":\"nr\"}}\n");
	assert_int_equal(ecctl_rpc_call(p.client, "submit", NULL, 1000, &res, &err), ECCTL_RPC_ERROR);
	assert_int_equal(err.code, ECCTL_RPC_NOT_READY);

	/* silence: a timeout */
	assert_int_equal(ecctl_rpc_call(p.client, "status", NULL, 50, &res, &err), ECCTL_RPC_TIMEOUT);

	/* not JSON, not an object */
	put(p.server, "nonsense\n[1]\n");
	json_t *msg;
	assert_int_equal(ecctl_rpc_recv(p.client, 1000, &msg, &err), ECCTL_RPC_PROTOCOL);
	assert_int_equal(ecctl_rpc_recv(p.client, 1000, &msg, &err), ECCTL_RPC_PROTOCOL);
	assert_null(msg);

	/* the end of the stream, in the middle of a line */
	put(p.server, "{\"jsonrpc\"");
	close(p.server);
	p.server = -1;
	assert_int_equal(ecctl_rpc_recv(p.client, 1000, &msg, &err), ECCTL_RPC_CLOSED);
	close_pair(&p);

	assert_int_equal(ecctl_rpc_open(path_in("nobody.sock"), 100, &p.client, &err),
	                 ECCTL_RPC_CONNECT);
	assert_null(p.client);
	char longp[200];
	memset(longp, 'a', sizeof longp - 1);
	longp[sizeof longp - 1] = '\0';
	assert_int_equal(ecctl_rpc_open(longp, 100, &p.client, &err), ECCTL_RPC_CONNECT);
}

/* What a flood thread writes: len bytes of a line, then a newline if
 * newline is set. */
typedef struct flood_job {
	int fd;
	size_t len;
	bool newline;
	const char *head; /* the line's first bytes, or NULL */
	const char *tail; /* its last bytes (before the newline), or NULL */
} flood_job;

static bool
write_some(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return false; /* the client gave up and closed */
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static void *
flood(void *arg)
{
	const flood_job *j = arg;
	size_t chunk = 1 << 20, head = j->head ? strlen(j->head) : 0,
	       tail = j->tail ? strlen(j->tail) : 0, left = j->len - head - tail;
	char *buf = malloc(chunk);
	memset(buf, 'x', chunk);
	bool ok = write_some(j->fd, j->head ? j->head : "", head);
	while (ok && left > 0) {
		size_t n = left < chunk ? left : chunk;
		ok = write_some(j->fd, buf, n);
		left -= n;
	}
	if (ok && tail)
		ok = write_some(j->fd, j->tail, tail);
	if (ok && j->newline)
		(void)write_some(j->fd, "\n", 1);
	free(buf);
	return NULL;
}

/* Runs a flood job against a fresh client and returns what recv made of
 * it (*msg: the message, if any). */
static ecctl_rpc_status
flooded(flood_job *j, json_t **msg, ecctl_rpc_err *err)
{
	pair p;
	connect_pair(&p);
	j->fd = p.server;
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, flood, j), 0);
	ecctl_rpc_status st = ecctl_rpc_recv(p.client, 30000, msg, err);
	ecctl_rpc_close(p.client); /* unblocks the writer */
	p.client = NULL;
	pthread_join(t, NULL);
	close_pair(&p);
	return st;
}

static void
test_rpc_line_cap(void **state)
{
	(void)state;
	json_t *msg;
	ecctl_rpc_err err;
	/* the longest line accepted: a notification of exactly the limit */
	flood_job at = {.len = ECCTL_RPC_LINE_MAX, .newline = true,
	                .head = "{\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":\"",
	                .tail = "\"}"};
	assert_int_equal(flooded(&at, &msg, &err), ECCTL_RPC_OK);
	assert_int_equal(strlen(json_string_value(json_object_get(msg, "params"))),
	                 ECCTL_RPC_LINE_MAX - strlen(at.head) - strlen(at.tail));
	json_decref(msg);
	/* one byte more, newline and all */
	flood_job over = {.len = ECCTL_RPC_LINE_MAX + 1, .newline = true};
	assert_int_equal(flooded(&over, &msg, &err), ECCTL_RPC_PROTOCOL);
	assert_non_null(strstr(err.msg, "longer than"));
	/* a line without end: refused once past the limit, not buffered on */
	flood_job endless = {.len = 2 * ECCTL_RPC_LINE_MAX, .newline = false};
	assert_int_equal(flooded(&endless, &msg, &err), ECCTL_RPC_PROTOCOL);
	assert_non_null(strstr(err.msg, "longer than"));
}

int
main(void)
{
	if (ec_sig_init() != EC_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_id_text),
	    cmocka_unit_test(test_create_shape),
	    cmocka_unit_test(test_transfer_roundtrip),
	    cmocka_unit_test(test_change_refusals),
	    cmocka_unit_test(test_rekey_and_destroy),
	    cmocka_unit_test(test_witness_create),
	    cmocka_unit_test(test_witness_transfer),
	    cmocka_unit_test(test_witness_too_many),
	    cmocka_unit_test(test_wallet_roundtrip),
	    cmocka_unit_test(test_wallet_permissions),
	    cmocka_unit_test(test_wallet_corrupt),
	    cmocka_unit_test(test_wallet_default_path),
	    cmocka_unit_test(test_rpc_response),
	    cmocka_unit_test(test_rpc_exchange),
	    cmocka_unit_test(test_rpc_line_cap),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
