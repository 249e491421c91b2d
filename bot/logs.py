"""Logging that never shows the bot token."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

REDACTED = "<token>"


class RedactToken(logging.Filter):
    """Replaces the token wherever it appears in a record, its arguments or its traceback."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.token:
            return True
        message = record.getMessage()
        if record.exc_info:
            # Format the traceback now, so the redacted text is what handlers print.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, REDACTED)
        record.msg = message.replace(self.token, REDACTED)
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


class BriefWebhookRefusals(logging.Filter):
    """python-telegram-bot logs an update its webhook cannot read as CRITICAL, with the whole update
    (what a reader wrote) and a traceback; it answers 400 and goes on. One line says it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "telegram.ext.Updater" and str(record.msg).startswith("Something went wrong processing"):
            error = record.exc_info[1] if record.exc_info else None
            record.msg = f"Webhook: refused an update that cannot be read (400): {type(error).__name__}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def redact(secret: str) -> None:
    """Keep another secret (the webhook's) out of the log, as the token is."""
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactToken(secret))


def setup_logging(level: str, token: str) -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.addFilter(BriefNetworkErrors())
        handler.addFilter(BriefWebhookRefusals())
        handler.addFilter(RedactToken(token))
