"""Polling mode: the long-running process behind ``python -m bot`` and the Procfile."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application
from telegram.request import BaseRequest

from bot import hangup
from bot.config import Settings
from bot.core.keys import derive, load_secret
from bot.core.loading import Loading
from bot.core.redact import url_secrets
from bot.core.store import open_store
from bot.telegram.app import HANDLED_UPDATES, build_application
from bot.telegram.logs import setup_logging
from bot.telegram.polling import Poller, PollingConflict
from bot.telegram.transport import StrictRequest, UnsupportedProxy

log = logging.getLogger(__name__)
# Platforms send SIGTERM and kill about 10 s later: answers under way get STOP_GRACE_S, then at most
# 2 s go to confirming updates and STORE_FLUSH_S to writing the questions still queued for the log.
STOP_GRACE_S = 5.0
STORE_FLUSH_S = 2.0


def polling_state_file(db_path: Path) -> Path:
    """What was under way at the last stop (see bot/telegram/polling.py), beside the question log."""
    return db_path.with_name(db_path.name + ".polling.json")


def run(settings: Settings, loading: Loading) -> int:
    library = loading.library
    setup_logging(
        settings.log_level,
        settings.token,
        *filter(None, [settings.webhook_secret]),
        *url_secrets(settings.database_url or ""),
    )
    log.info("Content loaded: %s", library.summary())
    if settings.database_url:
        log.info("Question log in PostgreSQL: %s", settings.database_where)
    store = open_store(settings, key=derive(load_secret(settings.secret, settings.db_path), "readers"))
    updates_request = StrictRequest(connection_pool_size=1)
    application = build_application(settings, loading, store, updates_request=updates_request)
    try:
        return _serve(settings, application, updates_request)
    finally:
        store.close(STORE_FLUSH_S)  # the questions of the last moments, still queued


def _serve(settings: Settings, application: Application, updates_request: StrictRequest) -> int:
    where = settings.base_url or "api.telegram.org"
    try:
        if settings.webhook_url:
            return asyncio.run(_closing(serve_webhook(application, settings), application.bot.request, updates_request))
        state = polling_state_file(settings.db_path)
        poller = Poller(application, updates_request, settings.poll_timeout, list(HANDLED_UPDATES), state)
        return asyncio.run(_closing(serve(application, poller), application.bot.request, updates_request))
    except InvalidToken:
        if settings.base_url:
            log.error(
                "%s refused TELEGRAM_BOT_TOKEN: check the token with @BotFather (/token), and that "
                "TELEGRAM_BASE_URL is the server's root (no /bot at the end)",
                where,
            )
        else:
            log.error("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather (/token)")
        return 1
    except UnsupportedProxy as exc:  # nothing was tried: not "could not reach"
        log.error("%s", exc)
        return 1
    except NetworkError as exc:
        log.error("Could not reach the Bot API at %s: %s", where, exc)
        return 1
    except TelegramError as exc:
        log.error("The Bot API at %s answered unexpectedly: %s", where, exc)
        return 1
    except OSError as exc:  # the webhook's port
        log.error("Cannot listen on %s:%s for the webhook: %s (set PORT)", settings.listen, settings.port, exc)
        return 1


async def _closing(work: Coroutine[Any, Any, int], *requests: BaseRequest) -> int:
    """``work``, then its connections closed however it ended: python-telegram-bot closes them only after a
    start that succeeded (a Bot API out of reach at start left them open, which aiohttp reports)."""
    try:
        return await work
    finally:
        hangup.hold_stops(asyncio.get_running_loop())  # answering is over: nothing a signal could still save
        for request in requests:
            await request.shutdown()


async def serve(application: Application, poller: Poller, grace: float = STOP_GRACE_S) -> int:
    """Start, poll until SIGTERM or SIGINT, then stop without losing an answer under way."""
    stopping = asyncio.Event()
    _stop_on_signals(stopping)
    code = 0
    await application.initialize()
    try:
        # A webhook left from an earlier deployment would make every getUpdates fail.
        await application.bot.delete_webhook(drop_pending_updates=False)
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        try:
            await poller.run(stopping)
        except PollingConflict as exc:
            log.error(
                "Another process is polling with this bot's token (Telegram: %s). Stop the other one "
                "(or remove its webhook); this one exits",
                exc,
            )
            code = 1
        await poller.finish(grace)
        await application.stop()
    finally:
        if application.post_stop is not None:  # python-telegram-bot calls it only from its own run_*
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
    return code


async def serve_webhook(application: Application, settings: Settings, grace: float = STOP_GRACE_S) -> int:
    """Webhook mode, python-telegram-bot's own server: Telegram posts each update to
    TELEGRAM_WEBHOOK_URL, with the secret in a header (a request without it gets 403)."""
    assert application.updater is not None and settings.webhook_url is not None
    stopping = asyncio.Event()
    _stop_on_signals(stopping)
    await application.initialize()
    stopped = False
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.updater.start_webhook(
            listen=settings.listen,
            port=settings.port,
            url_path=settings.webhook_path,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=list(HANDLED_UPDATES),
            drop_pending_updates=False,
        )
        log.info("Webhook set; listening on %s:%s for /%s", settings.listen, settings.port, settings.webhook_path)
        await application.start()
        await stopping.wait()
        await application.updater.stop()
        # Telegram counts an update delivered once the webhook answered 200: answers under way get
        # ``grace`` seconds, and those still waiting then (a 429, say) are given up.
        stopping_app = asyncio.ensure_future(application.stop())
        done, _ = await asyncio.wait({stopping_app}, timeout=grace)
        if not done:
            log.warning("Stopped with answers still under way after %.0f s; they are not sent", grace)
            stopping_app.cancel()
        stopped = bool(done)
    finally:
        if application.post_stop is not None:
            await application.post_stop(application)
        if stopped or not application.running:
            await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
    return 0


def _stop_on_signals(stopping: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()

    def stop(signum: int) -> None:
        name = signal.Signals(signum).name
        if stopping.is_set():  # a second signal must not cut short an answer under way
            log.info("%s again: still stopping, answers under way keep their time", name)
            return
        log.info("%s: stopping", name)
        stopping.set()

    for signum in hangup.STOPS:
        loop.add_signal_handler(signum, stop, signum)
    early = hangup.stop_taken()
    if early is not None:  # it came while the bot was starting: stop now that nothing is lost by it
        stop(early)
