"""Claim import and export: native `claims/v1` JSON and schema.org ClaimReview JSON-LD.

Pure functions over bytes and the domain types; the database import and the CLI are built on them.
Parsing never raises anything but `FormatError`, whose message names the claim, the field and the problem.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from bot.claims import Claim, Status
from bot.formats.claimreview import dump_claimreview, looks_like_claimreview, parse_claimreview
from bot.formats.errors import FormatError
from bot.formats.fields import read_json, show
from bot.formats.ids import derive_claim_id
from bot.formats.native import dump_native, parse_native

__all__ = [
    "MAX_INPUT_BYTES",
    "FormatError",
    "FormatName",
    "derive_claim_id",
    "dump_claims",
    "parse_claims",
    "parse_status_map",
]

log = logging.getLogger(__name__)

FormatName = Literal["claims", "claimreview"]
MAX_INPUT_BYTES = 20 * 1024 * 1024


def parse_claims(
    data: bytes,
    *,
    format: FormatName | None = None,
    status_map: Mapping[str, Status] | None = None,
) -> list[Claim]:
    """Parse a whole file into valid claims, or refuse it with a FormatError listing its problems.

    `format` None detects the format: an object with `format` is claims/v1, JSON-LD is ClaimReview.
    `status_map` maps ClaimReview rating names (case-insensitive) to our statuses.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise FormatError(f"expected the file's bytes, got {type(data).__name__}")
    try:
        document = read_json(bytes(data), MAX_INPUT_BYTES)
        return _parse_document(document, format, status_map)
    except FormatError:
        raise
    except ValueError as error:
        raise FormatError(str(error)) from None
    except RecursionError:
        # Nesting that json.loads accepted but was still too deep for validation.
        raise FormatError("the file is nested too deeply to be a claims file") from None


def _parse_document(
    document: Any, format: FormatName | None, status_map: Mapping[str, Status] | None
) -> list[Claim]:
    if format is None:
        if isinstance(document, dict) and ("format" in document or "claims" in document):
            format = "claims"
        elif looks_like_claimreview(document):
            format = "claimreview"
        else:
            raise FormatError("the file is neither a claims/v1 document nor ClaimReview JSON-LD")
    if format == "claims":
        return parse_native(document)
    if format == "claimreview":
        return parse_claimreview(document, status_map)
    raise FormatError(f"unknown format {show(format)}; expected 'claims' or 'claimreview'")


def dump_claims(claims: Iterable[Claim], format: FormatName = "claims") -> bytes:
    """Serialise claims as UTF-8 JSON that `parse_claims` reads back to equal claims."""
    if format == "claims":
        document = dump_native(claims)
    elif format == "claimreview":
        document = dump_claimreview(claims)
    else:
        raise ValueError(f"unknown format {format!r}; expected 'claims' or 'claimreview'")
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def parse_status_map(spec: str) -> dict[str, Status]:
    """Parse `"False=denied,Mostly false=denied"`: comma-separated `rating=status` pairs.

    Rating names are matched case-insensitively, so two entries differing only in case conflict.
    A rating name cannot contain a comma or '='.
    """
    mapping: dict[str, Status] = {}
    seen: dict[str, str] = {}
    problems = []
    for entry in (part.strip() for part in spec.split(",")):
        if not entry:
            continue
        label, equals, value = (piece.strip() for piece in entry.partition("="))
        if not equals or not label:
            problems.append(f"status map: {show(entry)} is not of the form rating=status")
            continue
        try:
            status = Status(value.casefold())
        except ValueError:
            choices = ", ".join(Status)
            problems.append(f"status map: {show(value)} (for {show(label)}) is not one of {choices}")
            continue
        key = label.casefold()
        if key in seen and mapping[seen[key]] is not status:
            problems.append(f"status map: {show(label)} is mapped twice, to different statuses")
            continue
        seen.setdefault(key, label)
        mapping[seen[key]] = status
    if problems:
        raise FormatError(problems)
    return mapping
