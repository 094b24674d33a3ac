/* SPDX-License-Identifier: MIT */
/* Default allocator for ec_ctx. */
#include <stdlib.h>

#include "ec/ctx.h"

void *
ec_libc_realloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
	(void)user;
	(void)old_size;
	if (new_size == 0) {
		free(ptr);
		return NULL;
	}
	return realloc(ptr, new_size);
}
