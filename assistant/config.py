"""Settings read from the environment, with embedded defaults (SQLite and a local index under var/)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    var_dir: Path = field(default_factory=lambda: _env_path("ASSISTANT_VAR", ROOT / "var"))
    kb_dir: Path = field(default_factory=lambda: _env_path("ASSISTANT_KB", ROOT / "scripts_kb"))
    # "e5" is the bundled, licence-clean default; any other value is a local sentence-transformers model directory.
    embedder: str = field(default_factory=lambda: os.environ.get("ASSISTANT_EMBEDDER", "e5"))
    rasa_url: str = field(default_factory=lambda: os.environ.get("RASA_URL", "http://127.0.0.1:5005"))
    actions_url: str = field(default_factory=lambda: os.environ.get("ACTIONS_URL", "http://127.0.0.1:5055"))
    # Shared secrets (issue 16): the web app sends rasa_token to Rasa's REST channel and API; Rasa sends actions_token
    # to the action server. scripts/env.sh generates them per installation unless the environment sets them.
    rasa_token: str = field(default_factory=lambda: os.environ.get("RASA_TOKEN", ""), repr=False)
    actions_token: str = field(default_factory=lambda: os.environ.get("ACTIONS_TOKEN", ""), repr=False)
    # The longest message staff may send: the web app, the chat and the CLI check it, chat.js and the search box are
    # given it, and Rasa's InputGuard (rasa_addons/input_guard.py) reads it too.
    max_message_chars: int = field(default_factory=lambda: int(os.environ.get("ASSISTANT_MAX_MESSAGE_CHARS", "500")))
    # Web app. Without a secret key, assistant.web keeps a random one in var/ (shared by workers, stable on restart).
    secret_key: str = field(default_factory=lambda: os.environ.get("ASSISTANT_SECRET_KEY", ""), repr=False)
    # Behind HTTPS (any real deployment) set ASSISTANT_SECURE_COOKIES=1 so cookies never travel in clear text.
    secure_cookies: bool = field(default_factory=lambda: os.environ.get("ASSISTANT_SECURE_COOKIES") == "1")
    session_hours: int = field(default_factory=lambda: int(os.environ.get("ASSISTANT_SESSION_HOURS", "10")))
    ratelimit_storage_uri: str = field(default_factory=lambda: os.environ.get("RATELIMIT_STORAGE_URI", "memory://"))
    # Off only for load tests, where every simulated user signs in from 127.0.0.1.
    ratelimit_enabled: bool = field(default_factory=lambda: os.environ.get("RATELIMIT_ENABLED", "1") != "0")
    # OpenMP threads per embedding call (assistant.retrieval.embedders): more only on a machine with idle cores.
    embed_threads: int = field(default_factory=lambda: int(os.environ.get("ASSISTANT_EMBED_THREADS", "1")))
    # `assistant.cli users add` takes the new user's password from here instead of prompting (scripted setup).
    password: str = field(default_factory=lambda: os.environ.get("ASSISTANT_PASSWORD", ""), repr=False)

    @property
    def database_url(self) -> str:
        return os.environ.get("DATABASE_URL") or f"sqlite:///{self.var_dir / 'assistant.db'}"

    @property
    def index_dir(self) -> Path:
        return _env_path("ASSISTANT_INDEX", self.var_dir / "index")

    @property
    def model_cache(self) -> Path:
        """Where the speech model is assembled: ASSISTANT_MODEL_CACHE if set (tests and several checkouts can share
        one copy), else var/models."""
        value = os.environ.get("ASSISTANT_MODEL_CACHE")
        return Path(value).expanduser() if value else self.var_dir / "models"


def local_zone():
    """The branch's time zone for "today" and date filters (ASSISTANT_TZ, default China Standard Time)."""
    from datetime import timedelta, timezone
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(os.environ.get("ASSISTANT_TZ", "Asia/Shanghai"))
    except (ZoneInfoNotFoundError, ValueError):
        return timezone(timedelta(hours=8), "CST")


def get_settings() -> Settings:
    return Settings()
