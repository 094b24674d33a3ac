#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Command-line hardening tests for ecsim (issue 13 item 6): one section per
# defect that newcomers ran into, numbered as in the issue; each heading says
# what the section holds the command line to.
# Usage: test_cli_hardening.sh PATH/TO/ecsim
script=test_cli_hardening.sh
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

# usage_error DESCRIPTION ARGS...: exit 2, exactly one "ecsim: " line on
# stderr, nothing on stdout.  --print-scenario stops a run that is wrongly
# accepted before it simulates anything.
usage_error() {
	local what=$1; shift
	"$ECSIM" "$@" --print-scenario >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ $rc -ne 2 ]; then bad "$what: exit $rc, want 2"; return 1; fi
	if [ -s "$TMP/out" ]; then bad "$what: wrote to stdout"; return 1; fi
	if [ "$(wc -l <"$TMP/err")" -ne 1 ] || ! grep -q '^ecsim: ' "$TMP/err"; then
		bad "$what: stderr is not one 'ecsim:' line: $(cat "$TMP/err")"; return 1
	fi
	ok
}
# says PATTERN DESCRIPTION: the last stderr matches the extended regex.
says() {
	if grep -Eq -- "$1" "$TMP/err"; then ok; else bad "$2: '$(cat "$TMP/err")' lacks /$1/"; fi
}

# ---- 1a. every numeric option states its range ------------------------------
RANGE='from -?[0-9][0-9.e+^]* to [0-9][0-9.e+^]*|in \[0, ?1\]|in \(0, ?1e6\]'
for opt in nodes rounds seed initial-tokens tiebreak-salt runs threads max-queue \
	tokens-per-node tx-rate warmup grace tx-rate-per-node drain degree delay loss conflict-rate \
	forge-rate destroy-rate witness-tokens bad-identity-rate; do
	usage_error "--$opt x" "--$opt" x && says "$RANGE" "--$opt range"
done
for opt in window threshold quorum fanout; do
	usage_error "--$opt x" --protocol ec "--$opt" x && says "$RANGE" "--$opt range"
done
usage_error "--identity-bits x" --protocol ec --topology small-world --identity-bits x &&
	says "$RANGE" "--identity-bits range"
usage_error "--block-size x" --block-size x && says 'from 1 to (5|256)' "--block-size range"
usage_error "--nodes above 2^32" --nodes 4294967296 && says 'from 2 to 4294967295' "--nodes"

# ---- 1b. memory: refused before set-up, with the estimate and the limit ------
# A dense topology of 4 M nodes needs 2 TB for its adjacency bitmap alone.
"$ECSIM" --quiet --nodes 4000000 --rounds 10 >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 2 ] && [ ! -s "$TMP/out" ]; then ok; else bad "4 M dense nodes: exit $rc"; fi
says 'needs about [0-9.]+ [GT]iB of memory.*[0-9.]+ [GMT]iB.*--force' "dense 4 M refusal"
"$ECSIM" --quiet --nodes 2147483648 --topology small-world >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 2 ] && [ ! -s "$TMP/out" ]; then ok; else bad "--nodes 2147483648: exit $rc"; fi
says 'needs about [0-9.]+ [GT]iB of memory.*--force' "2^31 nodes refusal"
printf 'nodes: 4000000\nrounds: 10\n' >"$TMP/big.yaml"
"$ECSIM" run "$TMP/big.yaml" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 2 ]; then ok; else bad "run big.yaml: exit $rc"; fi
says 'needs about .*--force' "scenario refusal"
"$ECSIM" --quiet --runs 2 --nodes 4000000 --rounds 10 --json >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 2 ] && [ ! -s "$TMP/out" ]; then ok; else bad "--runs 2 big: exit $rc"; fi
# --force is an option (a small run is never refused) and --help names it
if "$ECSIM" --quiet --force --nodes 100 --rounds 30 --seed 3 --json >"$TMP/out" 2>"$TMP/err" &&
	grep -q '"commits":' "$TMP/out"; then ok; else bad "--force on a small run: $(cat "$TMP/err")"; fi
"$ECSIM" --help >"$TMP/help"
if grep -q -- '--force' "$TMP/help"; then ok; else bad "--help lacks --force"; fi
# the estimate is reported with --resources
"$ECSIM" --quiet --nodes 300 --rounds 30 --seed 3 --json --resources >"$TMP/out"
if grep -q '"memory_estimate_bytes":[1-9][0-9]*,' "$TMP/out"; then ok
else bad "--resources lacks memory_estimate_bytes"; fi

# ---- 2. option arithmetic does not wrap ------------------------------------
usage_error "warm-up 1, drain 2^64-1" --warmup 1 --drain 18446744073709551615
usage_error "warm-up plus drain is 2^64" --rounds 100 --warmup 10 --drain 18446744073709551606
usage_error "warm-up plus drain past the run" --rounds 100 --warmup 60 --drain 40
"$ECSIM" --rounds 100 --warmup 60 --drain 39 --print-scenario >"$TMP/out" 2>"$TMP/err" && ok ||
	bad "warm-up 60, drain 39 of 100 refused: $(cat "$TMP/err")"
usage_error "tokens per node times nodes" --tokens-per-node 1000000 --nodes 5000

# ---- 3. --opt=value works like --opt value ----------------------------------
small=(--quiet --nodes 200 --rounds 60 --json)
"$ECSIM" "${small[@]}" --seed 5 >"$TMP/a"
"$ECSIM" "${small[@]}" --seed=5 >"$TMP/b"
if [ -s "$TMP/a" ] && cmp -s "$TMP/a" "$TMP/b"; then ok; else bad "--seed=5 differs from --seed 5"; fi
"$ECSIM" "${small[@]}" --print-scenario >"$TMP/s.yaml"
"$ECSIM" run "$TMP/s.yaml" --quiet --json --seed 5 >"$TMP/c" 2>"$TMP/err"
"$ECSIM" run "$TMP/s.yaml" --quiet --json --seed=5 >"$TMP/d" 2>"$TMP/err"
if [ -s "$TMP/c" ] && cmp -s "$TMP/a" "$TMP/c" && cmp -s "$TMP/c" "$TMP/d"; then ok
else bad "run FILE --seed=5: $(cat "$TMP/err")"; fi
"$ECSIM" run "$TMP/s.yaml" --quiet --json --tokens-per-node=1 --tx-rate-per-node=0.01 >"$TMP/e" 2>"$TMP/err" &&
	ok || bad "run FILE --tokens-per-node=1 (the file has initial_tokens): $(cat "$TMP/err")"
"$ECSIM" run "$TMP/s.yaml" --quiet --json --seed-h=0500000000000000000000000000000000000000000000000000000000000000 \
	>"$TMP/f" 2>"$TMP/err"
if cmp -s "$TMP/a" "$TMP/f"; then ok; else bad "run FILE --seed-h (abbreviated): $(cat "$TMP/err")"; fi
# an error in an option after the file names the option, not the file
"$ECSIM" run "$TMP/s.yaml" --nodes x >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 2 ] && grep -q '^ecsim: --nodes needs' "$TMP/err" && ! grep -q 's.yaml' "$TMP/err"; then ok
else bad "error after the file: exit $rc, $(cat "$TMP/err")"; fi
"$ECSIM" run "$TMP/s.yaml" --bogus >"$TMP/out" 2>"$TMP/err"
if grep -q "^ecsim: unknown option '--bogus'" "$TMP/err"; then ok; else bad "unknown option after the file: $(cat "$TMP/err")"; fi
# ... while a problem of the file itself still names the file
printf 'nodes: 300\nrounds: 100\nwarmup: 100\n' >"$TMP/w.yaml"
"$ECSIM" run "$TMP/w.yaml" >"$TMP/out" 2>"$TMP/err"
if grep -q 'w.yaml' "$TMP/err" && grep -q 'warm-up' "$TMP/err"; then ok; else bad "file's own problem: $(cat "$TMP/err")"; fi
# several YAML documents
printf 'nodes: 300\n---\nnodes: 400\n' >"$TMP/multi.yaml"
"$ECSIM" run "$TMP/multi.yaml" --print-scenario >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 2 ] && [ ! -s "$TMP/out" ] && grep -q 'multi.yaml:3:1: .*one YAML document' "$TMP/err"; then ok
else bad "multi-document YAML: exit $rc, $(cat "$TMP/err")"; fi
# a FIFO (it would block for ever) and a directory
mkfifo "$TMP/fifo"
timeout 10 "$ECSIM" run "$TMP/fifo" --print-scenario >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 2 ] && grep -q 'fifo: not a regular file' "$TMP/err"; then ok
else bad "FIFO scenario: exit $rc, $(cat "$TMP/err")"; fi
mkdir "$TMP/dir.yaml"
"$ECSIM" run "$TMP/dir.yaml" --print-scenario >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 2 ] && grep -q 'dir.yaml: not a regular file' "$TMP/err"; then ok
else bad "directory scenario: exit $rc, $(cat "$TMP/err")"; fi
# the shared parser takes --opt=value in sweeps too
if "$ECSIM" sweep --out "$TMP/sw" --sweep-nodes 100 --seeds 1 --rounds=30 --topology=small-world \
	--degree=8 --quiet >/dev/null 2>"$TMP/err" && [ -s "$TMP/sw/runs.csv" ]; then ok
else bad "sweep with --opt=value: $(cat "$TMP/err")"; fi

# ---- 4. --version and -h ---------------------------------------------------
if "$ECSIM" --version >"$TMP/out" 2>"$TMP/err" && grep -Eq '^ecsim [0-9]+\.[0-9]+' "$TMP/out" &&
	[ "$(wc -l <"$TMP/out")" -eq 1 ] && [ ! -s "$TMP/err" ]; then ok
else bad "--version: $(cat "$TMP/out" "$TMP/err")"; fi
"$ECSIM" --help >"$TMP/help1"
if "$ECSIM" -h >"$TMP/help2" && cmp -s "$TMP/help1" "$TMP/help2" && grep -q -- '--version' "$TMP/help1"
then ok; else bad "-h differs from --help or --help lacks --version"; fi
for args in "identity -h" "identity --help" "identity mine -h" "identity verify -h" "run -h" "run --help"; do
	# shellcheck disable=SC2086
	if "$ECSIM" $args >"$TMP/out" 2>"$TMP/err" && grep -q 'usage' "$TMP/out"; then ok
	else bad "ecsim $args: $(cat "$TMP/err")"; fi
done

# ---- 5. progress: on a terminal during set-up and rounds; never to a file ---
prog=(--nodes 3000 --rounds 40 --topology small-world --degree 8 --seed 2 --json)
if command -v script >/dev/null; then
	script -qec "$ECSIM ${prog[*]} 2>&1 >/dev/null" /dev/null >"$TMP/tty" 2>&1
	if grep -q 'set-up: ' "$TMP/tty" && grep -q 'topology' "$TMP/tty"; then ok
	else bad "no set-up progress on a terminal: $(tr '\r' '\n' <"$TMP/tty" | head -5)"; fi
	if grep -Eq 'round 1/40.*messages/s' "$TMP/tty"; then ok
	else bad "no round progress on a terminal: $(tr '\r' '\n' <"$TMP/tty" | head -5)"; fi
	script -qec "$ECSIM --quiet ${prog[*]} 2>&1 >/dev/null" /dev/null >"$TMP/tty" 2>&1
	if [ ! -s "$TMP/tty" ]; then ok; else bad "--quiet printed progress"; fi
fi
"$ECSIM" "${prog[@]}" >/dev/null 2>"$TMP/err"
if [ ! -s "$TMP/err" ]; then ok; else bad "progress written to a file: $(head -c 200 "$TMP/err")"; fi

# ---- 6a. options that cannot apply -----------------------------------------
usage_error "--degree on a dense topology" --degree 12
says 'bounded' "--degree on a dense topology"
usage_error "--degree on random:0.3" --topology random:0.3 --degree 12
usage_error "--degree above nodes - 1" --topology small-world --nodes 100 --degree 100
says 'nodes - 1 \(99\)' "--degree above nodes - 1"
for o in "--window 5" "--threshold 3" "--quorum 2" "--fanout 3" "--grace 2" "--batch off" \
	"--no-batch" "--verify-every-node"; do
	# shellcheck disable=SC2086
	usage_error "$o under seed" --protocol seed $o && says 'protocol ec' "$o under seed"
done
usage_error "--resources without --json" --resources
says 'json' "--resources without --json"
usage_error "--tiebreak-salt under ec" --protocol ec --tiebreak-salt 28
says 'protocol seed' "--tiebreak-salt under ec"
# the printed scenario of a dense run does not carry a degree, and replays
"$ECSIM" --nodes 200 --rounds 60 --print-scenario >"$TMP/dense.yaml"
if ! grep -q '^degree:' "$TMP/dense.yaml" && "$ECSIM" run "$TMP/dense.yaml" --print-scenario >/dev/null
then ok; else bad "dense scenario: $(cat "$TMP/dense.yaml")"; fi

# ---- 7b. an interrupted run leaves no temporary event file ------------------
# SIGTERM: a background job of a non-interactive shell ignores SIGINT, and
# the same handler serves SIGINT, SIGTERM and SIGHUP.  Bounded: a run that
# does not end within 10 s of the signal is killed and the test fails.
mkdir -p "$TMP/sig"
"$ECSIM" --quiet --rounds 1000000 --csv-events "$TMP/sig/ev.csv" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 50); do # until its temporary file exists (at most 5 s)
	[ -n "$(ls -A "$TMP/sig")" ] && break
	sleep 0.1
done
kill -TERM "$pid" 2>/dev/null
for _ in $(seq 100); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -KILL "$pid" 2>/dev/null
wait "$pid"
st=$?
if [ $st -eq 143 ] && [ -z "$(ls -A "$TMP/sig")" ]; then ok
else bad "SIGTERM during a run: exit $st, left: $(ls -A "$TMP/sig")"; fi

# ---- 6b. undefined figures: n/a in text, null in JSON ------------------------
none=(--quiet --nodes 100 --rounds 50 --seed 3 --delay 1)
"$ECSIM" "${none[@]}" >"$TMP/none.txt"
if grep -q 'n/a messages/node/commit' "$TMP/none.txt" && ! grep -q '0\.00 messages/node/commit' "$TMP/none.txt" &&
	grep -q 'n/a messages per committed token' "$TMP/none.txt"; then ok
else bad "zero-commit text: $(grep Throughput "$TMP/none.txt")"; fi
"$ECSIM" "${none[@]}" --json >"$TMP/none.json"
for key in messages_per_node_per_commit messages_per_token envelope_ratio; do
	if grep -q "\"$key\":null," "$TMP/none.json"; then ok; else bad "zero-commit JSON: $key is not null"; fi
done
"$ECSIM" "${none[@]}" --runs 2 --json >"$TMP/none2.json"
if grep -q '"rounds_per_commit":{"n":0,"mean":null,' "$TMP/none2.json"; then ok
else bad "summary of no commits: $(tail -1 "$TMP/none2.json" | head -c 300)"; fi
"$ECSIM" "${none[@]}" --runs 2 >"$TMP/none2.txt"
if grep -Eq '^  rounds_per_commit +0 +n/a' "$TMP/none2.txt"; then ok
else bad "text summary of no commits: $(grep rounds_per_commit "$TMP/none2.txt")"; fi

# ---- 7. a failed run leaves no event file ----------------------------------
mkdir "$TMP/ev" "$TMP/ev2"
if "$ECSIM" --quiet --nodes 300 --rounds 200 --seed 2 --topology small-world --degree 16 \
	--tokens-per-node 1 --tx-rate 20 --max-queue 2000 --csv-events "$TMP/ev/e.csv" >/dev/null 2>"$TMP/err"
then bad "queue guard did not stop the run"
elif [ -z "$(ls -A "$TMP/ev")" ]; then ok; else bad "a failed run left: $(ls -A "$TMP/ev")"; fi
"$ECSIM" --quiet --nodes 100 --rounds 30 --seed 3 --csv-events "$TMP/ev2/ok.csv" >/dev/null
if [ "$(ls -A "$TMP/ev2")" = ok.csv ] && [ "$(head -1 "$TMP/ev2/ok.csv" | cut -c1-9)" = run,round ]; then ok
else bad "successful run: $(ls -A "$TMP/ev2")"; fi
# an existing file is replaced only by a complete one
echo old >"$TMP/ev2/ok.csv"
"$ECSIM" --quiet --nodes 300 --rounds 200 --seed 2 --topology small-world --degree 16 \
	--tokens-per-node 1 --tx-rate 20 --max-queue 2000 --csv-events "$TMP/ev2/ok.csv" >/dev/null 2>&1
if [ "$(cat "$TMP/ev2/ok.csv")" = old ] && [ "$(ls -A "$TMP/ev2")" = ok.csv ]; then ok
else bad "a failed run touched the existing file"; fi
# a device is written directly
if "$ECSIM" --quiet --nodes 100 --rounds 30 --seed 3 --csv-events /dev/null >/dev/null; then ok
else bad "--csv-events /dev/null"; fi

# ---- 8. identity keys must be Ed25519 points -------------------------------
# y = 0 decodes to a point of order 4: not a valid public key, whatever the
# salt and address (--bits 0 makes any address good enough).
ZERO=0000000000000000000000000000000000000000000000000000000000000000
SALT=0101010101010101010101010101010101010101010101010101010101010101
"$ECSIM" identity verify --bits 0 --memory 8 "$ZERO" "$SALT" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 1 ] && grep -q '^ecsim identity: invalid: .*not a valid Ed25519' "$TMP/err"; then ok
else bad "small-order key: exit $rc, $(cat "$TMP/out" "$TMP/err")"; fi
"$ECSIM" identity verify --bits 0 --memory 8 --json "$ZERO" "$SALT" >"$TMP/out" 2>/dev/null
if grep -q '"valid":false,"verdict":"bad-key"' "$TMP/out"; then ok; else bad "bad-key JSON: $(cat "$TMP/out")"; fi
# RFC 8032 §7.1 test 1's public key is a valid point
RFC_PK=d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a
if "$ECSIM" identity verify --bits 0 --memory 8 "$RFC_PK" "$SALT" >/dev/null 2>&1; then ok
else bad "RFC 8032 key refused"; fi

echo "hardening: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
