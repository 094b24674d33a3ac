/* SPDX-License-Identifier: MIT */
/* `ecsim sweep`: runs a grid of network sizes x seeds and writes the table,
 * the summary, fitted scaling exponents and plots. */
#ifndef ECSIM_SWEEP_H
#define ECSIM_SWEEP_H

/* Returns the process exit status (2 for usage errors). */
int ecsim_sweep(int argc, char **argv);

#endif
