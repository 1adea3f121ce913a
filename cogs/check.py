"""/check and the "Check claim" message menu: anyone asks which stored claim a statement restates."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.matching import DEFAULT_THRESHOLDS
from bot.ratelimit import CheckLimits, CheckLimitSettings
from bot.ui import FeedbackView, answer_embed, fit_embed, respond, safe_text

if TYPE_CHECKING:
    from bot.client import ClaimBot

log = logging.getLogger(__name__)

MAX_STATEMENT = 1000


class Check(commands.Cog):
    def __init__(self, bot: ClaimBot) -> None:
        self.bot = bot
        self.limits = CheckLimits(CheckLimitSettings.from_settings(bot.settings))
        self.menu = app_commands.ContextMenu(name="Check claim", callback=self.check_message)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @app_commands.command(
        name="check", description="Find the stored claim a statement restates, and its status"
    )
    @app_commands.describe(
        statement="The statement to look up, in your own words",
        private="Show the answer only to you (default: everyone in the channel sees it)",
    )
    async def check(
        self,
        interaction: discord.Interaction[ClaimBot],
        statement: app_commands.Range[str, 1, MAX_STATEMENT],
        private: bool = False,
    ) -> None:
        await self.answer(interaction, statement, private=private, source="slash")

    async def check_message(
        self, interaction: discord.Interaction[ClaimBot], message: discord.Message
    ) -> None:
        """The "Check claim" menu on a message: a public answer that links the message it checked."""
        text = message.content or " ".join(e.description or "" for e in message.embeds)
        if not text.strip():
            await respond(interaction, "That message has no text to check.", ephemeral=True)
            return
        await self.answer(interaction, text[:MAX_STATEMENT], private=False, source="menu", target=message)

    async def answer(
        self,
        interaction: discord.Interaction[ClaimBot],
        statement: str,
        *,
        private: bool,
        source: str,
        target: discord.Message | None = None,
    ) -> None:
        started = time.perf_counter()
        self.limits.hit(interaction.user.id, interaction.channel_id)
        guild_id = interaction.guild_id
        thresholds = (
            (await self.bot.guild_service.config(guild_id)).thresholds if guild_id else DEFAULT_THRESHOLDS
        )
        answer = await self.bot.claims.check(statement, guild_id=guild_id, thresholds=thresholds)
        embed = answer_embed(answer, thresholds)
        if target is not None:
            embed.add_field(
                name="Checked message", value=f"[Jump to the message]({target.jump_url})", inline=False
            )
            fit_embed(embed)
        top = answer.matches[0] if answer.matches else None
        with_buttons = top is not None and not private and guild_id is not None
        if with_buttons:  # what was checked, for the reader and for "Wrong claim" reports (cogs.review)
            embed.add_field(name="Checked statement", value=f"> {safe_text(statement, 300)}", inline=False)
            fit_embed(embed)
        view = FeedbackView() if with_buttons else discord.utils.MISSING
        sent = await respond(interaction, embed=embed, ephemeral=private, view=view)
        if with_buttons and top is not None:
            message = sent or await interaction.original_response()
            await self.bot.guild_service.record_reply(
                message_id=message.id,
                guild_id=guild_id,
                channel_id=message.channel.id,
                claim_id=top[1].id,
                kind="check",
            )
        self.bot.dispatch("claim_checked", interaction, answer)  # cogs.review queues unanswered ones
        log.info(
            "check via=%s interaction=%s guild=%s channel=%s user=%s decision=%s claim=%s score=%.3f "
            "private=%s latency_ms=%.1f",
            source,
            interaction.id,
            guild_id,
            interaction.channel_id,
            interaction.user.id,
            answer.decision,
            top and top[1].id,
            top[0].score if top else 0.0,
            private,
            (time.perf_counter() - started) * 1000,
        )
        log.debug("check interaction=%s statement=%r", interaction.id, statement)


async def setup(bot: ClaimBot) -> None:
    await bot.add_cog(Check(bot))
