# SPDX-License-Identifier: MIT
"""What an operator's node must survive, on loopback (docs/node.md):

- a full disk: a store whose LMDB map fills under load stops the node with
  exit status 1 and a logged reason, leaves a store that `ecnode --check`
  finds sound, and the node starts again on a larger map;
- a return to a network where every peer it stored is gone: it joins again
  through its bootstrap contact, even one that comes up only after it;
- the defences a real node runs, on by default (defences=default: witness
  rule, signed votes, convictions): blocks with ecctl's witness parts
  commit, blocks without enough are refused; and nodes with the defences
  off take blocks with witness parts too.

Run with /usr/bin/python3 -m pytest; ECNODE_BIN names the directory with
ecnode and ecctl (default build/).  Every wait is bounded.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import testnet  # noqa: E402  (rpc_call)

BIN = os.environ.get("ECNODE_BIN", os.path.join(HERE, "..", "..", "build"))
ECNODE = os.path.join(BIN, "ecnode")
ECCTL = os.path.join(BIN, "ecctl")


def free_port(host):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Node:
    def __init__(self, work, name, host, network, tick_ms=20):
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        self.datadir = os.path.join(self.dir, "data")
        self.rpc = os.path.join(self.dir, "rpc.sock")
        self.log = os.path.join(self.dir, "node.log")
        self.listen = "%s:%d" % (host, free_port(host))
        self.network = network
        self.tick_ms = tick_ms
        self.proc = None

    def start(self, *extra):
        args = [ECNODE, "--datadir", self.datadir, "--listen", self.listen, "--rpc", self.rpc,
                "--identity-bits", "4", "--identity-memory", "8", "--tick-ms",
                str(self.tick_ms), "--network", self.network, "--log-json"] + list(extra)
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)

    def status(self):
        try:
            return testnet.rpc_call(self.rpc, "status", timeout=2.0)
        except (OSError, testnet.RpcError, ValueError):
            return None

    def wait(self, pred, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline:
            st = self.status()
            if st and pred(st):
                return st
            if self.proc.poll() is not None:
                return None
            time.sleep(0.2)
        return None

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def log_lines(self):
        out = []
        with open(self.log) as f:
            for line in f:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out


def ctl(node, *args, timeout=30):
    r = subprocess.run([ECCTL, "--rpc", node.rpc, "--json", "--timeout", "10"] + list(args),
                       capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def ready(st):
    return st.get("ready") and st.get("peers", 0) >= 1


@pytest.fixture
def trio():
    """Three nodes of one network on 127.0.0.1-3 (not started), in a work
    directory that goes with them."""
    work = tempfile.mkdtemp(prefix="ecnodeops-")
    net = os.path.basename(work)
    nodes = [Node(work, name, "127.0.0.%d" % (i + 1), net) for i, name in enumerate("abc")]
    yield work, nodes
    for n in nodes:
        n.stop(signal.SIGKILL)
    shutil.rmtree(work, ignore_errors=True)


def test_map_full_stops_cleanly_and_restarts_larger(trio):
    work, (a, b, x) = trio
    # window 1: three members per token, two yes votes commit (the
    # default window of 4 needs 5 yes votes, which 3 nodes never give).
    # The store is under test, not the defences, which stay off here:
    # with signed votes (5x larger certificates) blocks of this size at
    # 20 ms ticks overload the three nodes (outboxes full, heartbeats
    # missed, peers dropped) and the full node never catches up again
    w1 = ("--proto", "window=1,defences=off")
    a.start(*w1)
    assert a.wait(lambda st: st.get("ready"), 30)
    b.start("--bootstrap", a.listen, *w1)
    x.start("--bootstrap", a.listen, "--map-size", "1M", *w1)
    assert b.wait(ready, 60) and x.wait(ready, 60)
    wallet = os.path.join(work, "wallet")
    rc, out, err = ctl(a, "--wallet", wallet, "keygen")
    assert rc == 0, err
    # blocks of 200 new tokens and ecctl's 2 witness parts (plain creates
    # to these nodes), committed at every node, until x's 1 MiB map is
    # full (about 150 KB a block); bounded
    deadline = time.time() + 150
    while x.proc.poll() is None and time.time() < deadline:
        ctl(a, "--wallet", wallet, "create", "--count", "200", "--wait", "10")
    x.proc.wait(timeout=30)
    assert x.proc.returncode == 1, "x did not stop with status 1"
    logs = x.log_lines()
    failures = [ln for ln in logs if ln.get("msg", "").startswith("store failure")]
    assert failures, "no store failure logged"
    assert "MDB_MAP_FULL" in failures[0].get("lmdb", ""), failures[0]
    # the other nodes served on
    assert a.proc.poll() is None and b.proc.poll() is None
    chk = subprocess.run([ECNODE, "--check", "--datadir", x.datadir], capture_output=True,
                         text=True, timeout=120)
    assert chk.returncode == 0, chk.stdout + chk.stderr
    # a larger map: the node comes back and catches up on what it
    # missed (blocks of 202 parts: more than a catch-up batch)
    x.start("--bootstrap", a.listen, "--map-size", "64M", *w1)
    assert x.wait(ready, 60), "x did not come back on a larger map"
    # its bootstrap answered: it resumed at once, without waiting out the
    # 40 ticks it gives a bootstrap contact that does not answer
    joins = [ln for ln in x.log_lines() if ln.get("msg") == "joined"]
    assert joins[-1]["kind"] == "resume" and joins[-1]["tick"] < 40, joins[-1]
    want = a.status()["store"]["tokens"]
    st = x.wait(lambda s: s["store"]["tokens"] == want, 60)
    assert st, "x holds %s tokens, a %d" % (x.status()["store"]["tokens"], want)


def test_resume_when_every_stored_peer_is_gone(trio):
    work, (a, b, c) = trio
    a.start()
    assert a.wait(lambda st: st.get("ready"), 30)
    b.start("--bootstrap", a.listen)
    assert b.wait(ready, 60)
    time.sleep(1.0)  # b stores its peers (every 20 ticks)
    b.stop()
    a.stop(signal.SIGKILL)  # gone for good
    # b returns first, pointed at c, which is not up yet: it resumes
    # through its stored peer alone, which never answers
    b.start("--bootstrap", c.listen)
    time.sleep(3.0)
    c.start()
    assert c.wait(lambda st: st.get("ready"), 30)
    st = b.wait(ready, 60)
    assert st, "b never joined again through its bootstrap"
    assert any("joining again" in ln.get("msg", "") for ln in b.log_lines())


def test_pinned_bootstrap_key(trio):
    work, (a, b, c) = trio
    a.start()
    st = a.wait(lambda s: s.get("ready"), 30)
    assert st
    pk = st["pk"]
    wrong = ("0" if pk[0] != "0" else "1") + pk[1:]
    # a pin that a's answer does not match: b never joins through a
    b.start("--bootstrap", "%s@%s" % (wrong, a.listen))
    time.sleep(4.0)
    st = b.status()
    assert st is not None and not st.get("ready") and st.get("peers", 0) == 0, st
    assert any("another key than its pin" in ln.get("msg", "") for ln in b.log_lines())
    # the right pin joins
    c.start("--bootstrap", "%s@%s" % (pk, a.listen))
    assert c.wait(ready, 60), "c did not join through its pinned bootstrap"
    # three nodes at window 4 (a quorum of 5 yes votes) commit nothing, and
    # say so every 200 ticks
    deadline = time.time() + 20
    while time.time() < deadline and not any(
            ln.get("msg", "").startswith("fewer nodes than a quorum") and ln["quorum"] == 5
            for ln in a.log_lines()):
        time.sleep(0.5)
    assert time.time() < deadline, "no quorum warning"
    # a block whose commit could not travel in one datagram is refused
    # with a JSON-RPC error that says why (71 parts at window 4 with
    # signed votes: 70 tokens and 2 witness parts are too many)
    wallet = os.path.join(work, "wallet")
    assert ctl(a, "--wallet", wallet, "keygen")[0] == 0
    rc, out, err = ctl(a, "--wallet", wallet, "create", "--count", "70")
    assert rc != 0 and "more than 71 parts" in out + err, out + err
    # a malformed pin is a usage error
    r = subprocess.run([ECNODE, "--datadir", os.path.join(work, "d"), "--listen",
                        "127.0.0.4:1", "--bootstrap", "abc@" + a.listen, "--network", a.network],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and "64 hex digits" in r.stdout + r.stderr


def no_convictions(nodes):
    for n in nodes:
        assert not [ln for ln in n.log_lines() if "convict" in ln.get("msg", "")], n.log


def start_with_wallet(work, nodes, proto):
    """Starts the trio with --proto proto (b and c through a), waits until
    all are ready, and makes a wallet: its path."""
    a, b, c = nodes
    p = ("--proto", proto)
    a.start(*p)
    assert a.wait(lambda st: st.get("ready"), 30)
    b.start("--bootstrap", a.listen, *p)
    c.start("--bootstrap", a.listen, *p)
    assert b.wait(ready, 60) and c.wait(ready, 60)
    wallet = os.path.join(work, "wallet")
    assert ctl(a, "--wallet", wallet, "keygen")[0] == 0
    return wallet


def test_default_defences_commit(trio):
    """The defences a real node runs, by default (no --proto defences):
    the witness rule, signed votes (every yes signed with the node's
    identity key and counted only when it verifies under the key of the
    identity its peers admitted) and convictions.  Blocks with ecctl's 2
    witness parts (derived from what they spend) commit everywhere; a block
    with fewer is refused by every member, so it never commits."""
    work, (a, b, c) = trio
    wallet = start_with_wallet(work, (a, b, c), "window=1")
    rc, out, err = ctl(b, "--wallet", wallet, "create", "--count", "3", "--wait", "20")
    assert rc == 0, out + err
    made = json.loads(out)
    assert made["committed"] is True, made
    assert len(made["tokens"]) == 3 and len(made["witnesses"]) == 2, made
    rc, out, err = ctl(c, "--wallet", wallet, "transfer", made["tokens"][0], "--to", "11" * 32,
                       "--wait", "20")
    moved = json.loads(out) if out else {}
    assert rc == 0 and moved.get("committed") is True and len(moved["witnesses"]) == 2, out + err
    # one witness part, below witness-min (2): submitted, refused by the
    # members, never committed
    rc, out, err = ctl(a, "--wallet", wallet, "transfer", made["tokens"][1], "--to", "11" * 32,
                       "--witnesses", "1", "--wait", "4")
    assert rc == 1 and json.loads(out)["committed"] is False, out + err
    # the token did not move: its owner still moves it, with 2 witnesses
    rc, out, err = ctl(a, "--wallet", wallet, "transfer", made["tokens"][1], "--to", "11" * 32,
                       "--wait", "20")
    assert rc == 0 and json.loads(out)["committed"] is True, out + err
    no_convictions((a, b, c))


def test_witness_blocks_without_the_rule(trio):
    """Nodes with the defences off (--proto defences=off) take blocks with
    witness parts as plain creates: ecctl's default blocks commit there,
    and so do bare ones (--witnesses 0)."""
    work, (a, b, c) = trio
    wallet = start_with_wallet(work, (a, b, c), "window=1,defences=off")
    rc, out, err = ctl(b, "--wallet", wallet, "create", "--count", "2", "--wait", "20")
    assert rc == 0, out + err
    made = json.loads(out)
    assert made["committed"] is True and len(made["witnesses"]) == 2, made
    for tok, k in zip(made["tokens"], ("2", "0")):
        rc, out, err = ctl(c, "--wallet", wallet, "transfer", tok, "--to", "11" * 32,
                           "--witnesses", k, "--wait", "20")
        assert rc == 0 and json.loads(out)["committed"] is True, out + err
