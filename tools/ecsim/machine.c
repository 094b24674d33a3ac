/* SPDX-License-Identifier: MIT */
/*
 * The machine's memory, read by the tool and never by the library (which
 * stays free of I/O): a run whose estimate does not fit is refused before
 * its set-up, which at a million nodes or a dense 100,000 takes from
 * seconds to minutes and would otherwise end in an allocation failure, the
 * out-of-memory killer or swapping.
 */
#include "machine.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The value of "Key: N kB" in a /proc file, in bytes. */
static bool
proc_kib(const char *path, const char *key, uint64_t *bytes)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	char line[256];
	size_t klen = strlen(key);
	bool found = false;
	while (!found && fgets(line, sizeof line, f)) {
		uint64_t kib;
		if (strncmp(line, key, klen) == 0 && line[klen] == ':' &&
		    sscanf(line + klen + 1, "%" SCNu64, &kib) == 1 && kib <= UINT64_MAX / 1024) {
			*bytes = kib * 1024;
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* A cgroup v2 limit ("max" means none). */
static bool
cgroup_limit(uint64_t *bytes)
{
	FILE *f = fopen("/sys/fs/cgroup/memory.max", "r");
	if (!f)
		return false;
	bool found = fscanf(f, "%" SCNu64, bytes) == 1;
	fclose(f);
	return found;
}

/* This process's resident bytes (/proc/self/statm: pages). */
static uint64_t
own_resident(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	uint64_t size, resident = 0;
	long page = sysconf(_SC_PAGESIZE);
	if (!f)
		return 0;
	if (fscanf(f, "%" SCNu64 " %" SCNu64, &size, &resident) != 2 || page <= 0)
		resident = 0;
	fclose(f);
	return resident * (uint64_t)page;
}

bool
ecsim_memory_available(uint64_t *bytes, const char **source)
{
	uint64_t avail = 0, limit;
	if (proc_kib("/proc/meminfo", "MemAvailable", &avail)) {
		*source = "MemAvailable in /proc/meminfo";
	} else {
		long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
		if (pages <= 0 || page <= 0)
			return false;
		avail = (uint64_t)pages * (uint64_t)page;
		*source = "physical memory";
	}
	if (cgroup_limit(&limit) && limit < avail) {
		avail = limit;
		*source = "the cgroup's memory.max";
	}
	uint64_t own = own_resident();
	*bytes = avail > UINT64_MAX - own ? UINT64_MAX : avail + own;
	return true;
}

/* "1.5 GiB" and the like. */
static const char *
human(char buf[32], uint64_t bytes)
{
	static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	double x = (double)bytes;
	size_t u = 0;
	while (x >= 1024 && u + 1 < sizeof unit / sizeof unit[0]) {
		x /= 1024;
		u++;
	}
	snprintf(buf, 32, u ? "%.1f %s" : "%.0f %s", x, unit[u]);
	return buf;
}

int
ecsim_memory_check(const ec_sim_config *cfg, bool force, uint64_t *estimate)
{
	uint64_t need = 0, avail;
	const char *source;
	if (estimate)
		*estimate = 0;
	if (ec_sim_estimate(cfg, &need))
		return 0; /* not a valid configuration: ec_sim_new says why */
	if (estimate)
		*estimate = need;
	if (force || !ecsim_memory_available(&avail, &source) || need <= avail)
		return 0;
	char a[32], b[32];
	fprintf(stderr,
	        "ecsim: the run needs about %s of memory, more than the %s available (%s); "
	        "--force runs it anyway\n",
	        human(a, need), human(b, avail), source);
	return 2;
}
