"""`claimbot check --json` over stdin: time per statement after start-up (target at 100k claims: <= 5 ms).

Builds an SQLite store of N claims with `claimbot import` (the CheckThat! 2020 claims plus numbered variants,
as `bench.import_speed` makes them), then pipes the CheckThat! dev tweets through one `claimbot check --json`
process and times the answers as they arrive. Start-up (migrations, loading the index) is reported apart.

    .venv/bin/python -m bench.cli_check [--claims 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import load_checkthat
from bench.import_speed import claims_file

IMPORT_CHUNK = 25_000  # claims per file, under the 20 MB import limit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="passes over the 197 dev tweets")
    args = parser.parse_args()
    statements = [" ".join(text.split()) for text in load_checkthat("dev").queries.values()] * args.repeat
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "claims.json"
        claims_file(args.claims, source)
        # in files under the import size limit
        claims = json.loads(source.read_text(encoding="utf-8"))["claims"]
        parts = []
        for start in range(0, len(claims), IMPORT_CHUNK):
            part = Path(tmp) / f"claims-{start}.json"
            part.write_text(
                json.dumps({"format": "claims/v1", "claims": claims[start : start + IMPORT_CHUNK]})
            )
            parts.append(part)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}",
            "SEED_CLAIMS": "true",
            "LOG_LEVEL": "WARNING",
        }
        started = time.perf_counter()
        for part in parts:
            command = [sys.executable, "-m", "bot", "import", str(part)]
            subprocess.run(command, env=env, check=True, capture_output=True)
        print(f"store of {args.claims:,} claims (+14 seed) imported in {time.perf_counter() - started:.1f} s")

        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "check", "--json"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert process.stdin and process.stdout
        launched = time.perf_counter()
        process.stdin.write(statements[0] + "\n")
        process.stdin.flush()
        process.stdout.readline()
        ready = time.perf_counter()
        for statement in statements[1:]:  # one at a time: each answer is read before the next is sent
            process.stdin.write(statement + "\n")
            process.stdin.flush()
            process.stdout.readline()
        done = time.perf_counter()
        process.stdin.close()
        process.wait(timeout=60)
    per_statement = (done - ready) * 1000 / (len(statements) - 1)
    print(f"start-up (migrate, load index, first answer): {ready - launched:.1f} s")
    print(f"{len(statements) - 1} statements, one at a time: {per_statement:.2f} ms each (target <= 5 ms)")


if __name__ == "__main__":
    main()
