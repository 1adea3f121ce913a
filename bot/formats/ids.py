"""Stable claim ids derived from claim text, for sources that carry no usable id."""

from __future__ import annotations

import hashlib
import re
import unicodedata

SLUG_LENGTH = 50
HASH_LENGTH = 8

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def normalise_claim_text(text: str) -> str:
    """Case, Unicode form and spacing do not make a different claim."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def derive_claim_id(text: str) -> str:
    """A readable, stable id: a slug of the text (at most 50 chars) and a short hash of the normalised text.

    The same text, up to case and spacing, always gives the same id; the hash keeps two claims that
    share their first 50 characters apart. Text with no Latin letters or digits gets the hash alone.
    """
    normalised = normalise_claim_text(text)
    digest = hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:HASH_LENGTH]
    ascii_text = unicodedata.normalize("NFKD", normalised).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text).strip("-")[:SLUG_LENGTH].rstrip("-")
    return f"{slug}-{digest}" if slug else digest
