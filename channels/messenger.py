"""Facebook Messenger (Messenger Platform, Graph API Send API).

Inbound: the GET hub.challenge handshake, then POSTs signed with X-Hub-Signature-256 (HMAC-SHA256 of the
raw body with the app secret); entries and messaging items arrive batched. Outbound: POST /me/messages
with messaging_type RESPONSE, 2000-character bubbles, buttons as quick replies on the last bubble.
With `human_agent` (MESSENGER_HUMAN_AGENT=1, only once the Page has Meta's Human Agent permission from App
Review), officers' replies go as MESSAGE_TAG + HUMAN_AGENT and may be sent up to 7 days after the
person's last message instead of 24 hours; the bot's own replies never carry the tag (Meta forbids it).
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any

import httpx

from channels.base import Button, InboundMessage, OutboundMessage, SendResult, WebhookRejected
from channels.payloads import MalformedUpdateError, header, load_json_object
from channels.retry import (
    DEFAULT_RETRY,
    RejectedError,
    RetriesExhaustedError,
    RetryableError,
    RetryPolicy,
    Sleep,
    call_with_retries,
)
from channels.text import numbered_options, split_text

DEFAULT_API_BASE = "https://graph.facebook.com/v25.0"
SIGNATURE_HEADER = "X-Hub-Signature-256"
TEXT_LIMIT = 2000
QUICK_REPLY_LIMIT = 13
QUICK_REPLY_TITLE_LIMIT = 20
QUICK_REPLY_PAYLOAD_LIMIT = 1000
DEFAULT_TIMEOUT = 10.0
# Standard messaging window; with the HUMAN_AGENT tag a person (never the bot) may reply for 7 days.
REPLY_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
# Graph error codes that mean "slow down / try again": 1 unknown, 2 service, 4 app rate, 613 call rate.
_TRANSIENT_CODES = {1, 2, 4, 613}


def reply_window_closes_at(last_inbound_at: datetime, *, human_agent: bool = False) -> datetime:
    """When an officer's reply stops being allowed: 24 h after the person's last message, 7 days with
    the HUMAN_AGENT tag."""
    return last_inbound_at + (HUMAN_AGENT_WINDOW if human_agent else REPLY_WINDOW)


def expected_signature(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


class MessengerAdapter:
    name = "messenger"
    text_limit = TEXT_LIMIT
    supports_buttons = True

    def __init__(
        self,
        *,
        page_access_token: str,
        app_secret: str,
        verify_token: str,
        api_base: str = DEFAULT_API_BASE,
        client: httpx.AsyncClient | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
        human_agent: bool = False,
    ) -> None:
        self._token = page_access_token
        self._human_agent = human_agent
        self._app_secret = app_secret
        self._verify_token = verify_token
        self._url = f"{api_base.rstrip('/')}/me/messages"
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=DEFAULT_TIMEOUT)
        self._retry = retry
        self._sleep = sleep

    # -- inbound -------------------------------------------------------------------------------

    def handshake(self, params: Mapping[str, str]) -> str:
        """The GET subscription check: return hub.challenge, or raise WebhookRejected(403)."""
        mode = params.get("hub.mode")
        token = params.get("hub.verify_token") or ""
        challenge = params.get("hub.challenge")
        if mode != "subscribe" or challenge is None or not hmac.compare_digest(
            token.encode(), self._verify_token.encode()
        ):
            raise WebhookRejected(403, "wrong hub.verify_token or hub.mode")
        return challenge

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        given = header(headers, SIGNATURE_HEADER)
        if not given:
            raise WebhookRejected(401, f"missing {SIGNATURE_HEADER}")
        if not hmac.compare_digest(given.encode(), expected_signature(self._app_secret, body).encode()):
            raise WebhookRejected(403, f"wrong {SIGNATURE_HEADER}")

    def parse(self, body: bytes) -> list[InboundMessage]:
        data = load_json_object(body)
        if data.get("object") != "page" or not isinstance(data.get("entry"), list):
            raise MalformedUpdateError("not a page webhook")
        messages: list[InboundMessage] = []
        for entry in data["entry"]:
            for item in (entry or {}).get("messaging") or []:   # both levels may be batched
                inbound = self._from_item(item)
                if inbound is not None:
                    messages.append(inbound)
        return messages

    def _from_item(self, item: dict[str, Any]) -> InboundMessage | None:
        sender = str((item.get("sender") or {}).get("id") or "")
        timestamp = item.get("timestamp")
        sent_at = (
            datetime.fromtimestamp(timestamp / 1000, tz=timezone.utc)
            if isinstance(timestamp, (int, float)) else None
        )
        if not sender:
            raise MalformedUpdateError("messaging item without sender.id")
        message = item.get("message")
        if isinstance(message, dict):
            if message.get("is_echo"):       # our own sends, echoed back when echoes are subscribed
                return None
            mid = message.get("mid")
            if not mid:
                raise MalformedUpdateError("message without mid")
            payload = (message.get("quick_reply") or {}).get("payload")
            text = message.get("text")
            kind = "postback" if payload else "text" if text is not None else _attachment_kind(message)
            return InboundMessage(
                channel=self.name, external_user_id=sender, delivery_key=str(mid),
                text=text, payload=payload, kind=kind, platform_message_id=str(mid), sent_at=sent_at,
            )
        postback = item.get("postback")
        if isinstance(postback, dict):
            key = postback.get("mid") or f"postback:{sender}:{timestamp}"
            return InboundMessage(
                channel=self.name, external_user_id=sender, delivery_key=str(key),
                text=postback.get("title"), payload=postback.get("payload"), kind="postback",
                platform_message_id=postback.get("mid"), sent_at=sent_at,
            )
        return None   # delivery, read, reaction, optin … are not messages

    # -- outbound ------------------------------------------------------------------------------

    async def send(self, external_user_id: str, message: OutboundMessage) -> SendResult:
        buttons = list(message.buttons)
        text = message.text
        if len(buttons) > QUICK_REPLY_LIMIT:
            # Keep every choice reachable: the overflow is listed as numbered text.
            text = text + "\n\n" + numbered_options(buttons)
        pieces = split_text(text, TEXT_LIMIT) or [""]
        quick_replies = _quick_replies(buttons[:QUICK_REPLY_LIMIT])
        sent: list[str] = []
        for index, piece in enumerate(pieces):
            body: dict[str, Any] = {"recipient": {"id": external_user_id}, "message": {"text": piece}}
            if message.from_officer and self._human_agent:
                body.update(messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
            else:
                body["messaging_type"] = "RESPONSE"
            if quick_replies and index == len(pieces) - 1:
                body["message"]["quick_replies"] = quick_replies
            try:
                result = await call_with_retries(
                    partial(self._post_once, body), policy=self._retry, sleep=self._sleep
                )
            except (RetriesExhaustedError, RejectedError) as failure:
                return SendResult(ok=False, platform_message_ids=tuple(sent), error=failure.reason)
            sent.append(str(result.get("message_id", "")))
        return SendResult(ok=True, platform_message_ids=tuple(sent))

    async def _post_once(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._client.post(self._url, params={"access_token": self._token}, json=body)
        except httpx.TransportError as error:
            raise RetryableError(f"messenger: network {error.__class__.__name__}") from error
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.is_success and isinstance(data, dict) and "error" not in data:
            return data
        found = data.get("error") if isinstance(data, dict) else None
        detail: dict[str, Any] = found if isinstance(found, dict) else {}
        reason = f"messenger: {detail.get('message') or f'HTTP {response.status_code}'}"
        if detail.get("code") is not None:
            reason += f" (code {detail['code']})"
        retry_after = _retry_after_header(response)
        if (
            response.status_code == 429 or response.status_code >= 500
            or detail.get("is_transient") or detail.get("code") in _TRANSIENT_CODES
        ):
            raise RetryableError(reason, retry_after=retry_after)
        raise RejectedError(reason)

    def reply_window_closes_at(self, last_inbound_at: datetime) -> datetime | None:
        return reply_window_closes_at(last_inbound_at, human_agent=self._human_agent)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()


def _quick_replies(buttons: list[Button]) -> list[dict[str, str]]:
    return [
        {
            "content_type": "text",
            "title": _shorten(button.title, QUICK_REPLY_TITLE_LIMIT),
            "payload": button.payload[:QUICK_REPLY_PAYLOAD_LIMIT],
        }
        for button in buttons
    ]


def _shorten(title: str, limit: int) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _attachment_kind(message: dict[str, Any]) -> str:
    attachments = message.get("attachments") or []
    types = {attachment.get("type") for attachment in attachments if isinstance(attachment, dict)}
    if "image" in types:
        # Stickers arrive as image attachments carrying a sticker_id.
        return "sticker" if message.get("sticker_id") else "image"
    return "unsupported"


def _retry_after_header(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
