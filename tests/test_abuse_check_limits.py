"""/check rate limits through simcord: per person and per channel, a friendly ephemeral refusal."""

from __future__ import annotations

from bot.ratelimit import CheckLimits, CheckLimitSettings, RateLimited

STATEMENT = "An estimated 10,000 North Korean soldiers have been deployed in Russia."


class FakeClock:
    def __init__(self) -> None:
        self.now = 5_000.0

    def __call__(self) -> float:
        return self.now


def limit_check(world, **settings) -> FakeClock:
    clock = FakeClock()
    world.bot.get_cog("Check").limits = CheckLimits(CheckLimitSettings(**settings), clock=clock)
    return clock


async def test_per_person_limit_answers_with_a_friendly_ephemeral(world) -> None:
    clock = limit_check(world, user_uses=2, user_per_seconds=60, channel_uses=100, channel_per_seconds=60)
    for _ in range(2):
        result = await world.member.slash(world.channel, "check", statement=STATEMENT)
        assert result.response.embeds, "answered"
    refused = await world.member.slash(world.channel, "check", statement=STATEMENT)
    assert refused.ephemeral
    assert not refused.response.embeds
    assert refused.response.content.startswith("Slow down a little: you are checking claims too often.")
    assert "Try again in 30s" in refused.response.content
    # An expected error: the tree's handler answers it instead of logging a bug.
    assert [type(getattr(e, "original", e)) for e in world.take_errors()] == [RateLimited]

    other = await world.moderator.slash(world.channel, "check", statement=STATEMENT)  # someone else may
    assert other.response.embeds
    clock.now += 30
    again = await world.member.slash(world.channel, "check", statement=STATEMENT)
    assert again.response.embeds


async def test_per_channel_limit(world) -> None:
    limit_check(world, user_uses=10, user_per_seconds=60, channel_uses=3, channel_per_seconds=60)
    for actor in (world.member, world.moderator, world.admin):
        assert (await actor.slash(world.channel, "check", statement=STATEMENT)).response.embeds
    refused = await world.role_moderator.slash(world.channel, "check", statement=STATEMENT)
    assert refused.ephemeral and "this channel is checking claims too often" in refused.response.content
    world.take_errors()
    # The other server's channel has its own budget.
    elsewhere = await world.other_moderator.slash(world.other_channel, "check", statement=STATEMENT)
    assert elsewhere.response.embeds


async def test_default_limits_stop_a_spammer(world) -> None:
    answered = 0
    for _ in range(12):
        result = await world.member.slash(world.channel, "check", statement=STATEMENT, private=True)
        answered += bool(result.response.embeds)
    assert answered == CheckLimitSettings().user_uses
    assert len(world.take_errors()) == 12 - answered
