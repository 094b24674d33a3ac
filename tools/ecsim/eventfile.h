/* SPDX-License-Identifier: MIT */
/* Output files that appear complete or not at all: written under a
 * temporary name in the same directory and renamed over the target when
 * done, so that a failed or interrupted run leaves nothing half written. */
#ifndef ECSIM_EVENTFILE_H
#define ECSIM_EVENTFILE_H

#include <stdio.h>

typedef struct ecsim_eventfile {
	FILE *f;          /* write here */
	char *target;     /* the path asked for */
	char *tmp;        /* the temporary name, or NULL when writing directly
	                     to something that is not a plain file (a device,
	                     a FIFO, a symbolic link): nothing to rename */
} ecsim_eventfile;

/* Opens a file that will become path.  Returns 0, or -1 with errno set.
 * Until ecsim_eventfile_commit or _abort, SIGINT, SIGTERM and SIGHUP remove
 * the temporary file before the process dies. */
int ecsim_eventfile_open(ecsim_eventfile *o, const char *path);

/* Closes the file and renames it to the target.  Returns 0, or -1 with
 * errno set if writing, closing or renaming failed (the temporary file is
 * then removed). */
int ecsim_eventfile_commit(ecsim_eventfile *o);

/* Closes and removes the temporary file: the target is left as it was. */
void ecsim_eventfile_abort(ecsim_eventfile *o);

#endif
