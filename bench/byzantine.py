#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Byzantine tolerance experiments (docs/byzantine.md), driven by bench_byzantine.sh.

Every run is one line of OUT/runs.csv, keyed by its parameters and seed; a
restarted experiment skips the runs already there, so an interrupted grid
resumes where it stopped.  From the runs: OUT/<name>.csv (one row per point:
means and 95 % intervals), and gnuplot plots (PNG and SVG).

Experiments:
  curves    f = 0..50 % x behaviour x defences off/witness/all x window 4, 6, 8
  targeted  a Sybil cluster of k = 1..9 at a target token x 0..3 witnesses,
            without and with the witness rule
  defaults  candidate windows and quorums with the default defences at
            f = 20 %, every behaviour, and their price at f = 0
  forge     forge-cert at 0.5 .. 5 %
  isolation byzantine_vote_share and honest_isolated over 2,000 rounds, with
            churn (the event CSV's per-100-round rows)
  scale     the f at which safety first fails at 10k and 100k nodes (and 1M
            with BYZ_BIG=1 in the environment)
  holds     the two-thirds settings (w = 6 quorum 9, w = 8 quorum 11) with
            every defence at f = 5, 10, 15 %, every behaviour, 5 seeds: the
            highest f that holds safety and liveness together
  eclipse   an open network grown from 200 to 2,000 nodes with eclipse liars
            at f = 10, 20, 30 %: the floor and quotas off and on (own runs
            file, OUT/runs-eclipse.csv)

"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# The workload: 2,000 nodes, 0.005 tokens per node per round, 30 %
# double-spend families; forgeries (10 % of blocks) make invalid commits
# measurable.  Rounds shortened from the usual 1,160 to 400 (300 measured)
# so that 20 seeds per point fit: a run is about a second.
BASE = ["--protocol", "ec", "--topology", "small-world", "--degree", "64",
        "--tokens-per-node", "1", "--block-size", "1,3", "--tx-rate-per-node", "0.005",
        "--conflict-rate", "0.3", "--forge-rate", "0.1", "--quiet", "--json"]
ROUNDS = ["--rounds", "400", "--warmup", "50", "--drain", "60", "--censor-after", "100"]
# The arms: no defence; the witness rule alone (the default of issue 16's
# first session, so its wallets add the 2 witness tokens the rule asks
# for); and every defence, what a real node runs (`--defences default`:
# the witness rule, signed votes, convictions; the floor and quotas too since
# the eclipse work, which act in open networks only and change no static run).
DEFENCES = {"off": ["--defences", "off"],
            "witness": ["--defences", "witness", "--witness-tokens", "2"],
            "all": ["--defences", "default", "--witness-tokens", "2"],
            "agree": ["--defences", "agreement"]}
ARMS = ["off", "witness", "all"]
# the isolation runs also measure the seed's own mechanism: agreement
# scoring alone (the echo chamber), which is no part of any default
ISOLATION_ARMS = ARMS + ["agree"]
SAFETY = ["accomplice", "equivocate", "fast-yes", "balancer"]
OTHERS = ["silent", "withhold", "censor", "delay", "camouflage", "sleeper"]
FIELDS = ["safety_violations", "double_spends", "invalid_commits", "honest_blocks",
          "honest_committed", "censored_blocks", "honest_committed_fraction",
          "byzantine_vote_share", "byzantine_peer_share", "honest_isolated",
          "conflict_families", "forged_injected", "messages_per_commit", "latency_p50",
          "latency_mean", "target_families", "attack_cost_attempts", "byzantine_nodes",
          "convicted", "convicted_honest", "convictions", "first_conviction_round",
          "conflict_stalled", "scored_out", "scored_out_honest", "scorings"]


def ecsim_path(build):
    return os.path.join(ROOT, build, "ecsim")


def behaviour_args(b):
    """The options of one behaviour as the grid names it."""
    if b == "sleeper":  # honest for the first 150 rounds, then equivocates
        return ["--behaviour", "sleeper,equivocate", "--attack-start", "150"]
    return ["--behaviour", b]


def migrate_key(key):
    """Keys of runs made when the second arm was called "default" and was
    the witness rule alone (before signed votes): the same runs, by the
    arm's name now.  Both arms' code paths are unchanged since."""
    parts = key.split("|")
    if parts[0] == "defaults" and len(parts) == 4:
        return "|".join(["defaults", "witness"] + parts[1:])
    return "|".join("witness" if p == "default" else p for p in parts)


class Runs:
    """OUT/runs.csv: one row per run; appended as runs finish."""

    def __init__(self, path, fields=None):
        self.path = path
        self.done = {}
        self.fields = fields or FIELDS
        header = ["key", "exp", "seconds"] + self.fields
        old = None
        if os.path.exists(path):
            with open(path, newline="") as f:
                r = csv.DictReader(f)
                old = r.fieldnames
                for row in r:
                    row.pop(None, None)
                    row["key"] = migrate_key(row["key"])
                    self.done[row["key"]] = row
        if old is not None and old != header:
            # a file from before FIELDS grew: rewritten whole, new columns
            # empty, so that the rows appended from now on line up
            with open(path, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
                w.writeheader()
                for row in self.done.values():
                    w.writerow({k: row.get(k, "") for k in header})
        self.f = open(path, "a", newline="")
        self.w = csv.DictWriter(self.f, fieldnames=header, extrasaction="ignore")
        if os.path.getsize(path) == 0:
            self.w.writeheader()

    def add(self, key, exp, seconds, j):
        row = {"key": key, "exp": exp, "seconds": "%.2f" % seconds}
        for k in self.fields:
            v = j.get(k)
            row[k] = "" if v is None else v
        self.w.writerow(row)
        self.f.flush()
        self.done[key] = {k: str(v) for k, v in row.items()}


def run_one(ecsim, args):
    t0 = time.time()
    p = subprocess.run([ecsim] + args, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("ecsim %s: exit %d: %s" % (" ".join(args), p.returncode,
                                                      p.stderr.strip()[:400]))
    return time.time() - t0, json.loads(p.stdout.splitlines()[0])


def execute(ecsim, runs, jobs, todo, exp):
    """todo: (key, args); runs the missing ones on `jobs` workers."""
    missing = [(k, a) for k, a in todo if k not in runs.done]
    total, t0 = len(missing), time.time()
    if not missing:
        return
    print("%s: %d runs to do (%d done before)" % (exp, total, len(todo) - total), flush=True)
    with ThreadPoolExecutor(max_workers=jobs) as ex:
        futs = {ex.submit(run_one, ecsim, a): k for k, a in missing}
        for n, fut in enumerate(futs, 1):
            secs, j = fut.result()
            runs.add(futs[fut], exp, secs, j)
            if n % 20 == 0 or n == total:
                el = time.time() - t0
                print("  %d/%d runs, %.0f s, about %.0f s to go" %
                      (n, total, el, el / n * (total - n)), flush=True)


# ---- statistics ---------------------------------------------------------

def mean_ci(xs):
    """Mean and the half-width of its 95 % interval (t for small samples)."""
    n = len(xs)
    if n == 0:
        return float("nan"), float("nan")
    m = sum(xs) / n
    if n < 2:
        return m, float("nan")
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    t = {2: 12.71, 3: 4.30, 4: 3.18, 5: 2.78, 6: 2.57, 8: 2.36, 10: 2.26, 20: 2.09}
    tv = t.get(n, 2.0 if n > 20 else 2.26)
    return m, tv * sd / math.sqrt(n)


def wilson(k, n):
    """95 % Wilson interval of k successes in n."""
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    z, p = 1.96, min(k, n) / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return p, max(0.0, c - h), min(1.0, c + h)


def binom_tail(n, p, k):
    """P(Bin(n, p) >= k)."""
    return sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k, n + 1))


def num(row, k):
    v = row.get(k, "")
    return float(v) if v not in ("", None) else 0.0


# ---- curves -------------------------------------------------------------

FS = [i / 20 for i in range(11)]  # 0, 5, ..., 50 %


def curve_points(quick):
    """Every arm at w = 4; windows 6 and 8 for the arms of the first grid
    (off, witness) and, with BYZ_FULL=1, for every defence too."""
    pts = []
    full = os.environ.get("BYZ_FULL")
    for w in ([4] if quick else [4, 6, 8]):
        for d in (ARMS if w == 4 or full else ["off", "witness"]):
            for b in SAFETY + OTHERS:
                seeds = 20 if (w == 4 and b in SAFETY) else 5
                if quick:
                    seeds = 2
                for f in FS:
                    pts.append((b, d, w, f, seeds))
    return pts


def curve_key(b, d, w, f, s):
    return "curves|%s|%s|w%d|f%.2f|s%d" % (b, d, w, f, s)


def curves(ecsim, runs, jobs, out, quick):
    todo = []
    nodes = ["--nodes", "500"] if quick else ["--nodes", "2000"]
    for b, d, w, f, seeds in curve_points(quick):
        for s in range(1, seeds + 1):
            args = BASE + nodes + ROUNDS + ["--seed", str(s), "--window", str(w),
                                            "--byzantine", "%.2f" % f,
                                            "--safety-report", os.devnull] + \
                behaviour_args(b) + DEFENCES[d]
            todo.append((curve_key(b, d, w, f, s), args))
    execute(ecsim, runs, jobs, todo, "curves")
    rows = []
    for b, d, w, f, seeds in curve_points(quick):
        got = [runs.done[curve_key(b, d, w, f, s)] for s in range(1, seeds + 1)]
        viol = [num(r, "safety_violations") for r in got]
        fams = sum(num(r, "conflict_families") + num(r, "forged_injected") for r in got)
        hb = sum(num(r, "honest_blocks") for r in got)
        cens = sum(num(r, "censored_blocks") for r in got)
        runs_bad = sum(1 for v in viol if v > 0)
        p, lo, hi = wilson(runs_bad, len(got))
        pa, alo, ahi = wilson(int(sum(viol)), int(fams)) if fams else (0, 0, 0)
        cf, clo, chi = wilson(int(cens), int(hb)) if hb else (0, 0, 0)
        m, h = mean_ci(viol)
        mpc, mpch = mean_ci([num(r, "messages_per_commit") for r in got])
        lat, lath = mean_ci([num(r, "latency_mean") for r in got])
        vs, vsh = mean_ci([num(r, "byzantine_vote_share") for r in got])
        rows.append({"behaviour": b, "defences": d, "window": w, "f": f, "seeds": len(got),
                     "runs_violated": runs_bad, "p_run": p, "p_run_lo": lo, "p_run_hi": hi,
                     "violations_mean": m, "violations_ci": h,
                     "per_attack": pa, "per_attack_lo": alo, "per_attack_hi": ahi,
                     "censored_share": cf, "censored_lo": clo, "censored_hi": chi,
                     "messages_per_commit": mpc, "messages_per_commit_ci": mpch,
                     "latency_mean": lat, "latency_ci": lath,
                     "byzantine_vote_share": vs,
                     "binom_majority": binom_tail(2 * w + 1, f, w + 1)})
    write_csv(os.path.join(out, "curves.csv"), rows)
    summary = summarize_curves(rows)
    write_csv(os.path.join(out, "curves_summary.csv"), summary)
    for r in summary:
        print("  %-10s defences %-7s w=%d: safe up to f = %s; 1 %% censored at f = %s" %
              (r["behaviour"], r["defences"], r["window"], r["max_safe_f"], r["f_censor_1pct"]))
    plot_curves(out, rows, quick)


def summarize_curves(rows):
    out = []
    keys = sorted({(r["behaviour"], r["defences"], r["window"]) for r in rows})
    for b, d, w in keys:
        pts = sorted((r for r in rows if (r["behaviour"], r["defences"], r["window"]) == (b, d, w)),
                     key=lambda r: r["f"])
        safe = None
        for r in pts:  # the largest f below which no seed of any point broke safety
            if r["runs_violated"] > 0:
                break
            safe = r["f"]
        cen = next((r["f"] for r in pts if r["censored_share"] >= 0.01), None)
        out.append({"behaviour": b, "defences": d, "window": w,
                    "max_safe_f": "none" if safe is None else "%.2f" % safe,
                    "f_censor_1pct": "none" if cen is None else "%.2f" % cen})
    return out


def write_csv(path, rows):
    if not rows:
        return
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        for r in rows:
            w.writerow(r)


def gnuplot(script):
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def plot_curves(out, rows, quick):
    for w in sorted({r["window"] for r in rows}):
        for d in ARMS:
            sel = [r for r in rows if r["window"] == w and r["defences"] == d]
            if not sel:
                continue
            dat = os.path.join(out, "curves_w%d_%s.dat" % (w, d))
            bs = [b for b in SAFETY + OTHERS if any(r["behaviour"] == b for r in sel)]
            with open(dat, "w") as f:
                for b in bs:
                    f.write("# %s\n" % b)
                    for r in sorted((r for r in sel if r["behaviour"] == b), key=lambda r: r["f"]):
                        f.write("%g %g %g %g %g\n" % (100 * r["f"], r["per_attack"],
                                                      r["per_attack_lo"], r["per_attack_hi"],
                                                      r["censored_share"]))
                    f.write("\n\n")
            for term, ext in [("pngcairo size 1100,700", "png"), ("svg size 1100,700", "svg")]:
                plots = ["'%s' index %d using 1:2:3:4 with yerrorlines title '%s'" % (dat, i, b)
                         for i, b in enumerate(bs)]
                plots.append("binom(x/100.0) with lines dt 2 lw 2 lc black "
                             "title 'P(majority of %d members Byzantine)'" % (2 * w + 1))
                gnuplot("""
set terminal %s
set output '%s'
set title 'Safety violations per attack (double-spend family or forgery), w = %d, defences %s'
set xlabel 'Byzantine share f (%%)'
set ylabel 'violations per attack (95%% Wilson interval; 0 not shown)'
set key left top
set grid
set logscale y
set yrange [1e-4:1]
n = %d
c(n,k) = exp(lgamma(n+1) - lgamma(k+1) - lgamma(n-k+1))
binom(p) = sum [k=%d:n] c(n,k) * p**k * (1-p)**(n-k)
plot %s
""" % (term, os.path.join(out, "curves_w%d_%s.%s" % (w, d, ext)), w, d, 2 * w + 1, w + 1,
                    ", ".join(plots)))


# ---- targeted Sybil attack ----------------------------------------------

def targeted(ecsim, runs, jobs, out, quick):
    """No warm-up: the double spends (counted over the whole run) and the
    attempts (target families, counted from the warm-up on) then cover the
    same blocks."""
    seeds = 2 if quick else 10
    ks = [1, 3, 5, 9] if quick else list(range(1, 10))
    todo, pts = [], []
    base = ["--protocol", "ec", "--topology", "small-world", "--degree", "64",
            "--tokens-per-node", "1", "--block-size", "1,1", "--tx-rate-per-node", "0.005",
            "--nodes", "500" if quick else "2000", "--rounds", "400", "--warmup", "0",
            "--drain", "60", "--quiet", "--json", "--placement", "target",
            "--behaviour", "sybil,equivocate", "--safety-report", os.devnull]
    for rule in ["off", "witness"]:
        for wt in range(4):
            for k in ks:
                pts.append((rule, wt, k))
                for s in range(1, seeds + 1):
                    key = "targeted|%s|wt%d|k%d|s%d|all" % (rule, wt, k, s)
                    todo.append((key, base + ["--byzantine", str(k), "--witness-tokens", str(wt),
                                              "--defences", rule, "--seed", str(s)]))
    execute(ecsim, runs, jobs, todo, "targeted")
    rows = []
    n_nodes = 500 if quick else 2000
    for rule, wt, k in pts:
        got = [runs.done["targeted|%s|wt%d|k%d|s%d|all" % (rule, wt, k, s)]
               for s in range(1, seeds + 1)]
        fam = int(sum(num(r, "target_families") for r in got))
        ds = int(sum(num(r, "double_spends") for r in got))
        p, lo, hi = wilson(ds, fam) if fam else (0, 0, 0)
        # the grinding cost at larger networks: the same k into a window's arc
        rows.append({"rule": rule, "witnesses": wt, "k": k, "attempts": fam,
                     "double_spends": ds, "success": p, "success_lo": lo, "success_hi": hi,
                     "cost_attempts_here": num(got[0], "attack_cost_attempts"),
                     "cost_attempts_1M": k * 1e6 / 9, "cost_attempts_10M": k * 1e7 / 9,
                     "nodes": n_nodes})
    write_csv(os.path.join(out, "targeted.csv"), rows)
    for r in rows:
        print("  rule %-7s witnesses %d k=%d: %d of %d double spends succeeded (%.1f %%, "
              "95 %% %.1f..%.1f)" % (r["rule"], r["witnesses"], r["k"], r["double_spends"],
                                      r["attempts"], 100 * r["success"], 100 * r["success_lo"],
                                      100 * r["success_hi"]))


# ---- defaults that hold ---------------------------------------------------

# Candidate settings for what a real node runs: the window, and a quorum
# above a majority (2q - (2w+1) > b keeps two quorums apart by more than b
# liars; a majority quorum, w+1, tolerates none).
CANDIDATES = [("w4-q5", ["--window", "4"]), ("w6-q9", ["--window", "6", "--quorum", "9"]),
              ("w8-q12", ["--window", "8", "--quorum", "12"]),
              ("w8-q11", ["--window", "8", "--quorum", "11"])]


def defaults(ecsim, runs, jobs, out, quick):
    """Every behaviour at f = 20 % under each candidate with the witness
    rule alone and with every defence, 20 seeds for the safety behaviours,
    5 for the rest; and the same settings at f = 0 for their price."""
    nodes = ["--nodes", "500" if quick else "2000"]
    todo, pts = [], []
    for arm in ["witness", "all"]:
        for name, cargs in CANDIDATES:
            for b in SAFETY + OTHERS + ["forge-cert", "honest"]:
                if b == "forge-cert" and arm == "witness":
                    continue  # unsigned votes: measured by `forge`
                seeds = 2 if quick else (20 if b in SAFETY + ["forge-cert"] else 5)
                f = 0.0 if b == "honest" else 0.2
                pts.append((arm, name, b, seeds))
                for s in range(1, seeds + 1):
                    key = "defaults|%s|%s|%s|s%d" % (arm, name, b, s)
                    bargs = behaviour_args("equivocate" if b == "honest" else b)
                    todo.append((key, BASE + nodes + ROUNDS + cargs + DEFENCES[arm] +
                                 bargs + ["--byzantine", "%.2f" % f, "--seed", str(s),
                                          "--safety-report", os.devnull]))
    execute(ecsim, runs, jobs, todo, "defaults")
    rows = []
    for arm, name, b, seeds in pts:
        got = [runs.done["defaults|%s|%s|%s|s%d" % (arm, name, b, s)]
               for s in range(1, seeds + 1)]
        hb = sum(num(r, "honest_blocks") for r in got)
        hc = sum(num(r, "honest_committed") for r in got)
        mpc, mpch = mean_ci([num(r, "messages_per_commit") for r in got])
        lat, lath = mean_ci([num(r, "latency_mean") for r in got])
        rows.append({"defences": arm, "setting": name, "behaviour": b, "seeds": seeds,
                     "violations": int(sum(num(r, "safety_violations") for r in got)),
                     "runs_violated": sum(1 for r in got if num(r, "safety_violations") > 0),
                     "honest_committed_fraction": hc / hb if hb else 1.0,
                     "messages_per_commit": mpc, "messages_per_commit_ci": mpch,
                     "latency_mean": lat, "latency_ci": lath,
                     "convicted": int(sum(num(r, "convicted") for r in got)),
                     "convicted_honest": int(sum(num(r, "convicted_honest") for r in got)),
                     "liars": int(sum(num(r, "byzantine_nodes") for r in got))})
    write_csv(os.path.join(out, "defaults.csv"), rows)
    for arm in ["witness", "all"]:
        for name, _ in CANDIDATES:
            sel = [r for r in rows if r["setting"] == name and r["defences"] == arm]
            base = next(r for r in sel if r["behaviour"] == "honest")
            bad = [r["behaviour"] for r in sel if r["behaviour"] != "honest" and r["violations"]]
            slow = [r["behaviour"] for r in sel if r["honest_committed_fraction"] < 0.99]
            worst_m = max(r["messages_per_commit"] for r in sel)
            print("  %-7s %-7s: violations in %s; under 99 %% committed: %s; f=0: %.1f "
                  "msgs/commit, latency %.2f; worst at f=20 %%: %.1f msgs/commit; honest "
                  "convicted %d" %
                  (arm, name, ", ".join(bad) or "none", ", ".join(slow) or "none",
                   base["messages_per_commit"], base["latency_mean"], worst_m,
                   sum(r["convicted_honest"] for r in sel)))


# ---- the highest f a setting holds -------------------------------------------

HOLD_SETTINGS = ["w6-q9", "w8-q11"]
HOLD_FS = [0.05, 0.10, 0.15]


def holds(ecsim, runs, jobs, out, quick):
    """Below f = 20 %, where the two-thirds settings held safety but not
    liveness: every behaviour with every defence, 5 seeds, at 5, 10 and
    15 %; the highest f at which a setting gives no violation and commits
    at least 99 % of honest blocks under every behaviour."""
    nodes = ["--nodes", "500" if quick else "2000"]
    seeds = 2 if quick else 5
    behaviours = SAFETY + OTHERS + ["forge-cert"]
    settings = dict(CANDIDATES)
    todo = []

    def key(name, b, f, s):
        return "holds|%s|%s|f%.2f|s%d" % (name, b, f, s)
    for name in HOLD_SETTINGS:
        for b in behaviours:
            for f in HOLD_FS:
                for s in range(1, seeds + 1):
                    todo.append((key(name, b, f, s),
                                 BASE + nodes + ROUNDS + settings[name] + DEFENCES["all"] +
                                 behaviour_args(b) + ["--byzantine", "%.2f" % f, "--seed",
                                                      str(s), "--safety-report", os.devnull]))
    execute(ecsim, runs, jobs, todo, "holds")
    rows = []
    for name in HOLD_SETTINGS:
        for f in HOLD_FS:
            for b in behaviours:
                got = [runs.done[key(name, b, f, s)] for s in range(1, seeds + 1)]
                hb = sum(num(r, "honest_blocks") for r in got)
                hc = sum(num(r, "honest_committed") for r in got)
                mpc, mpch = mean_ci([num(r, "messages_per_commit") for r in got])
                lat, lath = mean_ci([num(r, "latency_mean") for r in got])
                rows.append({"setting": name, "f": f, "behaviour": b, "seeds": seeds,
                             "violations": int(sum(num(r, "safety_violations") for r in got)),
                             "honest_committed_fraction": hc / hb if hb else 1.0,
                             "messages_per_commit": mpc, "messages_per_commit_ci": mpch,
                             "latency_mean": lat, "latency_ci": lath,
                             "convicted_honest": int(sum(num(r, "convicted_honest")
                                                         for r in got))})
            sel = [r for r in rows if r["setting"] == name and r["f"] == f]
            bad = ["%s %d" % (r["behaviour"], r["violations"]) for r in sel if r["violations"]]
            slow = ["%s %.3f" % (r["behaviour"], r["honest_committed_fraction"])
                    for r in sel if r["honest_committed_fraction"] < 0.99]
            print("  %-7s f = %.2f: violations: %s; under 99 %% committed: %s; worst "
                  "%.1f msgs/commit" % (name, f, ", ".join(bad) or "none",
                                        ", ".join(slow) or "none",
                                        max(r["messages_per_commit"] for r in sel)))
    write_csv(os.path.join(out, "holds.csv"), rows)


# ---- forged certificates ------------------------------------------------------

def forge(ecsim, runs, jobs, out, quick):
    """forge-cert at small shares: votes are not signed."""
    seeds = 2 if quick else 5
    fs = [0.005, 0.01, 0.02, 0.05, 0.10, 0.20]
    todo = []
    for d in ARMS:
        for f in fs:
            for s in range(1, seeds + 1):
                todo.append(("forge|%s|f%.3f|s%d" % (d, f, s),
                             BASE + ["--nodes", "500" if quick else "2000"] + ROUNDS +
                             DEFENCES[d] + ["--behaviour", "forge-cert", "--byzantine",
                                            "%.3f" % f, "--seed", str(s),
                                            "--safety-report", os.devnull]))
    execute(ecsim, runs, jobs, todo, "forge")
    rows = []
    for d in ARMS:
        for f in fs:
            got = [runs.done["forge|%s|f%.3f|s%d" % (d, f, s)] for s in range(1, seeds + 1)]
            ds = sum(num(r, "double_spends") for r in got)
            fam = sum(num(r, "conflict_families") for r in got)
            rows.append({"defences": d, "f": f, "seeds": seeds, "double_spends": int(ds),
                         "families": int(fam), "per_family": ds / fam if fam else 0.0,
                         "invalid_commits": int(sum(num(r, "invalid_commits") for r in got))})
            print("  defences %-7s f = %.3f: %d double spends in %d families, %d invalid "
                  "commits (%d seeds)" % (d, f, ds, fam, rows[-1]["invalid_commits"], seeds))
    write_csv(os.path.join(out, "forge.csv"), rows)


# ---- isolation dynamics -------------------------------------------------

def isolation(ecsim, runs, jobs, out, quick):
    """f = 20 %, 2,000 rounds with churn: does anything isolate the liars?
    The per-100-round rows of the event CSV give the series."""
    seeds = 1 if quick else int(os.environ.get("BYZ_ISO_SEEDS", "3"))
    nodes = "500" if quick else "2000"
    rounds = "600" if quick else "2000"
    kinds = {"always": ["--behaviour", "equivocate"],
             "sleeper": ["--behaviour", "sleeper,equivocate", "--attack-start",
                         "200" if quick else "500"],
             "camouflage": ["--behaviour", "camouflage"]}
    todo = []
    for kind in kinds:  # the witness arm's series, from when it was "default"
        for s in range(1, seeds + 1):
            old = os.path.join(out, "isolation_%s_default_s%d.events.csv" % (kind, s))
            if os.path.exists(old):
                os.rename(old, os.path.join(out, "isolation_%s_witness_s%d.events.csv" %
                                            (kind, s)))
    for kind, bargs in kinds.items():
        for d in ISOLATION_ARMS:
            for s in range(1, seeds + 1):
                key = "isolation|%s|%s|s%d" % (kind, d, s)
                csvp = os.path.join(out, "isolation_%s_%s_s%d.events.csv" % (kind, d, s))
                args = ["--protocol", "ec", "--topology", "small-world", "--degree", "64",
                        "--tokens-per-node", "1", "--block-size", "1,3",
                        "--tx-rate-per-node", "0.005", "--conflict-rate", "0.3",
                        "--quiet", "--json", "--nodes", nodes, "--rounds", rounds,
                        "--warmup", "100", "--drain", "60", "--churn", "0.02",
                        "--rejoin-after", "20", "--byzantine", "0.2", "--seed", str(s),
                        "--safety-report", os.devnull, "--csv-events", csvp] + bargs + DEFENCES[d]
                todo.append((key, args))
    execute(ecsim, runs, jobs, todo, "isolation")
    rows = []
    for kind in kinds:
        for d in ISOLATION_ARMS:
            for s in range(1, seeds + 1):
                csvp = os.path.join(out, "isolation_%s_%s_s%d.events.csv" % (kind, d, s))
                with open(csvp, newline="") as f:
                    for r in csv.DictReader(f):
                        if r["event"] != "byzantine":
                            continue
                        votes, byz = int(r["queue"]), int(r["delivered"])
                        if votes == 0:
                            continue  # the warm-up: no vote counted yet
                        rows.append({"kind": kind, "defences": d, "seed": s,
                                     "round": int(r["round"]) + 1,
                                     "vote_share": byz / votes if votes else 0.0,
                                     "honest_isolated": int(r["lost"]),
                                     "peer_share": float(r["arg"])})
    write_csv(os.path.join(out, "isolation.csv"), rows)
    for kind in kinds:
        for d in ISOLATION_ARMS:
            sel = [r for r in rows if r["kind"] == kind and r["defences"] == d]
            if not sel:
                continue
            last = max(r["round"] for r in sel)
            first = min(r["round"] for r in sel)
            def at(rd):
                v = [r["vote_share"] for r in sel if r["round"] == rd]
                return sum(v) / len(v)
            print("  %-10s defences %-7s: Byzantine vote share %.3f at round %d, %.3f at round "
                  "%d; honest isolated max %d; peer share at the end %.3f" %
                  (kind, d, at(first), first, at(last), last,
                   max(r["honest_isolated"] for r in sel),
                   sum(r["peer_share"] for r in sel if r["round"] == last) /
                   len([r for r in sel if r["round"] == last])))
    dat = os.path.join(out, "isolation.dat")
    with open(dat, "w") as f:
        for kind in kinds:
            for d in ISOLATION_ARMS:
                f.write("# %s %s\n" % (kind, d))
                for rd in sorted({r["round"] for r in rows}):
                    v = [r["vote_share"] for r in rows
                         if r["kind"] == kind and r["defences"] == d and r["round"] == rd]
                    if v:
                        f.write("%d %g\n" % (rd, sum(v) / len(v)))
                f.write("\n\n")
    names = ["%s, defences %s" % (k, d) for k in kinds for d in ISOLATION_ARMS]
    for term, ext in [("pngcairo size 1000,600", "png"), ("svg size 1000,600", "svg")]:
        plots = ", ".join("'%s' index %d using 1:2 with linespoints title '%s'" % (dat, i, n)
                          for i, n in enumerate(names))
        gnuplot("""
set terminal %s
set output '%s'
set title 'Share of counted votes cast by Byzantine nodes, f = 20 %%, churn 2 %% per 100 rounds'
set xlabel 'round'
set ylabel 'Byzantine share of counted votes (per 100 rounds)'
set yrange [0:0.5]
set grid
plot %s, 0.2 with lines dt 2 lc black title 'f'
""" % (term, os.path.join(out, "isolation.%s" % ext), plots))


# ---- eclipse ----------------------------------------------------------------

ECLIPSE_FIELDS = FIELDS + ["honest_eclipsed", "view_exact_fraction", "join_rounds_p50",
                           "join_rounds_p95", "join_rounds_unfinished", "join_rounds_count",
                           "peer_messages_per_node_per_round", "uncommitted_fraction"]
# the open-network defences (docs/byzantine.md "Eclipse"); "base": the
# liars never start, the natural share of Byzantine windows
ECLIPSE_ARMS = {"base": ["--defences", "off", "--attack-start", "1000000"],
                "off": ["--defences", "off"],
                "floor": ["--defences", "floor"],
                "quota": ["--defences", "quota"],
                "floor+quota": ["--defences", "floor+quota"]}


def eclipse(ecsim, runs, jobs, out, quick):
    """Eclipse liars in a growing network: isolated and eclipsed honest
    nodes, views, joins, with each open-network defence."""
    seeds = 1 if quick else 3
    nodes, start = ("500", "50") if quick else ("2000", "200")
    fs = [0.1, 0.2, 0.3]
    behaviours = {"eclipse": list(ECLIPSE_ARMS), "eclipse,accomplice": ["off", "floor+quota"]}
    todo = []

    def key(b, d, f, s):
        return "eclipse|%s|%s|f%.2f|s%d" % (b, d, f, s)
    for b, arms in behaviours.items():
        for d in arms:
            for f in fs:
                for s in range(1, seeds + 1):
                    args = BASE + ["--nodes", nodes, "--start-nodes", start, "--join-rate",
                                   "10", "--rounds", "400", "--warmup", "50", "--drain", "40",
                                   "--censor-after", "100", "--seed", str(s),
                                   "--byzantine", "%.2f" % f, "--behaviour", b,
                                   "--safety-report", os.devnull] + ECLIPSE_ARMS[d]
                    todo.append((key(b, d, f, s), args))
    execute(ecsim, runs, jobs, todo, "eclipse")
    rows = []
    for b, arms in behaviours.items():
        for d in arms:
            for f in fs:
                got = [runs.done[key(b, d, f, s)] for s in range(1, seeds + 1)]
                row = {"behaviour": b, "defences": d, "f": f, "seeds": seeds}
                for k in ["honest_isolated", "honest_eclipsed", "byzantine_peer_share",
                          "view_exact_fraction", "join_rounds_p95", "join_rounds_unfinished",
                          "censored_blocks", "honest_committed_fraction", "safety_violations",
                          "peer_messages_per_node_per_round"]:
                    row[k], row[k + "_ci"] = mean_ci([num(r, k) for r in got])
                rows.append(row)
                print("  %-18s %-11s f = %.2f: isolated %.1f, eclipsed %.1f, peer share %.3f, "
                      "views exact %.4f, joins unfinished %.1f (p95 %.0f), censored %.1f, "
                      "violations %.1f, lifecycle %.2f msgs/node/round" %
                      (b, d, f, row["honest_isolated"], row["honest_eclipsed"],
                       row["byzantine_peer_share"], row["view_exact_fraction"],
                       row["join_rounds_unfinished"], row["join_rounds_p95"],
                       row["censored_blocks"], row["safety_violations"],
                       row["peer_messages_per_node_per_round"]))
    write_csv(os.path.join(out, "eclipse.csv"), rows)


# ---- scale ----------------------------------------------------------------

def scale(ecsim, runs, jobs, out, quick):
    """The f at which safety first fails (equivocators) at 10k, 100k (and
    1M with --big) nodes, without and with the default defences."""
    sizes = [(2000, 2)] if quick else [(10000, 3), (100000, 2)]
    if os.environ.get("BYZ_BIG"):
        sizes.append((1000000, 1))
    fs = [0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35]
    todo = []
    def arms_at(n):  # every defence at 10k; at larger sizes with BYZ_FULL=1
        return ARMS if n <= 10000 or os.environ.get("BYZ_FULL") else ["off", "witness"]
    for n, seeds in sizes:
        for d in arms_at(n):
            for f in fs:
                for s in range(1, seeds + 1):
                    key = "scale|n%d|%s|f%.2f|s%d" % (n, d, f, s)
                    args = BASE + ["--nodes", str(n), "--rounds", "200", "--warmup", "40",
                                   "--drain", "40", "--censor-after", "100", "--seed", str(s),
                                   "--byzantine", "%.2f" % f, "--behaviour", "equivocate",
                                   "--safety-report", os.devnull] + DEFENCES[d]
                    todo.append((key, args))
    execute(ecsim, runs, 1 if sizes[-1][0] >= 1000000 else jobs, todo, "scale")
    rows = []
    for n, seeds in sizes:
        for d in arms_at(n):
            first = None
            for f in fs:
                got = [runs.done["scale|n%d|%s|f%.2f|s%d" % (n, d, f, s)]
                       for s in range(1, seeds + 1)]
                v = sum(num(r, "safety_violations") for r in got)
                att = sum(num(r, "conflict_families") + num(r, "forged_injected") for r in got)
                rows.append({"nodes": n, "defences": d, "f": f, "seeds": seeds,
                             "violations": v, "attacks": att,
                             "per_attack": v / att if att else 0.0,
                             "honest_committed_fraction":
                                 sum(num(r, "honest_committed_fraction") for r in got) / seeds})
                if v > 0 and first is None:
                    first = f
            print("  %7d nodes, defences %-7s: safety first fails at f = %s" %
                  (n, d, "none up to 0.35" if first is None else "%.2f" % first))
    write_csv(os.path.join(out, "scale.csv"), rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("experiment",
                    choices=["curves", "defaults", "targeted", "forge", "isolation", "scale",
                             "holds", "eclipse"])
    ap.add_argument("--out", default=os.path.join(ROOT, "bench-byzantine"))
    ap.add_argument("--build", default="build")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--quick", action="store_true",
                    help="500 nodes, window 4 only, 2 seeds: a smoke run in minutes")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    quick = "-quick" if a.quick else ""
    if a.experiment == "eclipse":  # open-network figures: a file of its own
        runs = Runs(os.path.join(a.out, "runs-eclipse%s.csv" % quick), ECLIPSE_FIELDS)
    else:
        runs = Runs(os.path.join(a.out, "runs%s.csv" % quick))
    ecsim = ecsim_path(a.build)
    {"curves": curves, "defaults": defaults, "targeted": targeted, "forge": forge,
     "isolation": isolation, "scale": scale, "holds": holds,
     "eclipse": eclipse}[a.experiment](ecsim, runs, a.jobs, a.out, a.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
