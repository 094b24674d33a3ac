/* SPDX-License-Identifier: MIT */
/* Formatted strings of any length, for names built at run time. */
#ifndef ECSIM_STRFMT_H
#define ECSIM_STRFMT_H

/* A newly allocated string formatted as printf would, owned by the caller
 * (free it); NULL when out of memory or on a formatting error, reporting
 * nothing. */
char *strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
