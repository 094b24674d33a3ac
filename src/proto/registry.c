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

const ec_protocol *
ec_protocol_option(const char *name, const ec_proto_option **opt)
{
	for (size_t i = 0; ec_protocols[i]; i++) {
		const ec_proto_config *c = ec_protocols[i]->config;
		for (size_t k = 0; c && k < c->noptions; k++)
			if (strcmp(c->options[k].name, name) == 0) {
				if (opt)
					*opt = &c->options[k];
				return ec_protocols[i];
			}
	}
	return NULL;
}
