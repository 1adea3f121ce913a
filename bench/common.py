"""Shared loaders for the benchmarks: seed claims and the CheckThat! 2020 Task 2 English data."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.claims import Claim, Stance, Statement, Status

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "db" / "seed" / "claims.json"
CHECKTHAT = Path("/work/shared/bench/checkthat2020-task2-en")

csv.field_size_limit(10_000_000)


def load_seed_claims(path: Path = SEED) -> list[Claim]:
    """The bundled seed claims as domain objects (a minimal reader; the real importer lives elsewhere)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    claims = []
    for raw in data["claims"]:
        statements = tuple(
            Statement(
                party=s["party"],
                stance=Stance(s["stance"]),
                stated_on=date.fromisoformat(s["stated_on"]) if s.get("stated_on") else None,
                quote=s.get("quote"),
            )
            for s in raw.get("statements", ())
        )
        claims.append(
            Claim(
                id=raw["id"],
                text=raw["text"],
                status=Status(raw["status"]),
                note=raw.get("note"),
                aliases=tuple(raw.get("aliases") or ()),
                statements=statements,
            )
        )
    return claims


@dataclass(frozen=True)
class CheckThatSplit:
    claims: dict[str, str]  # vclaim id -> "vclaim title"
    queries: dict[str, str]  # tweet id -> text
    gold: dict[str, set[str]]  # tweet id -> relevant vclaim ids (queries without gold are left out)


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f, delimiter="\t"))


def load_checkthat(split: str, root: Path = CHECKTHAT) -> CheckThatSplit:
    claims = {row[0]: f"{row[1]} {row[2]}" for row in _rows(root / "verified_claims.docs.tsv")[1:]}
    queries = {row[0]: row[1] for row in _rows(root / split / "tweets.queries.tsv")[1:]}
    gold: dict[str, set[str]] = {}
    for line in (root / split / "tweet-vclaim-pairs.qrels").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 3:
            gold.setdefault(parts[0], set()).add(parts[2])  # a set: the test qrels repeat one pair
    return CheckThatSplit(claims, {q: t for q, t in queries.items() if q in gold}, gold)
