"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 12:10:24.674446
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("claim_id", sa.String(length=64), nullable=True),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_guild_id"), ["guild_id"], unique=False)

    op.create_table(
        "autoreply_channels",
        sa.Column("channel_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("enabled_by", sa.String(length=32), nullable=False),
        sa.Column("enabled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", name=op.f("pk_autoreply_channels")),
    )
    with op.batch_alter_table("autoreply_channels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_autoreply_channels_guild_id"), ["guild_id"], unique=False)

    op.create_table(
        "claims",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('alleged', 'denied', 'unevidenced')", name=op.f("ck_claims_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_guild_id"), ["guild_id"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("claim_id", sa.String(length=64), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("vote", sa.String(length=8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("vote IN ('helpful', 'wrong')", name=op.f("ck_feedback_vote")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("message_id", "user_id", name=op.f("uq_feedback_message_id")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_user_id"), ["user_id"], unique=False)

    op.create_table(
        "guild_settings",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("moderator_role_id", sa.BigInteger(), nullable=True),
        sa.Column("suggest_threshold", sa.Float(), nullable=True),
        sa.Column("autoreply_threshold", sa.Float(), nullable=True),
        sa.Column("cooldown_seconds", sa.Integer(), nullable=True),
        sa.Column("wrong_votes_to_delete", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_guild_settings")),
    )
    op.create_table(
        "ignored",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("target_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.CheckConstraint("kind IN ('user', 'role')", name=op.f("ck_ignored_kind")),
        sa.PrimaryKeyConstraint("guild_id", "kind", "target_id", name=op.f("pk_ignored")),
    )
    op.create_table(
        "replies",
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("claim_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_replies")),
    )
    with op.batch_alter_table("replies", schema=None) as batch_op:
        batch_op.create_index("ix_replies_cooldown", ["channel_id", "claim_id", "sent_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_replies_guild_id"), ["guild_id"], unique=False)

    op.create_table(
        "synonym_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=True),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_synonym_groups")),
    )
    with op.batch_alter_table("synonym_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_synonym_groups_guild_id"), ["guild_id"], unique=False)

    op.create_table(
        "claim_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_aliases_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_aliases")),
        sa.UniqueConstraint("claim_id", "text", name=op.f("uq_claim_aliases_claim_id")),
    )
    with op.batch_alter_table("claim_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_aliases_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.String(length=64), nullable=False),
        sa.Column("party", sa.String(length=200), nullable=False),
        sa.Column("stance", sa.String(length=8), nullable=False),
        sa.Column("stated_on", sa.Date(), nullable=True),
        sa.Column("quote", sa.String(length=500), nullable=True),
        sa.Column("source_url", sa.String(length=2000), nullable=True),
        sa.Column("source_title", sa.String(length=300), nullable=True),
        sa.Column("publisher", sa.String(length=200), nullable=True),
        sa.CheckConstraint("stance IN ('alleges', 'denies')", name=op.f("ck_statements_stance")),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_statements_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statements")),
    )
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statements_claim_id"), ["claim_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statements_claim_id"))

    op.drop_table("statements")
    with op.batch_alter_table("claim_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_aliases_claim_id"))

    op.drop_table("claim_aliases")
    with op.batch_alter_table("synonym_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_synonym_groups_guild_id"))

    op.drop_table("synonym_groups")
    with op.batch_alter_table("replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replies_guild_id"))
        batch_op.drop_index("ix_replies_cooldown")

    op.drop_table("replies")
    op.drop_table("ignored")
    op.drop_table("guild_settings")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_user_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_claim_id"))

    op.drop_table("feedback")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_guild_id"))

    op.drop_table("claims")
    with op.batch_alter_table("autoreply_channels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_autoreply_channels_guild_id"))

    op.drop_table("autoreply_channels")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_guild_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_claim_id"))

    op.drop_table("audit_log")
