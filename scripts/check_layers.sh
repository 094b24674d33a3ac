#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks the layers the build promises (docs/architecture.md, docs/api.md):
#   1. libec exports only ec_/ecp_ symbols, and none of the simulator's
#      (ec_sim_*, ecsim_*, ec_memstore_*, ec_summary_*, ec_report_*);
#   2. libecsim exports only ec_/ecp_/ecsim_ symbols;
#   3. libec needs no symbol that libecsim defines;
#   4. no libec source (src/core, src/crypto, src/proto) includes a libecsim
#      header (ecsim/...).
# usage: check_layers.sh LIBEC.a LIBECSIM.a
set -euo pipefail
libec=$1
libecsim=$2
src=$(cd "$(dirname "$0")/.." && pwd)/src
fail=0
bad() { echo "layers: $*"; fail=$((fail + 1)); }

# (__odr_asan.* are AddressSanitizer's markers of our own globals)
defined() { nm -g --defined-only "$1" | awk 'NF == 3 { print $3 }' | grep -v '^__odr_asan\.' | sort -u; }

while read -r sym; do
	bad "libec exports $sym: not ec_ or ecp_"
done < <(defined "$libec" | grep -vE '^(ec_|ecp_)' || true)
while read -r sym; do
	bad "libec exports $sym: a simulator symbol"
done < <(defined "$libec" | grep -E '^(ec_sim_|ecsim_|ec_memstore_|ec_summary_|ec_report_)' || true)
while read -r sym; do
	bad "libecsim exports $sym: not ec_, ecp_ or ecsim_"
done < <(defined "$libecsim" | grep -vE '^(ec_|ecp_|ecsim_)' || true)
needed=$(nm -u "$libec" | awk '{ print $NF }' | sort -u)
while read -r sym; do
	bad "libec needs $sym, which libecsim defines"
done < <(comm -12 <(echo "$needed") <(defined "$libecsim"))
while read -r hit; do
	bad "libec source includes a libecsim header: $hit"
done < <(grep -rn '#include "ecsim/' "$src/core" "$src/crypto" "$src/proto" || true)

if [ "$fail" -ne 0 ]; then
	echo "0 passed, $fail failed"
	exit 1
fi
echo "layers: libec $(defined "$libec" | wc -l) symbols, libecsim $(defined "$libecsim" | wc -l) symbols"
echo "5 passed, 0 failed"
