#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Token lifecycle under load (issue 5), 2,000 nodes, small world, 64 peers,
# 40 transactions per round, 1-3 tokens per block:
#   1. transient witness tokens (seed §11.9.8.1): k = 0..3 witnesses per
#      block, each created and destroyed with it; the extra messages and
#      latency per witness, against k = 0 in the same run;
#   2. destroys: a share of transfers destroy their token and a fresh token
#      is created in its place; every non-conflicting block must commit.
# usage: bench/bench_lifecycle.sh [BUILD_DIR] [ROUNDS]
set -eu
build=${1:-build}
rounds=${2:-500}
. "$(dirname "$0")/common.sh"
bench_build "$build" ecsim
ecsim="$here/$build/ecsim"
get() { json_get "$@"; }
load=(--quiet --protocol ec --nodes 2000 --topology small-world --degree 64 --tokens-per-node 1
	--tx-rate 40 --rounds "$rounds" --warmup 100 --drain 60 --json)
echo "== witness tokens =="
printf '%3s %8s %10s %12s %5s %5s %9s %13s %12s\n' k commits "msgs/comm" "bytes/comm" p50 p95 \
	"lat mean" "+msgs/witness" "+lat/witness"
m0= l0=
for k in 0 1 2 3; do
	out=$("$ecsim" "${load[@]}" --witness-tokens "$k")
	c=$(echo "$out" | get commits)
	m=$(echo "$out" | get messages_per_commit)
	by=$(echo "$out" | get bytes)
	l=$(echo "$out" | get latency_mean)
	[ -z "$m0" ] && m0=$m && l0=$l
	awk -v k="$k" -v c="$c" -v m="$m" -v by="$by" -v p5="$(echo "$out" | get latency_p50)" \
		-v p9="$(echo "$out" | get latency_p95)" -v l="$l" -v m0="$m0" -v l0="$l0" 'BEGIN {
		dm = k ? sprintf("%.1f", (m - m0) / k) : "-"; dl = k ? sprintf("%.2f", (l - l0) / k) : "-"
		printf "%3d %8d %10.1f %12.0f %5d %5d %9.2f %13s %12s\n", k, c, m, by / c, p5, p9, l, dm, dl
	}'
done
echo
echo "== destroys =="
printf '%8s %9s %10s %8s %10s %9s\n' rate commits destroyed plain "plain ok" "msgs/comm"
for d in 0 0.2; do
	out=$("$ecsim" "${load[@]}" --destroy-rate "$d")
	awk -v d="$d" -v c="$(echo "$out" | get commits)" -v x="$(echo "$out" | get destroyed)" \
		-v pc="$(echo "$out" | get plain_created)" -v pk="$(echo "$out" | get plain_committed)" \
		-v m="$(echo "$out" | get messages_per_commit)" 'BEGIN {
		printf "%8s %9d %10d %8d %10d %9.1f\n", d, c, x, pc, pk, m
	}'
done
