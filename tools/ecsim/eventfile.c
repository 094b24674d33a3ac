/* SPDX-License-Identifier: MIT */
/* Write-then-rename output files (see outfile.h). */
#include "eventfile.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporary file to remove if a signal ends the process.  One at a
 * time: ecsim writes one such file. */
static char *volatile pending;
static struct sigaction saved[3];
static const int signals[3] = {SIGINT, SIGTERM, SIGHUP};

static void
on_signal(int sig)
{
	if (pending)
		unlink(pending); /* async-signal-safe */
	/* SA_RESETHAND restored the default action: raising again ends the
	 * process as the signal would have (delivered once this returns) */
	raise(sig);
}

static void
guard(char *tmp)
{
	pending = tmp;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = (int)SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (int k = 0; k < 3; k++)
		sigaction(signals[k], &sa, &saved[k]);
}

static void
unguard(void)
{
	for (int k = 0; k < 3; k++)
		sigaction(signals[k], &saved[k], NULL);
	pending = NULL;
}

static char *
dup_text(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* Creates target.tmp-XXXXXX with the mode a plain fopen would give. */
static FILE *
open_temporary(ecsim_eventfile *o)
{
	size_t n = strlen(o->target) + sizeof ".tmp-XXXXXX";
	if (!(o->tmp = malloc(n)))
		return NULL;
	snprintf(o->tmp, n, "%s.tmp-XXXXXX", o->target);
	int fd = mkstemp(o->tmp);
	if (fd < 0)
		return NULL;
	mode_t mask = umask(0);
	umask(mask);
	FILE *f = fchmod(fd, 0666 & ~mask) == 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		int e = errno;
		close(fd);
		unlink(o->tmp);
		errno = e;
	}
	return f;
}

int
ecsim_eventfile_open(ecsim_eventfile *o, const char *path)
{
	memset(o, 0, sizeof *o);
	/* Only a plain file is replaced by renaming: a device or FIFO is written
	 * as it is, and so is a symbolic link (/dev/stdout among them), which a
	 * rename would replace instead of writing through it. */
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		o->f = fopen(path, "w");
		return o->f ? 0 : -1;
	}
	if (!(o->target = dup_text(path)) || !(o->f = open_temporary(o))) {
		int e = errno;
		free(o->target);
		free(o->tmp);
		memset(o, 0, sizeof *o);
		errno = e;
		return -1;
	}
	guard(o->tmp);
	return 0;
}

static void
release(ecsim_eventfile *o)
{
	if (o->tmp)
		unguard();
	free(o->target);
	free(o->tmp);
	memset(o, 0, sizeof *o);
}

int
ecsim_eventfile_commit(ecsim_eventfile *o)
{
	int bad = ferror(o->f);
	bad |= fclose(o->f);
	int e = bad ? EIO : 0;
	if (o->tmp && !bad && rename(o->tmp, o->target) != 0) {
		e = errno;
		bad = 1;
	}
	if (o->tmp && bad)
		unlink(o->tmp);
	release(o);
	errno = e;
	return bad ? -1 : 0;
}

void
ecsim_eventfile_abort(ecsim_eventfile *o)
{
	fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	release(o);
}
