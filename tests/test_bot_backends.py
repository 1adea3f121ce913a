"""The bot end to end on each backend: SQLite, and PostgreSQL when CLAIMBOT_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import pytest

from bot.config import Settings
from tests.bot_support import embed_text


@pytest.fixture
def bot_settings(database_url: str) -> Settings:  # overrides conftest's SQLite-only fixture for this module
    return Settings(
        _env_file=None, database_url=database_url, discord_token="x", seed_claims=True, shard_count=1
    )


async def test_moderator_adds_a_claim_members_check_it_and_vote(world) -> None:
    added = await world.moderator.slash(
        world.channel,
        "claim add",
        status="denied",
        party="The harbour authority",
        stance="denies",
        text="The Burgas harbour crane collapsed during the storm.",
        id="burgas-crane",
    )
    assert "Added claim `burgas-crane`" in added.response.content

    checked = await world.member.slash(
        world.channel, "check", statement="The Burgas harbour crane collapsed during the storm."
    )
    assert "burgas-crane" in embed_text(checked.response.embeds[0])
    voted = await world.member.click(checked.response, label="Helpful")
    assert "(1 helpful, 0 wrong so far)" in voted.response.content

    history = await world.moderator.slash(world.channel, "claim history", claim="burgas-crane")
    assert "**create**" in history.response.embeds[0].description
    assert await world.bot.guild_service.feedback("burgas-crane") == {"helpful": 1, "wrong": 0}
