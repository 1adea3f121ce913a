"""Claim matching: normalisation, an incremental inverted index, scoring and guards.

No Discord and no database imports here; the bot and the storage layer feed it `Claim` objects.
"""

from bot.matching.engine import (
    DEFAULT_THRESHOLDS,
    CheckResult,
    Decision,
    Match,
    Matcher,
    Thresholds,
)

__all__ = ["DEFAULT_THRESHOLDS", "CheckResult", "Decision", "Match", "Matcher", "Thresholds"]
