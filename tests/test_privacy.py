"""Privacy: message content is not stored, and `/privacy forget-me` removes a person from every table.

Driven through simcord against the real bot; the database is then read table by table, every column.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect, text

from bot.privacy import FORGOTTEN_ACTOR
from bot.review import asker_hash

pytestmark = pytest.mark.timeout(120)

# Each message carries a word found nowhere else, so any copy of it in the database is found.
RESTATEMENT = "apparently about 10k north korean troops got deployed to russia, quuxinator says"
CHATTER = "anyone up for board games tonight? bring the flumpwhistle set"
CHECKED = "An estimated 10,000 North Korean soldiers have been deployed in Russia, snargleblat."
PRIVATE_CHECK = "North Korea has deployed its soldiers to Russia, wibblesnort."
UNANSWERED = "The zentrofax bridge in Plovdiv collapsed under a parade of goats."
MARKERS = {"quuxinator", "flumpwhistle", "snargleblat", "wibblesnort", "zentrofax"}


async def dump(bot) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table."""
    async with bot.store.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        return {
            table: [dict(row._mapping) for row in await conn.execute(text(f'SELECT * FROM "{table}"'))]
            for table in tables
        }


def cells(rows: dict[str, list[dict[str, Any]]]):
    for table, table_rows in rows.items():
        for row in table_rows:
            for column, value in row.items():
                yield table, column, str(value)


async def traffic(world) -> None:
    enabled = await world.admin.slash(world.channel, "autoreply enable", channel=world.channel)
    assert "now on" in enabled.response.content
    await world.member.send(world.channel, RESTATEMENT)
    await world.member.send(world.channel, CHATTER)
    replies = [m for m in world.channel.history() if m.author.bot and m.embeds]
    assert len(replies) == 1, "the restatement got its auto-reply"
    checked = await world.member.slash(world.channel, "check", statement=CHECKED)
    await world.member.click(checked.response, label="Helpful")
    await world.member.slash(world.channel, "check", statement=PRIVATE_CHECK, private=True)
    unanswered = await world.member.slash(world.channel, "check", statement=UNANSWERED)
    assert "No stored claim matches" in unanswered.response.embeds[0].description


async def test_message_content_is_not_stored_only_unanswered_questions_are(world) -> None:
    await traffic(world)
    rows = await dump(world.bot)
    found = {(table, column, marker) for table, column, value in cells(rows) for marker in MARKERS
             if marker in value.lower()}
    # The review queue keeps the unanswered /check question, by design; nothing else keeps any text.
    queued = {("review_entries", "question", "zentrofax"), ("review_entries", "normalised", "zentrofax")}
    assert found == queued
    assert rows["replies"], "the bot did record its replies (ids only)"
    assert rows["feedback"], "and the vote"


async def test_forget_me_removes_the_person_from_every_table(world) -> None:
    await traffic(world)
    # A moderator's change names them in the change log; their vote names them too.
    added = await world.moderator.slash(
        world.channel, "claim add", status="alleged", party="A council", stance="alleges",
        text="The river Blorv flooded the town hall twice in 2023.",
    )
    assert "Added claim" in added.response.content
    checked = await world.moderator.slash(world.channel, "check", statement=CHECKED)
    await world.moderator.click(checked.response, label="Wrong claim")
    await world.moderator.slash(world.channel, "check", statement=UNANSWERED)  # a second asker
    member_id, moderator_id = world.member.id, world.moderator.id

    before = await dump(world.bot)
    assert any(str(moderator_id) == value for _, _, value in cells(before))
    entries = before["review_entries"]
    hashes = {(r["entry_id"], r["asker_hash"]) for r in before["review_askers"]}
    assert any((e["id"], asker_hash(e["salt"], moderator_id)) in hashes for e in entries)

    result = await world.moderator.slash(world.channel, "privacy forget-me")
    assert result.ephemeral
    assert "Deleted 1 vote" in result.response.content
    # Two: the unanswered question they asked and their "Wrong claim" report.
    assert "2 review-queue asker hashes" in result.response.content

    after = await dump(world.bot)
    assert not [(t, c) for t, c, value in cells(after) if value == str(moderator_id)]
    hashes = {(r["entry_id"], r["asker_hash"]) for r in after["review_askers"]}
    assert not any((e["id"], asker_hash(e["salt"], moderator_id)) in hashes for e in after["review_entries"])
    assert any(r["actor"] == FORGOTTEN_ACTOR for r in after["audit_log"])  # the history itself stays
    assert len(after["audit_log"]) == len(before["audit_log"])
    assert [e["askers"] for e in after["review_entries"]] == [e["askers"] for e in entries]  # counts stay
    # Other people are untouched.
    assert any(r["user_id"] == member_id for r in after["feedback"])
    assert any((e["id"], asker_hash(e["salt"], member_id)) in hashes for e in after["review_entries"])
    assert any(str(world.admin.id) == r["enabled_by"] for r in after["autoreply_channels"])

    again = await world.moderator.slash(world.channel, "privacy forget-me")
    assert "Nothing to delete" in again.response.content


async def test_forget_me_and_info_are_open_to_everyone_and_private(world) -> None:
    for who in (world.member, world.other_moderator):
        channel = world.channel if who is world.member else world.other_channel
        info = await who.slash(channel, "privacy info")
        assert info.ephemeral and "never stores the messages" in info.response.content
        forgot = await who.slash(channel, "privacy forget-me")
        assert forgot.ephemeral and "Nothing to delete" in forgot.response.content
