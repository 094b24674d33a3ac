/* SPDX-License-Identifier: MIT */
/*
 * gnuplot is started with fork and execvp, never through a shell, so that
 * no file name is ever parsed as a command.  The child reports a failing
 * fchdir or exec through a close-on-exec pipe: end of file on the pipe
 * means the exec succeeded.
 */
#include "gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Copies what gnuplot printed to stderr, after a failure. */
static void
show_log(FILE *log)
{
	if (!log)
		return;
	rewind(log);
	int c;
	while ((c = fgetc(log)) != EOF)
		fputc(c, stderr);
}

/* The child: in the output directory, input from /dev/null, output to
 * log; reports a failing fchdir or exec through report_fd.  Only
 * async-signal-safe calls before the exec. */
static _Noreturn void
gnuplot_child(int dir_fd, char *script, int log_fd, int report_fd)
{
	char prog[] = "gnuplot";
	char *args[] = {prog, script, NULL};
	int null_fd = open("/dev/null", O_RDONLY);
	if (null_fd >= 0)
		dup2(null_fd, STDIN_FILENO);
	if (log_fd >= 0) {
		dup2(log_fd, STDOUT_FILENO);
		dup2(log_fd, STDERR_FILENO);
	}
	int what[2] = {0, 0};
	if (fchdir(dir_fd) == 0) {
		what[0] = 1;
		execvp(prog, args);
	}
	what[1] = errno;
	ssize_t w = write(report_fd, what, sizeof what);
	(void)w;
	_exit(127);
}

/* Reads the child's report: 0 if exec succeeded (the pipe closed on exec),
 * else the errno of the failing step, *exec_step telling which. */
static int
read_child_report(int fd, bool *exec_step)
{
	int what[2];
	size_t got = 0;
	while (got < sizeof what) {
		ssize_t r = read(fd, (char *)what + got, sizeof what - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got < sizeof what)
		return 0;
	*exec_step = what[0] == 1;
	return what[1] ? what[1] : EIO;
}

/* What became of the child. */
typedef struct child {
	int err;        /* the errno of the child's fchdir or exec, or 0 */
	bool exec_step; /* err is the exec's (else the fchdir's) */
	int status;     /* from waitpid */
} child;

/* Forks and execs gnuplot, waiting for it to end.  Returns 0, or the
 * errno of the step that failed to start it (the report pipe or fork). */
static int
run_child(const outdir *d, char *script, FILE *log, child *c)
{
	*c = (child){0};
	int report[2];
	if (pipe(report))
		return errno;
	/* the write end closes when the exec succeeds: EOF means it did */
	if (fcntl(report[0], F_SETFD, FD_CLOEXEC) || fcntl(report[1], F_SETFD, FD_CLOEXEC)) {
		int e = errno;
		close(report[0]);
		close(report[1]);
		return e;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0)
		gnuplot_child(d->fd, script, log ? fileno(log) : -1, report[1]);
	int fork_errno = errno;
	close(report[1]);
	if (pid > 0)
		c->err = read_child_report(report[0], &c->exec_step);
	close(report[0]);
	if (pid < 0)
		return fork_errno;
	while (waitpid(pid, &c->status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

gnuplot_result
gnuplot_run(const outdir *d, char *script, const char *shown)
{
	FILE *log = tmpfile(); /* gnuplot's messages, shown if it fails */
	child c;
	gnuplot_result res = GNUPLOT_FAILED;
	int start_err = run_child(d, script, log, &c), ws = c.status;
	if (start_err) {
		fprintf(stderr, "%s: cannot start gnuplot: %s\n", d->prog, strerror(start_err));
	} else if (c.err == ENOENT && c.exec_step) {
		fprintf(stderr, "%s: gnuplot is not installed; no plots drawn (run gnuplot %s in %s)\n",
		        d->prog, shown, d->path);
		res = GNUPLOT_ABSENT;
	} else if (c.err) {
		fprintf(stderr, "%s: cannot run gnuplot%s%s: %s\n", d->prog, c.exec_step ? "" : " in ",
		        c.exec_step ? "" : d->path, strerror(c.err));
	} else if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0) {
		res = GNUPLOT_DONE;
	} else {
		if (WIFEXITED(ws))
			fprintf(stderr, "%s: gnuplot failed (exit status %d) on the plots of %s/%s; no "
			                "plot written:\n", d->prog, WEXITSTATUS(ws), d->path, shown);
		else
			fprintf(stderr, "%s: gnuplot was killed by signal %d on the plots of %s/%s; no "
			                "plot written\n", d->prog, WTERMSIG(ws), d->path, shown);
		show_log(log);
	}
	if (log)
		fclose(log);
	return res;
}
