/* SPDX-License-Identifier: MIT */
/* Text for ec_err values. */
#include "ec/err.h"

const char *
ec_strerror(ec_err err)
{
	switch (err) {
	case EC_OK: return "no error";
	case EC_ENOMEM: return "out of memory";
	case EC_EINVAL: return "invalid argument";
	case EC_ERANGE: return "value out of range";
	case EC_EPARSE: return "parse error";
	case EC_EIO: return "input/output error";
	case EC_ENOTFOUND: return "not found";
	case EC_EFULL: return "container full";
	}
	return "unknown error";
}
