"""Time `claimbot import` of 10,000 claims into a new SQLite file (target: under 30 s).

Claims are the CheckThat! 2020 verified claims, each with one statement. Run:
    .venv/bin/python -m bench.import_speed [--count 10000]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLAIMS_TSV = ROOT.parent / "shared" / "bench" / "checkthat2020-task2-en" / "verified_claims.docs.tsv"


def claims_file(count: int, path: Path) -> None:
    claims = []
    with CLAIMS_TSV.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t")
        next(rows)
        for vclaim_id, vclaim, _title in rows:
            text = " ".join(vclaim.split())[:1000]
            if not text:
                continue
            claims.append(
                {
                    "id": f"snopes-{vclaim_id}",
                    "text": text,
                    "status": "unevidenced",
                    "statements": [
                        {"party": "Snopes", "stance": "alleges", "source_url": "https://www.snopes.com/"}
                    ],
                }
            )
    originals = len(claims)
    while len(claims) < count:  # more than the collection holds: numbered variants of the originals
        base = claims[len(claims) % originals]
        n = len(claims)
        claims.append({**base, "id": f"{base['id']}-v{n}", "text": f"{base['text'][:980]} ({n})"})
    path.write_text(json.dumps({"format": "claims/v1", "claims": claims[:count]}), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "claims.json"
        claims_file(args.count, source)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}",
            "SEED_CLAIMS": "false",
            "LOG_LEVEL": "WARNING",
        }
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "bot", "import", str(source)], env=env, capture_output=True, text=True
        )
        elapsed = time.perf_counter() - started
        print(result.stdout.strip() or result.stderr.strip())
        again = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot", "import", str(source)], env=env, capture_output=True, check=True
        )
        unchanged = time.perf_counter() - again
    print(f"import of {args.count} claims into a new SQLite file: {elapsed:.1f} s (target < 30 s)")
    print(f"re-import of the same file (all unchanged):        {unchanged:.1f} s")


if __name__ == "__main__":
    main()
