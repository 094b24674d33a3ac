/* SPDX-License-Identifier: MIT */
/*
 * bench_sig: signatures per second and verifications per second of the two
 * schemes of ec/sig.h (Ed25519 from libsodium, the keyed-hash stand-in),
 * and of a whole part check (ecp_part_check: key hash plus verification),
 * single thread, over a 32-byte message (a block id).  The ratio
 * Ed25519 / keyed-hash is measured in the same run.
 *
 * usage: ec_bench_sig [SECONDS]   (time per figure, default 1)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec/lifecycle.h"
#include "ec/sig.h"
#include "bench_clock.h"

typedef struct fix {
	const ec_sig_scheme *s;
	uint8_t pk[32], sk[64], sig[64], msg[32];
	ecp_block *parent, *child;
} fix;

static volatile unsigned sink;

/* Operations per second of op over about `secs` seconds. */
static double
rate(fix *f, double secs, int op)
{
	unsigned long n = 0;
	double t0 = now(), t;
	do {
		for (int k = 0; k < 64; k++, n++) {
			f->msg[0] = (uint8_t)n;
			switch (op) {
			case 0: f->s->sign(f->sk, f->msg, 32, f->sig); break;
			case 1: sink += f->s->verify(f->pk, f->sig, f->msg, 32); break;
			case 2: sink += (unsigned)ecp_part_check(f->s, f->child, 0, f->parent); break;
			default: f->s->keypair(f->msg, f->pk, f->sk); break;
			}
		}
		t = now() - t0;
	} while (t < secs);
	return (double)n / t;
}

static int
setup(fix *f, const ec_sig_scheme *s)
{
	memset(f, 0, sizeof *f);
	f->s = s;
	uint8_t seed[32] = {7};
	s->keypair(seed, f->pk, f->sk);
	s->sign(f->sk, f->msg, 32, f->sig);
	f->parent = calloc(1, ecp_block_size(1));
	f->child = calloc(1, ecp_block_size(1));
	if (!f->parent || !f->child)
		return -1;
	f->parent->nparts = f->child->nparts = 1;
	f->parent->parts[0].token = f->child->parts[0].token = ec_id_expand(42);
	ec_key_hash(f->pk, &f->parent->parts[0].next_key);
	ecp_block_id(f->parent, &f->parent->id);
	f->child->parts[0].parent = f->parent->id;
	f->child->parts[0].next_key = ec_id_expand(9);
	memcpy(f->child->parts[0].signer, f->pk, 32);
	ecp_block_id(f->child, &f->child->id);
	ecp_part_sign(s, f->child, 0, f->sk);
	return ecp_part_check(s, f->child, 0, f->parent) == EC_ACCEPT ? 0 : -1;
}

int
main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	if (!(secs > 0) || ec_sig_init() != EC_OK)
		return 2;
	const ec_sig_scheme *schemes[2] = {&ec_sig_ed25519, &ec_sig_keyed_hash};
	double r[2][4];
	for (int i = 0; i < 2; i++) {
		fix f;
		if (setup(&f, schemes[i])) {
			fprintf(stderr, "bench_sig: %s does not verify its own part\n", schemes[i]->name);
			return 1;
		}
		for (int op = 0; op < 4; op++)
			r[i][op] = rate(&f, secs, op);
		free(f.parent);
		free(f.child);
	}
	printf("%-11s %14s %14s %14s %14s\n", "scheme", "sign/s", "verify/s", "part check/s",
	       "keypair/s");
	for (int i = 0; i < 2; i++)
		printf("%-11s %14.0f %14.0f %14.0f %14.0f\n", schemes[i]->name, r[i][0], r[i][1], r[i][2],
		       r[i][3]);
	printf("ed25519 verify costs %.1f x keyed-hash (same run)\n", r[1][1] / r[0][1]);
	return 0;
}
