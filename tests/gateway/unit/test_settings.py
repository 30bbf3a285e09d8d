"""Settings from the environment: defaults for development, required secrets in production."""
from __future__ import annotations

from pathlib import Path

import pytest

from gateway.settings import SettingsError, load_settings


def test_development_defaults(tmp_path: Path) -> None:
    settings = load_settings({"VAR_DIR": str(tmp_path)})
    assert settings.app_env == "development"
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.actions_url == "http://127.0.0.1:5055"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    assert settings.redis_url is None
    assert settings.data_retention_days == 365
    # The development session secret is generated once and kept.
    assert settings.session_secret == load_settings({"VAR_DIR": str(tmp_path)}).session_secret
    assert len(settings.session_secret) >= 32


def test_ports_come_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings({"VAR_DIR": str(tmp_path), "RASA_PORT": "6000", "ACTIONS_PORT": "6001",
                              "DATABASE_URL": "postgresql://u@h/db"})
    assert settings.rasa_url == "http://127.0.0.1:6000"
    assert settings.actions_url == "http://127.0.0.1:6001"
    assert settings.database_url == "postgresql+asyncpg://u@h/db"


def test_production_requires_a_session_secret(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SESSION_SECRET"):
        load_settings({"VAR_DIR": str(tmp_path), "APP_ENV": "production"})


def test_production_rejects_placeholders(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SESSION_SECRET"):
        load_settings({"VAR_DIR": str(tmp_path), "APP_ENV": "production", "SESSION_SECRET": "changeme"})


def test_channel_hook_returns_its_variables(tmp_path: Path) -> None:
    settings = load_settings({"VAR_DIR": str(tmp_path), "TELEGRAM_BOT_TOKEN": "t", "ZALO_BOT_TOKEN": "z"})
    assert settings.channel("telegram") == {"TELEGRAM_BOT_TOKEN": "t"}
    with pytest.raises(SettingsError, match="MESSENGER_APP_SECRET"):
        settings.require("MESSENGER_APP_SECRET")


def test_bad_numbers_name_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="DATA_RETENTION_DAYS"):
        load_settings({"VAR_DIR": str(tmp_path), "DATA_RETENTION_DAYS": "a year"})
