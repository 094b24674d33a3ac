#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds everything with AddressSanitizer and
# UndefinedBehaviorSanitizer (warnings are errors) in build-test/, and runs
# the whole suite through ctest: unit tests, replay of the published run,
# command-line tests and the 400-seed distribution check.  Then checks that
# clang builds everything clean too (build-clang/, the documented fuzzing
# compiler) and gives every libFuzzer target a 10-second smoke run
# (scripts/fuzz.sh, build-fuzz/): a crash fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
ec_install_deps "${EC_TEST_DEPS[@]}"
cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEC_SANITIZE=ON -DEC_WERROR=ON >/dev/null
ninja -C build-test
(cd build-test && ctest --output-on-failure -j "$(nproc)") | tee build-test/ctest.log
ntests=$(sed -n 's/.*tests passed, 0 tests failed out of \([0-9]*\).*/\1/p' build-test/ctest.log)
CC=clang cmake -S . -B build-clang -G Ninja -DEC_SANITIZE=ON -DEC_WERROR=ON >/dev/null
ninja -C build-clang
bash scripts/fuzz.sh 10
# one closing line for the whole run: the ctest tests, the clang build and
# the fuzz smoke run (any failure above has already stopped the script)
echo "test.sh: ${ntests:-0} ctest tests, the clang build and the fuzz smoke runs"
echo "$((${ntests:-0} + 2)) passed, 0 failed"
