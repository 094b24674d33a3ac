#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The ec protocol's acceptance workloads (issue 4), measured in one go:
#   1. load: 2,000 nodes, small-world with 64 peers, the seed network (50 %
#      delay, 2 % loss), 1-3 tokens per block, 40 tokens (about 20 blocks)
#      offered per round for 1,000 measured rounds, 30 % conflict families;
#      a 60-round drain at the end so that what stays open is stuck, not young;
#      then the same load with a commit grace of 2, 4 and 8 rounds;
#   2. batching: the same load without conflicts, batching on and off;
#   3. the published configuration: seed protocol against ec;
#   4. scale: the same load per node (0.005 tokens per node per round) at
#      2k, 10k and 100k nodes (and 1M with EC_BENCH_1M=1): messages per
#      commit, latency and throughput per node.
# Every figure comes from the run's --json output; nothing is timed here.
# usage: bench/bench_ec.sh [BUILD_DIR]
set -eu
build=${1:-build}
. "$(dirname "$0")/common.sh"
bench_build "$build" ecsim
ecsim="$here/$build/ecsim"
get() { sed -n "s/.*\"$1\":\([-0-9.a-z]*\).*/\1/p"; }

net=(--protocol ec --topology small-world --degree 64 --tokens-per-node 1 --block-size 1,3 --quiet
	--json)

echo "== 1. 2,000 nodes, 40 tokens/round, 1,000 measured rounds, 30 % conflict families"
j=$("$ecsim" "${net[@]}" --nodes 2000 --tx-rate 40 --rounds 1160 --warmup 100 --drain 60 \
	--conflict-rate 0.3)
mpc=$(echo "$j" | get messages_per_commit)
printf '  blocks/round %s, latency p50 %s p95 %s p99 %s (target p50 <= 4, p95 <= 8)\n' \
	"$(echo "$j" | get throughput)" "$(echo "$j" | get latency_p50)" \
	"$(echo "$j" | get latency_p95)" "$(echo "$j" | get latency_p99)"
printf '  messages/commit %.1f (target <= 500); non-conflicting committed %s of %s\n' "$mpc" \
	"$(echo "$j" | get plain_committed)" "$(echo "$j" | get plain_created)"
printf '  conflict families %s: highest wins %s, lower wins %s, both committed %s, stalled %s\n' \
	"$(echo "$j" | get conflict_families)" "$(echo "$j" | get conflict_highest_wins)" \
	"$(echo "$j" | get conflict_lower_wins)" "$(echo "$j" | get conflict_both)" \
	"$(echo "$j" | get conflict_stalled)"

echo "== 1b. commit grace: latency against lower-id wins (same load)"
for g in 2 4 8; do
	j=$("$ecsim" "${net[@]}" --nodes 2000 --tx-rate 40 --rounds 1160 --warmup 100 --drain 60 \
		--conflict-rate 0.3 --grace $g)
	printf '  grace %s: latency p50 %s p95 %s; lower wins %s of %s families, both committed %s\n' "$g" \
		"$(echo "$j" | get latency_p50)" "$(echo "$j" | get latency_p95)" \
		"$(echo "$j" | get conflict_lower_wins)" "$(echo "$j" | get conflict_families)" \
		"$(echo "$j" | get conflict_both)"
done

echo "== 2. batching (same load, no conflicts)"
for b in on off; do
	j=$("$ecsim" "${net[@]}" --nodes 2000 --tx-rate 40 --rounds 1160 --warmup 100 --drain 60 \
		--batch $b)
	printf '  batch %-3s: envelopes/logical %s, latency p50 %s p95 %s, messages/commit %s\n' "$b" \
		"$(echo "$j" | get envelope_ratio)" "$(echo "$j" | get latency_p50)" \
		"$(echo "$j" | get latency_p95)" "$(echo "$j" | get messages_per_commit)"
done
j=$("$ecsim" "${net[@]}" --nodes 2000 --tx-rate 2000 --rounds 300 --warmup 100 --drain 40)
printf '  every token every round: envelopes/logical %s, latency p50 %s\n' \
	"$(echo "$j" | get envelope_ratio)" "$(echo "$j" | get latency_p50)"

echo "== 3. published configuration (dense ring-gradient, one token)"
s=$("$ecsim" --quiet --json)
e=$("$ecsim" --quiet --json --protocol ec)
awk -v sm="$(echo "$s" | get messages_per_commit)" -v em="$(echo "$e" | get messages_per_commit)" \
	-v sr="$(echo "$s" | get rounds_per_commit)" -v er="$(echo "$e" | get rounds_per_commit)" \
	'BEGIN { printf "  messages/commit seed %.0f ec %.0f (%.1fx fewer, target 10x); rounds/commit seed %.1f ec %.2f (%.2fx fewer, target 5x)\n", sm, em, sm / em, sr, er, sr / er }'

echo "== 4. scale: 0.005 tokens per node per round, 200 rounds (50 warm-up, 40 drain)"
sizes="2000 10000 100000"
if [ "${EC_BENCH_1M:-0}" = 1 ]; then sizes="$sizes 1000000"; fi
base=""
printf '  %9s %12s %9s %9s %14s %12s %12s\n' nodes msgs/commit vs-2k p50 commits/round/N envelopes "B/node/round"
for n in $sizes; do
	j=$("$ecsim" "${net[@]}" --nodes "$n" --tx-rate-per-node 0.005 --rounds 200 --warmup 50 --drain 40)
	m=$(echo "$j" | get messages_per_commit)
	[ -n "$base" ] || base=$m
	awk -v n="$n" -v m="$m" -v b="$base" -v p="$(echo "$j" | get latency_p50)" \
		-v t="$(echo "$j" | get throughput)" -v er="$(echo "$j" | get envelope_ratio)" \
		-v bw="$(echo "$j" | get bytes_per_node_per_round)" \
		'BEGIN { printf "  %9d %12.1f %8.2fx %9d %14.6f %12.3f %12.1f\n", n, m, m / b, p, t / n, er, bw }'
done
