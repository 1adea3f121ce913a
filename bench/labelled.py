"""Score the claim matcher against the hand-labelled message sets in bench/data/.

    python -m bench.labelled [--split NAME] [--show-errors] [--suggest X] [--autoreply Y] [--sweep]

Loads the seed claims into a Matcher, runs `check()` on every labelled line and prints
top-1 accuracy, auto-reply and suggest precision/recall and false auto-replies on negatives,
each beside its target. Tune on the tuning sets (`--split tuning --sweep`); report on a sealed set,
once (bench/data/README.md). Always exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.claims import Claim, Stance, Statement, Status
from bot.matching import Decision, Matcher, Thresholds

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "db" / "seed" / "claims.json"
DATA_DIR = Path(__file__).resolve().parent / "data"

POSITIVE_KINDS = ("paraphrase", "typo", "slang", "number", "long", "question")
NEAR_MISS_KINDS = ("near_miss_number", "near_miss_actor", "near_miss_swap", "negation", "near_miss_other")
UNRELATED_KINDS = ("unrelated", "short")
ALL_KINDS = POSITIVE_KINDS + NEAR_MISS_KINDS + UNRELATED_KINDS

# Which sets engine changes were chosen on, and which only report (bench/data/README.md says why).
TUNING_SPLITS = (
    "dev", "tune", "final", "sealed", "unseen", "probe", "probe2", "probe3", "blind", "fresh", "next",
    "after", "probe4", "later", "untouched", "coda", "epilogue", "finale", "reprise", "curtain", "probe5",
    "encore", "bravo", "ovation", "tableau", "afterword", "postscript", "envoi",
)
REPORTING_SPLITS = ("test", "holdout")

TARGET_TOP1 = 0.97
TARGET_AUTOREPLY_PRECISION = 0.98
TARGET_AUTOREPLY_RECALL = 0.85
TARGET_FALSE_AUTOREPLY_UNRELATED = 0


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    expected: str | None
    kind: str


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    decision: Decision
    top_id: str | None
    top_score: float | None

    @property
    def top_correct(self) -> bool:
        return self.case.expected is not None and self.top_id == self.case.expected

    @property
    def autoreplied(self) -> bool:
        return self.decision == Decision.AUTOREPLY

    @property
    def suggested_or_better(self) -> bool:
        return self.decision in (Decision.AUTOREPLY, Decision.SUGGEST)


def _optional_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def load_claims(path: Path = SEED_PATH) -> list[Claim]:
    """Read a claims/v1 file into domain Claims."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != "claims/v1":
        raise ValueError(f"{path}: expected format claims/v1, got {data.get('format')!r}")
    source = data.get("source") or {}
    claims = []
    for raw in data["claims"]:
        statements = tuple(
            Statement(
                party=s["party"],
                stance=Stance(s["stance"]),
                stated_on=_optional_date(s.get("stated_on")),
                quote=s.get("quote"),
                source_url=s.get("source_url", source.get("url")),
                source_title=s.get("source_title", source.get("title")),
                publisher=s.get("publisher", source.get("publisher")),
            )
            for s in raw.get("statements", [])
        )
        claims.append(
            Claim(
                id=raw["id"],
                text=raw["text"],
                status=Status(raw["status"]),
                note=raw.get("note"),
                aliases=tuple(raw.get("aliases", [])),
                statements=statements,
            )
        )
    return claims


def load_cases(path: Path, claim_ids: set[str]) -> list[Case]:
    """Read a labelled JSONL file, refusing lines whose label or kind is not known."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        raw = json.loads(line)
        case = Case(text=raw["text"], expected=raw["expected"], kind=raw["kind"])
        if case.kind not in ALL_KINDS:
            raise ValueError(f"{path.name}:{number}: unknown kind {case.kind!r}")
        if case.expected is not None and case.expected not in claim_ids:
            raise ValueError(f"{path.name}:{number}: unknown claim id {case.expected!r}")
        if (case.expected is None) != (case.kind not in POSITIVE_KINDS):
            raise ValueError(
                f"{path.name}:{number}: kind {case.kind!r} does not fit expected={case.expected!r}"
            )
        cases.append(case)
    return cases


def run(matcher: Matcher, cases: list[Case], thresholds: Thresholds | None) -> list[Outcome]:
    outcomes = []
    for case in cases:
        result = matcher.check(case.text, guild_id=None, limit=3, thresholds=thresholds)
        top = result.matches[0] if result.matches else None
        outcomes.append(
            Outcome(
                case=case,
                decision=result.decision,
                top_id=top.claim_id if top else None,
                top_score=top.score if top else None,
            )
        )
    return outcomes


@dataclass(frozen=True, slots=True)
class Figures:
    positives: int
    top1_correct: int
    autoreplies: int
    autoreplies_correct: int
    suggests: int  # suggest or autoreply
    suggests_correct: int
    false_autoreplies_by_kind: dict[str, int]
    wrong_claim_autoreplies: int  # on positives, citing another claim

    @property
    def top1(self) -> float | None:
        return _ratio(self.top1_correct, self.positives)

    @property
    def autoreply_precision(self) -> float | None:
        return _ratio(self.autoreplies_correct, self.autoreplies)

    @property
    def autoreply_recall(self) -> float | None:
        return _ratio(self.autoreplies_correct, self.positives)

    @property
    def suggest_precision(self) -> float | None:
        return _ratio(self.suggests_correct, self.suggests)

    @property
    def suggest_recall(self) -> float | None:
        return _ratio(self.suggests_correct, self.positives)

    @property
    def false_autoreplies_unrelated(self) -> int:
        return sum(self.false_autoreplies_by_kind.get(kind, 0) for kind in UNRELATED_KINDS)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def figures(outcomes: list[Outcome]) -> Figures:
    positives = [o for o in outcomes if o.case.expected is not None]
    negatives = [o for o in outcomes if o.case.expected is None]
    false_by_kind: Counter[str] = Counter(o.case.kind for o in negatives if o.autoreplied)
    return Figures(
        positives=len(positives),
        top1_correct=sum(o.top_correct for o in positives),
        autoreplies=sum(o.autoreplied for o in outcomes),
        autoreplies_correct=sum(o.autoreplied and o.top_correct for o in outcomes),
        suggests=sum(o.suggested_or_better for o in outcomes),
        suggests_correct=sum(o.suggested_or_better and o.top_correct for o in outcomes),
        false_autoreplies_by_kind=dict(false_by_kind),
        wrong_claim_autoreplies=sum(o.autoreplied and not o.top_correct for o in positives),
    )


def _fmt(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:.3f}"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_kind_table(outcomes: list[Outcome]) -> None:
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_kind[outcome.case.kind].append(outcome)
    print(f"{'kind':<18}{'lines':>6}{'top1 ok':>9}{'autoreply':>11}{'suggest':>9}{'none':>6}")
    for kind in ALL_KINDS:
        rows = by_kind.get(kind, [])
        if not rows:
            continue
        top1 = str(sum(o.top_correct for o in rows)) if kind in POSITIVE_KINDS else "-"
        decisions = Counter(o.decision for o in rows)
        print(
            f"{kind:<18}{len(rows):>6}{top1:>9}{decisions[Decision.AUTOREPLY]:>11}"
            f"{decisions[Decision.SUGGEST]:>9}{decisions[Decision.NONE]:>6}"
        )
    print(f"{'total':<18}{len(outcomes):>6}")


def print_report(f: Figures) -> None:
    print()
    print(f"{'figure':<40}{'value':>8}  {'target':<10}")
    top1_ok = f.top1 is not None and f.top1 >= TARGET_TOP1
    print(f"{'top-1 accuracy (positives)':<40}{_fmt(f.top1):>8}  >= {TARGET_TOP1:<7}{_verdict(top1_ok)}")
    precision_ok = f.autoreply_precision is not None and f.autoreply_precision >= TARGET_AUTOREPLY_PRECISION
    print(
        f"{'auto-reply precision':<40}{_fmt(f.autoreply_precision):>8}  "
        f">= {TARGET_AUTOREPLY_PRECISION:<7}{_verdict(precision_ok)}"
        f"  ({f.autoreplies_correct}/{f.autoreplies})"
    )
    recall_ok = f.autoreply_recall is not None and f.autoreply_recall >= TARGET_AUTOREPLY_RECALL
    print(
        f"{'auto-reply recall':<40}{_fmt(f.autoreply_recall):>8}  "
        f">= {TARGET_AUTOREPLY_RECALL:<7}{_verdict(recall_ok)}"
        f"  ({f.autoreplies_correct}/{f.positives})"
    )
    unrelated_ok = f.false_autoreplies_unrelated <= TARGET_FALSE_AUTOREPLY_UNRELATED
    print(
        f"{'false auto-replies on unrelated/short':<40}{f.false_autoreplies_unrelated:>8}  "
        f"== {TARGET_FALSE_AUTOREPLY_UNRELATED:<7}{_verdict(unrelated_ok)}"
    )
    print(
        f"{'suggest-or-better precision':<40}{_fmt(f.suggest_precision):>8}  (info)"
        f"     ({f.suggests_correct}/{f.suggests})"
    )
    print(
        f"{'suggest-or-better recall':<40}{_fmt(f.suggest_recall):>8}  (info)"
        f"     ({f.suggests_correct}/{f.positives})"
    )
    print(f"{'wrong-claim auto-replies on positives':<40}{f.wrong_claim_autoreplies:>8}  (info)")
    print("false auto-replies on negatives, by kind:")
    for kind in NEAR_MISS_KINDS + UNRELATED_KINDS:
        print(f"  {kind:<38}{f.false_autoreplies_by_kind.get(kind, 0):>8}")


def _describe(outcome: Outcome) -> str:
    score = "-" if outcome.top_score is None else f"{outcome.top_score:.3f}"
    return (
        f"[{outcome.case.kind}] expected={outcome.case.expected} got={outcome.decision.name} "
        f"top={outcome.top_id}:{score}\n    {outcome.case.text!r}"
    )


def print_errors(outcomes: list[Outcome]) -> None:
    groups = {
        "false auto-replies (negatives)": [o for o in outcomes if o.case.expected is None and o.autoreplied],
        "wrong claim on top (positives)": [o for o in outcomes if o.case.expected and not o.top_correct],
        "missed auto-replies (positives, right claim on top)": [
            o for o in outcomes if o.case.expected and o.top_correct and not o.autoreplied
        ],
        "suggestions on negatives (not counted as errors above)": [
            o for o in outcomes if o.case.expected is None and o.decision == Decision.SUGGEST
        ],
    }
    for title, rows in groups.items():
        print(f"\n== {title}: {len(rows)}")
        for outcome in rows:
            print(_describe(outcome))


def thresholds_from(
    defaults: Thresholds, suggest: float | None, autoreply: float | None
) -> Thresholds | None:
    """None keeps the engine's defaults; a single override keeps the default for the other one."""
    if suggest is None and autoreply is None:
        return None
    return Thresholds(
        suggest=defaults.suggest if suggest is None else suggest,
        autoreply=defaults.autoreply if autoreply is None else autoreply,
    )


def sweep(matcher: Matcher, cases: list[Case], base: Thresholds, outcomes: list[Outcome], steps: int) -> None:
    """Re-run every line at evenly spaced autoreply thresholds spanning the observed top scores."""
    scores = [o.top_score for o in outcomes if o.top_score is not None]
    if not scores:
        print("\nsweep: no scores observed")
        return
    low, high = min(scores), max(scores)
    grid = sorted({round(low + (high - low) * i / (steps - 1), 4) for i in range(steps)} | {base.autoreply})
    print(f"\nsweep over autoreply threshold, default {base.autoreply}; suggest = min(suggest, autoreply)")
    print(f"{'autoreply':>10}{'precision':>11}{'recall':>8}{'false AR neg':>14}{'false AR unrel':>16}")
    for value in grid:
        thresholds = Thresholds(suggest=min(base.suggest, value), autoreply=value)
        f = figures(run(matcher, cases, thresholds))
        false_negatives = sum(f.false_autoreplies_by_kind.values())
        marker = "  <- default" if value == base.autoreply else ""
        print(
            f"{value:>10.4f}{_fmt(f.autoreply_precision):>11}{_fmt(f.autoreply_recall):>8}"
            f"{false_negatives:>14}{f.false_autoreplies_unrelated:>16}{marker}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--split",
        choices=(*TUNING_SPLITS, *REPORTING_SPLITS, "tuning"),
        default="dev",
        help="which labelled set, or 'tuning' for all tuning sets together (default dev; see "
        "bench/data/README.md)",
    )
    parser.add_argument("--show-errors", action="store_true", help="list every line the matcher got wrong")
    parser.add_argument("--suggest", type=float, help="override the suggest threshold")
    parser.add_argument("--autoreply", type=float, help="override the autoreply threshold")
    parser.add_argument(
        "--sweep", action="store_true", help="precision/recall over a grid of autoreply thresholds"
    )
    parser.add_argument("--steps", type=int, default=15, help="grid points for --sweep (default 15)")
    args = parser.parse_args(argv)

    claims = load_claims()
    claim_ids = {c.id for c in claims}
    splits = TUNING_SPLITS if args.split == "tuning" else (args.split,)
    cases = [case for split in splits for case in load_cases(DATA_DIR / f"labelled_{split}.jsonl", claim_ids)]
    matcher = Matcher()
    for claim in claims:
        matcher.add(claim)

    # The thresholds a Matcher applies when check() is given none.
    defaults = matcher.thresholds
    thresholds = thresholds_from(defaults, args.suggest, args.autoreply)
    shown = thresholds or defaults
    print(
        f"split={args.split} lines={len(cases)} claims={len(claims)} "
        f"thresholds: suggest={shown.suggest} autoreply={shown.autoreply}"
        f"{'' if thresholds else ' (engine defaults)'}"
    )
    print()
    outcomes = run(matcher, cases, thresholds)
    print_kind_table(outcomes)
    print_report(figures(outcomes))
    if args.show_errors:
        print_errors(outcomes)
    if args.sweep:
        if args.split in REPORTING_SPLITS:
            print("\nnote: sweeping on a reporting split; tune on the tuning sets, report on the others.")
        sweep(matcher, cases, shown, outcomes, max(args.steps, 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
