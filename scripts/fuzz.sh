#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets with clang in build-fuzz/ and runs each for
# SECONDS (default 10) from its corpus in fuzz/corpus/.  New inputs go to a
# scratch directory, never into the checked-in corpus; a crash is saved as
# build-fuzz/artifacts/TARGET-crash-* and fails the script.  See
# docs/fuzzing.md.  Usage: scripts/fuzz.sh [SECONDS [TARGET...]]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(options seed_hex storage_proof wire ec_node net_packet rpc conf)
CC=clang cmake -S . -B build-fuzz -G Ninja -DEC_FUZZ=ON -DEC_TESTS=OFF >/dev/null
ninja -C build-fuzz
mkdir -p build-fuzz/artifacts
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=()
for t in "${targets[@]}"; do
	mkdir -p "$scratch/$t"
	echo "fuzz_$t: ${seconds} s" >&2
	if ! build-fuzz/fuzz/fuzz_"$t" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="build-fuzz/artifacts/$t-" "$scratch/$t" "fuzz/corpus/$t" \
		>"$scratch/$t.log" 2>&1; then
		tail -40 "$scratch/$t.log" >&2
		failed+=("$t")
	else
		grep -E '^stat::number_of_executed_units' "$scratch/$t.log" >&2 || true
	fi
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzzing failed: ${failed[*]} (inputs in build-fuzz/artifacts/)" >&2
	exit 1
fi
