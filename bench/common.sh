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
