/* SPDX-License-Identifier: MIT */
/* `ecsim identity mine|verify`: mines and checks Argon2id proof-of-work
 * node identities (ec/identity.h). */
#ifndef ECSIM_IDENTITY_H
#define ECSIM_IDENTITY_H

/* argv[1] is "identity".  Returns the process exit status: 0 on success (a
 * valid identity), 1 when an identity is invalid, none was found within
 * --max-attempts, or the work failed, 2 for usage errors. */
int ecsim_identity(int argc, char **argv);

#endif
