"""The ignore list: users and roles whose messages never get auto-replies. Moderators manage it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import ensure_moderator
from bot.guilds import GuildService
from bot.ui import respond

if TYPE_CHECKING:
    from bot.client import ClaimBot

log = logging.getLogger(__name__)

LIST_LIMIT = 50  # entries shown by /ignore list


@app_commands.guild_only()
@app_commands.default_permissions(manage_messages=True)
class Ignore(
    commands.GroupCog, group_name="ignore", group_description="Users and roles the bot never auto-replies to"
):
    def __init__(self, bot: ClaimBot) -> None:
        self.bot = bot

    @property
    def guild_service(self) -> GuildService:
        return self.bot.guild_service

    async def interaction_check(self, interaction: discord.Interaction[ClaimBot]) -> bool:
        return await ensure_moderator(interaction)

    @app_commands.command(name="add", description="Never auto-reply to a user or to members with a role")
    @app_commands.describe(user="The user to ignore", role="The role whose members to ignore")
    async def add(
        self,
        interaction: discord.Interaction[ClaimBot],
        user: discord.User | None = None,
        role: discord.Role | None = None,
    ) -> None:
        await self._change(interaction, user, role, ignored=True)

    @app_commands.command(name="remove", description="Auto-reply to a user or a role again")
    @app_commands.describe(user="The user to stop ignoring", role="The role to stop ignoring")
    async def remove(
        self,
        interaction: discord.Interaction[ClaimBot],
        user: discord.User | None = None,
        role: discord.Role | None = None,
    ) -> None:
        await self._change(interaction, user, role, ignored=False)

    @app_commands.command(name="list", description="Show the users and roles the bot never auto-replies to")
    async def show(self, interaction: discord.Interaction[ClaimBot]) -> None:
        entries = await self.guild_service.ignored(interaction.guild_id)
        if not entries:
            text = "Nobody is ignored: auto-replies answer every member."
        else:
            lines = [
                f"- {'<@' if kind == 'user' else '<@&'}{target_id}> ({kind})" for kind, target_id in entries
            ]
            more = len(lines) - LIST_LIMIT
            text = "Never auto-replied to:\n" + "\n".join(lines[:LIST_LIMIT])
            if more > 0:
                text += f"\n…and {more} more."
        await respond(interaction, text, ephemeral=True)

    async def _change(
        self,
        interaction: discord.Interaction[ClaimBot],
        user: discord.User | None,
        role: discord.Role | None,
        *,
        ignored: bool,
    ) -> None:
        if (user is None) == (role is None):
            await respond(interaction, "Give exactly one of `user` or `role`.", ephemeral=True)
            return
        if role is not None and role.guild.id != interaction.guild_id:
            await respond(interaction, "That role is not in this server.", ephemeral=True)
            return
        kind, target = ("user", user) if user is not None else ("role", role)
        changed = await self.guild_service.set_ignored(interaction.guild_id, kind, target.id, ignored)
        autoreply = self.bot.get_cog("AutoReply")
        if autoreply is not None:
            autoreply.forget(interaction.guild_id)
        log.info(
            "ignore %s guild=%s %s=%s by=%s changed=%s",
            "add" if ignored else "remove",
            interaction.guild_id,
            kind,
            target.id,
            interaction.user.id,
            changed,
        )
        if ignored:
            text = (
                f"I will not auto-reply to {target.mention}."
                if changed
                else f"{target.mention} was already ignored."
            )
        else:
            text = (
                f"I will auto-reply to {target.mention} again."
                if changed
                else f"{target.mention} was not ignored."
            )
        await respond(interaction, text, ephemeral=True)


async def setup(bot: ClaimBot) -> None:
    await bot.add_cog(Ignore(bot))
