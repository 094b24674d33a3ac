/* SPDX-License-Identifier: MIT */
/*
 * Error values shared by every libec module.  Errors are values: a function
 * that can fail returns an ec_err and writes its results through pointer
 * arguments.  A peer sending something invalid is not an error of ours; such
 * inputs are dropped or answered by protocol rules, never reported here.
 */
#ifndef EC_ERR_H
#define EC_ERR_H

#if defined(__GNUC__)
#define EC_WUR __attribute__((warn_unused_result))
#else
#define EC_WUR
#endif

typedef enum ec_err {
	EC_OK = 0,     /* not an error */
	EC_ENOMEM,     /* an allocation failed */
	EC_EINVAL,     /* an argument is outside its documented domain */
	EC_ERANGE,     /* a value does not fit */
	EC_EPARSE,     /* text could not be parsed */
	EC_EIO,        /* an output or input operation failed */
	EC_ENOTFOUND,  /* the looked-up item does not exist */
	EC_EFULL       /* a bounded container is full */
} ec_err;

/* Returns a static, human-readable description of err (never NULL). */
const char *ec_strerror(ec_err err);

#endif
