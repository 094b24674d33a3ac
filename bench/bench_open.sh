#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Open networks (issue 14, docs/open-network.md), measured in one go:
#   1. growth and churn: 2,000 nodes grown from 20 (20 joins a round), then
#      churn 1 % per 100 rounds with crashed nodes back after 50 rounds, the
#      ec load of 0.005 tokens per node per round with 30 % conflict
#      families; against the same load on the static network; at the
#      default network (half the queued messages held back each round, 2 %
#      lost) and without delay (--delay 0), to separate the protocol's
#      timing from the network model's;
#   2. the reference's long run: 120 nodes, 2,400 rounds, 3 tokens offered a
#      round, churn as above, against the static run;
#   3. a churn sweep: 0, 0.5, 1, 2, 5, 10 % per 100 rounds, 3 seeds each, a
#      CSV and plots (latency, messages per commit, recovery, double
#      commits against churn) in OUT (default bench-open);
#   4. lifecycle messages per node per round at 2k, 20k (and 200k with
#      EC_BENCH_BIG=1: minutes and gigabytes), static start with churn;
#   6. storage audits (--audit R) on the run of 1, honest and with a tenth
#      of the joiners freeloaders (--lazy-storage 0.1): their cost, false
#      evictions, and how soon freeloaders are evicted.
# Every figure comes from the runs' --json output.  The 100,000-node growth
# run of the acceptance (grown from 1,000, then 1,000 rounds of churn) takes
# about half an hour and 7 GB on two cores: EC_BENCH_BIG=1 runs it too, and
# the 200,000-node lifecycle run of 4.
# usage: bench/bench_open.sh [BUILD_DIR [OUT]]
set -eu
build=${1:-build}
out=${2:-bench-open}
. "$(dirname "$0")/common.sh"
bench_build "$build" ecsim
ecsim="$here/$build/ecsim"
mkdir -p "$out"
get() { sed -n "s/.*\"$1\":\([-0-9.a-z]*\).*/\1/p"; }
show() { # show JSON KEY...: "key value" pairs on one line
	local j=$1
	shift
	for k in "$@"; do printf ' %s %s' "$k" "$(echo "$j" | get "$k")"; done
	echo
}

load=(--protocol ec --topology small-world --degree 64 --tokens-per-node 1 --quiet --json
	--tx-rate-per-node 0.005 --conflict-rate 0.3)
open_keys=(join_rounds_p50 join_rounds_p95 rejoin_rounds_p95 recovery_rounds_p50
	recovery_rounds_p95 view_exact_fraction view_exact_min degree_live_min degree_live_mean
	degree_live_max peer_messages_per_node_per_round stale_votes latency_p50 latency_p95
	uncommitted_fraction conflict_both messages_per_commit relay_hops_mean)

echo "== 1. 2,000 nodes grown from 20, then churn 1 %/100 rounds, rejoin after 50"
for d in 0.5 0; do
	j=$("$ecsim" "${load[@]}" --nodes 2000 --start-nodes 20 --join-rate 20 --churn 0.01 \
		--rejoin-after 50 --rounds 1190 --warmup 150 --drain 40 --delay "$d")
	printf ' delay %s, open:' "$d"
	show "$j" "${open_keys[@]}"
	s=$("$ecsim" "${load[@]}" --nodes 2000 --rounds 1190 --warmup 150 --drain 40 --delay "$d")
	printf ' delay %s, static:' "$d"
	show "$s" latency_p50 latency_p95 uncommitted_fraction conflict_both messages_per_commit \
		relay_hops_mean
	awk -v a="$(echo "$j" | get latency_p95)" -v b="$(echo "$s" | get latency_p95)" \
		'BEGIN { printf "  latency p95 open/static: %.2f (target <= 1.5)\n", a / b }'
done

echo "== 2. the reference's long run: 120 nodes, 2,400 rounds, 3 tokens a round, churn"
j=$("$ecsim" --protocol ec --topology small-world --degree 64 --tokens-per-node 1 --quiet --json \
	--tx-rate 3 --conflict-rate 0.3 --nodes 120 --churn 0.01 --rejoin-after 50 --rounds 2400 \
	--warmup 100 --drain 60)
printf ' open:'
show "$j" plain_committed_fraction uncommitted_fraction latency_p50 latency_p95 conflict_both \
	recovery_rounds_p95 stale_votes messages_per_commit
s=$("$ecsim" --protocol ec --topology small-world --degree 64 --tokens-per-node 1 --quiet --json \
	--tx-rate 3 --conflict-rate 0.3 --nodes 120 --rounds 2400 --warmup 100 --drain 60)
printf ' static:'
show "$s" plain_committed_fraction uncommitted_fraction latency_p50 latency_p95 messages_per_commit
awk -v a="$(echo "$j" | get latency_p95)" -v b="$(echo "$s" | get latency_p95)" \
	'BEGIN { printf "  latency p95 open/static: %.2f (target <= 3)\n", a / b }'

echo "== 3. churn sweep (2,000 nodes, static start, 3 seeds per point) -> $out/churn.csv"
csv="$out/churn.csv"
echo "churn_pct,seed,latency_p50,latency_p95,messages_per_commit,recovery_rounds_p50,recovery_rounds_p95,conflict_both,uncommitted_fraction,view_exact_min,stale_votes,peer_messages_per_node_per_round" >"$csv"
for c in 0 0.5 1 2 5 10; do
	for seed in 1 2 3; do
		extra=(--churn "$(awk -v c="$c" 'BEGIN { print c / 100 }')" --rejoin-after 50)
		[ "$c" = 0 ] && extra=(--start-nodes 1999) # open, without churn
		j=$("$ecsim" "${load[@]}" --nodes 2000 --rounds 690 --warmup 150 --drain 40 --seed "$seed" \
			"${extra[@]}")
		echo "$c,$seed,$(echo "$j" | get latency_p50),$(echo "$j" | get latency_p95),$(echo "$j" | get messages_per_commit),$(echo "$j" | get recovery_rounds_p50),$(echo "$j" | get recovery_rounds_p95),$(echo "$j" | get conflict_both),$(echo "$j" | get uncommitted_fraction),$(echo "$j" | get view_exact_min),$(echo "$j" | get stale_votes),$(echo "$j" | get peer_messages_per_node_per_round)" >>"$csv"
	done
done
column -s, -t "$csv"
if command -v gnuplot >/dev/null; then
	gnuplot <<EOF
set datafile separator ","
set terminal pngcairo size 1200,900 noenhanced
set output "$out/churn.png"
set multiplot layout 2,2 title "ec, 2,000 nodes, churn per 100 rounds (3 seeds per point)"
set xlabel "churn (% of live nodes per 100 rounds)"
set key top left
set ylabel "rounds"
plot "$csv" every ::1 using 1:3 title "latency p50" with points pt 7, \
     "" every ::1 using 1:4 title "latency p95" with points pt 5
set ylabel "messages per commit"
plot "$csv" every ::1 using 1:5 title "messages/commit (lifecycle included)" with points pt 7
set ylabel "rounds"
plot "$csv" every ::1 using 1:6 title "recovery p50" with points pt 7, \
     "" every ::1 using 1:7 title "recovery p95" with points pt 5
set ylabel "count"
plot "$csv" every ::1 using 1:8 title "double commits" with points pt 7, \
     "" every ::1 using 1:11 title "stale votes" with points pt 5
unset multiplot
EOF
	echo "  plots: $out/churn.png"
fi

echo "== 4. lifecycle messages per live node per round (static start, churn 1 %, rejoin 50)"
sizes="2000 20000"
[ "${EC_BENCH_BIG:-0}" = 1 ] && sizes="$sizes 200000"
for n in $sizes; do
	j=$("$ecsim" "${load[@]}" --nodes "$n" --churn 0.01 --rejoin-after 50 --rounds 200 --warmup 50 \
		--drain 20 --resources)
	printf ' %7s nodes:' "$n"
	show "$j" peer_messages_per_node_per_round recovery_rounds_p95 view_exact_min peak_rss_bytes \
		run_cpu_seconds
done

if [ "${EC_BENCH_BIG:-0}" = 1 ]; then
	echo "== 5. 100,000 nodes grown from 1,000 (1,000 joins a round), then churn as in 1"
	j=$("$ecsim" "${load[@]}" --nodes 100000 --start-nodes 1000 --join-rate 1000 --churn 0.01 \
		--rejoin-after 50 --rounds 1190 --warmup 150 --drain 40 --threads 2 --resources)
	show "$j" "${open_keys[@]}" peak_rss_bytes run_cpu_seconds
	s=$("$ecsim" "${load[@]}" --nodes 100000 --rounds 1190 --warmup 150 --drain 40 --threads 2)
	printf ' static:'
	show "$s" latency_p50 latency_p95 uncommitted_fraction messages_per_commit relay_hops_mean
	awk -v a="$(echo "$j" | get latency_p95)" -v b="$(echo "$s" | get latency_p95)" \
		'BEGIN { printf "  latency p95 open/static: %.2f (target <= 1.5)\n", a / b }'
fi

echo "== 6. storage audits on the run of 1 (--delay 0.5): honest, and 10 % freeloaders"
audit_keys=(peer_messages_per_node_per_round bytes_per_node_per_round view_exact_fraction
	view_exact_min join_rounds_p95 recovery_rounds_p95 uncommitted_fraction audits audit_fail
	audit_unanswered evict_honest evict_lazy lazy_evict_rounds_p50 lazy_evict_rounds_p95
	lazy_evict_unfinished lazy_held_mean)
for lazy in 0 0.1; do
	for r in 0 8 32 128; do
		extra=()
		[ "$r" = 0 ] || extra+=(--audit "$r")
		[ "$lazy" = 0 ] || extra+=(--lazy-storage "$lazy")
		j=$("$ecsim" "${load[@]}" --nodes 2000 --start-nodes 20 --join-rate 20 --churn 0.01 \
			--rejoin-after 50 --rounds 1190 --warmup 150 --drain 40 "${extra[@]}")
		printf ' freeloaders %s, audit every %s:' "$lazy" "$r"
		show "$j" "${audit_keys[@]}"
	done
done
