#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Statistical acceptance against the reference (seed-protocol.md §6.4):
# seeds 1..400 with the default configuration; the commit mean must lie
# within +-1.5 of 58.1, the stall rate (runs with fewer than 20 commits)
# within 2-6 %, and the medians of messages, Query and Vote within +-5 % of
# 397,759 / 49,953 / 300,583.  Two halves run in parallel.
# Usage: check_distribution.sh PATH/TO/ecsim [SEEDS]
set -u
ECSIM=${1:?usage: check_distribution.sh PATH/TO/ecsim [SEEDS]}
SEEDS=${2:-400}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
half=$((SEEDS / 2))
"$ECSIM" --quiet --json --seed 1 --runs "$half" >"$TMP/a" &
"$ECSIM" --quiet --json --seed $((half + 1)) --runs $((SEEDS - half)) >"$TMP/b" &
wait
cat "$TMP/a" "$TMP/b" | grep '"seed":' >"$TMP/all"
n=$(wc -l <"$TMP/all")
if [ "$n" -ne "$SEEDS" ]; then
	echo "FAIL: expected $SEEDS runs, got $n"
	echo "0 passed, 1 failed"
	exit 1
fi
# key value of one JSON line (our writer's fixed format: "key":number)
get() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" "$TMP/all"; }
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
commit_mean=$(get commits | awk '{s += $1} END {printf "%.3f", s / NR}')
stall_pct=$(get commits | awk '$1 < 20 {k++} END {printf "%.2f", 100 * k / NR}')
msg_med=$(get messages | median)
q_med=$(get query | median)
v_med=$(get vote | median)
pass=0
fail=0
check() { # NAME VALUE LOW HIGH
	if awk -v x="$2" -v lo="$3" -v hi="$4" 'BEGIN {exit !(x >= lo && x <= hi)}'; then
		pass=$((pass + 1)); echo "ok   $1 = $2 (accepted $3 .. $4)"
	else
		fail=$((fail + 1)); echo "FAIL $1 = $2 (accepted $3 .. $4)"
	fi
}
check "commit mean" "$commit_mean" 56.6 59.6
check "stall rate %" "$stall_pct" 2 6
check "messages median" "$msg_med" $((397759 * 95 / 100)) $((397759 * 105 / 100))
check "query median" "$q_med" $((49953 * 95 / 100)) $((49953 * 105 / 100))
check "vote median" "$v_med" $((300583 * 95 / 100)) $((300583 * 105 / 100))
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
