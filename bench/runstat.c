/* SPDX-License-Identifier: MIT */
/*
 * runstat: runs a command N times as a child process and reports, from
 * wait4(2), the median / min / max of user+sys CPU seconds and the peak
 * resident set size.  Whole-process figures, as a user would see them;
 * the command's stdout goes to /dev/null.
 *
 * usage: runstat N COMMAND [ARGS...]
 */
#define _DEFAULT_SOURCE 1 /* wait4 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	if (argc < 3 || atoi(argv[1]) < 1) {
		fprintf(stderr, "usage: runstat N COMMAND [ARGS...]\n");
		return 2;
	}
	int n = atoi(argv[1]);
	double *cpu = calloc((size_t)n, sizeof *cpu);
	long maxrss = 0;
	if (!cpu)
		return 1;
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("runstat: fork");
			return 1;
		}
		if (pid == 0) {
			int fd = open("/dev/null", O_WRONLY);
			if (fd >= 0)
				dup2(fd, STDOUT_FILENO);
			execvp(argv[2], argv + 2);
			perror("runstat: exec");
			_exit(127);
		}
		int status;
		struct rusage ru;
		if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "runstat: the command failed\n");
			return 1;
		}
		cpu[i] = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
	}
	qsort(cpu, (size_t)n, sizeof *cpu, cmp_double);
	double med = n % 2 ? cpu[n / 2] : (cpu[n / 2 - 1] + cpu[n / 2]) / 2;
	printf("runs %d cpu_median_s %.4f cpu_min_s %.4f cpu_max_s %.4f peak_rss_kib %ld\n", n, med,
	       cpu[0], cpu[n - 1], maxrss);
	free(cpu);
	return 0;
}
