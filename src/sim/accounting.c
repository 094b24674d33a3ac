/* SPDX-License-Identifier: MIT */
/* The figures of a simulator result: latencies, conflict outcomes, degrees. */
#include <stdlib.h>
#include <string.h>

#include "ecsim/summary.h"
#include "byzantine.h"
#include "open.h"

int
ecsim__cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

int
ecsim__cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

bool
ecsim__counted(const ec_sim *s, uint32_t i)
{
	return !s->open || open_up(s->open, i);
}

void
ecsim__degrees(ec_sim *s)
{
	s->res.degree_min = UINT64_MAX;
	uint64_t dsum = 0, n = 0;
	for (uint32_t i = 0; i < s->n; i++) {
		if (!ecsim__counted(s, i))
			continue;
		uint64_t d = ecsim__node_degree(s, i);
		dsum += d;
		n++;
		s->res.degree_min = d < s->res.degree_min ? d : s->res.degree_min;
		s->res.degree_max = d > s->res.degree_max ? d : s->res.degree_max;
	}
	s->res.degree_avg = n ? (double)dsum / (double)n : 0.0;
}

ec_err
ecsim__latency_stats(const uint64_t *lat, size_t n, ec_latency_stats *st)
{
	memset(st, 0, sizeof *st);
	if (!n)
		return EC_OK;
	uint64_t *v = malloc(n * sizeof *v);
	if (!v)
		return EC_ENOMEM;
	memcpy(v, lat, n * sizeof *v);
	qsort(v, n, sizeof *v, ecsim__cmp_u64);
	uint64_t tot = 0;
	for (size_t i = 0; i < n; i++)
		tot += v[i];
	st->count = n;
	st->mean = (double)tot / (double)n;
	st->p50 = ec_nearest_rank_u64(v, n, 50);
	st->p95 = ec_nearest_rank_u64(v, n, 95);
	st->p99 = ec_nearest_rank_u64(v, n, 99);
	st->max = v[n - 1];
	free(v);
	return EC_OK;
}

ec_err
ec_sim_result_get(const ec_sim *s, ec_sim_result *res)
{
	*res = s->res;
	for (uint32_t k = 0; k < s->nw; k++) {
		for (int e = 0; e < EC_EV_COUNT; e++)
			res->events[e] += s->w[k].events[e];
		for (int e = 0; e < 16; e++)
			res->rejects[e] += s->w[k].rejects[e];
		res->negative_commits += s->w[k].negative;
	}
	res->uncommitted = 0;
	for (size_t i = 0; i < s->nout; i++)
		if (s->out[i].created >= s->cfg.warmup)
			res->uncommitted++;
	memset(&res->conflicts, 0, sizeof res->conflicts);
	for (size_t f = 0; f < s->nfams; f++) {
		const blkrec *a = &s->recs[s->fams[f].a], *b = &s->recs[s->fams[f].b];
		if (a->created < s->cfg.warmup)
			continue;
		const blkrec *hi = a->id > b->id ? a : b, *lo = a->id > b->id ? b : a;
		res->conflicts.families++;
		if (hi->ncommits && lo->ncommits)
			res->conflicts.both++;
		else if (hi->ncommits)
			res->conflicts.highest_wins++;
		else if (lo->ncommits)
			res->conflicts.lower_wins++;
		else
			res->conflicts.stalled++;
	}
	uint64_t sum = 0, n = 0;
	res->peers_min = UINT64_MAX;
	res->peers_max = 0;
	for (uint32_t i = 0; i < s->n; i++) {
		if (!ecsim__counted(s, i))
			continue;
		uint64_t d = ecsim__node_degree(s, i);
		sum += d;
		n++;
		res->peers_min = d < res->peers_min ? d : res->peers_min;
		res->peers_max = d > res->peers_max ? d : res->peers_max;
	}
	res->peers_avg = n ? (double)sum / (double)n : 0.0;
	ecsim__byz_result(s, &res->byz);
	ec_err err = ecsim__latency_stats(s->latencies, s->nlat, &res->latency);
	if (err || (s->open && (err = ecsim__truth_result(s, &res->open))))
		return err;
	uint64_t *all = malloc((s->nrecs ? s->nrecs : 1) * sizeof *all);
	if (!all)
		return EC_ENOMEM;
	size_t nall = 0;
	for (size_t i = 0; i < s->nrecs; i++)
		if (s->recs[i].all_round && s->recs[i].created >= s->cfg.warmup)
			all[nall++] = s->recs[i].all_round - s->recs[i].created;
	err = ecsim__latency_stats(all, nall, &res->latency_all);
	free(all);
	return err;
}

uint64_t
ec_sim_round(const ec_sim *s)
{
	return s->round;
}

size_t
ec_sim_queue_len(const ec_sim *s)
{
	return s->q.len;
}

ec_peer_id
ec_sim_peer_id(const ec_sim *s, uint32_t k)
{
	return k < s->n ? s->ids[s->gen[k]] : 0;
}

size_t
ec_sim_degree(const ec_sim *s, uint32_t k)
{
	return k < s->n ? ecsim__node_degree(s, s->gen[k]) : 0;
}

size_t
ec_sim_token_count(const ec_sim *s)
{
	return s->ntokens;
}

ec_token_id
ec_sim_initial_token(const ec_sim *s, size_t i)
{
	return i < s->ntokens ? s->tokens[i].token : 0;
}
