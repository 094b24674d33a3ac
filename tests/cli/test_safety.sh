#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The safety check on the command line: --safety-check and --safety-report
# refuse bad values with one clear line; the seed protocol, which
# double-commits by design, stops at its first double commit with exit
# status 1, an account on stderr, its JSON (with "safety_violation") and a
# scenario file that replays the violation; runs without a violation print
# exactly what they print with the check off.
# Usage: test_safety.sh PATH/TO/ecsim
script=test_safety.sh
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

# usage_error DESCRIPTION EXPECTED-REGEX ARGS...: exit 2, one "ecsim: " line
# on stderr matching the regex, nothing on stdout, no scenario file written.
usage_error() {
	local what=$1 want=$2; shift 2
	(cd "$TMP" && "$ECSIM" "$@" >"$TMP/out" 2>"$TMP/err")
	local rc=$?
	if [ $rc -ne 2 ]; then bad "$what: exit $rc, want 2"; return; fi
	if [ -s "$TMP/out" ]; then bad "$what: wrote to stdout"; return; fi
	if [ "$(wc -l <"$TMP/err")" -ne 1 ] || ! grep -q '^ecsim: ' "$TMP/err"; then
		bad "$what: stderr is not one 'ecsim:' line: $(cat "$TMP/err")"; return
	fi
	if ! grep -Eq -- "$want" "$TMP/err"; then bad "$what: '$(cat "$TMP/err")' lacks /$want/"; return; fi
	if compgen -G "$TMP/safety-violation-*" >/dev/null; then bad "$what: wrote a scenario"; return; fi
	ok
}

usage_error "bad value" "--safety-check needs on or off, got 'maybe'" --safety-check maybe
usage_error "upper case" "--safety-check needs on or off, got 'ON'" --safety-check ON
usage_error "no value" "option '--safety-check' needs a value" --safety-check
usage_error "empty report name" "--safety-report needs a file name" --safety-report ''
usage_error "report with the check off (seed)" \
	"--safety-report .*the check is off.*--safety-check on" --safety-report "$TMP/r.yaml"
usage_error "report with the check off (ec)" "--safety-report .*the check is off" \
	--protocol ec --safety-check off --safety-report "$TMP/r.yaml"
printf 'nodes: 200\nsafety_check: sometimes\n' >"$TMP/bad.yaml"
usage_error "scenario value" "bad.yaml:2:15: --safety-check needs on or off" run "$TMP/bad.yaml"
if "$ECSIM" sweep --out "$TMP/sw" --sweep-nodes 100 --safety-report "$TMP/r.yaml" >/dev/null 2>"$TMP/err"; then
	bad "sweep accepted --safety-report"
elif [ $? -eq 2 ] && grep -q -- '--safety-report does not apply to sweep' "$TMP/err"; then ok
else bad "sweep --safety-report: $(cat "$TMP/err")"; fi
if "$ECSIM" --help | grep -q -- '--safety-check on|off'; then ok; else bad "--help lacks --safety-check"; fi

# The scenario key: printed when given, read back.
"$ECSIM" --nodes 200 --safety-check on --print-scenario >"$TMP/on.yaml"
if grep -qx 'safety_check: on' "$TMP/on.yaml"; then ok; else bad "scenario lacks safety_check: on"; fi
"$ECSIM" --nodes 200 --print-scenario >"$TMP/def.yaml"
if ! grep -q 'safety_check' "$TMP/def.yaml"; then ok; else bad "default scenario names safety_check"; fi
"$ECSIM" run "$TMP/on.yaml" --print-scenario >"$TMP/on2.yaml"
if cmp -s "$TMP/on.yaml" "$TMP/on2.yaml"; then ok; else bad "safety_check does not round-trip"; fi

# The seed protocol double-commits: the check stops the run at the end of
# the round of its first double commit.
seedargs=(--quiet --nodes 200 --initial-tokens 4 --conflict-rate 0.5 --rounds 80 --seed 7)
(cd "$TMP" && "$ECSIM" "${seedargs[@]}" --safety-check on --json --csv-events "$TMP/ev.csv" \
	>"$TMP/v.json" 2>"$TMP/v.err")
rc=$?
if [ $rc -eq 1 ]; then ok; else bad "violation: exit $rc, want 1"; fi
field() { sed -n "s/.*\"safety_violation\":{[^}]*\"$1\":\"*\([0-9a-f]*\).*/\1/p" "$2"; }
round=$(field round "$TMP/v.json")
a=$(field block_a "$TMP/v.json")
b=$(field block_b "$TMP/v.json")
token=$(field token "$TMP/v.json")
if [ -n "$round" ] && [ ${#a} -eq 16 ] && [ ${#b} -eq 16 ] && [ ${#token} -eq 16 ]; then ok
else bad "JSON safety_violation: $(grep -o '"safety_violation":{[^}]*}' "$TMP/v.json")"; fi
if [ "$(wc -l <"$TMP/v.json")" -eq 1 ] && grep -q "\"rounds\":$((round + 1)),\"warmup\":0," "$TMP/v.json"; then ok
else bad "JSON of the partial run: $(head -c 120 "$TMP/v.json")"; fi
if grep -q "^ecsim: run 0: safety violation in round $round: blocks $a (a) and $b (b) both spend token $token from parent [0-9a-f]\{16\}, and both committed$" "$TMP/v.err" &&
	grep -q "^  block a $a: created in round [0-9]*; spends token " "$TMP/v.err" &&
	grep -q "^  block b $b: created in round [0-9]*; spends token " "$TMP/v.err" &&
	[ "$(grep -c '^    committed at [0-9]* nodes\? by then; the first: node [0-9a-f]\{16\} in round [0-9]*' "$TMP/v.err")" -eq 2 ] &&
	grep -q "^ecsim: wrote safety-violation-7.yaml: the run up to round $round " "$TMP/v.err"; then ok
else bad "violation message: $(cat "$TMP/v.err")"; fi
# its node commits are in the event file, up to that round and no further
last=$(tail -1 "$TMP/ev.csv" | cut -d, -f2)
if grep -q ",node_commit,[0-9a-f]*,$a," "$TMP/ev.csv" && grep -q ",node_commit,[0-9a-f]*,$b," "$TMP/ev.csv" &&
	[ "$last" = "$round" ]; then ok
else bad "event file of the stopped run (last round $last)"; fi

# The scenario it wrote replays it: the same JSON, the same account.
f="$TMP/safety-violation-7.yaml"
if [ -f "$f" ] && grep -qx "rounds: $((round + 1))" "$f" && grep -qx 'safety_check: on' "$f" &&
	grep -qx 'protocol: seed' "$f" && grep -qx 'conflict_rate: 0.5' "$f"; then ok
else bad "scenario file: $(cat "$f" 2>&1)"; fi
"$ECSIM" run "$f" --quiet --json --safety-check on --safety-report "$TMP/again.yaml" >"$TMP/r.json" 2>"$TMP/r.err"
rc=$?
if [ $rc -eq 1 ] && cmp -s "$TMP/v.json" "$TMP/r.json" &&
	grep -q "^ecsim: run 0: safety violation in round $round: blocks $a (a) and $b (b) " "$TMP/r.err" &&
	cmp -s <(sed 1d "$TMP/v.err" | head -4) <(sed 1d "$TMP/r.err" | head -4); then ok
else bad "replay of the scenario: exit $rc, $(cat "$TMP/r.err")"; fi
if cmp -s "$f" "$TMP/again.yaml"; then ok; else bad "the replay's scenario differs"; fi
# ... and without the check, the double commit is there at the end of it
"$ECSIM" run "$f" --quiet --json --safety-check off >"$TMP/off.json"
rc=$?
if [ $rc -eq 0 ] && ! grep -q safety_violation "$TMP/off.json" &&
	grep -q '"conflict_both":[1-9]' "$TMP/off.json"; then ok
else bad "the scenario without the check: exit $rc"; fi
# one round fewer: nothing to find yet
"$ECSIM" run "$f" --quiet --json --rounds "$round" >"$TMP/before.json" 2>"$TMP/before.err"
rc=$?
if [ $rc -eq 0 ] && ! grep -q safety_violation "$TMP/before.json" && [ ! -s "$TMP/before.err" ]; then ok
else bad "the rounds before the violation: exit $rc, $(cat "$TMP/before.err")"; fi

# A violation during the drain: the scenario's drain stops block creation
# in the same round, and the replay is byte-identical.  One during the
# warm-up: the warm-up is lowered (figures only), the run is the same.
"$ECSIM" "${seedargs[@]}" --rounds $((round + 9)) --drain 10 --safety-check on --json \
	--safety-report "$TMP/d.yaml" >"$TMP/d1.json" 2>/dev/null
"$ECSIM" run "$TMP/d.yaml" --quiet --json --safety-report "$TMP/d2.yaml" >"$TMP/d2.json" 2>/dev/null
if grep -qx "drain: 2" "$TMP/d.yaml" && grep -q "\"round\":$round," "$TMP/d1.json" &&
	cmp -s "$TMP/d1.json" "$TMP/d2.json"; then ok
else bad "violation in the drain: $(cat "$TMP/d.yaml")"; fi
"$ECSIM" "${seedargs[@]}" --warmup 50 --drain 20 --safety-check on --json \
	--safety-report "$TMP/w.yaml" >"$TMP/w1.json" 2>/dev/null
"$ECSIM" run "$TMP/w.yaml" --quiet --json --safety-report "$TMP/w2.yaml" >"$TMP/w2.json" 2>/dev/null
if grep -qx "warmup: $round" "$TMP/w.yaml" && ! grep -q '^drain' "$TMP/w.yaml" &&
	grep -q '^# The warm-up was 50 rounds: lowered' "$TMP/w.yaml" &&
	[ "$(grep -o '"safety_violation":{[^}]*}' "$TMP/w1.json")" = "$(grep -o '"safety_violation":{[^}]*}' "$TMP/w2.json")" ] &&
	grep -q "\"round\":$round," "$TMP/w2.json"; then ok
else bad "violation in the warm-up: $(cat "$TMP/w.yaml")"; fi

# --safety-report names the file; the text report says it too; --runs stops there.
"$ECSIM" "${seedargs[@]}" --safety-check on --safety-report "$TMP/named.yaml" --runs 3 >"$TMP/t.txt" 2>"$TMP/t.err"
rc=$?
if [ $rc -eq 1 ] && cmp -s "$f" "$TMP/named.yaml" && grep -qx "run 0 broke safety in round $round" "$TMP/t.txt" &&
	[ "$(grep -c '^run 0 seed ' "$TMP/t.txt")" -eq 1 ] && ! grep -q '^run 1' "$TMP/t.txt" &&
	! grep -q '^Summary' "$TMP/t.txt"; then ok
else bad "--safety-report with --runs 3: exit $rc, $(cat "$TMP/t.txt")"; fi
"$ECSIM" "${seedargs[@]}" --safety-check on --safety-report "$TMP/named.yaml" >"$TMP/t1.txt" 2>/dev/null
if grep -q "^Safety: violated: blocks $a and $b, which both spend token $token from parent [0-9a-f]*, had both committed by the end of round $round, where the run stopped$" "$TMP/t1.txt"
then ok; else bad "text report: $(cat "$TMP/t1.txt")"; fi
# a file that cannot be written is reported, and the status stays 1
"$ECSIM" "${seedargs[@]}" --safety-check on --safety-report "$TMP/no/such/dir.yaml" >/dev/null 2>"$TMP/w.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "^ecsim: cannot write .*no/such/dir.yaml" "$TMP/w.err"; then ok
else bad "unwritable report: exit $rc, $(cat "$TMP/w.err")"; fi

# A sweep stops at a violation, saying which run.
"$ECSIM" sweep --out "$TMP/sweep" --sweep-nodes 200 --seeds 2 --initial-tokens 4 --conflict-rate 0.5 \
	--rounds 80 --seed 7 --safety-check on --quiet >/dev/null 2>"$TMP/sw.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "^ecsim sweep: run N=200 seed #0 broke safety in round $round (blocks $a and $b)" "$TMP/sw.err"
then ok; else bad "sweep with a violation: exit $rc, $(cat "$TMP/sw.err")"; fi

# Without a violation the check changes no byte: ec, whose views are exact
# here (16 nearest on each side), is checked by default; off and on agree.
ecargs=(--quiet --protocol ec --nodes 600 --rounds 120 --warmup 20 --drain 20 --topology small-world
	--degree 32 --tokens-per-node 1 --tx-rate 12 --conflict-rate 0.3 --json)
"$ECSIM" "${ecargs[@]}" >"$TMP/ec.json"
"$ECSIM" "${ecargs[@]}" --safety-check off >"$TMP/ecoff.json"
"$ECSIM" "${ecargs[@]}" --safety-check on --csv-events "$TMP/econ.csv" >"$TMP/econ.json"
"$ECSIM" "${ecargs[@]}" --safety-check off --csv-events "$TMP/ecoff.csv" >/dev/null
if [ -s "$TMP/ec.json" ] && cmp -s "$TMP/ec.json" "$TMP/ecoff.json" && cmp -s "$TMP/ec.json" "$TMP/econ.json" &&
	cmp -s "$TMP/econ.csv" "$TMP/ecoff.csv" && ! grep -q safety_violation "$TMP/ec.json"; then ok
else bad "the check changed the output of a safe run"; fi
# the seed protocol is not checked by default: the published run is unchanged
"$ECSIM" "${seedargs[@]}" --json >"$TMP/s.json"
rc=$?
if [ $rc -eq 0 ] && ! grep -q safety_violation "$TMP/s.json" && grep -q '"rounds":80,' "$TMP/s.json"; then ok
else bad "seed checked by default"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
