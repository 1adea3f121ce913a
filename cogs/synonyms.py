"""/synonyms: a server's groups of words that mean the same thing to the matcher ("NK, DPRK, North Korea")."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import ensure_moderator
from bot.errors import ClaimbotError
from bot.ui import join_lines, respond, safe_text

if TYPE_CHECKING:
    from bot.client import ClaimBot

log = logging.getLogger(__name__)

MAX_GROUPS = 200
MAX_TERMS = 20
MAX_TERM = 100
_UNSTORABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")  # control characters, lone surrogates


def parse_group(terms: str) -> list[str]:
    """Parse "NK, DPRK, North Korea" into ["NK", "DPRK", "North Korea"]: at least two different terms."""
    group: list[str] = []
    for term in (" ".join(t.split()) for t in terms.split(",")):
        if term and term.casefold() not in {g.casefold() for g in group}:
            group.append(term)
    if len(group) < 2:
        raise ClaimbotError("A synonym group needs at least two different terms, separated by commas.")
    if len(group) > MAX_TERMS:
        raise ClaimbotError(f"A synonym group has at most {MAX_TERMS} terms.")
    if any(len(term) > MAX_TERM for term in group):
        raise ClaimbotError(f"Each term has at most {MAX_TERM} characters.")
    if any(_UNSTORABLE.search(term) for term in group):
        raise ClaimbotError("Terms cannot contain control characters.")
    return group


@app_commands.guild_only()
@app_commands.default_permissions(manage_messages=True)
class Synonyms(
    commands.GroupCog,
    group_name="synonyms",
    group_description="Words the matcher treats as the same (moderators)",
):
    def __init__(self, bot: ClaimBot) -> None:
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction[ClaimBot]) -> bool:
        return await ensure_moderator(interaction)

    @app_commands.command(name="list", description="Show this server's synonym groups")
    async def list(self, interaction: discord.Interaction[ClaimBot]) -> None:
        groups = await self.bot.claims.synonyms(interaction.guild_id)
        if not groups:
            text = "This server has no synonym groups yet. Add one with `/synonyms add`."
        else:
            lines = [
                f"**{i}.** " + ", ".join(safe_text(t, MAX_TERM) for t in g) for i, g in enumerate(groups, 1)
            ]
            text = join_lines(lines, 1900)
        await respond(interaction, text, ephemeral=True)

    @app_commands.command(name="add", description="Add a group of words that mean the same thing")
    @app_commands.describe(terms="Comma-separated words or phrases, e.g. 'NK, DPRK, North Korea'")
    async def add(
        self, interaction: discord.Interaction[ClaimBot], terms: app_commands.Range[str, 3, 1000]
    ) -> None:
        assert interaction.guild_id is not None
        group = parse_group(terms)
        groups = await self.bot.claims.synonyms(interaction.guild_id)
        if len(groups) >= MAX_GROUPS:
            raise ClaimbotError(f"A server has at most {MAX_GROUPS} synonym groups; remove one first.")
        wanted = {t.casefold() for t in group}
        if any({t.casefold() for t in g} == wanted for g in groups):
            raise ClaimbotError("This server already has that synonym group.")
        await self.bot.claims.set_synonyms(
            interaction.guild_id, [*groups, group], actor=str(interaction.user.id)
        )
        log.info("synonym group added by user=%s guild=%s", interaction.user.id, interaction.guild_id)
        shown = ", ".join(safe_text(t, MAX_TERM) for t in group)
        await respond(interaction, f"Added synonym group {len(groups) + 1}: {shown}", ephemeral=True)

    @app_commands.command(name="remove", description="Remove a synonym group by its number in /synonyms list")
    @app_commands.describe(number="The group's number, as /synonyms list shows it")
    async def remove(
        self, interaction: discord.Interaction[ClaimBot], number: app_commands.Range[int, 1, MAX_GROUPS]
    ) -> None:
        assert interaction.guild_id is not None
        groups = await self.bot.claims.synonyms(interaction.guild_id)
        if number > len(groups):
            raise ClaimbotError(f"There is no group {number}; this server has {len(groups)}.")
        removed = groups.pop(number - 1)
        await self.bot.claims.set_synonyms(interaction.guild_id, groups, actor=str(interaction.user.id))
        log.info("synonym group removed by user=%s guild=%s", interaction.user.id, interaction.guild_id)
        shown = ", ".join(safe_text(t, MAX_TERM) for t in removed)
        await respond(interaction, f"Removed synonym group {number}: {shown}", ephemeral=True)


async def setup(bot: ClaimBot) -> None:
    await bot.add_cog(Synonyms(bot))
