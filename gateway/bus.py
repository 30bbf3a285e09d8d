"""Redis in one place: de-duplication, the per-conversation lock, rate limits, conversation events.

`connect_redis(url)` returns redis-py's asyncio client, or fakeredis's in-process one when REDIS_URL is
unset; both have the same interface, so everything below has one code path. The lock uses only
SET NX PX and WATCH/MULTI (no Lua), which fakeredis supports without extra packages.
"""
from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from gateway import redis_keys

log = logging.getLogger(__name__)

Event = dict[str, Any]


class LockTimeout(RuntimeError):
    """Raised when a conversation lock is not acquired within the wait."""


def connect_redis(url: str | None) -> aioredis.Redis:
    if url:
        return aioredis.Redis.from_url(url, decode_responses=True)
    import fakeredis

    return fakeredis.FakeAsyncRedis(decode_responses=True)


class Bus:
    """The gateway's Redis operations, named for what they are for."""

    def __init__(self, redis: aioredis.Redis, *, rate_limit_per_minute: int = 20) -> None:
        self.redis = redis
        self.rate_limit_per_minute = rate_limit_per_minute

    async def ping(self) -> bool:
        return bool(await self.redis.ping())

    async def close(self) -> None:
        await self.redis.aclose()

    # --- de-duplication -------------------------------------------------------------------
    async def first_delivery(self, channel: str, delivery_key: str) -> bool:
        """True the first time a delivery is seen (SET NX with TTL)."""
        key = redis_keys.inbound_delivery(channel, delivery_key)
        return bool(await self.redis.set(key, "1", nx=True, ex=redis_keys.DEDUP_TTL_SECONDS))

    async def forget_delivery(self, channel: str, delivery_key: str) -> None:
        """Undo `first_delivery` when storing failed, so the platform's retry is not dropped."""
        await self.redis.delete(redis_keys.inbound_delivery(channel, delivery_key))

    # --- per-conversation lock ------------------------------------------------------------
    @asynccontextmanager
    async def conversation_lock(self, conversation_id: str, *, wait: float = 60.0) -> AsyncIterator[None]:
        key = redis_keys.conversation_lock(conversation_id)
        token = secrets.token_hex(16)
        deadline = time.monotonic() + wait
        delay = 0.01
        while not await self.redis.set(key, token, nx=True, px=redis_keys.LOCK_TTL_SECONDS * 1000):
            if time.monotonic() >= deadline:
                raise LockTimeout(f"conversation {conversation_id} busy")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.2)
        try:
            yield
        finally:
            await self._release(key, token)

    async def _release(self, key: str, token: str) -> None:
        # Delete only our own lock (it may have expired and been taken by another answerer).
        async with self.redis.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(key)
                if await pipe.get(key) == token:
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.delete(key)
                    await pipe.execute()
                else:
                    await pipe.unwatch()  # type: ignore[no-untyped-call]
            except WatchError:
                pass

    # --- rate limits ----------------------------------------------------------------------
    async def count_message(self, channel: str, external_user_id: str) -> int:
        """How many messages this person sent in the current minute, this one included."""
        window = int(time.time()) // redis_keys.RATE_WINDOW_SECONDS
        key = redis_keys.rate_limit(channel, external_user_id, window)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, redis_keys.RATE_WINDOW_SECONDS * 2)
            count, _ = await pipe.execute()
        return int(count)

    # --- privacy confirmation -------------------------------------------------------------
    async def ask_privacy_confirmation(self, conversation_id: str) -> None:
        await self.redis.set(redis_keys.privacy_confirmation(conversation_id), "1",
                             ex=redis_keys.PRIVACY_CONFIRM_TTL_SECONDS)

    async def take_privacy_confirmation(self, conversation_id: str) -> bool:
        """True (once) if the person was asked to confirm deleting their data."""
        return bool(await self.redis.delete(redis_keys.privacy_confirmation(conversation_id)))

    async def privacy_confirmation_pending(self, conversation_id: str) -> bool:
        return bool(await self.redis.exists(redis_keys.privacy_confirmation(conversation_id)))

    # --- events ---------------------------------------------------------------------------
    async def publish(self, event: Event) -> None:
        """Publish a conversation event; a Redis hiccup never undoes a committed change."""
        try:
            await self.redis.publish(redis_keys.CONVERSATIONS_CHANNEL, json.dumps(event, default=str))
        except Exception:  # noqa: BLE001
            log.warning("event not published: type=%s conversation=%s", event.get("type"),
                        event.get("conversation_id"))

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[Event]]:
        """`async with bus.subscribe() as events: async for event in events: ...`"""
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(redis_keys.CONVERSATIONS_CHANNEL)

        async def events() -> AsyncIterator[Event]:
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message is None:
                    continue
                try:
                    yield json.loads(message["data"])
                except (TypeError, ValueError):
                    continue

        try:
            yield events()
        finally:
            await pubsub.unsubscribe(redis_keys.CONVERSATIONS_CHANNEL)
            await pubsub.aclose()  # type: ignore[no-untyped-call]
