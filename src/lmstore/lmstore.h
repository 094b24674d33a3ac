/* SPDX-License-Identifier: MIT */
/*
 * eclmstore: the node daemon's persistent store, an LMDB environment behind
 * the ec protocol's storage seam (ecp_store_ops, ec/ecp.h).
 *
 * Layout.  A directory DIR holds data.mdb and lock.mdb and five named
 * databases, every key and integer big-endian so that LMDB's byte order is
 * numeric order (for ids: ring order by position, then the full id):
 *
 *   tokens  token id (32)           -> block id (32) || time (u64)
 *   blocks  block id (32)           -> u32 length L || block encoding (L
 *                                      bytes, docs/wire.md) || certificate
 *                                      encoding (absent when the block was
 *                                      put without one)
 *   votes   token (32) || parent (32) -> block id (32) || submitter
 *                                      (u64) || role (u16): this node's yes
 *                                      (ecp_xvote; 32 bytes, the block
 *                                      alone, in stores from before)
 *   peers   ring position (u64)     -> opaque, at most ECN_LMSTORE_PEER_MAX
 *   meta    short ASCII name        -> opaque; "schema" (u32) is the store's
 *
 * Ticks.  Every access (the ecp ops and the helpers below) joins ONE write
 * transaction, opened by the first access after a commit, so reads see the
 * tick's own writes.  ecn_lmstore_commit makes it durable (mdb_txn_commit,
 * which fsyncs unless ECN_LMSTORE_NOSYNC).  The daemon commits at the end
 * of each tick before any datagram of the tick leaves (durable before
 * send), so nothing it said can be forgotten by a crash; what it had not
 * committed is lost, which the protocol treats as lost messages.
 *
 * Failure.  An LMDB error (the map full, an I/O error, a corrupted page or
 * value) aborts the tick's transaction, records the cause
 * (ecn_lmstore_last_error) and puts the store in a failed state: writes and
 * commits return the same error again, the ecp ops' reads answer "not
 * found", until the store is closed and reopened.  The daemon checks
 * ecn_lmstore_failed and stops cleanly.  Writes committed earlier are
 * intact: LMDB never overwrites committed pages.
 *
 * Not thread safe: one thread uses a store.  Do not open one directory
 * twice in one process (LMDB's locks are per process), not even with
 * ecn_lmstore_check; other processes may read it meanwhile.  The tick's
 * transaction holds LMDB's writer lock from its first access to its
 * commit, so a second process writing the same store would wait for it:
 * the daemon keeps others out of its directory itself.
 */
#ifndef ECN_LMSTORE_H
#define ECN_LMSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/ecp.h"
#include "ec/err.h"
#include "ec/sig.h"

#define ECN_LMSTORE_SCHEMA 1u                  /* the layout above */
#define ECN_LMSTORE_MAP_DEFAULT ((size_t)1 << 30) /* 1 GiB */
#define ECN_LMSTORE_PEER_MAX 256u              /* bytes of a peer value */
#define ECN_LMSTORE_NAME_MAX 64u               /* bytes of a meta name */
#define ECN_LMSTORE_META_MAX 65536u            /* bytes of a meta value */

/* Open flags. */
#define ECN_LMSTORE_NOSYNC 1u /* tests and benchmarks only: commits do not
                                 fsync (MDB_NOSYNC).  A killed process
                                 loses nothing it committed; a power cut
                                 may undo the last commits. */

typedef struct ecn_lmstore ecn_lmstore;

/* Opens the store in dir, creating dir (mode 0700, its parent must exist)
 * and the databases when missing.
 * In:  dir: the directory (borrowed); it must be a directory owned by this
 *      user and not writable by group or others.  map_bytes: the most the
 *      store may grow to (0: ECN_LMSTORE_MAP_DEFAULT; an existing store
 *      keeps its larger size).  flags: ECN_LMSTORE_* bits.
 * Out: *out: the store, the caller's, released with ecn_lmstore_close;
 *      NULL on error.  err: errlen bytes (err may be NULL when errlen is
 *      0) receive a sentence naming the problem on error.
 * Returns EC_OK; EC_EINVAL (a NULL argument, unknown flags, dir not a
 *         directory, owned by another user or group/world writable, a
 *         store of an unknown schema, or one that holds data but no
 *         schema); EC_EIO (dir could not be created, or the file system or
 *         LMDB failed); EC_EFULL (the map is too small to set the store
 *         up); EC_ENOMEM.  Nothing is left open on error. */
EC_WUR ec_err ecn_lmstore_open(const char *dir, size_t map_bytes, unsigned flags,
                               ecn_lmstore **out, char *err, size_t errlen);

/* Aborts the open transaction (its writes are lost), closes the
 * environment and frees everything, the decoded blocks included.  Accepts
 * NULL. */
void ecn_lmstore_close(ecn_lmstore *s);

/* The ec protocol's operations over a store: the daemon builds
 * ec_store{ecn_lmstore_ops(), store}.  All of ecp_store_ops are provided,
 * xvote_get/xvote_put included.  Semantics as the memstore's, with these
 * additions:
 *  - xblock_get decodes into memory the store owns.  The block (with its
 *    id computed, and time the block's encoded creation time) and the
 *    certificate (NULL if the block was put without one) stay valid and
 *    unchanged until the next ecn_lmstore_release or ecn_lmstore_close,
 *    across commits and later writes of the same id; not longer (this is
 *    stricter than the memstore's "as long as the store").
 *  - xblock_put refuses (EC_EINVAL, the store stays usable) a NULL block,
 *    a block whose id is not its content hash, or a block or certificate
 *    that cannot be encoded (ec_wire_block_check, ec_wire_cert_check).
 *  - Writes return EC_EFULL when the map is full, EC_EIO for any other
 *    LMDB failure, EC_ENOMEM when an allocation failed; the first two put
 *    the store in the failed state (see the top), the last does not.
 *  - Reads answer "not found" (false, 0) in the failed state, and when
 *    LMDB fails or a stored entry is malformed (either enters it, with
 *    MDB_CORRUPTED for a malformed entry).  xblock_get also answers false
 *    when memory for the decoded copy runs out (last_error: ENOMEM; the
 *    store goes on).  xblock_get with both out pointers NULL only looks.
 *  - xblock_prefetch is NULL.
 * Cannot fail; the table is static. */
const ecp_store_ops *ecn_lmstore_ops(void);

/* Commits the tick's transaction durably.  No transaction open: nothing
 * to do, EC_OK.
 * Returns EC_OK; in the failed state, or when the commit fails (which
 * enters it), EC_EFULL (the map is full) or EC_EIO: the tick's writes are
 * lost and nothing of the tick may be sent. */
EC_WUR ec_err ecn_lmstore_commit(ecn_lmstore *s);

/* Frees the blocks and certificates xblock_get returned: call it once the
 * tick's sends are encoded.  Every such pointer is invalid afterwards
 * (under AddressSanitizer, reading one is reported).  Cannot fail. */
void ecn_lmstore_release(ecn_lmstore *s);

/* Whether the store is in the failed state (see the top). */
bool ecn_lmstore_failed(const ecn_lmstore *s);

/* The last error an LMDB call, a malformed stored entry or a failed
 * allocation caused. */
typedef struct ecn_lmstore_error {
	int code;       /* the LMDB or errno code (MDB_MAP_FULL, EIO, ENOMEM,
	                   MDB_CORRUPTED for a malformed entry, ...); 0: none */
	const char *op; /* static: the operation ("xtoken_put", "commit") */
	char text[320]; /* mdb_strerror(code), or the entry's database, key
	                   in hex and what is wrong with it */
} ecn_lmstore_error;

/* Returns the last error (code 0, op NULL and empty text if none): a
 * pointer into s, valid until s is closed; a later error overwrites it. */
const ecn_lmstore_error *ecn_lmstore_last_error(const ecn_lmstore *s);

/* ---- the daemon's records (all in the tick's transaction: durable at the
 * next ecn_lmstore_commit) ---------------------------------------------- */

/* Reads meta value name.
 * In:  name: NUL-terminated, 1..ECN_LMSTORE_NAME_MAX printable ASCII.
 * Out: buf[0 .. *len-1]: the value (cap bytes available; buf may be NULL
 *      when cap is 0); *len (len not NULL): its length, also when it did
 *      not fit.
 * Returns EC_OK; EC_ENOTFOUND (no such name; *len 0); EC_ERANGE (cap <
 *         *len: nothing copied); EC_EINVAL (a bad name); in the failed
 *         state or on an LMDB failure, EC_EFULL or EC_EIO. */
EC_WUR ec_err ecn_lmstore_meta_get(ecn_lmstore *s, const char *name, void *buf, size_t cap,
                                   size_t *len);

/* Writes (or overwrites) meta value name: len (<= ECN_LMSTORE_META_MAX)
 * bytes of value (borrowed).
 * Returns EC_OK; EC_EINVAL (a bad name, "schema", which the store keeps,
 *         or len too long); EC_EFULL, EC_EIO as a write op (failed state). */
EC_WUR ec_err ecn_lmstore_meta_put(ecn_lmstore *s, const char *name, const void *value,
                                   size_t len);

/* Writes (or overwrites) the peer at ring position pos: len (<=
 * ECN_LMSTORE_PEER_MAX) bytes of value (borrowed).
 * Returns EC_OK; EC_EINVAL (len too long); EC_EFULL, EC_EIO as a write
 *         op. */
EC_WUR ec_err ecn_lmstore_peer_put(ecn_lmstore *s, uint64_t pos, const void *value, size_t len);

/* Deletes the peer at pos; a peer that is not there is not an error.
 * Returns EC_OK; EC_EFULL, EC_EIO as a write op. */
EC_WUR ec_err ecn_lmstore_peer_del(ecn_lmstore *s, uint64_t pos);

/* Called for each peer in ascending position; value (len bytes) is valid
 * during the call only.  Return true to go on, false to stop.  It must
 * not call functions of the store. */
typedef bool (*ecn_lmstore_peer_fn)(void *user, uint64_t pos, const void *value, size_t len);

/* Calls fn(user, ...) for every peer, in ascending position (entries
 * whose key is not 8 bytes, which only a damaged store has, skipped).
 * Returns EC_OK (also when fn stopped); EC_EINVAL (fn NULL); EC_EFULL,
 *         EC_EIO in the failed state or on an LMDB failure. */
EC_WUR ec_err ecn_lmstore_peer_foreach(ecn_lmstore *s, ecn_lmstore_peer_fn fn, void *user);

typedef struct ecn_lmstore_stat {
	uint64_t tokens, blocks, votes, peers, meta; /* entries, as the tick
	                                                sees them */
	uint64_t used_bytes; /* the file's high-water mark at the last commit:
	                        (last page number + 1) x page size; free pages
	                        below it are reused before it grows */
	uint64_t map_bytes;  /* the map size: the most used_bytes can reach */
	uint32_t page_bytes;
} ecn_lmstore_stat;

/* Writes the store's figures to *out (joins the tick's transaction).
 * Returns EC_OK; EC_EFULL, EC_EIO in the failed state or on an LMDB
 *         failure (*out is then zeroed). */
EC_WUR ec_err ecn_lmstore_stats(ecn_lmstore *s, ecn_lmstore_stat *out);

/* ---- the verifier (ecnode --check) ------------------------------------- */

/* Receives one problem: a sentence naming the database and the key in hex
 * (valid during the call only). */
typedef void (*ecn_lmstore_report_fn)(void *user, const char *sentence);

typedef struct ecn_lmstore_summary {
	uint64_t tokens, blocks, votes, peers, meta; /* entries read */
	uint64_t parts_checked;    /* parts checked against a stored parent */
	uint64_t certless;         /* blocks stored without a certificate */
	uint64_t chains_complete;  /* tokens whose chain walks back to a create */
	uint64_t chains_partial;   /* tokens whose chain stops at a block not
	                              stored (normal after a catch-up) or
	                              not readable (then reported) */
	uint64_t problems;         /* sentences reported */
} ecn_lmstore_summary;

/* Checks the store in dir, read only (one read transaction; a store left
 * by a killed process is fine: LMDB needs no recovery).  A problem is:
 * the environment cannot be opened or a database is missing; no schema or
 * an unknown one; a key or value of the wrong size; a blocks value whose
 * block or certificate does not decode (ec_wire_block_decode,
 * ec_wire_cert_decode, ec_wire_cert_check against its part count), or
 * whose key is not the block's content id; a part whose parent block is
 * stored but which fails ecp_part_check against it under scheme (a parent
 * without a part for the token included; creates are checked too); a
 * token mapped to a block that is not stored, that has no part for it, or
 * whose time is not the mapping's; a vote record naming a stored block
 * that has no part for (token, parent).  A vote record naming a block not
 * stored is fine.  Each problem is reported once through report and
 * counted; with no schema or an unknown one nothing more is read.  The
 * check writes nothing but LMDB's lock file (created if missing).
 * In:  dir: borrowed.  scheme: the signature scheme of the network
 *      (ec_sig_ed25519 in the daemon, after ec_sig_init).  report: may be
 *      NULL (problems are then only counted); user: passed to it.
 * Out: *out: the counts (also when the store could not be opened).
 * Returns EC_OK when the check ran, whatever it found (the caller exits 0
 *         if out->problems is 0); EC_EINVAL (dir, scheme or out NULL);
 *         EC_ENOMEM (its buffers could not be allocated: nothing was
 *         checked). */
EC_WUR ec_err ecn_lmstore_check(const char *dir, const ec_sig_scheme *scheme,
                                ecn_lmstore_report_fn report, void *user,
                                ecn_lmstore_summary *out);

#endif
