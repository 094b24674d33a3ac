#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Command-line tests for ecctl, against a fake ecnode: a small JSON-RPC
# server in /usr/bin/python3 on a temporary Unix socket that answers
# status, peers, token, block, submit, watch and stop the way ecnode's
# interface says (tools/ecctl/ecctl.1), logs every request, and keeps the
# blocks ecctl submits (their ids computed with ec_b3sum), so that create,
# transfer, rekey and destroy run end to end and the bytes ecctl sent can
# be taken apart.  Other modes make it misbehave: a wrong response id,
# invalid JSON, silence, refusals, no commit.
#
# Checked: usage errors exit 2 with one message line and a hint to --help
# and print nothing; --help; exit 1 and a message when the node is
# missing, fails or misbehaves; --json prints one JSON object; the
# requests each command sends; the blocks' fields (time = the node's tick,
# parent, next key, signer) and their witness parts (--witnesses: 2 by
# default, born dead and unsigned, listed apart from the tokens); the owner
# check; --wait; watch; wallet files.
# Usage: test_ecctl_cli.sh PATH/TO/ecctl PATH/TO/ec_b3sum
set -u
ECCTL=${1:?usage: test_ecctl_cli.sh PATH/TO/ecctl PATH/TO/ec_b3sum}
B3SUM=${2:?usage: test_ecctl_cli.sh PATH/TO/ecctl PATH/TO/ec_b3sum}
PY=/usr/bin/python3
TMP=$(mktemp -d)
SERVERS=()
cleanup() {
	for p in "${SERVERS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# Everything about ecctl's environment is ours: no stray socket or wallet.
unset ECNODE_RPC
export HOME=$TMP/home
export ECCTL_WALLET=$TMP/wallets/main/wallet

# ---- the fake node -------------------------------------------------------
cat >"$TMP/fake.py" <<'EOF'
import json, os, socket, subprocess, sys, time

def b3(data, b3sum):
    out = subprocess.run([b3sum, "--no-names"], input=data, capture_output=True, check=True)
    return out.stdout.decode().split()[0]

def decode(hexs):
    """Takes a block encoding apart (docs/wire.md); None if malformed."""
    try:
        b = bytes.fromhex(hexs)
    except ValueError:
        return None
    if len(b) < 12 or b[0] != 0xB1 or b[1] != 1:
        return None
    n = int.from_bytes(b[10:12], "little")
    if n < 1 or n > 256 or len(b) != 12 + 192 * n:
        return None
    parts = []
    for i in range(n):
        p = b[12 + 128 * i: 12 + 128 * (i + 1)]
        s = b[12 + 128 * n + 64 * i: 12 + 128 * n + 64 * (i + 1)]
        parts.append({"token": p[0:32].hex(), "parent": p[32:64].hex(),
                      "next_key": p[64:96].hex(), "signer": p[96:128].hex(), "sig": s.hex()})
    return {"time": int.from_bytes(b[2:10], "little"), "parts": parts,
            "prefix": b[:12 + 128 * n]}

def serve(path, mode, b3sum, log):
    tick = 42
    blocks = {}     # id -> (hex, decoded)
    tokens = {}     # token -> block id
    polls = {}      # block id -> polls before it counts as committed
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)
    logf = open(log, "a")
    while True:
        conn, _ = srv.accept()
        f = conn.makefile("rwb")
        for raw in f:
            req = json.loads(raw)
            logf.write(json.dumps(req) + "\n")
            logf.flush()
            m, rid, p = req.get("method"), req.get("id"), req.get("params") or {}
            res, err = None, None
            if mode == "silent":
                continue
            if mode == "garbage":
                f.write(b"this is not json\n"); f.flush(); continue
            if m == "status":
                res = {"version": "fake", "id": "00112233aabbccdd", "pk": "ab" * 32,
                       "ready": True, "tick": tick, "tick_ms": 100, "peers": 3,
                       "listen": "127.0.0.1:7000", "submitted": len(blocks),
                       "committed": len(blocks), "pending": 0,
                       "store": {"tokens": len(tokens), "blocks": len(blocks),
                                 "bytes": 1234, "map_bytes": 1048576}}
            elif m == "peers":
                res = {"peers": [{"id": "0000000000000001", "addr": "10.0.0.1:7000",
                                  "pk": "01" * 32}]}
            elif m == "token":
                t = p.get("id")
                if t in tokens:
                    res = {"token": t, "block": tokens[t], "time": blocks[tokens[t]][1]["time"]}
                else:
                    err = (-32004, "no mapping for this token")
            elif m == "block":
                i = p.get("id")
                if mode == "blockerr" and i in blocks:
                    err = (-32603, "store read failed")
                elif i in blocks and polls.get(i, 0) > 0:
                    polls[i] -= 1
                    err = (-32004, "not committed (yet)")
                elif i in blocks:
                    hexs, d = blocks[i]
                    res = {"id": i, "time": d["time"], "parts": d["parts"],
                           "cert": [{"voter": "0000000000000001", "role": 0, "value": 1,
                                     "stamp": 2}], "encoding": hexs}
                else:
                    err = (-32004, "no such block")
            elif m == "submit":
                hexs = p.get("block", "")
                d = decode(hexs)
                if mode == "refuse":
                    err = (-32002, "rejected: stale parent")
                elif d is None:
                    err = (-32602, "block does not decode")
                else:
                    i = b3(d["prefix"], b3sum)
                    del d["prefix"]
                    blocks[i] = (hexs, d)
                    polls[i] = 2 if mode == "slowcommit" else 10**9 if mode == "nocommit" else 0
                    for part in d["parts"]:
                        tokens[part["token"]] = i
                    res = {"id": "00" * 32 if mode == "wrongblock" else i, "status": "submitted"}
            elif m == "watch":
                f.write(json.dumps({"jsonrpc": "2.0", "id": rid, "result": {"watching": True}}).encode() + b"\n")
                for k in range(2):
                    note = {"jsonrpc": "2.0", "method": "commit",
                            "params": {"block": "%064x" % (k + 1), "tick": 50 + k,
                                       "time_ms": 1000 + k, "mine": k == 0}}
                    f.write(json.dumps(note).encode() + b"\n")
                f.flush()
                if mode == "stream":  # one commit every 50 ms until the client goes
                    k = 2
                    try:
                        while True:
                            time.sleep(0.05)
                            note["params"]["tick"] = 50 + k; k += 1
                            f.write(json.dumps(note).encode() + b"\n"); f.flush()
                    except OSError:
                        pass
                break  # then hang up: the watch ends
            elif m == "stop":
                res = {"stopping": True}
            else:
                err = (-32601, "method not found")
            if mode == "wrongid":
                rid = (rid or 0) + 1000
            out = {"jsonrpc": "2.0", "id": rid}
            if err:
                out["error"] = {"code": err[0], "message": err[1]}
            else:
                out["result"] = res
            # a notification first: clients must skip it
            f.write(b'{"jsonrpc":"2.0","method":"commit","params":{"block":"' + b"0" * 64 + b'"}}\n')
            f.write(json.dumps(out).encode() + b"\n")
            f.flush()
            if m == "stop":
                return
        try:
            f.close()
        except OSError:
            pass  # the client went away with our last line unread
        conn.close()

if sys.argv[1] == "serve":
    serve(*sys.argv[2:6])
elif sys.argv[1] == "decode":       # decode HEX: the block's fields as JSON, with
    d = decode(sys.argv[2]); del d["prefix"]  # "real" (the parts that are no witness)
    born_dead = lambda p: p["parent"].strip("0") == "" and p["next_key"].strip("0") == ""
    d["real"] = [p for p in d["parts"] if not born_dead(p)]
    d["witnesses"] = [p for p in d["parts"] if born_dead(p)]
    print(json.dumps(d))
elif sys.argv[1] == "get":          # get FILE EXPR: a value of the JSON object in FILE
    v = json.load(open(sys.argv[2]))
    print(eval(sys.argv[3], {"v": v}))
elif sys.argv[1] == "lines":        # lines FILE: checks every line is a JSON object
    n = 0
    for line in open(sys.argv[2]):
        assert isinstance(json.loads(line), dict); n += 1
    print(n)
EOF

# start_node MODE: a fake node on $TMP/MODE.sock, its requests in $TMP/MODE.log
start_node() {
	local sock=$TMP/$1.sock
	"$PY" "$TMP/fake.py" serve "$sock" "$1" "$B3SUM" "$TMP/$1.log" &
	SERVERS+=($!)
	for _ in $(seq 100); do [ -S "$sock" ] && return 0; sleep 0.05; done
	echo "fake node $1 did not start"; exit 1
}
get() { "$PY" "$TMP/fake.py" get "$@"; }
# last_request MODE EXPR: EXPR of the last request the node got (v)
last_request() { tail -n 1 "$TMP/$1.log" >"$TMP/req.json"; get "$TMP/req.json" "$2"; }

# run ARGS...: ecctl's exit status in $rc, output in $TMP/out and $TMP/err
run() { "$ECCTL" "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; }

# usage_error DESCRIPTION ARGS...: exit 2, "ecctl: " message, hint, no stdout
usage_error() {
	local what=$1; shift
	run "$@"
	if [ $rc -ne 2 ]; then bad "$what: exit $rc, want 2"; return; fi
	if [ -s "$TMP/out" ]; then bad "$what: wrote to stdout"; return; fi
	if ! head -n 1 "$TMP/err" | grep -q '^ecctl: ' ||
		! tail -n 1 "$TMP/err" | grep -q -- "--help" || [ "$(wc -l <"$TMP/err")" -ne 2 ]; then
		bad "$what: not a message and a hint: $(cat "$TMP/err")"; return
	fi
	ok
}

# failure DESCRIPTION PATTERN ARGS...: exit 1 and PATTERN on stderr
failure() {
	local what=$1 pat=$2; shift 2
	run "$@"
	if [ $rc -ne 1 ]; then bad "$what: exit $rc, want 1; $(cat "$TMP/err")"; return; fi
	if ! grep -q "^ecctl: .*$pat" "$TMP/err"; then
		bad "$what: stderr lacks '$pat': $(cat "$TMP/err")"; return
	fi
	ok
}

# success DESCRIPTION ARGS...: exit 0
success() {
	local what=$1; shift
	run "$@"
	if [ $rc -ne 0 ]; then bad "$what: exit $rc; $(cat "$TMP/err")"; return 1; fi
	ok
}

# same DESCRIPTION GOT WANT
same() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi; }

T1=1111111111111111111111111111111111111111111111111111111111111111
T2=2222222222222222222222222222222222222222222222222222222222222222
T3=3333333333333333333333333333333333333333333333333333333333333333
ZERO=0000000000000000000000000000000000000000000000000000000000000000
K=abababababababababababababababababababababababababababababababab

# ---- usage ---------------------------------------------------------------
success "--help" --help && grep -q '^usage: ecctl' "$TMP/out" && ok || bad "--help: no usage line"
success "help command" help
success "status --help" status --help
usage_error "no command"
usage_error "unknown command" frobnicate
usage_error "unknown option" --frob status
usage_error "option of another command" status --to $K
usage_error "command option before the command" --force keygen
usage_error "missing option value" status --rpc
usage_error "value for a flag" --json=yes status
usage_error "missing token" transfer --to $K
usage_error "malformed token" token 1234
usage_error "malformed token (65 digits)" block ${T1}1
usage_error "non-hex token" destroy ${T1:0:63}x
usage_error "extra argument" status now
usage_error "second token" token $T1 $T2
usage_error "transfer without --to" transfer $T1
usage_error "malformed --to" transfer $T1 --to xyz
usage_error "zero --to" transfer $T1 --to $ZERO
usage_error "--count 0" create --count 0
usage_error "--count 257" create --count 257
usage_error "--count -1" create --count -1
usage_error "--count 1x" create --count 1x
usage_error "--count below the tokens" create --token $T1 --token $T2 --count 1
usage_error "--token twice" create --token $T1 --token $T1
usage_error "--token zero" create --token $ZERO
usage_error "--timeout 0" --timeout 0 status
usage_error "--timeout nan" --timeout nan status
usage_error "--wait abc" create --wait abc
usage_error "--witnesses 17" create --witnesses 17
usage_error "--witnesses -1" transfer $T1 --to $K --witnesses -1
usage_error "--witnesses x" destroy $T1 --witnesses x
usage_error "--witnesses empty" create --witnesses=
usage_error "--witnesses of another command" status --witnesses 2
usage_error "--witnesses before the command" --witnesses 2 create
usage_error "tokens and witnesses over 256 parts" create --count 255
usage_error "tokens and witnesses over 256 parts (given)" create --count 250 --witnesses 7
usage_error "rekey without --new-wallet" rekey $T1
usage_error "--wallet empty" --wallet= pubkey
usage_error "--rpc empty" --rpc= status

# ---- no node -------------------------------------------------------------
failure "no node" "cannot connect" --rpc "$TMP/none.sock" status
ECNODE_RPC=$TMP/none2.sock failure "ECNODE_RPC" "none2.sock" status
(cd "$TMP" && "$ECCTL" status >/dev/null 2>"$TMP/err"); rc=$?
same "default socket" "$rc" 1
grep -q "ecnode.sock" "$TMP/err" && ok || bad "default socket: $(cat "$TMP/err")"

# ---- wallets -------------------------------------------------------------
failure "no wallet" "no wallet file" pubkey
success "keygen" --json keygen
PK=$(get "$TMP/out" 'v["pk"]')
KH=$(get "$TMP/out" 'v["key_hash"]')
same "keygen: wallet path" "$(get "$TMP/out" 'v["wallet"]')" "$ECCTL_WALLET"
same "wallet mode" "$(stat -c %a "$ECCTL_WALLET")" 600
same "wallet directory mode" "$(stat -c %a "$(dirname "$ECCTL_WALLET")")" 700
same "wallet parent directory mode" "$(stat -c %a "$TMP/wallets")" 700
same "wallet first line" "$(head -n 1 "$ECCTL_WALLET")" "ecctl-wallet v1"
failure "keygen refuses to overwrite" "exists already" keygen
success "pubkey" --json pubkey
same "pubkey: pk" "$(get "$TMP/out" 'v["pk"]')" "$PK"
same "pubkey: key hash" "$(get "$TMP/out" 'v["key_hash"]')" "$KH"
success "pubkey text" pubkey
grep -q "^key_hash  *$KH\$" "$TMP/out" && ok || bad "pubkey text: $(cat "$TMP/out")"
W2=$TMP/w2
success "keygen --wallet" --wallet "$W2" keygen
success "keygen --force" --wallet "$W2" --json keygen --force
OTHER_KH=$(get "$TMP/out" 'v["key_hash"]')
[ "$OTHER_KH" != "$KH" ] && ok || bad "keygen --force: same key"
chmod 640 "$W2"
failure "wallet readable by group" "group or others" --wallet "$W2" pubkey
chmod 600 "$W2"
cp "$W2" "$TMP/w3"; chmod 600 "$TMP/w3"
sed -i '/^pk /{s/^pk f/pk 0/;t;s/^pk ./pk f/}' "$TMP/w3"  # another first digit
failure "wallet pk does not match" "not its seed" --wallet "$TMP/w3" pubkey
printf 'ecctl-wallet v1\nseed 12\n' >"$TMP/w4"; chmod 600 "$TMP/w4"
failure "truncated wallet" "corrupt" --wallet "$TMP/w4" pubkey
failure "wallet is a directory" "not a regular file" --wallet "$TMP" pubkey

# ---- status, peers --------------------------------------------------------
start_node good
S=(--rpc "$TMP/good.sock")
success "status --json" "${S[@]}" --json status
same "status: one line" "$(wc -l <"$TMP/out")" 1
same "status: tick" "$(get "$TMP/out" 'v["tick"]')" 42
same "status: store" "$(get "$TMP/out" 'v["store"]["map_bytes"]')" 1048576
same "status: request" "$(last_request good 'v["method"], v["jsonrpc"], "params" in v')" \
	"('status', '2.0', False)"
success "status text" "${S[@]}" status
grep -q '^tick  *42$' "$TMP/out" && grep -q '^store.tokens ' "$TMP/out" && ok ||
	bad "status text: $(cat "$TMP/out")"
ECNODE_RPC=$TMP/good.sock success "ECNODE_RPC" --json status
success "peers" "${S[@]}" peers
grep -q '^0000000000000001  10.0.0.1:7000  0101' "$TMP/out" && ok || bad "peers: $(cat "$TMP/out")"

# ---- create ----------------------------------------------------------------
success "create --token" "${S[@]}" --json create --token $T1
same "create: one line" "$(wc -l <"$TMP/out")" 1
B1=$(get "$TMP/out" 'v["block"]')
same "create: status" "$(get "$TMP/out" 'v["status"]')" submitted
same "create: tokens" "$(get "$TMP/out" '" ".join(v["tokens"])')" $T1
same "create: owner" "$(get "$TMP/out" 'v["owner"]')" "$KH"
same "create: requests" "$(tail -n 2 "$TMP/good.log" | "$PY" -c 'import json,sys; print(" ".join(json.loads(l)["method"] for l in sys.stdin))')" \
	"status submit"
HEX=$(last_request good 'v["params"]["block"]')
"$PY" "$TMP/fake.py" decode "$HEX" >"$TMP/blk.json"
same "create: time is the node's tick" "$(get "$TMP/blk.json" 'v["time"]')" 42
same "create: part" "$(get "$TMP/blk.json" '(len(v["real"]), v["real"][0]["token"])')" "(1, '$T1')"
same "create: parent, signer, sig zero" \
	"$(get "$TMP/blk.json" 'set(v["real"][0][k].strip("0") for k in ("parent", "signer", "sig"))')" \
	"{''}"
same "create: next key" "$(get "$TMP/blk.json" 'v["real"][0]["next_key"]')" "$KH"
same "create: 2 witness parts by default, unsigned" \
	"$(get "$TMP/blk.json" '(len(v["parts"]), set(w[k].strip("0") for w in v["witnesses"] for k in ("signer", "sig")))')" \
	"(3, {''})"
same "create: parts in block order" "$(get "$TMP/blk.json" '[p["token"] for p in v["parts"]] == sorted(p["token"] for p in v["parts"])')" True
same "create: witnesses listed apart" \
	"$(get "$TMP/out" 'sorted(v["witnesses"])')" "$(get "$TMP/blk.json" 'sorted(w["token"] for w in v["witnesses"])')"

success "create --count 3" "${S[@]}" --json create --count 3 --token $T2
same "create --count: parts" "$(get "$TMP/out" 'len(v["tokens"]), v["tokens"] == sorted(v["tokens"]), "'$T2'" in v["tokens"]')" \
	"(3, True, True)"
success "create --witnesses 0" "${S[@]}" --json create --count 2 --witnesses 0
same "create --witnesses 0: no witnesses" "$(get "$TMP/out" 'len(v["tokens"]), v["witnesses"]')" "(2, [])"
"$PY" "$TMP/fake.py" decode "$(last_request good 'v["params"]["block"]')" >"$TMP/blk.json"
same "create --witnesses 0: parts" "$(get "$TMP/blk.json" 'len(v["parts"])')" 2
success "create --witnesses 16" "${S[@]}" --json create --count 240 --witnesses=16
"$PY" "$TMP/fake.py" decode "$(last_request good 'v["params"]["block"]')" >"$TMP/blk.json"
same "create --witnesses 16: parts" "$(get "$TMP/blk.json" 'len(v["parts"]), len(v["witnesses"])')" "(256, 16)"
success "create text" "${S[@]}" create --token $T3
grep -q '^block  *[0-9a-f]\{64\}$' "$TMP/out" && grep -q "^tokens\[0\]  *$T3\$" "$TMP/out" && ok ||
	bad "create text: $(cat "$TMP/out")"

# ---- transfer ----------------------------------------------------------------
success "transfer --wait" "${S[@]}" --json transfer $T1 --to $K --wait 5
same "transfer: fields" "$(get "$TMP/out" '(v["token"], v["next_key"], v["parent"], v["status"], v["committed"])')" \
	"('$T1', '$K', '$B1', 'submitted', True)"
get "$TMP/out" 'v["committed_ms"] >= 0' | grep -q True && ok || bad "transfer: committed_ms"
same "transfer: requests" "$(tail -n 5 "$TMP/good.log" | "$PY" -c 'import json,sys; print(" ".join(json.loads(l)["method"] for l in sys.stdin))')" \
	"token block status submit block"
grep '"submit"' "$TMP/good.log" | tail -n 1 >"$TMP/req.json"
"$PY" "$TMP/fake.py" decode "$(get "$TMP/req.json" 'v["params"]["block"]')" >"$TMP/blk.json"
same "transfer: part" "$(get "$TMP/blk.json" '(len(v["real"]), v["real"][0]["token"], v["real"][0]["parent"], v["real"][0]["next_key"], v["real"][0]["signer"])')" \
	"(1, '$T1', '$B1', '$K', '$PK')"
get "$TMP/blk.json" 'v["real"][0]["sig"] != "0" * 128' | grep -q True && ok || bad "transfer: unsigned"
same "transfer: 2 witness parts, unsigned, in block order" \
	"$(get "$TMP/blk.json" '(len(v["witnesses"]), set(w[k].strip("0") for w in v["witnesses"] for k in ("signer", "sig")), [p["token"] for p in v["parts"]] == sorted(p["token"] for p in v["parts"]))')" \
	"(2, {''}, True)"
same "transfer: witnesses listed" \
	"$(get "$TMP/out" 'sorted(v["witnesses"])')" "$(get "$TMP/blk.json" 'sorted(w["token"] for w in v["witnesses"])')"
failure "transfer of a token no longer ours" "not owned by this wallet" "${S[@]}" transfer $T1 --to $K
usage_error "transfer of the zero token" "${S[@]}" transfer $ZERO --to $K
failure "transfer of an unknown token" "holds no mapping" \
	"${S[@]}" transfer 4444444444444444444444444444444444444444444444444444444444444444 --to $K
success "transfer text" "${S[@]}" transfer $T2 --to $OTHER_KH
grep -q "^next_key  *$OTHER_KH\$" "$TMP/out" && ok || bad "transfer text: $(cat "$TMP/out")"

# ---- destroy, rekey ------------------------------------------------------------
success "destroy" "${S[@]}" --json destroy $T3
same "destroy: next key" "$(get "$TMP/out" 'v["next_key"]')" $ZERO
failure "transfer of a destroyed token" "destroyed" "${S[@]}" transfer $T3 --to $K
# the count-3 block's other tokens are ours: rekey one to a new wallet
T4=$(grep '"submit"' "$TMP/good.log" | sed -n 2p >"$TMP/req.json";
	"$PY" "$TMP/fake.py" decode "$(get "$TMP/req.json" 'v["params"]["block"]')" >"$TMP/blk.json";
	get "$TMP/blk.json" '[p["token"] for p in v["real"] if p["token"] != "'$T2'"][0]')
success "rekey" "${S[@]}" --json rekey "$T4" --new-wallet "$TMP/new/wallet"
same "rekey: new wallet mode" "$(stat -c %a "$TMP/new/wallet")" 600
same "rekey: created" "$(get "$TMP/out" 'v["new_wallet_created"]')" True
NEW_KH=$("$ECCTL" --json --wallet "$TMP/new/wallet" pubkey | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["key_hash"])')
same "rekey: next key is the new wallet's" "$(get "$TMP/out" 'v["next_key"]')" "$NEW_KH"
success "transfer with the new wallet" "${S[@]}" --wallet "$TMP/new/wallet" --json transfer "$T4" --to $K --witnesses 5
same "transfer --witnesses 5" "$(get "$TMP/out" 'len(v["witnesses"])')" 5
usage_error "rekey to the same wallet" "${S[@]}" rekey "$T4" --new-wallet "$ECCTL_WALLET"

# ---- token, block ----------------------------------------------------------------
success "token" "${S[@]}" --json token $T1
same "token: request" "$(last_request good 'v["method"], v["params"]')" "('token', {'id': '$T1'})"
success "token (upper case)" "${S[@]}" --json token "${T1^^}"
same "token: id in lower case" "$(last_request good 'v["params"]["id"]')" $T1
failure "token unknown" "holds no mapping" "${S[@]}" token 5555555555555555555555555555555555555555555555555555555555555555
success "block" "${S[@]}" --json block "$B1"
same "block: id" "$(get "$TMP/out" 'v["id"]')" "$B1"
success "block text" "${S[@]}" block "$B1"
grep -q '^cert  *1 vote$' "$TMP/out" && grep -q '^parts\[0\].token  *'$T1 "$TMP/out" && ok ||
	bad "block text: $(cat "$TMP/out")"
failure "block unknown" "not committed" "${S[@]}" block $ZERO

# ---- watch -------------------------------------------------------------------------
success "watch --json" "${S[@]}" --json watch
same "watch: lines" "$("$PY" "$TMP/fake.py" lines "$TMP/out")" 2
head -n 1 "$TMP/out" >"$TMP/note.json"
same "watch: notification" "$(get "$TMP/note.json" '(v["method"], v["params"]["tick"], v["params"]["mine"])')" \
	"('commit', 50, True)"
success "watch text" "${S[@]}" watch
same "watch text" "$(head -n 1 "$TMP/out")" "commit $(printf '%064x' 1) tick 50 time_ms 1000 mine"

# watch ends cleanly on SIGINT, SIGTERM and a reader that goes away
start_node stream
for sig in INT TERM; do
	"$ECCTL" --rpc "$TMP/stream.sock" watch >"$TMP/out" 2>"$TMP/err" &
	wpid=$!
	for _ in $(seq 100); do [ "$(wc -l <"$TMP/out")" -ge 3 ] && break; sleep 0.05; done
	kill -$sig $wpid
	for _ in $(seq 100); do kill -0 $wpid 2>/dev/null || break; sleep 0.05; done
	kill -KILL $wpid 2>/dev/null  # still there after 5 s: a failure, not a hang
	wait $wpid
	same "watch: SIG$sig ends it with status 0" "$?" 0
	[ "$(wc -l <"$TMP/out")" -ge 3 ] && [ ! -s "$TMP/err" ] && ok ||
		bad "watch SIG$sig: $(wc -l <"$TMP/out") lines; $(cat "$TMP/err")"
done
timeout -s KILL 10 "$ECCTL" --rpc "$TMP/stream.sock" --json watch 2>"$TMP/err" |
	head -n 4 >"$TMP/out"
same "watch: a closed pipe ends it with status 0" "${PIPESTATUS[0]}" 0
same "watch: flushed per line" "$("$PY" "$TMP/fake.py" lines "$TMP/out")" 4
[ ! -s "$TMP/err" ] && ok || bad "watch | head: $(cat "$TMP/err")"

# ---- misbehaving nodes ----------------------------------------------------------------
start_node wrongid
failure "response with another id" "another request" --rpc "$TMP/wrongid.sock" status
start_node garbage
failure "invalid JSON" "invalid JSON" --rpc "$TMP/garbage.sock" status
start_node silent
failure "silent node" "timed out" --rpc "$TMP/silent.sock" --timeout 0.3 status
start_node refuse
failure "refused submit" "rejected: stale parent" --rpc "$TMP/refuse.sock" create
start_node wrongblock
failure "node reports another block id" "reports block id" --rpc "$TMP/wrongblock.sock" create
start_node nocommit
failure "--wait runs out" "not committed within" --rpc "$TMP/nocommit.sock" --json create --wait 0.3
same "--wait runs out: JSON says so" "$(get "$TMP/out" 'v["committed"]')" False
start_node blockerr
failure "--wait stops at a node error" "store read failed" --rpc "$TMP/blockerr.sock" create --wait 30
same "--wait stops at a node error: one poll" "$(grep -c '"method": "block"' "$TMP/blockerr.log")" 1
start_node slowcommit
success "--wait over a slow commit" --rpc "$TMP/slowcommit.sock" create --wait 5
grep -q '^committed_ms  *[0-9][0-9]*$' "$TMP/out" && ok || bad "--wait: $(cat "$TMP/out")"
same "--wait: polls" "$(grep -c '"method": "block"' "$TMP/slowcommit.log")" 3

# ---- stop ----------------------------------------------------------------------------------
success "stop" "${S[@]}" --json stop
same "stop" "$(get "$TMP/out" 'v["stopping"]')" True

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
