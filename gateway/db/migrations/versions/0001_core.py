"""Core tables: contacts, identities, officers, conversations, messages, inbound deliveries.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _ts(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("display_name", sa.String(200)),
        sa.Column("audience", sa.String(20)),
        sa.Column("ward", sa.String(200)),
        sa.Column("unit_code", sa.String(50)),
        _ts("consent_notified_at"),
        _ts("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contacts"),
    )
    op.create_table(
        "contact_identities",
        sa.Column("id", BigId, autoincrement=True),
        sa.Column("contact_id", BigId, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        _ts("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contact_identities"),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="CASCADE",
                                name="fk_contact_identities_contact_id_contacts"),
        sa.UniqueConstraint("channel", "external_id", name="uq_contact_identities_channel_external_id"),
    )
    op.create_index("ix_contact_identities_contact_id", "contact_identities", ["contact_id"])
    op.create_table(
        "officers",
        sa.Column("id", BigId, autoincrement=True),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("unit_code", sa.String(50)),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        _ts("locked_until"),
        _ts("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_officers"),
        sa.UniqueConstraint("username", name="uq_officers_username"),
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("contact_id", BigId, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("officer_id", BigId),
        sa.Column("unit_code", sa.String(50)),
        sa.Column("handoff_reason", sa.String(50)),
        _ts("waiting_since"),
        _ts("first_reply_at"),
        _ts("last_activity_at", nullable=False),
        _ts("last_inbound_at"),
        _ts("reply_window_closes_at"),
        sa.Column("last_buttons", sa.JSON()),
        _ts("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_conversations"),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="CASCADE",
                                name="fk_conversations_contact_id_contacts"),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], ondelete="SET NULL",
                                name="fk_conversations_officer_id_officers"),
    )
    op.create_index("ix_conversations_contact_channel", "conversations", ["contact_id", "channel"])
    op.create_index("ix_conversations_queue", "conversations", ["status", "officer_id", "priority"])
    op.create_table(
        "messages",
        sa.Column("id", BigId, autoincrement=True),
        sa.Column("conversation_id", sa.String(32), nullable=False),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("author", sa.String(10), nullable=False),
        sa.Column("officer_id", BigId),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text()),
        sa.Column("payload", sa.Text()),
        sa.Column("buttons", sa.JSON()),
        sa.Column("topic", sa.String(50)),
        sa.Column("article_id", sa.String(120)),
        sa.Column("sources", sa.JSON()),
        sa.Column("kind", sa.String(50)),
        sa.Column("delivery_status", sa.String(10), nullable=False),
        sa.Column("external_error", sa.String(500)),
        sa.Column("platform_message_id", sa.String(200)),
        _ts("handled_at"),
        _ts("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE",
                                name="fk_messages_conversation_id_conversations"),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], ondelete="SET NULL",
                                name="fk_messages_officer_id_officers"),
    )
    op.create_index("ix_messages_conversation_id_id", "messages", ["conversation_id", "id"])
    op.create_index("ix_messages_created_at", "messages", ["created_at"])
    op.create_table(
        "inbound_deliveries",
        sa.Column("id", BigId, autoincrement=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("delivery_key", sa.String(200), nullable=False),
        _ts("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inbound_deliveries"),
        sa.UniqueConstraint("channel", "delivery_key", name="uq_inbound_deliveries_channel_delivery_key"),
    )
    op.create_index("ix_inbound_deliveries_created_at", "inbound_deliveries", ["created_at"])


def downgrade() -> None:
    op.drop_table("inbound_deliveries")
    op.drop_table("messages")
    op.drop_table("conversations")
    op.drop_table("officers")
    op.drop_table("contact_identities")
    op.drop_table("contacts")
