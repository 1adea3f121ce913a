"""The claim store on both backends: migrations, seeding, upserts, audit, scope, index sync."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import inspect

from bot.claims import Stance, Statement, Status
from bot.config import Settings
from bot.errors import ClaimExists, ClaimNotFound, InvalidClaim
from bot.formats import parse_claims
from bot.matching import Decision
from bot.store import Store
from db import migrate
from db.engine import create_engine
from tests.conftest import make_claim

APP_TABLES = {
    "claims",
    "claim_aliases",
    "statements",
    "audit_log",
    "synonym_groups",
    "guild_settings",
    "autoreply_channels",
    "replies",
    "feedback",
    "ignored",
}


async def _tables(engine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_migrations_upgrade_from_empty_and_downgrade_to_base(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert await _tables(engine) == set()
        await migrate.upgrade(engine)
        assert await _tables(engine) >= APP_TABLES
        assert await migrate.current_revision(engine) is not None
        await migrate.downgrade(engine, "base")
        assert await _tables(engine) - {"alembic_version"} == set()
        assert await migrate.current_revision(engine) is None
        await migrate.upgrade(engine)
        assert await _tables(engine) >= APP_TABLES
    finally:
        await engine.dispose()


async def test_new_database_is_seeded_once(settings: Settings) -> None:
    seeded = settings.model_copy(update={"seed_claims": True})
    store = await Store.open(seeded)
    try:
        claims = await store.service.export()
        assert len(claims) == 14
        await store.service.change("nk-arms-to-russia", actor="cli", archived=True)
    finally:
        await store.close()
    # Reopening never seeds again, even though a seeded claim is now archived.
    store = await Store.open(seeded)
    try:
        claims = {c.id: c for c in await store.service.export()}
        assert len(claims) == 14
        assert claims["nk-arms-to-russia"].archived
    finally:
        await store.close()


async def test_import_is_an_idempotent_upsert(store: Store, seed_bytes: bytes) -> None:
    claims = parse_claims(seed_bytes)
    first = await store.service.import_claims(claims, actor="cli")
    assert len(first.created) == 14 and not first.updated
    history_before = [h.id for h in await store.service.history("nk-troops-10000-in-russia")]
    second = await store.service.import_claims(claims, actor="cli")
    assert len(second.unchanged) == 14 and not second.created and not second.updated
    assert [h.id for h in await store.service.history("nk-troops-10000-in-russia")] == history_before

    edited = [replace(claims[0], status=Status.DENIED), *claims[1:]]
    third = await store.service.import_claims(edited, actor="cli")
    assert third.updated == [claims[0].id]
    assert (await store.service.get(claims[0].id)).status is Status.DENIED


async def test_a_failing_import_writes_nothing(store: Store, seed_bytes: bytes) -> None:
    claims = parse_claims(seed_bytes)
    broken = replace(claims[5], text="")
    with pytest.raises(InvalidClaim, match="text"):
        await store.service.import_claims([*claims[:5], broken, *claims[6:]], actor="cli")
    assert await store.service.export() == []
    assert store.service.matcher.check(claims[0].text).matches == []


async def test_every_change_is_audited_with_before_and_after(store: Store) -> None:
    claim = make_claim()
    await store.service.create(claim, actor="42")
    await store.service.change(claim.id, actor="43", status=Status.DENIED)
    statement = Statement(party="The moon", stance=Stance.DENIES, quote="I am rock")
    await store.service.change(claim.id, actor="43", statements=(*claim.statements, statement))
    await store.service.change(claim.id, actor="44", archived=True)
    await store.service.change(claim.id, actor="44", archived=False)

    history = list(reversed(await store.service.history(claim.id)))
    assert [(h.action, h.actor) for h in history] == [
        ("create", "42"),
        ("update", "43"),
        ("update", "43"),
        ("archive", "44"),
        ("restore", "44"),
    ]
    assert history[0].before is None and history[0].after["status"] == "alleged"
    assert history[1].before["status"] == "alleged" and history[1].after["status"] == "denied"
    assert history[2].after["statements"][-1]["stance"] == "denies"
    assert all(h.at.tzinfo is not None for h in history)


async def test_create_refuses_an_existing_id_and_invalid_claims(store: Store) -> None:
    await store.service.create(make_claim(), actor="1")
    with pytest.raises(ClaimExists):
        await store.service.create(make_claim(), actor="1")
    with pytest.raises(InvalidClaim, match="source_url"):
        bad = Statement(party="x", stance=Stance.ALLEGES, source_url="javascript:alert(1)")
        await store.service.create(make_claim("other", statements=(bad,)), actor="1")
    assert [c.id for c in await store.service.export()] == ["test-claim"]


async def test_servers_see_global_and_own_claims_only(store: Store) -> None:
    await store.service.create(make_claim("global-claim", "Global text about the moon."), actor="1")
    await store.service.create(make_claim("guild-a", "Server A claim about cheese.", guild_id=111), actor="1")
    await store.service.create(make_claim("guild-b", "Server B claim about cheese.", guild_id=222), actor="2")

    assert {c.id for c in await store.service.find(guild_id=111)} == {"global-claim", "guild-a"}
    assert {c.id for c in await store.service.find(guild_id=None)} == {"global-claim"}
    with pytest.raises(ClaimNotFound):
        await store.service.get("guild-a", guild_id=222)
    with pytest.raises(ClaimNotFound):
        await store.service.change("guild-a", actor="2", guild_id=222, status=Status.DENIED)
    assert (await store.service.get("guild-a", guild_id=111)).status is Status.ALLEGED
    changed = await store.service.change("global-claim", actor="2", guild_id=222, note="checked")
    assert changed.note == "checked"


async def test_archived_claims_never_match_and_restored_ones_do(store: Store, seed_bytes: bytes) -> None:
    await store.service.import_claims(parse_claims(seed_bytes), actor="cli")
    text = "An estimated 10,000 North Korean soldiers have been deployed in Russia."
    assert (await store.service.check(text)).matches[0][1].id == "nk-troops-10000-in-russia"

    await store.service.change("nk-troops-10000-in-russia", actor="cli", archived=True)
    answer = await store.service.check(text)
    assert "nk-troops-10000-in-russia" not in [claim.id for _, claim in answer.matches]

    await store.service.change("nk-troops-10000-in-russia", actor="cli", archived=False)
    answer = await store.service.check(text)
    assert answer.decision is Decision.AUTOREPLY
    assert answer.matches[0][1].id == "nk-troops-10000-in-russia"


async def test_another_process_sees_changes_after_refresh(settings: Settings) -> None:
    first, second = await Store.open(settings), await Store.open(settings)
    try:
        claim = make_claim("cheese-moon", "The moon is made entirely of green cheese.")
        await first.service.create(claim, actor="1")
        assert second.service.matcher.check(claim.text).matches == []
        assert await second.service.refresh_index() == 1
        assert second.service.matcher.check(claim.text).matches[0].claim_id == "cheese-moon"

        await first.service.change("cheese-moon", actor="1", archived=True)
        await second.service.refresh_index()
        assert second.service.matcher.check(claim.text).matches == []

        await first.service.set_synonyms(None, [["luna", "moon"]], actor="1")
        await second.service.refresh_index()
        assert await second.service.synonyms(None) == [["luna", "moon"]]
    finally:
        await first.close()
        await second.close()
