"""/privacy: what claimbot keeps about you, and `/privacy forget-me` to delete it. Open to everyone."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.privacy import PrivacyService
from bot.ui import respond

if TYPE_CHECKING:
    from bot.client import ClaimBot

log = logging.getLogger(__name__)

WHAT_IS_STORED = (
    "**What claimbot keeps about you**\n"
    "- It never stores the messages it reads for auto-replies.\n"
    "- Your **Helpful / Wrong claim** votes, with your user id.\n"
    "- `/check` questions no stored claim answered go to the moderators' review queue as text, "
    "without your name; a one-way salted hash of your id only counts distinct askers.\n"
    "- If you moderate claims: your id as the author of the changes you made.\n\n"
    "`/privacy forget-me` deletes your votes and hashes and removes your id from the change log."
)


@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
class Privacy(commands.GroupCog, group_name="privacy", group_description="What claimbot keeps about you"):
    def __init__(self, bot: ClaimBot) -> None:
        self.bot = bot

    @property
    def service(self) -> PrivacyService:
        service = PrivacyService(self.bot.claims.sessions)  # cheap: it holds the session factory only
        service.retry_policy = self.bot.claims.retry_policy
        return service

    @app_commands.command(name="info", description="What claimbot stores about you")
    async def info(self, interaction: discord.Interaction[ClaimBot]) -> None:
        await respond(interaction, WHAT_IS_STORED, ephemeral=True)

    @app_commands.command(
        name="forget-me", description="Delete your votes and remove your id from claimbot's records"
    )
    async def forget_me(self, interaction: discord.Interaction[ClaimBot]) -> None:
        forgotten = await self.service.forget_user(interaction.user.id)
        log.info("forget-me interaction=%s: %d records", interaction.id, forgotten.total)
        if not forgotten.total:
            text = "claimbot held nothing about you. Nothing to delete."
        else:
            text = (
                f"Done. Deleted {_count(forgotten.votes, 'vote')} and "
                f"{_count(forgotten.questions, 'review-queue asker hash', 'review-queue asker hashes')}; "
                f"your id no longer appears in {_count(forgotten.log_entries, 'log entry', 'log entries')}."
            )
        await respond(interaction, text, ephemeral=True)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


async def setup(bot: ClaimBot) -> None:
    await bot.add_cog(Privacy(bot))
