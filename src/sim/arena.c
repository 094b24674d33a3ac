/* SPDX-License-Identifier: MIT */
/* The simulator's set-up arena (see arena.h). */
#define _DEFAULT_SOURCE 1 /* MAP_ANONYMOUS, MADV_HUGEPAGE */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define CHUNK_BYTES ((size_t)64 << 20)
#define ALIGN 16u

void
sim_arena_init(sim_arena *a)
{
	memset(a, 0, sizeof *a);
}

void
sim_arena_fini(sim_arena *a)
{
	for (size_t i = 0; i < a->nchunks; i++)
		munmap(a->chunks[i].base, a->chunks[i].size);
	free(a->chunks);
	sim_arena_init(a);
}

static bool
owns(const sim_arena *a, const void *p)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < a->nchunks; i++)
		if (c >= a->chunks[i].base && c < a->chunks[i].base + a->chunks[i].size)
			return true;
	return false;
}

static void *
arena_alloc(sim_arena *a, size_t n)
{
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	sim_arena_chunk *c = a->nchunks ? &a->chunks[a->nchunks - 1] : NULL;
	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK_BYTES ? n : CHUNK_BYTES;
		sim_arena_chunk *chunks = realloc(a->chunks, (a->nchunks + 1) * sizeof *chunks);
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
		*c = (sim_arena_chunk){base, size, 0};
	}
	void *p = c->base + c->used;
	c->used += n;
	return p;
}

void *
sim_arena_realloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
	sim_arena *a = user;
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
sim_arena_mapped(const sim_arena *a)
{
	size_t n = 0;
	for (size_t i = 0; i < a->nchunks; i++)
		n += a->chunks[i].size;
	return n;
}
