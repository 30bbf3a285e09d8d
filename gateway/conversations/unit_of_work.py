"""One unit of work: one session, one commit, and the events it produced published after the commit.

    async with UnitOfWork(database.sessions, bus) as uow:
        ...change rows through uow.session, uow.emit(event)...
        await uow.commit()          # commits once, then publishes; without it everything rolls back
"""
from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.bus import Bus, Event


class UnitOfWork:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], bus: Bus) -> None:
        self._sessions = sessions
        self.bus = bus
        self.events: list[Event] = []

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self.events = []
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.session.rollback()
        await self.session.close()

    def emit(self, event: Event) -> None:
        """Queue an event; it is published only if the commit succeeds."""
        self.events.append(event)

    async def commit(self) -> None:
        await self.session.commit()
        events, self.events = self.events, []
        for event in events:
            await self.bus.publish(event)
