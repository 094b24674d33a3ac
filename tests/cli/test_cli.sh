#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Command-line tests for ecsim: usage errors (exit 2, one message, no output
# file), the published replay, JSON determinism and keys, CSV events, --runs.
# Usage: test_cli.sh PATH/TO/ecsim
script=test_cli.sh
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

# expect_usage_error DESCRIPTION ARGS...: exit 2, exactly one line on stderr
# starting with "ecsim: ", nothing on stdout, no CSV file left behind.
expect_usage_error() {
	local what=$1; shift
	rm -f "$TMP/ev.csv"
	"$ECSIM" "$@" --csv-events "$TMP/ev.csv" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ $rc -ne 2 ]; then bad "$what: exit $rc, want 2"; return; fi
	if [ -s "$TMP/out" ]; then bad "$what: wrote to stdout"; return; fi
	if [ "$(wc -l <"$TMP/err")" -ne 1 ] || ! grep -q '^ecsim: ' "$TMP/err"; then
		bad "$what: stderr is not one 'ecsim:' line: $(cat "$TMP/err")"; return
	fi
	if [ -e "$TMP/ev.csv" ]; then bad "$what: created the CSV file"; return; fi
	ok
}

expect_usage_error "unknown flag" --bogus
expect_usage_error "missing value" --nodes
expect_usage_error "stray argument" extra
expect_usage_error "delay above 1" --delay 1.5
expect_usage_error "negative loss" --loss -0.1
expect_usage_error "loss not a number" --loss half
expect_usage_error "one node" --nodes 1
expect_usage_error "zero nodes" --nodes 0
expect_usage_error "negative nodes" --nodes -5
expect_usage_error "malformed seed" --seed 12abc
expect_usage_error "negative seed" --seed -1
expect_usage_error "seed too big" --seed 18446744073709551616
expect_usage_error "short seed hex" --seed-hex b860c72a
expect_usage_error "non-hex seed" --seed-hex zz60c72afac8b41eaa8fe192bae387a74e4c31d492c0c9c6c25737e4fbbf0d5f
expect_usage_error "both seeds" --seed 1 --seed-hex b860c72afac8b41eaa8fe192bae387a74e4c31d492c0c9c6c25737e4fbbf0d5f
expect_usage_error "block size min > max" --block-size 3,1
expect_usage_error "block size zero" --block-size 0,2
expect_usage_error "block size too big" --block-size 1,6
expect_usage_error "block size malformed" --block-size 2
expect_usage_error "unknown topology" --topology torus:3
expect_usage_error "gradient min > max" --topology ring-gradient:0.7,0.1
expect_usage_error "gradient prob > 1" --topology ring-gradient:0.1,1.7
expect_usage_error "random connectivity > 1" --topology random:2
expect_usage_error "gaussian sigma <= 0" --topology ring-gaussian:0
expect_usage_error "unknown protocol" --protocol avalanche
expect_usage_error "zero runs" --runs 0
expect_usage_error "bad salt" --tiebreak-salt x
expect_usage_error "zero degree" --topology small-world --degree 0
expect_usage_error "degree not a number" --degree many
expect_usage_error "parameters on small-world" --topology small-world:3
expect_usage_error "capped-gradient far > near" --topology capped-gradient:0.9,0.1
expect_usage_error "zero tokens per node" --tokens-per-node 0
expect_usage_error "tokens twice" --tokens-per-node 1 --initial-tokens 5
expect_usage_error "zero tx rate" --tx-rate 0
expect_usage_error "warm-up as long as the run" --rounds 100 --warmup 100
expect_usage_error "negative warm-up" --warmup -3

# --help succeeds and documents the options
if "$ECSIM" --help >"$TMP/help" 2>&1 && grep -q -- '--tiebreak-salt' "$TMP/help"; then ok; else bad "--help"; fi

# The acceptance command: the published figures exactly.
"$ECSIM" --quiet --seed-hex b860c72afac8b41eaa8fe192bae387a74e4c31d492c0c9c6c25737e4fbbf0d5f \
	--tiebreak-salt 28 >"$TMP/pub" 2>"$TMP/err"
cat >"$TMP/want" <<'TXT'
Seed used: [184, 96, 199, 42, 250, 200, 180, 30, 170, 143, 225, 146, 186, 227, 135, 167, 78, 76, 49, 212, 146, 192, 201, 198, 194, 87, 55, 228, 251, 191, 13, 95]
Peers: max: 890 min: 728 avg: 801.7
Messages: 331089. Commits: 63, avg: 31.7 rounds/commit, 5255 messages/commit
Message distribution: Query: 6417, Vote: 318356, Block: 6307, Answer: 0
Referral: 9
TXT
if head -5 "$TMP/pub" | cmp -s - "$TMP/want"; then ok; else bad "published replay: $(head -5 "$TMP/pub")"; fi
if grep -q '^Exact replay of the published run' "$TMP/pub"; then ok; else bad "published replay not recognised"; fi

# Without the salt (and with no options at all): the insertion-order result.
"$ECSIM" --quiet >"$TMP/def" 2>"$TMP/err"
cat >"$TMP/want" <<'TXT'
Peers: max: 896 min: 729 avg: 801.7
Messages: 322375. Commits: 64, avg: 31.2 rounds/commit, 5037 messages/commit
Message distribution: Query: 6167, Vote: 310136, Block: 6064, Answer: 0
TXT
if sed -n 2,4p "$TMP/def" | cmp -s - "$TMP/want"; then ok; else bad "default run: $(sed -n 2,4p "$TMP/def")"; fi
if grep -q '^Comparison with the published figures' "$TMP/def"; then ok; else bad "default run has no comparison"; fi

# JSON: byte-identical for the same seed, and every documented key present.
small=(--quiet --nodes 300 --rounds 300 --seed 7)
"$ECSIM" "${small[@]}" --json >"$TMP/j1" && "$ECSIM" "${small[@]}" --json >"$TMP/j2"
if [ -s "$TMP/j1" ] && cmp -s "$TMP/j1" "$TMP/j2"; then ok; else bad "JSON differs between identical runs"; fi
for key in messages commits rounds_per_commit messages_per_commit query vote block answer referral \
	peers_min peers_avg peers_max latency_mean latency_p50 latency_p95 latency_max stalled seed; do
	if grep -q "\"$key\":" "$TMP/j1"; then ok; else bad "JSON lacks key $key"; fi
done
if [ "$(wc -l <"$TMP/j1")" -eq 1 ]; then ok; else bad "JSON is not one line per run"; fi
# A different seed gives a different run.
"$ECSIM" --quiet --nodes 300 --rounds 300 --seed 8 --json >"$TMP/j3"
if ! cmp -s "$TMP/j1" "$TMP/j3"; then ok; else bad "seed 8 equals seed 7"; fi

# --runs: one line per run plus a summary; consecutive seeds.
"$ECSIM" "${small[@]}" --runs 3 --json >"$TMP/runs"
if [ "$(grep -c '"seed":' "$TMP/runs")" -eq 3 ] && tail -1 "$TMP/runs" | grep -q '^{"summary":'; then ok
else bad "--runs 3 --json"; fi
if head -1 "$TMP/runs" | cmp -s - "$TMP/j1"; then ok; else bad "--runs first run differs from --seed 7"; fi
if sed -n 2p "$TMP/runs" | cmp -s - "$TMP/j3"; then ok; else bad "--runs second run is not seed 8"; fi
"$ECSIM" "${small[@]}" --runs 3 >"$TMP/runs.txt"
if grep -q '^Summary over 3 runs' "$TMP/runs.txt" && grep -q 'messages_per_commit' "$TMP/runs.txt"; then ok
else bad "--runs text summary"; fi

# --csv-events: header, one 'round' row per round, commit rows = commits.
"$ECSIM" "${small[@]}" --csv-events "$TMP/ev.csv" --json >"$TMP/j4"
if [ "$(head -1 "$TMP/ev.csv")" = "run,round,event,node,block,queue,delivered,lost,latency,arg" ]; then ok
else bad "CSV header"; fi
rounds=$(grep -c '^0,[0-9]*,round,' "$TMP/ev.csv")
stall=$(grep -c ',stall,' "$TMP/ev.csv")
if [ "$rounds" -eq 300 ] || [ "$stall" -eq 1 ]; then ok; else bad "CSV has $rounds round rows"; fi
commits=$(sed 's/.*"commits":\([0-9]*\).*/\1/' "$TMP/j4")
if [ "$(grep -c ',commit,' "$TMP/ev.csv")" -eq "$commits" ]; then ok; else bad "CSV commit rows != $commits"; fi
if cmp -s "$TMP/j1" "$TMP/j4"; then ok; else bad "--csv-events changed the result"; fi

# Other topologies run and are deterministic.
for topo in random:0.3 ring-gaussian:0.5 ring-gradient:0.2,0.9; do
	"$ECSIM" --quiet --nodes 200 --rounds 200 --seed 3 --topology "$topo" --json >"$TMP/t1" &&
	"$ECSIM" --quiet --nodes 200 --rounds 200 --seed 3 --topology "$topo" --json >"$TMP/t2"
	if [ -s "$TMP/t1" ] && cmp -s "$TMP/t1" "$TMP/t2"; then ok; else bad "topology $topo"; fi
done
# Bounded-degree topologies: exact out-degree, reported after set-up, deterministic.
for topo in capped-gradient capped-gradient:0.2,0.9 small-world core-tail random-regular; do
	"$ECSIM" --quiet --nodes 300 --rounds 60 --seed 4 --topology "$topo" --degree 12 --json >"$TMP/b1" &&
	"$ECSIM" --quiet --nodes 300 --rounds 60 --seed 4 --topology "$topo" --degree 12 --json >"$TMP/b2"
	if [ -s "$TMP/b1" ] && cmp -s "$TMP/b1" "$TMP/b2" &&
		grep -q '"degree_min":12,"degree_avg":12.000000,"degree_max":12,' "$TMP/b1"; then ok
	else bad "bounded topology $topo: $(cat "$TMP/b1")"; fi
done
"$ECSIM" --quiet --nodes 300 --rounds 60 --seed 4 --topology core-tail --degree 12 >"$TMP/b3"
if grep -q '^Degree after set-up: min 12, mean 12.0, max 12$' "$TMP/b3"; then ok
else bad "degree line: $(grep Degree "$TMP/b3")"; fi

# Workloads and the scale metrics.
wl=(--quiet --nodes 300 --rounds 80 --seed 2 --topology small-world --degree 16 --tokens-per-node 1 --tx-rate 4)
"$ECSIM" "${wl[@]}" --json >"$TMP/w1" && "$ECSIM" "${wl[@]}" --json >"$TMP/w2"
if [ -s "$TMP/w1" ] && cmp -s "$TMP/w1" "$TMP/w2"; then ok; else bad "workload run not deterministic"; fi
for key in throughput tokens_per_round latency_p99 latency_max messages_per_node_per_commit \
	bytes_per_node_per_round uncommitted_fraction nodes rounds warmup; do
	if grep -q "\"$key\":" "$TMP/w1"; then ok; else bad "JSON lacks key $key"; fi
done
if grep -q '"peak_rss_bytes"' "$TMP/w1"; then bad "peak_rss_bytes without --resources"; else ok; fi
"$ECSIM" "${wl[@]}" --json --resources >"$TMP/w3"
if grep -q '"threads":[0-9]*,"peak_rss_bytes":[1-9][0-9]*,"cpu_seconds":' "$TMP/w3"; then ok; else bad "--resources keys"; fi
"$ECSIM" "${wl[@]}" --warmup 20 --json >"$TMP/w4"
if grep -q '"rounds":60,"warmup":20,' "$TMP/w4"; then ok; else bad "--warmup rounds: $(head -c 200 "$TMP/w4")"; fi

# Scenario files: --print-scenario, then `run` gives the same run; the command
# line overrides the file; malformed files name line and column, exit 2.
"$ECSIM" "${wl[@]}" --warmup 20 --print-scenario >"$TMP/s.yaml"
"$ECSIM" run "$TMP/s.yaml" --quiet --json >"$TMP/w5"
if cmp -s "$TMP/w4" "$TMP/w5"; then ok; else bad "scenario round trip differs"; fi
"$ECSIM" run "$TMP/s.yaml" --quiet --json --seed 3 >"$TMP/w6"
if grep -q '"seed":"0300' "$TMP/w6"; then ok; else bad "command line does not override the scenario seed"; fi
# the published scenario replays the published figures
"$ECSIM" --tiebreak-salt 28 --print-scenario >"$TMP/pub.yaml"
if "$ECSIM" run "$TMP/pub.yaml" --quiet | grep -q '^Exact replay of the published run'; then ok
else bad "published scenario"; fi
scenario_error() { # DESCRIPTION CONTENT EXPECTED-LOCATION
	printf '%b' "$2" >"$TMP/bad.yaml"
	rm -f "$TMP/ev.csv"
	"$ECSIM" run "$TMP/bad.yaml" --csv-events "$TMP/ev.csv" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ $rc -eq 2 ] && [ ! -s "$TMP/out" ] && [ ! -e "$TMP/ev.csv" ] &&
		grep -q "bad.yaml:$3: " "$TMP/err"; then ok
	else bad "scenario $1: rc $rc, $(cat "$TMP/err")"; fi
}
scenario_error "malformed YAML" 'nodes: 300\nrounds: [1, 2\n' "3:1"
scenario_error "unknown key" 'nodes: 300\nspeed: 9\n' "2:1"
scenario_error "bad value" 'nodes: 300\ndelay: 3\n' "2:8"
scenario_error "duplicate key" 'nodes: 300\nnodes: 400\n' "2:1"
scenario_error "not a mapping" '- nodes\n- rounds\n' "1:1"
scenario_error "nested value" 'topology:\n  kind: small-world\n' "2:3"
if "$ECSIM" run "$TMP/missing.yaml" >/dev/null 2>"$TMP/err"; then bad "missing scenario accepted"
elif [ $? -eq 2 ]; then ok; else bad "missing scenario exit status"; fi
printf 'nodes: 300\nrounds: 100\nwarmup: 100\n' >"$TMP/bad.yaml"
if "$ECSIM" run "$TMP/bad.yaml" >/dev/null 2>"$TMP/err"; then bad "warm-up = rounds accepted"
elif [ $? -eq 2 ] && grep -q 'warm-up' "$TMP/err"; then ok; else bad "cross-field scenario error"; fi
for f in "$(dirname "$0")"/../../scenarios/*.yaml; do
	if "$ECSIM" run "$f" --print-scenario >/dev/null; then ok; else bad "shipped scenario $f does not parse"; fi
done

# The queue guard stops a flooding run with a clear message.
if "$ECSIM" --quiet --nodes 300 --rounds 200 --seed 2 --topology small-world --degree 16 \
	--tokens-per-node 1 --tx-rate 20 --max-queue 2000 >/dev/null 2>"$TMP/err"; then bad "queue guard did not stop"
elif grep -q 'messages in flight' "$TMP/err"; then ok; else bad "queue guard message: $(cat "$TMP/err")"; fi

# Threads: the output (JSON and event CSV) is byte-identical for 1, 2 and 3.
th=(--quiet --nodes 1000 --rounds 80 --seed 6 --topology small-world --degree 16 --tokens-per-node 1 --tx-rate 3 --json)
for t in 1 2 3; do
	"$ECSIM" "${th[@]}" --threads "$t" --csv-events "$TMP/th$t.csv" >"$TMP/th$t"
done
if [ -s "$TMP/th1" ] && cmp -s "$TMP/th1" "$TMP/th2" && cmp -s "$TMP/th1" "$TMP/th3" &&
	cmp -s "$TMP/th1.csv" "$TMP/th2.csv" && cmp -s "$TMP/th1.csv" "$TMP/th3.csv"; then ok
else bad "outputs differ between thread counts"; fi
"$ECSIM" --quiet --threads 2 --tiebreak-salt 28 >"$TMP/pub2"
if grep -q '^Exact replay of the published run' "$TMP/pub2"; then ok; else bad "published replay with 2 threads"; fi
expect_usage_error "zero threads" --threads 0
expect_usage_error "too many threads" --threads 65

# ecsim sweep: table, summary, fit and plots; bad grids are usage errors.
"$ECSIM" sweep --out "$TMP/sweep" --sweep-nodes 100,200 --seeds 2 --topology small-world \
	--degree 8 --rounds 60 --quiet >"$TMP/fit" 2>/dev/null
if [ "$(wc -l <"$TMP/sweep/runs.csv")" -eq 5 ] && [ "$(wc -l <"$TMP/sweep/summary.csv")" -eq 3 ] &&
	grep -q 'messages_per_commit *b = ' "$TMP/fit" && [ -s "$TMP/sweep/plots.gp" ]; then ok
else bad "sweep outputs"; fi
if command -v gnuplot >/dev/null; then
	if [ -s "$TMP/sweep/messages_per_commit.png" ] && [ -s "$TMP/sweep/throughput.svg" ]; then ok
	else bad "sweep plots missing"; fi
fi
for args in "--sweep-nodes 100,x" "--sweep-nodes 1" "--sweep-nodes 100, --seeds 2" "--seeds 0 --sweep-nodes 100" "--sweep-nodes 100 --delay 7"; do
	# shellcheck disable=SC2086
	if "$ECSIM" sweep --out "$TMP/sweep2" $args >/dev/null 2>&1; then bad "sweep accepted $args"
	elif [ $? -eq 2 ] && [ ! -e "$TMP/sweep2" ]; then ok; else bad "sweep $args: wrong status or wrote files"; fi
done

# More tokens and bigger blocks run.
if "$ECSIM" --quiet --nodes 200 --rounds 200 --seed 3 --initial-tokens 20 --block-size 2,5 --json >"$TMP/t3" &&
	grep -q '"commits":' "$TMP/t3"; then ok; else bad "--initial-tokens/--block-size run"; fi
# Seed 32 stalls for good after 2 commits (seed-protocol.md §5 A6): a lone
# message stays delayed for ever, so the run ends early, flagged.
"$ECSIM" --quiet --seed 32 --json >"$TMP/s32"
if grep -q '"commits":2,' "$TMP/s32" && grep -q '"stalled":true,"stall_round":496}' "$TMP/s32"; then ok
else bad "seed 32 is not reported stalled: $(cat "$TMP/s32")"; fi
"$ECSIM" --quiet --seed 31 --json >"$TMP/s31"
if grep -q '"stalled":false' "$TMP/s31"; then ok; else bad "seed 31 reported stalled"; fi

# delay 1 delivers nothing: no messages at all.
if "$ECSIM" --quiet --nodes 100 --rounds 50 --seed 3 --delay 1 --json | grep -q '"messages":0,'; then ok
else bad "--delay 1 still delivered messages"; fi

# The ec protocol: its options, their errors, its outputs.
expect_usage_error "conflict rate above 1" --conflict-rate 1.5
expect_usage_error "window zero" --protocol ec --window 0
expect_usage_error "window too wide" --protocol ec --window 65
expect_usage_error "threshold not a number" --protocol ec --threshold x
expect_usage_error "quorum above the window" --protocol ec --window 2 --quorum 6
expect_usage_error "fanout zero" --protocol ec --fanout 0
expect_usage_error "batch neither on nor off" --protocol ec --batch maybe
expect_usage_error "drain not a number" --drain x
expect_usage_error "drain leaves no rounds" --rounds 100 --drain 100
expect_usage_error "tx per node zero" --tx-rate-per-node 0
expect_usage_error "tx rate given twice" --tx-rate 3 --tx-rate-per-node 0.1
expect_usage_error "ec block too big" --protocol ec --block-size 1,257
expect_usage_error "seed block too big for ec sizes" --protocol seed --block-size 1,200
ecargs=(--quiet --protocol ec --nodes 600 --rounds 120 --warmup 20 --drain 20 --topology small-world
	--degree 32 --tokens-per-node 1 --tx-rate 12 --conflict-rate 0.3 --json)
"$ECSIM" "${ecargs[@]}" --threads 1 >"$TMP/ec1"
"$ECSIM" "${ecargs[@]}" --threads 2 >"$TMP/ec2"
if cmp -s "$TMP/ec1" "$TMP/ec2" && [ -s "$TMP/ec1" ]; then ok; else bad "ec output differs between 1 and 2 threads"; fi
for key in envelopes envelope_ratio messages_per_token ec_block ec_vote ec_commit ec_blocked ec_poll \
	ec_fetch ec_withdraw latency_all_p50 latency_all_p95 plain_created plain_committed \
	plain_committed_fraction conflict_families conflict_highest_wins conflict_lower_wins \
	conflict_both conflict_stalled ec_block_relayed relay_hops_mean ec_block_repoll; do
	if grep -q "\"$key\":" "$TMP/ec1"; then ok; else bad "ec JSON lacks $key"; fi
done
# relayed copies are a share of the BLOCK items, and each passed at least one relay
relayed=$(sed -n 's/.*"ec_block_relayed":\([0-9]*\).*/\1/p' "$TMP/ec1")
blocks=$(sed -n 's/.*"ec_block":\([0-9]*\).*/\1/p' "$TMP/ec1")
hops=$(sed -n 's/.*"relay_hops_mean":\([0-9.]*\).*/\1/p' "$TMP/ec1")
if [ -n "$relayed" ] && [ "$relayed" -gt 0 ] && [ "$relayed" -lt "$blocks" ] &&
	awk -v h="$hops" 'BEGIN { exit !(h >= 1) }'; then ok
else bad "relay counts: $relayed of $blocks BLOCK items, mean hops $hops"; fi
if grep -q '"conflict_both":0,' "$TMP/ec1" && ! grep -q '"conflict_families":0,' "$TMP/ec1"; then ok
else bad "ec conflicts: $(cat "$TMP/ec1")"; fi
"$ECSIM" "${ecargs[@]}" --conflict-rate 0 --batch off >"$TMP/ecnb"
env=$(sed -n 's/.*"envelopes":\([0-9]*\).*/\1/p' "$TMP/ecnb")
msg=$(sed -n 's/.*"messages":\([0-9]*\).*/\1/p' "$TMP/ecnb")
if [ -n "$env" ] && [ "$env" = "$msg" ]; then ok; else bad "--batch off: $env envelopes for $msg messages"; fi
if "$ECSIM" --quiet --protocol ec --nodes 400 --rounds 60 --topology small-world --degree 32 \
	--tokens-per-node 2 --block-size 200,256 --json | grep -q '"commits":[1-9]'; then ok
else bad "ec with blocks of 200-256 tokens committed nothing"; fi
"$ECSIM" "${ecargs[@]}" --window 5 --quorum 4 --fanout 3 --batch off --print-scenario >"$TMP/ec.yaml"
if grep -q '^window: 5$' "$TMP/ec.yaml" && grep -q '^batch: off$' "$TMP/ec.yaml" &&
	grep -q '^conflict_rate: 0.3$' "$TMP/ec.yaml" && grep -q '^drain: 20$' "$TMP/ec.yaml"; then ok
else bad "ec scenario: $(cat "$TMP/ec.yaml")"; fi
"$ECSIM" "${ecargs[@]}" --window 5 --quorum 4 --fanout 3 --batch off >"$TMP/ecd"
"$ECSIM" run "$TMP/ec.yaml" --quiet --json >"$TMP/ecr"
if cmp -s "$TMP/ecd" "$TMP/ecr"; then ok; else bad "ec scenario run differs from the direct run"; fi
"$ECSIM" >"$TMP/noargs"
if grep -q 'The same configuration under the ec protocol' "$TMP/noargs" &&
	grep -q '^Messages: 322375\. Commits: 64' "$TMP/noargs"; then ok
else bad "no-argument run lacks the side-by-side view"; fi
if ! "$ECSIM" --quiet | grep -q 'under the ec protocol'; then ok; else bad "side-by-side shown with options"; fi

# signed lifecycle, attacks, witnesses, identities (issue 5)
expect_usage_error "unknown signature scheme" --protocol ec --signatures rsa
expect_usage_error "forge rate above 1" --protocol ec --forge-rate 1.5
expect_usage_error "destroy rate not a number" --protocol ec --destroy-rate lots
expect_usage_error "too many witness tokens" --protocol ec --witness-tokens 17
expect_usage_error "forgeries need ec" --forge-rate 0.1
expect_usage_error "signatures need ec" --signatures ed25519
expect_usage_error "identity bits too high" --protocol ec --topology small-world --identity-bits 25
expect_usage_error "identities need bounded degree" --protocol ec --identity-bits 4
expect_usage_error "bad identities need bits" --protocol ec --topology small-world --bad-identity-rate 0.1
attack=(--quiet --protocol ec --nodes 300 --rounds 120 --warmup 20 --drain 30 --topology small-world
	--degree 32 --tokens-per-node 1 --tx-rate 10 --forge-rate 1 --json)
get() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" "$2"; }
for sig in ed25519 keyed-hash; do
	"$ECSIM" "${attack[@]}" --signatures "$sig" --threads 1 >"$TMP/f1"
	"$ECSIM" "${attack[@]}" --signatures "$sig" --threads 2 >"$TMP/f2"
	inj=$(get forged_injected "$TMP/f1")
	if [ -n "$inj" ] && [ "$inj" -gt 100 ] && [ "$(get forged_committed "$TMP/f1")" = 0 ] &&
		[ "$(get plain_created "$TMP/f1")" = "$(get plain_committed "$TMP/f1")" ] &&
		[ "$(get rejected_bad_signature "$TMP/f1")" -gt 0 ] &&
		[ "$(get rejected_wrong_key "$TMP/f1")" -gt 0 ] && [ "$(get forged_replay "$TMP/f1")" -gt 0 ]
	then ok; else bad "$sig forgeries: $(tr ',' '\n' <"$TMP/f1" | grep -E 'forged|rejected|plain')"; fi
	if cmp -s "$TMP/f1" "$TMP/f2"; then ok; else bad "$sig: 1 and 2 threads differ"; fi
	# one shared verdict per body (the default) must change nothing but the work
	"$ECSIM" "${attack[@]}" --destroy-rate 0.3 --signatures "$sig" --threads 2 >"$TMP/m1"
	"$ECSIM" "${attack[@]}" --destroy-rate 0.3 --signatures "$sig" --threads 2 --verify-every-node >"$TMP/m2"
	if cmp -s "$TMP/m1" "$TMP/m2" && [ "$(get rejected_bad_signature "$TMP/m1")" -gt 0 ]; then ok
	else bad "$sig: --verify-every-node changes the output"; fi
done
# nodes sleep until their next timer (wake_at): ticking them every round instead
# must change nothing, with conflicts (withdrawals, blocked voters), a commit
# grace, parent fetches after forgeries and destroys, and 2 threads
sleep_cases=("--conflict-rate 0.3 --grace 3" "--destroy-rate 0.3 --signatures keyed-hash")
for extra in "${sleep_cases[@]}"; do
	# shellcheck disable=SC2086
	"$ECSIM" "${attack[@]}" $extra --threads 2 >"$TMP/t1"
	# shellcheck disable=SC2086
	"$ECSIM" "${attack[@]}" $extra --threads 2 --tick-every-round >"$TMP/t2"
	if cmp -s "$TMP/t1" "$TMP/t2" && [ "$(get commits "$TMP/t1")" -gt 0 ]; then ok
	else bad "--tick-every-round changes the output ($extra)"; fi
done
"$ECSIM" "${attack[@]}" --witness-tokens 2 --destroy-rate 0.3 >"$TMP/wd"
if [ "$(get witness_parts "$TMP/wd")" -gt 0 ] && [ "$(get destroyed "$TMP/wd")" -gt 0 ] &&
	[ "$(get forged_resurrect "$TMP/wd")" -gt 0 ] && [ "$(get rejected_destroyed "$TMP/wd")" -gt 0 ] &&
	[ "$(get forged_committed "$TMP/wd")" = 0 ] &&
	[ "$(get plain_created "$TMP/wd")" = "$(get plain_committed "$TMP/wd")" ]; then ok
else bad "witnesses, destroys, resurrections: $(tr ',' '\n' <"$TMP/wd" | grep -E 'witness|destroy|forged|plain')"; fi
"$ECSIM" "${attack[@]}" --forge-rate 0 --identity-bits 3 --bad-identity-rate 0.1 >"$TMP/id"
if [ "$(get identity_bad_nodes "$TMP/id")" -gt 0 ] && [ "$(get identity_refused "$TMP/id")" -gt 0 ] &&
	[ "$(get identity_attempts "$TMP/id")" -gt 0 ] &&
	[ "$(get plain_created "$TMP/id")" = "$(get plain_committed "$TMP/id")" ]; then ok
else bad "identities: $(tr ',' '\n' <"$TMP/id" | grep -E 'identity|plain')"; fi
"$ECSIM" "${attack[@]}" --signatures ed25519 --witness-tokens 1 --identity-bits 2 --print-scenario >"$TMP/sig.yaml"
if grep -q '^signatures: ed25519$' "$TMP/sig.yaml" && grep -q '^forge_rate: 1$' "$TMP/sig.yaml" &&
	grep -q '^witness_tokens: 1$' "$TMP/sig.yaml" && grep -q '^identity_bits: 2$' "$TMP/sig.yaml"; then ok
else bad "lifecycle scenario keys: $(cat "$TMP/sig.yaml")"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
