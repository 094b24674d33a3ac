/* SPDX-License-Identifier: MIT */
/*
 * The simulator's workload and ledger, as the reference runs it (spec
 * §4.3 steps A and B): every free token goes into a new block at a random
 * node, and a block seen committed at its injection node frees its tokens
 * again.  On top: a steady rate of offered tokens, conflicting twins,
 * forged blocks, destroys and witness tokens (through the protocol's
 * workload hooks, when it signs), and the records behind the network-wide
 * figures (who committed what, and when).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "byzantine.h"
#include "open.h"
#include "safety.h"
#include "sim_int.h"

uint32_t
ecsim__rec_find(const ec_sim *s, ec_block_id id)
{
	_Static_assert(offsetof(blkrec, id) == 0, "a record's key leads it");
	return ecsim_idindex_find(&s->recix, id, s->recs, sizeof *s->recs);
}

/* Doubles the block index, keeping it at most half full; the old table
 * goes, the new one takes its place in s->recix (which s->life frees). */
static ec_err
recix_grow(ec_sim *s)
{
	return ecsim_idindex_double(&s->recix, s->recs, sizeof *s->recs, s->nrecs) ? EC_OK
	                                                                            : EC_ENOMEM;
}

/* A node drawn from the run's stream to submit a block: any node of a
 * static run, a live one of an open run. */
static uint32_t
pick_node(ec_sim *s)
{
	uint32_t i;
	do /* users submit at honest nodes (a liar's own blocks prove nothing) */
		i = s->open ? ecsim__open_pick(s) : s->gen[ec_rng_index(&s->rng, s->n)];
	while (byz_is(s, i));
	return i;
}

/* Records a created block with the members of its token neighbourhoods:
 * the w nodes below and w+1 at or above each token in the global ring. */
static ec_err
rec_add(ec_sim *s, const ec_txn *t, uint32_t family, uint32_t *out)
{
	ec_err err;
	if ((s->nrecs + 1) * 2 > s->recix.nslots && (err = recix_grow(s)))
		return err;
	if (!grow(&s->life, s->nrecs + 1, sizeof *s->recs, (void **)&s->recs, &s->reccap))
		return EC_ENOMEM;
	uint32_t w = s->cfg.neighbourhood ? s->cfg.neighbourhood : 4;
	/* the ring: every node of a static run, the live ones of an open run */
	const uint64_t *ring = s->open ? s->open->lvid : s->ids;
	const uint32_t *node = s->open ? s->open->lv : NULL;
	uint32_t n = s->open ? s->open->nlv : s->n;
	uint32_t span = 2 * w + 1 < n ? 2 * w + 1 : n;
	size_t need = (size_t)t->used * span;
	if (!grow(&s->life, s->nmem + need, sizeof *s->mem, (void **)&s->mem, &s->memcap))
		return EC_ENOMEM;
	uint32_t *m = s->mem + s->nmem;
	size_t k = 0;
	for (uint32_t r = 0; r < t->used; r++) { /* the nodes that hold the tokens */
		uint64_t key = t->parts[r].token;
		uint32_t base = (ring_rank(ring, n, key) + n - (w % n)) % n;
		for (uint32_t j = 0; j < span; j++)
			m[k++] = node ? node[(base + j) % n] : (base + j) % n;
	}
	qsort(m, k, sizeof *m, ecsim__cmp_u32);
	size_t u = 0;
	for (size_t j = 0; j < k; j++)
		if (u == 0 || m[u - 1] != m[j])
			m[u++] = m[j];
	uint32_t idx = (uint32_t)s->nrecs++;
	s->recs[idx] = (blkrec){.id = t->id, .created = t->time, .family = family,
	                        .moff = (uint32_t)s->nmem, .mlen = (uint32_t)u};
	s->nmem += u;
	ecsim_idindex_put(&s->recix, t->id, idx);
	*out = idx;
	return s->open ? ecsim__truth_block(s, idx, t) : EC_OK;
}

/* Folds the node commits the workers logged into the block records. */
void
ecsim__process_commits(ec_sim *s)
{
	for (uint32_t k = 0; k < s->nw; k++) {
		worker *w = &s->w[k];
		for (size_t i = 0; i < w->ncommits; i++) {
			uint32_t r = ecsim__rec_find(s, w->commits[i].block), node;
			if (r == UINT32_MAX || !node_index(s, w->commits[i].node, &node))
				continue;
			blkrec *b = &s->recs[r];
			bool liar = byz_is(s, node); /* its commits prove nothing */
			/* with liars, an attack block an honest node commits is counted
			 * once, as an invalid commit, not again as the double spend of
			 * the parent it replays */
			if (s->safety && !liar && !(s->byz && b->forged))
				ecsim__safety_commit(s, r, node);
			if (b->forged) {
				if (b->ncommits++ == 0)
					s->res.forged_committed++;
				if (!liar && !b->honest_commit) {
					b->honest_commit = true;
					ecsim__byz_violation(s, true);
				}
				continue;
			}
			b->ncommits++;
			if (b->created >= s->cfg.warmup)
				s->res.nodes_committed++;
			if (bsearch(&node, s->mem + b->moff, b->mlen, sizeof node, ecsim__cmp_u32) &&
			    ++b->mcommits == b->mlen)
				b->all_round = s->round + 1; /* seen like a submitter's commit */
		}
		w->ncommits = 0;
	}
}

static bool
committed_at(ec_sim *s, uint32_t target, ec_block_id id, const ec_id *full)
{
	worker *w = owner(s, target);
	bind_node(w, target);
	return s->cfg.protocol->committed(node_at(s, target), &w->ctx, id, full);
}

/* Step A: blocks seen committed at their injection node free their tokens
 * (once per conflict family: the first of the twins seen committed). */
ec_err
ecsim__detect_commits(ec_sim *s)
{
	size_t w = 0;
	ec_err err;
	for (size_t i = 0; i < s->nout; i++) {
		outstanding *o = &s->out[i];
		if (!committed_at(s, o->target, o->id, s->wl ? &s->recs[o->rec].full : NULL)) {
			s->out[w++] = *o;
			continue;
		}
		ecsim__byz_committed(s, o->rec, o->target, s->round - o->created);
		uint32_t fam = s->recs[o->rec].family;
		if (fam && s->fams[fam - 1].resolved) { /* its twin already won */
			free(o->parts);
			continue;
		}
		if (fam)
			s->fams[fam - 1].resolved = true;
		if (s->ntokens + o->used > s->tokcap && s->tokskip) { /* reclaim the offered head */
			sim_token *base = s->tokens - s->tokskip;
			memmove(base, s->tokens, s->ntokens * sizeof *s->tokens);
			s->tokens = base;
			s->tokcap += s->tokskip;
			s->tokskip = 0;
		}
		if (!grow(&s->life, s->ntokens + o->used, sizeof *s->tokens, (void **)&s->tokens, &s->tokcap) ||
		    !grow(&s->life, s->nlat + 1, sizeof *s->latencies, (void **)&s->latencies, &s->latcap))
			return EC_ENOMEM;
		const uint64_t *signers = (const uint64_t *)(o->parts + o->used);
		for (uint32_t x = 0; x < o->used; x++) {
			if (!o->parts[x].key) { /* destroyed: a fresh token takes its place */
				s->res.destroyed++;
				s->dead[s->res.destroyed % 256] =
				    (sim_token){o->parts[x].token, o->id, signers[x], 0, 0};
				s->ndead = s->ndead < 256 ? s->ndead + 1 : 256;
				s->tokens[s->ntokens++] = (sim_token){ec_rng_u64(&s->rng), 0,
				                                      ec_rng_u64(&s->rng), 0, 0};
				continue;
			}
			s->tokens[s->ntokens++] = (sim_token){o->parts[x].token, o->id, o->parts[x].key,
			                                      o->parts[x].last, signers[x]};
		}
		if (s->open && (err = ecsim__truth_commit(s, o))) /* the tokens' history */
			return err;
		uint64_t latency = s->round - o->created;
		if (o->created >= s->cfg.warmup) {
			s->latencies[s->nlat++] = latency;
			if (!fam)
				s->res.plain_committed++;
		}
		if (s->round >= s->cfg.warmup) {
			s->res.committed++;
			s->res.committed_tokens += o->used;

		}
		if (s->cfg.hooks.block_committed)
			s->cfg.hooks.block_committed(s->cfg.hooks.user, s->round, o->id,
			                             s->ids[o->target], latency);
		free(o->parts);
	}
	s->nout = w;
	/* a twin whose family was resolved is no longer waited for */
	w = 0;
	for (size_t i = 0; i < s->nout; i++) {
		uint32_t fam = s->recs[s->out[i].rec].family;
		if (fam && s->fams[fam - 1].resolved) {
			free(s->out[i].parts);
			continue;
		}
		s->out[w++] = s->out[i];
	}
	s->nout = w;
	return EC_OK;
}

/* Submits one transaction at node `target` and tracks it: its first
 * `real` parts (the rest are witness tokens), signed by the keys
 * signers[]. */
static ec_err
submit_txn(ec_sim *s, const ec_txn *t, uint32_t real, const uint64_t *signers, uint32_t target,
           uint32_t family, uint32_t *rec)
{
	ec_err err = ecsim__wake(s, target);
	if (err)
		return err;
	worker *w = owner(s, target);
	w->tag = 0; /* anything sent on submit goes out after the delayed messages */
	bind_node(w, target);
	if ((err = s->cfg.protocol->submit(node_at(s, target), &w->ctx, t)))
		return err;
	if ((err = rec_add(s, t, family, rec)) ||
	    (s->safety && (err = ecsim__safety_block(s, *rec, t->parts, real))))
		return err;
	ecsim__byz_created(s, *rec);
	if (t->block)
		s->recs[*rec].full = s->wl->full_id(t);
	if (!grow(&s->life, s->nout + 1, sizeof *s->out, (void **)&s->out, &s->outcap))
		return EC_ENOMEM;
	ec_token_part *parts = malloc(real * (sizeof *parts + sizeof *signers));
	if (!parts)
		return EC_ENOMEM;
	memcpy(parts, t->parts, real * sizeof *parts);
	memcpy(parts + real, signers, real * sizeof *signers);
	/* appended; create_blocks merges the round's blocks in by id */
	s->out[s->nout++] = (outstanding){t->id, target, *rec, s->round, parts, real};
	if (s->round >= s->cfg.warmup) {
		s->res.created++;
		if (!family)
			s->res.plain_created++;
	}
	if (s->cfg.hooks.block_created)
		s->cfg.hooks.block_created(s->cfg.hooks.user, s->round, t, s->ids[target]);
	return EC_OK;
}

/* The full id of the block a token's handle names (zero: none). */
static ec_id
full_id(const ec_sim *s, ec_block_id handle)
{
	uint32_t r = handle ? ecsim__rec_find(s, handle) : UINT32_MAX;
	return r == UINT32_MAX ? (ec_id){{0, 0, 0, 0}} : s->recs[r].full;
}

/* Signs t's parts with the wallets (the protocol's seal) and points t at
 * the sealed form, releasing the one it had. */
static ec_err
seal(ec_sim *s, ec_txn *t, const ec_id *parents, const uint64_t *signers)
{
	s->wl->release(t);
	t->block = NULL;
	return s->wl->seal(s->sig, t, parents, signers, EC_SEAL_HONEST, 0);
}

/* An attack next to an honest block that moves tok (one of its parts,
 * p): in turn a bad signature, a wrong key, a replay (the previous owner
 * re-spends the parent it already spent, validly signed) and, when tokens
 * get destroyed, a resurrection (the last owner spends a destroyed token).
 * Each is a single-part block submitted at a random node; none may
 * commit. */
static ec_err
inject_forgery(ec_sim *s, const sim_token *tok, const ec_token_part *p, const ec_id *parent)
{
	uint64_t kind = s->res.forged_injected % (s->cfg.destroy_rate > 0 ? 4 : 3);
	if ((kind == 2 && !tok->prev_block) || (kind == 3 && !s->ndead))
		kind = 0; /* nothing to replay or resurrect yet */
	ec_token_part fp = {p->token, p->last, ec_rng_u64(&s->rng)};
	ec_id fpar = *parent;
	uint64_t signer = tok->key, attacker = ec_rng_u64(&s->rng);
	ec_seal_kind forge = kind == 0 ? EC_SEAL_BAD_SIG : EC_SEAL_WRONG_KEY;
	if (kind == 2) {
		fp.last = tok->prev_block;
		fpar = full_id(s, tok->prev_block);
		signer = tok->prev_key;
		forge = EC_SEAL_HONEST;
	} else if (kind == 3) {
		const sim_token *d = &s->dead[ec_rng_index(&s->rng, s->ndead)];
		fp = (ec_token_part){d->token, d->block, fp.key};
		fpar = full_id(s, d->block);
		signer = d->key;
		forge = EC_SEAL_HONEST;
	}
	/* in runs with liars the attacker gives its forgery the witnesses the
	 * rules ask for, as an honest wallet would (earlier runs gave none) */
	ec_token_part fparts[1 + 16];
	ec_id fparents[1 + 16];
	uint64_t fsigners[1 + 16];
	uint32_t used = 1, nwit = s->byz ? s->cfg.witness_tokens : 0;
	fparts[0] = fp;
	fparents[0] = fpar;
	fsigners[0] = signer;
	for (uint32_t y = 1; y <= nwit; y++) {
		fparts[y] = (ec_token_part){ec_rng_u64(&s->rng), 0, 0};
		fparents[y] = (ec_id){{0, 0, 0, 0}};
		fsigners[y] = 0;
	}
	used += nwit;
	if (nwit && s->wl->witnesses) { /* derived from the key it really signs with */
		uint64_t as = forge == EC_SEAL_WRONG_KEY ? attacker : signer;
		s->wl->witnesses(s->cfg.protocol_config, s->sig, fparts, fparents, &as, used, 1);
	}
	fp = fparts[0];
	ec_txn t = {.time = s->round, .used = used, .parts = fparts};
	ec_err err = s->wl->seal(s->sig, &t, fparents, fsigners, forge, attacker);
	if (err)
		return err;
	uint32_t target = pick_node(s), rec;
	worker *w = owner(s, target);
	if ((err = ecsim__wake(s, target)))
		goto out;
	w->tag = 0;
	bind_node(w, target);
	if ((err = s->cfg.protocol->submit(node_at(s, target), &w->ctx, &t)) ||
	    (err = rec_add(s, &t, 0, &rec)) ||
	    (s->safety && (err = ecsim__safety_block(s, rec, &fp, 1))))
		goto out;
	s->recs[rec].forged = true;
	s->recs[rec].full = s->wl->full_id(&t);
	s->res.forged_injected++;
	s->res.forged_by_kind[kind]++;
out:
	s->wl->release(&t);
	return err;
}

/* Ascending block id, then submission order (blkrec indexes grow with it). */
static int
cmp_outstanding(const void *a, const void *b)
{
	const outstanding *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return (x->rec > y->rec) - (x->rec < y->rec);
}

/* The blocks submitted since s->out held `head` entries (in ascending id)
 * were appended; sorts them and merges them in, older entries first among
 * equal ids: the order that inserting each at its place as it came gives,
 * in O(n + k log k) a round instead of O(n k), which grew with the square
 * of the network size (blocks per round times blocks in flight). */
static ec_err
merge_outstanding(ec_sim *s, size_t head)
{
	size_t k = s->nout - head;
	if (k == 0)
		return EC_OK;
	if (!grow(&s->life, k, sizeof *s->outnew, (void **)&s->outnew, &s->outnewcap))
		return EC_ENOMEM;
	outstanding *nw = s->outnew;
	memcpy(nw, s->out + head, k * sizeof *nw);
	qsort(nw, k, sizeof *nw, cmp_outstanding);
	/* from the back: the largest of the two heads goes last; a new entry
	 * goes after an older one with the same id */
	size_t i = head, j = k, d = s->nout;
	while (j > 0) {
		if (i > 0 && s->out[i - 1].id > nw[j - 1].id)
			s->out[--d] = s->out[--i];
		else
			s->out[--d] = nw[--j];
	}
	return EC_OK;
}

/* Step B: every free token goes into a new block at a random node. */
ec_err
ecsim__create_blocks(ec_sim *s)
{
	if (s->cfg.drain && s->cfg.drain >= s->cfg.rounds - s->round) /* no overflow: round < rounds */
		return EC_OK;
	const size_t head = s->nout; /* s->out is sorted up to here */
	size_t offer = s->ntokens;
	if (s->cfg.tx_rate && s->cfg.tx_rate < offer) {
		/* offer tx_rate free tokens, picked uniformly (partial Fisher-Yates);
		 * the rest wait for a later round */
		offer = (size_t)s->cfg.tx_rate;
		for (size_t k = 0; k < offer; k++) {
			size_t j = k + ec_rng_index(&s->rng, s->ntokens - k);
			sim_token t = s->tokens[k];
			s->tokens[k] = s->tokens[j];
			s->tokens[j] = t;
		}
	} else {
		ec_rng_shuffle(&s->rng, s->tokens, s->ntokens, sizeof *s->tokens);
	}
	ecsim__byz_offer_target(s, offer);
	size_t x = 0;
	ec_err err = EC_OK;
	uint32_t nwit = s->cfg.witness_tokens; /* 0 unless the protocol seals */
	size_t cap = (s->cfg.block_max ? s->cfg.block_max : 1) + nwit;
	ec_token_part *parts = malloc(cap * sizeof *parts);
	uint64_t *sigs = malloc(cap * sizeof *sigs);
	ec_id *parents = s->wl ? malloc(cap * sizeof *parents) : NULL;
	ec_txn t = {0};
	if (!parts || !sigs || (s->wl && !parents)) {
		err = EC_ENOMEM;
		goto out;
	}
	while (x < offer) {
		uint64_t want = ec_rng_range_u64(&s->rng, s->cfg.block_min, s->cfg.block_max);
		size_t used = want < offer - x ? (size_t)want : offer - x;
		if (s->wl)
			s->wl->release(&t); /* the previous block's sealed form */
		t = (ec_txn){.id = ec_rng_u64(&s->rng), .time = s->round, .used = (uint32_t)(used + nwit),
		             .parts = parts, .signatures = sigs};
		for (size_t y = 0; y < used; y++) {
			parts[y] = (ec_token_part){s->tokens[x + y].token, s->tokens[x + y].block,
			                           ec_rng_u64(&s->rng)};
			sigs[y] = s->tokens[x + y].key;
			if (s->cfg.destroy_rate > 0 && draw_unit(s) < s->cfg.destroy_rate)
				parts[y].key = 0;
			if (s->wl)
				parents[y] = full_id(s, parts[y].last);
		}
		for (size_t y = used; y < used + nwit; y++) { /* born destroyed */
			parts[y] = (ec_token_part){ec_rng_u64(&s->rng), 0, 0};
			sigs[y] = 0;
			parents[y] = (ec_id){{0, 0, 0, 0}};
		}
		s->res.witness_parts += nwit;
		if (s->wl && s->wl->witnesses) /* the protocol's witness rule, if any */
			s->wl->witnesses(s->cfg.protocol_config, s->sig, parts, parents, sigs, t.used,
			                 (uint32_t)used);
		uint32_t target = pick_node(s);
		/* the owner also signs a conflicting twin: same tokens and
		 * parents, other keys, another id, another node */
		bool twin = s->cfg.conflict_rate > 0.0 && draw_unit(s) < s->cfg.conflict_rate;
		if (ecsim__byz_twins(s, parts, used)) { /* the attacker double-spends its target */
			twin = true;
			s->byz->target_families += s->round >= s->cfg.warmup; /* as families count */
		}
		uint32_t fam = 0, rec;
		if (twin) {
			if (!grow(&s->life, s->nfams + 1, sizeof *s->fams, (void **)&s->fams, &s->famcap)) {
				err = EC_ENOMEM;
				goto out;
			}
			s->fams[s->nfams++] = (conflict_family){0, 0, false};
			fam = (uint32_t)s->nfams;
		}
		if ((s->wl && (err = seal(s, &t, parents, sigs))) ||
		    (err = submit_txn(s, &t, (uint32_t)used, sigs, target, fam, &rec)))
			goto out;
		if (twin) {
			s->fams[fam - 1].a = rec;
			t.id = ec_rng_u64(&s->rng);
			for (size_t y = 0; y < used; y++)
				parts[y].key = ec_rng_u64(&s->rng);
			/* in runs with liars the attacker picks its twin's witnesses
			 * itself, breaking the protocol's witness rule if it has one
			 * (the witness windows then refuse the twin); other runs share
			 * them, as they always did */
			for (size_t y = used; s->byz && y < used + nwit; y++)
				parts[y].token = ec_rng_u64(&s->rng);
			uint32_t other = pick_node(s);
			if ((s->wl && (err = seal(s, &t, parents, sigs))) ||
			    (err = submit_txn(s, &t, (uint32_t)used, sigs, other, fam, &rec)))
				goto out;
			s->fams[fam - 1].b = rec;
		}
		if (s->wl && s->cfg.forge_rate > 0 && draw_unit(s) < s->cfg.forge_rate) {
			/* the attack aims at a token being transferred right now */
			size_t y = 0;
			while (y < used && !parts[y].last)
				y++;
			if (y < used && (err = inject_forgery(s, &s->tokens[x + y], &parts[y], &parents[y])))
				goto out;
		}
		x += used;
	}
	/* the offered head is dropped by moving the start, not the rest down */
	if (offer) {
		s->tokens += offer;
		s->tokcap -= offer;
		s->tokskip += offer;
		s->ntokens -= offer;
	}
out:;
	ec_err merr = merge_outstanding(s, head); /* kept sorted on errors too */
	if (!err)
		err = merr;
	if (s->wl)
		s->wl->release(&t);
	free(parts);
	free(sigs);
	free(parents);
	return err;
}

bool
ecsim__any_outstanding_committed(ec_sim *s)
{
	for (size_t i = 0; i < s->nout; i++)
		if (committed_at(s, s->out[i].target, s->out[i].id,
		                 s->wl ? &s->recs[s->out[i].rec].full : NULL))
			return true;
	return false;
}

/* Teardown: the offered head is dropped by moving the start of s->tokens;
 * the buffer to free starts tokskip entries before it. */
static void
tokens_rebase(void *arg)
{
	ec_sim *s = arg;
	s->tokens -= s->tokskip;
	s->tokskip = 0;
}

/* Teardown: what the blocks still outstanding hold. */
static void
outstanding_free(void *arg)
{
	ec_sim *s = arg;
	for (size_t i = 0; i < s->nout; i++)
		free(s->out[i].parts);
	s->nout = 0;
}

ec_err
ecsim__ledger_init(ec_sim *s)
{
	const ec_sim_config *cfg = &s->cfg;
	uint64_t ntok = cfg->tokens_per_node ? cfg->tokens_per_node * cfg->nodes : cfg->initial_tokens;
	/* the first growth of each array records it in s->life; these two
	 * come first so that their teardown steps run before the frees */
	if (ntok > SIZE_MAX / sizeof *s->tokens ||
	    !grow(&s->life, ntok ? (size_t)ntok : 1, sizeof *s->tokens, (void **)&s->tokens, &s->tokcap) ||
	    !grow(&s->life, 1, sizeof *s->out, (void **)&s->out, &s->outcap))
		return EC_ENOMEM;
	ec_err err;
	if ((err = ecsim_life_defer(&s->life, tokens_rebase, s)) ||
	    (err = ecsim_life_defer(&s->life, outstanding_free, s)) ||
	    (err = ecsim_life_calloc(&s->life, 1024, sizeof *s->recix.slots, (void **)&s->recix.slots)))
		return err;
	s->recix.nslots = 1024;
	for (uint64_t t = 0; t < ntok; t++)
		s->tokens[t] = (sim_token){ec_rng_u64(&s->rng), 0, 0, 0, 0};
	s->ntokens = (size_t)ntok;
	return EC_OK;
}
