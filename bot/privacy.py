"""What claimbot keeps about a person, and forgetting it on request (`/privacy forget-me`).

Message content is not stored. The auto-reply path and /check keep ids, the claim answered and the
decision (`replies`); votes keep the voter's id (`feedback`). By design the review queue keeps the
text of /check questions no claim answered, but not who asked: distinct askers are counted with
sha256(per-entry salt + user id) (`review_askers`). Moderators' changes name them as the actor
(every column typed `db.models.Actor`: `claims.created_by/updated_by`, `audit_log.actor`,
`autoreply_channels.enabled_by`, `review_entries.resolved_by`).

Forgetting a person deletes their votes and their asker hashes, and replaces their id by
`FORGOTTEN_ACTOR` wherever they are named as an actor: the change history stays (what changed and
when), without saying who changed it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.retry import DEFAULT_POLICY, RetryPolicy, retry_write
from bot.review import asker_hash
from db.models import Actor, Base, FeedbackRow, ReviewAskerRow, ReviewEntryRow

log = logging.getLogger(__name__)

FORGOTTEN_ACTOR = "forgotten"
_HASH_BATCH = 500


@dataclass(frozen=True)
class Forgotten:
    votes: int  # feedback votes deleted
    questions: int  # review-queue asker hashes deleted (the questions' counts stay)
    log_entries: int  # change-log, channel and review records that no longer name the person

    @property
    def total(self) -> int:
        return self.votes + self.questions + self.log_entries


class PrivacyRepository:
    """Everything stored under one person's id. Takes a session, never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def delete_votes(self, user_id: int) -> int:
        result = await self.session.execute(delete(FeedbackRow).where(FeedbackRow.user_id == user_id))
        return result.rowcount or 0

    async def delete_asker_hashes(self, user_id: int) -> int:
        entries = (await self.session.execute(select(ReviewEntryRow.id, ReviewEntryRow.salt))).all()
        keys = [(entry_id, asker_hash(salt, user_id)) for entry_id, salt in entries]
        deleted = 0
        for start in range(0, len(keys), _HASH_BATCH):
            batch = keys[start : start + _HASH_BATCH]
            key = tuple_(ReviewAskerRow.entry_id, ReviewAskerRow.asker_hash)
            result = await self.session.execute(delete(ReviewAskerRow).where(key.in_(batch)))
            deleted += result.rowcount or 0
        return deleted

    async def unname_actor(self, actor: str) -> int:
        """Every column typed `Actor` (claims, audit log, channels, review queue), new ones included."""
        changed = 0
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if column.type is Actor:
                    result = await self.session.execute(
                        update(table).where(column == actor).values({column.name: FORGOTTEN_ACTOR})
                    )
                    changed += result.rowcount or 0
        return changed


class PrivacyService:
    retry_policy: RetryPolicy = DEFAULT_POLICY

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    @retry_write
    async def forget_user(self, user_id: int) -> Forgotten:
        """One transaction: afterwards no table holds the person's id, nor a hash of it."""
        async with self.sessions() as session, session.begin():
            repository = PrivacyRepository(session)
            forgotten = Forgotten(
                votes=await repository.delete_votes(user_id),
                questions=await repository.delete_asker_hashes(user_id),
                log_entries=await repository.unname_actor(str(user_id)),
            )
        log.info(
            "forgot a user on request: %d votes, %d asker hashes, %d log entries",
            forgotten.votes, forgotten.questions, forgotten.log_entries,
        )
        return forgotten
