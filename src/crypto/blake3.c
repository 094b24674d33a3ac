/* SPDX-License-Identifier: MIT */
/*
 * BLAKE3 (hash, keyed hash, derive key, extendable output), written from the
 * specification.  Input is split into 1 KiB chunks, each hashed as up to 16
 * chained 64-byte blocks; chunk chaining values are merged pairwise into a
 * binary tree whose left subtrees are complete, and the root node is then
 * compressed once per 64 bytes of output with an output block counter.
 *
 * The incremental hasher keeps the last block unprocessed until more input
 * arrives, because only then is it known whether that block ends the chunk
 * or the whole input (which needs the CHUNK_END/ROOT flags).  Completed
 * subtrees live on a stack of chaining values; the number of completed chunks
 * says when to merge (one merge per trailing zero bit), so the stack never
 * exceeds the tree depth.  Portable scalar code only.
 */
#include "ec/blake3.h"

#include <string.h>

enum {
	CHUNK_START = 1u << 0,
	CHUNK_END = 1u << 1,
	PARENT = 1u << 2,
	ROOT = 1u << 3,
	KEYED_HASH = 1u << 4,
	DERIVE_KEY_CONTEXT = 1u << 5,
	DERIVE_KEY_MATERIAL = 1u << 6,
};

static const uint32_t IV[8] = {0x6A09E667u, 0xBB67AE85u, 0x3C6EF372u, 0xA54FF53Au,
                               0x510E527Fu, 0x9B05688Cu, 0x1F83D9ABu, 0x5BE0CD19u};

/* Message word order for each of the 7 rounds: the spec's permutation
 * applied r times, precomputed so the rounds index the block directly
 * instead of shuffling 16 words between rounds. */
static const uint8_t SCHEDULE[7][16] = {
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	{2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8},
	{3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1},
	{10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6},
	{12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4},
	{9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7},
	{11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13},
};

static inline uint32_t
load32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void
store32(uint8_t *p, uint32_t w)
{
	p[0] = (uint8_t)w;
	p[1] = (uint8_t)(w >> 8);
	p[2] = (uint8_t)(w >> 16);
	p[3] = (uint8_t)(w >> 24);
}

static inline uint32_t
rotr(uint32_t w, unsigned n)
{
	return w >> n | w << (32u - n);
}

#define G(a, b, c, d, x, y)                  \
	do {                                 \
		v[a] = v[a] + v[b] + (x);    \
		v[d] = rotr(v[d] ^ v[a], 16); \
		v[c] = v[c] + v[d];          \
		v[b] = rotr(v[b] ^ v[c], 12); \
		v[a] = v[a] + v[b] + (y);    \
		v[d] = rotr(v[d] ^ v[a], 8);  \
		v[c] = v[c] + v[d];          \
		v[b] = rotr(v[b] ^ v[c], 7);  \
	} while (0)

/* One round: columns, then diagonals. */
#define ROUND(r)                                                              \
	do {                                                                  \
		G(0, 4, 8, 12, m[SCHEDULE[r][0]], m[SCHEDULE[r][1]]);         \
		G(1, 5, 9, 13, m[SCHEDULE[r][2]], m[SCHEDULE[r][3]]);         \
		G(2, 6, 10, 14, m[SCHEDULE[r][4]], m[SCHEDULE[r][5]]);        \
		G(3, 7, 11, 15, m[SCHEDULE[r][6]], m[SCHEDULE[r][7]]);        \
		G(0, 5, 10, 15, m[SCHEDULE[r][8]], m[SCHEDULE[r][9]]);        \
		G(1, 6, 11, 12, m[SCHEDULE[r][10]], m[SCHEDULE[r][11]]);      \
		G(2, 7, 8, 13, m[SCHEDULE[r][12]], m[SCHEDULE[r][13]]);       \
		G(3, 4, 9, 14, m[SCHEDULE[r][14]], m[SCHEDULE[r][15]]);       \
	} while (0)

/* The compression function up to (not including) the feed-forward: callers
 * need either just the 8-word chaining value or the full 16-word output. */
static void
compress_rounds(uint32_t v[16], const uint32_t cv[8], const uint8_t block[EC_BLAKE3_BLOCK_LEN],
                uint32_t block_len, uint64_t counter, uint32_t flags)
{
	uint32_t m[16];
	for (int i = 0; i < 16; i++)
		m[i] = load32(block + 4 * i);
	for (int i = 0; i < 8; i++)
		v[i] = cv[i];
	v[8] = IV[0];
	v[9] = IV[1];
	v[10] = IV[2];
	v[11] = IV[3];
	v[12] = (uint32_t)counter;
	v[13] = (uint32_t)(counter >> 32);
	v[14] = block_len;
	v[15] = flags;
	/* Spelled out so that every message index is a compile-time constant:
	 * a loop over rounds makes each word an indirect load through the
	 * schedule table, which measured about 1.5x slower. */
	ROUND(0);
	ROUND(1);
	ROUND(2);
	ROUND(3);
	ROUND(4);
	ROUND(5);
	ROUND(6);
}

/* Chaining-value form: cv is replaced by the first 8 output words. */
static void
compress_cv(uint32_t cv[8], const uint8_t block[EC_BLAKE3_BLOCK_LEN], uint32_t block_len,
            uint64_t counter, uint32_t flags)
{
	uint32_t v[16];
	compress_rounds(v, cv, block, block_len, counter, flags);
	for (int i = 0; i < 8; i++)
		cv[i] = v[i] ^ v[i + 8];
}

/* A node whose compression is deferred: whether it is the root (and so how
 * many output blocks it yields) is only known at finalisation. */
typedef struct {
	uint32_t cv[8];
	uint8_t block[EC_BLAKE3_BLOCK_LEN];
	uint32_t block_len;
	uint64_t counter;
	uint32_t flags;
} node;

static void
node_cv(const node *n, uint32_t out[8])
{
	memcpy(out, n->cv, sizeof n->cv);
	compress_cv(out, n->block, n->block_len, n->counter, n->flags);
}

static void
words_to_bytes(uint8_t *out, const uint32_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store32(out + 4 * i, w[i]);
}

static void
parent_node(node *n, const uint32_t key[8], uint32_t flags, const uint8_t left[32],
            const uint32_t right[8])
{
	memcpy(n->cv, key, sizeof n->cv);
	memcpy(n->block, left, 32);
	words_to_bytes(n->block + 32, right, 8);
	n->block_len = EC_BLAKE3_BLOCK_LEN;
	n->counter = 0;
	n->flags = flags | PARENT;
}

static void
init_with(ec_blake3 *h, const uint32_t key[8], uint8_t flags)
{
	memcpy(h->key, key, sizeof h->key);
	memcpy(h->cv, key, sizeof h->cv);
	h->chunk_counter = 0;
	memset(h->buf, 0, sizeof h->buf);
	h->buf_len = 0;
	h->blocks_compressed = 0;
	h->flags = flags;
	h->stack_len = 0;
}

void
ec_blake3_init(ec_blake3 *h)
{
	init_with(h, IV, 0);
}

void
ec_blake3_init_keyed(ec_blake3 *h, const uint8_t key[EC_BLAKE3_KEY_LEN])
{
	uint32_t k[8];
	for (int i = 0; i < 8; i++)
		k[i] = load32(key + 4 * i);
	init_with(h, k, KEYED_HASH);
}

void
ec_blake3_init_derive_key(ec_blake3 *h, const char *context)
{
	/* The context is hashed on its own first; its digest keys the hashing
	 * of the key material.  h itself serves as the context hasher. */
	uint8_t ctx_key[EC_BLAKE3_KEY_LEN];
	uint32_t k[8];
	init_with(h, IV, DERIVE_KEY_CONTEXT);
	ec_blake3_update(h, context, strlen(context));
	ec_blake3_final(h, ctx_key, sizeof ctx_key);
	for (int i = 0; i < 8; i++)
		k[i] = load32(ctx_key + 4 * i);
	init_with(h, k, DERIVE_KEY_MATERIAL);
}

static inline uint32_t
chunk_start_flag(const ec_blake3 *h)
{
	return h->blocks_compressed == 0 ? CHUNK_START : 0;
}

/* Called only when more input follows, so the chunk is not the root and the
 * subtrees merged here are complete (never the right edge of the tree). */
static void
push_chunk_cv(ec_blake3 *h, uint32_t cv[8])
{
	uint64_t total = ++h->chunk_counter;
	while ((total & 1) == 0) {
		node n;
		h->stack_len--;
		parent_node(&n, h->key, h->flags, h->stack + 32 * (size_t)h->stack_len, cv);
		node_cv(&n, cv);
		total >>= 1;
	}
	words_to_bytes(h->stack + 32 * (size_t)h->stack_len, cv, 8);
	h->stack_len++;
}

/* Compresses a full block known not to be the last of the input. */
static void
absorb_block(ec_blake3 *h, const uint8_t block[EC_BLAKE3_BLOCK_LEN])
{
	uint32_t flags = h->flags | chunk_start_flag(h);
	if (h->blocks_compressed == EC_BLAKE3_CHUNK_LEN / EC_BLAKE3_BLOCK_LEN - 1) {
		uint32_t cv[8];
		memcpy(cv, h->cv, sizeof cv);
		compress_cv(cv, block, EC_BLAKE3_BLOCK_LEN, h->chunk_counter, flags | CHUNK_END);
		push_chunk_cv(h, cv);
		memcpy(h->cv, h->key, sizeof h->cv);
		h->blocks_compressed = 0;
	} else {
		compress_cv(h->cv, block, EC_BLAKE3_BLOCK_LEN, h->chunk_counter, flags);
		h->blocks_compressed++;
	}
}

void
ec_blake3_update(ec_blake3 *h, const void *data, size_t len)
{
	const uint8_t *p = data;
	if (len == 0)
		return;
	/* Top up a partial buffer; a full one waits for the next byte. */
	if (h->buf_len > 0) {
		size_t take = EC_BLAKE3_BLOCK_LEN - h->buf_len;
		if (take > len)
			take = len;
		memcpy(h->buf + h->buf_len, p, take);
		h->buf_len = (uint8_t)(h->buf_len + take);
		p += take;
		len -= take;
		if (len == 0)
			return;
		absorb_block(h, h->buf);
		h->buf_len = 0;
	}
	/* Blocks with input after them go straight from the caller's buffer. */
	while (len > EC_BLAKE3_BLOCK_LEN) {
		absorb_block(h, p);
		p += EC_BLAKE3_BLOCK_LEN;
		len -= EC_BLAKE3_BLOCK_LEN;
	}
	memcpy(h->buf, p, len);
	h->buf_len = (uint8_t)len;
}

void
ec_blake3_final(const ec_blake3 *h, uint8_t *out, size_t out_len)
{
	node n;
	/* The current chunk always holds the last input byte (or the whole,
	 * empty input), since blocks are only absorbed once more input came. */
	memcpy(n.cv, h->cv, sizeof n.cv);
	memset(n.block, 0, sizeof n.block);
	memcpy(n.block, h->buf, h->buf_len);
	n.block_len = h->buf_len;
	n.counter = h->chunk_counter;
	n.flags = (uint32_t)h->flags | chunk_start_flag(h) | CHUNK_END;
	for (size_t i = h->stack_len; i > 0; i--) {
		uint32_t cv[8];
		node_cv(&n, cv);
		parent_node(&n, h->key, h->flags, h->stack + 32 * (i - 1), cv);
	}
	for (uint64_t block = 0; out_len > 0; block++) {
		uint32_t v[16];
		uint8_t bytes[EC_BLAKE3_BLOCK_LEN];
		size_t take = out_len < sizeof bytes ? out_len : sizeof bytes;
		compress_rounds(v, n.cv, n.block, n.block_len, block, n.flags | ROOT);
		for (int i = 0; i < 8; i++) {
			v[i] ^= v[i + 8];
			v[i + 8] ^= n.cv[i];
		}
		words_to_bytes(bytes, v, 16);
		memcpy(out, bytes, take);
		out += take;
		out_len -= take;
	}
}

void
ec_blake3_hash(const void *data, size_t len, uint8_t out[EC_BLAKE3_OUT_LEN])
{
	ec_blake3 h;
	ec_blake3_init(&h);
	ec_blake3_update(&h, data, len);
	ec_blake3_final(&h, out, EC_BLAKE3_OUT_LEN);
}

void
ec_blake3_keyed(const uint8_t key[EC_BLAKE3_KEY_LEN], const void *data, size_t len,
                uint8_t out[EC_BLAKE3_OUT_LEN])
{
	ec_blake3 h;
	ec_blake3_init_keyed(&h, key);
	ec_blake3_update(&h, data, len);
	ec_blake3_final(&h, out, EC_BLAKE3_OUT_LEN);
}
