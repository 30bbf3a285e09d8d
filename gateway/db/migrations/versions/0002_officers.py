"""Officer-side tables: sign-in sessions, units, canned replies, audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "officer_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("officer_id", BigId, nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        _ts("created_at", nullable=False),
        _ts("expires_at", nullable=False),
        _ts("last_seen_at", nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_officer_sessions"),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], ondelete="CASCADE",
                                name="fk_officer_sessions_officer_id_officers"),
    )
    op.create_index("ix_officer_sessions_officer_id", "officer_sessions", ["officer_id"])
    op.create_table(
        "units",
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("wards", sa.JSON(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _ts("created_at", nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_units"),
    )
    op.create_table(
        "canned_replies",
        sa.Column("id", BigId, autoincrement=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("unit_code", sa.String(50)),
        sa.Column("created_by", BigId),
        _ts("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_canned_replies"),
        sa.ForeignKeyConstraint(["created_by"], ["officers.id"], ondelete="SET NULL",
                                name="fk_canned_replies_created_by_officers"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", BigId, autoincrement=True),
        sa.Column("officer_id", BigId),
        sa.Column("username", sa.String(100)),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("conversation_id", sa.String(32)),
        sa.Column("detail", sa.JSON()),
        sa.Column("ip", sa.String(64)),
        _ts("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], ondelete="SET NULL",
                                name="fk_audit_log_officer_id_officers"),
    )
    op.create_index("ix_audit_log_created_at", "audit_log", ["created_at"])
    op.create_index("ix_audit_log_conversation_id", "audit_log", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_conversation_id", table_name="audit_log")
    op.drop_index("ix_audit_log_created_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("canned_replies")
    op.drop_table("units")
    op.drop_index("ix_officer_sessions_officer_id", table_name="officer_sessions")
    op.drop_table("officer_sessions")
