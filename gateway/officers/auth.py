"""Officer sign-in: argon2 password hashes, server-side sessions, CSRF tokens, lockout, roles.

The session cookie carries a random token; the database keeps only its SHA-256, with the session's
CSRF token. Every state-changing request must echo that CSRF token in the `X-CSRF-Token` header.
Five wrong passwords lock the account for 15 minutes (the count survives restarts: it is a column).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import Depends, HTTPException, Request
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import Officer, utcnow
from gateway.officers.models import OfficerSession
from gateway.services import Services, get_services

COOKIE_NAME = "cdht_officer"
CSRF_HEADER = "X-CSRF-Token"
SESSION_LIFETIME = timedelta(hours=12)
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
ROLES = ("officer", "admin")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-" + secrets.token_hex(8))


class WeakPasswordError(ValueError):
    """Raised when a new password is too short to protect transcripts of people's records."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(f"mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignInResult:
    officer: Officer | None
    token: str | None = None
    csrf_token: str | None = None
    locked_until: datetime | None = None      # set when the account is (now) locked

    @property
    def ok(self) -> bool:
        return self.token is not None


async def sign_in(session: AsyncSession, username: str, password: str, *, now: datetime | None = None) -> SignInResult:
    """Check the password, count failures, lock after MAX_FAILED_LOGINS; the caller commits."""
    now = now or utcnow()
    officer = await session.scalar(select(Officer).where(func.lower(Officer.username) == username.strip().lower()))
    if officer is None or not officer.active:
        verify_password(_DUMMY_HASH, password)
        return SignInResult(officer)
    if officer.locked_until is not None and officer.locked_until > now:
        return SignInResult(officer, locked_until=officer.locked_until)
    if not verify_password(officer.password_hash, password):
        officer.failed_logins = (officer.failed_logins or 0) + 1
        if officer.failed_logins >= MAX_FAILED_LOGINS:
            officer.locked_until = now + LOCKOUT
            officer.failed_logins = 0
            return SignInResult(officer, locked_until=officer.locked_until)
        return SignInResult(officer)
    officer.failed_logins = 0
    officer.locked_until = None
    if _hasher.check_needs_rehash(officer.password_hash):
        officer.password_hash = _hasher.hash(password)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(OfficerSession(token_hash=token_hash(token), officer_id=officer.id, csrf_token=csrf,
                               created_at=now, expires_at=now + SESSION_LIFETIME, last_seen_at=now))
    return SignInResult(officer, token=token, csrf_token=csrf)


async def sign_out(session: AsyncSession, token: str) -> None:
    await session.execute(delete(OfficerSession).where(OfficerSession.token_hash == token_hash(token)))


async def end_sessions_of(session: AsyncSession, officer_id: int) -> None:
    """Deactivating an officer or changing a password signs them out everywhere."""
    await session.execute(delete(OfficerSession).where(OfficerSession.officer_id == officer_id))


@dataclass(frozen=True)
class SignedIn:
    """The officer behind a request, with the session's CSRF token."""

    officer: Officer
    csrf_token: str
    token: str

    @property
    def is_admin(self) -> bool:
        return self.officer.role == "admin"


async def session_officer(services: Services, token: str | None) -> SignedIn | None:
    if not token:
        return None
    now = utcnow()
    async with services.database.sessions() as session:
        row = await session.get(OfficerSession, token_hash(token))
        if row is None or row.expires_at <= now:
            return None
        officer = await session.get(Officer, row.officer_id)
        if officer is None or not officer.active:
            return None
        if now - row.last_seen_at > timedelta(minutes=5):   # not on every request: fewer writes
            row.last_seen_at = now
            await session.commit()
        session.expunge(officer)
        return SignedIn(officer, row.csrf_token, token)


def unauthorized() -> HTTPException:
    return HTTPException(401, {"code": "unauthorized", "message": "Bạn cần đăng nhập."})


async def current_officer(request: Request, services: Annotated[Services, Depends(get_services)]) -> SignedIn:
    """Dependency: the signed-in officer; 401 without a valid session, 403 on a missing/wrong CSRF token."""
    signed_in = await session_officer(services, request.cookies.get(COOKIE_NAME))
    if signed_in is None:
        raise unauthorized()
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not hmac.compare_digest(sent, signed_in.csrf_token):
            raise HTTPException(403, {"code": "csrf_failed",
                                      "message": "Phiên làm việc không hợp lệ (thiếu mã CSRF); hãy tải lại trang."})
    return signed_in


async def current_admin(signed_in: Annotated[SignedIn, Depends(current_officer)]) -> SignedIn:
    if not signed_in.is_admin:
        raise HTTPException(403, {"code": "admin_only", "message": "Chỉ quản trị viên được dùng chức năng này."})
    return signed_in


def cookie_settings(services: Services) -> dict[str, object]:
    return {"httponly": True, "samesite": "strict", "secure": not services.settings.is_development,
            "path": "/", "max_age": int(SESSION_LIFETIME.total_seconds())}
