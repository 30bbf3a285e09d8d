"""The web chat page in a real browser (Debian's Chromium through Playwright), against a fake engine."""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser_page() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}"
        if os.environ.get("CI_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 390, "height": 800}, locale="vi-VN")
        page = context.new_page()
        yield page
        context.close()
        browser.close()


def test_question_gets_an_answer_with_its_source(live_gateway: str, browser_page: object) -> None:
    from playwright.sync_api import Page, expect

    page: Page = browser_page  # type: ignore[assignment]
    page.goto(live_gateway + "/")
    expect(page.get_by_role("heading", name="Con đường hướng thiện")).to_be_visible()

    page.get_by_label("Tin nhắn của bạn").fill("vay von 22/2023 lai suat bao nhieu")
    page.get_by_role("button", name="Gửi").click()

    log = page.get_by_role("log")
    expect(log.get_by_text("vay von 22/2023 lai suat bao nhieu")).to_be_visible()
    expect(log.get_by_text("lãi suất bằng lãi suất cho vay hộ cận nghèo", exact=False)).to_be_visible()
    # The source line under the answer, visible to the reader.
    expect(log.get_by_text("Nguồn: Quyết định 22/2023/QĐ-TTg, Điều 9", exact=False).first).to_be_visible()
    # The document is linked once per answer (both bubbles carry the source), not under every bubble.
    expect(log.get_by_role("link", name="Quyết định 22/2023/QĐ-TTg, Điều 9")).to_have_count(1)
    # The typing dots are gone once the answer is there.
    expect(page.locator("#typing")).to_be_hidden()
    # The consent notice came first, once.
    expect(log.get_by_text("xóa dữ liệu của tôi", exact=False)).to_have_count(1)

    # A button works like typing its payload.
    page.get_by_role("button", name="Ai được vay?").click()
    expect(log.get_by_text("cư trú hợp pháp", exact=False)).to_be_visible()


def test_markup_in_answers_is_shown_as_text(live_gateway: str, browser_page: object,
                                            fake_engine: object) -> None:
    from playwright.sync_api import Page, expect

    from tests.gateway.fakes.engine import FakeEngine, bubble

    assert isinstance(fake_engine, FakeEngine)
    fake_engine.script = lambda sender, message, metadata: [bubble('<img src=x onerror="window.pwned=1">',
                                                                   "out_of_scope")]
    page: Page = browser_page  # type: ignore[assignment]
    page.goto(live_gateway + "/")
    page.get_by_label("Tin nhắn của bạn").fill("<b>xin chao</b>")
    page.keyboard.press("Enter")
    expect(page.get_by_role("log").get_by_text('<img src=x onerror="window.pwned=1">')).to_be_visible()
    expect(page.get_by_role("log").get_by_text("<b>xin chao</b>")).to_be_visible()
    assert page.evaluate("window.pwned") is None
    assert page.locator(".chat__log img, .chat__log b").count() == 0


def test_widget_opens_the_chat_in_a_panel(live_gateway: str, browser_page: object) -> None:
    from playwright.sync_api import Page

    page: Page = browser_page  # type: ignore[assignment]
    # A page of the city's website, served from another origin, with the one script tag.
    html = (f'<!doctype html><meta charset="utf-8"><title>Cổng thông tin</title><p>Trang của thành phố</p>'
            f'<script src="{live_gateway}/widget.js" async></script>').encode()

    class CityPage(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, format: str, *args: object) -> None:
            pass

    site = ThreadingHTTPServer(("127.0.0.1", 0), CityPage)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        _open_widget(page, f"http://127.0.0.1:{site.server_address[1]}/")
    finally:
        site.shutdown()
        site.server_close()


def _open_widget(page: object, city: str) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(city)
    expect(page.get_by_text("Trang của thành phố")).to_be_visible()
    page.get_by_role("button", name="Mở hỏi đáp Con đường hướng thiện").click()
    frame = page.frame_locator("iframe[title='Hỏi đáp Con đường hướng thiện']")
    frame.get_by_label("Tin nhắn của bạn").fill("xin chao")
    frame.get_by_role("button", name="Gửi").click()
    expect(frame.get_by_text("Mình có thể giúp gì?")).to_be_visible()
