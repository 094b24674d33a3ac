#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What 5 million delivered messages per second per core (issue 3) asks of a
# message, set against what this machine and our ec handler do.
#   1. The machine: ec_bench_mem_floor, the most random cache lines per
#      second one core updates in a working set the size of the 1M-node
#      run, with prefetching (independent addresses, and chains of lines
#      each of which names the next, as node -> pool entry -> block).
#   2. The handler: the workload of bench_scale.sh (ec protocol, 64-peer
#      small world, one token per node, 0.002 transactions per node per
#      round) at N nodes, run natively (the least round CPU of REPEAT runs,
#      1 thread) and under callgrind with a simulated 32 MiB last-level
#      cache (this machine's L3), counting only inside the rounds
#      (ec_sim_step).  Per delivered message (every round's, warm-up
#      included, as bench_scale.sh counts them) it reports instructions and
#      last-level misses (lines that come from memory), split into the node
#      handler (ec_handle), the tick (ec_tick), the prefetch hook and the
#      rest (the simulator: block creation, the queue shuffle, delivery,
#      envelopes).  Software prefetches are not loads to callgrind, so the
#      lines that are prefetched and then used count as misses where used,
#      and lines prefetched but never used do not count at all.
#   3. The arithmetic: at 5 M/s a message has 200 ns.  An instruction costs
#      at least 1 / (the most instructions per ns any size reached natively:
#      the smallest, whose state stays in cache); a line from memory at
#      least 1 / (the chained ceiling of step 1).
# usage: bench/bench_floor.sh [BUILD_DIR]
#   SIZES="20000 100000 300000" (default) the network sizes; 1000000 adds
#   about an hour of callgrind.  REPEAT=3 native runs per size.
#   FLOOR_MIB=2400 the working set of step 1 (the 1M run's peak RSS).
# Needs valgrind (apt-get install valgrind) for step 2.
set -eu
build=${1:-build}
. "$(dirname "$0")/common.sh"
bench_build "$build" ecsim ec_bench_mem_floor
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 2; }
ecsim="$here/$build/ecsim"
sizes=${SIZES:-20000 100000 300000}
reps=${REPEAT:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== 1. this machine: random cache lines per second on one core"
"$here/$build/ec_bench_mem_floor" --mib "${FLOOR_MIB:-2400}" | tee "$tmp/floor.txt"
# the best rate over all line counts, per shape (M lines/s)
best_ind=$(awk '$1 == "independent" && $6 > b { b = $6 } END { print b }' "$tmp/floor.txt")
best_chn=$(awk '$1 == "chained" && $6 > b { b = $6 } END { print b }' "$tmp/floor.txt")
echo "ceiling: $best_ind M lines/s independent, $best_chn M lines/s chained"

echo
echo "== 2. the ec handler, per delivered message (1 thread)"
printf '%-8s %7s %6s | %6s %6s %6s %6s %6s | %6s %6s %6s %6s %6s | %6s\n' nodes ns/msg M/s \
	instr handle tick prefet rest lines handle tick prefet rest node-rd
for n in $sizes; do
	args=(--quiet --nodes "$n" --topology small-world --degree 64 --json --resources --threads 1
		--rounds 120 --warmup 30 --protocol ec --tokens-per-node 1 --tx-rate-per-node 0.002
		--drain 30)
	run=$(best_run "$reps" "$ecsim" "${args[@]}")
	cpu=$(echo "$run" | json_get run_cpu_seconds)
	msgs=$(echo "$run" | json_get messages_all_rounds)
	valgrind --tool=callgrind --cache-sim=yes --LL=33554432,16,64 --D1=32768,8,64 \
		--I1=32768,8,64 --toggle-collect=ec_sim_step --callgrind-out-file="$tmp/cg.$n" \
		"$ecsim" "${args[@]}" >"$tmp/run.$n" 2>"$tmp/cg.$n.err"
	cmsgs=$(json_get messages_all_rounds <"$tmp/run.$n")
	[ "$cmsgs" = "$msgs" ] || { echo "callgrind run differs from the native one" >&2; exit 1; }
	# inclusive costs: Ir is the first event, DLmr and DLmw the last two
	callgrind_annotate --inclusive=yes "$tmp/cg.$n" 2>/dev/null |
		sed 's/([^)]*)//g; s/,//g' |
		awk -v n="$n" -v m="$msgs" -v cpu="$cpu" '
		{ for (i = 1; i <= NF; i++) if ($i == ".") $i = 0 }
		/PROGRAM TOTALS/ { ti = $1; tl = $8 + $9 }
		/:ec_handle / { hi = $1; hl = $8 + $9; hr = $8 }
		/:ec_tick / { ki = $1; kl = $8 + $9; kr = $8 }
		/:ec_prefetch / { pi = $1; pl = $8 + $9; pr = $8 }
		END {
			ns = cpu / m * 1e9
			printf "%-8d %7.0f %6.2f | %6.0f %6.0f %6.0f %6.0f %6.0f | %6.1f %6.1f %6.1f %6.1f %6.1f | %6.1f\n",
				n, ns, m / cpu / 1e6, ti / m, hi / m, ki / m, pi / m, (ti - hi - ki - pi) / m,
				tl / m, hl / m, kl / m, pl / m, (tl - hl - kl - pl) / m, (hr + kr + pr) / m
			print n, ns, ti / m, (hr + kr + pr) / m > "/dev/stderr"
		}' 2>>"$tmp/sum.txt"
done
echo "(instructions, then lines from memory (last-level misses), per delivered message: in"
echo " all, in the handler, the tick, the prefetch hook and the rest (the simulator);"
echo " node-rd: the lines the node code (handle, tick, prefetch) reads from memory, at"
echo " random places; most of the rest are writes to the simulator's sequential queues)"

echo
echo "== 3. what 5 M messages per second per core leaves a message: 200 ns"
printf '%-8s %8s %8s %8s %7s | %8s %8s %7s\n' nodes "instr" "instr/ns" "budget" factor \
	"node-rd" "budget" factor
awk -v chn="$best_chn" 'NR == FNR { r = $3 / $2; if (r > best) best = r; next }
{
	n = $1; ns = $2; ins = $3; rd = $4
	ib = 200 * best  # all of 200 ns spent on instructions, none waiting for memory
	lb = chn / 5     # all of 200 ns spent on chained lines, no instructions
	printf "%-8d %8.0f %8.2f %8.0f %6.1fx | %8.1f %8.1f %6.1fx\n", n, ins, ins / ns, ib, ins / ib, rd, lb, rd / lb
}' "$tmp/sum.txt" "$tmp/sum.txt"
echo "(budget: what fits in 200 ns if nothing else did: instructions at the best rate any"
echo " size reached (the smallest, whose state stays in cache), lines at the chained"
echo " ceiling; factor: how many times over budget the present code is.  5 M/s needs both"
echo " within budget at once, and they share the 200 ns: half on each halves both budgets)"
