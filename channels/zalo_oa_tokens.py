"""Zalo OA OAuth tokens in the gateway's database, rotated atomically.

Why the database (not a file under var/): Zalo's refresh token is SINGLE-USE. With two gateways behind a
load balancer, a file lock on one host does not stop the other host from spending the same refresh
token; the loser gets -14020 and the OA is dead until an admin re-authorises. A row lock in the shared
database serialises refreshes across every replica, and the new pair is written in the same transaction
that held the lock. (On SQLite — one process, `make run` — a write taken first gives the same effect.)

Table `channel_tokens` is created by migration gateway/db/migrations/versions/0003_channel_tokens.py.
"""
from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

metadata = MetaData()
channel_tokens = Table(
    "channel_tokens",
    metadata,
    Column("channel", String(32), primary_key=True),
    Column("access_token", Text, nullable=True),
    Column("refresh_token", Text, nullable=False),
    Column("access_expires_at", DateTime(timezone=True), nullable=True),
    # sha256 of the refresh token given in the environment: a NEW one there means an admin re-authorised.
    Column("seed_fingerprint", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class OATokens:
    access_token: str | None
    refresh_token: str
    access_expires_at: datetime | None = None

    def expires_within(self, seconds: float, *, now: datetime | None = None) -> bool:
        if self.access_token is None:
            return True
        if self.access_expires_at is None:
            return False
        now = now or datetime.now(timezone.utc)
        return (self.access_expires_at - now).total_seconds() < seconds


Refresh = Callable[[str], Awaitable[OATokens]]


def fingerprint(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


class TokenStore:
    """The current token pair of one channel, and the one place it is ever rotated."""

    def __init__(self, engine: AsyncEngine, *, channel: str = "zalo_oa") -> None:
        self._engine = engine
        self._channel = channel
        self._lock = asyncio.Lock()   # one refresh at a time in this process; the row lock does the rest

    async def seed(self, refresh_token: str, access_token: str | None = None) -> None:
        """Store the environment's tokens unless they were already stored (then the database is newer)."""
        seed = fingerprint(refresh_token)
        async with self._engine.begin() as connection:
            row = (await connection.execute(
                select(channel_tokens.c.seed_fingerprint).where(channel_tokens.c.channel == self._channel)
            )).first()
            values = {
                "access_token": access_token, "refresh_token": refresh_token, "access_expires_at": None,
                "seed_fingerprint": seed, "updated_at": datetime.now(timezone.utc),
            }
            if row is None:
                await connection.execute(insert(channel_tokens).values(channel=self._channel, **values))
            elif row.seed_fingerprint != seed:
                await connection.execute(
                    update(channel_tokens).where(channel_tokens.c.channel == self._channel).values(**values)
                )

    async def load(self) -> OATokens:
        async with self._engine.connect() as connection:
            tokens = await self._read(connection)
        if tokens is None:
            raise LookupError(f"no tokens stored for {self._channel}; seed them first")
        return tokens

    async def rotate(self, stale_access_token: str | None, refresh: Refresh) -> OATokens:
        """Refresh unless another task or replica already replaced `stale_access_token`.

        `refresh(refresh_token)` calls Zalo; its result is saved before the row lock is released.
        """
        async with self._lock:
            async with self._engine.begin() as connection:
                # Write first: takes the row lock on PostgreSQL and the write lock on SQLite, so the
                # read below sees the latest committed pair and no one else can spend it meanwhile.
                await connection.execute(
                    update(channel_tokens)
                    .where(channel_tokens.c.channel == self._channel)
                    .values(updated_at=channel_tokens.c.updated_at)
                )
                current = await self._read(connection)
                if current is None:
                    raise LookupError(f"no tokens stored for {self._channel}; seed them first")
                if current.access_token is not None and current.access_token != stale_access_token:
                    return current
                fresh = await refresh(current.refresh_token)
                await connection.execute(
                    update(channel_tokens)
                    .where(channel_tokens.c.channel == self._channel)
                    .values(
                        access_token=fresh.access_token, refresh_token=fresh.refresh_token,
                        access_expires_at=fresh.access_expires_at, updated_at=datetime.now(timezone.utc),
                    )
                )
                return fresh

    async def _read(self, connection: AsyncConnection) -> OATokens | None:
        row = (await connection.execute(
            select(
                channel_tokens.c.access_token, channel_tokens.c.refresh_token,
                channel_tokens.c.access_expires_at,
            ).where(channel_tokens.c.channel == self._channel)
        )).first()
        if row is None:
            return None
        expires = row.access_expires_at
        if expires is not None and expires.tzinfo is None:   # SQLite drops the zone
            expires = expires.replace(tzinfo=timezone.utc)
        return OATokens(row.access_token, row.refresh_token, expires)
