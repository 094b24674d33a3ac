#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Pins the simulator's outputs: runs every configuration of configs.txt
# with --json and with --csv-events, and compares the SHA-256 digests with
# outputs.sha256.  Any change to any byte of any output fails the test.
#
# usage: check_golden.sh ECSIM            compare (the test)
#        check_golden.sh ECSIM --write    rewrite outputs.sha256 (only when a
#                                         change of output is intended and
#                                         explained in its commit)
set -euo pipefail
ecsim=$1
mode=${2:-check}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

digest() { sha256sum "$1" | cut -d' ' -f1; }

: >"$tmp/got"
while read -r name args; do
	case $name in '' | '#'*) continue ;; esac
	# shellcheck disable=SC2086 # the arguments are words
	"$ecsim" $args --quiet --json >"$tmp/$name.json"
	# shellcheck disable=SC2086
	"$ecsim" $args --quiet --csv-events "$tmp/$name.csv" >/dev/null
	echo "$name.json $(digest "$tmp/$name.json")" >>"$tmp/got"
	echo "$name.csv $(digest "$tmp/$name.csv")" >>"$tmp/got"
done <"$here/configs.txt"

if [ "$mode" = --write ]; then
	cp "$tmp/got" "$here/outputs.sha256"
	echo "wrote $(wc -l <"$here/outputs.sha256") digests"
	exit 0
fi
if diff "$here/outputs.sha256" "$tmp/got"; then
	n=$(wc -l <"$tmp/got")
	echo "$n passed, 0 failed"
else
	bad=$(diff "$here/outputs.sha256" "$tmp/got" | grep -c '^>' || true)
	echo "outputs changed (above: < pinned, > now)"
	echo "$(($(wc -l <"$tmp/got") - bad)) passed, $bad failed"
	exit 1
fi
