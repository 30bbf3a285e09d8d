"""The audit log: sign-ins, claims, replies, reads, exports … (table audit_log, docs/console.md)."""
from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import Officer, utcnow
from gateway.officers.models import AuditEntry


def client_ip(request: Request | None) -> str | None:
    if request is None or request.client is None:
        return None
    return request.client.host


def record(session: AsyncSession, action: str, *, officer: Officer | None = None, username: str | None = None,
           conversation_id: str | None = None, detail: dict[str, Any] | None = None,
           request: Request | None = None) -> AuditEntry:
    """Add one entry to the caller's session (committed with the change it describes)."""
    entry = AuditEntry(officer_id=officer.id if officer is not None else None,
                       username=officer.username if officer is not None else username,
                       action=action, conversation_id=conversation_id, detail=detail or None,
                       ip=client_ip(request), created_at=utcnow())
    session.add(entry)
    return entry
