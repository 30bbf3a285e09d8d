"""Every error leaves the gateway as JSON `{"error": {"code", "message"}}` — never an HTML page."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_request",
         429: "rate_limited", 503: "unavailable"}


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _validation_message(error: RequestValidationError) -> tuple[int, str, str]:
    errors = error.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "invalid_json", "Nội dung gửi lên không phải JSON hợp lệ."
    parts = []
    for e in errors[:5]:
        where = ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    return 422, "invalid_request", "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        status, code, message = _validation_message(error)
        return error_response(status, code, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = error.detail
        if isinstance(detail, dict) and "code" in detail:
            response = error_response(error.status_code, str(detail["code"]), str(detail.get("message", "")))
        else:
            response = error_response(error.status_code, CODES.get(error.status_code, "error"), str(detail))
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        # Logged by type and path only: request bodies may carry personal data.
        log.error("unhandled error on %s: %s", request.url.path, type(error).__name__, exc_info=error)
        return error_response(500, "internal_error", "Lỗi hệ thống; vui lòng thử lại sau.")
