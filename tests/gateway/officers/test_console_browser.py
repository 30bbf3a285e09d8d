"""The console in headless Chromium: sign in, a Telegram escalation appears LIVE (SSE), claim, reply (the
fake Telegram receives it), resolve; a person's <script> shows as text and never runs."""
from __future__ import annotations

import json
import re

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.gateway.fakes.telegram_server import FakeTelegram
from tests.gateway.officers.conftest import PASSWORD, TELEGRAM_SECRET
from tests.gateway.officers.live_gateway import LiveGateway, create_account

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PAYLOAD = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> tôi bị đe dọa, nguy hiểm lắm'


def telegram_update(update_id: int, chat_id: int, text: str) -> bytes:
    return json.dumps({"update_id": update_id, "message": {
        "message_id": update_id, "date": 1_764_000_000, "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Lan"}, "text": text}},
        ensure_ascii=False).encode()


@pytest.mark.browser
def test_officer_handles_a_live_telegram_escalation_in_the_browser(
        platforms_env: dict[str, str], fake_telegram: FakeTelegram) -> None:
    create_account(platforms_env, "canbo.an", PASSWORD)
    with LiveGateway(platforms_env) as gateway, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            run_console(page, gateway, fake_telegram)
            assert errors == []
        finally:
            browser.close()


def run_console(page: Page, gateway: LiveGateway, fake_telegram: FakeTelegram) -> None:
    page.goto(gateway.url + "/console")
    page.fill("#username", "canbo.an")
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    expect(page.get_by_test_id("who")).to_contain_text("canbo.an")
    expect(page.locator("#live.on")).to_be_visible()            # the SSE stream is open
    expect(page.get_by_test_id("queue-item")).to_have_count(0)

    # A person on Telegram writes a crisis message holding HTML and a script.
    response = httpx.post(gateway.url + "/webhooks/telegram", content=telegram_update(90_001, 777, PAYLOAD),
                          headers={"Content-Type": "application/json",
                                   "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    assert response.status_code == 200
    # It appears without a reload: only the SSE event can bring it within 5 s (the list polls every 30 s).
    item = page.get_by_test_id("queue-item")
    expect(item).to_have_count(1, timeout=5000)
    expect(item).to_contain_text("KHẨN CẤP")
    expect(item).to_contain_text("Telegram")

    item.click()
    incoming = page.locator(".msg.incoming [data-testid=message-text]").first
    expect(incoming).to_have_text(PAYLOAD)                      # shown as text, tags and all
    assert page.locator("#transcript script, #transcript img").count() == 0
    assert page.evaluate("window.__pwned") is None
    expect(page.get_by_test_id("window")).to_contain_text("không giới hạn")
    expect(page.get_by_test_id("send")).to_be_disabled()        # not claimed yet

    page.get_by_test_id("claim").click()
    expect(page.get_by_test_id("send")).to_be_enabled()
    page.fill("#reply-text", "Chào bạn, tôi là cán bộ An. Bạn đang ở đâu? Hãy gọi 113 nếu nguy hiểm.")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("send-status")).to_have_text("Đã gửi tới người dân.")
    assert fake_telegram.sent_texts(777)[-1] == "Chào bạn, tôi là cán bộ An. Bạn đang ở đâu? Hãy gọi 113 nếu nguy hiểm."
    expect(page.get_by_test_id("delivery").last).to_have_text("đã gửi")

    page.get_by_test_id("resolve").click()
    expect(page.locator("#d-meta")).to_contain_text(re.compile("đã xong"))
    expect(page.get_by_test_id("queue-item")).to_have_count(0)
    assert page.evaluate("window.__pwned") is None
