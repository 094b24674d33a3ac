/* SPDX-License-Identifier: MIT */
/* Output files that are complete or absent (outfile.h). */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "strfmt.h"

/* ---- temporary files to remove when a signal ends the process ---------- */

#define MAX_PENDING 32

/* Slots written only with the signals blocked, read by the handler. */
static volatile sig_atomic_t npending;
static int pending_dir[MAX_PENDING];
static char *pending_name[MAX_PENDING];
static struct sigaction saved[3];
static const int guarded[3] = {SIGINT, SIGTERM, SIGHUP};

static void
on_signal(int sig)
{
	for (sig_atomic_t k = 0; k < npending; k++)
		if (pending_name[k])
			unlinkat(pending_dir[k], pending_name[k], 0); /* async-signal-safe */
	/* SA_RESETHAND restored the default action: raising again ends the
	 * process as the signal would have (delivered once this returns) */
	raise(sig);
}

static void
block_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	for (int k = 0; k < 3; k++)
		sigaddset(&set, guarded[k]);
	sigprocmask(SIG_BLOCK, &set, old);
}

/* Files tmp (in directory fd) for removal on a signal; the first one
 * installs the handlers.  Without a free slot the file is only not
 * guarded. */
static void
guard(int fd, char *tmp)
{
	sigset_t old;
	block_signals(&old);
	if (npending == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sa.sa_flags = (int)SA_RESETHAND;
		sigemptyset(&sa.sa_mask);
		for (int k = 0; k < 3; k++)
			sigaction(guarded[k], &sa, &saved[k]);
	}
	if (npending < MAX_PENDING) {
		pending_dir[npending] = fd;
		pending_name[npending] = tmp;
		npending++;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Forgets tmp; the last one restores the handlers there were. */
static void
unguard(const char *tmp)
{
	sigset_t old;
	block_signals(&old);
	for (sig_atomic_t k = 0; k < npending; k++)
		if (pending_name[k] == tmp) {
			pending_dir[k] = pending_dir[npending - 1];
			pending_name[k] = pending_name[npending - 1];
			npending--;
			if (npending == 0)
				for (int j = 0; j < 3; j++)
					sigaction(guarded[j], &saved[j], NULL);
			break;
		}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int
outdir_open(outdir *d, const char *prog, const char *path, const char *option)
{
	*d = (outdir){.fd = -1, .path = path, .prog = prog};
	if (mkdir(path, 0777) && errno != EEXIST) {
		fprintf(stderr, "%s: cannot create %s: %s\n", prog, path, strerror(errno));
		return 1;
	}
	d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->fd >= 0)
		return 0;
	if (errno == ENOTDIR)
		fprintf(stderr, "%s: %s%s%s is not a directory\n", prog, option ? option : "",
		        option ? " " : "", path);
	else
		fprintf(stderr, "%s: cannot open %s: %s\n", prog, path, strerror(errno));
	return 1;
}

void
outdir_close(outdir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

static void
report_io(const outdir *d, const char *name, int err)
{
	if (d->fd < 0) /* a path written directly (outfile_create_path) */
		fprintf(stderr, "%s: cannot write %s: %s\n", d->prog, name, strerror(err));
	else
		fprintf(stderr, "%s: cannot write %s/%s: %s\n", d->prog, d->path, name, strerror(err));
}

int
outfile_create(const outdir *d, const char *name, outfile *f)
{
	static unsigned counter;
	*f = (outfile){.dir = d, .name = name};
	for (int tries = 0; tries < 100; tries++) {
		f->tmp = strfmt(".%s.tmp-%ld-%u", name, (long)getpid(), counter++);
		if (!f->tmp) {
			fprintf(stderr, "%s: out of memory\n", d->prog);
			return 1;
		}
		int fd = openat(d->fd, f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0 && (f->f = fdopen(fd, "w")) != NULL) {
			guard(d->fd, f->tmp);
			return 0;
		}
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlinkat(d->fd, f->tmp, 0);
		}
		free(f->tmp);
		f->tmp = NULL;
		if (e != EEXIST) {
			report_io(d, name, e);
			return 1;
		}
	}
	report_io(d, name, EEXIST);
	return 1;
}

int
outfile_close(outfile *f)
{
	if (!f->f)
		return 0;
	errno = 0;
	int bad = fflush(f->f) != 0 || ferror(f->f);
	int e = errno ? errno : EIO; /* a write failed earlier: its errno is gone */
	if (fclose(f->f) && !bad) {
		bad = 1;
		e = errno;
	}
	f->f = NULL;
	if (bad)
		report_io(f->dir, f->name, e);
	return bad ? 1 : 0;
}

/* Releases what outfile_create_path took. */
static void
release_own(outfile *f)
{
	if (f->own_dir) {
		outdir_close(f->own_dir);
		free(f->own_dir);
	}
	free(f->own_path);
	f->own_dir = NULL;
	f->own_path = NULL;
}

void
outfile_discard(outfile *f)
{
	if (f->f)
		fclose(f->f);
	f->f = NULL;
	if (f->tmp) {
		unlinkat(f->dir->fd, f->tmp, 0);
		unguard(f->tmp);
	}
	free(f->tmp);
	f->tmp = NULL;
	release_own(f);
}

int
outfile_commit(outfile *f)
{
	int rc = outfile_close(f);
	if (!rc && f->tmp && renameat(f->dir->fd, f->tmp, f->dir->fd, f->name)) {
		report_io(f->dir, f->name, errno);
		rc = 1;
	}
	if (rc) {
		outfile_discard(f);
		return rc;
	}
	if (f->tmp)
		unguard(f->tmp);
	free(f->tmp);
	f->tmp = NULL;
	release_own(f);
	return 0;
}

int
outfile_create_path(const char *prog, const char *path, outfile *f)
{
	*f = (outfile){0};
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) { /* written through */
		if (!(f->own_dir = calloc(1, sizeof *f->own_dir)))
			goto nomem;
		*f->own_dir = (outdir){.fd = -1, .path = path, .prog = prog};
		f->dir = f->own_dir;
		f->name = path;
		if ((f->f = fopen(path, "w")))
			return 0;
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, path, strerror(errno));
		release_own(f);
		return 1;
	}
	/* dirname and basename may modify their argument: one copy each */
	size_t n = strlen(path) + 1;
	if (!(f->own_path = malloc(2 * n)) || !(f->own_dir = calloc(1, sizeof *f->own_dir)))
		goto nomem;
	memcpy(f->own_path, path, n);
	memcpy(f->own_path + n, path, n);
	const char *dir = dirname(f->own_path), *base = basename(f->own_path + n);
	*f->own_dir = (outdir){.fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), .path = dir,
	                       .prog = prog};
	if (f->own_dir->fd < 0) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, path, strerror(errno));
		release_own(f);
		return 1;
	}
	outdir *d = f->own_dir;
	char *own = f->own_path;
	if (outfile_create(d, base, f)) { /* reported; f was reset */
		outdir_close(d);
		free(d);
		free(own);
		return 1;
	}
	f->own_dir = d;
	f->own_path = own;
	return 0;
nomem:
	fprintf(stderr, "%s: out of memory\n", prog);
	release_own(f);
	return 1;
}
