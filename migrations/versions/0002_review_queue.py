"""review queue: unanswered questions and "wrong claim" reports, distinct-asker hashes, digest settings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 12:30:00.000000

Hand-written. Portable types only; indexes go through batch_alter_table as in 0001, so SQLite works.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("question", sa.String(length=1000), nullable=False),
        sa.Column("normalised", sa.String(length=1000), nullable=False),
        sa.Column("candidate_claim_id", sa.String(length=64), nullable=True),
        sa.Column("wrong_claim_id", sa.String(length=64), nullable=True),
        sa.Column("asks", sa.Integer(), nullable=False),
        sa.Column("askers", sa.Integer(), nullable=False),
        sa.Column("channel_ids", sa.JSON(), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("first_asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=32), nullable=True),
        sa.Column("resolved_claim_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint("kind IN ('unanswered', 'wrong')", name=op.f("ck_review_entries_kind")),
        sa.CheckConstraint(
            "state IN ('open', 'promoted', 'linked', 'dismissed')", name=op.f("ck_review_entries_state")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_entries")),
    )
    with op.batch_alter_table("review_entries", schema=None) as batch_op:
        batch_op.create_index("ix_review_entries_open", ["guild_id", "state", "last_asked_at"], unique=False)

    op.create_table(
        "review_askers",
        sa.Column("entry_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("asker_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["review_entries.id"],
            name=op.f("fk_review_askers_entry_id_review_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "asker_hash", name=op.f("pk_review_askers")),
    )

    op.create_table(
        "review_settings",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("digest_channel_id", sa.BigInteger(), nullable=True),
        sa.Column("digest_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_review_settings")),
    )


def downgrade() -> None:
    op.drop_table("review_settings")
    op.drop_table("review_askers")
    with op.batch_alter_table("review_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_review_entries_open")
    op.drop_table("review_entries")
