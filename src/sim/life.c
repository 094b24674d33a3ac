/* SPDX-License-Identifier: MIT */
/* What a simulator run owns, released in one call (life.h). */
#include "life.h"

#include <stdint.h>
#include <stdlib.h>

#include "arena.h"

typedef enum { REC_HEAP, REC_HUGE_GROWN, REC_HUGE_FIXED, REC_CALL } rec_kind;

struct ecsim_life_rec {
	rec_kind kind;
	void **p;          /* the field holding the array */
	const size_t *cap; /* REC_HUGE_GROWN: the field holding its capacity */
	size_t bytes;      /* REC_HUGE_GROWN: element size; REC_HUGE_FIXED: size */
	void (*fn)(void *); /* REC_CALL */
	void *arg;
};

static bool
push(ecsim_life *l, ecsim_life_rec r)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		ecsim_life_rec *v = realloc(l->recs, cap * sizeof *v);
		if (!v)
			return false;
		l->recs = v;
		l->cap = cap;
	}
	l->recs[l->n++] = r;
	return true;
}

static size_t
grown_cap(size_t cap, size_t need)
{
	size_t c = cap ? cap : 16;
	while (c < need)
		c *= 2;
	return c;
}

/* Grows *p to at least need elements, on the heap or (huge) through
 * ecsim_huge_realloc, recording it on its first growth. */
static bool
grow_as(ecsim_life *l, size_t need, size_t elem, void **p, size_t *cap, bool huge)
{
	if (need <= *cap)
		return true;
	size_t c = grown_cap(*cap, need);
	if (c > SIZE_MAX / elem)
		return false;
	bool fresh = *p == NULL;
	ecsim_life_rec r = huge ? (ecsim_life_rec){.kind = REC_HUGE_GROWN, .p = p, .cap = cap,
	                                           .bytes = elem}
	                        : (ecsim_life_rec){.kind = REC_HEAP, .p = p};
	if (fresh && !push(l, r))
		return false;
	void *v = huge ? ecsim_huge_realloc(NULL, *p, *cap * elem, c * elem) : realloc(*p, c * elem);
	if (!v) {
		l->n -= fresh; /* nothing to free yet */
		return false;
	}
	*p = v;
	*cap = c;
	return true;
}

bool
ecsim_life_grow(ecsim_life *l, size_t need, size_t elem, void **p, size_t *cap)
{
	return grow_as(l, need, elem, p, cap, false);
}

bool
ecsim_life_grow_huge(ecsim_life *l, size_t need, size_t elem, void **p, size_t *cap)
{
	return grow_as(l, need, elem, p, cap, true);
}

ec_err
ecsim_life_huge(ecsim_life *l, size_t n, size_t elem, void **p)
{
	*p = NULL;
	if (elem && n > SIZE_MAX / elem)
		return EC_ENOMEM;
	void *v = ecsim_huge_alloc(n * elem);
	if (!v)
		return EC_ENOMEM;
	if (!push(l, (ecsim_life_rec){.kind = REC_HUGE_FIXED, .p = p, .bytes = n * elem})) {
		ecsim_huge_free(v, n * elem);
		return EC_ENOMEM;
	}
	*p = v;
	return EC_OK;
}

ec_err
ecsim_life_calloc(ecsim_life *l, size_t n, size_t elem, void **p)
{
	*p = NULL;
	void *v = calloc(n ? n : 1, elem ? elem : 1);
	if (!v)
		return EC_ENOMEM;
	if (!push(l, (ecsim_life_rec){.kind = REC_HEAP, .p = p})) {
		free(v);
		return EC_ENOMEM;
	}
	*p = v;
	return EC_OK;
}

ec_err
ecsim_life_defer(ecsim_life *l, void (*fn)(void *arg), void *arg)
{
	if (push(l, (ecsim_life_rec){.kind = REC_CALL, .fn = fn, .arg = arg}))
		return EC_OK;
	fn(arg);
	return EC_ENOMEM;
}

void
ecsim_life_release(ecsim_life *l)
{
	while (l->n > 0) {
		const ecsim_life_rec *r = &l->recs[--l->n];
		switch (r->kind) {
		case REC_HEAP: free(*r->p); break;
		case REC_HUGE_GROWN: ecsim_huge_realloc(NULL, *r->p, *r->cap * r->bytes, 0); break;
		case REC_HUGE_FIXED: ecsim_huge_free(*r->p, r->bytes); break;
		case REC_CALL: r->fn(r->arg); break;
		}
		if (r->p)
			*r->p = NULL;
	}
	free(l->recs);
	l->recs = NULL;
	l->cap = 0;
}
