#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Command-line tests for `ecsim identity mine|verify`: a mined identity
# verifies (exit 0); tampered ones are refused (exit 1, a reason on stderr);
# malformed input is a usage error (exit 2, one "ecsim identity:" line,
# nothing on stdout); --seed makes mining reproducible and is the Ed25519
# key seed (RFC 8032 §7.1 test 1); JSON carries every key.  Small memory and
# few bits keep it fast; the production defaults are checked only by --help.
# Usage: test_identity.sh PATH/TO/ecsim
script=test_identity.sh
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$@"

# RFC 8032 §7.1 test 1: secret key seed and its public key.
SEED=9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60
RFC_PK=d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a
SMALL=(--bits 6 --memory 32)

# json_str FILE KEY / json_num FILE KEY: one value of a one-line JSON object.
json_str() { sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" "$1"; }
json_num() { sed -n "s/.*\"$2\":\([0-9][0-9]*\).*/\1/p" "$1"; }

# expect_status WANT DESCRIPTION ARGS...: runs ecsim identity ARGS.
expect_status() {
	local want=$1 what=$2; shift 2
	"$ECSIM" identity "$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ $rc -ne "$want" ]; then
		bad "$what: exit $rc, want $want; stderr: $(cat "$TMP/err")"; return 1
	fi
	return 0
}

# expect_invalid DESCRIPTION ARGS...: exit 1 and a reason on stderr.
expect_invalid() {
	local what=$1; shift
	expect_status 1 "$what" "$@" || return
	if ! grep -q '^ecsim identity: invalid: ' "$TMP/err"; then
		bad "$what: no reason on stderr: $(cat "$TMP/err")"; return
	fi
	ok
}

# expect_usage_error DESCRIPTION ARGS...: exit 2, one line, nothing on stdout.
expect_usage_error() {
	local what=$1; shift
	expect_status 2 "$what" "$@" || return
	if [ -s "$TMP/out" ]; then bad "$what: wrote to stdout"; return; fi
	if [ "$(wc -l <"$TMP/err")" -ne 1 ] || ! grep -q '^ecsim identity: ' "$TMP/err"; then
		bad "$what: stderr is not one 'ecsim identity:' line: $(cat "$TMP/err")"; return
	fi
	ok
}

# ---- mine --json, then verify ------------------------------------------
if expect_status 0 "mine --json" mine "${SMALL[@]}" --seed $SEED --json; then
	cp "$TMP/out" "$TMP/mined.json"
	ok
fi
[ "$(wc -l <"$TMP/mined.json")" -eq 1 ] && ok || bad "mine --json: not one line"
for key in public_key salt address secret_seed; do
	v=$(json_str "$TMP/mined.json" $key)
	if [[ $v =~ ^[0-9a-f]{64}$ ]]; then ok; else bad "mine --json: $key is '$v'"; fi
done
for key in attempts bits memory_kib passes trailing_zero_bits; do
	v=$(json_num "$TMP/mined.json" $key)
	if [ -n "$v" ]; then ok; else bad "mine --json: no number $key"; fi
done
PK=$(json_str "$TMP/mined.json" public_key)
SALT=$(json_str "$TMP/mined.json" salt)
ADDR=$(json_str "$TMP/mined.json" address)
[ "$PK" = "$RFC_PK" ] && ok || bad "--seed is not the Ed25519 seed: public key $PK"
[ "$(json_str "$TMP/mined.json" secret_seed)" = "$SEED" ] && ok || bad "secret_seed is not the seed"
[ "$(json_num "$TMP/mined.json" bits)" = 6 ] && ok || bad "bits not reported"
[ "$(json_num "$TMP/mined.json" memory_kib)" = 32 ] && ok || bad "memory_kib not reported"
[ "$(json_num "$TMP/mined.json" passes)" = 1 ] && ok || bad "default passes is not 1"
TZ=$(json_num "$TMP/mined.json" trailing_zero_bits)
TZ=${TZ:-0}
[ "$TZ" -ge 6 ] && ok || bad "mined address has $TZ trailing zero bits"
# the last byte of the address holds the zero bits: with 6 bits its low six
# bits are zero (the definition, seen from outside)
if [[ $ADDR =~ ^[0-9a-f]{64}$ ]] && [ $((16#${ADDR:62:2} & 63)) -eq 0 ]; then ok
else bad "address '$ADDR' does not end in 6 zero bits"; fi

if expect_status 0 "verify mined" verify "${SMALL[@]}" "$PK" "$SALT" "$ADDR"; then
	grep -q "^valid: address $ADDR" "$TMP/out" && ok || bad "verify: no 'valid' line"
fi
expect_status 0 "verify without ADDRESS" verify "${SMALL[@]}" "$PK" "$SALT" && ok
expect_status 0 "verify upper-case hex" verify "${SMALL[@]}" "${PK^^}" "${SALT^^}" "${ADDR^^}" && ok
expect_status 0 "verify --opt=value" verify --bits=6 --memory=32 "$PK" "$SALT" "$ADDR" && ok
if expect_status 0 "verify --json" verify "${SMALL[@]}" --json "$PK" "$SALT" "$ADDR"; then
	grep -q '"valid":true' "$TMP/out" && grep -q '"verdict":"ok"' "$TMP/out" && ok ||
		bad "verify --json: $(cat "$TMP/out")"
fi

# ---- determinism -------------------------------------------------------
if expect_status 0 "mine again" mine "${SMALL[@]}" --seed $SEED --json; then
	cmp -s "$TMP/out" "$TMP/mined.json" && ok || bad "mining with the same seed differs"
fi
SEED2=${SEED:0:63}1
if expect_status 0 "mine other seed" mine "${SMALL[@]}" --seed $SEED2 --json; then
	[ "$(json_str "$TMP/out" public_key)" != "$PK" ] && ok || bad "another seed gave the same key"
fi
# resuming: stop after one attempt, then continue from the reported salt
ATT=$(json_num "$TMP/mined.json" attempts)
if [ "${ATT:-0}" -gt 1 ]; then
	expect_status 1 "mine --max-attempts 1" mine "${SMALL[@]}" --seed $SEED --max-attempts 1
	NEXT=$(sed -n 's/.*--salt \([0-9a-f]*\).*/\1/p' "$TMP/err")
	if [[ $NEXT =~ ^[0-9a-f]{64}$ ]]; then
		ok
		if expect_status 0 "mine resumed" mine "${SMALL[@]}" --seed $SEED --salt "$NEXT" --json; then
			[ "$(json_str "$TMP/out" salt)" = "$SALT" ] && [ "$(json_num "$TMP/out" attempts)" = $((ATT - 1)) ] &&
				ok || bad "resumed mining found another salt: $(cat "$TMP/out")"
		fi
	else
		bad "mine --max-attempts 1: no resume salt in: $(cat "$TMP/err")"
	fi
else
	bad "the seeded run took ${ATT:-no} attempts; resuming needs more than 1 (pick another seed)"
fi

# ---- readable output and random keys -----------------------------------
if expect_status 0 "mine readable" mine --bits 2 --memory 16; then
	grep -q '^public_key   [0-9a-f]\{64\}$' "$TMP/out" && grep -q '^salt ' "$TMP/out" &&
		grep -q '^address ' "$TMP/out" && grep -q '^secret_seed ' "$TMP/out" &&
		grep -qi 'secret' "$TMP/out" && ok || bad "readable output: $(cat "$TMP/out")"
	RPK=$(sed -n 's/^public_key *//p' "$TMP/out")
	RSALT=$(sed -n 's/^salt *//p' "$TMP/out")
	RADDR=$(sed -n 's/^address *//p' "$TMP/out")
	expect_status 0 "verify random identity" verify --bits 2 --memory 16 "$RPK" "$RSALT" "$RADDR" && ok
fi
if expect_status 0 "mine random twice" mine --bits 0 --memory 16 --json; then
	cp "$TMP/out" "$TMP/r1"
	expect_status 0 "mine random twice" mine --bits 0 --memory 16 --json
	[ "$(json_str "$TMP/out" public_key)" != "$(json_str "$TMP/r1" public_key)" ] && ok ||
		bad "two random keys are equal"
fi

# ---- tampered: exit 1 --------------------------------------------------
flip() { # flip the lowest bit of hex digit $2 of $1
	local s=$1 i=$2 d
	d=$(printf '%x' $((16#${s:i:1} ^ 1)))
	echo "${s:0:i}$d${s:i+1}"
}
expect_invalid "flipped salt bit" verify "${SMALL[@]}" "$PK" "$(flip "$SALT" 10)" "$ADDR"
grep -q 'not the address' "$TMP/err" && ok || bad "flipped salt: reason: $(cat "$TMP/err")"
expect_invalid "flipped key bit" verify "${SMALL[@]}" "$(flip "$PK" 3)" "$SALT" "$ADDR"
expect_invalid "wrong address" verify "${SMALL[@]}" "$PK" "$SALT" "$(flip "$ADDR" 0)"
expect_invalid "address without zero bits" verify "${SMALL[@]}" "$PK" "$SALT" "$(flip "$ADDR" 63)"
grep -q 'trailing zero bits' "$TMP/err" && ok || bad "no-zero address: reason: $(cat "$TMP/err")"
expect_invalid "too few bits" verify --bits $((TZ + 1)) --memory 32 "$PK" "$SALT" "$ADDR"
expect_invalid "too few bits, no address" verify --bits $((TZ + 1)) --memory 32 "$PK" "$SALT"
expect_invalid "other memory" verify --bits 6 --memory 64 "$PK" "$SALT" "$ADDR"
expect_invalid "other passes" verify "${SMALL[@]}" --passes 2 "$PK" "$SALT" "$ADDR"
expect_invalid "production defaults" verify --bits 6 "$PK" "$SALT" "$ADDR"
expect_status 1 "invalid --json" verify "${SMALL[@]}" --json "$PK" "$(flip "$SALT" 10)" "$ADDR" &&
	grep -q '"valid":false' "$TMP/out" && grep -q '"verdict":"bad-address"' "$TMP/out" && ok ||
	bad "invalid --json output: $(cat "$TMP/out")"

# ---- malformed: exit 2 -------------------------------------------------
expect_usage_error "no subcommand"
expect_usage_error "unknown subcommand" forge
expect_usage_error "mine without --bits" mine --memory 32
expect_usage_error "verify without --bits" verify "$PK" "$SALT"
expect_usage_error "verify without args" verify --bits 6
expect_usage_error "verify one arg" verify --bits 6 "$PK"
expect_usage_error "verify four args" verify --bits 6 "$PK" "$SALT" "$ADDR" "$ADDR"
expect_usage_error "short key" verify --bits 6 "${PK:0:62}" "$SALT"
expect_usage_error "long salt" verify --bits 6 "$PK" "${SALT}00"
expect_usage_error "non-hex address" verify --bits 6 "$PK" "$SALT" "zz${ADDR:2}"
expect_usage_error "bits too big" verify --bits 257 "$PK" "$SALT"
expect_usage_error "bits negative" mine --bits -1
expect_usage_error "bits not a number" mine --bits many
expect_usage_error "bits with junk" mine --bits 8x
expect_usage_error "bits missing value" mine --bits
expect_usage_error "memory too small" mine --bits 1 --memory 4
expect_usage_error "memory too big" mine --bits 1 --memory 4194305
expect_usage_error "passes zero" mine --bits 1 --passes 0
expect_usage_error "passes huge" mine --bits 1 --passes 99999999999999999999
expect_usage_error "short seed" mine --bits 1 --seed abcd
expect_usage_error "non-hex seed" mine --bits 1 --seed "zz${SEED:2}"
expect_usage_error "seed for verify" verify --bits 1 --seed $SEED "$PK" "$SALT"
expect_usage_error "salt option for verify" verify --bits 1 --salt "$SALT" "$PK" "$SALT"
expect_usage_error "bad start salt" mine --bits 1 --salt 12
expect_usage_error "zero max attempts" mine --bits 1 --max-attempts 0
expect_usage_error "unknown option" mine --bits 1 --fast
expect_usage_error "short option" mine --bits 1 -j
expect_usage_error "stray argument to mine" mine --bits 1 extra
expect_usage_error "--json with a value" mine --bits 1 --json=yes

# ---- help --------------------------------------------------------------
for h in --help "mine --help" "verify --help"; do
	# shellcheck disable=SC2086
	if expect_status 0 "help: $h" $h; then
		grep -q 'secret_seed is SECRET' "$TMP/out" && grep -q 'default 4096' "$TMP/out" &&
			grep -q 'production: 24' "$TMP/out" && ok || bad "help text: $h"
	fi
done

echo "identity cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
