/* SPDX-License-Identifier: MIT */
/*
 * The simulator's network set-up: node ids (drawn, or mined as Argon2id
 * identities), the id index, the nodes' initial state, the topology draw
 * and the nodes' peer lists.  The random stream is drawn in the
 * reference's order: ids, then (workload.c) tokens, then the topology.
 */
#include <stdlib.h>
#include <string.h>

#include "ec/identity.h"
#include "byzantine.h"
#include "open.h"
#include "progress.h"
#include "safety.h"
#include "sim_int.h"
#include "topology.h"

static ec_err
build_index(ec_sim *s)
{
	s->byid.nslots = ecsim_idindex_slots_for(s->n);
	ec_err err = ecsim_life_huge(&s->life, s->byid.nslots, sizeof *s->byid.slots,
	                             (void **)&s->byid.slots);
	if (err)
		return err;
	for (uint32_t i = 0; i < s->n; i++)
		ecsim_idindex_put(&s->byid, s->ids[i], i);
	return EC_OK;
}

static size_t
row_degree(const ec_sim *s, uint32_t i)
{
	size_t d = 0;
	const uint64_t *row = s->rows + (size_t)i * s->words;
	for (size_t w = 0; w < s->words; w++)
		d += (size_t)__builtin_popcountll(row[w]);
	return d;
}

/* Trusted peers of node i, whether or not its list is built yet. */
uint64_t
ecsim__node_degree(const ec_sim *s, uint32_t i)
{
	return bit_get(s->ready, i) ? s->cfg.protocol->peer_count(node_at(s, i)) : row_degree(s, i);
}

/* Hands node i the len peers in s->peer_buf (their lists come from the
 * set-up arena) and marks its list built. */
ec_err
ecsim__hand_peers(ec_sim *s, uint32_t i, size_t len)
{
	s->arena.setup = true;
	ec_err err = s->cfg.protocol->set_peers(node_at(s, i), &s->ctx, s->peer_buf, len);
	s->arena.setup = false;
	if (!err)
		s->ready[i / 64] |= 1ull << (i % 64);
	return err;
}

/* Hands node i its peer list, built from its adjacency row, the first time
 * the node is used: most nodes of a dense network never are, and a row is
 * 64 times smaller than the list. */
ec_err
ecsim__materialize(ec_sim *s, uint32_t i)
{
	if (bit_get(s->ready, i))
		return EC_OK;
	const uint64_t *row = s->rows + (size_t)i * s->words;
	size_t len = 0;
	for (size_t w = 0; w < s->words; w++)
		for (uint64_t bits = row[w]; bits; bits &= bits - 1)
			s->peer_buf[len++] = s->ids[w * 64 + (size_t)__builtin_ctzll(bits)];
	return ecsim__hand_peers(s, i, len);
}

/* Bounded-degree topologies hand every node its list at set-up: there is
 * no bitmap to build it from later. */
static ec_err
emit_bounded(void *user, uint32_t i, const uint32_t *peers, size_t n)
{
	ec_sim *s = user;
	size_t len = 0;
	for (size_t k = 0; k < n; k++) {
		if (s->refused && (s->refused[peers[k] / 64] >> (peers[k] % 64) & 1)) {
			s->res.identity_refused++; /* its claim did not verify */
			continue;
		}
		s->peer_buf[len++] = s->ids[peers[k]];
	}
	ecsim__safety_view(s, i, s->peer_buf, len);
	ecsim__byz_view(s, i, s->peer_buf, len);
	return ecsim__hand_peers(s, i, len);
}

ec_err
ecsim__wake(ec_sim *s, uint32_t i)
{
	ec_err err = ecsim__materialize(s, i);
	if (err)
		return err;
	catch_up(s, node_at(s, i));
	s->active[i / 64] |= 1ull << (i % 64);
	return EC_OK;
}

/* Identities (cfg.identity_bits): every node draws an Ed25519 key and a
 * starting salt from the run's stream and mines an Argon2id address at the
 * simulation cost; its ring position is the address's first 8 bytes.  A
 * share bad_identity_rate of nodes claims a random address instead.  Each
 * claim is checked once, as every peer would find the same verdict (a
 * mined claim always passes: only the others need the check); the nodes
 * whose claim fails are marked in s->refused (generation order).  An open
 * network keeps every claim: its nodes present them when they join. */
static ec_err
mine_identities(ec_sim *s, uint64_t *gen_ids)
{
	ec_identity_params p = EC_IDENTITY_PARAMS_SIM;
	p.bits = s->cfg.identity_bits;
	ec_err err = ecsim_life_calloc(&s->life, (s->n + 63) / 64, sizeof *s->refused,
	                               (void **)&s->refused);
	if (err)
		return err;
	for (uint32_t k = 0; k < s->n; k++) {
		sim_progress(&s->cfg.hooks, "mining node identities", k, s->n);
		uint8_t seed[32], sk[64];
		ec_identity_claim c;
		for (unsigned j = 0; j < 4; j++) {
			uint64_t a = ec_rng_u64(&s->rng), b = ec_rng_u64(&s->rng);
			for (unsigned x = 0; x < 8; x++) {
				seed[8 * j + x] = (uint8_t)(a >> (8 * x));
				c.salt[8 * j + x] = (uint8_t)(b >> (8 * x));
			}
		}
		ec_sig_ed25519.keypair(seed, c.public_key, sk);
		bool bad = s->cfg.bad_identity_rate > 0 && draw_unit(s) < s->cfg.bad_identity_rate;
		if (bad) { /* an address it did not mine (random bytes) */
			for (unsigned j = 0; j < 4; j++) {
				uint64_t a = ec_rng_u64(&s->rng);
				for (unsigned x = 0; x < 8; x++)
					c.address[8 * j + x] = (uint8_t)(a >> (8 * x));
			}
		} else {
			bool found = false;
			uint64_t tries = 0;
			if ((err = ec_identity_mine(&p, c.public_key, UINT64_MAX, c.salt, c.address, &found,
			                            &tries)))
				return err;
			s->res.identity_attempts += tries;
		}
		bool admit = true;
		ec_id id;
		ec_identity_verdict why;
		if (bad && (err = ec_identity_admit(&p, &c, &admit, &id, &why)))
			return err;
		if (s->open)
			s->open->claims[k] = c;
		if (!admit) {
			s->refused[k / 64] |= 1ull << (k % 64);
			s->res.identity_bad_nodes++;
		}
		gen_ids[k] = ec_id_from_bytes(c.address).w[0];
	}
	return EC_OK;
}

ec_err
ecsim__draw_ids(ec_sim *s, uint64_t *gen_ids)
{
	if (s->cfg.identity_bits || s->open)
		return mine_identities(s, gen_ids);
	for (uint32_t k = 0; k < s->n; k++)
		gen_ids[k] = ec_rng_u64(&s->rng);
	return EC_OK;
}

/* Marks refused claims by node index instead of generation order. */
static void
refused_by_index(ec_sim *s, uint64_t *by_index)
{
	size_t words = (s->n + 63) / 64;
	memset(by_index, 0, words * sizeof *by_index);
	for (uint32_t k = 0; k < s->n; k++)
		if (s->refused[k / 64] >> (k % 64) & 1)
			by_index[s->gen[k] / 64] |= 1ull << (s->gen[k] % 64);
	memcpy(s->refused, by_index, words * sizeof *by_index);
}

ec_err
ecsim__network_build(ec_sim *s, const uint64_t *gen_ids)
{
	const ec_protocol *p = s->cfg.protocol;
	/* nodes tick in ascending id order (the reference keeps them in an
	 * ordered map); gen[] keeps the generation order for target draws */
	sim_progress(&s->cfg.hooks, "sorting node ids", 0, s->n);
	memcpy(s->ids, gen_ids, s->n * sizeof *s->ids);
	qsort(s->ids, s->n, sizeof *s->ids, ecsim__cmp_u64);
	for (uint32_t i = 1; i < s->n; i++)
		if (s->ids[i - 1] == s->ids[i])
			return EC_EINVAL; /* duplicate node id: astronomically rare */
	ec_err err = build_index(s);
	if (err)
		return err;
	for (uint32_t k = 0; k < s->n; k++) {
		uint32_t i = 0;
		(void)node_index(s, gen_ids[k], &i);
		s->gen[k] = i;
	}
	if (s->refused) /* the peer_buf is free until the topology draw */
		refused_by_index(s, s->peer_buf);
	if ((err = ecsim__byz_choose(s)))
		return err;
	if (s->open) /* only the starting nodes are there yet */
		return ecsim__open_build(s);
	sim_progress(&s->cfg.hooks, "initialising nodes", 0, s->n);
	for (uint32_t i = 0; i < s->n; i++) {
		s->views[i] = (ec_memstore_view){owner(s, i)->store, i, 0};
		if ((err = p->node_init(node_at(s, i), s->ids[i], s->cfg.protocol_config)))
			return err;
		ecsim__byz_attach(s, i);
	}
	if (ec_topology_bounded(s->cfg.topology.kind))
		return ec_topology_draw_bounded(&s->rng, &s->cfg.topology, s->n, emit_bounded, s,
		                                &s->cfg.hooks);
	return ec_topology_draw(&s->rng, &s->cfg.topology, gen_ids, s->n, s->gen, s->rows, s->words,
	                        &s->cfg.hooks);
}
