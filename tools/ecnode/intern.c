/* SPDX-License-Identifier: MIT */
/* The daemon's body interner: two open-addressing tables over one set of
 * records, one keyed by content (dedup), one by the body's address (memo). */
#include "intern.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ec/blake3.h"

typedef struct rec {
	uint64_t hash;
	size_t len;
	bool mark; /* named by the node's last listing (ecn_intern_mark) */
	ec_memo_byte memo[EC_MEMO_BYTES];
	alignas(max_align_t) unsigned char data[];
} rec;

struct ecn_intern {
	rec **by_content; /* cap slots, keyed by rec->hash */
	rec **by_addr;    /* cap slots, keyed by the data address */
	size_t cap, n;
	uint64_t bytes;
};

ecn_intern *
ecn_intern_new(void)
{
	ecn_intern *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->cap = 1024;
	t->by_content = calloc(t->cap, sizeof *t->by_content);
	t->by_addr = calloc(t->cap, sizeof *t->by_addr);
	if (!t->by_content || !t->by_addr) {
		ecn_intern_free(t);
		return NULL;
	}
	return t;
}

void
ecn_intern_free(ecn_intern *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->by_content && i < t->cap; i++)
		free(t->by_content[i]);
	free(t->by_content);
	free(t->by_addr);
	free(t);
}

static uint64_t
content_hash(const void *data, size_t len)
{
	uint8_t h[EC_BLAKE3_OUT_LEN];
	ec_blake3_hash(data, len, h);
	uint64_t v;
	memcpy(&v, h, sizeof v);
	return v;
}

static uint64_t
addr_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	return x ^ (x >> 33);
}

static void
place(rec **slots, size_t cap, rec *r, uint64_t h)
{
	size_t i = (size_t)(h & (cap - 1));
	while (slots[i])
		i = (i + 1) & (cap - 1);
	slots[i] = r;
}

/* Doubles both tables; false (nothing changed) when out of memory. */
static bool
grow(ecn_intern *t)
{
	size_t cap = t->cap * 2;
	rec **c = calloc(cap, sizeof *c), **a = calloc(cap, sizeof *a);
	if (!c || !a) {
		free(c);
		free(a);
		return false;
	}
	for (size_t i = 0; i < t->cap; i++) {
		rec *r = t->by_content[i];
		if (!r)
			continue;
		place(c, cap, r, r->hash);
		place(a, cap, r, addr_hash(r->data));
	}
	free(t->by_content);
	free(t->by_addr);
	t->by_content = c;
	t->by_addr = a;
	t->cap = cap;
	return true;
}

const void *
ecn_intern_bytes(void *user, const void *data, size_t len)
{
	ecn_intern *t = user;
	uint64_t h = content_hash(data, len);
	for (size_t i = (size_t)(h & (t->cap - 1)); t->by_content[i]; i = (i + 1) & (t->cap - 1)) {
		rec *r = t->by_content[i];
		if (r->hash == h && r->len == len && memcmp(r->data, data, len) == 0)
			return r->data;
	}
	if (2 * (t->n + 1) > t->cap && !grow(t))
		return NULL;
	rec *r = malloc(sizeof *r + (len ? len : 1));
	if (!r)
		return NULL;
	r->hash = h;
	r->len = len;
	r->mark = false;
	memset(r->memo, 0, sizeof r->memo);
	memcpy(r->data, data, len);
	place(t->by_content, t->cap, r, h);
	place(t->by_addr, t->cap, r, addr_hash(r->data));
	t->n++;
	t->bytes += sizeof *r + len;
	return r->data;
}

/* The record whose data is body, or NULL. */
static rec *
by_addr(const ecn_intern *t, const void *body)
{
	for (size_t i = (size_t)(addr_hash(body) & (t->cap - 1)); t->by_addr[i];
	     i = (i + 1) & (t->cap - 1))
		if ((const void *)t->by_addr[i]->data == body)
			return t->by_addr[i];
	return NULL;
}

ec_memo_byte *
ecn_intern_memo(void *user, const void *body)
{
	rec *r = by_addr(user, body);
	return r ? r->memo : NULL;
}

void
ecn_intern_mark(void *user, const void *body)
{
	rec *r = by_addr(user, body);
	if (r)
		r->mark = true;
}

bool
ecn_intern_marked(const ecn_intern *t, const void *body)
{
	const rec *r = by_addr(t, body);
	return r && r->mark;
}

uint64_t
ecn_intern_sweep(ecn_intern *t)
{
	/* linear probing has no cheap delete: free the unmarked records and
	 * place the survivors again, in tables shrunk to fit them */
	size_t cap = t->cap, live = 0;
	for (size_t i = 0; i < t->cap; i++)
		live += t->by_content[i] && t->by_content[i]->mark;
	while (cap > 1024 && 8 * live < cap) /* a load below 1/4 after this */
		cap /= 2;
	rec **keep = calloc(live ? live : 1, sizeof *keep);
	rec **c = calloc(cap, sizeof *c), **a = calloc(cap, sizeof *a);
	if (!keep || !c || !a) { /* no room to rebuild: keep everything */
		free(keep);
		free(c);
		free(a);
		for (size_t i = 0; i < t->cap; i++)
			if (t->by_content[i])
				t->by_content[i]->mark = false;
		return 0;
	}
	size_t n = 0;
	uint64_t freed = 0;
	for (size_t i = 0; i < t->cap; i++) {
		rec *r = t->by_content[i];
		if (!r)
			continue;
		if (r->mark) {
			r->mark = false;
			keep[n++] = r;
		} else {
			t->bytes -= sizeof *r + r->len;
			free(r);
			freed++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		place(c, cap, keep[i], keep[i]->hash);
		place(a, cap, keep[i], addr_hash(keep[i]->data));
	}
	free(keep);
	free(t->by_content);
	free(t->by_addr);
	t->by_content = c;
	t->by_addr = a;
	t->cap = cap;
	t->n = n;
	return freed;
}

void
ecn_intern_stats(const ecn_intern *t, uint64_t *bodies, uint64_t *bytes)
{
	*bodies = t->n;
	*bytes = t->bytes;
}
