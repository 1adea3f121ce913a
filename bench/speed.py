"""Speed and memory of the Matcher at growing collection sizes, next to the naive rapidfuzz baseline.

    python -m bench.speed [--sizes 1000,10000,100000,1000000] [--queries 400] [--naive-queries 20]

Claims: the 10,375 CheckThat 2020 claims, then deterministic made-up claims that splice the first
half of one real claim onto the second half of another and change a figure (so vocabulary and
lengths stay realistic). Queries: CheckThat dev and test tweets whole ("tweet"), and train tweets
cut to their first sentence ("short", closer to a chat message). Each size runs in a fresh process so
its RSS is its own. Prints build time, per-query p50/p99 of `check()`, RSS, and the naive
`process.extractOne(query, texts, scorer=fuzz.token_set_ratio)` time on a subset of queries.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time

import psutil

from bench.common import load_checkthat
from bot.claims import Claim, Status
from bot.matching import Matcher

TARGETS_100K = {"speed-up": 100.0, "p50 ms": 1.0, "p99 ms": 5.0, "build s": 10.0, "rss MB": 500.0}
_FIRST_SENTENCE = re.compile(r"^(.{20,}?[.!?])\s")


def make_claims(size: int) -> list[str]:
    real = list(load_checkthat("test").claims.values())
    texts = real[:size]
    rng = random.Random(20201)  # deterministic
    while len(texts) < size:
        a = rng.choice(real).split()
        b = rng.choice(real).split()
        spliced = a[: len(a) // 2] + b[len(b) // 2 :]
        spliced.insert(rng.randrange(len(spliced) + 1), f"{rng.randrange(2, 100_000):,}")
        texts.append(" ".join(spliced))
    return texts


def make_queries(count: int) -> dict[str, list[str]]:
    """Whole tweets, and first sentences of other tweets: the claims one kind retrieves must not be
    cached for the other, or the second kind measured would look faster than it is."""
    tweets = list(load_checkthat("test").queries.values()) + list(load_checkthat("dev").queries.values())
    short = []
    for tweet in list(load_checkthat("train").queries.values())[:count]:
        found = _FIRST_SENTENCE.match(tweet)
        short.append(found.group(1) if found else " ".join(tweet.split()[:20]))
    return {"tweet": tweets[:count], "short": short}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_one(size: int, n_queries: int, n_naive: int) -> dict:
    from rapidfuzz import fuzz, process

    process_info = psutil.Process()
    texts = make_claims(size)
    queries = make_queries(n_queries)
    rss_before = process_info.memory_info().rss
    claims = [Claim(id=f"c{i}", text=text[:1000], status=Status.UNEVIDENCED) for i, text in enumerate(texts)]
    matcher = Matcher()
    start, start_cpu = time.perf_counter(), time.process_time()
    for claim in claims:
        matcher.add(claim)
    matcher.check("warm up the index")  # the first query folds the last additions into the base
    build, build_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    # As the bot does once its index is loaded (bot/client.py): collections then skip the index's
    # millions of long-lived objects instead of rescanning them while messages are matched.
    gc.collect()
    gc.freeze()
    rss = process_info.memory_info().rss
    result: dict = {"size": size, "build s": build, "build cpu s": build_cpu, "rss MB": rss / 2**20}
    result["index MB"] = (rss - rss_before) / 2**20
    for kind, items in queries.items():
        times, cpu = [], []
        for text in items:  # each query once: its words and candidates are not cached yet
            t0, c0 = time.perf_counter(), time.thread_time()
            matcher.check(text)
            cpu.append((time.thread_time() - c0) * 1000)
            times.append((time.perf_counter() - t0) * 1000)
        result[f"{kind} p50 ms"] = percentile(times, 0.5)
        result[f"{kind} p99 ms"] = percentile(times, 0.99)
        result[f"{kind} mean ms"] = statistics.mean(times)
        result[f"{kind} cpu p50 ms"] = percentile(cpu, 0.5)
        result[f"{kind} cpu p99 ms"] = percentile(cpu, 0.99)
        naive = []
        for text in items[:n_naive]:
            t0 = time.perf_counter()
            process.extractOne(text, texts, scorer=fuzz.token_set_ratio)
            naive.append((time.perf_counter() - t0) * 1000)
        result[f"{kind} naive ms"] = statistics.mean(naive)
        result[f"{kind} speed-up"] = statistics.mean(naive) / result[f"{kind} mean ms"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--naive-queries", type=int, default=20, help="queries timed for the naive baseline")
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child, args.queries, args.naive_queries)))
        return

    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        naive = args.naive_queries if size <= 100_000 else max(3, args.naive_queries // 4)
        command = [sys.executable, "-m", "bench.speed", "--child", str(size), "--queries", str(args.queries)]
        command += ["--naive-queries", str(naive)]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(output.strip().splitlines()[-1]))
        print(f"measured {size:>9,} claims", file=sys.stderr, flush=True)

    columns = ["size", "build s", "build cpu s", "rss MB", "short p50 ms", "short p99 ms", "short cpu p50 ms",
               "short cpu p99 ms", "tweet p50 ms", "tweet p99 ms", "tweet cpu p50 ms", "tweet cpu p99 ms",
               "short naive ms", "short speed-up", "tweet speed-up"]
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (other work slows wall times)")
    for column in columns:
        cells = [f"{row[column]:,.2f}" if isinstance(row[column], float) else f"{row[column]:,}"
                 for row in rows]
        print(f"{column:>17} | " + " | ".join(f"{c:>12}" for c in cells))
    for row in rows:
        if row["size"] == 100_000:
            print("\ntargets at 100k claims:")
            checks = [
                ("speed-up vs naive (short)", row["short speed-up"], ">=", TARGETS_100K["speed-up"]),
                ("p50 ms (short)", row["short p50 ms"], "<=", TARGETS_100K["p50 ms"]),
                ("p99 ms (short)", row["short p99 ms"], "<=", TARGETS_100K["p99 ms"]),
                ("p50 ms (tweet)", row["tweet p50 ms"], "<=", TARGETS_100K["p50 ms"]),
                ("p99 ms (tweet)", row["tweet p99 ms"], "<=", TARGETS_100K["p99 ms"]),
                ("build s", row["build s"], "<=", TARGETS_100K["build s"]),
                ("build cpu s", row["build cpu s"], "<=", TARGETS_100K["build s"]),
                ("rss MB", row["rss MB"], "<=", TARGETS_100K["rss MB"]),
            ]
            for name, value, op, target in checks:
                ok = value >= target if op == ">=" else value <= target
                print(f"  {name:28} {value:10.2f}  target {op} {target:<8} {'PASS' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()
