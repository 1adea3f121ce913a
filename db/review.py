"""Repositories for the review queue, its settings and the stats it reports. They never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    ClaimRow,
    FeedbackRow,
    ReplyRow,
    ReviewAskerRow,
    ReviewEntryRow,
    ReviewSettingsRow,
)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class ReviewRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- entries ---------------------------------------------------------------------------------

    async def recent_open(
        self, guild_id: int, *, kind: str, wrong_claim_id: str | None, limit: int
    ) -> Sequence[ReviewEntryRow]:
        """The `limit` most recently asked open entries of a kind: what a new question is compared with."""
        query = (
            select(ReviewEntryRow)
            .where(
                ReviewEntryRow.guild_id == guild_id,
                ReviewEntryRow.state == "open",
                ReviewEntryRow.kind == kind,
            )
            .order_by(ReviewEntryRow.last_asked_at.desc(), ReviewEntryRow.id.desc())
            .limit(limit)
        )
        if wrong_claim_id is None:
            query = query.where(ReviewEntryRow.wrong_claim_id.is_(None))
        else:
            query = query.where(ReviewEntryRow.wrong_claim_id == wrong_claim_id)
        return (await self.session.scalars(query)).all()

    def add(self, row: ReviewEntryRow) -> None:
        self.session.add(row)

    async def add_asker(self, entry_id: int, asker_hash: str) -> bool:
        """Remember one asker of an entry. False when that hash was already there."""
        if await self.session.get(ReviewAskerRow, (entry_id, asker_hash)) is not None:
            return False
        self.session.add(ReviewAskerRow(entry_id=entry_id, asker_hash=asker_hash))
        return True

    async def get(self, guild_id: int, entry_id: int) -> ReviewEntryRow | None:
        row = await self.session.get(ReviewEntryRow, entry_id)
        return row if row is not None and row.guild_id == guild_id else None

    async def open_entries(
        self, guild_id: int, *, offset: int = 0, limit: int = 10
    ) -> Sequence[ReviewEntryRow]:
        """Most asked first, then most recently asked."""
        query = (
            select(ReviewEntryRow)
            .where(ReviewEntryRow.guild_id == guild_id, ReviewEntryRow.state == "open")
            .order_by(
                ReviewEntryRow.asks.desc(), ReviewEntryRow.last_asked_at.desc(), ReviewEntryRow.id.desc()
            )
            .offset(offset)
            .limit(limit)
        )
        return (await self.session.scalars(query)).all()

    async def count_open(self, guild_id: int) -> int:
        return (
            await self.session.scalar(
                select(func.count())
                .select_from(ReviewEntryRow)
                .where(ReviewEntryRow.guild_id == guild_id, ReviewEntryRow.state == "open")
            )
            or 0
        )

    async def search_open(self, guild_id: int, text: str, *, limit: int = 25) -> Sequence[ReviewEntryRow]:
        query = select(ReviewEntryRow).where(
            ReviewEntryRow.guild_id == guild_id, ReviewEntryRow.state == "open"
        )
        text = text.strip()
        if text:
            pattern = f"%{_escape_like(text.casefold())}%"
            query = query.where(
                or_(
                    func.lower(ReviewEntryRow.question).like(pattern, escape="\\"),
                    ReviewEntryRow.normalised.like(pattern, escape="\\"),
                )
            )
        query = query.order_by(ReviewEntryRow.asks.desc(), ReviewEntryRow.id.desc()).limit(limit)
        return (await self.session.scalars(query)).all()

    async def forget_askers(self, entry_id: int) -> None:
        rows = await self.session.scalars(select(ReviewAskerRow).where(ReviewAskerRow.entry_id == entry_id))
        for row in rows.all():
            await self.session.delete(row)

    # -- settings and the digest -----------------------------------------------------------------

    async def settings(self, guild_id: int) -> ReviewSettingsRow | None:
        return await self.session.get(ReviewSettingsRow, guild_id)

    async def set_digest_channel(self, guild_id: int, channel_id: int | None) -> None:
        row = await self.settings(guild_id)
        if row is None:
            row = ReviewSettingsRow(guild_id=guild_id)
            self.session.add(row)
        row.digest_channel_id = channel_id

    async def due_digests(self, cutoff: datetime) -> list[tuple[int, int]]:
        """(guild, channel) pairs with a digest channel and no digest sent since `cutoff`."""
        rows = await self.session.execute(
            select(ReviewSettingsRow.guild_id, ReviewSettingsRow.digest_channel_id).where(
                ReviewSettingsRow.digest_channel_id.is_not(None),
                or_(ReviewSettingsRow.digest_sent_at.is_(None), ReviewSettingsRow.digest_sent_at <= cutoff),
            )
        )
        return [(row.guild_id, row.digest_channel_id) for row in rows]

    async def take_digest(self, guild_id: int, *, cutoff: datetime, at: datetime) -> bool:
        """Mark the server's digest as sent at `at`, if it is still due. Only one process wins."""
        result = await self.session.execute(
            update(ReviewSettingsRow)
            .where(
                ReviewSettingsRow.guild_id == guild_id,
                ReviewSettingsRow.digest_channel_id.is_not(None),
                or_(ReviewSettingsRow.digest_sent_at.is_(None), ReviewSettingsRow.digest_sent_at <= cutoff),
            )
            .values(digest_sent_at=at)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    # -- claims, for autocomplete -----------------------------------------------------------------

    async def search_claims(self, guild_id: int, text: str, *, limit: int = 25) -> list[tuple[str, str]]:
        """(id, text) of active claims the server sees whose id or text contains `text`."""
        query = select(ClaimRow.id, ClaimRow.text).where(
            or_(ClaimRow.guild_id.is_(None), ClaimRow.guild_id == guild_id), ClaimRow.archived_at.is_(None)
        )
        text = text.strip()
        if text:
            pattern = f"%{_escape_like(text.casefold())}%"
            query = query.where(
                or_(
                    ClaimRow.id.like(pattern, escape="\\"),
                    func.lower(ClaimRow.text).like(pattern, escape="\\"),
                )
            )
        rows = await self.session.execute(query.order_by(ClaimRow.id).limit(limit))
        return [(row.id, row.text) for row in rows]


class StatsRepository:
    """Raw events for one server since a moment, optionally narrowed to a claim or a status.

    Bucketing by day happens in Python: date truncation differs between SQLite and PostgreSQL,
    and a server's events over a few weeks are few enough to stream.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def replies(
        self, guild_id: int, since: datetime, *, claim_id: str | None = None, status: str | None = None
    ) -> list[tuple[datetime, str, str, str | None]]:
        """(sent_at, kind, claim id, claim status) of the bot's answers."""
        query = (
            select(ReplyRow.sent_at, ReplyRow.kind, ReplyRow.claim_id, ClaimRow.status)
            .outerjoin(ClaimRow, ClaimRow.id == ReplyRow.claim_id)
            .where(ReplyRow.guild_id == guild_id, ReplyRow.sent_at >= since)
        )
        query = _narrow(query, ReplyRow.claim_id, claim_id, status)
        return [tuple(row) for row in await self.session.execute(query)]

    async def feedback(
        self, guild_id: int, since: datetime, *, claim_id: str | None = None, status: str | None = None
    ) -> list[tuple[datetime, str, str, str | None]]:
        """(at, vote, claim id, claim status) of feedback votes."""
        query = (
            select(FeedbackRow.at, FeedbackRow.vote, FeedbackRow.claim_id, ClaimRow.status)
            .outerjoin(ClaimRow, ClaimRow.id == FeedbackRow.claim_id)
            .where(FeedbackRow.guild_id == guild_id, FeedbackRow.at >= since)
        )
        query = _narrow(query, FeedbackRow.claim_id, claim_id, status)
        return [tuple(row) for row in await self.session.execute(query)]

    async def queued(
        self, guild_id: int, since: datetime, *, claim_id: str | None = None, status: str | None = None
    ) -> list[tuple[datetime, str, str | None, str | None]]:
        """(first asked, kind, related claim id, its status) of review entries opened since `since`.

        The related claim is the one a "wrong" report was about, else the engine's best candidate.
        """
        related = func.coalesce(ReviewEntryRow.wrong_claim_id, ReviewEntryRow.candidate_claim_id)
        query = (
            select(ReviewEntryRow.first_asked_at, ReviewEntryRow.kind, related, ClaimRow.status)
            .outerjoin(ClaimRow, ClaimRow.id == related)
            .where(ReviewEntryRow.guild_id == guild_id, ReviewEntryRow.first_asked_at >= since)
        )
        query = _narrow(query, related, claim_id, status)
        return [tuple(row) for row in await self.session.execute(query)]


def _narrow(query: Any, claim_column: Any, claim_id: str | None, status: str | None) -> Any:
    if claim_id is not None:
        query = query.where(claim_column == claim_id)
    if status is not None:
        query = query.where(ClaimRow.status == status)
    return query
