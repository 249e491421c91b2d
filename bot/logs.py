"""Logging that never shows the bot token."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from telegram.error import TelegramError

REDACTED = "<token>"
# The part after the colon is the secret (the bot id before it is public); a real one has 35 characters.
# Shorter ones (in tests) are only scrubbed with the bot id in front, or every "a" would go.
_SECRET_ALONE_CHARS = 16


def token_pattern(token: str) -> re.Pattern[str]:
    """The token as it is and %-encoded (``:`` as ``%3A`` or ``%3a``, or encoded twice: ``%253A``), and its
    secret part on its own, which no encoding changes."""
    bot_id, colon, secret = token.partition(":")
    if not colon:
        return re.compile(_encoded(token))
    prefix = _encoded(bot_id + colon)
    if len(secret) >= _SECRET_ALONE_CHARS:
        return re.compile(f"(?:{prefix})?{_encoded(secret)}")
    return re.compile(prefix + _encoded(secret))


def _encoded(text: str) -> str:
    """A regular expression for ``text`` with any of its characters %-encoded, any number of times."""
    parts = []
    for char in text:
        encoded = quote(char, safe="")
        if encoded == char:
            parts.append(re.escape(char))
            continue
        octets = "".join(
            "%(?:25)*" + "".join(f"[{d.upper()}{d.lower()}]" if d.isalpha() else d for d in octet)
            for octet in encoded.split("%")[1:]
        )
        parts.append(f"(?:{re.escape(char)}|{octets})")
    return "".join(parts)


class RedactToken(logging.Filter):
    """Replaces the token wherever it appears in a record, its arguments or its traceback."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.pattern = token_pattern(token) if token else None

    def filter(self, record: logging.LogRecord) -> bool:
        if self.pattern is None:
            return True
        message = record.getMessage()
        if record.exc_info:
            # Format the traceback now, so the redacted text is what handlers print.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self.pattern.sub(REDACTED, record.exc_text)
        if record.stack_info:
            record.stack_info = self.pattern.sub(REDACTED, record.stack_info)
        record.msg = self.pattern.sub(REDACTED, message)
        record.args = None
        return True


class BriefNetworkErrors(logging.Filter):
    """Telegram being unreachable, refusing the token or answering oddly is an operating condition,
    not a bug: one line says it, without a library traceback (python-telegram-bot logs one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, TelegramError):
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def setup_logging(level: str, token: str) -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.addFilter(BriefNetworkErrors())
        handler.addFilter(RedactToken(token))
