"""Officer-side tables (migration 0002): sign-in sessions, units, canned replies, the audit log.

Registered on the gateway's one `Base`, so the unit of work and Alembic see them with the core tables.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.models import Base, BigId, UTCDateTime, utcnow


class OfficerSession(Base):
    """A signed-in browser. Only the SHA-256 of the cookie token is stored (a stolen row opens nothing)."""

    __tablename__ = "officer_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Unit(Base):
    """An office that answers conversations (e.g. Công an phường Phan Rang) and the wards it serves."""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    wards: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CannedReply(Base):
    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    unit_code: Mapped[str | None] = mapped_column(String(50))      # NULL: offered to every unit
    created_by: Mapped[int | None] = mapped_column(ForeignKey("officers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEntry(Base):
    """Who did what to which conversation, and when. Never holds message text or passwords."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_created_at", "created_at"),
                      Index("ix_audit_log_conversation_id", "conversation_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id", ondelete="SET NULL"))
    username: Mapped[str | None] = mapped_column(String(100))      # kept when the officer is deleted
    action: Mapped[str] = mapped_column(String(50))
    conversation_id: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
