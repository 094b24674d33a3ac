# SPDX-License-Identifier: MIT
# Sourced by the command-line tests: ECSIM (absolute path, from $1), a
# temporary folder TMP removed on exit, and the pass/fail counters with ok
# and bad DESCRIPTION.  usage: . lib.sh "$@"  (after naming the script in
# $script for the usage line)
set -u
ECSIM=${1:?usage: ${script:-test} PATH/TO/ecsim}
ECSIM=$(cd "$(dirname "$ECSIM")" && pwd)/$(basename "$ECSIM")
TMP=$(mktemp -d)
# chmod first: a test may leave a folder without write permission
trap 'chmod -R u+rwx "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
