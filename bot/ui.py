"""What the bot shows on Discord: safe text, claim embeds, the feedback buttons and the reply helper.

Everything user- or moderator-written that reaches Discord goes through `safe_text`: markdown and
masked links are escaped, mentions are broken with a zero-width space, and Discord's length limits
are respected by cutting at a word boundary. Every message is also sent with `NO_MENTIONS`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import discord
from discord import app_commands
from rapidfuzz import fuzz, process

from bot.claims import Claim, Stance, Statement, Status, is_web_url
from bot.matching import Decision, Match, Thresholds
from bot.service import Answer

if TYPE_CHECKING:
    from bot.client import ClaimBot

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()

# Discord's embed limits.
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
MAX_FIELDS = 25
CONTENT_LIMIT = 2000

ELLIPSIS = "…"
ZWSP = "\u200b"

STATUS_EMOJI = {Status.ALLEGED: "🟡", Status.DENIED: "🔴", Status.UNEVIDENCED: "🟣"}
STATUS_COLOURS = {
    Status.ALLEGED: discord.Colour.gold(),
    Status.DENIED: discord.Colour.red(),
    Status.UNEVIDENCED: discord.Colour.purple(),
}
NO_MATCH_COLOUR = discord.Colour.light_grey()

FEEDBACK_HELPFUL_ID = "claimbot:feedback:helpful"
FEEDBACK_WRONG_ID = "claimbot:feedback:wrong"

# Markdown characters are escaped wherever they appear (not only where discord.utils.escape_markdown's
# look-aheads think they pair up), so escaped pieces can sit next to the bot's own formatting without
# a lone `*` pairing with ours; brackets are escaped so no masked link survives; `-`, `#` and `>`
# only matter at the start of a line (lists, headings, quotes). URLs are kept intact: a backslash
# inside one would break it, and they stay plain links, never masked ones.
_URL = r"(?P<url>https?://[^\s<>\[\]()]+)"
_LINE_START = r"(?P<line>^[ \t]*)(?P<lead>[-#>])"
_MARKDOWN = r"(?P<markdown>[\\*_~|`\[\]<>])"
_ESCAPE = re.compile(f"{_URL}|{_LINE_START}|{_MARKDOWN}", re.MULTILINE)


def _escape_one(match: re.Match[str]) -> str:
    if match.group("url"):
        return match.group("url")
    if match.group("lead"):
        return match.group("line") + "\\" + match.group("lead")
    return "\\" + match.group("markdown")


def escape(text: str) -> str:
    """Escape markdown, masked links and mentions so the text shows exactly as written and pings nobody."""
    text = _ESCAPE.sub(_escape_one, text)
    # `@everyone`, `@here`, `<@123>`, `<@&456>`, `<@!789>`: a zero-width space after every @ breaks them all.
    return text.replace("@", "@" + ZWSP)


def truncate(text: str, limit: int) -> str:
    """Cut plain text to at most `limit` characters, at a word boundary where one is near, adding "…"."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space >= len(cut) * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-—\\\n") + ELLIPSIS


def safe_text(text: str, limit: int) -> str:
    """`text` escaped (see `escape`) and cut to fit `limit` characters once escaped."""
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    budget = limit
    while budget > 0:
        candidate = truncate(text, budget)
        escaped = (
            escape(candidate[: -len(ELLIPSIS)]) + ELLIPSIS
            if candidate.endswith(ELLIPSIS)
            else escape(candidate)
        )
        if len(escaped) <= limit:
            return escaped
        budget -= max(1, len(escaped) - limit)
    return ""


def safe_message(text: str, limit: int) -> str:
    """Our own messages (errors, confirmations) that may quote user input inside `code`: markdown stays,
    mentions and masked links are broken, and the length is capped."""
    text = text.replace("@", "@" + ZWSP).replace("](", "]\\(")
    return truncate(text, limit)


def safe_url(url: str | None) -> str | None:
    """A URL fit for a masked link: http(s) only, parentheses encoded; None for anything else."""
    if not url or not is_web_url(url):
        return None
    return url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def source_link(statement: Statement) -> str | None:
    url = safe_url(statement.source_url)
    if url is None:
        return None
    label = statement.publisher or urlsplit(url).hostname or "source"
    label = safe_text(label, 60).replace("[", "").replace("]", "") or "source"
    return f"[{label}]({url})"


def format_date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def attribution_line(statement: Statement, *, quote_limit: int = 300) -> str:
    """e.g. "**Alleged by** the Pentagon, 28 Oct 2024 — “a significant escalation” — [Reuters](url)"."""
    verb = "Alleged by" if statement.stance == Stance.ALLEGES else "Denied by"
    head = f"**{verb}** {safe_text(statement.party, 200)}"
    if statement.stated_on:
        head += f", {format_date(statement.stated_on)}"
    parts = [head]
    if statement.quote:
        parts.append(f"“{safe_text(statement.quote, quote_limit)}”")
    link = source_link(statement)
    if link:
        parts.append(link)
    return " — ".join(parts)


def join_lines(lines: Sequence[str], limit: int, *, more: str = "…and {n} more") -> str:
    """As many whole lines as fit in `limit`, then a count of the rest."""
    shown: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        rest = len(lines) - i - 1
        tail = len(more.format(n=rest)) + 1 if rest else 0
        if used + len(line) + 1 + tail > limit:
            if not shown:  # a single line longer than the whole budget: cut it
                shown.append(truncate(line, limit - len(more.format(n=len(lines) - 1)) - 1))
                i += 1
            shown.append(more.format(n=len(lines) - i))
            return "\n".join(shown)[:limit]
        shown.append(line)
        used += len(line) + 1
    return "\n".join(shown)


def confidence(score: float, thresholds: Thresholds) -> str:
    """The match score as a word and a percentage, e.g. "strong match (92%)"."""
    if score >= thresholds.autoreply:
        word = "Strong match"
    elif score >= thresholds.suggest:
        word = "Possible match"
    else:
        word = "Weak match"
    return f"{word} ({round(score * 100)}%)"


def status_label(status: Status) -> str:
    return f"{STATUS_EMOJI[status]} {status.value.capitalize()}"


def claim_embed(
    claim: Claim,
    *,
    match: Match | None = None,
    thresholds: Thresholds | None = None,
    title: str | None = None,
    text_limit: int = 1500,
    statement_limit: int | None = None,
) -> discord.Embed:
    """One claim: its text, status with meaning, attribution, note and (optionally) the match quality."""
    embed = discord.Embed(
        title=truncate(title or status_label(claim.status), TITLE_LIMIT),
        colour=STATUS_COLOURS[claim.status],
        description=f"{safe_text(claim.text, text_limit)}\n\n*{claim.status.meaning}*",
    )
    statements = list(claim.statements)
    if statement_limit is not None:
        statements = statements[:statement_limit]
    if claim.statements:
        lines = [attribution_line(s) for s in statements]
        value = join_lines(lines, FIELD_VALUE_LIMIT, more="…and {n} more statements")
        if len(statements) < len(claim.statements) and "more statements" not in value:
            value = join_lines(
                [*lines, f"…and {len(claim.statements) - len(statements)} more statements"], FIELD_VALUE_LIMIT
            )
        embed.add_field(name="Attribution", value=value, inline=False)
    if claim.note:
        embed.add_field(name="Note", value=safe_text(claim.note, FIELD_VALUE_LIMIT), inline=False)
    if match is not None and thresholds is not None:
        embed.add_field(name="Match", value=confidence(match.score, thresholds), inline=True)
    embed.set_footer(text=truncate(f"claim {claim.id}", FOOTER_LIMIT))
    return embed


def answer_embed(answer: Answer, thresholds: Thresholds) -> discord.Embed:
    """The answer to /check, "Check claim" and auto-replies."""
    if answer.decision == Decision.NONE or not answer.matches:
        return discord.Embed(
            title="No matching claim",
            colour=NO_MATCH_COLOUR,
            description="No stored claim matches this statement.\n\n"
            f"> {safe_text(answer.query, 300) or '(empty)'}",
        )
    match, claim = answer.matches[0]
    embed = claim_embed(claim, match=match, thresholds=thresholds)
    if match.score < thresholds.autoreply:
        others = [
            f"{STATUS_EMOJI[c.status]} {safe_text(c.text, 250)} — "
            f"{confidence(m.score, thresholds)} · `{c.id}`"
            for m, c in answer.matches[1:3]
            if m.score >= thresholds.suggest
        ]
        if others:
            embed.add_field(
                name="Other possible claims", value=join_lines(others, FIELD_VALUE_LIMIT), inline=False
            )
    return fit_embed(embed)


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Shrink an embed under Discord's 6000-character total by trimming its longest parts."""
    while len(embed) > EMBED_TOTAL_LIMIT:
        excess = len(embed) - EMBED_TOTAL_LIMIT
        longest = max(range(len(embed.fields)), key=lambda i: len(embed.fields[i].value), default=None)
        description = embed.description or ""
        if longest is not None and len(embed.fields[longest].value) >= len(description):
            field = embed.fields[longest]
            embed.set_field_at(
                longest,
                name=field.name,
                value=truncate(field.value, max(1, len(field.value) - excess)),
                inline=field.inline,
            )
        else:
            embed.description = truncate(description, max(1, len(description) - excess))
    return embed


def history_line(row: Any) -> str:
    """One audit row: when, what, who (the actor as a mention, which never pings with NO_MENTIONS)."""
    actor = f"<@{row.actor}>" if str(row.actor).isdigit() else safe_text(str(row.actor), 40)
    changed = ""
    if row.before and row.after:
        fields = sorted(k for k in set(row.before) | set(row.after) if row.before.get(k) != row.after.get(k))
        if fields:
            changed = ": " + ", ".join(safe_text(f, 30) for f in fields)
    stamp = discord.utils.format_dt(row.at, "f") if row.at else "?"
    return f"{stamp} · **{row.action}** {safe_text(row.entity, 20)}{changed} · {actor}"


# -- claim pickers -------------------------------------------------------------------------------


def claim_choices(
    claims: Iterable[Claim], current: str, *, limit: int = 25
) -> list[app_commands.Choice[str]]:
    """Autocomplete choices for a claim option: fuzzy search over ids and texts, best first."""
    claims = list(claims)
    if current.strip():
        keyed = {c.id: f"{c.id} {c.text}" for c in claims}
        by_id = {c.id: c for c in claims}
        found = process.extract(
            current, keyed, scorer=fuzz.WRatio, processor=str.casefold, limit=limit, score_cutoff=40
        )
        ordered = [by_id[key] for _text, _score, key in found]
    else:
        ordered = sorted(claims, key=lambda c: c.id)[:limit]
    choices = []
    for claim in ordered:
        archived = " [archived]" if claim.archived else ""
        name = truncate(f"{claim.id}{archived} — {' '.join(claim.text.split())}", 100)
        choices.append(app_commands.Choice(name=name, value=claim.id))
    return choices


# -- replying --------------------------------------------------------------------------------------


async def respond(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    ephemeral: bool = False,
    **kwargs: Any,
) -> discord.Message | None:
    """Answer an interaction, or follow up when it was already answered. Never pings anyone.

    Returns the message sent, when Discord says which it is.
    """
    kwargs.setdefault("allowed_mentions", NO_MENTIONS)
    if content is not None:
        content = truncate(content, CONTENT_LIMIT)
    if interaction.response.is_done():
        return await interaction.followup.send(content, ephemeral=ephemeral, wait=True, **kwargs)
    callback = await interaction.response.send_message(content, ephemeral=ephemeral, **kwargs)
    resource = getattr(callback, "resource", None)
    return resource if isinstance(resource, discord.Message) else None


# -- views -----------------------------------------------------------------------------------------


class ClaimbotView(discord.ui.View):
    """A view whose errors go to the same handler as the command tree's."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        from bot.client import report_error

        await report_error(interaction, error)


class FeedbackView(ClaimbotView):
    """The "Helpful" and "Wrong claim" buttons under an answer. Persistent: fixed custom ids, no timeout.

    Register one instance with `bot.add_view(FeedbackView())`; it serves every answer, also
    after a restart, because the message id says which answer is being voted on.
    """

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(
        label="Helpful", emoji="👍", style=discord.ButtonStyle.secondary, custom_id=FEEDBACK_HELPFUL_ID
    )
    async def helpful(
        self, interaction: discord.Interaction[ClaimBot], button: discord.ui.Button[Any]
    ) -> None:
        await self._vote(interaction, "helpful")

    @discord.ui.button(
        label="Wrong claim", emoji="👎", style=discord.ButtonStyle.secondary, custom_id=FEEDBACK_WRONG_ID
    )
    async def wrong(self, interaction: discord.Interaction[ClaimBot], button: discord.ui.Button[Any]) -> None:
        await self._vote(interaction, "wrong")

    async def _vote(self, interaction: discord.Interaction[ClaimBot], vote: str) -> None:
        bot = interaction.client
        message = interaction.message
        if message is None:
            return await respond(interaction, "That answer is gone.", ephemeral=True)
        result = await bot.guild_service.vote(message.id, interaction.user.id, vote)
        log.info(
            "vote message=%s user=%s vote=%s kind=%s counts=%s/%s",
            message.id,
            interaction.user.id,
            vote,
            result and result.kind,
            result and result.helpful,
            result and result.wrong,
        )
        if result is None:
            return await respond(interaction, "I no longer track votes on that answer.", ephemeral=True)
        bot.dispatch("claim_feedback", interaction, message, result, vote)  # cogs.review queues "wrong"
        remove = False
        if result.kind == "autoreply" and interaction.guild_id is not None:
            config = await bot.guild_service.config(interaction.guild_id)
            remove = result.wrong >= config.wrong_votes_to_delete
        thanks = "Thanks, noted as helpful." if vote == "helpful" else "Thanks, noted as the wrong claim."
        if remove:
            await respond(
                interaction, f"{thanks} Enough people said so, so I removed that reply.", ephemeral=True
            )
            try:
                await message.delete()
            except discord.HTTPException as error:
                log.warning("could not delete auto-reply %s after wrong votes: %s", message.id, error)
            else:
                log.info("deleted auto-reply %s after %d wrong votes", message.id, result.wrong)
            return None
        await respond(
            interaction, f"{thanks} ({result.helpful} helpful, {result.wrong} wrong so far)", ephemeral=True
        )
        return None


class Paginator(ClaimbotView):
    """Previous / next buttons over pages of embeds that a callback builds; only the invoker may turn them."""

    def __init__(self, owner_id: int, fetch: Any, *, page: int = 0, timeout: float = 300) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.fetch = fetch  # async (page) -> (embed, has_next)
        self.page = page
        self.message: discord.Message | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id != self.owner_id:
            await respond(interaction, "Only the person who asked can turn these pages.", ephemeral=True)
            return False
        return True

    async def render(self) -> discord.Embed:
        embed, has_next = await self.fetch(self.page)
        self.previous.disabled = self.page == 0
        self.next.disabled = not has_next
        return embed

    @discord.ui.button(label="Previous", emoji="◀️", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        self.page = max(0, self.page - 1)
        await interaction.response.edit_message(embed=await self.render(), view=self)

    @discord.ui.button(label="Next", emoji="▶️", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        self.page += 1
        await interaction.response.edit_message(embed=await self.render(), view=self)

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException:
                pass
