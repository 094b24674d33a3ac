#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Oracle test for ec_blake3: hashes a few hundred pseudo-random inputs of
# varied lengths (empty, block and chunk boundaries, a few MiB) with our
# ec_b3sum and with the system's b3sum, in every mode (plain, --keyed,
# --derive-key) and several --length values, and requires identical output.
# b3sum is a declared dependency (scripts/deps.sh): missing means FAIL.
#
# usage: b3sum_oracle.sh PATH/TO/ec_b3sum
set -euo pipefail

ours=${1:?usage: b3sum_oracle.sh PATH/TO/ec_b3sum}
if ! command -v b3sum >/dev/null 2>&1; then
	echo "FAIL: b3sum is not installed (it is installed by scripts/deps.sh)" >&2
	exit 1
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# Input content comes from b3sum's own XOF of a per-file seed: deterministic,
# varied, and not produced by the code under test.
lengths=(0 1 2 63 64 65 127 128 129 1023 1024 1025 2047 2048 2049 3072 3073
	4095 4096 4097 8191 8192 8193 16384 16385 31744 65536 65537 102400
	1048576 1048577 $((3 * 1048576 + 17)) $((4 * 1048576 - 1)))
RANDOM=20260417 # fixed seed: the same inputs on every run
while [ ${#lengths[@]} -lt 300 ]; do
	case $((RANDOM % 4)) in
	0) lengths+=($((RANDOM % 2100))) ;;
	1) lengths+=($((RANDOM * 3 % 70000))) ;;
	2) lengths+=($(((RANDOM % 64 + 1) * 1024 + RANDOM % 3 - 1))) ;;
	3) lengths+=($(((RANDOM % 260 + 1) * 64 + RANDOM % 3 - 1))) ;;
	esac
done
files=()
for i in "${!lengths[@]}"; do
	f="$dir/in$i"
	if [ "${lengths[$i]}" -eq 0 ]; then
		: >"$f"
	else
		printf 'ec oracle input %d' "$i" | b3sum --raw -l "${lengths[$i]}" >"$f"
	fi
	[ "$(stat -c %s "$f")" -eq "${lengths[$i]}" ] || { echo "FAIL: bad input $f" >&2; exit 1; }
	files+=("$f")
done
printf 'ec oracle 32-byte key for tests!' >"$dir/key"
[ "$(stat -c %s "$dir/key")" -eq 32 ]

fails=0
check() { # check LABEL ARGS... (use --keyed to feed the key on stdin)
	local label=$1
	shift
	local keyin=/dev/null
	for a in "$@"; do [ "$a" = --keyed ] && keyin="$dir/key"; done
	b3sum "$@" "${files[@]}" <"$keyin" >"$dir/want"
	"$ours" "$@" "${files[@]}" <"$keyin" >"$dir/got"
	if cmp -s "$dir/want" "$dir/got"; then
		echo "ok   $label ($(wc -l <"$dir/want") inputs)"
	else
		echo "FAIL $label:" >&2
		diff "$dir/want" "$dir/got" | head -10 >&2
		fails=$((fails + 1))
	fi
}

check "hash"
check "hash --length 131" --length 131
check "hash --length 1" --length 1
check "hash --length 1000" --length 1000
check "keyed" --keyed
check "keyed --length 77" --keyed --length 77
check "derive-key" --derive-key "ecRust b3sum oracle 2026-04-17 test context"
check "derive-key --length 200" --derive-key "ecRust oracle" --length 200
check "derive-key empty context" --derive-key ""

# Standard input, read in pieces by ec_b3sum.
stdin_fails=0
for f in "$dir/in0" "$dir/in11" "$dir/in32"; do # empty, 1025 B, 4 MiB - 1
	if [ "$(b3sum --no-names -l 64 <"$f")" != "$("$ours" --no-names -l 64 <"$f")" ]; then
		echo "FAIL stdin $f" >&2
		stdin_fails=$((stdin_fails + 1))
	fi
done
[ "$stdin_fails" -eq 0 ] && echo "ok   stdin"
fails=$((fails + stdin_fails))

[ "$fails" -eq 0 ] || { echo "FAIL: $fails mismatching mode(s)" >&2; exit 1; }
echo "PASS: ec_b3sum agrees with $(b3sum --version) on ${#files[@]} inputs"
