/* SPDX-License-Identifier: MIT */
/*
 * ecctl's wallet: one Ed25519 key in a small text file, readable by its
 * owner only.  The file is three lines:
 *
 *     ecctl-wallet v1
 *     seed <64 lower- or upper-case hex digits: the 32-byte secret seed>
 *     pk <64 hex digits: the public key the seed derives>
 *
 * The public key is redundant on purpose: a wallet whose pk does not match
 * its seed is corrupt (a damaged or hand-edited file) and is refused
 * rather than signing with a key nobody expects.  Like ssh with its keys,
 * a wallet file that group or others may read is refused as well, and one
 * that is not a regular file.
 *
 * Files are written complete or not at all: into a temporary file (mode
 * 0600) beside the wallet, synced, then linked (no overwrite) or renamed
 * (--force) to its name.  Missing directories on the way are created with
 * mode 0700.
 *
 * Errors are values (ecctl_wallet_status); for ECCTL_WALLET_IO errno says
 * why.  Nothing here prints or exits.  An ecctl_wallet holds the secret:
 * callers wipe it with ecctl_wallet_wipe when done.  ec_sig_init() must
 * have succeeded before any function that derives or draws a key.
 */
#ifndef ECCTL_WALLET_H
#define ECCTL_WALLET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ec/id.h"
#include "ec/sig.h"

/* Largest wallet file read (a valid one is 154 bytes). */
#define ECCTL_WALLET_FILE_MAX 4096u

typedef struct ecctl_wallet {
	uint8_t seed[EC_SIG_SEED_BYTES];
	uint8_t pk[EC_SIG_PK_BYTES];
	uint8_t sk[EC_SIG_SK_BYTES];
} ecctl_wallet;

typedef enum ecctl_wallet_status {
	ECCTL_WALLET_OK = 0,
	ECCTL_WALLET_NOT_FOUND, /* no file at the path */
	ECCTL_WALLET_EXISTS,    /* save without force: a file is already there */
	ECCTL_WALLET_PERMS,     /* load: group or others may read or write it */
	ECCTL_WALLET_NOT_FILE,  /* load: not a regular file */
	ECCTL_WALLET_CORRUPT,   /* load, parse: not the format above (or larger
	                           than ECCTL_WALLET_FILE_MAX) */
	ECCTL_WALLET_MISMATCH,  /* load, parse: pk is not the seed's key */
	ECCTL_WALLET_IO         /* a system call failed: errno says why */
} ecctl_wallet_status;

/* Returns a static description of s ("wallet file is readable by group or
 * others (chmod 600 it)", ...); never NULL. */
const char *ecctl_wallet_strerror(ecctl_wallet_status s);

/* Draws a fresh seed (libsodium's randombytes) and derives its keys. */
void ecctl_wallet_generate(ecctl_wallet *w);

/* Derives w->pk and w->sk from seed (Ed25519). */
void ecctl_wallet_from_seed(const uint8_t seed[EC_SIG_SEED_BYTES], ecctl_wallet *w);

/* Writes the hash that names w's key as a token's next key
 * (ec_key_hash of w->pk). */
void ecctl_wallet_key_hash(const ecctl_wallet *w, ec_id *out);

/* Parses a wallet file's text (len bytes; no NUL needed).  The final
 * newline may be missing; nothing else may differ from the format above.
 * Out: *w; unspecified (and wiped) on failure.
 * Returns ECCTL_WALLET_OK, ECCTL_WALLET_CORRUPT or ECCTL_WALLET_MISMATCH. */
ecctl_wallet_status ecctl_wallet_parse(const char *text, size_t len, ecctl_wallet *w);

/* Formats w as a wallet file's text into out (cap bytes, NUL-terminated).
 * Returns the text's length, or 0 if cap is too small (ECCTL_WALLET_TEXT
 * always suffices). */
#define ECCTL_WALLET_TEXT 160u
size_t ecctl_wallet_format(const ecctl_wallet *w, char *out, size_t cap);

/* Loads the wallet file at path.
 * Out: *w; wiped on failure.
 * Returns ECCTL_WALLET_OK, _NOT_FOUND, _PERMS, _NOT_FILE, _CORRUPT,
 *         _MISMATCH or _IO. */
ecctl_wallet_status ecctl_wallet_load(const char *path, ecctl_wallet *w);

/* Saves w to path (mode 0600), creating missing directories (mode 0700).
 * Without force an existing file is left alone.
 * Returns ECCTL_WALLET_OK, ECCTL_WALLET_EXISTS (force false) or
 *         ECCTL_WALLET_IO; on failure no file at path was changed. */
ecctl_wallet_status ecctl_wallet_save(const ecctl_wallet *w, const char *path, bool force);

/* The wallet path to use when none is given: $ECCTL_WALLET if set and not
 * empty, else $HOME/.ecctl/wallet (the password database's home directory
 * if HOME is unset).
 * Returns a string the caller frees, or NULL if out of memory or no home
 * directory is known. */
char *ecctl_wallet_default_path(void);

/* Overwrites w with zeros (a write the compiler keeps). */
void ecctl_wallet_wipe(ecctl_wallet *w);

#endif
