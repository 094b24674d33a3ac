#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Compares two builds of ecsim on the same machine in the same run, as
# ratios (new / base), for a change that must not make the simulator slower
# or bigger: the default run as a whole process (bench_default.sh's
# measure: least and median CPU of RUNS runs, peak RSS) and the scale
# workload of bench_scale.sh at 10k and 100k nodes on 1 thread (round CPU
# and peak RSS, the least round CPU of REPEAT runs) on 1 and 2 threads.  The two builds run
# alternately, so that the machine's load falls on both alike.
#
# usage: bench/bench_compare.sh BASE_DIR NEW_DIR [RUNS]
#   BASE_DIR, NEW_DIR: folders holding an ecsim and an ec_runstat built in
#   Release (for example a worktree's build/ at the commit to compare with).
#   REPEAT=N (default 3) runs per scale point; SIZES="10000 100000".
set -eu
base=$1
new=$2
runs=${3:-15}
. "$(dirname "$0")/common.sh"
sizes=${SIZES:-10000 100000}
reps=${REPEAT:-3}
field() { echo "$1" | awk -v k="$2" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (a > 0 ? b / a : 0) }'; }

echo "default run (whole process, $runs runs each, alternating twice)"
for round in 1 2; do
	for which in base new; do
		dir=$base
		[ "$which" = new ] && dir=$new
		out=$("$dir/ec_runstat" "$runs" "$dir/ecsim" --quiet)
		eval "${which}_min$round=$(field "$out" cpu_min_s)"
		eval "${which}_med$round=$(field "$out" cpu_median_s)"
		eval "${which}_rss=$(field "$out" peak_rss_kib)"
	done
done
# the lesser of the two rounds: load only ever adds CPU time
lesser() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }
bmin=$(lesser "$base_min1" "$base_min2")
nmin=$(lesser "$new_min1" "$new_min2")
bmed=$(lesser "$base_med1" "$base_med2")
nmed=$(lesser "$new_med1" "$new_med2")
printf '  %-22s %12s %12s %8s\n' figure base new ratio
printf '  %-22s %12s %12s %8s\n' "least CPU s" "$bmin" "$nmin" "$(ratio "$bmin" "$nmin")"
printf '  %-22s %12s %12s %8s\n' "median CPU s" "$bmed" "$nmed" "$(ratio "$bmed" "$nmed")"
printf '  %-22s %12s %12s %8s\n' "peak RSS KiB" "$base_rss" "$new_rss" "$(ratio "$base_rss" "$new_rss")"

echo "scale: ec, small-world degree 64, 1 token per node, 0.002 tx per node per round"
printf '  %-8s %-7s %-16s %12s %12s %8s\n' nodes threads figure base new ratio
for n in $sizes; do
for t in 1 2; do
	case $n in
	10000) spec="200 50 40" ;;
	*) spec="120 30 30" ;;
	esac
	read -r r wu dr <<<"$spec"
	args=(--quiet --nodes "$n" --topology small-world --degree 64 --json --resources --threads "$t"
		--rounds "$r" --warmup "$wu" --protocol ec --tokens-per-node 1 --tx-rate-per-node 0.002
		--drain "$dr")
	bcpu= ncpu=
	for _ in $(seq "$reps"); do # alternating; the least round CPU of each
		for which in base new; do
			dir=$base
			[ "$which" = new ] && dir=$new
			one=$("$dir/ecsim" "${args[@]}")
			c=$(echo "$one" | json_get run_cpu_seconds)
			m=$(echo "$one" | json_get peak_rss_bytes)
			if [ "$which" = base ]; then
				if [ -z "$bcpu" ] || awk -v a="$c" -v b="$bcpu" 'BEGIN { exit !(a < b) }'; then bcpu=$c; fi
				brss=$m
			else
				if [ -z "$ncpu" ] || awk -v a="$c" -v b="$ncpu" 'BEGIN { exit !(a < b) }'; then ncpu=$c; fi
				nrss=$m
			fi
		done
	done
	printf '  %-8s %-7s %-16s %12s %12s %8s\n' "$n" "$t" "round CPU s" "$bcpu" "$ncpu" \
		"$(ratio "$bcpu" "$ncpu")"
	printf '  %-8s %-7s %-16s %12s %12s %8s\n' "$n" "$t" "peak RSS bytes" "$brss" "$nrss" \
		"$(ratio "$brss" "$nrss")"
done
done
