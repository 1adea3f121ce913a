"""Per-server settings, auto-reply channels, cooldowns, the ignore list and feedback votes.

All of it lives in the database, so any bot process can serve any server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import ClaimbotError
from bot.matching import DEFAULT_THRESHOLDS, Thresholds
from bot.retry import DEFAULT_POLICY, RetryPolicy, retry_read, retry_write
from db.repositories import GuildRepository, ReplyRepository, now

DEFAULT_COOLDOWN_SECONDS = 3600
DEFAULT_WRONG_VOTES_TO_DELETE = 3
VOTES = ("helpful", "wrong")
IGNORE_KINDS = ("user", "role")


@dataclass(frozen=True)
class GuildConfig:
    guild_id: int
    moderator_role_id: int | None
    thresholds: Thresholds
    cooldown_seconds: int
    wrong_votes_to_delete: int


@dataclass(frozen=True)
class Vote:
    """The outcome of a feedback vote on one of the bot's messages."""

    claim_id: str
    kind: str  # what the message was: "check" or "autoreply"
    helpful: int
    wrong: int


class GuildService:
    retry_policy: RetryPolicy = DEFAULT_POLICY  # the bot sets it from the settings

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    @retry_read
    async def config(self, guild_id: int) -> GuildConfig:
        async with self.sessions() as session:
            row = await GuildRepository(session).settings(guild_id)
        return GuildConfig(
            guild_id=guild_id,
            moderator_role_id=row.moderator_role_id if row else None,
            thresholds=Thresholds(
                suggest=_or(row and row.suggest_threshold, DEFAULT_THRESHOLDS.suggest),
                autoreply=_or(row and row.autoreply_threshold, DEFAULT_THRESHOLDS.autoreply),
            ),
            cooldown_seconds=_or(row and row.cooldown_seconds, DEFAULT_COOLDOWN_SECONDS),
            wrong_votes_to_delete=_or(row and row.wrong_votes_to_delete, DEFAULT_WRONG_VOTES_TO_DELETE),
        )

    @retry_write
    async def update(self, guild_id: int, **fields: float | int | None) -> GuildConfig:
        """Change settings; a None value restores the default. Unknown or out-of-range values are refused."""
        for name, value in fields.items():
            _check_setting(name, value)
        async with self.sessions() as session, session.begin():
            await GuildRepository(session).update_settings(guild_id, **fields)
        return await self.config(guild_id)

    @retry_read
    async def autoreply_channels(self, guild_id: int) -> list[int]:
        async with self.sessions() as session:
            return await GuildRepository(session).autoreply_channels(guild_id)

    @retry_read
    async def is_autoreply_channel(self, channel_id: int) -> bool:
        async with self.sessions() as session:
            return await GuildRepository(session).is_autoreply_channel(channel_id)

    @retry_write
    async def enable_autoreply(self, guild_id: int, channel_id: int, *, actor: str) -> bool:
        async with self.sessions() as session, session.begin():
            return await GuildRepository(session).enable_autoreply(guild_id, channel_id, actor=actor)

    @retry_write
    async def disable_autoreply(self, channel_id: int) -> bool:
        async with self.sessions() as session, session.begin():
            return await GuildRepository(session).disable_autoreply(channel_id)

    @retry_read
    async def ignored(self, guild_id: int) -> list[tuple[str, int]]:
        async with self.sessions() as session:
            return await GuildRepository(session).ignored(guild_id)

    @retry_write
    async def set_ignored(self, guild_id: int, kind: str, target_id: int, ignored: bool) -> bool:
        if kind not in IGNORE_KINDS:
            raise ClaimbotError(f"Can only ignore {' or '.join(IGNORE_KINDS)}s.")
        async with self.sessions() as session, session.begin():
            repository = GuildRepository(session)
            if ignored:
                return await repository.ignore(guild_id, kind, target_id)
            return await repository.unignore(guild_id, kind, target_id)

    @retry_read
    async def cooldown_allows(self, channel_id: int, claim_id: str, cooldown_seconds: int) -> bool:
        """Whether the bot may auto-reply about this claim in this channel now."""
        async with self.sessions() as session:
            last = await ReplyRepository(session).last_autoreply_at(channel_id, claim_id)
        return last is None or now() - last >= timedelta(seconds=cooldown_seconds)

    @retry_read
    async def autoreplies_since(self, channel_id: int, seconds: float) -> int:
        async with self.sessions() as session:
            return await ReplyRepository(session).autoreplies_since(
                channel_id, now() - timedelta(seconds=seconds)
            )

    @retry_write
    async def record_reply(
        self, *, message_id: int, guild_id: int | None, channel_id: int, claim_id: str, kind: str
    ) -> None:
        async with self.sessions() as session, session.begin():
            ReplyRepository(session).record(
                message_id=message_id, guild_id=guild_id, channel_id=channel_id, claim_id=claim_id, kind=kind
            )

    @retry_write
    async def vote(self, message_id: int, user_id: int, vote: str) -> Vote | None:
        """Record a person's vote on one of the bot's messages. None when the message is unknown."""
        if vote not in VOTES:
            raise ClaimbotError(f"Unknown vote {vote!r}.")
        async with self.sessions() as session, session.begin():
            replies = ReplyRepository(session)
            reply = await replies.get(message_id)
            if reply is None:
                return None
            await replies.vote(reply, user_id, vote)
            await session.flush()
            counts = await replies.tally(message_id=message_id)
            return Vote(
                claim_id=reply.claim_id, kind=reply.kind, helpful=counts["helpful"], wrong=counts["wrong"]
            )

    @retry_read
    async def feedback(self, claim_id: str) -> dict[str, int]:
        async with self.sessions() as session:
            return await ReplyRepository(session).tally(claim_id=claim_id)

    @retry_write
    async def forget_user(self, user_id: int) -> int:
        async with self.sessions() as session, session.begin():
            return await ReplyRepository(session).forget_user(user_id)


SETTING_RANGES: dict[str, tuple[float, float]] = {
    "suggest_threshold": (0.0, 1.0),
    "autoreply_threshold": (0.0, 1.0),
    "cooldown_seconds": (0, 7 * 24 * 3600),
    "wrong_votes_to_delete": (1, 100),
}


def _check_setting(name: str, value: float | int | None) -> None:
    if name == "moderator_role_id":
        return
    if name not in SETTING_RANGES:
        raise ClaimbotError(f"Unknown setting {name!r}.")
    low, high = SETTING_RANGES[name]
    if value is not None and not low <= value <= high:
        raise ClaimbotError(f"{name} must be between {low:g} and {high:g}.")


def _or(value, default):
    return default if value is None else value

