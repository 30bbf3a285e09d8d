"""The console's pages (/console, /console/admin) and their static files, with strict security headers.

The pages hold no data: console.js builds the DOM from the officer API with textContent only, so a
message holding HTML or a script shows as text. The Content-Security-Policy forbids inline scripts
and any other origin, as a second wall.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from gateway.officers.auth import COOKIE_NAME, session_officer
from gateway.services import Services, get_services

STATIC = Path(__file__).resolve().parent / "static"
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                           "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
STATIC_FILES = {"console.js": "text/javascript", "admin.js": "text/javascript", "common.js": "text/javascript",
                "console.css": "text/css"}

router = APIRouter(include_in_schema=False)


def _page(name: str, status: int = 200) -> Response:
    return FileResponse(STATIC / name, status_code=status, media_type="text/html; charset=utf-8",
                        headers=SECURITY_HEADERS)


@router.get("/console")
async def console_page() -> Response:
    return _page("console.html")


@router.get("/console/admin")
async def admin_page(request: Request, services: Annotated[Services, Depends(get_services)]) -> Response:
    signed_in = await session_officer(services, request.cookies.get(COOKIE_NAME))
    if signed_in is None:
        return RedirectResponse("/console", status_code=303, headers=SECURITY_HEADERS)
    if not signed_in.is_admin:
        return HTMLResponse("<!doctype html><meta charset=utf-8><title>403</title>"
                            "<p>Chỉ quản trị viên được mở trang này. <a href=/console>Về bàn làm việc</a></p>",
                            status_code=403, headers=SECURITY_HEADERS)
    return _page("admin.html")


@router.get("/console/static/{name}")
async def static_file(name: str) -> Response:
    if name not in STATIC_FILES:
        return Response(status_code=404)
    return FileResponse(STATIC / name, media_type=STATIC_FILES[name], headers=SECURITY_HEADERS)
