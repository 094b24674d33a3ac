/* SPDX-License-Identifier: MIT */
/*
 * The safety check (safety.h): no two conflicting blocks committed
 * anywhere among the live nodes.  Each created block's (token, parent)
 * pairs are kept; a table maps each pair to the first block committed
 * with it (open addressing, sized at set-up of each block so that a
 * commit never allocates).  The first violation is kept in s->res.safety,
 * and the run stops at the end of its round (ec_sim_step).
 *
 * The outcome does not depend on the thread count: whether a round holds a
 * violation does not depend on the order in which its commits are seen,
 * the reported pair and key are chosen by a fixed rule among the
 * violations of that round, and each block's list of first committers is
 * the lowest (round, node) pairs, not the first seen.
 */
#include <stdlib.h>
#include <string.h>

#include "ecsim/sim.h"
#include "byzantine.h"
#include "open.h"
#include "safety.h"

/* The committers of a block that a report names. */
#define FIRST_COMMITTERS 4
/* The parts of a block that a report names. */
#define REPORT_PARTS 8

typedef struct safety_part {
	ec_token_id token;
	ec_block_id parent; /* the block it spends the token from; 0: none */
} safety_part;

/* What the check keeps of a created block. */
typedef struct safety_blk {
	uint64_t off;       /* its parts: parts[off .. off + n) */
	uint32_t n;
	uint32_t commits;   /* live node commits (saturating) */
	uint32_t node[FIRST_COMMITTERS];  /* its first committers (node indexes), */
	uint64_t round[FIRST_COMMITTERS]; /* in ascending (round, node) */
} safety_blk;

/* A slot of the table: a (token, parent) pair and the first block
 * committed with it. */
typedef struct safety_slot {
	ec_token_id token;
	ec_block_id parent;
	uint32_t rec1;      /* its blkrec + 1; 0: an empty slot */
} safety_slot;

struct ecsim_safety {
	const uint64_t *live;   /* bit i: node index i is live; NULL: all are */
	safety_part *parts;
	size_t nparts, partcap;
	safety_blk *blk;        /* by blkrec index */
	size_t nblk, blkcap;
	safety_slot *slots;     /* a power of two, at least twice the parts kept */
	size_t nslots;
	uint32_t rec_a, rec_b;  /* the reported violation's blocks */
	bool inexact;           /* a node lacks one of its w+1 nearest on a side */
};

#define FIRST_SLOTS 1024

ec_err
ecsim__safety_init(ec_sim *s)
{
	const ec_sim_config *c = &s->cfg;
	s->safety = NULL;
	/* with Byzantine nodes, what the check finds is what the run measures */
	bool byz = c->byzantine.behaviours != 0;
	if (c->safety_check == EC_SAFETY_OFF ||
	    (c->safety_check == EC_SAFETY_DEFAULT && !c->protocol->claims_safety && !byz))
		return EC_OK;
	/* released by its own record, not through s->safety, which start()
	 * may clear */
	struct ecsim_safety *sf = calloc(1, sizeof *sf);
	ec_err err;
	if (!sf)
		return EC_ENOMEM;
	if ((err = ecsim_life_defer(&s->life, free, sf)) ||
	    (err = ecsim_life_calloc(&s->life, FIRST_SLOTS, sizeof *sf->slots, (void **)&sf->slots)))
		return err;
	s->safety = sf;
	sf->nslots = FIRST_SLOTS;
	return EC_OK;
}

/* The ring neighbours a node's view must hold: w+1 on each side. */
static uint32_t
view_reach(const ec_sim *s)
{
	return (s->cfg.neighbourhood ? s->cfg.neighbourhood : 4) + 1;
}

/* The node index k places from i along the ring (k may be negative). */
static uint32_t
ring_step(const ec_sim *s, uint32_t i, int64_t k)
{
	int64_t n = s->n, j = ((int64_t)i + k % n + n) % n;
	return (uint32_t)j;
}

void
ecsim__safety_view(ec_sim *s, uint32_t i, const uint64_t *peers, size_t len)
{
	if (!s->safety || s->safety->inexact)
		return;
	uint32_t reach = view_reach(s);
	if (2 * (uint64_t)reach >= s->n - 1) { /* a small ring: everyone else */
		s->safety->inexact = len < s->n - 1;
		return;
	}
	if (len < 2 * (size_t)reach) {
		s->safety->inexact = true;
		return;
	}
	/* peers are in ring order: the k-th node above i must be the k-th peer
	 * above it, the k-th below the k-th peer below (both wrapping) */
	size_t lo = first_above(peers, len, s->ids[i]);
	for (uint32_t k = 1; k <= reach; k++)
		if (peers[(lo + k - 1) % len] != s->ids[ring_step(s, i, k)] ||
		    peers[(lo + len - k) % len] != s->ids[ring_step(s, i, -(int64_t)k)]) {
			s->safety->inexact = true;
			return;
		}
}

/* Dense topologies: node i's peers are the bits of its adjacency row. */
static void
dense_views(ec_sim *s)
{
	for (uint32_t i = 0; i < s->n && !s->safety->inexact; i++) {
		const uint64_t *row = s->rows + (size_t)i * s->words;
		for (int64_t k = 1; k <= view_reach(s); k++) {
			uint32_t up = ring_step(s, i, k), down = ring_step(s, i, -k);
			if ((up != i && !bit_get(row, up)) || (down != i && !bit_get(row, down))) {
				s->safety->inexact = true;
				break;
			}
		}
	}
}

void
ecsim__safety_start(ec_sim *s)
{
	if (!s->safety)
		return;
	if (s->open) {
		/* an open network: the views are the protocol's own, exact or
		 * not, and whether they hold is what the run measures; the
		 * check is on (unless --safety-check off) and counts commits at
		 * live nodes only */
		s->safety->inexact = false;
		ecsim__safety_set_live(s, s->open->up);
	}
	if (s->rows)
		dense_views(s);
	if (s->safety->inexact && s->cfg.safety_check == EC_SAFETY_DEFAULT && !s->byz) {
		s->safety = NULL; /* the protocol claims nothing here; s->life frees it */
		return;
	}
	s->res.safety.checked = true;
}

void
ecsim__safety_set_live(ec_sim *s, const uint64_t *live)
{
	if (s->safety)
		s->safety->live = live;
}

static size_t
slot_home(ec_token_id token, ec_block_id parent, size_t mask)
{
	return (size_t)ec_mix64(token ^ ec_mix64(parent)) & mask;
}

/* Makes room for `need` pairs at most half filling the table; the old
 * table is replaced in sf->slots (which s->life frees at the end). */
static ec_err
slots_reserve(struct ecsim_safety *sf, size_t need)
{
	if (need > SIZE_MAX / 4)
		return EC_ENOMEM;
	size_t n = sf->nslots;
	while (n < 2 * need)
		n *= 2;
	if (n == sf->nslots)
		return EC_OK;
	safety_slot *x = calloc(n, sizeof *x);
	if (!x)
		return EC_ENOMEM;
	for (size_t i = 0; i < sf->nslots; i++) {
		const safety_slot *o = &sf->slots[i];
		if (!o->rec1)
			continue;
		size_t h = slot_home(o->token, o->parent, n - 1);
		while (x[h].rec1)
			h = (h + 1) & (n - 1);
		x[h] = *o;
	}
	free(sf->slots);
	sf->slots = x;
	sf->nslots = n;
	return EC_OK;
}

ec_err
ecsim__safety_block(ec_sim *s, uint32_t rec, const ec_token_part *parts, uint32_t n)
{
	struct ecsim_safety *sf = s->safety;
	ec_err err = slots_reserve(sf, sf->nparts + n);
	if (err)
		return err;
	if (!grow(&s->life, sf->nparts + n, sizeof *sf->parts, (void **)&sf->parts, &sf->partcap) ||
	    !grow(&s->life, (size_t)rec + 1, sizeof *sf->blk, (void **)&sf->blk, &sf->blkcap))
		return EC_ENOMEM;
	if (rec >= sf->nblk) { /* blocks recorded without parts have none */
		memset(sf->blk + sf->nblk, 0, ((size_t)rec + 1 - sf->nblk) * sizeof *sf->blk);
		sf->nblk = (size_t)rec + 1;
	}
	sf->blk[rec] = (safety_blk){.off = sf->nparts, .n = n};
	for (uint32_t j = 0; j < n; j++)
		sf->parts[sf->nparts++] = (safety_part){parts[j].token, parts[j].last};
	return EC_OK;
}

/* Adds (round, node) to b's first committers if it is among the lowest. */
static void
note_committer(safety_blk *b, uint32_t node, uint64_t round)
{
	uint32_t k = b->commits < FIRST_COMMITTERS ? b->commits : FIRST_COMMITTERS;
	if (k == FIRST_COMMITTERS) {
		uint64_t lr = b->round[k - 1];
		if (round > lr || (round == lr && node >= b->node[k - 1]))
			return;
		k--; /* the last one drops out */
	}
	while (k > 0 && (b->round[k - 1] > round || (b->round[k - 1] == round && b->node[k - 1] > node))) {
		b->round[k] = b->round[k - 1];
		b->node[k] = b->node[k - 1];
		k--;
	}
	b->round[k] = round;
	b->node[k] = node;
}

/* Whether violation x comes before y in the rule that picks the reported
 * one among a round's: by token, parent, then the blocks' ids. */
static bool
before(const ec_safety_result *x, const ec_safety_result *y)
{
	if (x->token != y->token)
		return x->token < y->token;
	if (x->parent != y->parent)
		return x->parent < y->parent;
	if (x->block_a != y->block_a)
		return x->block_a < y->block_a;
	return x->block_b < y->block_b;
}

/* Blocks `first` (filed under p) and `second` (committing now) conflict. */
static void
violation(ec_sim *s, uint32_t first, uint32_t second, const safety_part *p)
{
	struct ecsim_safety *sf = s->safety;
	const safety_blk *x = &sf->blk[first], *y = &sf->blk[second];
	ec_block_id ix = s->recs[first].id, iy = s->recs[second].id;
	/* a: committed first; in the same round, the lower id */
	bool swap = y->round[0] < x->round[0] || (y->round[0] == x->round[0] && iy < ix);
	uint32_t a = swap ? second : first, b = swap ? first : second;
	ec_safety_result v = {.checked = true, .violated = true, .round = s->round,
	                      .block_a = s->recs[a].id, .block_b = s->recs[b].id,
	                      .token = p->token, .parent = p->parent};
	/* the first round's, by the rule (a run with Byzantine nodes goes on) */
	if (!s->res.safety.violated ||
	    (v.round == s->res.safety.round && before(&v, &s->res.safety))) {
		s->res.safety = v;
		sf->rec_a = a;
		sf->rec_b = b;
	}
}

void
ecsim__safety_commit(ec_sim *s, uint32_t rec, uint32_t node)
{
	struct ecsim_safety *sf = s->safety;
	if (rec >= sf->nblk || (sf->live && !bit_get(sf->live, node)))
		return;
	safety_blk *b = &sf->blk[rec];
	note_committer(b, node, s->round);
	bool first = b->commits == 0;
	if (b->commits < UINT32_MAX)
		b->commits++;
	if (!first)
		return;
	const size_t mask = sf->nslots - 1;
	for (uint32_t j = 0; j < b->n; j++) {
		const safety_part *p = &sf->parts[b->off + j];
		for (size_t h = slot_home(p->token, p->parent, mask);; h = (h + 1) & mask) {
			safety_slot *k = &sf->slots[h];
			if (!k->rec1) {
				*k = (safety_slot){p->token, p->parent, rec + 1};
				break;
			}
			if (k->token == p->token && k->parent == p->parent) {
				if (k->rec1 - 1 != rec) {
					violation(s, k->rec1 - 1, rec, p);
					ecsim__byz_violation(s, false);
				}
				break;
			}
		}
	}
}

/* One block of the report: id, creation, parts, committers. */
static int
report_block(FILE *out, const ec_sim *s, const char *name, uint32_t rec)
{
	const struct ecsim_safety *sf = s->safety;
	const blkrec *r = &s->recs[rec];
	const safety_blk *b = &sf->blk[rec];
	int rc = fprintf(out, "  block %s %016llx: created in round %llu%s; spends", name,
	                 (unsigned long long)r->id, (unsigned long long)r->created,
	                 r->forged ? " (an attack block)" : "");
	for (uint32_t j = 0; j < b->n && j < REPORT_PARTS && rc >= 0; j++) {
		const safety_part *p = &sf->parts[b->off + j];
		rc = fprintf(out, "%s token %016llx from parent %016llx", j ? "," : "",
		             (unsigned long long)p->token, (unsigned long long)p->parent);
	}
	if (rc >= 0 && b->n > REPORT_PARTS)
		rc = fprintf(out, " and %u more tokens", b->n - REPORT_PARTS);
	if (rc >= 0)
		rc = fprintf(out, "\n    committed at %u node%s by then; the first:", b->commits,
		             b->commits == 1 ? "" : "s");
	uint32_t shown = b->commits < FIRST_COMMITTERS ? b->commits : FIRST_COMMITTERS;
	for (uint32_t k = 0; k < shown && rc >= 0; k++)
		rc = fprintf(out, "%s node %016llx in round %llu", k ? "," : "",
		             (unsigned long long)s->ids[b->node[k]], (unsigned long long)b->round[k]);
	if (rc >= 0)
		rc = fprintf(out, "%s\n", b->commits > shown ? ", ..." : "");
	return rc < 0 ? -1 : 0;
}

int
ec_sim_safety_report(FILE *out, const ec_sim *s)
{
	const ec_safety_result *v = &s->res.safety;
	if (!s->safety || !v->violated)
		return 0;
	if (fprintf(out,
	            "safety violation in round %llu: blocks %016llx (a) and %016llx (b) both "
	            "spend token %016llx from parent %016llx, and both committed\n",
	            (unsigned long long)v->round, (unsigned long long)v->block_a,
	            (unsigned long long)v->block_b, (unsigned long long)v->token,
	            (unsigned long long)v->parent) < 0)
		return -1;
	if (report_block(out, s, "a", s->safety->rec_a) || report_block(out, s, "b", s->safety->rec_b))
		return -1;
	return 0;
}
