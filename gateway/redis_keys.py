"""Every Redis key and channel the gateway uses, in one place (so nothing collides or leaks)."""
from __future__ import annotations

PREFIX = "cdht"

# Pub/sub channel of conversation events (docs/architecture.md, "Events").
CONVERSATIONS_CHANNEL = "conversations"

DEDUP_TTL_SECONDS = 24 * 3600
LOCK_TTL_SECONDS = 120
RATE_WINDOW_SECONDS = 60
PRIVACY_CONFIRM_TTL_SECONDS = 600


def inbound_delivery(channel: str, delivery_key: str) -> str:
    """SET NX: the fast de-duplication guard (the inbound_deliveries row is the durable one)."""
    return f"{PREFIX}:dedup:{channel}:{delivery_key}"


def conversation_lock(conversation_id: str) -> str:
    """One answerer per conversation at a time, so a person's messages are answered in order."""
    return f"{PREFIX}:lock:conversation:{conversation_id}"


def rate_limit(channel: str, external_user_id: str, window: int) -> str:
    """Messages counted per person per minute window."""
    return f"{PREFIX}:rate:{channel}:{external_user_id}:{window}"


def privacy_confirmation(conversation_id: str) -> str:
    """Set while the person is asked to confirm deleting their data."""
    return f"{PREFIX}:privacy:confirm:{conversation_id}"
