"""Repositories: all SQL lives here. They take a session and never commit; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.claims import Claim, Stance, Statement, Status
from db.models import (
    AliasRow,
    AuditRow,
    AutoreplyChannelRow,
    ClaimRow,
    FeedbackRow,
    GuildSettingsRow,
    IgnoredRow,
    ReplyRow,
    StatementRow,
    SynonymGroupRow,
)

CLAIM_ENTITIES = ("claim", "statement", "alias")


def now() -> datetime:
    return datetime.now(UTC)


def claim_from_row(row: ClaimRow) -> Claim:
    return Claim(
        id=row.id,
        text=row.text,
        status=Status(row.status),
        guild_id=row.guild_id,
        note=row.note,
        aliases=tuple(alias.text for alias in row.aliases),
        statements=tuple(statement_from_row(s) for s in row.statements),
        archived=row.archived_at is not None,
    )


def statement_from_row(row: StatementRow) -> Statement:
    return Statement(
        party=row.party,
        stance=Stance(row.stance),
        stated_on=row.stated_on,
        quote=row.quote,
        source_url=row.source_url,
        source_title=row.source_title,
        publisher=row.publisher,
    )


def _statement_row(statement: Statement) -> StatementRow:
    return StatementRow(
        party=statement.party,
        stance=str(statement.stance),
        stated_on=statement.stated_on,
        quote=statement.quote,
        source_url=statement.source_url,
        source_title=statement.source_title,
        publisher=statement.publisher,
    )


def snapshot(claim: Claim) -> dict[str, Any]:
    """A JSON-ready picture of a claim, for the audit log."""
    return {
        "text": claim.text,
        "status": str(claim.status),
        "guild_id": claim.guild_id,
        "note": claim.note,
        "aliases": list(claim.aliases),
        "statements": [statement_snapshot(s) for s in claim.statements],
        "archived": claim.archived,
    }


def statement_snapshot(statement: Statement) -> dict[str, Any]:
    return {
        "party": statement.party,
        "stance": str(statement.stance),
        "stated_on": statement.stated_on.isoformat() if statement.stated_on else None,
        "quote": statement.quote,
        "source_url": statement.source_url,
        "source_title": statement.source_title,
        "publisher": statement.publisher,
    }


class AuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def record(
        self,
        *,
        actor: str,
        action: str,
        entity: str,
        entity_id: str,
        claim_id: str | None,
        guild_id: int | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        self.session.add(
            AuditRow(
                at=now(),
                actor=actor,
                action=action,
                entity=entity,
                entity_id=entity_id,
                claim_id=claim_id,
                guild_id=guild_id,
                before=before,
                after=after,
            )
        )

    async def for_claim(self, claim_id: str, *, limit: int = 50, offset: int = 0) -> Sequence[AuditRow]:
        query = (
            select(AuditRow)
            .where(AuditRow.claim_id == claim_id)
            .order_by(AuditRow.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return (await self.session.scalars(query)).all()

    async def last_id(self) -> int:
        return (await self.session.scalar(select(func.max(AuditRow.id)))) or 0

    async def changes_since(self, audit_id: int) -> tuple[int, set[str], set[int | None]]:
        """What changed after `audit_id`: (newest id, claim ids touched, synonym scopes touched)."""
        rows = (
            await self.session.execute(
                select(AuditRow.id, AuditRow.entity, AuditRow.claim_id, AuditRow.guild_id)
                .where(AuditRow.id > audit_id)
                .order_by(AuditRow.id)
            )
        ).all()
        claim_ids = {row.claim_id for row in rows if row.entity in CLAIM_ENTITIES and row.claim_id}
        synonym_scopes = {row.guild_id for row in rows if row.entity == "synonyms"}
        return (rows[-1].id if rows else audit_id), claim_ids, synonym_scopes


class ClaimRepository:
    """Claims with their aliases and statements. Every change is written to the audit log."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.audit = AuditLog(session)

    async def get_row(self, claim_id: str) -> ClaimRow | None:
        return await self.session.get(ClaimRow, claim_id)

    async def get(self, claim_id: str) -> Claim | None:
        row = await self.get_row(claim_id)
        return claim_from_row(row) if row else None

    async def get_many(self, claim_ids: Iterable[str]) -> dict[str, Claim]:
        # In chunks: a refresh after a big import asks for every claim it touched, and PostgreSQL takes
        # at most 32,767 bind parameters per statement.
        rows = await self.rows_by_id(list(claim_ids))
        return {claim_id: claim_from_row(row) for claim_id, row in rows.items()}

    async def rows_by_id(self, claim_ids: Sequence[str], *, chunk: int = 500) -> dict[str, ClaimRow]:
        rows: dict[str, ClaimRow] = {}
        for start in range(0, len(claim_ids), chunk):
            ids = claim_ids[start : start + chunk]
            rows.update(
                (row.id, row)
                for row in await self.session.scalars(select(ClaimRow).where(ClaimRow.id.in_(ids)))
            )
        return rows

    async def find(
        self,
        *,
        guild_id: int | None = None,
        visible_to_guild: bool = True,
        status: Status | None = None,
        archived: bool = False,
        offset: int = 0,
        limit: int | None = 25,
    ) -> list[Claim]:
        """Claims a server sees (global plus its own), or with visible_to_guild=False every claim."""
        query = select(ClaimRow).order_by(ClaimRow.id)
        if visible_to_guild:
            scope = ClaimRow.guild_id.is_(None)
            if guild_id is not None:
                scope = scope | (ClaimRow.guild_id == guild_id)
            query = query.where(scope)
        if status is not None:
            query = query.where(ClaimRow.status == str(status))
        if archived is not None:
            archived_clause = (
                ClaimRow.archived_at.is_not(None) if archived else ClaimRow.archived_at.is_(None)
            )
            query = query.where(archived_clause)
        query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return [claim_from_row(row) for row in await self.session.scalars(query)]

    async def all_active(self) -> list[Claim]:
        rows = await self.session.scalars(select(ClaimRow).where(ClaimRow.archived_at.is_(None)))
        return [claim_from_row(row) for row in rows]

    async def save(self, claim: Claim, *, actor: str) -> str:
        """Create or replace a claim by id. Returns "created", "updated" or "unchanged"."""
        return self._save(claim, await self.get_row(claim.id), actor=actor)

    async def save_many(self, claims: Sequence[Claim], *, actor: str) -> list[str]:
        """`save` for many claims, with one query per 500 ids instead of one per claim."""
        rows = await self.rows_by_id([claim.id for claim in claims])
        return [self._save(claim, rows.get(claim.id), actor=actor) for claim in claims]

    def _save(self, claim: Claim, row: ClaimRow | None, *, actor: str) -> str:
        if row is None:
            stamp = now()
            row = ClaimRow(
                id=claim.id,
                created_at=stamp,
                created_by=actor,
                updated_at=stamp,
                updated_by=actor,
            )
            self._fill(row, claim)
            self.session.add(row)
            self._record(actor, "create", claim, before=None, after=snapshot(claim))
            return "created"
        before = claim_from_row(row)
        if before == claim:
            return "unchanged"
        self._fill(row, claim)
        row.updated_at = now()
        row.updated_by = actor
        action = "update"
        if before.archived != claim.archived:
            action = "archive" if claim.archived else "restore"
        self._record(actor, action, claim, before=snapshot(before), after=snapshot(claim))
        return "updated"

    async def change(self, claim_id: str, *, actor: str, **changes: Any) -> Claim | None:
        """Apply field changes (text, status, note, aliases, statements, archived) to a stored claim."""
        current = await self.get(claim_id)
        if current is None:
            return None
        updated = replace(current, **changes)
        await self.save(updated, actor=actor)
        return updated

    def _fill(self, row: ClaimRow, claim: Claim) -> None:
        row.text = claim.text
        row.status = str(claim.status)
        row.guild_id = claim.guild_id
        row.note = claim.note
        if [a.text for a in row.aliases] != list(claim.aliases):
            # Keep the rows of wordings that stay: the flush inserts before it deletes, so a new row
            # with an old text would break the (claim_id, text) unique constraint.
            kept = {a.text: a for a in row.aliases}
            row.aliases = [kept.get(text) or AliasRow(text=text) for text in claim.aliases]
        if [statement_from_row(s) for s in row.statements] != list(claim.statements):
            row.statements = [_statement_row(s) for s in claim.statements]
        if claim.archived and row.archived_at is None:
            row.archived_at = now()
        elif not claim.archived:
            row.archived_at = None

    def _record(self, actor: str, action: str, claim: Claim, *, before, after) -> None:
        self.audit.record(
            actor=actor,
            action=action,
            entity="claim",
            entity_id=claim.id,
            claim_id=claim.id,
            guild_id=claim.guild_id,
            before=before,
            after=after,
        )


class SynonymRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.audit = AuditLog(session)

    async def groups(self, guild_id: int | None) -> list[list[str]]:
        rows = await self.session.scalars(
            select(SynonymGroupRow)
            .where(_same_scope(SynonymGroupRow.guild_id, guild_id))
            .order_by(SynonymGroupRow.id)
        )
        return [list(row.terms) for row in rows]

    async def all_scopes(self) -> dict[int | None, list[list[str]]]:
        scopes: dict[int | None, list[list[str]]] = {}
        for row in await self.session.scalars(select(SynonymGroupRow).order_by(SynonymGroupRow.id)):
            scopes.setdefault(row.guild_id, []).append(list(row.terms))
        return scopes

    async def replace(self, guild_id: int | None, groups: list[list[str]], *, actor: str) -> None:
        before = await self.groups(guild_id)
        if before == groups:
            return
        for row in await self.session.scalars(
            select(SynonymGroupRow).where(_same_scope(SynonymGroupRow.guild_id, guild_id))
        ):
            await self.session.delete(row)
        self.session.add_all(SynonymGroupRow(guild_id=guild_id, terms=terms) for terms in groups)
        self.audit.record(
            actor=actor,
            action="update",
            entity="synonyms",
            entity_id=str(guild_id) if guild_id is not None else "global",
            claim_id=None,
            guild_id=guild_id,
            before={"groups": before},
            after={"groups": groups},
        )


def _same_scope(column, guild_id: int | None):
    return column.is_(None) if guild_id is None else column == guild_id


class GuildRepository:
    """Per-server settings, auto-reply channels and the ignore list."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def settings(self, guild_id: int) -> GuildSettingsRow | None:
        return await self.session.get(GuildSettingsRow, guild_id)

    async def update_settings(self, guild_id: int, **fields: Any) -> GuildSettingsRow:
        row = await self.settings(guild_id)
        if row is None:
            row = GuildSettingsRow(guild_id=guild_id)
            self.session.add(row)
        for name, value in fields.items():
            setattr(row, name, value)
        return row

    async def autoreply_channels(self, guild_id: int) -> list[int]:
        rows = await self.session.scalars(
            select(AutoreplyChannelRow.channel_id).where(AutoreplyChannelRow.guild_id == guild_id)
        )
        return list(rows)

    async def is_autoreply_channel(self, channel_id: int) -> bool:
        return await self.session.get(AutoreplyChannelRow, channel_id) is not None

    async def enable_autoreply(self, guild_id: int, channel_id: int, *, actor: str) -> bool:
        if await self.is_autoreply_channel(channel_id):
            return False
        self.session.add(
            AutoreplyChannelRow(channel_id=channel_id, guild_id=guild_id, enabled_by=actor, enabled_at=now())
        )
        return True

    async def disable_autoreply(self, channel_id: int) -> bool:
        row = await self.session.get(AutoreplyChannelRow, channel_id)
        if row is None:
            return False
        await self.session.delete(row)
        return True

    async def ignored(self, guild_id: int) -> list[tuple[str, int]]:
        rows = await self.session.execute(
            select(IgnoredRow.kind, IgnoredRow.target_id).where(IgnoredRow.guild_id == guild_id)
        )
        return [(row.kind, row.target_id) for row in rows]

    async def ignore(self, guild_id: int, kind: str, target_id: int) -> bool:
        if await self.session.get(IgnoredRow, (guild_id, kind, target_id)) is not None:
            return False
        self.session.add(IgnoredRow(guild_id=guild_id, kind=kind, target_id=target_id))
        return True

    async def unignore(self, guild_id: int, kind: str, target_id: int) -> bool:
        row = await self.session.get(IgnoredRow, (guild_id, kind, target_id))
        if row is None:
            return False
        await self.session.delete(row)
        return True


class ReplyRepository:
    """Messages the bot sent about claims, and the votes people gave them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def record(
        self, *, message_id: int, guild_id: int | None, channel_id: int, claim_id: str, kind: str
    ) -> None:
        self.session.add(
            ReplyRow(
                message_id=message_id,
                guild_id=guild_id,
                channel_id=channel_id,
                claim_id=claim_id,
                kind=kind,
                sent_at=now(),
            )
        )

    async def get(self, message_id: int) -> ReplyRow | None:
        return await self.session.get(ReplyRow, message_id)

    async def last_autoreply_at(self, channel_id: int, claim_id: str) -> datetime | None:
        return await self.session.scalar(
            select(func.max(ReplyRow.sent_at)).where(
                ReplyRow.channel_id == channel_id, ReplyRow.claim_id == claim_id, ReplyRow.kind == "autoreply"
            )
        )

    async def autoreplies_since(self, channel_id: int, since: datetime) -> int:
        return (
            await self.session.scalar(
                select(func.count())
                .select_from(ReplyRow)
                .where(
                    ReplyRow.channel_id == channel_id, ReplyRow.kind == "autoreply", ReplyRow.sent_at >= since
                )
            )
            or 0
        )

    async def vote(self, reply: ReplyRow, user_id: int, vote: str) -> None:
        """One vote per person per reply; a new vote replaces the old one."""
        existing = await self.session.scalar(
            select(FeedbackRow).where(
                FeedbackRow.message_id == reply.message_id, FeedbackRow.user_id == user_id
            )
        )
        if existing is None:
            self.session.add(
                FeedbackRow(
                    message_id=reply.message_id,
                    claim_id=reply.claim_id,
                    guild_id=reply.guild_id,
                    user_id=user_id,
                    vote=vote,
                    at=now(),
                )
            )
        else:
            existing.vote = vote
            existing.at = now()

    async def tally(self, *, message_id: int | None = None, claim_id: str | None = None) -> dict[str, int]:
        query = select(FeedbackRow.vote, func.count()).group_by(FeedbackRow.vote)
        if message_id is not None:
            query = query.where(FeedbackRow.message_id == message_id)
        if claim_id is not None:
            query = query.where(FeedbackRow.claim_id == claim_id)
        counts = {"helpful": 0, "wrong": 0}
        counts.update({vote: count for vote, count in (await self.session.execute(query)).all()})
        return counts

    async def forget_user(self, user_id: int) -> int:
        """Delete a person's votes (privacy). Returns how many were deleted."""
        rows = (await self.session.scalars(select(FeedbackRow).where(FeedbackRow.user_id == user_id))).all()
        for row in rows:
            await self.session.delete(row)
        return len(rows)
