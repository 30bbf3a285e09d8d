"""The website's chat: messages come over POST /api/v1/chat, answers go back in the HTTP response.

There is no platform to deliver to: `send` only collects what a request produced (the route returns it)
and reports it delivered; an officer's later replies reach the page by its polling of the history.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Mapping

from channels.base import InboundMessage, OutboundMessage, SendResult

TEXT_LIMIT = 2000
SENDER_ID = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")


class WebchatAdapter:
    name = "webchat"
    text_limit = TEXT_LIMIT
    supports_buttons = True

    def __init__(self) -> None:
        self.sent: list[tuple[str, OutboundMessage]] = []

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        """Anyone may use the public chat; abuse is bounded by input validation and rate limits."""

    def parse(self, body: bytes) -> list[InboundMessage]:
        raise NotImplementedError("the web chat route validates JSON itself (gateway/webchat)")

    @staticmethod
    def inbound(sender_id: str, text: str | None, payload: str | None,
                message_id: str | None = None) -> InboundMessage:
        return InboundMessage(channel="webchat", external_user_id=sender_id,
                              delivery_key=message_id or uuid.uuid4().hex, text=text, payload=payload,
                              kind="postback" if payload else "text")

    async def send(self, external_user_id: str, message: OutboundMessage) -> SendResult:
        self.sent.append((external_user_id, message))
        return SendResult(ok=True)
