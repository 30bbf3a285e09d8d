"""One Settings object, built from the environment by `load_settings()` (never at import).

Required secrets have no defaults: a missing one fails at start with a message naming it, and
placeholder values ("changeme", "xxx" …) are rejected outside development.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_RETENTION_DAYS = 365
PLACEHOLDERS = frozenset({"", "changeme", "change-me", "secret", "xxx", "todo", "placeholder", "example"})


class SettingsError(RuntimeError):
    """Raised when a setting is missing or invalid; the message names the variable."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    app_env: str
    port: int
    rasa_url: str
    actions_url: str
    database_url: str
    redis_url: str | None            # None: an in-process fakeredis behind the same client interface
    data_retention_days: int
    session_secret: str
    var_dir: Path
    engine_timeout: float = 10.0
    rate_limit_per_minute: int = 20
    db_wait_seconds: float = 30.0
    env: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def is_development(self) -> bool:
        return self.app_env in {"development", "test"}

    def channel(self, name: str) -> Mapping[str, str]:
        """The raw environment entries of one channel: variables starting with NAME_ (e.g. TELEGRAM_)."""
        prefix = name.upper() + "_"
        return {key: value for key, value in self.env.items() if key.startswith(prefix)}

    def require(self, name: str) -> str:
        """A required secret (for channels): missing or placeholder values fail, naming the variable."""
        return _required(self.env, name, development=self.is_development)


def _required(env: Mapping[str, str], name: str, *, development: bool) -> str:
    value = env.get(name)
    if value is None or value.strip() == "":
        raise SettingsError(f"{name} is required but not set")
    if not development and value.strip().lower() in PLACEHOLDERS:
        raise SettingsError(f"{name} holds a placeholder value; set a real secret")
    return value


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from error


def _session_secret(env: Mapping[str, str], var_dir: Path, *, development: bool) -> str:
    if env.get("SESSION_SECRET") or not development:
        return _required(env, "SESSION_SECRET", development=development)
    # Development: generated once and kept, so sign-ins survive restarts.
    path = var_dir / "session_secret"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = secrets.token_urlsafe(48)
    path.write_text(value, encoding="utf-8")
    path.chmod(0o600)
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from the environment (os.environ unless given)."""
    env = dict(os.environ if environ is None else environ)
    app_env = env.get("APP_ENV", "development").strip() or "development"
    development = app_env in {"development", "test"}
    var_dir = Path(env.get("VAR_DIR", str(ROOT / "var")))
    var_dir.mkdir(parents=True, exist_ok=True)

    rasa_port = env.get("RASA_PORT", "5005") or "5005"
    actions_port = env.get("ACTIONS_PORT", "5055") or "5055"
    database_url = env.get("DATABASE_URL") or f"sqlite+aiosqlite:///{var_dir / 'gateway.db'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+asyncpg://" + database_url.removeprefix("postgresql://")

    retention = _int(env, "DATA_RETENTION_DAYS", DEFAULT_DATA_RETENTION_DAYS)
    if retention < 1:
        raise SettingsError("DATA_RETENTION_DAYS must be at least 1")

    return Settings(
        app_env=app_env,
        port=_int(env, "PORT", 8000),
        rasa_url=(env.get("RASA_URL") or f"http://127.0.0.1:{rasa_port}").rstrip("/"),
        actions_url=(env.get("ACTIONS_URL") or f"http://127.0.0.1:{actions_port}").rstrip("/"),
        database_url=database_url,
        redis_url=env.get("REDIS_URL") or None,
        data_retention_days=retention,
        session_secret=_session_secret(env, var_dir, development=development),
        var_dir=var_dir,
        engine_timeout=float(env.get("ENGINE_TIMEOUT", "10") or 10),
        rate_limit_per_minute=_int(env, "RATE_LIMIT_PER_MINUTE", 20),
        db_wait_seconds=float(env.get("DB_WAIT_SECONDS", "30") or 30),
        env=env,
    )
