/* SPDX-License-Identifier: MIT */
/* Terminal progress lines (see progress.h). */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SETUP_EVERY 0.5  /* seconds between two lines within one set-up step */
#define ROUNDS_EVERY 2.0 /* seconds between two round lines */

double
ecsim_wall_seconds(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0.0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool
ecsim_progress_wanted(bool quiet)
{
	return !quiet && isatty(STDERR_FILENO);
}

/* "\r<erase>run 2/5  " (the run only when there are several). */
static void
begin_line(const ecsim_progress *p)
{
	fputs("\r\033[K", stderr);
	if (p->runs > 1)
		fprintf(stderr, "run %llu/%llu  ", (unsigned long long)p->run + 1,
		        (unsigned long long)p->runs);
}

void
ecsim_progress_setup(ecsim_progress *p, const char *phase, uint64_t done, uint64_t total)
{
	if (!p->on)
		return;
	double now = ecsim_wall_seconds();
	bool same = p->phase && strcmp(p->phase, phase) == 0;
	if (same && now - p->last < SETUP_EVERY)
		return;
	p->phase = phase;
	p->last = now;
	begin_line(p);
	if (done)
		fprintf(stderr, "set-up: %s: %llu of %llu nodes ", phase, (unsigned long long)done,
		        (unsigned long long)total);
	else
		fprintf(stderr, "set-up: %s (%llu nodes) ", phase, (unsigned long long)total);
	fflush(stderr);
}

void
ecsim_progress_rounds(ecsim_progress *p)
{
	p->phase = NULL;
	p->start = p->last = ecsim_wall_seconds();
	p->delivered = 0;
}

/* A rate as "1.25 M", "830.4 k" or "97". */
static void
rate_text(char buf[32], double x)
{
	if (x >= 1e6)
		snprintf(buf, 32, "%.2f M", x / 1e6);
	else if (x >= 1e3)
		snprintf(buf, 32, "%.1f k", x / 1e3);
	else
		snprintf(buf, 32, "%.0f ", x);
}

/* A duration as "42 s", "3 min 20 s" or "2 h 05 min". */
static void
time_text(char buf[32], double s)
{
	if (!(s < 1e9)) { /* about 30 years, and no overflow below */
		snprintf(buf, 32, "years");
		return;
	}
	unsigned long long t = (unsigned long long)(s + 0.5);
	if (t < 60)
		snprintf(buf, 32, "%llu s", t);
	else if (t < 3600)
		snprintf(buf, 32, "%llu min %02llu s", t / 60, t % 60);
	else
		snprintf(buf, 32, "%llu h %02llu min", t / 3600, t / 60 % 60);
}

void
ecsim_progress_round(ecsim_progress *p, uint64_t round, size_t delivered)
{
	if (!p->on)
		return;
	p->delivered += delivered;
	double now = ecsim_wall_seconds(), elapsed = now - p->start;
	if (round > 0 && now - p->last < ROUNDS_EVERY)
		return;
	p->last = now;
	char rate[32] = "- ", left[32] = "?";
	if (elapsed > 0) {
		rate_text(rate, (double)p->delivered / elapsed);
		time_text(left, elapsed / (double)(round + 1) * (double)(p->rounds - round - 1));
	}
	begin_line(p);
	fprintf(stderr, "round %llu/%llu, %smessages/s, about %s left ",
	        (unsigned long long)round + 1, (unsigned long long)p->rounds, rate, left);
	fflush(stderr);
}

void
ecsim_progress_clear(ecsim_progress *p)
{
	if (!p->on)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
}
