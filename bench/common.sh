# SPDX-License-Identifier: MIT
# Sourced by the benchmarks: bench_build DIR TARGET... builds the named
# targets in Release under DIR (relative to the repository) unless they exist,
# and sets $here to the repository root.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_build() {
	local dir=$1 t missing=0
	shift
	for t in "$@"; do [ -x "$here/$dir/$t" ] || missing=1; done
	if [ "$missing" = 1 ]; then
		cmake -S "$here" -B "$here/$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DEC_TESTS=OFF >/dev/null
		ninja -C "$here/$dir" "$@" >/dev/null
	fi
}
# json_get KEY: the number after "KEY": in the JSON on standard input.
json_get() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
# best_run REPS COMMAND...: runs an `ecsim --resources --json` command REPS
# times and prints the output of the run with the least round CPU (shared
# machines: a single run's CPU time can vary by half).
best_run() {
	local reps=$1 best= cpu= one c
	shift
	for _ in $(seq "$reps"); do
		one=$("$@")
		c=$(echo "$one" | json_get run_cpu_seconds)
		if [ -z "$cpu" ] || awk -v a="$c" -v b="$cpu" 'BEGIN { exit !(a < b) }'; then
			best=$one
			cpu=$c
		fi
	done
	printf '%s\n' "$best"
}
