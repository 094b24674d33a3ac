/* SPDX-License-Identifier: MIT */
/* The simulator's set-up arena (see arena.h). */
#define _DEFAULT_SOURCE 1 /* MAP_ANONYMOUS, MADV_HUGEPAGE */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define CHUNK_BYTES ((size_t)64 << 20)
#define ALIGN 16u

void
ecsim_arena_init(ecsim_arena *a)
{
	memset(a, 0, sizeof *a);
}

void
ecsim_arena_fini(ecsim_arena *a)
{
	for (size_t i = 0; i < a->nchunks; i++)
		munmap(a->chunks[i].base, a->chunks[i].size);
	free(a->chunks);
	ecsim_arena_init(a);
}

static bool
owns(const ecsim_arena *a, const void *p)
{
	const unsigned char *c = p;
	if (c < a->lo || c >= a->hi)
		return false;
	for (size_t i = 0; i < a->nchunks; i++)
		if (c >= a->chunks[i].base && c < a->chunks[i].base + a->chunks[i].size)
			return true;
	return false;
}

static void *
arena_alloc(ecsim_arena *a, size_t n)
{
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	ecsim_arena_chunk *c = a->nchunks ? &a->chunks[a->nchunks - 1] : NULL;
	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK_BYTES ? n : CHUNK_BYTES;
		ecsim_arena_chunk *chunks = realloc(a->chunks, (a->nchunks + 1) * sizeof *chunks);
		if (!chunks)
			return NULL;
		a->chunks = chunks;
		void *base = mmap(NULL, size, PROT_READ | PROT_WRITE,
		                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (base == MAP_FAILED)
			return NULL;
#ifdef MADV_HUGEPAGE
		(void)madvise(base, size, MADV_HUGEPAGE); /* a hint; failure is harmless */
#endif
		c = &a->chunks[a->nchunks++];
		*c = (ecsim_arena_chunk){base, size, 0};
		unsigned char *b = base;
		if (!a->lo || b < a->lo)
			a->lo = b;
		if (b + size > a->hi)
			a->hi = b + size;
	}
	void *p = c->base + c->used;
	c->used += n;
	return p;
}

void *
ecsim_arena_realloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
	ecsim_arena *a = user;
	if (ptr && owns(a, ptr)) {
		/* arena blocks move out to the C library when they grow */
		if (new_size == 0)
			return NULL;
		void *p = malloc(new_size);
		if (p)
			memcpy(p, ptr, old_size < new_size ? old_size : new_size);
		return p;
	}
	if (!ptr && a->setup && new_size) {
		void *p = arena_alloc(a, new_size);
		if (p)
			return p;
	}
	if (new_size == 0) {
		free(ptr);
		return NULL;
	}
	return realloc(ptr, new_size);
}

size_t
ecsim_arena_mapped(const ecsim_arena *a)
{
	size_t n = 0;
	for (size_t i = 0; i < a->nchunks; i++)
		n += a->chunks[i].size;
	return n;
}

/* ---- huge-page mappings ----------------------------------------------- */

#define HUGE_PAGE ((size_t)2 << 20)

static size_t
huge_round(size_t size)
{
	return (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

/* A mapping of size bytes (a multiple of HUGE_PAGE), marked for huge pages
 * from byte `from` on: the first huge page touched in a marked range makes
 * 2 MiB resident however little of it is used. */
static void *
huge_map(size_t size, size_t from)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	if (from < size) /* a hint; failure is harmless */
		(void)madvise((unsigned char *)p + from, size - from, MADV_HUGEPAGE);
#endif
	return p;
}

void *
ecsim_huge_alloc(size_t size)
{
	/* Below ECSIM_HUGE_MIN, the C library's memory: a huge page would make
	 * 2 MiB resident for a small array (the published run's six per-node
	 * arrays, 8 KB to 192 KB each, took 12 MiB that way). */
	if (size < ECSIM_HUGE_MIN)
		return calloc(size ? size : 1, 1);
	return huge_map(huge_round(size), 0);
}

void
ecsim_huge_free(void *p, size_t size)
{
	if (size < ECSIM_HUGE_MIN)
		free(p);
	else if (p)
		munmap(p, huge_round(size));
}

void *
ecsim_huge_realloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
	(void)user;
	bool was_huge = ptr && old_size >= ECSIM_HUGE_MIN;
	if (new_size == 0) {
		if (was_huge)
			ecsim_huge_free(ptr, old_size);
		else
			free(ptr);
		return NULL;
	}
	if (new_size < ECSIM_HUGE_MIN && !was_huge)
		return realloc(ptr, new_size);
	if (was_huge && huge_round(new_size) == huge_round(old_size) && new_size >= ECSIM_HUGE_MIN)
		return ptr;
	void *p = new_size >= ECSIM_HUGE_MIN ? ecsim_huge_alloc(new_size) : malloc(new_size);
	if (!p)
		return NULL;
	if (ptr) {
		memcpy(p, ptr, old_size < new_size ? old_size : new_size);
		if (was_huge)
			ecsim_huge_free(ptr, old_size);
		else
			free(ptr);
	}
	return p;
}

/* ---- the workers' size-class allocator -------------------------------- */

#define SLAB_BYTES ((size_t)32 << 20)
/* A worker's first slab stays on small pages for its first SLAB_SMALL
 * bytes, so that a small run (the published one carves 2.6 MB, the ec
 * protocol's default run 70 KB) holds only the pages it touches. */
#define SLAB_SMALL ((size_t)4 << 20)

void
ecsim_alloc_init(ecsim_alloc *a, ecsim_arena *arena)
{
	memset(a, 0, sizeof *a);
	a->arena = arena;
}

void
ecsim_alloc_fini(ecsim_alloc *a)
{
	for (size_t i = 0; i < a->nslabs; i++) {
		UNPOISON(a->slabs[i], SLAB_BYTES);
		ecsim_huge_free(a->slabs[i], SLAB_BYTES);
	}
	free(a->slabs);
	memset(a, 0, sizeof *a);
}

/* Class of an n-byte block (0 < n <= ECSIM_ALLOC_MAX) and its size: steps of
 * 16 bytes up to 128, then four steps per power of two. */
static unsigned
size_class(size_t n, size_t *size)
{
	if (n <= 128) {
		size_t k = (n + 15) >> 4;
		*size = k << 4;
		return (unsigned)(k - 1);
	}
	unsigned e = 63u - (unsigned)__builtin_clzll((unsigned long long)(n - 1)); /* >= 7 */
	size_t j = ((n - 1) >> (e - 2)) - 3;                                        /* 1..4 */
	*size = (4 + j) << (e - 2);
	return 8u + (e - 7u) * 4u + (unsigned)(j - 1);
}

static void *
class_alloc(ecsim_alloc *a, size_t n)
{
	size_t size;
	unsigned c = size_class(n, &size);
	void *p = a->free[c];
	if (p) {
		UNPOISON(p, size);
		a->free[c] = *(void **)p;
		if (a->free[c]) /* the next pop reads it: often long out of cache */
			__builtin_prefetch(a->free[c]);
		return p;
	}
	if (a->left < size) {
		void **slabs = realloc(a->slabs, (a->nslabs + 1) * sizeof *slabs);
		if (!slabs)
			return NULL;
		a->slabs = slabs;
		/* pages come as touched */
		unsigned char *slab = huge_map(SLAB_BYTES, a->nslabs ? 0 : SLAB_SMALL);
		if (!slab)
			return NULL;
		POISON(slab, SLAB_BYTES);
		a->slabs[a->nslabs++] = slab;
		a->cur = slab;
		a->left = SLAB_BYTES; /* the old slab's tail is abandoned */
	}
	p = a->cur;
	a->cur += size;
	a->left -= size;
	UNPOISON(p, size);
	return p;
}

static void
class_free(ecsim_alloc *a, void *p, size_t n)
{
	size_t size;
	if (n == 0)
		return; /* a caller that lost the size: leak rather than corrupt */
	unsigned c = size_class(n, &size);
	*(void **)p = a->free[c];
	a->free[c] = p;
	POISON((unsigned char *)p + sizeof(void *), size - sizeof(void *));
}

void *
ecsim_alloc_realloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
	ecsim_alloc *a = user;
	if (ptr && owns(a->arena, ptr)) {
		/* arena blocks move out to the classes (or the C library) when
		 * they grow; the arena releases them all at once */
		if (new_size == 0)
			return NULL;
		void *p = new_size > ECSIM_ALLOC_MAX ? malloc(new_size) : class_alloc(a, new_size);
		if (p)
			memcpy(p, ptr, old_size < new_size ? old_size : new_size);
		return p;
	}
	if (!ptr && a->arena->setup && new_size) {
		void *p = arena_alloc(a->arena, new_size);
		if (p)
			return p;
	}
	if (ptr && old_size > ECSIM_ALLOC_MAX) {
		if (new_size > ECSIM_ALLOC_MAX || new_size == 0)
			return ecsim_arena_realloc(a->arena, ptr, old_size, new_size);
		void *p = class_alloc(a, new_size); /* shrinks into a class */
		if (p) {
			memcpy(p, ptr, new_size);
			free(ptr);
		}
		return p;
	}
	/* ptr is NULL or a class block */
	if (new_size == 0) {
		if (ptr)
			class_free(a, ptr, old_size);
		return NULL;
	}
	if (ptr) {
		size_t os, ns;
		if (new_size <= ECSIM_ALLOC_MAX && size_class(old_size, &os) == size_class(new_size, &ns))
			return ptr;
	}
	void *p = new_size > ECSIM_ALLOC_MAX ? malloc(new_size) : class_alloc(a, new_size);
	if (p && ptr) {
		memcpy(p, ptr, old_size < new_size ? old_size : new_size);
		class_free(a, ptr, old_size);
	}
	return p;
}
