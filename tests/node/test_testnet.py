# SPDX-License-Identifier: MIT
"""A short loopback testnet in CI (scripts/testnet.py): five ecnode
processes grown from one bootstrap node, a load of transfers through ecctl,
one node killed with kill -9 and restarted, one paused with SIGSTOP for
two seconds, and 20,000 bad datagrams sent at one node.  Nothing a client saw committed
may be lost, no node may vote yes twice on one (token, parent), and every
transfer commits.  The binaries come from ECNODE_BIN (the build directory).

Run: ECNODE_BIN=build-test /usr/bin/python3 -m pytest -q tests/node/test_testnet.py
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import testnet  # noqa: E402


def short_run(**over):
    args = argparse.Namespace(nodes=5, seconds=30, kill_every=12, restart_after=1.0, load=2.0,
                              pause_every=14, pause_for=2.0,
                              tokens=4, tick_ms=50, identity_bits=2, grow_batch=4, drain=40, retry_after=10,
                              impair=False, proto="window=2", seed=7, flood=20000,
                              flood_rate=5000,
                              bin=os.environ.get("ECNODE_BIN"), work=None, json=True)
    for k, v in over.items():
        setattr(args, k, v)
    return testnet.run(args)


def test_short_testnet_with_a_kill():
    r = short_run()
    print(r)
    assert r["kills"] >= 1 and r["pauses"] >= 1
    assert r["submitted"] >= 20
    assert r["lost_committed"] == 0
    assert r["conflicting_votes"] == 0 and r["votes_unlogged"] == 0
    assert r["committed"] == r["submitted"]
    assert r["window_checks"] > 0
    assert r["messages_per_commit"] and r["messages_per_commit"] > 0
    assert r["latency_ms_p50"] is not None
    # every store verifies after the kills
    assert r["store_problems"] == 0 and not r["stores_unsound"]
    # the bad datagrams were all dropped and counted, and the node stayed up
    assert r["flood"]["sent"] == 20000
    assert r["flood_dropped"] >= 20000
