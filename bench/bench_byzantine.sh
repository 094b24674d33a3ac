#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Byzantine tolerance (docs/byzantine.md): tolerance curves, the targeted
# Sybil attack, isolation dynamics and scale, each resumable (the runs done
# are kept in OUT/runs.csv and skipped when the experiment is started
# again).  Results, CSVs and plots (PNG and SVG) go to bench-byzantine/.
#
# usage: bench/bench_byzantine.sh [curves|defaults|holds|targeted|forge|isolation|scale|eclipse|all] [--quick]
#   curves     f = 0..50 % x 10 behaviours x window 4, 6, 8 x defences off,
#              witness (the witness rule alone) and all (--defences default:
#              witness rule, signed votes, convictions, floor, quotas; window 4 only unless
#              BYZ_FULL=1) on 2,000 nodes; 20 seeds per point for the safety
#              behaviours at window 4, 5 for the rest (about 6,900 runs)
#   defaults   candidate windows and quorums with the witness rule alone and
#              with every defence at f = 20 %, every behaviour, and their
#              price at f = 0
#   holds      w = 6 quorum 9 and w = 8 quorum 11 with every defence at f = 5,
#              10, 15 %, every behaviour, 5 seeds: the highest f that holds
#              safety and liveness together
#   targeted   k = 1..9 Sybils at a target token x 0..3 witnesses x the
#              witness rule off/on, 10 seeds
#   forge      forge-cert at 0.5 .. 5 % of the nodes
#   isolation  f = 20 %, 2,000 rounds with churn, 3 seeds, each arm and
#              agreement scoring alone (the seed's echo chamber)
#   scale      10k and 100k nodes (BYZ_BIG=1: also 1M), equivocators; the
#              all arm at 10k only unless BYZ_FULL=1
#   eclipse    an open network grown from 200 to 2,000 nodes, eclipse liars
#              at f = 10, 20, 30 %, the floor and quotas off and on, 3 seeds
#   --quick    500 nodes, window 4, 2 seeds: a smoke run of a few minutes
set -eu
. "$(dirname "$0")/common.sh"
bench_build build ecsim
what=${1:-all}
shift || true
out="$here/bench-byzantine"
case "$what" in
curves | defaults | holds | targeted | forge | isolation | scale | eclipse) /usr/bin/python3 "$here/bench/byzantine.py" "$what" \
	--out "$out" "$@" ;;
all)
	for e in curves defaults holds targeted forge isolation scale eclipse; do
		/usr/bin/python3 "$here/bench/byzantine.py" "$e" --out "$out" "$@"
	done
	;;
*)
	echo "usage: bench/bench_byzantine.sh [curves|defaults|holds|targeted|forge|isolation|scale|eclipse|all] [--quick]" >&2
	exit 2
	;;
esac
