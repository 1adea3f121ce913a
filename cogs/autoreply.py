"""Auto-replies: the bot answers restated claims by itself in channels that moderators enable.

The per-message path is the hot path: most messages arrive in channels that are not enabled, so
the enabled channels, the ignore list and the settings of each server are cached in memory for a
few seconds (a change made by another process is seen within `CACHE_TTL`), and the engine runs
only when the channel is enabled and the message is long enough to matter.

A reply is sent only when the engine decides `autoreply` with the server's thresholds, at most
once per claim per channel per cooldown (kept in the database, so several processes agree), and
at most AUTOREPLY_CHANNEL_CAP times per channel per AUTOREPLY_CHANNEL_CAP_SECONDS (settings; counted
in memory and in the database) so a flood of matching messages gets a bounded number of replies.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import ensure_manager
from bot.guilds import DEFAULT_COOLDOWN_SECONDS, DEFAULT_WRONG_VOTES_TO_DELETE, GuildConfig, GuildService
from bot.matching import DEFAULT_THRESHOLDS, CheckResult, Decision
from bot.ratelimit import KeyedLimiter
from bot.ui import NO_MENTIONS, FeedbackView, answer_embed, respond

if TYPE_CHECKING:
    from bot.client import ClaimBot

log = logging.getLogger(__name__)

CACHE_TTL = 5.0  # seconds a server's channels, ignore list and settings are trusted without a look
MIN_CHARS = 20  # shorter messages are never worth the engine's time
MIN_WORDS = 4
MAX_REMEMBERED_REPLIES = (
    100_000  # recent (channel, claim) replies kept in memory; older ones ask the database
)
REPLYABLE_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})

Clock = Callable[[], float]


class Outcome(StrEnum):
    """What the handler did with a message; returned for tests and the load benchmark, and logged."""

    NOT_IN_GUILD = "not-in-guild"
    FROM_BOT = "from-bot"
    NOT_A_CHAT_MESSAGE = "not-a-chat-message"
    CHANNEL_NOT_ENABLED = "channel-not-enabled"
    TOO_SHORT = "too-short"
    IGNORED = "ignored"
    CHANNEL_CAPPED = "channel-capped"
    NO_AUTOREPLY = "no-autoreply"
    COOLDOWN = "cooldown"
    CANNOT_SEND = "cannot-send"
    SEND_FAILED = "send-failed"
    REPLIED = "replied"


@dataclass(frozen=True)
class GuildState:
    """One server's auto-reply view of the database, as of `loaded_at`."""

    loaded_at: float
    channels: frozenset[int]
    ignored_users: frozenset[int]
    ignored_roles: frozenset[int]
    config: GuildConfig | None  # loaded only when the server has an enabled channel


def _minutes(seconds: int) -> str:
    minutes = seconds / 60
    return f"{minutes:g} min"


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class AutoReply(
    commands.GroupCog, group_name="autoreply", group_description="Automatic replies to restated claims"
):
    def __init__(self, bot: ClaimBot, *, clock: Clock = time.monotonic) -> None:
        self.bot = bot
        self.clock = clock
        # The flood cap: auto-replies per channel per window, whatever the claims.
        self.cap = bot.settings.autoreply_channel_cap
        self.cap_seconds = bot.settings.autoreply_channel_cap_seconds
        self.channel_cap = KeyedLimiter(self.cap, self.cap_seconds, clock=clock)
        self._states: dict[int, GuildState] = {}
        self._loading: dict[int, asyncio.Future[GuildState]] = {}
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        # (channel, claim) -> when this process replied (self.clock). The database stays the source of
        # truth; this only spares it the question while this process knows the answer is "not yet".
        self._replied: OrderedDict[tuple[int, str], float] = OrderedDict()

    @property
    def guild_service(self) -> GuildService:
        return self.bot.guild_service

    async def interaction_check(self, interaction: discord.Interaction[ClaimBot]) -> bool:
        """Manage Server, enforced on the bot's side too: `default_permissions` only hides the commands."""
        return await ensure_manager(interaction)

    # -- the cache ---------------------------------------------------------------------------------

    def forget(self, guild_id: int) -> None:
        """Drop a server's cached state, after a change made in this process."""
        self._states.pop(guild_id, None)
        self._loading.pop(guild_id, None)  # a look already under way may predate the change

    async def state(self, guild_id: int) -> GuildState:
        state = self._states.get(guild_id)
        if state is not None and self.clock() - state.loaded_at < CACHE_TTL:
            return state
        pending = self._loading.get(guild_id)
        if pending is None:
            # One load per server at a time: a burst of messages waits for the same look.
            pending = asyncio.ensure_future(self._load(guild_id))
            self._loading[guild_id] = pending
            pending.add_done_callback(lambda done: self._loaded(guild_id, done))
        return await asyncio.shield(pending)

    def _loaded(self, guild_id: int, done: asyncio.Future[GuildState]) -> None:
        if self._loading.get(guild_id) is not done:
            return  # forgotten while loading: keep nothing that may predate the change
        del self._loading[guild_id]
        if not done.cancelled() and done.exception() is None:
            self._states[guild_id] = done.result()

    async def _load(self, guild_id: int) -> GuildState:
        started = self.clock()
        guilds = self.guild_service
        channels = frozenset(await guilds.autoreply_channels(guild_id))
        users: set[int] = set()
        roles: set[int] = set()
        config = None
        if channels:
            for kind, target_id in await guilds.ignored(guild_id):
                (users if kind == "user" else roles).add(target_id)
            config = await guilds.config(guild_id)
        return GuildState(started, channels, frozenset(users), frozenset(roles), config)

    # -- the message path --------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        try:
            await self.handle(message)
        except Exception:
            log.exception(
                "autoreply failed on message=%s channel=%s guild=%s",
                message.id,
                message.channel.id,
                message.guild and message.guild.id,
            )

    async def handle(self, message: discord.Message) -> Outcome:
        """Decide whether to auto-reply to a new message, and reply. Edited messages never come here."""
        started = time.perf_counter()
        guild = message.guild
        if guild is None:
            return Outcome.NOT_IN_GUILD
        author = message.author
        if author.bot or message.webhook_id is not None or author.id == self.bot.user.id:
            return self._done(message, Outcome.FROM_BOT, started)
        if message.type not in REPLYABLE_TYPES:
            return self._done(message, Outcome.NOT_A_CHAT_MESSAGE, started)
        state = await self.state(guild.id)
        channel_id = message.channel.id
        if channel_id not in state.channels or state.config is None:
            return self._done(message, Outcome.CHANNEL_NOT_ENABLED, started)
        content = message.content
        if len(content) < MIN_CHARS or len(content.split(None, MIN_WORDS)) < MIN_WORDS:
            return self._done(message, Outcome.TOO_SHORT, started)
        if author.id in state.ignored_users or (
            state.ignored_roles
            and any(role.id in state.ignored_roles for role in getattr(author, "roles", ()))
        ):
            return self._done(message, Outcome.IGNORED, started)
        if self.channel_cap.retry_after(channel_id):
            return self._done(message, Outcome.CHANNEL_CAPPED, started)

        config = state.config
        result = self.bot.claims.screen(content, guild_id=guild.id, thresholds=config.thresholds)
        best = result.matches[0] if result.matches else None
        score = best.score if best else None
        claim_id = best.claim_id if best else None
        if result.decision != Decision.AUTOREPLY or best is None:
            return self._done(message, Outcome.NO_AUTOREPLY, started, result.decision, claim_id, score)

        lock = self._locks.get(channel_id)
        if lock is None:
            lock = self._locks[channel_id] = asyncio.Lock()
        async with lock:  # one decision at a time per channel, so a burst cannot pass the cooldown twice
            outcome = await self._reply(message, config, result, claim_id)
        return self._done(message, outcome, started, result.decision, claim_id, score)

    async def _reply(
        self, message: discord.Message, config: GuildConfig, result: CheckResult, claim_id: str
    ) -> Outcome:
        guilds = self.guild_service
        channel_id = message.channel.id
        replied_at = self._replied.get((channel_id, claim_id))
        if replied_at is not None and self.clock() - replied_at < config.cooldown_seconds:
            return Outcome.COOLDOWN
        if not await guilds.cooldown_allows(channel_id, claim_id, config.cooldown_seconds):
            return Outcome.COOLDOWN
        if self.channel_cap.retry_after(channel_id):
            return Outcome.CHANNEL_CAPPED
        # Other processes count too: the database knows every auto-reply sent in this channel.
        if await guilds.autoreplies_since(channel_id, self.cap_seconds) >= self.cap:
            return Outcome.CHANNEL_CAPPED
        me = message.guild.me
        permissions = message.channel.permissions_for(me) if me is not None else None
        if permissions is not None and not (permissions.send_messages and permissions.embed_links):
            return Outcome.CANNOT_SEND
        # Only now the claim itself, from the database (the source of truth: it may have been archived).
        answer = await self.bot.claims.resolve(message.content, result)
        if answer.decision != Decision.AUTOREPLY or not answer.matches:
            return Outcome.NO_AUTOREPLY
        self.channel_cap.hit(channel_id)
        try:
            reply = await message.reply(
                embed=answer_embed(answer, config.thresholds),
                view=FeedbackView(),
                allowed_mentions=NO_MENTIONS,
                mention_author=False,
            )
        except discord.HTTPException as error:
            log.warning(
                "autoreply to message %s in channel %s failed: %s %s",
                message.id,
                channel_id,
                error.status,
                error.text,
            )
            return Outcome.SEND_FAILED
        await guilds.record_reply(
            message_id=reply.id,
            guild_id=message.guild.id,
            channel_id=channel_id,
            claim_id=claim_id,
            kind="autoreply",
        )
        self._replied[(channel_id, claim_id)] = self.clock()
        self._replied.move_to_end((channel_id, claim_id))
        while len(self._replied) > MAX_REMEMBERED_REPLIES:
            self._replied.popitem(last=False)
        log.info("autoreply sent reply=%s to message=%s claim=%s", reply.id, message.id, claim_id)
        return Outcome.REPLIED

    def _done(
        self,
        message: discord.Message,
        outcome: Outcome,
        started: float,
        decision: Decision | None = None,
        claim_id: str | None = None,
        score: float | None = None,
    ) -> Outcome:
        latency_ms = (time.perf_counter() - started) * 1000
        level = logging.INFO if decision == Decision.AUTOREPLY else logging.DEBUG
        if log.isEnabledFor(level):
            log.log(
                level,
                "autoreply guild=%s channel=%s message=%s author=%s outcome=%s decision=%s claim=%s "
                "score=%s latency=%.1fms",
                message.guild.id,
                message.channel.id,
                message.id,
                message.author.id,
                outcome.value,
                decision.value if decision is not None else "-",
                claim_id or "-",
                f"{score:.3f}" if score is not None else "-",
                latency_ms,
            )
            if log.isEnabledFor(logging.DEBUG):
                log.debug("autoreply message=%s content=%r", message.id, message.content[:300])
        return outcome

    # -- commands ----------------------------------------------------------------------------------

    @app_commands.command(
        name="enable", description="Let the bot answer restated claims by itself in a channel"
    )
    @app_commands.describe(channel="The channel where the bot may auto-reply")
    async def enable(self, interaction: discord.Interaction[ClaimBot], channel: discord.TextChannel) -> None:
        if channel.guild.id != interaction.guild_id:
            await respond(interaction, "That channel is not in this server.", ephemeral=True)
            return
        added = await self.guild_service.enable_autoreply(
            interaction.guild_id, channel.id, actor=str(interaction.user.id)
        )
        self.forget(interaction.guild_id)
        log.info(
            "autoreply enabled guild=%s channel=%s by=%s",
            interaction.guild_id,
            channel.id,
            interaction.user.id,
        )
        text = (
            f"Auto-replies are now on in {channel.mention}."
            if added
            else f"Auto-replies were already on in {channel.mention}."
        )
        missing = [
            name
            for name in ("view_channel", "send_messages", "embed_links", "read_message_history")
            if not getattr(channel.permissions_for(channel.guild.me), name)
        ]
        if missing:
            text += f"\nI am missing permissions there: {', '.join(missing)}."
        await respond(interaction, text, ephemeral=True)

    @app_commands.command(name="disable", description="Stop auto-replies in a channel")
    @app_commands.describe(channel="The channel where the bot should stop auto-replying")
    async def disable(self, interaction: discord.Interaction[ClaimBot], channel: discord.TextChannel) -> None:
        if channel.guild.id != interaction.guild_id:
            await respond(interaction, "That channel is not in this server.", ephemeral=True)
            return
        removed = await self.guild_service.disable_autoreply(channel.id)
        self.forget(interaction.guild_id)
        log.info(
            "autoreply disabled guild=%s channel=%s by=%s",
            interaction.guild_id,
            channel.id,
            interaction.user.id,
        )
        text = (
            f"Auto-replies are now off in {channel.mention}."
            if removed
            else (f"Auto-replies were not on in {channel.mention}.")
        )
        await respond(interaction, text, ephemeral=True)

    @app_commands.command(name="settings", description="Change how sure and how often the bot auto-replies")
    @app_commands.describe(
        threshold="How sure the engine must be to auto-reply, 0 to 1 (higher is stricter)",
        cooldown="Minutes before the bot answers the same claim again in a channel",
        wrong_votes='"Wrong claim" votes that delete an auto-reply',
        reset="Restore one setting, or all of them, to the default",
    )
    async def settings(
        self,
        interaction: discord.Interaction[ClaimBot],
        threshold: app_commands.Range[float, 0.0, 1.0] | None = None,
        cooldown: app_commands.Range[int, 0, 10080] | None = None,
        wrong_votes: app_commands.Range[int, 1, 100] | None = None,
        reset: Literal["threshold", "cooldown", "wrong_votes", "all"] | None = None,
    ) -> None:
        fields: dict[str, float | int | None] = {}
        if reset in ("threshold", "all"):
            fields["autoreply_threshold"] = None
        if reset in ("cooldown", "all"):
            fields["cooldown_seconds"] = None
        if reset in ("wrong_votes", "all"):
            fields["wrong_votes_to_delete"] = None
        if threshold is not None:
            fields["autoreply_threshold"] = threshold
        if cooldown is not None:
            fields["cooldown_seconds"] = cooldown * 60
        if wrong_votes is not None:
            fields["wrong_votes_to_delete"] = wrong_votes
        guilds = self.guild_service
        if threshold is not None:
            suggest = (await guilds.config(interaction.guild_id)).thresholds.suggest
            if threshold < suggest:
                await respond(
                    interaction,
                    f"The threshold cannot be below this server's suggestion threshold ({suggest:.2f}).",
                    ephemeral=True,
                )
                return
        if fields:
            config = await guilds.update(interaction.guild_id, **fields)
            self.forget(interaction.guild_id)
            log.info(
                "autoreply settings guild=%s by=%s changed=%s",
                interaction.guild_id,
                interaction.user.id,
                sorted(fields),
            )
            head = "Settings saved."
        else:
            config = await guilds.config(interaction.guild_id)
            head = "Nothing changed. Current settings:"
        await respond(interaction, head + "\n" + _describe(config), ephemeral=True)

    @app_commands.command(
        name="status", description="Show where the bot auto-replies and with which settings"
    )
    async def status(self, interaction: discord.Interaction[ClaimBot]) -> None:
        guilds = self.guild_service
        channels = await guilds.autoreply_channels(interaction.guild_id)
        config = await guilds.config(interaction.guild_id)
        where = ", ".join(f"<#{channel_id}>" for channel_id in channels) if channels else "no channel"
        await respond(interaction, f"Auto-replies are on in: {where}.\n" + _describe(config), ephemeral=True)


def _describe(config: GuildConfig) -> str:
    def mark(value, default) -> str:
        return " (default)" if value == default else ""

    threshold = config.thresholds.autoreply
    return "\n".join(
        (
            f"- threshold: {threshold:.2f}{mark(threshold, DEFAULT_THRESHOLDS.autoreply)}",
            f"- cooldown: {_minutes(config.cooldown_seconds)}"
            f"{mark(config.cooldown_seconds, DEFAULT_COOLDOWN_SECONDS)}",
            f"- wrong votes to delete: {config.wrong_votes_to_delete}"
            f"{mark(config.wrong_votes_to_delete, DEFAULT_WRONG_VOTES_TO_DELETE)}",
        )
    )


async def setup(bot: ClaimBot) -> None:
    await bot.add_cog(AutoReply(bot))
