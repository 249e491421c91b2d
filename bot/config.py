"""Settings from the environment (a ``.env`` file in the working directory is honoured)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import load_dotenv

from bot.core.keys import MIN_SECRET_CHARS, SECRET_VAR
from bot.core.redact import redact_url

TOKEN_VAR = "TELEGRAM_BOT_TOKEN"
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_PROJECT_CONTENT = Path(__file__).resolve().parent.parent / "content"


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


@dataclass(frozen=True)
class Settings:
    token: str = field(repr=False)
    base_url: str | None = None
    content_dir: Path = _PROJECT_CONTENT
    admins: frozenset[int] = frozenset()
    db_path: Path = Path("data/questions.sqlite3")
    user_rate_per_minute: int = 20
    poll_timeout: int = 10
    answer_at: float | None = None  # None: the content's own (decision.answer_at in parameters.yaml)
    log_level: str = "INFO"
    secret: str | None = field(default=None, repr=False)  # None: generated once, kept beside the log
    webhook_url: str | None = None  # None: long polling
    webhook_secret: str | None = field(default=None, repr=False)
    port: int = 8080
    listen: str = "0.0.0.0"
    database_url: str | None = field(default=None, repr=False)  # None: the SQLite file db_path

    @property
    def database_where(self) -> str:
        """The question log's place for log lines and errors: the file, or the URL without its password."""
        return redact_url(self.database_url) if self.database_url else str(self.db_path)

    @property
    def webhook_path(self) -> str:
        """The path Telegram posts to, which the bot serves: the webhook URL's."""
        return urlsplit(self.webhook_url or "").path.strip("/")

    @property
    def api_url(self) -> str | None:
        """python-telegram-bot appends the token to this."""
        return f"{self.base_url}/bot" if self.base_url else None

    @property
    def file_url(self) -> str | None:
        return f"{self.base_url}/file/bot" if self.base_url else None


def load_env_file() -> None:
    """Read ``.env`` without overriding what the real environment already sets."""
    load_dotenv(Path.cwd() / ".env", override=False)


def default_content_dir() -> Path:
    return _PROJECT_CONTENT if _PROJECT_CONTENT.is_dir() else Path.cwd() / "content"


def content_dir(env: Mapping[str, str] | None = None) -> Path:
    """The content folder alone, for commands that need nothing else (ask, check)."""
    env = os.environ if env is None else env
    return Path(env.get("ARTICLE_BOT_CONTENT_DIR") or default_content_dir())


def answer_at(env: Mapping[str, str] | None = None) -> float | None:
    """How sure the bot must be to answer (0–1), overriding the content's; None to keep the content's."""
    env = os.environ if env is None else env
    text = env.get("ARTICLE_BOT_ANSWER_AT", "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 1:
        raise ConfigError(f"ARTICLE_BOT_ANSWER_AT must be a probability above 0 and below 1, got {text!r}")
    return value


def db_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("ARTICLE_BOT_DB") or "data/questions.sqlite3")


def database_url(env: Mapping[str, str] | None = None) -> str | None:
    """``DATABASE_URL``: the question log in PostgreSQL; None for the SQLite file."""
    env = os.environ if env is None else env
    url = env.get("DATABASE_URL", "").strip()
    if not url:
        return None
    scheme = urlsplit(url).scheme if "://" in url else ""
    if scheme not in ("postgresql", "postgres"):
        shown = f"a {scheme}:// URL" if scheme else "no URL"  # never the rest: it may hold a password
        raise ConfigError(
            f"DATABASE_URL must be a PostgreSQL URL, postgresql://user:password@host:5432/dbname, got {shown} "
            "(unset it to keep the question log in the SQLite file ARTICLE_BOT_DB)"
        )
    parts = urlsplit(url)
    if "," not in parts.netloc:  # libpq also takes several hosts, host1:5432,host2:5432, which urlsplit cannot read
        try:
            parts.port  # noqa: B018 (reading it is the check)
        except ValueError:
            raise ConfigError(f"DATABASE_URL has a port that is not a number: {redact_url(url)}") from None
    return url


def load_settings(env: Mapping[str, str] | None = None, require_token: bool = True) -> Settings:
    env = os.environ if env is None else env
    token = env.get(TOKEN_VAR, "").strip()
    if require_token and not token:
        raise ConfigError(
            f"{TOKEN_VAR} is not set: create a bot with @BotFather in Telegram (/newbot), "
            f"then run: export {TOKEN_VAR}=<the token it gives you> (or put it in .env)"
        )
    if token and (":" not in token or any(c.isspace() for c in token)):
        raise ConfigError(f"{TOKEN_VAR} does not look like a bot token (expected digits:letters from @BotFather)")
    raw_url = env.get("TELEGRAM_BASE_URL", "").strip()
    # python-telegram-bot's own convention ends in /bot; here it is the server's root.
    base_url = raw_url.rstrip("/").removesuffix("/bot") or None
    if base_url and (urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc):
        raise ConfigError(f"TELEGRAM_BASE_URL must be a URL such as http://127.0.0.1:8081, got {raw_url!r}")
    log_level = (env.get("ARTICLE_BOT_LOG_LEVEL") or "INFO").strip().upper()
    if log_level not in _LOG_LEVELS:
        raise ConfigError(f"ARTICLE_BOT_LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}, got {log_level!r}")
    return Settings(
        token=token,
        base_url=base_url,
        content_dir=content_dir(env),
        admins=_ids(env.get("ARTICLE_BOT_ADMINS", "")),
        db_path=db_path(env),
        user_rate_per_minute=_positive_int(env, "ARTICLE_BOT_USER_RATE", 20),
        poll_timeout=_positive_int(env, "ARTICLE_BOT_POLL_TIMEOUT", 10),
        answer_at=answer_at(env),
        log_level=log_level,
        secret=_secret(env),
        database_url=database_url(env),
        **_webhook(env),
    )


def _webhook(env: Mapping[str, str]) -> dict[str, Any]:
    url = env.get("TELEGRAM_WEBHOOK_URL", "").strip()
    port = _positive_int(env, "PORT", 8080)
    if port > 65535:
        raise ConfigError(f"PORT must be a port number (1-65535), got {port}")
    listen = env.get("ARTICLE_BOT_LISTEN", "").strip() or "0.0.0.0"
    if not url:
        return {"port": port, "listen": listen}
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigError(f"TELEGRAM_WEBHOOK_URL must be the public https:// URL Telegram calls, got {url!r}")
    secret = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip()
    if not secret:
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET is not set: webhook mode needs it, so that only Telegram can post updates "
            "(for example: openssl rand -hex 32)"
        )
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret, re.ASCII):
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - (1 to 256 of them)")
    return {"webhook_url": url, "webhook_secret": secret, "port": port, "listen": listen}


def _secret(env: Mapping[str, str]) -> str | None:
    text = env.get(SECRET_VAR, "").strip()
    if text and len(text) < MIN_SECRET_CHARS:
        raise ConfigError(
            f"{SECRET_VAR} must be at least {MIN_SECRET_CHARS} characters (for example: openssl rand -hex 32)"
        )
    return text or None


def _ids(text: str) -> frozenset[int]:
    parts = [part for part in text.replace(",", " ").split() if part]
    if not all(re.fullmatch(r"-?\d+", part, re.ASCII) for part in parts):
        raise ConfigError(f"ARTICLE_BOT_ADMINS must be numeric Telegram user ids separated by commas, got {text!r}")
    return frozenset(int(part) for part in parts)


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not re.fullmatch(r"\d+", text, re.ASCII) or int(text) < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1, got {text!r}")
    return int(text)
