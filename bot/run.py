"""Polling mode: the long-running process behind ``python -m bot`` and the Procfile."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from bot.answers import Answerer
from bot.app import build_application
from bot.config import Settings
from bot.content import Library
from bot.keys import derive, load_secret
from bot.logs import setup_logging
from bot.store import Store

log = logging.getLogger(__name__)
# Within a process manager's grace period after SIGTERM (10 s is common) once polling has stopped.
STORE_FLUSH_S = 5.0


def run(settings: Settings, library: Library) -> int:
    setup_logging(settings.log_level, settings.token)
    log.info("Content loaded: %s", library.summary())
    store = Store(settings.db_path, key=derive(load_secret(settings.secret, settings.db_path), "readers"))
    application = build_application(settings, Answerer(library, settings.answer_at), store)
    try:
        return _poll(settings, application)
    finally:
        store.close(STORE_FLUSH_S)  # the questions of the last moments, still queued


def _poll(settings: Settings, application: Application) -> int:
    try:
        application.run_polling(
            allowed_updates=Update.ALL_TYPES, drop_pending_updates=False, timeout=settings.poll_timeout
        )
    except InvalidToken:
        if settings.base_url:
            log.error(
                "%s refused TELEGRAM_BOT_TOKEN: check the token with @BotFather (/token), and that "
                "TELEGRAM_BASE_URL is the server's root (no /bot at the end)",
                settings.base_url,
            )
        else:
            log.error("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather (/token)")
        return 1
    except NetworkError as exc:
        log.error("Could not reach the Bot API at %s: %s", settings.base_url or "api.telegram.org", exc)
        return 1
    except TelegramError as exc:
        log.error("The Bot API at %s answered unexpectedly: %s", settings.base_url or "api.telegram.org", exc)
        return 1
    return 0
