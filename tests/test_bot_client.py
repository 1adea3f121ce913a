"""The bot's lifecycle: setup_hook, development-server sync, the index refresh task, close, run_bot."""

from __future__ import annotations

import logging

from sqlalchemy.exc import OperationalError

from bot.claims import Claim, Stance, Statement, Status
from bot.client import create_bot, run_bot
from bot.config import Settings
from bot.store import Store


async def test_setup_hook_opens_the_store_and_registers_the_feedback_view(world) -> None:
    bot = world.bot
    assert bot.store is not None
    assert len(bot.claims.matcher) > 0  # the seeded claims are indexed
    assert bot.guild_service.sessions is bot.claims.sessions
    assert any(view.is_persistent() for view in bot.persistent_views)
    assert bot.index_sync is not None and bot.index_sync.running


async def test_commands_are_not_synced_to_a_guild_without_dev_guild_id(world) -> None:
    root = world.env.backend.find_command("check", world.guild.id, type=1)
    assert root.get("guild_id") is None  # only the test's explicit global sync registered it


async def test_dev_guild_id_syncs_the_commands_to_that_server(world, bot_settings) -> None:
    settings = bot_settings.model_copy(update={"dev_guild_id": world.guild.id})
    old = world.bot

    await world.env.restart_bot(create_bot(settings))

    root = world.env.backend.find_command("claim", world.guild.id, type=1)
    assert root is not None and int(root["guild_id"]) == world.guild.id
    await old.close()
    result = await world.moderator.slash(world.channel, "claim show", claim="nk-arms-to-russia")
    assert result.ephemeral


async def test_claims_changed_by_another_process_reach_the_index(world, bot_settings) -> None:
    other = await Store.open(bot_settings)
    try:
        await other.service.create(
            Claim(
                id="from-elsewhere",
                text="The CLI added this claim while the bot was running.",
                status=Status.DENIED,
                statements=(Statement("The CLI", Stance.DENIES),),
            ),
            actor="cli",
        )
    finally:
        await other.close()
    assert "from-elsewhere" not in world.bot.claims.matcher

    await world.env.advance_time(2.5)

    assert "from-elsewhere" in world.bot.claims.matcher


async def test_the_refresh_task_survives_database_errors(world, caplog, monkeypatch) -> None:
    calls = []

    async def failing() -> int:
        calls.append(1)
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    monkeypatch.setattr(world.bot.claims, "refresh_index", failing)
    with caplog.at_level(logging.WARNING):
        await world.env.advance_time(4.5)

    assert len(calls) >= 2  # it kept going after the first failure
    assert any(
        r.levelno >= logging.WARNING and "database is locked" in r.getMessage() + str(r.exc_info)
        for r in caplog.records
    )
    assert world.bot.index_sync.running


async def test_close_stops_the_index_sync_and_closes_the_store(bot_settings) -> None:
    bot = create_bot(bot_settings)
    await bot.setup_hook()
    sync = bot.index_sync
    assert bot.store is not None and sync is not None and sync.running

    await bot.close()

    assert bot.store is None
    assert not sync.running


async def test_run_bot_without_a_token_refuses(caplog) -> None:
    with caplog.at_level(logging.ERROR):
        code = await run_bot(Settings(_env_file=None, discord_token=None))
    assert code == 2
    assert "DISCORD_TOKEN" in caplog.text
