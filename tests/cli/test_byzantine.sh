#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Byzantine nodes on the command line: --byzantine, --behaviour, --placement,
# the --attack-* options, --censor-after, --shrink and --defences refuse bad
# values and combinations with one clear line; a run with Byzantine nodes
# adds its figures to the JSON and a line to the text report; its scenario
# replays it byte for byte; safety violations are measured (exit status 0)
# and the scenario written for the first replays it, shrunk or not; with no
# Byzantine node the run is the honest run; the thread count changes nothing.
# Usage: test_byzantine.sh PATH/TO/ecsim
script=test_byzantine.sh
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"
PY=/usr/bin/python3

# A small run: a few hundredths of a second, a second or so under ASan.
small=(--nodes 300 --rounds 120 --topology small-world --degree 32 --tokens-per-node 1
	--tx-rate-per-node 0.01 --warmup 20 --drain 30)
ec=(--protocol ec "${small[@]}")

# sim ARGS...: ecsim run in $TMP, so that no file lands anywhere else
sim() { (cd "$TMP" && "$ECSIM" "$@"); }

# usage_error DESCRIPTION EXPECTED-REGEX ARGS...: exit 2, nothing on stdout,
# one line on stderr, which is "ecsim: " and a message matching the regex.
usage_error() {
	local what=$1 want=$2; shift 2
	sim "$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ $rc -ne 2 ]; then bad "$what: exit $rc, want 2"; return; fi
	if [ -s "$TMP/out" ]; then bad "$what: wrote to stdout"; return; fi
	if [ "$(wc -l <"$TMP/err")" -ne 1 ] || ! grep -q '^ecsim: ' "$TMP/err"; then
		bad "$what: stderr is not one 'ecsim:' line: $(cat "$TMP/err")"; return
	fi
	if ! grep -Eq -- "^ecsim: $want\$" "$TMP/err"; then
		bad "$what: '$(cat "$TMP/err")' lacks /$want/"; return
	fi
	ok
}

# json_ok DESCRIPTION FILE EXPR [ARG]: FILE is one line, a JSON object j for
# which the Python expression EXPR is true (ARG is sys.argv[3]).
json_ok() {
	if "$PY" - "${@:2}" <<'EOF'; then ok; else bad "$1: $(head -c 300 "$2")"; fi
import json, sys
try:
    lines = open(sys.argv[1]).read().splitlines()
    j = json.loads(lines[0])
    sys.exit(0 if len(lines) == 1 and eval(sys.argv[2]) else 1)
except Exception:
    sys.exit(1)
EOF
}

# jval FILE KEY: the value of KEY in the JSON object of FILE, as JSON
jval() {
	"$PY" -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))[sys.argv[2]]))' \
		"$1" "$2" 2>/dev/null
}

# 1. Usage errors.
behaviours="silent,withhold,censor,.*"
share="a share in \[0,1\) or a whole number of nodes"
placement="random, target, target:TOKEN or cluster:K \(K >= 1\)"
alone="--placement, --attack-start, --attack-share, --attack-delay, --censor-after, --cheat-keep and --shrink"
alone="$alone apply to Byzantine nodes: give --byzantine F --behaviour LIST"
usage_error "--byzantine without --behaviour" \
	"--byzantine needs --behaviour: how the nodes lie" "${ec[@]}" --byzantine 0.2
usage_error "unknown behaviour" \
	"--behaviour needs a comma-separated list of $behaviours; got 'liar'" \
	"${ec[@]}" --behaviour liar
usage_error "empty behaviour in the list" \
	"--behaviour needs a comma-separated list of $behaviours; got 'censor,,silent'" \
	"${ec[@]}" --behaviour censor,,silent
usage_error "--byzantine 1.5" "--byzantine needs $share, got '1\.5'" \
	"${ec[@]}" --byzantine 1.5
usage_error "--byzantine -1" "--byzantine needs $share, got '-1'" "${ec[@]}" --byzantine -1
usage_error "target that is not hex" \
	"--placement target:TOKEN needs a non-zero hex ring position, got 'target:xyz'" \
	"${ec[@]}" --placement target:xyz
usage_error "cluster:0" "--placement needs $placement, got 'cluster:0'" \
	"${ec[@]}" --placement cluster:0
usage_error "unknown placement" "--placement needs $placement, got 'nowhere'" \
	"${ec[@]}" --placement nowhere
usage_error "--attack-delay without delay" \
	"--attack-delay changes nothing without --behaviour delay" \
	"${ec[@]}" --attack-delay 3 --byzantine 0.1 --behaviour censor
usage_error "sleeper without --attack-start" \
	"--behaviour sleeper needs --attack-start R > 0: the rounds it stays honest" \
	"${ec[@]}" --behaviour sleeper --byzantine 0.1
sybil="--behaviour sybil needs --placement target: its identities are ground near a target"
usage_error "sybil without --placement target" "$sybil token" \
	"${ec[@]}" --behaviour sybil --byzantine 3
usage_error "eclipse in a static network" \
	"eclipse needs an open network \(it captures joins and lookups\): --start-nodes or --churn" \
	"${ec[@]}" --behaviour eclipse --byzantine 0.1
usage_error "storage-cheat in a static network" \
	"storage-cheat needs an open network \(storage audits run there\): --start-nodes or --churn" \
	"${ec[@]}" --behaviour storage-cheat --byzantine 0.1
usage_error "--cheat-keep without storage-cheat" \
	"--cheat-keep changes nothing without --behaviour storage-cheat" \
	"${ec[@]}" --behaviour censor --byzantine 0.1 --cheat-keep 0.3
usage_error "--attack-start with no Byzantine node" "$alone" "${ec[@]}" --attack-start 5
usage_error "--shrink with no Byzantine node" "$alone" "${ec[@]}" --shrink
usage_error "Byzantine nodes under the seed protocol" \
	"Byzantine nodes need a protocol that can run them \(--protocol ec\)" \
	--protocol seed "${small[@]}" --byzantine 0.2 --behaviour censor
usage_error "unknown defence" \
	"--defences needs off, default or a list of: witness, signed, convict, agreement, floor, quota \(separated by ',' or '\+'\); got 'nonsense'" \
	"${ec[@]}" --defences nonsense
usage_error "conviction without signed votes" \
	"the convict defence needs signed votes \(defences signed,convict\)" \
	"${ec[@]}" --defences convict
usage_error "no honest node left" "at least one node must stay honest" \
	"${ec[@]}" --byzantine 300 --behaviour silent --nodes 300

# 2. The JSON of a run with censors: the Byzantine figures.
sim "${ec[@]}" --byzantine 0.2 --behaviour censor --json --quiet >"$TMP/c.json"
rc=$?
if [ $rc -eq 0 ]; then ok; else bad "censor run: exit $rc"; fi
keys="['byzantine_nodes', 'behaviours', 'safety_violations', 'honest_committed_fraction',
	'censored_blocks', 'byzantine_vote_share', 'byzantine_peer_share', 'honest_isolated',
	'honest_eclipsed', 'attack_cost_attempts', 'first_violation_round']"
json_ok "censor run JSON keys" "$TMP/c.json" "all(k in j for k in $keys)"
json_ok "censor run JSON values" "$TMP/c.json" \
	"j['byzantine_nodes'] == 60 and j['behaviours'] == 'censor'"

# An eclipse in an open network runs, with the floor and quotas as named
# defences.
sim "${ec[@]}" --start-nodes 20 --join-rate 20 --byzantine 0.2 --behaviour eclipse \
	--defences floor+quota --json --quiet >"$TMP/e.json"
rc=$?
if [ $rc -eq 0 ]; then ok; else bad "eclipse run: exit $rc"; fi
json_ok "eclipse run JSON" "$TMP/e.json" \
	"j['behaviours'] == 'eclipse' and j['honest_eclipsed'] >= j['honest_isolated']"

# 3. The text report of the same run.
sim "${ec[@]}" --byzantine 0.2 --behaviour censor --quiet >"$TMP/c.txt"
rc=$?
if [ $rc -eq 0 ] && grep -q '^Byzantine: 60 nodes (censor)' "$TMP/c.txt"; then ok
else bad "text report (exit $rc): $(grep -i byzantine "$TMP/c.txt")"; fi

# 4. The scenario of a run with Byzantine nodes replays it byte for byte.
attack=(--byzantine 0.25 --behaviour fast-yes,delay --placement cluster:4 --attack-start 10
	--attack-delay 3 --censor-after 50)
sim "${ec[@]}" "${attack[@]}" --print-scenario >"$TMP/p.yaml"
rc=$?
if [ $rc -eq 0 ] && grep -qx 'byzantine: 0.25' "$TMP/p.yaml" &&
	grep -qx 'behaviour: fast-yes,delay' "$TMP/p.yaml"; then ok
else bad "--print-scenario: exit $rc, $(cat "$TMP/p.yaml")"; fi
sim "${ec[@]}" "${attack[@]}" --json --quiet >"$TMP/p1.json"
rc1=$?
sim run "$TMP/p.yaml" --json --quiet >"$TMP/p2.json"
rc2=$?
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ -s "$TMP/p1.json" ] &&
	cmp -s "$TMP/p1.json" "$TMP/p2.json"; then ok
else bad "the scenario does not replay the run (exit $rc1 and $rc2)"; fi

# 5. Safety violations are measurements: exit 0, a line on stderr, and the
# scenario written replays the first one, cut at its round.
viol=(--byzantine 0.45 --behaviour accomplice --conflict-rate 0.3 --forge-rate 0.1
	--json --quiet)
seed=
for s in 1 2 3 4 5; do
	rm -f "$TMP/v.yaml"
	sim "${ec[@]}" "${viol[@]}" --seed $s --safety-report "$TMP/v.yaml" \
		>"$TMP/v.json" 2>"$TMP/v.err"
	rc=$?
	n=$(jval "$TMP/v.json" safety_violations)
	if [ "${n:-0}" -gt 0 ] 2>/dev/null; then seed=$s; break; fi
done
if [ -n "$seed" ]; then ok; else bad "no seed in 1..5 gave a safety violation"; seed=1; fi
if [ $rc -eq 0 ]; then ok; else bad "run with violations: exit $rc, want 0"; fi
if grep -q 'safety violations, the first in round' "$TMP/v.err"; then ok
else bad "run with violations: stderr '$(cat "$TMP/v.err")'"; fi
if [ -s "$TMP/v.yaml" ]; then ok; else bad "run with violations wrote no scenario"; fi
rounds=$(sed -n 's/^rounds: //p' "$TMP/v.yaml" 2>/dev/null)
sim run "$TMP/v.yaml" --json --quiet --safety-report "$TMP/v2.yaml" >"$TMP/v2.json" 2>/dev/null
rc=$?
first=$(jval "$TMP/v2.json" first_violation_round)
if [ $rc -eq 0 ] && [ -n "$rounds" ] && [ "$first" = "$((rounds - 1))" ]; then ok
else bad "replay: exit $rc, first violation in round $first, scenario rounds '$rounds'"; fi

# 6. --shrink: the scenario has no more nodes and still shows a violation.
sim "${ec[@]}" "${viol[@]}" --seed "$seed" --shrink --safety-report "$TMP/s.yaml" \
	>/dev/null 2>&1
rc=$?
nodes=$(sed -n 's/^nodes: //p' "$TMP/s.yaml" 2>/dev/null)
if [ $rc -eq 0 ] && [ -n "$nodes" ] && [ "$nodes" -le 300 ]; then ok
else bad "--shrink: exit $rc, nodes '$nodes'"; fi
sim run "$TMP/s.yaml" --json --quiet --safety-report "$TMP/s2.yaml" >"$TMP/s.json" 2>/dev/null
json_ok "the shrunk scenario shows no violation" "$TMP/s.json" "j['safety_violations'] > 0"

# 7. No Byzantine node: the honest run, with the Byzantine figures added.
sim "${ec[@]}" --json --quiet >"$TMP/h.json"
rc1=$?
sim "${ec[@]}" --byzantine 0 --behaviour equivocate --json --quiet >"$TMP/z.json"
rc2=$?
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ]; then ok; else bad "--byzantine 0: exit $rc1 and $rc2"; fi
same="all(k in j and j[k] == h[k] for k in h) and len(j) > len(h)"
json_ok "--byzantine 0 changed the honest figures" "$TMP/z.json" \
	"(lambda h: $same)(json.load(open(sys.argv[3])))" "$TMP/h.json"

# 8. The thread count changes nothing.
det=(--byzantine 0.3 --behaviour fast-yes,delay,censor --json --quiet)
sim "${ec[@]}" "${det[@]}" --threads 1 >"$TMP/t1.json"
rc1=$?
sim "${ec[@]}" "${det[@]}" --threads 3 >"$TMP/t3.json"
rc2=$?
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ -s "$TMP/t1.json" ] &&
	cmp -s "$TMP/t1.json" "$TMP/t3.json"; then ok
else bad "--threads 1 and --threads 3 differ (exit $rc1 and $rc2)"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
