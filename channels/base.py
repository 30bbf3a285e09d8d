"""The types every channel adapter speaks, and the protocol the gateway drives them through."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class InboundMessage:
    """One message a person sent, as any platform delivers it."""

    channel: str                     # "telegram" | "zalo" | "zalo_oa" | "messenger" | "webchat"
    external_user_id: str            # the platform's id of the person (chat id, PSID, Zalo user id)
    delivery_key: str                # de-duplication key, unique per channel (update_id, mid, msg_id …)
    text: str | None                 # what the person typed (None for stickers, images …)
    payload: str | None = None       # a button's payload when a button was tapped
    kind: str = "text"               # "text" | "postback" | "image" | "sticker" | "unsupported"
    display_name: str | None = None
    platform_message_id: str | None = None
    sent_at: datetime | None = None
    metadata: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class OutboundMessage:
    """One bot or officer bubble; the adapter splits and renders buttons as its platform allows."""

    text: str
    buttons: Sequence[Button] = ()
    from_officer: bool = False       # a person wrote it (Messenger's HUMAN_AGENT tag may apply)


@dataclass(frozen=True)
class SendResult:
    ok: bool
    platform_message_ids: tuple[str, ...] = ()
    error: str | None = None         # what the platform said, shown to officers and stored on the message


class WebhookRejected(Exception):
    """Raised when a webhook request fails verification; nothing of it is stored."""

    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(reason)
        self.status_code = status_code   # 401 missing credentials, 403 wrong credentials
        self.reason = reason


class ChannelAdapter(Protocol):
    name: str
    text_limit: int

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        """Raise WebhookRejected unless the request comes from the platform."""

    def parse(self, body: bytes) -> list[InboundMessage]:
        """Every message in the request (platforms batch); empty for events that are not messages."""

    async def send(self, external_user_id: str, message: OutboundMessage) -> SendResult:
        """Deliver one message within the platform's limits; never raises for platform errors."""
