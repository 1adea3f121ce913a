"""/claim: moderators add, edit, attribute, archive, import, export and inspect their server's claims.

Every change goes through ClaimService (audited, with the moderator's user id as actor). A server's
moderators may change global claims and their own server's claims, never another server's.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import Day, Url, ensure_moderator, is_moderator
from bot.claims import MAX_NOTE, MAX_PARTY, MAX_QUOTE, MAX_TEXT, Claim, Stance, Statement, Status
from bot.errors import ClaimbotError
from bot.formats import MAX_INPUT_BYTES, derive_claim_id, dump_claims, parse_claims, parse_status_map
from bot.ui import (
    FIELD_VALUE_LIMIT,
    STATUS_EMOJI,
    Paginator,
    claim_choices,
    claim_embed,
    fit_embed,
    history_line,
    join_lines,
    respond,
    safe_text,
    status_label,
)
from cogs.review import send_stats

if TYPE_CHECKING:
    from bot.client import ClaimBot

log = logging.getLogger(__name__)

StatusName = Literal["alleged", "denied", "unevidenced"]
StanceName = Literal["alleges", "denies"]
FormatName = Literal["claims", "claimreview"]
PAGE_SIZE = 10
CHOICES_TTL = 15.0  # seconds a server's claim list is reused for autocomplete
EXPORT_LIMIT_BYTES = 8 * 1024 * 1024

ClaimId = app_commands.Range[str, 1, 64]


class ClaimTextModal(discord.ui.Modal):
    """Long text is easier to write in a modal: the claim text and its note."""

    def __init__(
        self,
        title: str,
        done: Callable[[discord.Interaction[ClaimBot], str, str | None], Awaitable[None]],
        *,
        text: str | None = None,
        note: str | None = None,
    ) -> None:
        super().__init__(title=title, timeout=900)
        self.done = done
        self.text = discord.ui.TextInput(
            label="Claim text",
            style=discord.TextStyle.paragraph,
            max_length=MAX_TEXT,
            default=text,
            custom_id="claim_text",
        )
        self.note = discord.ui.TextInput(
            label="Note (optional)",
            style=discord.TextStyle.paragraph,
            max_length=MAX_NOTE,
            required=False,
            default=note,
            custom_id="claim_note",
        )
        self.add_item(self.text)
        self.add_item(self.note)

    async def on_submit(self, interaction: discord.Interaction[ClaimBot]) -> None:
        await self.done(interaction, self.text.value, self.note.value.strip() or None)

    async def on_error(self, interaction: discord.Interaction[ClaimBot], error: Exception) -> None:
        from bot.client import report_error

        await report_error(interaction, error)


@app_commands.guild_only()
@app_commands.default_permissions(manage_messages=True)
class Claims(
    commands.GroupCog, group_name="claim", group_description="Manage this server's claims (moderators)"
):
    def __init__(self, bot: ClaimBot) -> None:
        self.bot = bot
        self._choices: dict[int, tuple[float, list[Claim]]] = {}

    async def interaction_check(self, interaction: discord.Interaction[ClaimBot]) -> bool:
        return await ensure_moderator(interaction)

    # -- helpers -----------------------------------------------------------------------------------

    @staticmethod
    def actor(interaction: discord.Interaction[ClaimBot]) -> str:
        return str(interaction.user.id)

    @staticmethod
    def guild_id(interaction: discord.Interaction[ClaimBot]) -> int:
        if interaction.guild_id is None:
            raise ClaimbotError("Claims are managed in a server.")
        return interaction.guild_id

    async def claim_autocomplete(
        self, interaction: discord.Interaction[ClaimBot], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not await is_moderator(interaction):
            return []
        cached = self._choices.get(interaction.guild_id)
        if cached is None or cached[0] < time.monotonic():
            claims = await self.bot.claims.find(guild_id=interaction.guild_id, archived=None, limit=None)
            cached = (time.monotonic() + CHOICES_TTL, claims)
            self._choices[interaction.guild_id] = cached
        return claim_choices(cached[1], current)

    async def change(
        self, interaction: discord.Interaction[ClaimBot], claim_id: str, **changes: Any
    ) -> Claim:
        guild_id = self.guild_id(interaction)
        updated = await self.bot.claims.change(
            claim_id, actor=self.actor(interaction), guild_id=guild_id, **changes
        )
        self._choices.pop(guild_id, None)
        log.info(
            "claim %s changed (%s) by user=%s guild=%s",
            claim_id,
            ", ".join(changes),
            interaction.user.id,
            guild_id,
        )
        return updated

    async def done(self, interaction: discord.Interaction[ClaimBot], message: str, claim: Claim) -> None:
        await respond(interaction, message, embed=claim_embed(claim, statement_limit=10), ephemeral=True)

    # -- creating and changing ---------------------------------------------------------------------

    @app_commands.command(
        name="add", description="Add a claim for this server (leave text empty to type it in a form)"
    )
    @app_commands.describe(
        status="alleged: a named party asserts it; denied: the party concerned denies it; "
        "unevidenced: no evidence offered",
        party="Who alleged or denied it, e.g. 'the Pentagon'",
        stance="Whether that party alleges or denies the claim",
        text="The claim, as one plain sentence (empty: a form opens for longer text)",
        note="Context a reader should know",
        stated_on="When the party said it, as YYYY-MM-DD",
        quote="The party's own words",
        source_url="A link to where it was reported",
        id="A short id (lowercase letters, digits, '-', '.', '_'); made from the text when empty",
    )
    async def add(
        self,
        interaction: discord.Interaction[ClaimBot],
        status: StatusName,
        party: app_commands.Range[str, 1, MAX_PARTY],
        stance: StanceName,
        text: app_commands.Range[str, 1, MAX_TEXT] | None = None,
        note: app_commands.Range[str, 1, MAX_NOTE] | None = None,
        stated_on: Day | None = None,
        quote: app_commands.Range[str, 1, MAX_QUOTE] | None = None,
        source_url: Url | None = None,
        id: ClaimId | None = None,
    ) -> None:
        statement = Statement(
            party=party.strip(),
            stance=Stance(stance),
            stated_on=stated_on,
            quote=quote,
            source_url=source_url,
        )

        async def create(interaction: discord.Interaction[ClaimBot], text: str, note: str | None) -> None:
            guild_id = self.guild_id(interaction)
            text = " ".join(text.split())
            claim = Claim(
                id=(id or derive_claim_id(text)).strip().lower(),
                text=text,
                status=Status(status),
                guild_id=guild_id,
                note=note,
                statements=(statement,),
            )
            created = await self.bot.claims.create(claim, actor=self.actor(interaction))
            self._choices.pop(guild_id, None)
            log.info("claim %s created by user=%s guild=%s", created.id, interaction.user.id, guild_id)
            await self.done(interaction, f"Added claim `{created.id}` for this server.", created)

        if text is None:
            await interaction.response.send_modal(ClaimTextModal("New claim", create, note=note))
            return
        await create(interaction, text, note)

    @app_commands.command(
        name="edit", description="Change a claim's text or note (leave both empty for a form)"
    )
    @app_commands.describe(
        claim="The claim to edit",
        text="The new claim text",
        note="The new note",
        clear_note="Remove the note",
    )
    @app_commands.autocomplete(claim=claim_autocomplete)
    async def edit(
        self,
        interaction: discord.Interaction[ClaimBot],
        claim: ClaimId,
        text: app_commands.Range[str, 1, MAX_TEXT] | None = None,
        note: app_commands.Range[str, 1, MAX_NOTE] | None = None,
        clear_note: bool = False,
    ) -> None:
        async def save(
            interaction: discord.Interaction[ClaimBot], text: str | None, note: str | None
        ) -> None:
            changes: dict[str, Any] = {}
            if text is not None:
                changes["text"] = " ".join(text.split())
            if note is not None or clear_note:
                changes["note"] = None if clear_note else note
            updated = await self.change(interaction, claim, **changes)
            await self.done(interaction, f"Updated claim `{updated.id}`.", updated)

        if text is None and note is None and not clear_note:
            current = await self.bot.claims.get(claim, guild_id=self.guild_id(interaction))
            modal = ClaimTextModal("Edit claim", save, text=current.text, note=current.note)
            await interaction.response.send_modal(modal)
            return
        await save(interaction, text, note)

    @app_commands.command(name="status", description="Change a claim's status")
    @app_commands.describe(claim="The claim", status="Its new status")
    @app_commands.autocomplete(claim=claim_autocomplete)
    async def status(
        self, interaction: discord.Interaction[ClaimBot], claim: ClaimId, status: StatusName
    ) -> None:
        updated = await self.change(interaction, claim, status=Status(status))
        await self.done(interaction, f"Claim `{updated.id}` is now {status_label(updated.status)}.", updated)

    @app_commands.command(name="attribute", description="Add who alleged or denied a claim, when and where")
    @app_commands.describe(
        claim="The claim",
        party="Who alleged or denied it",
        stance="Whether that party alleges or denies it",
        stated_on="When, as YYYY-MM-DD",
        quote="The party's own words",
        source_url="A link to where it was reported",
        source_title="The title of the report",
        publisher="Who published the report, e.g. 'Reuters'",
    )
    @app_commands.autocomplete(claim=claim_autocomplete)
    async def attribute(
        self,
        interaction: discord.Interaction[ClaimBot],
        claim: ClaimId,
        party: app_commands.Range[str, 1, MAX_PARTY],
        stance: StanceName,
        stated_on: Day | None = None,
        quote: app_commands.Range[str, 1, MAX_QUOTE] | None = None,
        source_url: Url | None = None,
        source_title: app_commands.Range[str, 1, 300] | None = None,
        publisher: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        current = await self.bot.claims.get(claim, guild_id=self.guild_id(interaction))
        statement = Statement(
            party=party.strip(),
            stance=Stance(stance),
            stated_on=stated_on,
            quote=quote,
            source_url=source_url,
            source_title=source_title,
            publisher=publisher,
        )
        if statement in current.statements:
            raise ClaimbotError("That claim already has exactly this statement.")
        updated = await self.change(interaction, claim, statements=(*current.statements, statement))
        await self.done(interaction, f"Added a statement to `{updated.id}`.", updated)

    @app_commands.command(name="alias", description="Add or remove another wording of a claim")
    @app_commands.describe(claim="The claim", action="Add or remove the wording", text="The other wording")
    @app_commands.autocomplete(claim=claim_autocomplete)
    async def alias(
        self,
        interaction: discord.Interaction[ClaimBot],
        claim: ClaimId,
        action: Literal["add", "remove"],
        text: app_commands.Range[str, 1, MAX_TEXT],
    ) -> None:
        current = await self.bot.claims.get(claim, guild_id=self.guild_id(interaction))
        text = " ".join(text.split())
        if action == "add":
            if text in current.aliases:
                raise ClaimbotError("That claim already has this wording.")
            aliases = (*current.aliases, text)
        else:
            if text not in current.aliases:
                raise ClaimbotError("That claim has no such wording; `/claim show` lists them.")
            aliases = tuple(a for a in current.aliases if a != text)
        updated = await self.change(interaction, claim, aliases=aliases)
        verb = "Added" if action == "add" else "Removed"
        await self.done(interaction, f"{verb} a wording of `{updated.id}`.", updated)

    @app_commands.command(
        name="archive", description="Archive a claim: it stops matching but keeps its history"
    )
    @app_commands.describe(claim="The claim to archive")
    @app_commands.autocomplete(claim=claim_autocomplete)
    async def archive(self, interaction: discord.Interaction[ClaimBot], claim: ClaimId) -> None:
        updated = await self.change(interaction, claim, archived=True)
        await self.done(interaction, f"Archived `{updated.id}`; it no longer matches.", updated)

    @app_commands.command(name="restore", description="Bring an archived claim back")
    @app_commands.describe(claim="The archived claim to restore")
    @app_commands.autocomplete(claim=claim_autocomplete)
    async def restore(self, interaction: discord.Interaction[ClaimBot], claim: ClaimId) -> None:
        updated = await self.change(interaction, claim, archived=False)
        await self.done(interaction, f"Restored `{updated.id}`; it matches again.", updated)

    # -- reading -----------------------------------------------------------------------------------

    @app_commands.command(name="show", description="Show a claim in full, with the feedback its answers got")
    @app_commands.describe(claim="The claim to show")
    @app_commands.autocomplete(claim=claim_autocomplete)
    async def show(self, interaction: discord.Interaction[ClaimBot], claim: ClaimId) -> None:
        guild_id = self.guild_id(interaction)
        found = await self.bot.claims.get(claim, guild_id=guild_id)
        votes = await self.bot.guild_service.feedback(found.id)
        embed = claim_embed(found, title=f"{status_label(found.status)} · {found.id}", text_limit=1200)
        if found.aliases:
            lines = [f"• {safe_text(a, 300)}" for a in found.aliases]
            embed.add_field(name="Other wordings", value=join_lines(lines, FIELD_VALUE_LIMIT), inline=False)
        scope = "this server only" if found.guild_id == guild_id else "every server (shared)"
        embed.add_field(name="Seen by", value=scope, inline=True)
        embed.add_field(name="State", value="archived" if found.archived else "active", inline=True)
        embed.add_field(
            name="Feedback",
            value=f"👍 {votes.get('helpful', 0)} helpful · 👎 {votes.get('wrong', 0)} wrong",
            inline=True,
        )
        await respond(interaction, embed=fit_embed(embed), ephemeral=True)

    @app_commands.command(name="list", description="List the claims this server sees")
    @app_commands.describe(
        status="Only claims with this status",
        archived="List archived claims instead",
        private="Show the list only to you (default); the page buttons work only for you either way",
    )
    async def list(
        self,
        interaction: discord.Interaction[ClaimBot],
        status: StatusName | None = None,
        archived: bool = False,
        private: bool = True,
    ) -> None:
        guild_id = self.guild_id(interaction)
        wanted = Status(status) if status else None

        async def page(number: int) -> tuple[discord.Embed, bool]:
            claims = await self.bot.claims.find(
                guild_id=guild_id,
                status=wanted,
                archived=archived,
                offset=number * PAGE_SIZE,
                limit=PAGE_SIZE + 1,
            )
            lines = [
                f"{STATUS_EMOJI[c.status]} `{c.id}`{' (this server)' if c.guild_id else ''}\n"
                f"{safe_text(c.text, 250)}"
                for c in claims[:PAGE_SIZE]
            ]
            kind = f"{'archived ' if archived else ''}{status or ''} claims".strip()
            embed = discord.Embed(
                title=f"{kind[0].upper()}{kind[1:]} · page {number + 1}",
                description=join_lines(lines, 4000) if lines else "No claims here.",
            )
            return embed, len(claims) > PAGE_SIZE

        view = Paginator(interaction.user.id, page)
        embed = await view.render()
        view.message = await respond(interaction, embed=embed, view=view, ephemeral=private)

    @app_commands.command(name="history", description="Show who changed a claim, and when")
    @app_commands.describe(claim="The claim")
    @app_commands.autocomplete(claim=claim_autocomplete)
    async def history(self, interaction: discord.Interaction[ClaimBot], claim: ClaimId) -> None:
        rows = await self.bot.claims.history(claim, guild_id=self.guild_id(interaction), limit=25)
        lines = [history_line(row) for row in rows]
        embed = discord.Embed(
            title=f"History of {safe_text(claim, 64)}",
            description=join_lines(lines, 4000) if lines else "No recorded changes.",
        )
        embed.set_footer(text="Newest first; at most 25 changes.")
        await respond(interaction, embed=embed, ephemeral=True)

    @app_commands.command(
        name="stats", description="Checks, auto-replies, feedback and unanswered questions, with a chart"
    )
    @app_commands.describe(
        claim="Only this claim", status="Only claims with this status", days="How many days back (default 30)"
    )
    @app_commands.autocomplete(claim=claim_autocomplete)
    async def stats(
        self,
        interaction: discord.Interaction[ClaimBot],
        claim: ClaimId | None = None,
        status: StatusName | None = None,
        days: app_commands.Range[int, 1, 365] = 30,
    ) -> None:
        await send_stats(interaction, claim=claim, status=status, days=days)  # cogs.review draws it

    # -- files -------------------------------------------------------------------------------------

    @app_commands.command(
        name="import", description="Import claims for this server from a claims/v1 or ClaimReview file"
    )
    @app_commands.describe(
        file="A JSON file in claims/v1 or schema.org ClaimReview format",
        format="The file's format (detected when empty)",
        status_map="For ClaimReview: ratings to statuses, e.g. 'False=denied,Unproven=unevidenced'",
    )
    async def import_(
        self,
        interaction: discord.Interaction[ClaimBot],
        file: discord.Attachment,
        format: FormatName | None = None,
        status_map: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        guild_id = self.guild_id(interaction)
        if file.size > MAX_INPUT_BYTES:
            raise ClaimbotError(f"That file is too large: at most {MAX_INPUT_BYTES // (1024 * 1024)} MB.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        claims = parse_claims(data, format=format, status_map=parse_status_map(status_map or ""))
        summary = await self.bot.claims.import_claims(
            claims, guild_id=guild_id, actor=self.actor(interaction)
        )
        self._choices.pop(guild_id, None)
        log.info("import by user=%s guild=%s: %s", interaction.user.id, guild_id, summary)
        await respond(
            interaction, f"Imported {len(claims)} claims for this server: {summary}.", ephemeral=True
        )

    @app_commands.command(name="export", description="Download claims as a file")
    @app_commands.describe(
        format="claims (claims/v1, re-importable) or claimreview (schema.org JSON-LD)",
        scope="server: this server's own claims; visible: also the shared claims every server sees",
    )
    async def export(
        self,
        interaction: discord.Interaction[ClaimBot],
        format: FormatName = "claims",
        scope: Literal["server", "visible"] = "server",
    ) -> None:
        guild_id = self.guild_id(interaction)
        claims = await self.bot.claims.find(guild_id=guild_id, archived=None, limit=None)
        if scope == "server":
            claims = [c for c in claims if c.guild_id == guild_id]
        data = dump_claims(claims, format=format)
        if len(data) > EXPORT_LIMIT_BYTES:
            raise ClaimbotError("That export is too large for Discord; use `claimbot export` on the server.")
        name = f"claims-{guild_id}-{scope}.{'claimreview.' if format == 'claimreview' else ''}json"
        file = discord.File(io.BytesIO(data), filename=name)
        await respond(interaction, f"{len(claims)} claims.", file=file, ephemeral=True)


async def setup(bot: ClaimBot) -> None:
    await bot.add_cog(Claims(bot))
