/* SPDX-License-Identifier: MIT */
/*
 * The daemon's own records (lmstore.h): meta values, peers and the store's
 * figures, all in the tick's transaction.
 */
#include "lmstore_int.h"

#include <string.h>

/* Whether name is 1..ECN_LMSTORE_NAME_MAX printable ASCII characters. */
static bool
name_ok(const char *name, size_t *len)
{
	if (!name)
		return false;
	size_t n = 0;
	for (; name[n]; n++)
		if (n == ECN_LMSTORE_NAME_MAX || name[n] < 0x21 || name[n] > 0x7E)
			return false;
	*len = n;
	return n > 0;
}

ec_err
ecn_lmstore_meta_get(ecn_lmstore *s, const char *name, void *buf, size_t cap, size_t *len)
{
	size_t n;
	*len = 0;
	if (!name_ok(name, &n))
		return EC_EINVAL;
	MDB_txn *txn;
	ec_err e = ecn__txn(s, "meta_get", &txn);
	if (e)
		return e;
	MDB_val k = {n, ecn__unconst(name)}, v;
	int rc = mdb_get(txn, s->dbi[ECN_DB_META], &k, &v);
	if (rc == MDB_NOTFOUND)
		return EC_ENOTFOUND;
	if (rc)
		return ecn__fail(s, "meta_get", rc);
	*len = v.mv_size;
	if (cap < v.mv_size)
		return EC_ERANGE;
	if (v.mv_size)
		memcpy(buf, v.mv_data, v.mv_size);
	return EC_OK;
}

ec_err
ecn_lmstore_meta_put(ecn_lmstore *s, const char *name, const void *value, size_t len)
{
	size_t n;
	if (!name_ok(name, &n) || strcmp(name, ECN_SCHEMA_KEY) == 0 ||
	    len > ECN_LMSTORE_META_MAX || (len && !value))
		return EC_EINVAL;
	return ecn__put(s, "meta_put", ECN_DB_META, name, n, value, len);
}

ec_err
ecn_lmstore_peer_put(ecn_lmstore *s, uint64_t pos, const void *value, size_t len)
{
	uint8_t k[8];
	if (len > ECN_LMSTORE_PEER_MAX || (len && !value))
		return EC_EINVAL;
	ecn__be64_put(k, pos);
	return ecn__put(s, "peer_put", ECN_DB_PEERS, k, sizeof k, value, len);
}

ec_err
ecn_lmstore_peer_del(ecn_lmstore *s, uint64_t pos)
{
	uint8_t kb[8];
	MDB_txn *txn;
	ec_err e = ecn__txn(s, "peer_del", &txn);
	if (e)
		return e;
	ecn__be64_put(kb, pos);
	MDB_val k = {sizeof kb, kb};
	int rc = mdb_del(txn, s->dbi[ECN_DB_PEERS], &k, NULL);
	return rc && rc != MDB_NOTFOUND ? ecn__fail(s, "peer_del", rc) : EC_OK;
}

ec_err
ecn_lmstore_peer_foreach(ecn_lmstore *s, ecn_lmstore_peer_fn fn, void *user)
{
	if (!fn)
		return EC_EINVAL;
	MDB_txn *txn;
	MDB_cursor *c;
	ec_err e = ecn__txn(s, "peer_foreach", &txn);
	if (e)
		return e;
	int rc = mdb_cursor_open(txn, s->dbi[ECN_DB_PEERS], &c);
	if (rc)
		return ecn__fail(s, "peer_foreach", rc);
	MDB_val k, v;
	while ((rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0)
		if (k.mv_size == 8 && !fn(user, ecn__be64_get(k.mv_data), v.mv_data, v.mv_size))
			break;
	mdb_cursor_close(c);
	return rc && rc != MDB_NOTFOUND ? ecn__fail(s, "peer_foreach", rc) : EC_OK;
}

ec_err
ecn_lmstore_stats(ecn_lmstore *s, ecn_lmstore_stat *out)
{
	*out = (ecn_lmstore_stat){0};
	MDB_txn *txn;
	ec_err e = ecn__txn(s, "stats", &txn);
	if (e)
		return e;
	uint64_t *n[ECN_DB_COUNT] = {&out->tokens, &out->blocks, &out->votes, &out->peers,
	                             &out->meta};
	MDB_stat st;
	MDB_envinfo info;
	int rc = 0;
	for (int d = 0; d < ECN_DB_COUNT && !rc; d++)
		if (!(rc = mdb_stat(txn, s->dbi[d], &st)))
			*n[d] = st.ms_entries;
	if (rc || (rc = mdb_env_stat(s->env, &st)) || (rc = mdb_env_info(s->env, &info))) {
		*out = (ecn_lmstore_stat){0};
		return ecn__fail(s, "stats", rc);
	}
	out->page_bytes = st.ms_psize;
	out->used_bytes = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
	out->map_bytes = info.me_mapsize;
	return EC_OK;
}
