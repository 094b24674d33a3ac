#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds everything with AddressSanitizer and
# UndefinedBehaviorSanitizer (warnings are errors) in build-test/, and runs
# the whole suite through ctest: unit tests, replay of the published run,
# command-line tests and the 400-seed distribution check.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
ec_install_deps
cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEC_SANITIZE=ON -DEC_WERROR=ON >/dev/null
ninja -C build-test
cd build-test
ctest --output-on-failure -j "$(nproc)"
