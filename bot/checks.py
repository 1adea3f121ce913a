"""Bot-side permission checks and option transformers for app commands.

Discord hides moderator commands from other members (`default_permissions`); these checks enforce the
same rule in the bot, because a server can change what Discord shows.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.claims import MAX_URL, is_web_url

if TYPE_CHECKING:
    from bot.client import ClaimBot

log = logging.getLogger(__name__)


class NotModerator(app_commands.CheckFailure):
    """Raised by the moderator check; its message is shown to the person refused."""


async def is_moderator(interaction: discord.Interaction[ClaimBot]) -> bool:
    """Whether the person may manage this server's claims.

    Administrators and Manage Server members always may. When the server named a moderator role,
    members with that role may; otherwise members with Manage Messages may.
    """
    member = interaction.user
    if interaction.guild_id is None or not isinstance(member, discord.Member):
        return False
    permissions = interaction.permissions
    if permissions.administrator or permissions.manage_guild:
        return True
    config = await interaction.client.guild_service.config(interaction.guild_id)
    if config.moderator_role_id is not None:
        return any(role.id == config.moderator_role_id for role in member.roles)
    return permissions.manage_messages


async def ensure_moderator(interaction: discord.Interaction[ClaimBot]) -> bool:
    """The check itself: True, or NotModerator with a message saying who may."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage("Claim management only works in a server.")
    if await is_moderator(interaction):
        return True
    log.info(
        "refused moderator command %s to user=%s guild=%s",
        interaction.command and interaction.command.qualified_name,
        interaction.user.id,
        interaction.guild_id,
    )
    raise NotModerator("Only this server's claim moderators can do that.")


def moderator_only() -> Any:
    """Decorator form of `ensure_moderator` for single commands."""
    return app_commands.check(ensure_moderator)


async def ensure_manager(interaction: discord.Interaction[ClaimBot]) -> bool:
    """Server settings: Manage Server (or Administrator) only."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage("Server settings only work in a server.")
    permissions = interaction.permissions
    if permissions.administrator or permissions.manage_guild:
        return True
    raise app_commands.MissingPermissions(["manage_guild"])


# -- transformers ----------------------------------------------------------------------------------


class DateTransformer(app_commands.Transformer):
    """A date written as YYYY-MM-DD."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def max_value(self) -> int:
        return 10

    async def transform(self, interaction: discord.Interaction[Any], value: str) -> date:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise app_commands.TransformerError(value, self.type, self) from None


class UrlTransformer(app_commands.Transformer):
    """An http(s) URL."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def max_value(self) -> int:
        return min(MAX_URL, 6000)

    async def transform(self, interaction: discord.Interaction[Any], value: str) -> str:
        value = value.strip()
        if not is_web_url(value):
            raise app_commands.TransformerError(value, self.type, self)
        return value


TRANSFORMER_HINTS: dict[type[app_commands.Transformer], str] = {
    DateTransformer: "a date like 2024-10-28",
    UrlTransformer: "a link starting with http:// or https://",
}

Day = app_commands.Transform[date, DateTransformer]
Url = app_commands.Transform[str, UrlTransformer]
