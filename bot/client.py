"""The Discord client: the bot, its command tree with the one error handler, and `run_bot` for the CLI.

Nothing is built at import time: `create_bot(settings)` makes a bot, `setup_hook` opens the store,
loads the extensions in `EXTENSIONS` and registers the persistent feedback buttons.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.checks import TRANSFORMER_HINTS
from bot.config import Settings
from bot.errors import ClaimbotError, StoreUnavailable
from bot.formats import FormatError
from bot.guilds import GuildService
from bot.index_sync import IndexSync
from bot.retry import is_store_failure
from bot.review import ReviewService
from bot.service import ClaimService
from bot.store import Store
from bot.ui import NO_MENTIONS, FeedbackView, respond, safe_message, safe_text

log = logging.getLogger(__name__)

EXTENSIONS: tuple[str, ...] = (
    "cogs.admin",
    "cogs.autoreply",
    "cogs.check",
    "cogs.claims",
    "cogs.moderation",
    "cogs.privacy",
    "cogs.review",
    "cogs.synonyms",
)
APOLOGY = "Sorry, something went wrong on my side. It has been logged; please try again later."
ERROR_MESSAGE_LIMIT = 1500


def intents() -> discord.Intents:
    """Guilds, guild messages and message content (privileged: the auto-replies read messages)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.message_content = True
    return wanted


class ClaimTree(app_commands.CommandTree["ClaimBot"]):
    """The command tree; its `on_error` is the only error handler for app commands."""

    async def on_error(
        self, interaction: discord.Interaction[ClaimBot], error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


def error_message(error: BaseException) -> str | None:
    """The short message for an expected error, or None for an unexpected one."""
    if isinstance(error, app_commands.CommandInvokeError | commands.CommandInvokeError):
        error = error.original
    if isinstance(error, FormatError):  # quotes the uploaded file: shown as plain text
        return safe_text(str(error), ERROR_MESSAGE_LIMIT) or "That file could not be read."
    if isinstance(error, ClaimbotError):  # our wording, may use `code` around user input
        return safe_message(str(error), ERROR_MESSAGE_LIMIT) or "That did not work."
    if is_store_failure(error):  # the database, from code that does not retry
        return str(StoreUnavailable())
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"You're going a bit fast. Try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.TransformerError):
        hint = TRANSFORMER_HINTS.get(type(error.transformer), "a valid value")
        return f"`{safe_text(str(error.value), 100)}` is not {hint}."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That only works in a server."
    if isinstance(error, app_commands.MissingPermissions | app_commands.BotMissingPermissions):
        missing = ", ".join(p.replace("_", " ").replace("guild", "server") for p in error.missing_permissions)
        who = "You need" if isinstance(error, app_commands.MissingPermissions) else "I need"
        return f"{who} the {missing} permission for that."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You can't use that here."
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return "That command is out of date; Discord should update it shortly."
    return None


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Expected errors become a short ephemeral answer; the rest is logged with its traceback."""
    message = error_message(error)
    command = interaction.command.qualified_name if interaction.command else None
    if message is None:
        original = getattr(error, "original", error)
        log.error(
            "unexpected error in %s (interaction=%s user=%s guild=%s)",
            command or f"component {interaction.data and interaction.data.get('custom_id')}",
            interaction.id,
            interaction.user.id,
            interaction.guild_id,
            exc_info=(type(original), original, original.__traceback__),
        )
        message = APOLOGY
    else:
        log.info(
            "refused %s for user=%s guild=%s: %s",
            command,
            interaction.user.id,
            interaction.guild_id,
            type(error),
        )
    if interaction.type == discord.InteractionType.autocomplete:
        return
    try:
        await respond(interaction, message, ephemeral=True)
    except discord.HTTPException as failure:
        log.warning("could not tell user=%s about an error: %s", interaction.user.id, failure)


class ClaimBot(commands.AutoShardedBot):
    """The bot. `store`, `claims` and `guild_service` exist once `setup_hook` ran.

    Sharded: SHARD_COUNT/SHARD_IDS choose the shards this process runs; unset, discord.py asks
    Discord for the shard count and runs them all. Several processes can share one database;
    `index_sync` keeps this process's match index in step with the others' changes.
    """

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            tree_cls=ClaimTree,
            allowed_mentions=NO_MENTIONS,
            help_command=None,
            shard_count=settings.shard_count,
            shard_ids=settings.shard_ids,
        )
        self.settings = settings
        self.index_sync: IndexSync | None = None
        self.store: Store | None = None
        self._guild_service: GuildService | None = None
        self.review: ReviewService | None = None  # the review queue and stats, once setup_hook ran

    @property
    def claims(self) -> ClaimService:
        if self.store is None:
            raise RuntimeError("the claim store is not open yet (setup_hook has not run)")
        return self.store.service

    @property
    def guild_service(self) -> GuildService:
        """Per-server settings, auto-reply channels, cooldowns, the ignore list and votes."""
        if self._guild_service is None:
            raise RuntimeError("the guild service is not ready yet (setup_hook has not run)")
        return self._guild_service

    async def setup_hook(self) -> None:
        self.store = await Store.open(self.settings)
        self._guild_service = GuildService(self.store.service.sessions)
        self._guild_service.retry_policy = self.store.service.retry_policy
        self.review = ReviewService(self.store.service.sessions, self.store.service)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.add_view(FeedbackView())
        gc.freeze()  # the index lives as long as the process: spare it from every collection's scan
        # LISTEN/NOTIFY (PostgreSQL) runs inside IndexSync; the periodic revision check is the loop below.
        self.index_sync = IndexSync.from_settings(self.store.service, self.settings, poll=False)
        self.index_sync.start()
        self.refresh_index.change_interval(seconds=self.settings.index_sync_interval)
        self.refresh_index.start()
        if self.settings.dev_guild_id:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to the development server %s", len(synced), guild.id)
        log.info("ready to serve: %d extensions loaded", len(self.extensions))

    async def close(self) -> None:
        self.refresh_index.cancel()
        if self.index_sync is not None:
            await self.index_sync.stop()
        if self._ready is discord.utils.MISSING:
            # Closed without ever starting (tests): AutoShardedClient.close needs what `async with bot`
            # or login() would have set up.
            await self._async_setup_hook()
        try:
            await super().close()
        finally:
            if self.store is not None:
                await self.store.close()
                self.store = None

    @tasks.loop(seconds=1.0)  # setup_hook sets INDEX_SYNC_INTERVAL
    async def refresh_index(self) -> None:
        """The revision check: pick up claims other processes (the CLI, other bot instances) changed.

        IndexSync.refresh never raises: failures are logged there and the next turn tries again.
        """
        if self.index_sync is not None:
            changed = await self.index_sync.refresh()
            if changed:
                log.info("match index refreshed: %d claims changed elsewhere", changed)

    async def on_ready(self) -> None:
        log.info(
            "logged in as %s (%s) in %d servers", self.user, self.user and self.user.id, len(self.guilds)
        )


def create_bot(settings: Settings) -> ClaimBot:
    return ClaimBot(settings)


async def run_bot(settings: Settings, *, sync_only: bool = False) -> int:
    """`claimbot run` (connect and serve until stopped) and `claimbot sync` (sync globally, exit)."""
    if not settings.discord_token:
        log.error("DISCORD_TOKEN is not set")
        return 2
    bot = create_bot(settings)
    try:
        async with bot:
            if sync_only:
                await bot.login(settings.discord_token)
                synced = await bot.tree.sync()
                log.info("synced %d global commands; Discord may take a while to show them", len(synced))
                return 0
            await bot.start(settings.discord_token)
    except discord.LoginFailure:
        log.error("Discord refused the token; check DISCORD_TOKEN")
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error(
            "Discord refused the Message Content intent; enable it under Bot > Privileged Gateway Intents "
            "in the developer portal"
        )
        return 1
    return 0
