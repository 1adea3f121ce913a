"""/review: the moderators' queue of questions no claim answered, "wrong claim" reports, and insights.

The queue fills from two events other cogs dispatch, so they need not know this cog exists:
`claim_checked` (a `/check` or "Check claim" answer) and `claim_feedback` (a vote on an answer).
The service (`bot.review.ReviewService`, on `bot.review`) does the work; this cog only talks to Discord.
`send_stats` answers `/claim stats`; a weekly task posts a digest to the channel a server chose.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import time
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.checks import ensure_moderator, is_moderator
from bot.claims import MAX_PARTY, Claim, Stance, Statement, Status
from bot.errors import ClaimbotError
from bot.review import DIGEST_ENTRIES, ReviewEntry
from bot.stats import format_text, render_chart
from bot.ui import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    ZWSP,
    Paginator,
    claim_choices,
    claim_embed,
    join_lines,
    respond,
    safe_text,
    truncate,
)

if TYPE_CHECKING:
    from bot.client import ClaimBot
    from bot.guilds import Vote
    from bot.service import Answer

log = logging.getLogger(__name__)

PAGE_SIZE = 5
CHOICES_TTL = 15.0
DIGEST_CHECK_HOURS = 1.0  # how often the task looks for servers whose weekly digest is due
CHECKED_FIELD = "Checked statement"  # the field of a /check answer that holds the question
PROMOTE_TEXT_ID = "claimbot:review:promote:text"
PROMOTE_NOTE_ID = "claimbot:review:promote:note"
StatusName = Literal["alleged", "denied", "unevidenced"]
StanceName = Literal["alleges", "denies"]
_UNESCAPE = re.compile(r"\\(.)")


def unescape(text: str) -> str:
    """Undo `bot.ui.escape`: the text a person wrote, from what the bot showed."""
    return _UNESCAPE.sub(r"\1", text).replace("@" + ZWSP, "@")


async def question_of(message: discord.Message) -> str | None:
    """The statement an answer was about: its "Checked statement" field, or the message it replied to."""
    for embed in message.embeds:
        for field in embed.fields:
            if field.name == CHECKED_FIELD and field.value:
                return unescape(field.value).removeprefix("> ").strip() or None
    reference = message.reference
    if reference is None or reference.message_id is None:
        return None
    original = reference.resolved if isinstance(reference.resolved, discord.Message) else None
    if original is None:
        try:
            original = await message.channel.fetch_message(reference.message_id)
        except discord.HTTPException as error:
            log.info(
                "could not fetch message %s that answer %s replied to: %s",
                reference.message_id,
                message.id,
                error,
            )
            return None
    return original.content or None


def entry_line(entry: ReviewEntry) -> str:
    people = "person" if entry.askers == 1 else "people"
    head = f"**#{entry.id}** · asked {entry.asks}× by {entry.askers} {people}"
    if entry.kind == "wrong":
        head = f"**#{entry.id}** · 👎 reported {entry.asks}× as wrongly answered by `{entry.wrong_claim_id}`"
    head += f" · last {discord.utils.format_dt(entry.last_asked_at, 'R')}"
    channels = " ".join(f"<#{c}>" for c in entry.channel_ids[-3:])
    lines = [head, f"> {safe_text(entry.question, 300)}"]
    extra = []
    if channels:
        extra.append(f"in {channels}")
    if entry.kind == "unanswered" and entry.candidate_claim_id:
        extra.append(f"closest claim `{entry.candidate_claim_id}`")
    if extra:
        lines.append(" · ".join(extra))
    return "\n".join(lines)


def entry_choice(entry: ReviewEntry) -> app_commands.Choice[int]:
    mark = "👎 " if entry.kind == "wrong" else ""
    name = f"#{entry.id} · {entry.asks}× · {mark}{' '.join(entry.question.split())}"
    return app_commands.Choice(name=truncate(name, 100), value=entry.id)


async def send_stats(
    interaction: discord.Interaction[ClaimBot],
    *,
    claim: str | None = None,
    status: str | None = None,
    days: int = 30,
) -> None:
    """Answer with the server's numbers as text and as a PNG chart (`/claim stats`)."""
    if interaction.guild_id is None:
        raise ClaimbotError("Stats are per server.")
    if claim is not None:
        claim = (await interaction.client.claims.get(claim, guild_id=interaction.guild_id)).id
    await interaction.response.defer(ephemeral=True, thinking=True)
    stats = await interaction.client.review.stats.collect(
        interaction.guild_id, days=days, claim_id=claim, status=status
    )
    png = await asyncio.to_thread(render_chart, stats)
    text = format_text(stats, limit=CONTENT_LIMIT)
    file = discord.File(io.BytesIO(png), filename="claim-stats.png", description=truncate(text, 1000))
    await respond(interaction, text, file=file, ephemeral=True)


class PromoteModal(discord.ui.Modal):
    """The `/claim add` form, prefilled with the question: the moderator words the claim and submits."""

    def __init__(self, cog: Review, entry: ReviewEntry, status: Status, statement: Statement | None) -> None:
        super().__init__(title=truncate(f"New claim from #{entry.id}", 45), timeout=900)
        self.cog = cog
        self.entry = entry
        self.status = status
        self.statement = statement
        self.text = discord.ui.TextInput(
            label="Claim text",
            style=discord.TextStyle.paragraph,
            max_length=1000,
            default=entry.question,
            custom_id=PROMOTE_TEXT_ID,
        )
        self.note = discord.ui.TextInput(
            label="Note (optional)",
            style=discord.TextStyle.paragraph,
            max_length=1000,
            required=False,
            custom_id=PROMOTE_NOTE_ID,
        )
        self.add_item(self.text)
        self.add_item(self.note)

    async def on_submit(self, interaction: discord.Interaction[ClaimBot]) -> None:
        await self.cog.finish_promote(
            interaction,
            self.entry,
            " ".join(self.text.value.split()),
            self.note.value.strip() or None,
            self.status,
            self.statement,
        )

    async def on_error(self, interaction: discord.Interaction[ClaimBot], error: Exception) -> None:
        from bot.client import report_error

        await report_error(interaction, error)


@app_commands.guild_only()
@app_commands.default_permissions(manage_messages=True)
class Review(
    commands.GroupCog,
    group_name="review",
    group_description="Questions no claim answered, and wrong-claim reports (moderators)",
):
    def __init__(self, bot: ClaimBot) -> None:
        self.bot = bot
        self._claims: dict[int, tuple[float, list[Claim]]] = {}

    async def cog_load(self) -> None:
        self.digest_task.start()

    async def cog_unload(self) -> None:
        self.digest_task.cancel()

    async def interaction_check(self, interaction: discord.Interaction[ClaimBot]) -> bool:
        return await ensure_moderator(interaction)

    @staticmethod
    def guild_id(interaction: discord.Interaction[ClaimBot]) -> int:
        if interaction.guild_id is None:
            raise ClaimbotError("The review queue is per server.")
        return interaction.guild_id

    # -- the queue fills (events from cogs.check and bot.ui.FeedbackView) --------------------------

    @commands.Cog.listener()
    async def on_claim_checked(self, interaction: discord.Interaction[ClaimBot], answer: Answer) -> None:
        if interaction.guild_id is None or interaction.channel_id is None:
            return
        top = answer.matches[0][1].id if answer.matches else None
        entry = await self.bot.review.record_question(
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            user_id=interaction.user.id,
            question=answer.query,
            decision=answer.decision,
            candidate_claim_id=top,
        )
        if entry is not None:
            log.info(
                "queued check interaction=%s as review entry %s (asked %d×)",
                interaction.id,
                entry.id,
                entry.asks,
            )

    @commands.Cog.listener()
    async def on_claim_feedback(
        self, interaction: discord.Interaction[ClaimBot], message: discord.Message, vote: Vote, choice: str
    ) -> None:
        if choice != "wrong" or interaction.guild_id is None:
            return
        question = await question_of(message)
        if question is None:
            log.info("wrong-claim vote on %s: no question text to queue", message.id)
            return
        entry = await self.bot.review.record_wrong(
            interaction.guild_id, message.channel.id, vote.claim_id, question, user_id=interaction.user.id
        )
        if entry is not None:
            log.info("queued wrong-claim vote on %s as review entry %s", message.id, entry.id)

    # -- autocomplete ------------------------------------------------------------------------------

    async def entry_autocomplete(
        self, interaction: discord.Interaction[ClaimBot], current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None or not await is_moderator(interaction):
            return []
        text = current.strip().removeprefix("#")
        if text.isdigit():
            try:
                return [entry_choice(await self.bot.review.get(interaction.guild_id, int(text)))]
            except ClaimbotError:
                return []
        return [entry_choice(e) for e in await self.bot.review.search(interaction.guild_id, current)]

    async def claim_autocomplete(
        self, interaction: discord.Interaction[ClaimBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not await is_moderator(interaction):
            return []
        cached = self._claims.get(interaction.guild_id)
        if cached is None or cached[0] < time.monotonic():
            claims = await self.bot.claims.find(guild_id=interaction.guild_id, limit=None)
            cached = (time.monotonic() + CHOICES_TTL, claims)
            self._claims[interaction.guild_id] = cached
        return claim_choices(cached[1], current)

    # -- commands ----------------------------------------------------------------------------------

    @app_commands.command(name="list", description="Questions no claim answered, most asked first")
    async def list(self, interaction: discord.Interaction[ClaimBot]) -> None:
        guild_id = self.guild_id(interaction)

        async def page(number: int) -> tuple[discord.Embed, bool]:
            entries, total = await self.bot.review.page(guild_id, offset=number * PAGE_SIZE, limit=PAGE_SIZE)
            pages = max(1, -(-total // PAGE_SIZE))
            embed = discord.Embed(
                title=f"Review queue · page {number + 1} of {pages} · {total} open",
                description=join_lines([entry_line(e) for e in entries], DESCRIPTION_LIMIT)
                if entries
                else "Nothing to review: every question got an answer.",
            )
            embed.set_footer(text="/review promote, /review link or /review dismiss an entry by its number.")
            return embed, (number + 1) * PAGE_SIZE < total

        view = Paginator(interaction.user.id, page)
        embed = await view.render()
        view.message = await respond(interaction, embed=embed, view=view, ephemeral=True)

    @app_commands.command(name="promote", description="Make a new claim for this server from a question")
    @app_commands.describe(
        entry="The question, by number or text",
        status="alleged: a named party asserts it; denied: the party concerned denies it; "
        "unevidenced: no evidence offered",
        party="Who alleged or denied it, e.g. 'the Pentagon' (add more with /claim attribute)",
        stance="Whether that party alleges or denies it (default: alleges)",
    )
    @app_commands.autocomplete(entry=entry_autocomplete)
    async def promote(
        self,
        interaction: discord.Interaction[ClaimBot],
        entry: int,
        status: StatusName,
        party: app_commands.Range[str, 1, MAX_PARTY] | None = None,
        stance: StanceName = "alleges",
    ) -> None:
        found = await self.bot.review.get(self.guild_id(interaction), entry)
        if found.state != "open":
            raise ClaimbotError(f"Review entry #{entry} was already resolved ({found.state}).")
        statement = Statement(party=party.strip(), stance=Stance(stance)) if party else None
        await interaction.response.send_modal(PromoteModal(self, found, Status(status), statement))

    async def finish_promote(
        self,
        interaction: discord.Interaction[ClaimBot],
        entry: ReviewEntry,
        text: str,
        note: str | None,
        status: Status,
        statement: Statement | None,
    ) -> None:
        claim = await self.bot.review.promote(
            self.guild_id(interaction),
            entry.id,
            text=text,
            status=status,
            actor=str(interaction.user.id),
            note=note,
            statements=(statement,) if statement else (),
        )
        self._claims.pop(entry.guild_id, None)
        await respond(
            interaction,
            f"Added claim `{claim.id}` for this server from #{entry.id}; "
            "that question matches it from now on.",
            embed=claim_embed(claim),
            ephemeral=True,
        )

    @app_commands.command(name="link", description="Make a question another wording of an existing claim")
    @app_commands.describe(entry="The question, by number or text", claim="The claim it restates")
    @app_commands.autocomplete(entry=entry_autocomplete, claim=claim_autocomplete)
    async def link(
        self,
        interaction: discord.Interaction[ClaimBot],
        entry: int,
        claim: app_commands.Range[str, 1, 64],
    ) -> None:
        updated = await self.bot.review.link(
            self.guild_id(interaction), entry, claim, actor=str(interaction.user.id)
        )
        await respond(
            interaction,
            f"Linked #{entry} to `{updated.id}`: that question matches it from now on.",
            embed=claim_embed(updated),
            ephemeral=True,
        )

    @app_commands.command(name="dismiss", description="Remove a question from the queue without a claim")
    @app_commands.describe(entry="The question, by number or text")
    @app_commands.autocomplete(entry=entry_autocomplete)
    async def dismiss(self, interaction: discord.Interaction[ClaimBot], entry: int) -> None:
        await self.bot.review.dismiss(self.guild_id(interaction), entry, actor=str(interaction.user.id))
        await respond(interaction, f"Dismissed #{entry}.", ephemeral=True)

    @app_commands.command(name="digest", description="Post a weekly review digest to a channel, or stop it")
    @app_commands.describe(channel="Where the digest goes; leave empty to stop the digest")
    async def digest(
        self, interaction: discord.Interaction[ClaimBot], channel: discord.TextChannel | None = None
    ) -> None:
        guild_id = self.guild_id(interaction)
        if channel is not None:
            me = channel.guild.me
            allowed = channel.permissions_for(me) if me else None
            if allowed is None or not (allowed.send_messages and allowed.attach_files):
                raise ClaimbotError(f"I can't send messages with files in {channel.mention}.")
        await self.bot.review.set_digest_channel(guild_id, channel.id if channel else None)
        message = (
            f"The weekly review digest goes to {channel.mention}."
            if channel
            else "The weekly review digest is off."
        )
        await respond(interaction, message, ephemeral=True)

    # -- the weekly digest -------------------------------------------------------------------------

    @tasks.loop(hours=DIGEST_CHECK_HOURS)
    async def digest_task(self) -> None:
        try:
            await self.send_due_digests()
        except Exception:
            log.exception("sending review digests failed; trying again in %g h", DIGEST_CHECK_HOURS)

    @digest_task.before_loop
    async def _before_digest(self) -> None:
        await self.bot.wait_until_ready()

    async def send_due_digests(self, at: datetime | None = None) -> int:
        """Post every digest that is due; returns how many were sent."""
        sent = 0
        for guild_id, channel_id in await self.bot.review.due_digests(at):
            if self.bot.get_guild(guild_id) is None:
                continue  # a server on another shard or process: that process sends its digest
            channel = self.bot.get_channel(channel_id)
            if not isinstance(channel, discord.TextChannel) or channel.guild.id != guild_id:
                log.warning("digest channel %s of guild %s is gone; skipping", channel_id, guild_id)
                continue
            if not await self.bot.review.take_digest(guild_id, at):
                continue  # another process sent it
            try:
                await self.post_digest(channel)
            except discord.HTTPException as error:
                log.warning("could not post the review digest to %s: %s", channel_id, error)
                continue
            sent += 1
        return sent

    async def post_digest(self, channel: discord.TextChannel) -> None:
        guild_id = channel.guild.id
        entries, total = await self.bot.review.page(guild_id, limit=DIGEST_ENTRIES)
        stats = await self.bot.review.stats.collect(guild_id, days=7)
        embed = discord.Embed(
            title=f"Weekly review digest · {total} open questions",
            description=join_lines([entry_line(e) for e in entries], DESCRIPTION_LIMIT)
            if entries
            else "Nothing waits for review.",
        )
        embed.set_footer(text="Moderators: /review list · turn this off with /review digest")
        png = await asyncio.to_thread(render_chart, stats)
        text = format_text(stats, limit=CONTENT_LIMIT)
        file = discord.File(io.BytesIO(png), filename="week.png", description=truncate(text, 1000))
        await channel.send(text, embed=embed, file=file, allowed_mentions=discord.AllowedMentions.none())


async def setup(bot: ClaimBot) -> None:
    await bot.add_cog(Review(bot))
