"""Claim operations as units of work: one transaction each, audited, with the match index kept in step.

The CLI and the cogs both go through this service; neither touches SQL or the index directly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.claims import Claim, Status, problems
from bot.errors import ClaimExists, ClaimNotFound, InvalidClaim, NotAllowed
from bot.matching import CheckResult, Decision, Match, Matcher, Thresholds
from bot.retry import DEFAULT_POLICY, RetryPolicy, retry_read, retry_write
from db.models import AuditRow
from db.repositories import AuditLog, ClaimRepository, SynonymRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """The engine's verdict on a statement, with the claims it found."""

    query: str
    decision: Decision
    matches: list[tuple[Match, Claim]]


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"


class ClaimService:
    retry_policy: RetryPolicy = DEFAULT_POLICY  # Store.open sets it from the settings

    def __init__(self, sessions: async_sessionmaker[AsyncSession], matcher: Matcher) -> None:
        self.sessions = sessions
        self.matcher = matcher
        self.index_loaded = False  # until then (e.g. a CLI import) writes leave the index alone
        self._seen_audit_id = 0

    # -- the index ---------------------------------------------------------------------------------

    async def load_index(self) -> int:
        """Fill the match index from the database, the source of truth. Returns the number of claims."""
        async with self.sessions() as session:
            self._seen_audit_id = await AuditLog(session).last_id()
            claims = await ClaimRepository(session).all_active()
            synonyms = await SynonymRepository(session).all_scopes()
        for guild_id, groups in synonyms.items():
            self.matcher.set_synonyms(guild_id, groups)
        for claim in claims:
            self.matcher.add(claim)
        self.index_loaded = True
        log.info("match index loaded: %d claims, %d synonym scopes", len(claims), len(synonyms))
        return len(claims)

    def _index(self, claim: Claim) -> None:
        """Keep this process's index in step with a write it just committed."""
        if self.index_loaded:
            self.matcher.update(claim)

    async def refresh_index(self) -> int:
        """Apply changes other processes wrote since the last look. Returns how many claims changed."""
        async with self.sessions() as session:
            newest, claim_ids, synonym_scopes = await AuditLog(session).changes_since(self._seen_audit_id)
            claims = await ClaimRepository(session).get_many(claim_ids)
            synonyms = {scope: await SynonymRepository(session).groups(scope) for scope in synonym_scopes}
        for guild_id, groups in synonyms.items():
            self.matcher.set_synonyms(guild_id, groups)
        for claim_id in claim_ids:
            claim = claims.get(claim_id)
            if claim is None:
                self.matcher.remove(claim_id)
            else:
                self.matcher.update(claim)
        self._seen_audit_id = newest
        return len(claim_ids)

    # -- reading -----------------------------------------------------------------------------------

    async def check(
        self, text: str, *, guild_id: int | None = None, limit: int = 3, thresholds: Thresholds | None = None
    ) -> Answer:
        return await self.resolve(
            text, self.matcher.check(text, guild_id=guild_id, limit=limit, thresholds=thresholds)
        )

    def screen(
        self, text: str, *, guild_id: int | None = None, thresholds: Thresholds | None = None
    ) -> CheckResult:
        """The engine's decision and best match only, without the database: the auto-reply path runs
        it on every message in an enabled channel, and reads claims (`resolve`) only to reply."""
        return self.matcher.check(text, guild_id=guild_id, limit=1, thresholds=thresholds)

    @retry_read
    async def resolve(self, text: str, result: CheckResult) -> Answer:
        """The engine's matches with their claims from the database, the source of truth."""
        if not result.matches:
            return Answer(text, result.decision, [])
        async with self.sessions() as session:
            claims = await ClaimRepository(session).get_many(m.claim_id for m in result.matches)
        # A claim archived by another process may still sit in this index until the next refresh.
        matches = [(m, claims[m.claim_id]) for m in result.matches if m.claim_id in claims]
        matches = [(m, c) for m, c in matches if not c.archived]
        decision = result.decision if matches else Decision.NONE
        return Answer(text, decision, matches)

    @retry_read
    async def get(self, claim_id: str, *, guild_id: int | None = None) -> Claim:
        async with self.sessions() as session:
            claim = await ClaimRepository(session).get(claim_id)
        if claim is None or not _visible(claim, guild_id):
            raise ClaimNotFound(claim_id)
        return claim

    @retry_read
    async def find(
        self,
        *,
        guild_id: int | None = None,
        status: Status | None = None,
        archived: bool = False,
        offset: int = 0,
        limit: int | None = 25,
    ) -> list[Claim]:
        async with self.sessions() as session:
            return await ClaimRepository(session).find(
                guild_id=guild_id, status=status, archived=archived, offset=offset, limit=limit
            )

    @retry_read
    async def export(self) -> list[Claim]:
        """Every claim, archived ones included, for a full backup in an import format."""
        async with self.sessions() as session:
            return await ClaimRepository(session).find(visible_to_guild=False, archived=None, limit=None)

    @retry_read
    async def history(self, claim_id: str, *, guild_id: int | None = None, limit: int = 25) -> list[AuditRow]:
        await self.get(claim_id, guild_id=guild_id)
        async with self.sessions() as session:
            return list(await AuditLog(session).for_claim(claim_id, limit=limit))

    @retry_read
    async def synonyms(self, guild_id: int | None) -> list[list[str]]:
        async with self.sessions() as session:
            return await SynonymRepository(session).groups(guild_id)

    # -- writing -----------------------------------------------------------------------------------

    @retry_write
    async def import_claims(
        self, claims: Sequence[Claim], *, actor: str, guild_id: int | None = None
    ) -> ImportSummary:
        """All or nothing: one transaction, an idempotent upsert by id.

        With `guild_id`, a server's import: every claim becomes that server's own, and ids already held
        by a shared claim or by another server are refused, so a server never takes over claims it does
        not own.
        """
        if guild_id is not None:
            claims = [replace(claim, guild_id=guild_id) for claim in claims]
        for claim in claims:
            _validate(claim)
        summary = ImportSummary()
        async with self.sessions() as session, session.begin():
            repository = ClaimRepository(session)
            if guild_id is not None:
                existing = await repository.get_many(claim.id for claim in claims)
                taken = sorted(claim_id for claim_id, claim in existing.items() if claim.guild_id != guild_id)
                if taken:
                    shown = ", ".join(taken[:10]) + (
                        f" and {len(taken) - 10} more" if len(taken) > 10 else ""
                    )
                    raise NotAllowed(
                        f"Nothing imported: these ids belong to shared claims or to another server: {shown}. "
                        "Give those claims other ids."
                    )
            outcomes = await repository.save_many(claims, actor=actor)
        for claim, outcome in zip(claims, outcomes, strict=True):
            getattr(summary, outcome).append(claim.id)
            self._index(claim)
        return summary

    @retry_write
    async def create(self, claim: Claim, *, actor: str) -> Claim:
        _validate(claim)
        async with self.sessions() as session, session.begin():
            repository = ClaimRepository(session)
            if await repository.get_row(claim.id) is not None:
                raise ClaimExists(claim.id)
            await repository.save(claim, actor=actor)
        self._index(claim)
        return claim

    @retry_write
    async def change(
        self, claim_id: str, *, actor: str, guild_id: int | None = None, **changes: Any
    ) -> Claim:
        """Change fields of a claim that `guild_id`'s moderators may edit: global ones and their own."""
        async with self.sessions() as session, session.begin():
            repository = ClaimRepository(session)
            current = await repository.get(claim_id)
            if current is None or not _visible(current, guild_id):
                raise ClaimNotFound(claim_id)
            if current.guild_id is not None and current.guild_id != guild_id:
                raise NotAllowed("That claim belongs to another server.")
            updated = replace(current, **changes)
            _validate(updated)
            await repository.save(updated, actor=actor)
        self._index(updated)
        return updated

    @retry_write
    async def set_synonyms(self, guild_id: int | None, groups: list[list[str]], *, actor: str) -> None:
        async with self.sessions() as session, session.begin():
            await SynonymRepository(session).replace(guild_id, groups, actor=actor)
        if self.index_loaded:
            self.matcher.set_synonyms(guild_id, groups)


def _visible(claim: Claim, guild_id: int | None) -> bool:
    return claim.guild_id is None or claim.guild_id == guild_id


def _validate(claim: Claim) -> None:
    found = problems(claim)
    if found:
        raise InvalidClaim(f"claim {claim.id!r}: " + "; ".join(found))
