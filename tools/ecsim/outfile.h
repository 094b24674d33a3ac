/* SPDX-License-Identifier: MIT */
/*
 * Output files that are complete or absent: each is written under a hidden
 * temporary name in its directory and renamed over its real name only once
 * complete, so that a failed or interrupted command leaves no partial file
 * (and keeps the previous file of that name, if any).  Files are opened
 * relative to the directory's descriptor: no path is ever assembled.
 *
 * Every error is reported here, as one line on stderr starting with the
 * directory's prog ("PROG: cannot write DIR/NAME: REASON", ...); callers only
 * pass the status on.  Functions returning int return 0 or 1.
 *
 * Until a file is committed or discarded, SIGINT, SIGTERM and SIGHUP remove
 * its temporary file before the process ends as the signal would end it.
 *
 * Typical use:
 *   outdir d;
 *   if (outdir_open(&d, "ecsim sweep", path, "--out")) return 1;
 *   outfile f;
 *   int rc = outfile_create(&d, "table.csv", &f);
 *   if (!rc) { write into f.f; rc = outfile_commit(&f); }
 *   outdir_close(&d);
 */
#ifndef ECSIM_OUTFILE_H
#define ECSIM_OUTFILE_H

#include <stdio.h>

typedef struct outdir {
	int fd;           /* the open directory, or -1 */
	const char *path; /* borrowed: as the user named it, for messages */
	const char *prog; /* borrowed: the prefix of messages */
} outdir;

/* Opens path as d, creating it if missing (its parent must exist).  prog
 * and path are borrowed and must outlive d.  option, if not NULL, is the
 * command-line option that named path, for the message when path is not a
 * directory.  Returns 0, or 1 (reported) when path cannot be created or
 * opened or is not a directory; d->fd is then -1. */
int outdir_open(outdir *d, const char *prog, const char *path, const char *option);

/* Closes d's descriptor; harmless when the open failed. */
void outdir_close(outdir *d);

/* One file being written.  A zeroed outfile holds nothing, and so does an
 * outfile after outfile_commit or outfile_discard. */
typedef struct outfile {
	const outdir *dir; /* borrowed, or own_dir */
	const char *name;  /* borrowed: the real name, in dir */
	char *tmp;         /* owned: the temporary name, in dir; NULL if none */
	FILE *f;           /* owned: the stream to write; NULL once closed */
	outdir *own_dir;   /* owned (outfile_create_path): dir, its path and name */
	char *own_path;
} outfile;

/* Creates the temporary file of name in d (a fresh name on each try, so
 * that a leftover of an interrupted command is never reused) and opens
 * f->f on it.  d and name are borrowed and must outlive f.  Returns 0, or
 * 1 (reported) when out of memory or the file cannot be created; f then
 * holds nothing. */
int outfile_create(const outdir *d, const char *name, outfile *f);

/* The same for one file named by a path (a user's --csv-events FILE): its
 * directory must exist.  A path naming something other than a regular file
 * (a device, a FIFO, a symbolic link such as /dev/stdout) is written
 * directly, as a rename would replace it instead of writing through it.
 * prog and path are borrowed.  Returns 0, or 1 (reported). */
int outfile_create_path(const char *prog, const char *path, outfile *f);

/* Closes f->f, keeping the temporary file: for a file that another
 * program writes under f->tmp.  Returns 0, or 1 (reported) if an earlier
 * write, the flush or the close failed.  Harmless once closed. */
int outfile_close(outfile *f);

/* Closes f->f if open and renames the temporary file over f->name; f
 * must hold a file (created, not yet committed or discarded).  Returns 0,
 * or 1 (reported) if a write or the rename failed; the temporary file is
 * then removed.  Either way f holds nothing after. */
int outfile_commit(outfile *f);

/* Closes f->f if open and removes the temporary file, silently: for a file
 * abandoned after an error, or on every path as a clean-up (a no-op once
 * committed). */
void outfile_discard(outfile *f);

#endif
