#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds the release tree in build/ and runs the
# default simulation (the published ecRust experiment).  Extra arguments go
# to ecsim.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
ec_install_deps
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DEC_TESTS=OFF >/dev/null
ninja -C build >/dev/null
exec build/ecsim "$@"
