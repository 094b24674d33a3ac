/* SPDX-License-Identifier: MIT */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "strfmt.h"

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
		if (fd >= 0 && (f->f = fdopen(fd, "w")) != NULL)
			return 0;
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

void
outfile_discard(outfile *f)
{
	if (f->f)
		fclose(f->f);
	f->f = NULL;
	if (f->tmp)
		unlinkat(f->dir->fd, f->tmp, 0);
	free(f->tmp);
	f->tmp = NULL;
}

int
outfile_commit(outfile *f)
{
	int rc = outfile_close(f);
	if (!rc && renameat(f->dir->fd, f->tmp, f->dir->fd, f->name)) {
		report_io(f->dir, f->name, errno);
		rc = 1;
	}
	if (rc)
		outfile_discard(f);
	free(f->tmp);
	f->tmp = NULL;
	return rc;
}
