/* SPDX-License-Identifier: MIT */
/* Output files that appear complete or not at all: written under a
 * temporary name in the same directory and renamed over the target when
 * done, so that a failed or interrupted run leaves nothing half written. */
#ifndef ECSIM_OUTFILE_H
#define ECSIM_OUTFILE_H

#include <stdio.h>

typedef struct ecsim_outfile {
	FILE *f;          /* write here */
	char *target;     /* the path asked for */
	char *tmp;        /* the temporary name, or NULL when writing directly
	                     to something that is not a plain file (a device,
	                     a FIFO, a symbolic link): nothing to rename */
} ecsim_outfile;

/* Opens a file that will become path.  Returns 0, or -1 with errno set.
 * Until ecsim_outfile_commit or _abort, SIGINT, SIGTERM and SIGHUP remove
 * the temporary file before the process dies. */
int ecsim_outfile_open(ecsim_outfile *o, const char *path);

/* Closes the file and renames it to the target.  Returns 0, or -1 with
 * errno set if writing, closing or renaming failed (the temporary file is
 * then removed). */
int ecsim_outfile_commit(ecsim_outfile *o);

/* Closes and removes the temporary file: the target is left as it was. */
void ecsim_outfile_abort(ecsim_outfile *o);

#endif
