#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A local ecnode testnet on loopback (docs/node.md, "Local testnet").

Starts N nodes on 127.0.0.x, grows them from one bootstrap node, drives a
load of token transfers through ecctl, injects faults (kill -9 and restart,
SIGSTOP pauses, the daemon's test-only packet impairment) and checks the
outcome: every transfer a client saw committed is still committed on every
member of its token's window afterwards, no node ever cast two conflicting
yes votes, every submitted transfer commits.  Prints one JSON object (with
--json) or a short report.

    /usr/bin/python3 scripts/testnet.py --nodes N --seconds S [--kill-every K]
        [--load TX_PER_S] [--json]

The pytest test (tests/node/test_testnet.py) imports this module and runs a
short net.  Everything is bounded: each wait has a deadline, every node is
killed at the end, and the work directory is removed unless --keep.
"""
import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class RpcError(Exception):
    pass


def rpc_call(path, method, params=None, timeout=5.0):
    """One JSON-RPC 2.0 call over the node's Unix socket."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        req = {"jsonrpc": "2.0", "id": 1, "method": method}
        if params is not None:
            req["params"] = params
        s.sendall((json.dumps(req) + "\n").encode())
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                raise RpcError("connection closed")
            buf += chunk
    finally:
        s.close()
    resp = json.loads(buf)
    if "error" in resp:
        raise RpcError("%s: %s" % (resp["error"].get("code"), resp["error"].get("message")))
    return resp["result"]


class Node:
    """One ecnode process and its data directory."""

    def __init__(self, net, idx):
        self.net = net
        self.idx = idx
        self.host = "127.0.0.%d" % (idx + 1)
        self.port = net.base_port + idx
        self.dir = os.path.join(net.work, "n%03d" % idx)
        self.datadir = os.path.join(self.dir, "data")
        self.rpc = os.path.join(self.dir, "rpc.sock")
        self.log = os.path.join(self.dir, "node.log")
        self.votelog = os.path.join(self.dir, "votes.log")
        self.proc = None
        self.pos = None
        self.incarnations = []  # status snapshots taken before each kill
        self.kills = 0
        os.makedirs(self.dir, mode=0o700, exist_ok=True)

    @property
    def listen(self):
        return "%s:%d" % (self.host, self.port)

    def start(self):
        args = [self.net.ecnode, "--datadir", self.datadir, "--listen", self.listen,
                "--rpc", self.rpc, "--identity-bits", str(self.net.identity_bits),
                "--identity-memory", "8", "--tick-ms", str(self.net.tick_ms),
                "--network", "testnet-%d" % self.net.base_port, "--log-json",
                "--log-level", os.environ.get("ECTESTNET_LOG", "info"), "--vote-log", self.votelog]
        if self.idx != 0:
            args += ["--bootstrap", self.net.nodes[0].listen]
        if self.net.proto:
            args += ["--proto", self.net.proto]
        if self.net.impair:
            args += ["--impair-hold", "0.5", "--impair-loss", "0.02"]
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def call(self, method, params=None, timeout=5.0):
        return rpc_call(self.rpc, method, params, timeout)

    def status(self):
        try:
            return self.call("status", timeout=2.0)
        except (OSError, RpcError, ValueError):
            return None

    def rss_kb(self, field="VmRSS"):
        """The process's resident memory (or its peak, VmHWM), in KiB."""
        if not self.alive():
            return None
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith(field + ":"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None

    def kill9(self):
        st = self.status()
        if st:
            self.incarnations.append(st)
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.kills += 1

    def pause(self):
        if self.alive():
            self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        if self.alive():
            self.proc.send_signal(signal.SIGCONT)

    def stop(self):
        """Graceful stop (SIGTERM), then SIGKILL after a deadline."""
        if not self.alive():
            return
        st = self.status()
        if st:
            self.incarnations.append(st)
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


class Testnet:
    def __init__(self, nodes, bindir, work=None, tick_ms=50, identity_bits=4, base_port=None,
                 impair=False, proto=None, seed=1):
        self.n = nodes
        self.ecnode = os.path.join(bindir, "ecnode")
        self.ecctl = os.path.join(bindir, "ecctl")
        for b in (self.ecnode, self.ecctl):
            if not os.access(b, os.X_OK):
                raise SystemExit("testnet: %s is missing: build it first" % b)
        self.own_work = work is None
        self.work = work or tempfile.mkdtemp(prefix="ectestnet-")
        os.makedirs(self.work, mode=0o700, exist_ok=True)
        self.tick_ms = tick_ms
        self.identity_bits = identity_bits
        self.base_port = base_port or random.Random(os.getpid()).randrange(20000, 40000)
        self.impair = impair
        self.proto = proto
        self.rng = random.Random(seed)
        self.window = 4
        self.submit_at = "member"
        for kv in (proto or "").split(","):
            if kv.startswith("window="):
                self.window = int(kv.split("=", 1)[1])
        self.nodes = [Node(self, i) for i in range(nodes)]
        self.lock = threading.Lock()
        self.commits = {}   # block id -> (time_ms at the submitter, latency fields)
        self.watchers = []
        self.stopping = False
        self.kills = 0
        self.pauses = 0

    # ---- start and stop ------------------------------------------------
    def wait_ready(self, nodes, deadline):
        pending = list(nodes)
        while pending and time.time() < deadline:
            for nd in list(pending):
                st = nd.status()
                if st and st.get("ready"):
                    nd.pos = st["id"]
                    pending.remove(nd)
            if pending:
                time.sleep(0.1)
        return not pending

    def start(self, grow_batch=10, timeout=120):
        """Starts the bootstrap node, then the others in batches."""
        self.nodes[0].start()
        if not self.wait_ready([self.nodes[0]], time.time() + timeout):
            raise RuntimeError("the bootstrap node did not become ready")
        rest = self.nodes[1:]
        for i in range(0, len(rest), grow_batch):
            batch = rest[i:i + grow_batch]
            for nd in batch:
                nd.start()
            if not self.wait_ready(batch, time.time() + timeout):
                bad = [nd.idx for nd in batch if not (nd.status() or {}).get("ready")]
                raise RuntimeError("nodes %s did not become ready" % bad)
        for nd in self.nodes:
            self.start_watch(nd)

    def snapshot(self):
        """Every node's message counters now (None for a node that is down)."""
        return [nd.status() for nd in self.nodes]

    def close(self):
        self.stopping = True
        for nd in self.nodes:
            nd.stop()

    # ---- commit notifications -------------------------------------------
    def start_watch(self, nd):
        t = threading.Thread(target=self.watch_loop, args=(nd,), daemon=True)
        t.start()
        self.watchers.append(t)

    def watch_loop(self, nd):
        """Follows nd's commit notifications, reconnecting after restarts."""
        while not self.stopping:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(1.0)
                s.connect(nd.rpc)
                s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"watch"}\n')
                buf = b""
                while not self.stopping:
                    try:
                        chunk = s.recv(65536)
                    except socket.timeout:
                        continue
                    if not chunk:
                        break
                    buf += chunk
                    while b"\n" in buf:
                        line, buf = buf.split(b"\n", 1)
                        self.on_note(nd, json.loads(line))
            except (OSError, ValueError):
                pass
            finally:
                s.close()
            time.sleep(0.2)

    def on_note(self, nd, msg):
        if msg.get("method") != "commit":
            return
        p = msg["params"]
        if not p.get("mine"):
            return
        with self.lock:
            p["seen_at"] = time.time()
            self.commits.setdefault(p["block"], p)

    # ---- wallets and transfers -------------------------------------------
    def ctl(self, node, *args, timeout=30):
        cmd = [self.ecctl, "--rpc", node.rpc, "--json", "--timeout", "10"] + list(args)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise RpcError("ecctl %s: %s" % (" ".join(args), r.stderr.strip()))
        return json.loads(r.stdout)

    def members(self, tok, nodes):
        """The nodes of `nodes` in the window of token tok (its 2w+1 nearest
        by the nodes' positions): the ones that hold its current block.  A
        client asks one of them: any other node answers "no mapping"."""
        pos = {int(nd.pos, 16): nd for nd in self.nodes if nd.pos}
        near = set(window(list(pos), int(tok[:16], 16), self.window))
        return [nd for nd in nodes if nd.pos and int(nd.pos, 16) in near]

    def live_ready(self):
        out = []
        for nd in self.nodes:
            if nd.alive():
                st = nd.status()
                if st and st.get("ready"):
                    out.append(nd)
        return out


def percentile(v, q):
    if not v:
        return None
    v = sorted(v)
    k = min(len(v) - 1, max(0, int(round(q / 100.0 * (len(v) - 1)))))
    return v[k]


class Load:
    """Wallets, their tokens, and a steady stream of transfers."""

    def __init__(self, net, wallets, tokens_per_wallet):
        self.net = net
        self.wallets = []
        self.tokens = {}      # token -> wallet index (its owner)
        self.busy = {}        # token -> block id of its transfer in flight
        self.submitted = {}   # block id -> (token, submit time, node idx, kind)
        self.failed_submits = 0
        self.cool = {}        # token -> time before which it is not moved again
        self.retried = 0      # transfers submitted again (see retry_stale)
        self.superseded = set()
        self.cooldown = 20 * net.tick_ms / 1000.0
        wdir = os.path.join(net.work, "wallets")
        os.makedirs(wdir, mode=0o700, exist_ok=True)
        for i in range(wallets):
            path = os.path.join(wdir, "w%03d" % i)
            node = net.nodes[i % net.n]
            info = net.ctl(node, "--wallet", path, "keygen")
            self.wallets.append({"path": path, "hash": info["key_hash"]})
        self.tokens_per_wallet = tokens_per_wallet
        self.t0 = time.time()

    def create_all(self, timeout=120):
        """Each wallet creates its tokens in one block and waits for it."""
        for i, w in enumerate(self.wallets):
            node = self.net.nodes[i % self.net.n]
            r = self.net.ctl(node, "--wallet", w["path"], "create", "--count",
                             str(self.tokens_per_wallet), "--wait", str(timeout), timeout=timeout + 10)
            for t in r["tokens"]:
                self.tokens[t] = i
            self.submitted[r["block"]] = (None, time.time(), node.idx, "create")

    def transfer_one(self, nodes):
        now = time.time()
        idle = [t for t in self.tokens if t not in self.busy and self.cool.get(t, 0) <= now]
        if not idle or not nodes:
            return False
        tok = self.net.rng.choice(idle)
        owner = self.tokens[tok]
        dest = self.net.rng.randrange(len(self.wallets) - 1)
        dest = dest + 1 if dest >= owner else dest
        near = self.net.members(tok, nodes)
        if not near:
            return False
        node = self.net.rng.choice(near)
        extra = []
        if self.net.submit_at == "random":
            # any node may submit; only a member can say what the token's
            # current block is
            extra = ["--lookup-rpc", node.rpc]
            node = self.net.rng.choice(nodes)
        t0 = time.time()
        try:
            r = self.net.ctl(node, *extra, "--wallet", self.wallets[owner]["path"], "transfer",
                             tok, "--to", self.wallets[dest]["hash"], timeout=20)
        except (RpcError, subprocess.TimeoutExpired, ValueError):
            self.failed_submits += 1
            return False
        self.busy[tok] = [r["block"]]
        self.submitted[r["block"]] = (tok, t0, node.idx, "transfer", dest, r.get("parent"))
        return True

    def retry_stale(self, nodes, after):
        """A transfer whose commit has not come after `after` seconds is
        submitted again (a new block: its time differs).  Its first
        submitter may have crashed with it: a submitter that restarts has
        lost its pending blocks, and only a submitter commits on votes.
        Without signed votes (--proto defences=off) the old block's voters
        take their yes back when the new one is higher (the protocol's
        withdrawal) and refuse it when it is lower, so a client retries
        until one commits; under ecnode's default defences a yes is final,
        and a retry commits only where the old block got no yes vote."""
        now = time.time()
        for tok, tries in list(self.busy.items()):
            b = tries[-1]
            if now - self.submitted[b][1] < after or any(x in self.net.commits for x in tries):
                continue
            dest = self.submitted[b][4]
            near = self.net.members(tok, nodes)
            node = self.net.rng.choice(near) if near else None
            if not node:
                return
            try:
                r = self.net.ctl(node, "--wallet", self.wallets[self.tokens[tok]]["path"],
                                 "transfer", tok, "--to", self.wallets[dest]["hash"], timeout=20)
            except (RpcError, subprocess.TimeoutExpired, ValueError):
                continue
            self.retried += 1
            self.superseded.add(b)
            tries.append(r["block"])
            self.submitted[r["block"]] = (tok, now, node.idx, "transfer", dest, r.get("parent"))

    def settle(self):
        """Moves the tokens whose transfer committed to their new owner."""
        with self.net.lock:
            done = [t for t, tries in self.busy.items()
                    if any(b in self.net.commits for b in tries)]
        for t in done:
            b = self.busy.pop(t)[-1]
            self.tokens[t] = self.submitted[b][4]
            # the submitter committed; the window's members learn it from
            # the certificate a moment later, and a client that asks a
            # member too soon builds on the old parent (a stale transfer)
            self.cool[t] = time.time() + self.cooldown


class Flood:
    """ec_netflood at one node while the load runs, its memory sampled."""

    def __init__(self, net, node, count, rate):
        self.node = node
        self.rss = []
        self.result = None
        self.done = False
        cmd = [os.path.join(os.path.dirname(net.ecnode), "ec_netflood"), "--target", node.listen,
               "--network", "testnet-%d" % net.base_port, "--identity-bits",
               str(net.identity_bits), "--identity-memory", "8", "--count", str(count),
               "--from", "127.0.0.250"]
        if rate:
            cmd += ["--rate", str(rate)]
        self.before = node.call("status")["drops"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self):
        while self.proc.poll() is None:
            r = self.node.rss_kb()
            if r:
                self.rss.append(r)
            time.sleep(0.5)
        out, err = self.proc.communicate()
        try:
            self.result = json.loads(out)
        except ValueError:
            self.result = {"error": err.strip()}
        self.done = True

    def report(self):
        self.thread.join(timeout=600)
        after = self.node.call("status")["drops"]
        drops = {k: after.get(k, 0) - self.before.get(k, 0) for k in after}
        return {"flood": self.result, "flood_drops": {k: v for k, v in drops.items() if v},
                "flood_dropped": sum(drops.values()),
                "flood_rss_kb_first": self.rss[0] if self.rss else None,
                "flood_rss_kb_max": max(self.rss) if self.rss else None,
                "flood_rss_kb_last": self.rss[-1] if self.rss else None,
                "flood_target_restarted": self.node.kills > 0}


def load_window(net, snap0, snap1, t0, t1):
    """The figures of the load phase alone (no growth, no drain), as ecsim
    measures after its warm-up: logical messages the nodes handled, with
    and without peer management, over the commits of the phase.  Exact only
    without kills (a restarted node's counters start again)."""
    d_in = d_life = 0
    for a, b in zip(snap0, snap1):
        if a and b and b.get("messages_in", 0) >= a.get("messages_in", 0):
            d_in += b["messages_in"] - a["messages_in"]
            d_life += b["lifecycle_in"] - a["lifecycle_in"]
    with net.lock:
        n = sum(1 for c in net.commits.values() if t0 <= c["seen_at"] <= t1)
    ticks = (t1 - t0) * 1000.0 / net.tick_ms
    return {"window_seconds": round(t1 - t0, 1), "window_commits": n,
            "window_messages_per_commit": round(d_in / n, 1) if n else None,
            "window_consensus_messages_per_commit": round((d_in - d_life) / n, 1) if n else None,
            "window_lifecycle_per_node_per_tick": round(d_life / net.n / ticks, 2)}


def check_stores(net):
    """ecnode --check on every data directory (the nodes are stopped)."""
    problems = 0
    unsound = []
    for nd in net.nodes:
        r = subprocess.run([net.ecnode, "--check", "--datadir", nd.datadir], capture_output=True,
                           text=True, timeout=120)
        if r.returncode != 0:
            unsound.append(nd.idx)
            problems += sum(1 for line in r.stdout.splitlines() if line.startswith("problem:"))
    return {"stores_checked": len(net.nodes), "stores_unsound": unsound,
            "store_problems": problems}


def run(args):
    bindir = args.bin or os.path.join(ROOT, "build")
    net = Testnet(args.nodes, bindir, work=args.work, tick_ms=args.tick_ms,
                  identity_bits=args.identity_bits, impair=args.impair, proto=args.proto,
                  seed=args.seed)
    net.submit_at = getattr(args, "submit_at", "member")
    result = {"nodes": args.nodes, "seconds": args.seconds}
    try:
        t_start = time.time()
        net.start(grow_batch=args.grow_batch)
        result["grow_seconds"] = round(time.time() - t_start, 1)
        load = Load(net, wallets=min(args.nodes, 16), tokens_per_wallet=args.tokens)
        load.create_all()
        end = time.time() + args.seconds
        next_kill = time.time() + args.kill_every if args.kill_every else None
        next_pause = time.time() + args.pause_every if args.pause_every else None
        paused = []  # (time due, node)
        restarts = []  # (time due, node)
        gap = 1.0 / args.load if args.load > 0 else None
        next_tx = time.time()
        snap0 = net.snapshot()
        t_load0 = time.time()
        flood = None
        if args.flood:
            target = net.nodes[1 if net.n > 1 else 0]
            flood = Flood(net, target, args.flood, args.flood_rate)
        while time.time() < end:
            now = time.time()
            for due, nd in list(restarts):
                if now >= due:
                    nd.start()
                    restarts.remove((due, nd))
            for due, nd in list(paused):
                if now >= due:
                    nd.resume()
                    paused.remove((due, nd))
            if next_pause and now >= next_pause:
                cands = [nd for nd in net.nodes if nd.alive() and all(nd is not q for _, q in paused)
                         and not (flood and nd is flood.node)]
                if cands:
                    victim = net.rng.choice(cands)
                    victim.pause()
                    net.pauses += 1
                    paused.append((now + args.pause_for, victim))
                next_pause += args.pause_every
            if next_kill and now >= next_kill:
                cands = [nd for nd in net.nodes if nd.alive() and not (flood and nd is flood.node)
                         and all(nd is not q for _, q in paused)]
                if cands:
                    victim = net.rng.choice(cands)
                    victim.kill9()
                    net.kills += 1
                    restarts.append((now + args.restart_after, victim))
                next_kill += args.kill_every
            if gap and now >= next_tx:
                ready = [nd for nd in net.nodes if nd.alive()]
                load.transfer_one(ready)
                load.retry_stale(ready, args.retry_after)
                next_tx += gap
            load.settle()
            time.sleep(0.01)
        for _, nd in paused:
            nd.resume()
        snap1 = net.snapshot()
        t_load1 = time.time()
        result.update(load_window(net, snap0, snap1, t_load0, t_load1))
        for _, nd in restarts:
            nd.start()
        # drain: every submitted transfer should commit
        drain_end = time.time() + args.drain
        while time.time() < drain_end:
            load.settle()
            if not load.busy:
                break
            load.retry_stale([nd for nd in net.nodes if nd.alive()], args.retry_after)
            time.sleep(0.2)
        net.wait_ready(net.nodes, time.time() + 60)
        time.sleep(2.0)  # repairs and pushes settle
        if flood:
            result.update(flood.report())
        peaks = [nd.rss_kb("VmHWM") for nd in net.nodes]
        peaks = [p for p in peaks if p]
        if peaks:
            result["rss_peak_kb_max"] = max(peaks)
            result["rss_peak_kb_mean"] = round(sum(peaks) / len(peaks))
        result.update(check(net, load))
    finally:
        net.close()
    result.update(check_stores(net))
    if net.own_work and not os.environ.get("ECTESTNET_KEEP"):
        shutil.rmtree(net.work, ignore_errors=True)
    return result


def window(positions, token_pos, w):
    """The 2w+1 nodes nearest token_pos: the w below and the w+1 at or above."""
    ring = sorted(positions)
    up = [p for p in ring if p >= token_pos] + [p for p in ring if p < token_pos]
    above = up[:w + 1]
    below = list(reversed([p for p in ring if p < token_pos])) + \
        list(reversed([p for p in ring if p >= token_pos]))
    out = list(above)
    for p in below:
        if len(out) >= 2 * w + 1:
            break
        if p not in out:
            out.append(p)
    return out


def check(net, load):
    """The outcome figures and the safety checks."""
    w = net.window
    out = {}
    statuses = {nd.idx: nd.status() for nd in net.nodes}
    by_pos = {int(st["id"], 16): net.nodes[i] for i, st in statuses.items() if st}
    committed = dict(net.commits)
    transfers = {b: v for b, v in load.submitted.items() if v[3] == "transfer"}
    # a transfer submitted again replaces the first submission (the client
    # retried): it counts once, and its first block is reported apart
    out["resubmitted"] = load.retried
    out["superseded_committed"] = sum(1 for b in load.superseded if b in committed)
    attempts = transfers
    transfers = {b: v for b, v in transfers.items() if b not in load.superseded}
    out["submitted"] = len(transfers)
    # a move commits when any of its attempts did (they conflict: one at most)
    moved = {(v[0], v[5]) for b, v in attempts.items() if b in committed}
    out["committed"] = sum(1 for b, v in transfers.items() if (v[0], v[5]) in moved)
    out["uncommitted"] = out["submitted"] - out["committed"]
    # an uncommitted transfer the submitter nevertheless holds committed:
    # its notification was missed (the watcher reconnecting), not its commit
    late = 0
    for b, v in transfers.items():
        if b in committed:
            continue
        try:
            net.nodes[v[2]].call("block", {"id": b})
            late += 1
        except (OSError, RpcError, ValueError):
            pass
    out["committed_unnotified"] = late
    if os.environ.get("ECTESTNET_DEBUG"):
        for b, v in transfers.items():
            if b in committed:
                continue
            maps = []
            for nd in net.nodes:
                try:
                    maps.append(nd.call("token", {"id": v[0]})["block"][:8])
                except (OSError, RpcError, ValueError):
                    maps.append("-")
            print("uncommitted %s token %s parent %s at node %d t=%.1f maps %s" %
                  (b[:8], v[0][:8], (v[5] or "?")[:8], v[2], v[1] - load.t0, maps),
                  file=sys.stderr)
    out["failed_submits"] = load.failed_submits
    # latest committed block of each token, which every window member holds
    checked = 0
    pending = []  # (token, latest block, node) to check
    for tok in load.tokens:
        latest = None
        for b, v in attempts.items():
            if v[0] == tok and b in committed:
                # by wall time: nodes count their own ticks, so the
                # submitters' clocks do not order commits of one token
                if latest is None or committed[b]["time_ms"] >= committed[latest]["time_ms"]:
                    latest = b
        if latest is None:
            continue
        for p in window(list(by_pos), int(tok[:16], 16), w):
            checked += 1
            pending.append((tok, latest, by_pos[p]))

    def stale(entry):
        tok, latest, nd = entry
        try:
            return nd.call("token", {"id": tok})["block"] != latest
        except (OSError, RpcError, ValueError):
            return True

    # a member that was down when a transfer committed learns it from its
    # neighbours' catch-up answers and periodic resyncs (every 64 ticks),
    # so the check looks again for up to 20 s before it calls a member's
    # copy lost
    pending = [e for e in pending if stale(e)]
    out["stale_at_first_check"] = len(pending)
    deadline = time.time() + 20
    while pending and time.time() < deadline:
        time.sleep(1.0)
        pending = [e for e in pending if stale(e)]
    if os.environ.get("ECTESTNET_DEBUG"):
        for tok, latest, nd in pending:
            try:
                have = nd.call("token", {"id": tok})["block"]
            except (OSError, RpcError, ValueError) as e:
                have = "error %s" % e
            chain = sorted(((committed[b]["time_ms"] - load.t0 * 1000, b[:8], v[5][:8] if v[5] else "-", v[2])
                            for b, v in attempts.items() if v[0] == tok and b in committed))
            print("stale %s at node %d: has %s, latest %s; commits (ms, block, parent, node) %s" %
                  (tok[:8], nd.idx, have[:8], latest[:8], chain[-4:]), file=sys.stderr)
    out["window_checks"] = checked
    out["lost_committed"] = len(pending)
    out["lost_detail"] = ["%s at node %d (killed %d times)" % (t[:16], nd.idx, nd.kills)
                          for t, _, nd in pending[:20]]
    out["conflicting_votes"], out["votes_unlogged"] = conflicting_votes(net)
    lat_ms = [c["latency_ms"] for b, c in committed.items() if b in attempts and "latency_ms" in c]
    lat_t = [c["latency_ticks"] for b, c in committed.items()
             if b in attempts and "latency_ticks" in c]
    for q in (50, 95, 99):
        out["latency_ms_p%d" % q] = percentile(lat_ms, q)
        out["latency_ticks_p%d" % q] = percentile(lat_t, q)
    out["latency_ticks_mean"] = round(sum(lat_t) / len(lat_t), 2) if lat_t else None
    # messages: the sum over every incarnation of every node
    items = items_in = life_in = 0
    drops = {}
    for nd in net.nodes:
        snaps = list(nd.incarnations)
        if statuses.get(nd.idx):
            snaps.append(statuses[nd.idx])
        for st in snaps:
            items += st.get("messages_out", 0)
            items_in += st.get("messages_in", 0)
            life_in += st.get("lifecycle_in", 0)
            for k, v in st.get("drops", {}).items():
                drops[k] = drops.get(k, 0) + v
    ncommits = out["committed"] + len([b for b, v in load.submitted.items() if v[3] == "create"])
    out["messages"] = items
    out["messages_per_commit"] = round(items / ncommits, 1) if ncommits else None
    # as ecsim counts them: logical messages delivered, all of them and
    # without peer management (lifecycle traffic)
    out["messages_delivered_per_commit"] = round(items_in / ncommits, 1) if ncommits else None
    out["consensus_messages_per_commit"] = (round((items_in - life_in) / ncommits, 1)
                                            if ncommits else None)
    out["commits_counted"] = ncommits
    out["kills"] = net.kills
    out["pauses"] = net.pauses
    out["datagrams_dropped"] = drops
    return out


def conflicting_votes(net):
    """Yes votes of one node for two blocks with the same (token, parent),
    the later not higher than the earlier (the protocol only moves a yes to
    a higher block, after its submitter acknowledged the withdrawal), and
    the yes votes the node could not log (their block had left its cache):
    the check cannot vouch for those."""
    bad = unlogged = 0
    for nd in net.nodes:
        seen = {}
        try:
            with open(nd.votelog) as f:
                for line in f:
                    parts = line.split()
                    if parts and parts[0] == "unlogged":
                        unlogged += 1
                    if len(parts) != 3:
                        continue
                    tok, parent, block = parts
                    prev = seen.get((tok, parent))
                    if prev is not None and prev != block and block <= prev:
                        bad += 1
                    seen[(tok, parent)] = block
        except OSError:
            pass
    return bad, unlogged


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--kill-every", type=float, default=0, help="kill -9 a node every K s")
    ap.add_argument("--restart-after", type=float, default=1.0)
    ap.add_argument("--pause-every", type=float, default=0,
                    help="SIGSTOP a node every K s (SIGCONT after --pause-for)")
    ap.add_argument("--pause-for", type=float, default=2.0)
    ap.add_argument("--load", type=float, default=2.0, help="transfers per second")
    ap.add_argument("--tokens", type=int, default=8, help="tokens per wallet")
    ap.add_argument("--tick-ms", type=int, default=50)
    ap.add_argument("--identity-bits", type=int, default=4)
    ap.add_argument("--grow-batch", type=int, default=10)
    ap.add_argument("--drain", type=float, default=30)
    ap.add_argument("--retry-after", type=float, default=10,
                    help="submit a transfer again when its commit has not come after S s")
    ap.add_argument("--impair", action="store_true",
                    help="the seed's network model: hold 1/2 per tick, 2%% loss")
    ap.add_argument("--proto", help="protocol settings for every node, e.g. degree=32")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--submit-at", choices=("member", "random"), default="member",
                    help="submit each transfer at a member of its token's window (default) "
                    "or at a random node (asking a member for the token's current block)")
    ap.add_argument("--flood", type=int, default=0,
                    help="send N bad datagrams at node 1 during the load (ec_netflood)")
    ap.add_argument("--flood-rate", type=int, default=0, help="bad datagrams per second")
    ap.add_argument("--bin", help="directory with ecnode and ecctl (default build/)")
    ap.add_argument("--work", help="work directory (default: a temporary one)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.nodes < 1 or args.nodes > 250:
        ap.error("--nodes must be 1..250")
    res = run(args)
    if args.json:
        print(json.dumps(res, sort_keys=True))
    else:
        for k in sorted(res):
            print("%-24s %s" % (k, res[k]))
    ok = (res.get("lost_committed") == 0 and res.get("conflicting_votes") == 0 and
          res.get("votes_unlogged") == 0 and res.get("store_problems") == 0 and not res.get("stores_unsound"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
