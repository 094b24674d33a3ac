/* SPDX-License-Identifier: MIT */
/*
 * Internal: function multiversioning (one copy per instruction set, chosen
 * when the program loads).  ThreadSanitizer cannot run the loader's ifunc
 * resolvers, so its builds (and -DEC_NO_MULTIVERSION) get one portable copy.
 */
#ifndef EC_MULTIVERSION_H
#define EC_MULTIVERSION_H

#if defined(__SANITIZE_THREAD__) || defined(EC_NO_MULTIVERSION)
#define EC_MULTIVERSION(...)
#else
#define EC_MULTIVERSION(...) __attribute__((target_clones(__VA_ARGS__)))
#endif

#endif
