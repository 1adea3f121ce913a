"""The domain: sourced claims and their statements, independent of storage and of Discord."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

CLAIM_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MAX_TEXT = 1000
MAX_NOTE = 1000
MAX_PARTY = 200
MAX_QUOTE = 500
MAX_ALIAS = 1000
MAX_SOURCE_TITLE = 300
MAX_PUBLISHER = 200
MAX_URL = 2000


class Status(StrEnum):
    ALLEGED = "alleged"
    DENIED = "denied"
    UNEVIDENCED = "unevidenced"

    @property
    def meaning(self) -> str:
        return STATUS_MEANINGS[self]


STATUS_MEANINGS = {
    Status.ALLEGED: "A named party asserts it; not independently confirmed.",
    Status.DENIED: "The party concerned denies it.",
    Status.UNEVIDENCED: "Asserted or repeated, but no evidence has been offered.",
}


class Stance(StrEnum):
    ALLEGES = "alleges"
    DENIES = "denies"


@dataclass(frozen=True, slots=True)
class Statement:
    """One attribution: who alleged or denied the claim, when, in what words, reported where."""

    party: str
    stance: Stance
    stated_on: date | None = None
    quote: str | None = None
    source_url: str | None = None
    source_title: str | None = None
    publisher: str | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """A sourced claim. `guild_id` None means every server sees it."""

    id: str
    text: str
    status: Status
    guild_id: int | None = None
    note: str | None = None
    aliases: tuple[str, ...] = ()
    statements: tuple[Statement, ...] = field(default=())
    archived: bool = False
