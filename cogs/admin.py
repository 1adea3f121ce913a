"""/claimbot: server settings for Manage Server members (the moderator role), shown and changed."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import ensure_manager
from bot.ui import respond

if TYPE_CHECKING:
    from bot.client import ClaimBot

log = logging.getLogger(__name__)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Admin(
    commands.GroupCog, group_name="claimbot", group_description="claimbot's settings for this server"
):
    def __init__(self, bot: ClaimBot) -> None:
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction[ClaimBot]) -> bool:
        return await ensure_manager(interaction)

    @app_commands.command(
        name="moderator-role", description="Choose the role that manages claims, or clear it"
    )
    @app_commands.describe(
        role="Members with this role manage claims; leave empty to go back to Manage Messages members"
    )
    async def moderator_role(
        self, interaction: discord.Interaction[ClaimBot], role: discord.Role | None = None
    ) -> None:
        assert interaction.guild_id is not None
        await self.bot.guild_service.update(interaction.guild_id, moderator_role_id=role.id if role else None)
        log.info(
            "moderator role of guild=%s set to %s by user=%s",
            interaction.guild_id,
            role and role.id,
            interaction.user.id,
        )
        if role is None:
            text = "Claim moderators are now members with the Manage Messages permission."
        else:
            text = (
                f"Claim moderators are now members with {role.mention} (and Manage Server members).\n"
                "Discord shows moderator commands only to Manage Messages members by default: under "
                "Server Settings → Integrations → claimbot, allow this role to use `/claim`, `/review`, "
                "`/synonyms` and `/ignore`."
            )
        await respond(interaction, text, ephemeral=True)

    @app_commands.command(name="settings", description="Show claimbot's settings for this server")
    async def settings(self, interaction: discord.Interaction[ClaimBot]) -> None:
        assert interaction.guild_id is not None
        config = await self.bot.guild_service.config(interaction.guild_id)
        role = f"<@&{config.moderator_role_id}>" if config.moderator_role_id else "Manage Messages members"
        channels = await self.bot.guild_service.autoreply_channels(interaction.guild_id)
        lines = [
            f"**Claim moderators:** {role}",
            f"**Suggest threshold:** {config.thresholds.suggest:.0%}",
            f"**Auto-reply threshold:** {config.thresholds.autoreply:.0%}",
            f"**Auto-reply cooldown per claim and channel:** {config.cooldown_seconds} s",
            f"**Wrong votes that remove an auto-reply:** {config.wrong_votes_to_delete}",
            "**Auto-reply channels:** " + (", ".join(f"<#{c}>" for c in channels) or "none"),
        ]
        embed = discord.Embed(title="claimbot settings", description="\n".join(lines))
        await respond(interaction, embed=embed, ephemeral=True)


async def setup(bot: ClaimBot) -> None:
    await bot.add_cog(Admin(bot))
