"""Every extension loads, declares `setup`, and describes every option; the extension list is complete."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import discord
from discord import app_commands

import cogs
from bot.client import EXTENSIONS, ClaimBot, create_bot, intents
from bot.config import Settings

COGS_DIR = Path(cogs.__file__).parent


def test_the_extension_list_names_every_module_in_cogs() -> None:
    found = sorted(f"cogs.{m.name}" for m in pkgutil.iter_modules([str(COGS_DIR)]))
    assert sorted(EXTENSIONS) == found


def test_every_extension_module_ends_with_an_async_setup() -> None:
    for name in EXTENSIONS:
        tree = ast.parse((COGS_DIR / f"{name.split('.')[1]}.py").read_text(encoding="utf-8"))
        functions = [node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
        assert isinstance(functions[-1], ast.AsyncFunctionDef) and functions[-1].name == "setup", name


def test_nothing_is_built_at_import_time() -> None:
    for name in ("bot.client", "bot.ui", "bot.checks", *EXTENSIONS):
        module = importlib.import_module(name)
        assert not [v for v in vars(module).values() if isinstance(v, discord.Client)], name


def test_intents_are_guilds_guild_messages_and_message_content_only() -> None:
    wanted = intents()
    assert wanted.guilds and wanted.guild_messages and wanted.message_content
    assert not wanted.members and not wanted.presences and not wanted.dm_messages


async def test_every_extension_loads_and_unloads_and_every_option_is_described(tmp_path) -> None:
    settings = Settings(
        _env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", discord_token="x"
    )
    bot = create_bot(settings)
    assert isinstance(bot, ClaimBot)
    assert bot.allowed_mentions.to_dict() == {"parse": []}
    for name in EXTENSIONS:
        await bot.load_extension(name)
    assert set(bot.extensions) == set(EXTENSIONS)

    commands = list(bot.tree.walk_commands())
    assert {c.qualified_name for c in commands} >= {"check", "claim add", "claim import", "synonyms add"}
    menus = bot.tree.get_commands(type=discord.AppCommandType.message)
    assert [m.name for m in menus] == ["Check claim"]
    for command in commands:
        assert command.description and command.description != "…", command.qualified_name
        if isinstance(command, app_commands.Command):
            for parameter in command.parameters:
                assert parameter.description != "…", f"{command.qualified_name} {parameter.name}"
                assert len(parameter.description) <= 100

    for name in EXTENSIONS:
        await bot.unload_extension(name)
    assert bot.tree.get_commands() == []
    assert bot.tree.get_commands(type=discord.AppCommandType.message) == []
    await bot.close()
