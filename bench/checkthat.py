"""CheckThat! 2020 Task 2 (English): rank 10,375 Snopes claims for each tweet with the real Matcher.

    python bench/checkthat.py [--split train|dev|test] [--limit N]

Prints MAP@1, MAP@5, Recall@5 and mean ms/query beside the reference figures of the dataset README.
Tune on train/dev; the test split is for reporting. Averages over queries with gold (199 on test,
the duplicated test qrel counted once).
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.common import load_checkthat
from bot.claims import Claim, Status
from bot.matching import Matcher

REFERENCE = {  # from the dataset README: SQLite FTS5 bm25() and rapidfuzz token_set_ratio
    "test": {"fts5 MAP@5": 0.852, "token_set_ratio MAP@5": 0.658},
    "dev": {"fts5 MAP@5": 0.748, "token_set_ratio MAP@5": 0.559},
}
TARGET_TEST_MAP5 = 0.90


def average_precision(ranked: list[str], relevant: set[str], k: int) -> float:
    hits = 0
    total = 0.0
    for i, doc in enumerate(ranked[:k], start=1):
        if doc in relevant:
            hits += 1
            total += hits / i
    return total / len(relevant)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=["train", "dev", "test"])
    parser.add_argument("--limit", type=int, default=0, help="only the first N queries")
    args = parser.parse_args()

    data = load_checkthat(args.split)
    matcher = Matcher()
    start = time.perf_counter()
    for claim_id, text in data.claims.items():
        matcher.add(Claim(id=claim_id, text=text[:1000], status=Status.UNEVIDENCED))
    build = time.perf_counter() - start
    queries = list(data.queries.items())
    if args.limit:
        queries = queries[: args.limit]
    ap1, ap5, recall5, times = [], [], [], []
    for query_id, text in queries:
        t0 = time.perf_counter()
        ranked = [m.claim_id for m in matcher.match(text, limit=5)]
        times.append((time.perf_counter() - t0) * 1000)
        relevant = data.gold[query_id]
        ap1.append(average_precision(ranked, relevant, 1))
        ap5.append(average_precision(ranked, relevant, 5))
        recall5.append(len(relevant & set(ranked[:5])) / len(relevant))
    print(f"CheckThat 2020 task 2 en, split={args.split}: {len(data.claims)} claims, {len(queries)} queries")
    print(f"index build            {build:8.2f} s")
    print(f"MAP@1                  {statistics.mean(ap1):8.3f}")
    print(f"MAP@5                  {statistics.mean(ap5):8.3f}   target >= {TARGET_TEST_MAP5} on test")
    print(f"Recall@5               {statistics.mean(recall5):8.3f}")
    print(f"ms/query mean / max    {statistics.mean(times):8.2f} / {max(times):.2f}")
    for name, value in REFERENCE.get(args.split, {}).items():
        print(f"reference {name:22} {value:.3f}")


if __name__ == "__main__":
    main()
