"""PrivacyService.forget_user on both backends: afterwards no row holds the person's id or a hash of it."""

from __future__ import annotations

from sqlalchemy import inspect, text

from bot.guilds import GuildService
from bot.matching import Decision
from bot.privacy import FORGOTTEN_ACTOR, PrivacyService
from bot.review import ReviewService, asker_hash
from bot.store import Store
from tests.conftest import make_claim

GUILD, CHANNEL = 111, 222
ALICE, BOB = 900000000000000001, 900000000000000002


async def rows(store: Store) -> dict[str, list[dict]]:
    async with store.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        return {
            t: [dict(r._mapping) for r in await conn.execute(text(f'SELECT * FROM "{t}"'))] for t in tables
        }


def mentions(dump: dict[str, list[dict]], user_id: int) -> list[tuple[str, str]]:
    return [(t, c) for t, rs in dump.items() for r in rs for c, v in r.items() if str(v) == str(user_id)]


async def test_forget_user_removes_votes_hashes_and_actor_names(store: Store) -> None:
    guilds = GuildService(store.service.sessions)
    review = ReviewService(store.service.sessions, store.service)
    await store.service.create(make_claim("alice-claim", guild_id=GUILD), actor=str(ALICE))
    await store.service.change("alice-claim", actor=str(BOB), guild_id=GUILD, note="Bob's note")
    await guilds.enable_autoreply(GUILD, CHANNEL, actor=str(ALICE))
    for message_id in (1, 2):
        await guilds.record_reply(
            message_id=message_id, guild_id=GUILD, channel_id=CHANNEL, claim_id="alice-claim", kind="check"
        )
        await guilds.vote(message_id, ALICE, "helpful")
        await guilds.vote(message_id, BOB, "wrong")
    for user in (ALICE, BOB):
        await review.record_question(
            guild_id=GUILD, channel_id=CHANNEL, user_id=user, question="Did the zentrofax bridge fall?",
            decision=Decision.NONE,
        )
    before = await rows(store)
    assert mentions(before, ALICE)

    forgotten = await PrivacyService(store.service.sessions).forget_user(ALICE)

    assert (forgotten.votes, forgotten.questions) == (2, 1)
    assert forgotten.log_entries >= 3  # created_by, updated_by was Bob's, the audit row, enabled_by
    after = await rows(store)
    assert mentions(after, ALICE) == []
    entries = after["review_entries"]
    hashes = {(r["entry_id"], r["asker_hash"]) for r in after["review_askers"]}
    assert not any((e["id"], asker_hash(e["salt"], ALICE)) in hashes for e in entries)
    assert any((e["id"], asker_hash(e["salt"], BOB)) in hashes for e in entries)  # Bob is untouched
    assert sorted(mentions(after, BOB)) == sorted(mentions(before, BOB))
    assert entries[0]["askers"] == 2  # the count stays
    assert {r["actor"] for r in after["audit_log"]} == {FORGOTTEN_ACTOR, str(BOB)}
    assert len(after["audit_log"]) == len(before["audit_log"])
    assert (await store.service.get("alice-claim", guild_id=GUILD)).note == "Bob's note"

    again = await PrivacyService(store.service.sessions).forget_user(ALICE)
    assert again.total == 0
