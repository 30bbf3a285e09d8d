"""Small helpers every adapter shares to read webhook bodies and headers."""
from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from typing import Any

from channels.base import WebhookRejected


class MalformedUpdateError(ValueError):
    """Raised by parse() when a verified request body is not the JSON the platform documents."""


def load_json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedUpdateError(f"body is not JSON: {error.__class__.__name__}") from None
    if not isinstance(data, dict):
        raise MalformedUpdateError("body is not a JSON object")
    return data


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup that also works on a plain dict."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, candidate in headers.items():
        if key.lower() == lowered:
            return candidate
    return None


def require_equal_secret(headers: Mapping[str, str], name: str, expected: str) -> None:
    """Shared-secret header check: missing → 401, wrong → 403, compared in constant time."""
    given = header(headers, name)
    if not given:
        raise WebhookRejected(401, f"missing {name}")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise WebhookRejected(403, f"wrong {name}")
