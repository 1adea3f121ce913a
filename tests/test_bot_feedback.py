"""The "Helpful" / "Wrong claim" buttons: votes count, survive a restart, and remove bad auto-replies."""

from __future__ import annotations

import discord

from bot.client import create_bot
from bot.ui import NO_MENTIONS, FeedbackView
from tests.bot_support import assert_no_pings

SEEDED = "An estimated 10,000 North Korean soldiers have been deployed in Russia."
SEEDED_ID = "nk-troops-10000-in-russia"


async def bot_reply(world, kind: str) -> discord.Message:
    """A message the bot sent with the feedback buttons, recorded as `kind` (like the auto-reply cog does)."""
    channel = world.bot.get_channel(world.channel.id)
    message = await channel.send(
        "An answer about a claim.", view=FeedbackView(), allowed_mentions=NO_MENTIONS
    )
    await world.bot.guild_service.record_reply(
        message_id=message.id,
        guild_id=world.guild.id,
        channel_id=world.channel.id,
        claim_id=SEEDED_ID,
        kind=kind,
    )
    return message


def exists(world, message_id: int) -> bool:
    return any(m.id == message_id for m in world.channel.history())


async def test_votes_on_a_check_answer_are_counted_one_per_person(world) -> None:
    answer = await world.member.slash(world.channel, "check", statement=SEEDED)

    first = await world.member.click(answer.response, label="Helpful")
    changed = await world.member.click(answer.response, label="Wrong claim")
    other = await world.moderator.click(answer.response, label="Helpful")

    assert first.ephemeral and "noted as helpful" in first.response.content
    assert "(0 helpful, 1 wrong so far)" in changed.response.content
    assert "(1 helpful, 1 wrong so far)" in other.response.content
    assert await world.bot.guild_service.feedback(SEEDED_ID) == {"helpful": 1, "wrong": 1}
    assert_no_pings(world.env)


async def test_buttons_keep_working_after_a_restart(world, bot_settings) -> None:
    message = await bot_reply(world, "check")
    await world.member.click(message, label="Helpful")

    await world.restart(create_bot(bot_settings))
    result = await world.moderator.click(message, label="Helpful")

    assert "(2 helpful, 0 wrong so far)" in result.response.content


async def test_enough_wrong_votes_delete_an_auto_reply(world) -> None:
    await world.bot.guild_service.update(world.guild.id, wrong_votes_to_delete=2)
    message = await bot_reply(world, "autoreply")

    await world.member.click(message, label="Wrong claim")
    assert exists(world, message.id)
    last = await world.moderator.click(message, label="Wrong claim")

    assert "removed that reply" in last.response.content
    assert not exists(world, message.id)


async def test_wrong_votes_never_delete_a_check_answer(world) -> None:
    await world.bot.guild_service.update(world.guild.id, wrong_votes_to_delete=1)
    message = await bot_reply(world, "check")

    result = await world.member.click(message, label="Wrong claim")

    assert "(0 helpful, 1 wrong so far)" in result.response.content
    assert exists(world, message.id)


async def test_a_vote_on_an_untracked_message_is_answered_politely(world) -> None:
    channel = world.bot.get_channel(world.channel.id)
    message = await channel.send("Not recorded.", view=FeedbackView())

    result = await world.member.click(message, label="Helpful")

    assert result.ephemeral
    assert "no longer track" in result.response.content
