"""Hostile text through the store on both backends: stored as text, read back unchanged, never executed."""

from __future__ import annotations

import pytest

from bot.claims import Stance, Statement
from bot.errors import InvalidClaim
from bot.store import Store
from tests.conftest import make_claim
from tests.test_hostile_cli import HOSTILE_CLAIM_TEXTS

EXTRA = [
    "Robert'); DROP TABLE claims;-- \\ \\\\ %_ ' \" ` $1 ?",
    "\u202eRTL override\u202c \u200b\u200d\ufeff zero widths, 😀🇷🇺👨‍👩‍👧‍👦, ﷽, 𒐫, Z" + "\u0301" * 50,
    "tab\tand\nnewline\r\nkept",
]


async def test_hostile_texts_round_trip_unchanged(store: Store) -> None:
    texts = HOSTILE_CLAIM_TEXTS + EXTRA
    claims = [
        make_claim(
            f"hostile-{i}", text, note=text, aliases=(text + " (alias)",),
            statements=(Statement(party=text[:200], stance=Stance.DENIES, quote=text[:500]),),
        )
        for i, text in enumerate(texts)
    ]
    summary = await store.service.import_claims(claims, actor="test")
    assert len(summary.created) == len(claims)
    for claim in claims:
        assert await store.service.get(claim.id) == claim
    exported = {c.id: c for c in await store.service.export()}
    assert all(exported[c.id] == c for c in claims)
    # The LIKE-ish and quote characters did nothing to the queries: every claim is still there.
    assert len(await store.service.find(limit=None)) == len(claims)


@pytest.mark.parametrize("bad", ["\x00", "\ud800", "\udfff", "\x1b", "\x7f"])
async def test_unstorable_characters_are_refused_before_the_database(store: Store, bad: str) -> None:
    # PostgreSQL cannot store NUL and neither backend can store lone surrogates: refuse them cleanly.
    with pytest.raises(InvalidClaim, match="control"):
        await store.service.create(make_claim("bad-chars", f"The moon {bad} is cheese."), actor="test")
    with pytest.raises(InvalidClaim, match="control"):
        await store.service.import_claims([make_claim("bad-note", "Fine.", note=f"x{bad}")], actor="t")
    assert await store.service.find(limit=None) == []
