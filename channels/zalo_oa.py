"""Zalo Official Account, Open API v3.

Inbound: X-ZEvent-Signature "mac=" + SHA-256(app_id + raw body + timestamp + OA secret key) — plain
SHA-256, not HMAC — then user_send_* events. Outbound: customer-service messages
(POST /v3.0/oa/message/cs, header access_token); success is HTTP 200 AND error == 0.

Buttons are sent as numbered options, not `oa.query.*` buttons: those are only secondarily documented
[S], and a tapped one comes back as an ordinary text message carrying the payload, which the person
would see as their own words. Numbered options behave the same here as on the Zalo Bot channel
(the gateway maps a typed "1" back through the conversation's last_buttons).
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from channels.base import InboundMessage, OutboundMessage, SendResult, WebhookRejected
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
from channels.text import split_with_options
from channels.zalo_oa_tokens import OATokens, TokenStore

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://openapi.zalo.me"
DEFAULT_OAUTH_BASE = "https://oauth.zaloapp.com"
SIGNATURE_HEADER = "X-ZEvent-Signature"
TEXT_LIMIT = 2000
DEFAULT_TIMEOUT = 10.0
# Customer-service replies are free for 48 h after the person's last message and allowed up to 7 days.
FREE_REPLY_WINDOW = timedelta(hours=48)
REPLY_WINDOW = timedelta(days=7)
EXPIRED_TOKEN_ERROR = -216
# Refresh a little before expiry so a send rarely meets an expired token.
REFRESH_MARGIN_SECONDS = 300

_KINDS = {
    "user_send_text": "text",
    "anonymous_send_text": "text",
    "user_send_image": "image",
    "user_send_gif": "image",
    "user_send_sticker": "sticker",
}


def reply_window_closes_at(last_inbound_at: datetime) -> datetime:
    """The last moment a customer-service reply is allowed: 7 days after the person's last message."""
    return last_inbound_at + REPLY_WINDOW


def free_reply_window_closes_at(last_inbound_at: datetime) -> datetime:
    """Until then replies are free (8 per inbound message); afterwards they cost OA quota."""
    return last_inbound_at + FREE_REPLY_WINDOW


def expected_signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    digest = hashlib.sha256(app_id.encode() + body + timestamp.encode() + oa_secret_key.encode())
    return "mac=" + digest.hexdigest()


class TokenRefreshError(Exception):
    """Raised when Zalo refuses the refresh token (e.g. -14020: already used); an admin must re-authorise."""


class ZaloOAAdapter:
    name = "zalo_oa"
    text_limit = TEXT_LIMIT
    supports_buttons = False   # numbered options instead; the gateway maps a typed digit

    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str,
        oa_secret_key: str,
        tokens: TokenStore,
        api_base: str = DEFAULT_API_BASE,
        oauth_base: str = DEFAULT_OAUTH_BASE,
        client: httpx.AsyncClient | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._app_id = app_id
        self._app_secret = app_secret
        self._oa_secret_key = oa_secret_key
        self.tokens = tokens
        self._send_url = f"{api_base.rstrip('/')}/v3.0/oa/message/cs"
        self._oauth_url = f"{oauth_base.rstrip('/')}/v4/oa/access_token"
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=DEFAULT_TIMEOUT)
        self._retry = retry
        self._sleep = sleep

    # -- inbound -------------------------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        given = header(headers, SIGNATURE_HEADER)
        if not given:
            raise WebhookRejected(401, f"missing {SIGNATURE_HEADER}")
        # app_id and timestamp are part of the signed material, so the body must be read first;
        # a body we cannot read cannot be shown to come from Zalo.
        try:
            data = json.loads(body)
            app_id, timestamp = str(data["app_id"]), str(data["timestamp"])
        except (ValueError, KeyError, TypeError):
            raise WebhookRejected(403, f"unverifiable body for {SIGNATURE_HEADER}") from None
        expected = expected_signature(app_id, body, timestamp, self._oa_secret_key)
        if not hmac.compare_digest(given.strip().encode(), expected.encode()):
            raise WebhookRejected(403, f"wrong {SIGNATURE_HEADER}")
        if not hmac.compare_digest(app_id.encode(), self._app_id.encode()):
            raise WebhookRejected(403, "event for another app_id")

    def parse(self, body: bytes) -> list[InboundMessage]:
        data = load_json_object(body)
        event = data.get("event_name")
        if not isinstance(event, str):
            raise MalformedUpdateError("event without event_name")
        if not (event.startswith("user_send_") or event == "anonymous_send_text"):
            return []   # follow, unfollow, user_received_message, user_seen_message …
        message = data.get("message")
        sender = data.get("sender")
        if not isinstance(message, dict) or not message.get("msg_id"):
            raise MalformedUpdateError("message event without message.msg_id")
        if not isinstance(sender, dict) or not sender.get("id"):
            raise MalformedUpdateError("message event without sender.id")
        kind = _KINDS.get(event, "unsupported")
        text = message.get("text")
        metadata: dict[str, object] = {"event_name": event}
        if event.startswith("anonymous_"):
            metadata["anonymous"] = True
        return [
            InboundMessage(
                channel=self.name,
                external_user_id=str(sender["id"]),
                delivery_key=str(message["msg_id"]),
                text=text if isinstance(text, str) and kind == "text" else None,
                kind=kind,
                platform_message_id=str(message["msg_id"]),
                sent_at=_from_epoch_ms(data.get("timestamp")),
                metadata=metadata,
            )
        ]

    # -- outbound ------------------------------------------------------------------------------

    async def send(self, external_user_id: str, message: OutboundMessage) -> SendResult:
        pieces = split_with_options(message.text, message.buttons, TEXT_LIMIT) or [""]
        sent: list[str] = []
        for piece in pieces:
            body = {"recipient": {"user_id": external_user_id}, "message": {"text": piece}}
            try:
                message_id = await self._send_with_fresh_token(body)
            except (RetriesExhaustedError, RejectedError, TokenRefreshError, LookupError) as failure:
                return SendResult(ok=False, platform_message_ids=tuple(sent), error=_reason(failure))
            sent.append(message_id)
        return SendResult(ok=True, platform_message_ids=tuple(sent))

    async def _send_with_fresh_token(self, body: dict[str, Any]) -> str:
        tokens = await self.tokens.load()
        if tokens.expires_within(REFRESH_MARGIN_SECONDS):
            tokens = await self.tokens.rotate(tokens.access_token, self._refresh)
        try:
            return await self._post_with_retries(body, tokens)
        except _TokenExpiredError:
            # Refresh once (or pick up another replica's refresh) and try again; a second expiry fails.
            tokens = await self.tokens.rotate(tokens.access_token, self._refresh)
            try:
                return await self._post_with_retries(body, tokens)
            except _TokenExpiredError as again:
                raise RejectedError(again.reason) from again

    async def _post_with_retries(self, body: dict[str, Any], tokens: OATokens) -> str:
        return await call_with_retries(
            lambda: self._post_once(body, tokens), policy=self._retry, sleep=self._sleep
        )

    async def _post_once(self, body: dict[str, Any], tokens: OATokens) -> str:
        try:
            response = await self._client.post(
                self._send_url, json=body, headers={"access_token": tokens.access_token or ""}
            )
        except httpx.TransportError as error:
            raise RetryableError(f"zalo_oa: network {error.__class__.__name__}") from error
        try:
            data = response.json()
        except ValueError:
            data = None
        data = data if isinstance(data, dict) else {}
        error_code = data.get("error")
        reason = f"zalo_oa: {data.get('message') or f'HTTP {response.status_code}'}"
        if error_code not in (None, 0):
            reason += f" (error {error_code})"
        if response.status_code == 200 and error_code == 0:
            return str((data.get("data") or {}).get("message_id", ""))
        if response.status_code == 401 or error_code == EXPIRED_TOKEN_ERROR:
            raise _TokenExpiredError(reason)
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(reason, retry_after=_retry_after_header(response))
        raise RejectedError(reason)

    async def _refresh(self, refresh_token: str) -> OATokens:
        """POST /v4/oa/access_token; Zalo rotates BOTH tokens, so the caller stores the pair at once."""
        try:
            response = await self._client.post(
                self._oauth_url,
                data={"app_id": self._app_id, "refresh_token": refresh_token, "grant_type": "refresh_token"},
                headers={"secret_key": self._app_secret},
            )
            data = response.json()
        except (httpx.TransportError, ValueError) as error:
            raise TokenRefreshError(f"zalo_oa: token refresh failed: {error.__class__.__name__}") from error
        if not isinstance(data, dict) or not data.get("access_token") or not data.get("refresh_token"):
            detail = data.get("error_description") or data.get("error") if isinstance(data, dict) else None
            raise TokenRefreshError(f"zalo_oa: token refresh refused: {detail or response.status_code}")
        expires_in = int(str(data.get("expires_in") or 0)) or None
        expires_at = datetime.now(timezone.utc) + timedelta(seconds=expires_in) if expires_in else None
        logger.info("zalo_oa tokens rotated")
        return OATokens(str(data["access_token"]), str(data["refresh_token"]), expires_at)

    def reply_window_closes_at(self, last_inbound_at: datetime) -> datetime | None:
        return reply_window_closes_at(last_inbound_at)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()


class _TokenExpiredError(RejectedError):
    """HTTP 401 or error -216: the access token is no longer valid."""


def _reason(failure: Exception) -> str:
    return str(getattr(failure, "reason", None) or failure)


def _from_epoch_ms(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(value)) / 1000, tz=timezone.utc)
    except (TypeError, ValueError):
        return None


def _retry_after_header(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
