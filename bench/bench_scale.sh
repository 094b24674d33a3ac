#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Simulator speed and memory at scale: for N = 10k, 100k and 1M nodes on a
# bounded-degree small-world graph (64 peers per node) with one token (the
# seed protocol floods such graphs, which gives plenty of messages), it
# measures, in the same run:
#   - the set-up alone (--rounds 0): CPU seconds and peak RSS per node at rest;
#   - the run: delivered messages per CPU second of simulation (run CPU minus
#     set-up CPU) and peak RSS per node under load.
# Each size runs with 1 and with 2 threads (the results are identical; only
# wall time and CPU differ).
# usage: bench/bench_scale.sh [BUILD_DIR]
set -eu
build=${1:-build}
. "$(dirname "$0")/common.sh"
bench_build "$build" ecsim
ecsim="$here/$build/ecsim"
get() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
printf '%-9s %7s %7s %12s %14s %10s %14s %12s %12s\n' nodes rounds threads messages "msgs/cpu-s" \
	"wall-s" "msgs/wall-s" "B/node rest" "B/node run"
for spec in 10000:150 100000:60 1000000:50; do
	n=${spec%%:*}
	r=${spec##*:}
	for t in 1 2; do
		common=(--quiet --nodes "$n" --topology small-world --degree 64 --initial-tokens 1 --json
			--resources --threads "$t")
		rest=$("$ecsim" "${common[@]}" --rounds 0)
		start=$(date +%s.%N)
		run=$("$ecsim" "${common[@]}" --rounds "$r")
		end=$(date +%s.%N)
		scpu=$(echo "$rest" | get cpu_seconds)
		srss=$(echo "$rest" | get peak_rss_bytes)
		cpu=$(echo "$run" | get cpu_seconds)
		rss=$(echo "$run" | get peak_rss_bytes)
		msgs=$(echo "$run" | get messages)
		awk -v n="$n" -v r="$r" -v t="$t" -v m="$msgs" -v c="$cpu" -v s="$scpu" -v sr="$srss" \
			-v rr="$rss" -v w0="$start" -v w1="$end" 'BEGIN {
			printf "%-9d %7d %7d %12d %14.0f %10.2f %14.0f %12.0f %12.0f\n", n, r, t, m,
				(c - s > 0 ? m / (c - s) : 0), w1 - w0, m / (w1 - w0), sr / n, rr / n
		}'
	done
done
