"""The async engine and session factory, the wait-for-database step and migrations at start-up."""
from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ALEMBIC_INI = Path(__file__).resolve().parent.parent.parent / "alembic.ini"
# Any constant: gateways starting together migrate one after the other on PostgreSQL.
MIGRATION_LOCK_ID = 7_310_2026


class DatabaseUnavailable(RuntimeError):
    """Raised when the database does not answer within the start-up wait."""


def alembic_config(url: str) -> Config:
    config = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.exists() else Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Database:
    """One engine per process; sessions are short (one unit of work each).

    hide_parameters: database errors never carry message text or platform ids into logs.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine: AsyncEngine = create_async_engine(url, echo=echo, hide_parameters=True,
                                                           connect_args={"timeout": 30})
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_async_engine(url, echo=echo, hide_parameters=True, pool_pre_ping=True)
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(self.engine, expire_on_commit=False)

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def wait_until_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                await self.ping()
                return
            except Exception as error:
                if time.monotonic() >= deadline:
                    raise DatabaseUnavailable(
                        f"database not reachable after {timeout:.0f}s: {type(error).__name__}") from error
                log.info("waiting for the database")
                await asyncio.sleep(1.0)

    async def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision` on this engine's connection (Alembic, never create_all)."""
        config = alembic_config(self.url)

        def upgrade(connection: Connection) -> None:
            if not self.is_sqlite:
                connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            try:
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            finally:
                if not self.is_sqlite:
                    connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})

        async with self.engine.begin() as connection:
            await connection.run_sync(upgrade)

    async def start(self, *, wait_seconds: float = 30.0) -> None:
        """The start-up step: wait for the database, migrate, seed nothing."""
        await self.wait_until_ready(wait_seconds)
        await self.migrate()

    async def dispose(self) -> None:
        await self.engine.dispose()
