"""Telegram through python-telegram-bot's Bot (no PTB Application: the gateway owns the web server).

Inbound: the secret-token header set with setWebhook, then an Update. Outbound: sendMessage in bubbles of
at most 4096 UTF-16 units, buttons as an inline keyboard under the last bubble.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import os
import warnings
from collections import OrderedDict
from collections.abc import Mapping, MutableMapping, Sequence
from datetime import datetime, timezone
from functools import partial
from typing import Any

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from channels.base import Button, InboundMessage, OutboundMessage, SendResult
from channels.payloads import MalformedUpdateError, load_json_object, require_equal_secret
from channels.retry import (
    DEFAULT_RETRY,
    RetriesExhaustedError,
    RetryableError,
    RetryPolicy,
    Sleep,
    call_with_retries,
    seconds,
)
from channels.text import split_text, utf16_count

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.telegram.org/bot"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"   # noqa: S105 (a header name)
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64          # bytes
# Payloads longer than callback_data allows travel as a short token; remembered for this many buttons.
PAYLOAD_TOKEN_PREFIX = "~"   # noqa: S105 (not a secret)
PAYLOAD_STORE_SIZE = 10_000


class _InjectedClientRequest(HTTPXRequest):
    """PTB's HTTPX request object, but on a client the caller built (tests pass a transport)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._injected = client
        super().__init__()

    def _build_client(self) -> httpx.AsyncClient:
        return self._injected


class _BoundedStore(OrderedDict[str, str]):
    """token → payload, forgetting the oldest entries beyond a fixed size."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self._size = size

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self._size:
            self.popitem(last=False)


class TelegramAdapter:
    name = "telegram"
    text_limit = TEXT_LIMIT
    supports_buttons = True

    def __init__(
        self,
        *,
        token: str,
        webhook_secret: str,
        api_base: str = DEFAULT_API_BASE,
        client: httpx.AsyncClient | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
        payload_store: MutableMapping[str, str] | None = None,
    ) -> None:
        # Opt in to PTB's future timedelta retry_after: with the int default, PTB itself emits a
        # deprecation warning while building RetryAfter, which a warnings-as-errors run turns into a crash.
        os.environ.setdefault("PTB_TIMEDELTA", "1")
        self._secret = webhook_secret
        self._owns_client = client is None
        self._request = _InjectedClientRequest(client) if client is not None else HTTPXRequest()
        # getUpdates is never used (webhook only); one request object serves both slots.
        self.bot = Bot(token, base_url=api_base, request=self._request, get_updates_request=self._request)
        self._retry = retry
        self._sleep = sleep
        # A tapped button may reach another gateway replica; it then falls back to the button's title.
        self._payloads: MutableMapping[str, str] = (
            payload_store if payload_store is not None else _BoundedStore(PAYLOAD_STORE_SIZE)
        )

    # -- inbound -------------------------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        require_equal_secret(headers, SECRET_HEADER, self._secret)

    def parse(self, body: bytes) -> list[InboundMessage]:
        data = load_json_object(body)
        if not isinstance(data.get("update_id"), int):
            raise MalformedUpdateError("update without update_id")
        try:
            update = Update.de_json(data, self.bot)
        except (KeyError, TypeError, ValueError) as error:
            raise MalformedUpdateError(f"not a Telegram update: {error.__class__.__name__}") from None
        if update.callback_query is not None:
            return [self._from_callback(update)]
        if update.message is not None:
            return [self._from_message(update)]
        return []   # edited messages, channel posts, member updates: not messages to answer

    def _from_message(self, update: Update) -> InboundMessage:
        message = update.message
        assert message is not None
        kind, text = "unsupported", None
        if message.text is not None:
            kind, text = "text", message.text
        elif message.photo:
            kind, text = "image", message.caption
        elif message.sticker is not None:
            kind = "sticker"
        user = message.from_user
        return InboundMessage(
            channel=self.name,
            external_user_id=str(message.chat.id),
            delivery_key=str(update.update_id),
            text=text,
            kind=kind,
            display_name=user.full_name if user else None,
            platform_message_id=str(message.message_id),
            sent_at=message.date,
        )

    def _from_callback(self, update: Update) -> InboundMessage:
        query = update.callback_query
        assert query is not None
        data = query.data or ""
        title = _button_title(query.message, data)
        payload: str | None = data
        if data.startswith(PAYLOAD_TOKEN_PREFIX):
            payload = self._payloads.get(data)
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        return InboundMessage(
            channel=self.name,
            external_user_id=str(chat_id),
            delivery_key=str(update.update_id),
            # An unknown token (restart, other replica): the title is still a question the bot understands.
            text=title,
            payload=payload,
            kind="postback" if payload else "text",
            display_name=query.from_user.full_name,
            sent_at=datetime.now(timezone.utc),
            metadata={"callback_query_id": query.id},
        )

    async def acknowledge(self, inbound: InboundMessage) -> None:
        """Stop the button's loading spinner; Telegram shows it until the callback query is answered."""
        query_id = inbound.metadata.get("callback_query_id")
        if not isinstance(query_id, str):
            return
        try:
            await self.bot.answer_callback_query(query_id)
        except TelegramError as error:   # a spinner left spinning is harmless; the answer still comes
            logger.warning("telegram answerCallbackQuery failed: %s", error.__class__.__name__)

    # -- outbound ------------------------------------------------------------------------------

    async def send(self, external_user_id: str, message: OutboundMessage) -> SendResult:
        pieces = split_text(message.text, TEXT_LIMIT, measure=utf16_count) or [""]
        keyboard = self._keyboard(message.buttons)
        sent: list[str] = []
        for index, piece in enumerate(pieces):
            markup = keyboard if index == len(pieces) - 1 else None
            try:
                message_id = await call_with_retries(
                    partial(self._send_once, external_user_id, piece, markup),
                    policy=self._retry,
                    sleep=self._sleep,
                )
            except RetriesExhaustedError as failure:
                return SendResult(ok=False, platform_message_ids=tuple(sent), error=failure.reason)
            except TelegramError as error:
                return SendResult(ok=False, platform_message_ids=tuple(sent), error=_describe(error))
            sent.append(message_id)
        return SendResult(ok=True, platform_message_ids=tuple(sent))

    async def _send_once(
        self, chat_id: str, text: str, markup: InlineKeyboardMarkup | None
    ) -> str:
        try:
            sent = await self.bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)
        except RetryAfter as error:
            raise RetryableError(_describe(error), retry_after=_retry_after_seconds(error)) from error
        except NetworkError as error:   # includes TimedOut and every 5xx
            raise RetryableError(_describe(error)) from error
        return str(sent.message_id)

    def _keyboard(self, buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
        if not buttons:
            return None
        rows = [
            [InlineKeyboardButton(button.title, callback_data=self._callback_data(button.payload))]
            for button in buttons
        ]
        return InlineKeyboardMarkup(rows)

    def _callback_data(self, payload: str) -> str:
        if len(payload.encode()) <= CALLBACK_DATA_LIMIT and not payload.startswith(PAYLOAD_TOKEN_PREFIX):
            return payload
        digest = hashlib.sha256(payload.encode()).digest()
        token = PAYLOAD_TOKEN_PREFIX + base64.urlsafe_b64encode(digest).decode()[:32]
        self._payloads[token] = payload
        return token

    def reply_window_closes_at(self, last_inbound_at: datetime) -> datetime | None:
        return None   # Telegram has no reply window

    async def aclose(self) -> None:
        if self._owns_client:
            await self._request.shutdown()


def _button_title(message: Any, data: str) -> str | None:
    """The title of the tapped button, read from the keyboard of the message it was under."""
    markup = getattr(message, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", ()) or ():
        for button in row:
            if button.callback_data == data:
                return str(button.text)
    return None


def _retry_after_seconds(error: RetryAfter) -> float | None:
    # PTB 22 gives an int (deprecated) or, with PTB_TIMEDELTA=1, a timedelta; accept both quietly.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        return seconds(error.retry_after)


def _describe(error: TelegramError) -> str:
    return f"telegram: {error.message}"
