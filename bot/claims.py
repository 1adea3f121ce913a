"""The domain: sourced claims and their statements, independent of storage and of Discord."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from urllib.parse import urlsplit

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


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")  # and lone surrogates


def problems(claim: Claim) -> list[str]:
    """Every way the claim breaks the data model, as `field: problem` lines; empty when valid."""
    found: list[str] = []

    def text_field(name: str, value: str | None, limit: int, *, required: bool = False) -> None:
        if value is None:
            if required:
                found.append(f"{name}: is required")
            return
        if not isinstance(value, str):
            found.append(f"{name}: must be a string")
        elif required and not value.strip():
            found.append(f"{name}: must not be empty")
        elif len(value) > limit:
            found.append(f"{name}: is {len(value)} characters, at most {limit} allowed")
        elif _CONTROL.search(value):
            found.append(f"{name}: contains control characters")

    if not isinstance(claim.id, str) or not CLAIM_ID_PATTERN.match(claim.id):
        found.append(f"id: {claim.id!r} is not a slug (lowercase letters, digits, '.', '_', '-'; at most 64)")
    text_field("text", claim.text, MAX_TEXT, required=True)
    if claim.status not in set(Status):
        found.append(f"status: {claim.status!r} is not one of {', '.join(Status)}")
    text_field("note", claim.note, MAX_NOTE)
    for i, alias in enumerate(claim.aliases):
        text_field(f"aliases[{i}]", alias, MAX_ALIAS, required=True)
    for i, statement in enumerate(claim.statements):
        prefix = f"statements[{i}]"
        text_field(f"{prefix}.party", statement.party, MAX_PARTY, required=True)
        if statement.stance not in set(Stance):
            found.append(f"{prefix}.stance: {statement.stance!r} is not one of {', '.join(Stance)}")
        text_field(f"{prefix}.quote", statement.quote, MAX_QUOTE)
        text_field(f"{prefix}.source_title", statement.source_title, MAX_SOURCE_TITLE)
        text_field(f"{prefix}.publisher", statement.publisher, MAX_PUBLISHER)
        if statement.source_url is not None and not is_web_url(statement.source_url):
            found.append(f"{prefix}.source_url: {statement.source_url[:80]!r} is not an http(s) URL")
    return found


def is_web_url(value: str) -> bool:
    try:
        parsed = urlsplit(value)
        host = parsed.hostname
    except ValueError:
        return False
    return (
        parsed.scheme in {"http", "https"}
        and bool(host)
        and len(value) <= MAX_URL
        and not any(c.isspace() for c in value)
        and not _CONTROL.search(value)
    )
