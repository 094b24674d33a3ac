/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: ecsim's option parser.  The input is split at NUL bytes into
 * an argv; parsing must either succeed with a configuration that passes
 * ec_sim_config_check (unless --help or --version stopped it), or fail with
 * status 2 and a non-empty message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tools/ecsim/options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char *argv[66];
	int argc = 1;
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	argv[0] = (char *)"ecsim";
	for (size_t i = 0; i <= size && argc < 64;) {
		argv[argc++] = buf + i;
		while (i < size && buf[i])
			i++;
		i++;
	}
	argv[argc] = NULL;
	ecsim_options o;
	char err[512];
	int rc = ecsim_parse(argc, argv, &o, err, sizeof err);
	if (rc != 0 && (rc != 2 || err[0] == 0))
		abort();
	/* --help and --version stop the parse before the final checks */
	if (rc == 0 && !o.help && !o.version && ec_sim_config_check(&o.cfg) != NULL)
		abort();
	free(buf);
	return 0;
}
