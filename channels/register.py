"""Register a channel's webhook, or print how to, after checking its settings.

    python -m channels.register telegram|zalo|zalo-oa|messenger --url https://<host>/webhooks/<channel>

Telegram and Zalo Bot are registered through their API (setWebhook with the secret token the gateway
checks). Zalo OA and Messenger webhooks are set in the platforms' developer consoles: the command checks
the settings and prints the steps.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO
from urllib.parse import urlsplit

import httpx
from telegram.error import TelegramError

from channels.registry import WEBHOOK_SLUGS, ChannelSettingsError, build_adapter, configured_channels
from channels.telegram import TelegramAdapter
from channels.zalo_bot import ZaloBotAdapter, ZaloBotError

COMMAND_CHANNELS = {slug: name for name, slug in WEBHOOK_SLUGS.items()}   # "zalo-oa" → "zalo_oa"


class RegistrationError(Exception):
    """Raised when the settings, the URL or the platform refuse the registration; the message says why."""


def _check_url(url: str, slug: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise RegistrationError("--url phải là địa chỉ HTTPS công khai (các nền tảng không gọi HTTP).")
    if not parts.path.rstrip("/").endswith(f"/webhooks/{slug}"):
        raise RegistrationError(f"--url phải kết thúc bằng /webhooks/{slug} (đường dẫn của gateway).")
    return url


def _settings(channel: str, env: Mapping[str, str]) -> Mapping[str, str]:
    try:
        enabled = configured_channels(env, development=False)
    except ChannelSettingsError as error:
        raise RegistrationError(str(error)) from error
    if channel not in enabled:
        raise RegistrationError(f"Kênh {channel} chưa được cấu hình: đặt các biến môi trường của kênh trước.")
    return enabled[channel]


async def register(channel: str, url: str, env: Mapping[str, str], out: TextIO,
                   client: httpx.AsyncClient | None = None) -> None:
    slug = WEBHOOK_SLUGS[channel]
    _check_url(url, slug)
    values = _settings(channel, env)
    if channel == "telegram":
        adapter = build_adapter(channel, values, client=client)
        assert isinstance(adapter, TelegramAdapter)
        try:
            await adapter.bot.set_webhook(url, secret_token=values["TELEGRAM_WEBHOOK_SECRET"],
                                          allowed_updates=["message", "callback_query"])
            telegram_info = await adapter.bot.get_webhook_info()
        except TelegramError as error:
            raise RegistrationError(f"Telegram từ chối: {error.message}") from error
        finally:
            await adapter.aclose()
        print(f"Đã đăng ký webhook Telegram: {telegram_info.url}", file=out)
    elif channel == "zalo":
        zalo = build_adapter(channel, values, client=client)
        assert isinstance(zalo, ZaloBotAdapter)
        try:
            await zalo.api.set_webhook(url, values["ZALO_BOT_WEBHOOK_SECRET"])
            zalo_info = await zalo.api.get_webhook_info()
        except ZaloBotError as error:
            raise RegistrationError(f"Zalo Bot từ chối: {error.description}") from error
        finally:
            await zalo.aclose()
        print(f"Đã đăng ký webhook Zalo Bot: {zalo_info.get('url', url)}", file=out)
    elif channel == "zalo_oa":
        print("Cấu hình Zalo OA đầy đủ. Đăng ký webhook trong trang Zalo for Developers:", file=out)
        print(f"  1. Ứng dụng {values['ZALO_OA_APP_ID']} → Webhook → URL: {url}", file=out)
        print("  2. Xác thực tên miền của URL (Zalo chỉ gọi tên miền đã xác thực).", file=out)
        print("  3. Bật các sự kiện: user_send_text, user_send_image, user_send_sticker, user_send_gif, "
              "user_send_audio, user_send_video, user_send_file, user_send_location.", file=out)
        print("  4. ZALO_OA_SECRET_KEY là «OA Secret Key» của webhook (không phải App Secret).", file=out)
        print("  5. Trả lời miễn phí trong 48 giờ, tối đa 7 ngày sau tin nhắn cuối của người dân.", file=out)
    elif channel == "messenger":
        print("Cấu hình Messenger đầy đủ. Đăng ký webhook trong Meta for Developers:", file=out)
        print(f"  1. Messenger → Cài đặt → Webhook → Callback URL: {url}", file=out)
        print("  2. Verify Token: giá trị của MESSENGER_VERIFY_TOKEN.", file=out)
        print("  3. Đăng ký trang (Page) và bật: messages, messaging_postbacks.", file=out)
        print("  4. MESSENGER_APP_SECRET là App Secret của ứng dụng (dùng để kiểm chữ ký).", file=out)
        print("  5. Chỉ trả lời được trong 24 giờ sau tin nhắn cuối của người dân.", file=out)


def main(argv: Sequence[str] | None = None, *, env: Mapping[str, str] | None = None,
         out: TextIO = sys.stdout, client: httpx.AsyncClient | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m channels.register", description=__doc__.splitlines()[0])
    parser.add_argument("channel", choices=sorted(COMMAND_CHANNELS))
    parser.add_argument("--url", required=True, help="https://<host>/webhooks/<channel>")
    args = parser.parse_args(argv)
    try:
        asyncio.run(register(COMMAND_CHANNELS[args.channel], args.url,
                             dict(os.environ) if env is None else env, out, client))
    except RegistrationError as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
