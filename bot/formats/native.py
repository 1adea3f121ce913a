"""The native `claims/v1` JSON format, the shape of the bundled seed file."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from bot.claims import STATUS_MEANINGS, Claim, Statement
from bot.formats.errors import FormatError, Problems
from bot.formats.fields import (
    ClaimModel,
    IsoDate,
    Note,
    Publisher,
    SourceTitle,
    StrictModel,
    WebUrl,
    kind,
    show,
    validate_model,
)

log = logging.getLogger(__name__)

FORMAT_NAME = "claims/v1"


class SourceModel(StrictModel):
    """A top-level source: fills in the source fields of every statement that lacks its own."""

    publisher: Publisher = None
    title: SourceTitle = None
    url: WebUrl = None
    published_on: IsoDate = None
    note: Note = None


class DocumentModel(StrictModel):
    """The top level without `claims`, which is checked claim by claim for precise messages."""

    format: str
    description: str | None = None
    statuses: dict[str, str] | None = None
    source: SourceModel | None = None


def claim_label(number: int, raw: Any) -> str:
    """`claim 3 (id 'x')`: 1-based position, plus the id when the raw claim has a string one."""
    raw_id = raw.get("id") if isinstance(raw, dict) else None
    return f"claim {number} (id {show(raw_id)})" if isinstance(raw_id, str) else f"claim {number}"


def parse_native(document: Any) -> list[Claim]:
    if not isinstance(document, dict):
        raise FormatError(f"expected a claims/v1 object at the top level, got {kind(document)}")
    declared = document.get("format")
    if declared != FORMAT_NAME:
        what = "is missing" if declared is None else f"is {show(declared)}"
        raise FormatError(f"format {what}; this importer reads {FORMAT_NAME!r}")
    raw_claims = document.get("claims")
    if not isinstance(raw_claims, list):
        got = "is missing" if "claims" not in document else f"expected a list, got {kind(raw_claims)}"
        raise FormatError(f"claims: {got}")

    problems = Problems()
    top_level = {key: value for key, value in document.items() if key != "claims"}
    header = validate_model(DocumentModel, top_level, "file", problems)
    source = header.source if header else None

    claims: list[Claim] = []
    first_seen: dict[str, int] = {}
    for number, raw in enumerate(raw_claims, start=1):
        where = claim_label(number, raw)
        if not isinstance(raw, dict):
            problems.add(f"{where}: expected an object, got {kind(raw)}")
            continue
        model = validate_model(ClaimModel, raw, where, problems)
        if model is None:
            continue
        if model.id in first_seen:
            problems.add(f"{where}: id: {model.id!r} is already used by claim {first_seen[model.id]}")
            continue
        first_seen[model.id] = number
        statements = [_with_source(statement.to_domain(), source) for statement in model.statements]
        claims.append(_to_claim(model, statements))
    problems.raise_if_any()
    log.debug("parsed %d claims/v1 claims", len(claims))
    return claims


def _with_source(statement: Statement, source: SourceModel | None) -> Statement:
    if source is None:
        return statement
    return Statement(
        party=statement.party,
        stance=statement.stance,
        stated_on=statement.stated_on,
        quote=statement.quote,
        source_url=statement.source_url or source.url,
        source_title=statement.source_title or source.title,
        publisher=statement.publisher or source.publisher,
    )


def _to_claim(model: ClaimModel, statements: list[Statement]) -> Claim:
    return Claim(
        id=model.id,
        text=model.text,
        status=model.status,
        guild_id=model.guild_id,
        note=model.note,
        aliases=tuple(model.aliases),
        statements=tuple(statements),
        archived=model.archived,
    )


def statement_to_json(statement: Statement) -> dict[str, Any]:
    """Party and stance always; the optional fields only when set."""
    data: dict[str, Any] = {"party": statement.party, "stance": str(statement.stance)}
    optional = {
        "stated_on": statement.stated_on.isoformat() if statement.stated_on else None,
        "quote": statement.quote,
        "source_url": statement.source_url,
        "source_title": statement.source_title,
        "publisher": statement.publisher,
    }
    data.update({key: value for key, value in optional.items() if value is not None})
    return data


def claim_to_json(claim: Claim) -> dict[str, Any]:
    data: dict[str, Any] = {"id": claim.id, "text": claim.text, "status": str(claim.status)}
    if claim.guild_id is not None:
        data["guild_id"] = claim.guild_id
    data["aliases"] = list(claim.aliases)
    if claim.note is not None:
        data["note"] = claim.note
    data["statements"] = [statement_to_json(statement) for statement in claim.statements]
    if claim.archived:
        data["archived"] = True
    return data


def dump_native(claims: Iterable[Claim]) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "statuses": {str(status): meaning for status, meaning in STATUS_MEANINGS.items()},
        "claims": [claim_to_json(claim) for claim in claims],
    }
