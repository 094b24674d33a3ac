/* SPDX-License-Identifier: MIT */
/* Registry of available protocols. */
#include <string.h>

#include "ec/ecp.h"
#include "ec/protocol.h"
#include "ec/seed.h"

const ec_protocol *const ec_protocols[] = {&ec_protocol_seed, &ec_protocol_ec, NULL};

const ec_protocol *
ec_protocol_find(const char *name)
{
	for (size_t i = 0; ec_protocols[i]; i++)
		if (strcmp(ec_protocols[i]->name, name) == 0)
			return ec_protocols[i];
	return NULL;
}
