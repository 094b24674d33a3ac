/* SPDX-License-Identifier: MIT */
/*
 * Opening and closing the store, the tick transaction, commit, release and
 * the failed state (lmstore.h).
 */
#include "lmstore_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const ecn__db_names[ECN_DB_COUNT] = {"tokens", "blocks", "votes", "peers", "meta"};

/* Writes a sentence to err (errlen bytes; nothing when errlen is 0). */
__attribute__((format(printf, 3, 4))) static void
say(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- the failed state ---- */

static void
note(ecn_lmstore *s, const char *op, int rc, const char *text)
{
	s->last.code = rc;
	s->last.op = op;
	snprintf(s->last.text, sizeof s->last.text, "%s", text);
}

ec_err
ecn__fail_text(ecn_lmstore *s, const char *op, int rc, const char *text)
{
	note(s, op, rc, text);
	if (s->txn) {
		mdb_txn_abort(s->txn);
		s->txn = NULL;
	}
	s->failed = true;
	s->fail_err = rc == MDB_MAP_FULL ? EC_EFULL : EC_EIO;
	return s->fail_err;
}

ec_err
ecn__fail(ecn_lmstore *s, const char *op, int rc)
{
	return ecn__fail_text(s, op, rc, mdb_strerror(rc));
}

ec_err
ecn__txn(ecn_lmstore *s, const char *op, MDB_txn **txn)
{
	*txn = NULL;
	if (s->failed)
		return s->fail_err;
	if (!s->txn) {
		int rc = mdb_txn_begin(s->env, NULL, 0, &s->txn);
		if (rc) {
			s->txn = NULL;
			return ecn__fail(s, op, rc);
		}
	}
	*txn = s->txn;
	return EC_OK;
}

ec_err
ecn__put(ecn_lmstore *s, const char *op, int d, const void *key, size_t klen, const void *val,
         size_t vlen)
{
	MDB_txn *txn;
	ec_err e = ecn__txn(s, op, &txn);
	if (e)
		return e;
	MDB_val k = {klen, ecn__unconst(key)}, v = {vlen, ecn__unconst(val)};
	int rc = mdb_put(txn, s->dbi[d], &k, &v, 0);
	return rc ? ecn__fail(s, op, rc) : EC_OK;
}

bool
ecn_lmstore_failed(const ecn_lmstore *s)
{
	return s->failed;
}

const ecn_lmstore_error *
ecn_lmstore_last_error(const ecn_lmstore *s)
{
	return &s->last;
}

ec_err
ecn_lmstore_commit(ecn_lmstore *s)
{
	if (s->failed)
		return s->fail_err;
	if (!s->txn)
		return EC_OK;
	int rc = mdb_txn_commit(s->txn);
	s->txn = NULL; /* freed by the commit, whatever its result */
	return rc ? ecn__fail(s, "commit", rc) : EC_OK;
}

void
ecn_lmstore_release(ecn_lmstore *s)
{
	ecn__memory_reset(s, false);
}

/* ---- opening ---- */

/* Makes sure dir exists (creating it 0700), is a directory, is ours and
 * is not writable by others. */
static ec_err
check_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	if (stat(dir, &st) != 0) {
		if (errno != ENOENT || mkdir(dir, 0700) != 0 || stat(dir, &st) != 0) {
			say(err, errlen, "cannot create or read the store directory %s: %s", dir,
			    strerror(errno));
			return EC_EIO;
		}
	}
	if (!S_ISDIR(st.st_mode)) {
		say(err, errlen, "the store path %s is not a directory", dir);
		return EC_EINVAL;
	}
	if (st.st_uid != geteuid()) {
		say(err, errlen, "the store directory %s belongs to user %lu, not to this user (%lu)",
		    dir, (unsigned long)st.st_uid, (unsigned long)geteuid());
		return EC_EINVAL;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		say(err, errlen,
		    "the store directory %s is writable by its group or others (mode %03o): "
		    "run chmod go-w on it",
		    dir, (unsigned)(st.st_mode & 0777));
		return EC_EINVAL;
	}
	return EC_OK;
}

static ec_err
lmdb_err(int rc, const char *what, const char *dir, char *err, size_t errlen)
{
	say(err, errlen, "%s of the store %s failed: %s", what, dir, mdb_strerror(rc));
	if (rc == ENOMEM)
		return EC_ENOMEM;
	return rc == MDB_MAP_FULL ? EC_EFULL : EC_EIO;
}

static ec_err
env_open(ecn_lmstore *s, const char *dir, size_t map_bytes, unsigned flags, char *err,
         size_t errlen)
{
	int rc = mdb_env_create(&s->env);
	if (rc) {
		s->env = NULL;
		return lmdb_err(rc, "creating the environment", dir, err, errlen);
	}
	unsigned mflags = MDB_NOTLS | (flags & ECN_LMSTORE_NOSYNC ? MDB_NOSYNC : 0u);
	if ((rc = mdb_env_set_maxdbs(s->env, ECN_DB_COUNT)) ||
	    (rc = mdb_env_set_mapsize(s->env, map_bytes)) ||
	    (rc = mdb_env_open(s->env, dir, mflags, 0600)))
		return lmdb_err(rc, "opening the environment", dir, err, errlen);
	return EC_OK;
}

/* Whether every database is empty (a store being created). */
static bool
empty(const ecn_lmstore *s, MDB_txn *txn)
{
	MDB_stat st;
	for (int d = 0; d < ECN_DB_COUNT; d++)
		if (mdb_stat(txn, s->dbi[d], &st) || st.ms_entries)
			return false;
	return true;
}

/* Checks the schema of a store that has one, or writes ours into a store
 * that has none. */
static ec_err
schema(ecn_lmstore *s, MDB_txn *txn, const char *dir, char *err, size_t errlen)
{
	MDB_val k = {sizeof ECN_SCHEMA_KEY - 1, ecn__unconst(ECN_SCHEMA_KEY)}, v;
	int rc = mdb_get(txn, s->dbi[ECN_DB_META], &k, &v);
	if (rc == 0) {
		if (v.mv_size == 4 && ecn__be32_get(v.mv_data) == ECN_LMSTORE_SCHEMA)
			return EC_OK;
		say(err, errlen, "the store %s has an unknown schema (%s %u; this build reads %u)", dir,
		    v.mv_size == 4 ? "version" : "a value of length",
		    v.mv_size == 4 ? ecn__be32_get(v.mv_data) : (unsigned)v.mv_size,
		    ECN_LMSTORE_SCHEMA);
		return EC_EINVAL;
	}
	if (rc != MDB_NOTFOUND)
		return lmdb_err(rc, "reading the schema", dir, err, errlen);
	if (!empty(s, txn)) {
		say(err, errlen, "the store %s holds data but no schema version: refusing to guess", dir);
		return EC_EINVAL;
	}
	uint8_t ver[4];
	ecn__be32_put(ver, ECN_LMSTORE_SCHEMA);
	v = (MDB_val){sizeof ver, ver};
	if ((rc = mdb_put(txn, s->dbi[ECN_DB_META], &k, &v, 0)))
		return lmdb_err(rc, "writing the schema", dir, err, errlen);
	return EC_OK;
}

/* Opens (creating) the databases and checks the schema, in one committed
 * transaction. */
static ec_err
dbs_open(ecn_lmstore *s, const char *dir, char *err, size_t errlen)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
	if (rc)
		return lmdb_err(rc, "starting a transaction", dir, err, errlen);
	for (int d = 0; d < ECN_DB_COUNT; d++)
		if ((rc = mdb_dbi_open(txn, ecn__db_names[d], MDB_CREATE, &s->dbi[d]))) {
			mdb_txn_abort(txn);
			return lmdb_err(rc, "opening a database", dir, err, errlen);
		}
	ec_err e = schema(s, txn, dir, err, errlen);
	if (e) {
		mdb_txn_abort(txn);
		return e;
	}
	if ((rc = mdb_txn_commit(txn)))
		return lmdb_err(rc, "the first commit", dir, err, errlen);
	return EC_OK;
}

ec_err
ecn_lmstore_open(const char *dir, size_t map_bytes, unsigned flags, ecn_lmstore **out,
                 char *err, size_t errlen)
{
	say(err, errlen, "%s", "");
	if (out)
		*out = NULL;
	if (!dir || !out || (flags & ~ECN_LMSTORE_NOSYNC)) {
		say(err, errlen, "ecn_lmstore_open: a NULL argument or unknown flags");
		return EC_EINVAL;
	}
	ec_err e = check_dir(dir, err, errlen);
	if (e)
		return e;
	ecn_lmstore *s = calloc(1, sizeof *s);
	if (!s) {
		say(err, errlen, "out of memory opening the store %s", dir);
		return EC_ENOMEM;
	}
	e = env_open(s, dir, map_bytes ? map_bytes : ECN_LMSTORE_MAP_DEFAULT, flags, err, errlen);
	if (!e)
		e = dbs_open(s, dir, err, errlen);
	if (e) {
		ecn_lmstore_close(s);
		return e;
	}
	*out = s;
	return EC_OK;
}

void
ecn_lmstore_close(ecn_lmstore *s)
{
	if (!s)
		return;
	if (s->txn)
		mdb_txn_abort(s->txn);
	if (s->env)
		mdb_env_close(s->env);
	ecn__memory_reset(s, true);
	free(s->scratch);
	free(s);
}
