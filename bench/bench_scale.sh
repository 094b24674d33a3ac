#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Simulator speed and memory at scale: for N = 10k, 100k and 1M nodes on a
# bounded-degree small-world graph (64 peers per node) with one token (the
# seed protocol floods such graphs, which gives plenty of messages), it
# measures, in the same run:
#   - the set-up alone (--rounds 0): CPU seconds and peak RSS per node at rest;
#   - the run: delivered messages per CPU second of simulation (run CPU minus
#     set-up CPU) and peak RSS per node under load.
# Only one thread exists so far (--threads is not implemented yet).
# usage: bench/bench_scale.sh [BUILD_DIR]
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -x "$here/$build/ecsim" ]; then
	cmake -S "$here" -B "$here/$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DEC_TESTS=OFF >/dev/null
	ninja -C "$here/$build" ecsim >/dev/null
fi
ecsim="$here/$build/ecsim"
get() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
printf '%-9s %7s %12s %14s %14s %12s %14s\n' nodes rounds messages "msgs/cpu-s" "setup cpu-s" "B/node rest" "B/node run"
for spec in 10000:150 100000:60 1000000:50; do
	n=${spec%%:*}
	r=${spec##*:}
	common=(--quiet --nodes "$n" --topology small-world --degree 64 --initial-tokens 1 --json --resources)
	rest=$("$ecsim" "${common[@]}" --rounds 0)
	run=$("$ecsim" "${common[@]}" --rounds "$r")
	scpu=$(echo "$rest" | get cpu_seconds)
	srss=$(echo "$rest" | get peak_rss_bytes)
	cpu=$(echo "$run" | get cpu_seconds)
	rss=$(echo "$run" | get peak_rss_bytes)
	msgs=$(echo "$run" | get messages)
	awk -v n="$n" -v r="$r" -v m="$msgs" -v c="$cpu" -v s="$scpu" -v sr="$srss" -v rr="$rss" 'BEGIN {
		printf "%-9d %7d %12d %14.0f %14.2f %12.0f %14.0f\n", n, r, m, (c - s > 0 ? m / (c - s) : 0), s, sr / n, rr / n
	}'
done
