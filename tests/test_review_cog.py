"""The review queue through simcord: the real bot, its cogs and a seeded SQLite store."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import timedelta

import discord
import numpy as np
import pytest
from PIL import Image
from simcord import SetupError

from bot.formats import derive_claim_id
from bot.ui import FEEDBACK_WRONG_ID
from cogs.review import PROMOTE_TEXT_ID, Review
from db.repositories import now
from tests.bot_support import BotWorld, embed_text

pytestmark = pytest.mark.timeout(120)

SEEDED_CLAIM = "nk-troops-10000-in-russia"
QUESTION = "Did the moon landing happen on a sound stage in Nevada?"
TYPO_1 = "did the moon landng happen on a sound stage in nevada"
TYPO_2 = "Did the moon landing hapen on a soundstage in Nevada??"


def footer_claim(embed: discord.Embed) -> str | None:
    return embed.footer.text.removeprefix("claim ") if embed.footer and embed.footer.text else None


async def check(actor, channel, statement: str):
    result = await actor.slash(channel, "check", statement=statement)
    assert result.response is not None
    return result


async def only_entry(world: BotWorld):
    entries, total = await world.bot.review.page(world.guild.id)
    assert total == 1, [e.question for e in entries]
    return entries[0]


# -- the queue fills ---------------------------------------------------------------------------------


async def test_repeated_question_with_typos_is_one_entry(world: BotWorld):
    second_channel = world.guild.create_text_channel("questions")
    first = await check(world.member, world.channel, QUESTION)
    assert footer_claim(first.response.embeds[0]) is None  # nothing answers it: it is a queue case
    await check(world.moderator, second_channel, TYPO_1)
    await check(world.member, world.channel, TYPO_2)

    entry = await only_entry(world)
    assert (entry.asks, entry.askers) == (3, 2)
    assert set(entry.channel_ids) == {world.channel.id, second_channel.id}

    listed = await world.moderator.slash(world.channel, "review list")
    assert listed.ephemeral
    text = embed_text(listed.response.embeds[0])
    assert f"#{entry.id}" in text and "asked 3× by 2 people" in text
    assert f"<#{world.channel.id}>" in text and f"<#{second_channel.id}>" in text
    assert "1 open" in text


async def test_answered_checks_are_not_queued(world: BotWorld):
    claim = await world.bot.claims.get(SEEDED_CLAIM)
    result = await check(world.member, world.channel, claim.text)
    assert footer_claim(result.response.embeds[0]) == SEEDED_CLAIM
    assert (await world.bot.review.page(world.guild.id))[1] == 0


async def test_check_claim_menu_queues_the_message(world: BotWorld):
    message = await world.member.send(world.channel, QUESTION)
    await world.moderator.context_menu(world.channel, "Check claim", message)
    entry = await only_entry(world)
    assert entry.question == QUESTION and entry.askers == 1


async def test_wrong_claim_vote_lands_in_the_queue_with_its_claim(world: BotWorld):
    claim = await world.bot.claims.get(SEEDED_CLAIM)
    statement = f"I read that {claim.text[0].lower()}{claim.text[1:]}"
    result = await check(world.member, world.channel, statement)
    answer = result.response.message
    assert footer_claim(answer.embeds[0]) == SEEDED_CLAIM
    await world.moderator.click(answer, custom_id=FEEDBACK_WRONG_ID)
    await world.admin.click(answer, custom_id=FEEDBACK_WRONG_ID)

    entry = await only_entry(world)
    assert entry.kind == "wrong" and entry.wrong_claim_id == SEEDED_CLAIM
    assert entry.question == " ".join(statement.split())
    assert (entry.asks, entry.askers) == (2, 2)
    listed = await world.moderator.slash(world.channel, "review list")
    assert f"wrongly answered by `{SEEDED_CLAIM}`" in embed_text(listed.response.embeds[0])


async def test_wrong_vote_on_an_auto_reply_queues_the_message_it_answered(world: BotWorld):
    paraphrase = "apparently about 10k north korean troops got deployed to russia, crazy"
    enabled = await world.admin.slash(world.channel, "autoreply enable", channel=world.channel)
    assert enabled.response is not None
    sent = await world.member.send(world.channel, paraphrase)
    [reply] = [m for m in world.channel.history() if m.author.bot and m.embeds]
    assert reply.reference is not None and reply.reference.message_id == sent.id
    assert footer_claim(reply.embeds[0]) == SEEDED_CLAIM

    await world.moderator.click(reply, custom_id=FEEDBACK_WRONG_ID)

    entry = await only_entry(world)
    assert entry.kind == "wrong" and entry.wrong_claim_id == SEEDED_CLAIM
    assert entry.question == paraphrase
    assert entry.channel_ids == (world.channel.id,)


# -- moderators resolve ------------------------------------------------------------------------------


async def test_link_makes_the_question_match_the_claim(world: BotWorld):
    question = "Pyongyang quietly lent the Kremlin a five-figure contingent"
    before = await check(world.member, world.channel, question)
    assert footer_claim(before.response.embeds[0]) != SEEDED_CLAIM or "Possible" in embed_text(
        before.response.embeds[0]
    )
    entry = await only_entry(world)

    choices = await world.moderator.autocomplete(world.channel, "review link", "entry", "kremlin")
    assert [c["value"] for c in choices] == [entry.id]
    claim_choices = await world.moderator.autocomplete(
        world.channel, "review link", "claim", "korean troops", entry=entry.id
    )
    assert SEEDED_CLAIM in [c["value"] for c in claim_choices]

    linked = await world.moderator.slash(world.channel, "review link", entry=entry.id, claim=SEEDED_CLAIM)
    assert linked.ephemeral and "Linked" in linked.response.content

    after = await check(world.member, world.channel, question)
    embed = after.response.embeds[0]
    assert footer_claim(embed) == SEEDED_CLAIM
    assert "Strong match" in embed_text(embed)
    assert (await world.bot.review.page(world.guild.id))[1] == 0  # resolved, and the new check matched


async def test_promote_opens_the_form_and_the_new_claim_matches(world: BotWorld):
    await check(world.member, world.channel, QUESTION)
    entry = await only_entry(world)

    shown = await world.moderator.slash(
        world.channel, "review promote", entry=entry.id, status="unevidenced", party="Forum posters"
    )
    assert shown.modal is not None
    assert QUESTION in str(shown.modal)  # the form comes prefilled with the question
    text = "The moon landing was filmed on a sound stage in Nevada."
    done = await world.moderator.submit_modal(shown, {PROMOTE_TEXT_ID: text})
    assert done.response is not None and "Added claim" in done.response.content

    claim = await world.bot.claims.get(derive_claim_id(text), guild_id=world.guild.id)
    assert claim.guild_id == world.guild.id and claim.status == "unevidenced"
    assert [(s.party, s.stance) for s in claim.statements] == [("Forum posters", "alleges")]
    assert claim.aliases == (QUESTION,)  # reworded, so the question itself stays a wording
    again = await check(world.member, world.channel, TYPO_1)
    assert footer_claim(again.response.embeds[0]) == claim.id
    elsewhere = await world.other_moderator.slash(world.other_channel, "check", statement=QUESTION)
    assert footer_claim(elsewhere.response.embeds[0]) != claim.id  # a server claim stays on its server
    resolved = await world.bot.review.get(world.guild.id, entry.id)
    assert resolved.state == "promoted"


async def test_dismiss_empties_the_queue(world: BotWorld):
    await check(world.member, world.channel, QUESTION)
    entry = await only_entry(world)
    result = await world.moderator.slash(world.channel, "review dismiss", entry=entry.id)
    assert f"Dismissed #{entry.id}" in result.response.content
    again = await world.moderator.slash(world.channel, "review dismiss", entry=entry.id)
    assert "already resolved" in again.response.content
    listed = await world.moderator.slash(world.channel, "review list")
    assert "0 open" in embed_text(listed.response.embeds[0])


async def test_another_server_cannot_touch_the_entry(world: BotWorld):
    await check(world.member, world.channel, QUESTION)
    entry = await only_entry(world)
    result = await world.other_moderator.slash(world.other_channel, "review dismiss", entry=entry.id)
    assert "No open review entry" in result.response.content
    assert (await world.bot.review.get(world.guild.id, entry.id)).state == "open"


async def test_members_cannot_review(world: BotWorld):
    await check(world.member, world.channel, QUESTION)
    entry = await only_entry(world)
    assert "review list" not in world.member.available_commands(world.channel)
    assert "review list" in world.moderator.available_commands(world.channel)
    with pytest.raises(SetupError):  # Discord hides it (default_permissions)
        await world.member.slash(world.channel, "review dismiss", entry=entry.id)
    # a server may let everyone see the commands; the bot still refuses
    world.guild.set_command_permissions(world.command_id("review"), {world.member: True})
    result = await world.member.slash(world.channel, "review dismiss", entry=entry.id)
    assert "Only this server's claim moderators" in result.response.content
    assert await world.member.autocomplete(world.channel, "review dismiss", "entry", "moon") == []
    assert (await world.bot.review.get(world.guild.id, entry.id)).state == "open"


async def test_the_moderator_role_may_review(world: BotWorld):
    await world.use_moderator_role()
    world.guild.set_command_permissions(world.command_id("review"), {world.mod_role: True})
    await check(world.member, world.channel, QUESTION)
    entry = await only_entry(world)
    result = await world.role_moderator.slash(world.channel, "review dismiss", entry=entry.id)
    assert f"Dismissed #{entry.id}" in result.response.content


async def test_list_pages_with_buttons(world: BotWorld):
    for i in range(7):
        await world.bot.review.record_question(
            guild_id=world.guild.id,
            channel_id=world.channel.id,
            user_id=None,
            question=f"Question {'abcdefg'[i]} about bridge number {i}",
            decision="none",
        )
    listed = await world.moderator.slash(world.channel, "review list")
    first = embed_text(listed.response.embeds[0])
    assert "page 1 of 2" in first and "7 open" in first
    turned = await world.moderator.click(listed.response.message, label="Next")
    assert turned.acknowledged
    message = world.env.backend.get_message(world.channel.id, listed.response.id)
    assert message is not None


# -- stats -------------------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    assert zlib.crc32(data[12:29]) == struct.unpack(">I", data[29:33])[0]
    return width, height


async def test_claim_stats_sends_a_real_png_and_the_numbers(world: BotWorld):
    claim = await world.bot.claims.get(SEEDED_CLAIM)
    answer = (await check(world.member, world.channel, claim.text)).response.message
    await world.admin.click(answer, custom_id=FEEDBACK_WRONG_ID)
    await check(world.member, world.channel, QUESTION)

    result = await world.moderator.slash(world.channel, "claim stats", days=7)
    reply = result.followups[-1] if result.followups else result.response
    assert result.ephemeral or reply.ephemeral
    text = reply.content
    assert "/check answers: 1" in text and "wrong-claim votes: 1" in text
    assert "new unanswered questions: 1" in text
    assert SEEDED_CLAIM in text

    [attachment] = reply.attachments
    assert attachment.filename.endswith(".png")
    data = world.env.backend.cdn.get(attachment.url)
    width, height = png_size(data)
    assert (width, height) == (900, 650)
    image = Image.open(io.BytesIO(data)).convert("L")
    assert image.size == (width, height)
    pixels = np.asarray(image, dtype=float)
    assert pixels.var() > 0  # not blank
    assert (pixels < 128).mean() > 0.005  # lines, bars and text, not a stray pixel

    one = await world.moderator.slash(world.channel, "claim stats", claim=SEEDED_CLAIM, status="alleged")
    reply = one.followups[-1] if one.followups else one.response
    assert f"claim {SEEDED_CLAIM}" in reply.content


# -- the digest --------------------------------------------------------------------------------------


async def test_weekly_digest_goes_to_the_chosen_channel_once(world: BotWorld):
    mods = world.guild.create_text_channel("mods")
    result = await world.moderator.slash(world.channel, "review digest", channel=mods)
    assert "goes to" in result.response.content
    await check(world.member, world.channel, QUESTION)
    cog: Review = world.bot.get_cog("Review")

    assert await cog.send_due_digests() == 1
    posted = [m for m in mods.history() if m.author.bot]
    assert len(posted) == 1
    assert "1 open questions" in posted[0].embeds[0].title
    assert "moon landing" in posted[0].embeds[0].description
    assert posted[0].attachments and posted[0].attachments[0].filename == "week.png"
    assert await cog.send_due_digests() == 0  # once a week
    assert await cog.send_due_digests(now() + timedelta(days=7, minutes=1)) == 1

    off = await world.moderator.slash(world.channel, "review digest")
    assert "off" in off.response.content
    assert await cog.send_due_digests(now() + timedelta(days=30)) == 0


async def test_digest_for_a_server_this_process_does_not_serve_is_left_to_others(world: BotWorld):
    elsewhere = 4242  # a server on another shard or process
    await world.bot.review.set_digest_channel(elsewhere, 4343)
    cog: Review = world.bot.get_cog("Review")
    assert await cog.send_due_digests() == 0
    assert await world.bot.review.due_digests() == [(elsewhere, 4343)]  # still due for its process
