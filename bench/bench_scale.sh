#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Simulator speed and memory at scale, with the real node handler: the ec
# protocol on a bounded-degree small-world graph (64 peers per node), one
# token per node and 0.002 transactions per node per round (the workload of
# the 1M-node target), for N = 10k, 100k and 1M nodes, each with 1 and with
# 2 threads (the results are identical; only wall time and CPU differ).
# Per run it reports, from ecsim --resources:
#   - set-up CPU seconds (node ids, topology draw, peer lists);
#   - delivered logical messages per CPU second of the rounds alone, all
#     threads' CPU counted: messages per CPU second per core;
#   - delivered messages per wall second of the rounds;
#   - peak RSS per node.
# The machines are shared and a single run's CPU time can vary by half, so
# each point is the run with the least round CPU of REPEAT runs (default 3
# below 1M nodes, 1 at 1M).
# usage: bench/bench_scale.sh [BUILD_DIR]
#   SIZES="10000 100000" to run fewer sizes; PROTOCOL=seed for the seed
#   protocol's flood (one initial token, no transactions) instead.
set -eu
build=${1:-build}
. "$(dirname "$0")/common.sh"
bench_build "$build" ecsim
ecsim="$here/$build/ecsim"
protocol=${PROTOCOL:-ec}
sizes=${SIZES:-10000 100000 1000000}
get() { json_get "$@"; }
# rounds, warm-up and drain per size: the 1M figures are the target's command
spec_of() {
	case $1 in
	10000) echo 200:50:40 ;;
	100000) echo 120:30:30 ;;
	*) echo 200:50:40 ;;
	esac
}
printf '%-8s %-5s %6s %7s %11s %9s %9s %13s %13s %10s\n' nodes proto rounds threads messages \
	"setup-s" "run-cpu-s" "msgs/cpu-s" "msgs/wall-s" "B/node"
for n in $sizes; do
	IFS=: read -r r wu dr <<<"$(spec_of "$n")"
	for t in 1 2; do
		common=(--quiet --nodes "$n" --topology small-world --degree 64 --json --resources
			--threads "$t" --rounds "$r" --warmup "$wu")
		if [ "$protocol" = ec ]; then
			common+=(--protocol ec --tokens-per-node 1 --tx-rate-per-node 0.002 --drain "$dr")
		else
			common+=(--initial-tokens 1)
		fi
		reps=${REPEAT:-$([ "$n" -ge 1000000 ] && echo 1 || echo 3)}
		run=$(best_run "$reps" "$ecsim" "${common[@]}")
		cpu=$(echo "$run" | get run_cpu_seconds)
		msgs=$(echo "$run" | get messages_all_rounds)
		setup=$(echo "$run" | get setup_cpu_seconds)
		wall=$(echo "$run" | get run_wall_seconds)
		rss=$(echo "$run" | get peak_rss_bytes)
		# every round's messages (warm-up included) over every round's CPU
		awk -v n="$n" -v p="$protocol" -v r="$r" -v t="$t" -v m="$msgs" -v s="$setup" \
			-v c="$cpu" -v w="$wall" -v rr="$rss" 'BEGIN {
			printf "%-8d %-5s %6d %7d %11d %9.2f %9.2f %13.0f %13.0f %10.0f\n", n, p, r, t, m,
				s, c, (c > 0 ? m / c : 0), (w > 0 ? m / w : 0), rr / n
		}'
	done
done
