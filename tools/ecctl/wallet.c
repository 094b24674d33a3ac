/* SPDX-License-Identifier: MIT */
/* ecctl's wallet file (wallet.h). */
#include "wallet.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "ec/hex.h"
#include "ec/lifecycle.h"

#define MAGIC "ecctl-wallet v1"

const char *
ecctl_wallet_strerror(ecctl_wallet_status s)
{
	switch (s) {
	case ECCTL_WALLET_OK:
		return "ok";
	case ECCTL_WALLET_NOT_FOUND:
		return "no wallet file (create one with 'ecctl keygen')";
	case ECCTL_WALLET_EXISTS:
		return "a wallet file exists already (keygen --force replaces it)";
	case ECCTL_WALLET_PERMS:
		return "wallet file is accessible by group or others (chmod 600 it)";
	case ECCTL_WALLET_NOT_FILE:
		return "wallet is not a regular file";
	case ECCTL_WALLET_CORRUPT:
		return "wallet file is corrupt (not an 'ecctl-wallet v1' file)";
	case ECCTL_WALLET_MISMATCH:
		return "wallet file is corrupt (its pk is not its seed's public key)";
	case ECCTL_WALLET_IO:
		return "wallet file cannot be read or written";
	}
	return "unknown wallet error";
}

void
ecctl_wallet_from_seed(const uint8_t seed[EC_SIG_SEED_BYTES], ecctl_wallet *w)
{
	memmove(w->seed, seed, EC_SIG_SEED_BYTES);
	ec_sig_ed25519.keypair(w->seed, w->pk, w->sk);
}

void
ecctl_wallet_generate(ecctl_wallet *w)
{
	uint8_t seed[EC_SIG_SEED_BYTES];
	randombytes_buf(seed, sizeof seed);
	ecctl_wallet_from_seed(seed, w);
	sodium_memzero(seed, sizeof seed);
}

void
ecctl_wallet_key_hash(const ecctl_wallet *w, ec_id *out)
{
	ec_key_hash(w->pk, out);
}

void
ecctl_wallet_wipe(ecctl_wallet *w)
{
	sodium_memzero(w, sizeof *w);
}

/* Reads the line "<key> <64 hex>" at text[*pos ..) into out (32 bytes).
 * The newline ends the line; at the end of the text it may be missing. */
static bool
field(const char *text, size_t len, size_t *pos, const char *key, uint8_t out[32])
{
	size_t kl = strlen(key), p = *pos;
	if (len - p < kl + 1 + 64 || memcmp(text + p, key, kl) != 0 || text[p + kl] != ' ')
		return false;
	p += kl + 1;
	char hex[65];
	memcpy(hex, text + p, 64);
	hex[64] = '\0';
	bool ok = ec_hex_decode(hex, out, 32);
	sodium_memzero(hex, sizeof hex);
	if (!ok)
		return false;
	p += 64;
	if (p < len && text[p++] != '\n')
		return false;
	*pos = p;
	return true;
}

ecctl_wallet_status
ecctl_wallet_parse(const char *text, size_t len, ecctl_wallet *w)
{
	const size_t ml = sizeof MAGIC - 1;
	size_t pos = ml + 1;
	uint8_t seed[EC_SIG_SEED_BYTES], pk[EC_SIG_PK_BYTES];
	ecctl_wallet_status st = ECCTL_WALLET_CORRUPT;
	if (len > ml && memcmp(text, MAGIC, ml) == 0 && text[ml] == '\n' &&
	    field(text, len, &pos, "seed", seed) && field(text, len, &pos, "pk", pk) &&
	    pos == len) {
		ecctl_wallet_from_seed(seed, w);
		st = memcmp(pk, w->pk, sizeof pk) == 0 ? ECCTL_WALLET_OK : ECCTL_WALLET_MISMATCH;
	}
	sodium_memzero(seed, sizeof seed);
	if (st)
		ecctl_wallet_wipe(w);
	return st;
}

size_t
ecctl_wallet_format(const ecctl_wallet *w, char *out, size_t cap)
{
	char seed[65], pk[65];
	ec_hex_encode(w->seed, sizeof w->seed, seed);
	ec_hex_encode(w->pk, sizeof w->pk, pk);
	int n = snprintf(out, cap, MAGIC "\nseed %s\npk %s\n", seed, pk);
	sodium_memzero(seed, sizeof seed);
	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			sodium_memzero(out, cap);
		return 0;
	}
	return (size_t)n;
}

ecctl_wallet_status
ecctl_wallet_load(const char *path, ecctl_wallet *w)
{
	ecctl_wallet_wipe(w);
	int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? ECCTL_WALLET_NOT_FOUND : ECCTL_WALLET_IO;
	struct stat st;
	ecctl_wallet_status rc = ECCTL_WALLET_OK;
	if (fstat(fd, &st) != 0)
		rc = ECCTL_WALLET_IO;
	else if (!S_ISREG(st.st_mode))
		rc = ECCTL_WALLET_NOT_FILE;
	else if (st.st_mode & (S_IRWXG | S_IRWXO))
		rc = ECCTL_WALLET_PERMS;
	char buf[ECCTL_WALLET_FILE_MAX + 1];
	size_t len = 0;
	while (!rc) {
		ssize_t r = read(fd, buf + len, sizeof buf - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rc = ECCTL_WALLET_IO;
		else if (r == 0)
			break;
		else if ((len += (size_t)r) == sizeof buf)
			rc = ECCTL_WALLET_CORRUPT; /* larger than any wallet */
	}
	int e = errno;
	close(fd);
	if (!rc)
		rc = ecctl_wallet_parse(buf, len, w);
	sodium_memzero(buf, sizeof buf);
	if (rc)
		ecctl_wallet_wipe(w);
	errno = e;
	return rc;
}

/* Creates the directories leading to path's last component that do not
 * exist, with mode 0700.  Returns 0, or -1 with errno. */
static int
make_parents(const char *path)
{
	char *p = strdup(path);
	if (!p)
		return -1;
	int rc = 0;
	for (char *s = strchr(p + 1, '/'); s && !rc; s = strchr(s + 1, '/')) {
		*s = '\0';
		struct stat st;
		if (stat(p, &st) != 0) {
			if (errno != ENOENT || (mkdir(p, 0700) != 0 && errno != EEXIST))
				rc = -1;
		} else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			rc = -1;
		}
		*s = '/';
	}
	free(p);
	return rc;
}

/* Writes all of buf to fd. */
static int
write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

ecctl_wallet_status
ecctl_wallet_save(const ecctl_wallet *w, const char *path, bool force)
{
	if (!force && access(path, F_OK) == 0)
		return ECCTL_WALLET_EXISTS;
	if (make_parents(path) != 0)
		return ECCTL_WALLET_IO;
	size_t pl = strlen(path);
	char *tmp = malloc(pl + sizeof ".tmpXXXXXX");
	if (!tmp)
		return ECCTL_WALLET_IO;
	memcpy(tmp, path, pl);
	memcpy(tmp + pl, ".tmpXXXXXX", sizeof ".tmpXXXXXX");
	char text[ECCTL_WALLET_TEXT];
	size_t n = ecctl_wallet_format(w, text, sizeof text);
	ecctl_wallet_status rc = ECCTL_WALLET_IO;
	int fd = mkstemp(tmp); /* mode 0600 whatever the umask */
	if (fd >= 0) {
		int ok = fchmod(fd, 0600) == 0 && write_all(fd, text, n) == 0 && fsync(fd) == 0;
		int e = errno;
		if (close(fd) != 0 && ok) {
			ok = 0;
			e = errno;
		}
		if (ok && !force && link(tmp, path) != 0)
			rc = errno == EEXIST ? ECCTL_WALLET_EXISTS : ECCTL_WALLET_IO;
		else if (ok && force && rename(tmp, path) != 0)
			rc = ECCTL_WALLET_IO;
		else if (ok)
			rc = ECCTL_WALLET_OK;
		else
			errno = e;
		e = errno;
		unlink(tmp); /* after link: the wallet's other name; after rename: gone */
		errno = e;
	}
	sodium_memzero(text, sizeof text);
	free(tmp);
	return rc;
}

char *
ecctl_wallet_default_path(void)
{
	const char *env = getenv("ECCTL_WALLET");
	if (env && *env)
		return strdup(env);
	const char *home = getenv("HOME");
	if (!home || !*home) {
		const struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (!home || !*home)
		return NULL;
	size_t n = strlen(home) + sizeof "/.ecctl/wallet";
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/.ecctl/wallet", home);
	return p;
}
