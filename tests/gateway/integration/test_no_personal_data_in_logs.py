"""Failures are logged with conversation ids only: never the message text or the platform's ids."""
from __future__ import annotations

import logging

import pytest

from channels.base import InboundMessage, OutboundMessage, SendResult
from gateway.services import Services
from tests.gateway.fakes.engine import FakeEngine

SECRET_TEXT = "toi tung bi an 5 nam o trai Z30D"
USER_ID = "987654321-secret-user"


class FailingChannel:
    name = "telegram"
    text_limit = 4096

    def verify(self, headers: object, body: bytes) -> None: ...
    def parse(self, body: bytes) -> list[InboundMessage]: return []

    async def send(self, external_user_id: str, message: OutboundMessage) -> SendResult:
        raise RuntimeError(f"boom for {external_user_id}: {message.text}")


async def test_failures_leave_no_personal_data_in_logs(services: Services, fake_engine: FakeEngine,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="gateway")
    fake_engine.down = True
    inbound = InboundMessage(channel="telegram", external_user_id=USER_ID, delivery_key="upd-777",
                             text=SECRET_TEXT, platform_message_id="pm-secret-42")
    outcome = await services.pipeline.receive(inbound, FailingChannel())

    assert outcome is not None and outcome.conversation.status == "human"
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert outcome.conversation.id in logged            # failures are logged, by conversation id
    for secret in (SECRET_TEXT, USER_ID, "pm-secret-42", "upd-777"):
        assert secret not in logged


def test_access_log_hides_web_chat_sender_ids() -> None:
    from gateway.app import RedactSenderIds

    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/api/v1/chat/w0123abcd/history?after=3", "1.1", 200), None)
    RedactSenderIds().filter(record)
    assert "w0123abcd" not in record.getMessage()
    assert "/api/v1/chat/…/history?after=3" in record.getMessage()
