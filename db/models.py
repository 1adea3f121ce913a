"""ORM models. Portable types only: the same schema runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.claims import (
    MAX_ALIAS,
    MAX_NOTE,
    MAX_PARTY,
    MAX_PUBLISHER,
    MAX_QUOTE,
    MAX_SOURCE_TITLE,
    MAX_TEXT,
    MAX_URL,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Actor = String(32)  # a Discord user id, or "cli"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ClaimRow(Base):
    __tablename__ = "claims"
    __table_args__ = (CheckConstraint("status IN ('alleged', 'denied', 'unevidenced')", name="status"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, index=True)  # None: every server
    text: Mapped[str] = mapped_column(String(MAX_TEXT))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(MAX_NOTE))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(Actor)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(Actor)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    aliases: Mapped[list[AliasRow]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="AliasRow.id", lazy="selectin"
    )
    statements: Mapped[list[StatementRow]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="StatementRow.id", lazy="selectin"
    )


class AliasRow(Base):
    __tablename__ = "claim_aliases"
    __table_args__ = (UniqueConstraint("claim_id", "text"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(MAX_ALIAS))

    claim: Mapped[ClaimRow] = relationship(back_populates="aliases")


class StatementRow(Base):
    __tablename__ = "statements"
    __table_args__ = (CheckConstraint("stance IN ('alleges', 'denies')", name="stance"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    party: Mapped[str] = mapped_column(String(MAX_PARTY))
    stance: Mapped[str] = mapped_column(String(8))
    stated_on: Mapped[date | None] = mapped_column(Date)
    quote: Mapped[str | None] = mapped_column(String(MAX_QUOTE))
    source_url: Mapped[str | None] = mapped_column(String(MAX_URL))
    source_title: Mapped[str | None] = mapped_column(String(MAX_SOURCE_TITLE))
    publisher: Mapped[str | None] = mapped_column(String(MAX_PUBLISHER))

    claim: Mapped[ClaimRow] = relationship(back_populates="statements")


class AuditRow(Base):
    """Every change to a claim, statement, alias or synonym group.

    The id is monotonic, so the log doubles as the change feed that keeps each
    process's match index in step with the database.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(Actor)
    action: Mapped[str] = mapped_column(String(16))  # create, update, archive, restore, delete
    entity: Mapped[str] = mapped_column(String(16))  # claim, statement, alias, synonyms
    entity_id: Mapped[str] = mapped_column(String(64))
    claim_id: Mapped[str | None] = mapped_column(String(64), index=True)  # no FK: history outlives rows
    guild_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SynonymGroupRow(Base):
    __tablename__ = "synonym_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, index=True)  # None: every server
    terms: Mapped[list[str]] = mapped_column(JSON)


class GuildSettingsRow(Base):
    """Per-server settings. A null column means "use the default"."""

    __tablename__ = "guild_settings"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    moderator_role_id: Mapped[int | None] = mapped_column(BigInteger)
    suggest_threshold: Mapped[float | None] = mapped_column(Float)
    autoreply_threshold: Mapped[float | None] = mapped_column(Float)
    cooldown_seconds: Mapped[int | None] = mapped_column(Integer)
    wrong_votes_to_delete: Mapped[int | None] = mapped_column(Integer)


class AutoreplyChannelRow(Base):
    __tablename__ = "autoreply_channels"

    channel_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    guild_id: Mapped[int] = mapped_column(BigInteger, index=True)
    enabled_by: Mapped[str] = mapped_column(Actor)
    enabled_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReplyRow(Base):
    """A message the bot sent about a claim: for cooldowns, feedback and stats."""

    __tablename__ = "replies"
    __table_args__ = (Index("ix_replies_cooldown", "channel_id", "claim_id", "sent_at"),)

    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    guild_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    claim_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # check, autoreply
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FeedbackRow(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("message_id", "user_id"),
        CheckConstraint("vote IN ('helpful', 'wrong')", name="vote"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(BigInteger)
    claim_id: Mapped[str] = mapped_column(String(64), index=True)
    guild_id: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    vote: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class IgnoredRow(Base):
    """Users and roles whose messages the auto-reply never answers."""

    __tablename__ = "ignored"
    __table_args__ = (CheckConstraint("kind IN ('user', 'role')", name="kind"),)

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    target_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


# -- the moderator review queue (migration 0002) ---------------------------------------------------

REVIEW_STATES = ("open", "promoted", "linked", "dismissed")
REVIEW_KINDS = ("unanswered", "wrong")


class ReviewEntryRow(Base):
    """A question people asked that no claim answered (or a "wrong claim" report), grouped by similarity.

    It keeps the question text (the point of the queue) but nobody's identity: `askers` is a count,
    kept honest by the salted hashes in `review_askers`, which are deleted when the entry is resolved.
    """

    __tablename__ = "review_entries"
    __table_args__ = (
        CheckConstraint("state IN ('open', 'promoted', 'linked', 'dismissed')", name="state"),
        CheckConstraint("kind IN ('unanswered', 'wrong')", name="kind"),
        Index("ix_review_entries_open", "guild_id", "state", "last_asked_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(String(MAX_TEXT))
    normalised: Mapped[str] = mapped_column(String(MAX_TEXT))
    candidate_claim_id: Mapped[str | None] = mapped_column(String(64))  # the engine's best guess, if any
    wrong_claim_id: Mapped[str | None] = mapped_column(String(64))  # kind "wrong": the claim it hit
    asks: Mapped[int] = mapped_column(Integer)
    askers: Mapped[int] = mapped_column(Integer)
    channel_ids: Mapped[list[int]] = mapped_column(JSON)
    salt: Mapped[str] = mapped_column(String(32))
    first_asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(Actor)
    resolved_claim_id: Mapped[str | None] = mapped_column(String(64))


class ReviewAskerRow(Base):
    """sha256(entry salt + user id): counts distinct askers of an open entry without naming them."""

    __tablename__ = "review_askers"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("review_entries.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    asker_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class ReviewSettingsRow(Base):
    """Per-server review settings: where the weekly digest goes, and when it last went."""

    __tablename__ = "review_settings"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    digest_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
