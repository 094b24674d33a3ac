#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The cost of the cryptographic layers (issue 5), in one run:
#   1. micro-benchmarks: signatures (Ed25519 vs the keyed-hash stand-in),
#      BLAKE3 (vs libsodium's BLAKE2b), block encode / decode / id hash,
#      Argon2id identity verification at production and simulation settings;
#   2. the simulator's slowdown with real Ed25519 signatures against the
#      stand-in, at 2,000 and 100,000 nodes (CPU seconds of the whole run,
#      set-up included, --threads 1 so CPU is not inflated by barriers).
# Both signature schemes are verified by every voter; they differ only in
# cost (and, as keys hash differently, in block ids: the runs are not
# message-for-message identical, their workloads are).
# usage: bench/bench_crypto.sh [BUILD_DIR] [quick]
set -eu
build=${1:-build}
quick=${2:-}
. "$(dirname "$0")/common.sh"
bench_build "$build" ecsim ec_bench_sig ec_bench_blake3 ec_bench_wire ec_bench_identity
b="$here/$build"
secs=1
[ -n "$quick" ] && secs=0.2
echo "== signatures (32-byte messages) =="
"$b/ec_bench_sig" "$secs"
echo
echo "== BLAKE3 =="
"$b/ec_bench_blake3" "$secs"
echo
echo "== block encoding =="
"$b/ec_bench_wire" "$secs"
echo
echo "== Argon2id identities =="
"$b/ec_bench_identity" $([ -n "$quick" ] && echo 5 || echo 50)
echo
echo "== simulator: ed25519 vs keyed-hash =="
get() { json_get "$@"; }
printf '%-8s %-11s %9s %10s %5s %8s %9s\n' nodes signatures commits "msgs/comm" p50 cpu-s slowdown
for n in 2000 100000; do
	if [ "$n" = 2000 ]; then
		load=(--tokens-per-node 1 --tx-rate 40 --rounds 400 --warmup 100 --drain 60)
	else
		load=(--tokens-per-node 1 --tx-rate-per-node 0.002 --rounds 120 --warmup 30 --drain 30)
	fi
	[ -n "$quick" ] && [ "$n" = 100000 ] && continue
	base=
	for s in keyed-hash ed25519; do
		out=$("$b/ecsim" --quiet --protocol ec --nodes "$n" --topology small-world --degree 64 \
			"${load[@]}" --threads 1 --signatures "$s" --json --resources)
		cpu=$(echo "$out" | get cpu_seconds)
		[ -z "$base" ] && base=$cpu
		awk -v n="$n" -v s="$s" -v c="$(echo "$out" | get commits)" \
			-v m="$(echo "$out" | get messages_per_commit)" -v p="$(echo "$out" | get latency_p50)" \
			-v cpu="$cpu" -v base="$base" 'BEGIN {
			printf "%-8d %-11s %9d %10.1f %5d %8.2f %8.2fx\n", n, s, c, m, p, cpu, cpu / base
		}'
	done
done
