"""Officers: the officer API (/api/v1/officer/), the console (/console), sign-in, routing, audit.

`router.router` is what gateway/app.py includes. The modules: `auth` (argon2, sessions, CSRF, lockout),
`api` (the JSON API), `events` (SSE over Redis pub/sub), `console` (pages), `replies` (reply windows
and sending), `routing` (ward -> unit), `hours` (working hours, the waiting notice), `audit`, `create`.
The package itself imports only the models, so the pipeline can use `routing` and `hours` without
pulling in the web layer.
"""
from __future__ import annotations

from gateway.officers import models  # noqa: F401 — registers the officer tables on the shared Base
