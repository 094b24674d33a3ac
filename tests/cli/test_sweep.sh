#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Tests of `ecsim sweep` (issue 13): no shell anywhere (hostile --out names),
# no partial or empty output file when gnuplot fails, the run options that do
# not apply to a sweep refused, --help, undefined figures written as empty
# fields and n/a, paths of any length, unusable --out directories.
# Usage: test_sweep.sh PATH/TO/ecsim
script=test_sweep.sh
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

HAVE_GNUPLOT=0
command -v gnuplot >/dev/null 2>&1 && HAVE_GNUPLOT=1
# A tiny grid: two sizes, two seeds, a few rounds (commits happen).
SMALL=(--sweep-nodes "20,40" --rounds 30 --seeds 2 --protocol seed --quiet)
PLOTS="messages_per_commit messages_per_node_per_commit latency_mean throughput"

# sweep DIR ARGS...: runs ecsim sweep --out DIR ARGS... from $TMP/cwd;
# stdout in $TMP/out, stderr in $TMP/err, status in $rc.
mkdir -p "$TMP/cwd"
sweep() {
	local dir=$1; shift
	(cd "$TMP/cwd" && "$ECSIM" sweep --out "$dir" "$@") >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

# plots_or_temps DIR: the plots and temporary (hidden) files in DIR.
plots_or_temps() {
	find "$1" -mindepth 1 \( -name '*.png' -o -name '*.svg' -o -name '.*' \) -printf '%f '
}

# has_outputs WHAT DIR: the four data files, and the eight plots when
# gnuplot is installed, all non-empty; no temporary file left behind.
has_outputs() {
	local what=$1 dir=$2 f
	for f in runs.csv summary.csv fit.txt plots.gp; do
		if [ ! -s "$dir/$f" ]; then bad "$what: $f missing or empty"; return; fi
	done
	if [ $HAVE_GNUPLOT = 1 ]; then
		for f in $PLOTS; do
			if [ ! -s "$dir/$f.png" ] || [ ! -s "$dir/$f.svg" ]; then
				bad "$what: plot $f missing or empty"; return
			fi
		done
	fi
	if [ -n "$(find "$dir" -name '.*' ! -name . | head -1)" ]; then
		bad "$what: temporary files left: $(ls -A "$dir")"; return
	fi
	ok
}

# 1. No shell: a quote in --out must not run a command, and names with
# quotes, spaces, $ and ; work like any other.
sweep "q'; touch INJECTED; echo '" "${SMALL[@]}"
if [ -e "$TMP/cwd/INJECTED" ] || [ -n "$(find "$TMP" -name INJECTED)" ]; then
	bad "--out with a quote ran a shell command"
elif [ $rc -ne 0 ]; then bad "--out with a quote: exit $rc: $(cat "$TMP/err")"
else has_outputs "--out with a quote" "$TMP/cwd/q'; touch INJECTED; echo '"; fi
sweep "O'Brien" "${SMALL[@]}"
if [ $rc -eq 0 ]; then has_outputs "--out O'Brien" "$TMP/cwd/O'Brien"
else bad "--out O'Brien: exit $rc: $(cat "$TMP/err")"; fi
odd="$TMP/it's a \"dir\" \$HOME; \`x\` \\n"
sweep "$odd" "${SMALL[@]}"
if [ $rc -eq 0 ]; then has_outputs "--out with ' \" spaces \$ ;" "$odd"
else bad "--out with ' \" spaces \$ ;: exit $rc: $(cat "$TMP/err")"; fi
if [ "$(grep -c 'b = ' "$TMP/out")" -eq 7 ]; then ok; else bad "fit not printed on stdout"; fi

# 2. gnuplot failing leaves no plot, complete or empty, and no temporary
# file; the tables are still written; the status is 1 with a message.
mkdir -p "$TMP/failbin" "$TMP/emptybin" "$TMP/nobin"
cat >"$TMP/failbin/gnuplot" <<'SH'
#!/bin/sh
# Like a gnuplot that dies half-way: creates every output empty, then fails.
sed -n "s/^set output '\(.*\)'\$/\1/p" "$1" | while IFS= read -r f; do : >"$f"; done
echo "fake gnuplot: failing on purpose" >&2
exit 1
SH
cat >"$TMP/emptybin/gnuplot" <<'SH'
#!/bin/sh
# Succeeds but writes nothing into its outputs.
sed -n "s/^set output '\(.*\)'\$/\1/p" "$1" | while IFS= read -r f; do : >"$f"; done
exit 0
SH
chmod +x "$TMP/failbin/gnuplot" "$TMP/emptybin/gnuplot"
for kind in failbin emptybin; do
	dir="$TMP/gp-$kind"
	PATH="$TMP/$kind:$PATH" sweep "$dir" "${SMALL[@]}"
	if [ $rc -ne 1 ]; then bad "gnuplot $kind: exit $rc, want 1"
	elif ! grep -q 'gnuplot' "$TMP/err"; then bad "gnuplot $kind: no message: $(cat "$TMP/err")"
	elif [ -n "$(plots_or_temps "$dir")" ]; then
		bad "gnuplot $kind: left plot or temporary files: $(ls -A "$dir")"
	elif [ ! -s "$dir/runs.csv" ] || [ ! -s "$dir/summary.csv" ] || [ ! -s "$dir/plots.gp" ]; then
		bad "gnuplot $kind: the tables were not written"
	else ok; fi
done
PATH="$TMP/failbin:$PATH" sweep "$TMP/gp-msg" "${SMALL[@]}"
if grep -q 'fake gnuplot: failing on purpose' "$TMP/err"; then ok
else bad "gnuplot's own message not shown: $(cat "$TMP/err")"; fi
# gnuplot not installed: a warning, exit 0, tables complete, no plots.
PATH="$TMP/nobin" sweep "$TMP/gp-none" "${SMALL[@]}"
if [ $rc -eq 0 ] && grep -q 'gnuplot is not installed' "$TMP/err" && [ -s "$TMP/gp-none/summary.csv" ] &&
	[ -z "$(plots_or_temps "$TMP/gp-none")" ]; then ok
else bad "no gnuplot: exit $rc, $(cat "$TMP/err"), $(ls -A "$TMP/gp-none")"; fi

# A run that fails leaves no partial runs.csv.
sweep "$TMP/runfail" --sweep-nodes 20,40 --rounds 30 --seeds 2 --quiet --max-queue 1
if [ $rc -eq 1 ] && [ -z "$(ls -A "$TMP/runfail")" ]; then ok
else bad "failed run: exit $rc, left $(ls -A "$TMP/runfail")"; fi

# 3. Run options that do not apply to a sweep are refused before anything
# is written: exit 2, one line naming the option, nothing on stdout.
refused() {
	local what=$1; shift
	rm -rf "$TMP/ref" "$TMP/ev.csv"
	sweep "$TMP/ref" "${SMALL[@]}" "$@"
	if [ $rc -ne 2 ]; then bad "$what: exit $rc, want 2"; return; fi
	if [ -s "$TMP/out" ]; then bad "$what: wrote to stdout"; return; fi
	if [ "$(wc -l <"$TMP/err")" -ne 1 ] || ! grep -q -- "$what" "$TMP/err"; then
		bad "$what: stderr is not one line naming it: $(cat "$TMP/err")"; return
	fi
	if [ -e "$TMP/ref" ] || [ -e "$TMP/ev.csv" ]; then bad "$what: wrote files"; return; fi
	ok
}
refused --nodes --nodes 50
if grep -q -- '--sweep-nodes' "$TMP/err"; then ok; else bad "--nodes refusal does not point to --sweep-nodes"; fi
refused --nodes --nodes=50
refused --nodes --node 50
refused --runs --runs 2
refused --json --json
refused --json --jso
refused --csv-events --csv-events "$TMP/ev.csv"
refused --print-scenario --print-scenario
refused --resources --resources
# --quiet is honoured: no progress line.
sweep "$TMP/quiet" "${SMALL[@]}"
if [ ! -s "$TMP/err" ]; then ok; else bad "--quiet: stderr not empty: $(cat "$TMP/err")"; fi

# 4. --help and -h: the full usage on stdout, exit 0, nothing written.
for h in --help -h; do
	rm -rf "$TMP/help-dir"
	(cd "$TMP/cwd" && "$ECSIM" sweep $h) >"$TMP/out" 2>"$TMP/err"
	rc=$?
	missing=""
	for word in --out --sweep-nodes --seeds --quiet default Example 'Exit status' n/a; do
		grep -q -- "$word" "$TMP/out" || missing="$missing $word"
	done
	if [ $rc -eq 0 ] && [ -z "$missing" ] && [ ! -s "$TMP/err" ]; then ok
	else bad "sweep $h: exit $rc, missing:$missing; stderr: $(cat "$TMP/err")"; fi
	sweep "$TMP/help-dir" "${SMALL[@]}" $h
	if [ $rc -eq 0 ] && [ ! -e "$TMP/help-dir" ] && grep -q -- --sweep-nodes "$TMP/out"; then ok
	else bad "sweep ... $h ran the sweep (exit $rc)"; fi
done

# 5. Undefined figures: runs that never commit (3 rounds) have no messages
# per commit and no latency: empty fields, not 0; exit 0.
sweep "$TMP/none" --sweep-nodes 20,40 --rounds 3 --seeds 2 --protocol seed --quiet
if [ $rc -ne 0 ]; then bad "no commits: exit $rc: $(cat "$TMP/err")"
else
	# runs.csv: messages_per_commit .. latency_max (columns 5-11) empty
	if awk -F, 'NR > 1 { for (c = 5; c <= 11; c++) if ($c != "") exit 1 }' "$TMP/none/runs.csv"; then ok
	else bad "no commits: runs.csv has figures: $(cat "$TMP/none/runs.csv")"; fi
	# summary.csv: the four undefined metrics (columns 3-14) empty; commits 0
	if awk -F, 'NR > 1 { for (c = 3; c <= 14; c++) if ($c != "") exit 1; if ($18 != "0") exit 1 }' \
		"$TMP/none/summary.csv"; then ok
	else bad "no commits: summary.csv: $(cat "$TMP/none/summary.csv")"; fi
	if grep -q 'messages_per_commit *b = *n/a  +- n/a' "$TMP/none/fit.txt" && ! grep -qi nan "$TMP/none/fit.txt"
	then ok; else bad "no commits: fit.txt: $(cat "$TMP/none/fit.txt")"; fi
	if [ -z "$(find "$TMP/none" -name '*.png' -empty)" ]; then ok; else bad "no commits: empty plots"; fi
fi
# One seed: a mean but no interval.
sweep "$TMP/one-seed" --sweep-nodes 20,40 --rounds 30 --seeds 1 --protocol seed --quiet
if [ $rc -eq 0 ] && awk -F, 'NR > 1 { if ($3 == "" || $4 != "" || $5 != "") exit 1 }' "$TMP/one-seed/summary.csv"
then has_outputs "one seed" "$TMP/one-seed"
else bad "one seed: exit $rc: $(cat "$TMP/one-seed/summary.csv" "$TMP/err")"; fi

# 6. Exponents: two sizes give a slope without an error; one size neither.
sweep "$TMP/two" "${SMALL[@]}"
if grep -Eq 'messages_per_commit +b = +[0-9.-]+  \+- n/a$' "$TMP/two/fit.txt" && ! grep -qi nan "$TMP/two/fit.txt"
then ok; else bad "two sizes: fit.txt: $(cat "$TMP/two/fit.txt")"; fi
if ! grep -qi 'exponent nan' "$TMP/two/plots.gp"; then ok; else bad "two sizes: nan in plot titles"; fi
sweep "$TMP/one" --sweep-nodes 20 --rounds 30 --seeds 2 --protocol seed --quiet
if [ $rc -eq 0 ] && grep -Eq 'messages_per_commit +b = +n/a  \+- n/a$' "$TMP/one/fit.txt" &&
	! grep -qi nan "$TMP/one/fit.txt" "$TMP/one/plots.gp"; then ok
else bad "one size: exit $rc, fit.txt: $(cat "$TMP/one/fit.txt")"; fi
# The table of a normal sweep keeps its columns and number formats.
if head -1 "$TMP/two/summary.csv" | grep -q '^nodes,runs,messages_per_commit_mean,' &&
	awk -F, 'NR > 1 && NF != 23 { exit 1 }' "$TMP/two/summary.csv" &&
	awk -F, 'NR > 1 && (NF != 16 || $5 !~ /^[0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9]$/) { exit 1 }' "$TMP/two/runs.csv"; then ok
else bad "normal sweep tables changed shape"; fi

# 7. Long paths are never truncated: a --out of 4,090 characters works
# (every file is opened relative to the directory, so DIR/summary.csv may be
# longer than PATH_MAX); one longer than PATH_MAX fails clearly.
long=""
for _ in $(seq 1 20); do long="${long}$(printf 'd%.0s' $(seq 1 199))/"; done
long="${long}$(printf 'o%.0s' $(seq 1 90))"
mkdir -p "$TMP/cwd/${long%/*}"
sweep "$long" "${SMALL[@]}"
if [ $rc -eq 0 ]; then
	cd "$TMP/cwd" && cd "$long" && has_outputs "--out of ${#long} characters" .
	strays=$(find . -mindepth 1 ! -name runs.csv ! -name summary.csv ! -name fit.txt \
		! -name plots.gp ! -name '*.png' ! -name '*.svg')
	if [ -z "$strays" ]; then ok; else bad "long --out: stray (truncated?) names: $strays"; fi
	cd "$TMP" || exit 1
else bad "--out of ${#long} characters: exit $rc: $(head -c 300 "$TMP/err")"; fi
longer="${long%/*}/$(printf 'e%.0s' $(seq 1 200))/$(printf 'f%.0s' $(seq 1 200))"
sweep "$longer" "${SMALL[@]}"
if [ $rc -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q 'too long' "$TMP/err"; then ok
else bad "--out over PATH_MAX: exit $rc: $(head -c 300 "$TMP/err")"; fi

# --out that cannot be used: a file, a missing parent, empty.
: >"$TMP/a-file"
sweep "$TMP/a-file" "${SMALL[@]}"
if [ $rc -eq 1 ] && grep -q 'not a directory' "$TMP/err" && [ ! -s "$TMP/a-file" ]; then ok
else bad "--out is a file: exit $rc: $(cat "$TMP/err")"; fi
sweep "$TMP/missing/parent" "${SMALL[@]}"
if [ $rc -eq 1 ] && grep -q 'cannot create' "$TMP/err"; then ok
else bad "--out with a missing parent: exit $rc: $(cat "$TMP/err")"; fi
sweep "" "${SMALL[@]}"
if [ $rc -eq 2 ] && grep -q -- '--out' "$TMP/err"; then ok; else bad "--out '': exit $rc: $(cat "$TMP/err")"; fi
sweep "$TMP/x"
if [ $rc -eq 2 ] && [ ! -e "$TMP/x" ]; then ok; else bad "no --sweep-nodes: exit $rc"; fi
if [ "$(id -u)" != 0 ]; then
	mkdir -p "$TMP/ro" && chmod 555 "$TMP/ro"
	sweep "$TMP/ro" "${SMALL[@]}"
	if [ $rc -eq 1 ] && grep -q 'cannot write' "$TMP/err" && [ -z "$(ls -A "$TMP/ro")" ]; then ok
	else bad "read-only --out: exit $rc: $(cat "$TMP/err")"; fi
fi

# 8. Every size's memory is checked before the first run; sizes state their range.
sweep "$TMP/huge" --sweep-nodes 20,2000000000 --rounds 10 --seeds 1 --quiet
if [ $rc -eq 2 ] && grep -q -- '--force' "$TMP/err" && [ ! -e "$TMP/huge/runs.csv" ]; then ok
else bad "a size that cannot fit: exit $rc: $(cat "$TMP/err")"; fi
sweep "$TMP/y" --sweep-nodes 20,4x --rounds 10
if [ $rc -eq 2 ] && grep -q '4294967295' "$TMP/err"; then ok
else bad "bad sizes: exit $rc: $(cat "$TMP/err")"; fi

# 9. An open network's sweep adds its figures to runs.csv (every row as wide
# as the header); a static sweep does not.
sweep "$TMP/open" --sweep-nodes 60,80 --rounds 40 --seeds 1 --quiet --protocol ec \
	--topology small-world --degree 16 --tokens-per-node 1 --tx-rate 2 --churn 0.1
hdr=$(head -1 "$TMP/open/runs.csv" 2>/dev/null)
if [ $rc -eq 0 ] && [[ $hdr == *",join_rounds_p95,recovery_rounds_p95,view_exact_min,"* ]] &&
	awk -F, 'NR == 1 { n = NF } NR > 1 && NF != n { bad = 1 } END { exit bad || NR != 3 }' \
		"$TMP/open/runs.csv"; then ok
else bad "open sweep runs.csv: exit $rc, header '$hdr': $(cat "$TMP/err")"; fi
sweep "$TMP/static" "${SMALL[@]}"
if [ $rc -eq 0 ] && ! grep -q 'join_rounds' "$TMP/static/runs.csv"; then ok
else bad "a static sweep has open columns"; fi

echo "sweep tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
