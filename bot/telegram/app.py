"""The one place that wires the application: reading it tells everything the bot reacts to."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import hangup
from bot.config import Settings
from bot.core.answers import Answerer
from bot.core.content_service import ContentService
from bot.core.keys import derive, load_secret
from bot.core.loading import Loading
from bot.core.store import Store, open_store
from bot.core.writer import one_line
from bot.telegram import profile
from bot.telegram.handlers import GROUP_COMMAND_NAMES, PRIVATE_COMMAND_NAMES, Handlers
from bot.telegram.limits import RetryingRateLimiter, UserLimiter
from bot.telegram.ordering import InOrderPerPerson
from bot.telegram.questions import AddressedToBot
from bot.telegram.transport import StrictRequest

log = logging.getLogger(__name__)

# Requests to Telegram at once (the rest wait their turn, see bot/telegram/transport.py). With hundreds, a burst
# spent more CPU on juggling connections than on answering; 8 still allow some 150 a second at a 50 ms
# round trip, more than Telegram's limit of 30 messages a second.
IN_FLIGHT = 8


def build_application(
    settings: Settings,
    answerer: Answerer | Loading,
    store: Store | None = None,
    request: BaseRequest | None = None,
    limiter: UserLimiter | None = None,
    inline_limiter: UserLimiter | None = None,
    updates_request: BaseRequest | None = None,
    tap_limiter: UserLimiter | None = None,
) -> Application:
    """The bot's Application. Its Updater serves webhook mode; for polling there is none (bot/telegram/polling.py
    polls instead). Tests pass an offline ``request`` in place of HTTP, and limiters with their own clock."""
    limiter = limiter or UserLimiter(settings.user_rate_per_minute, window=60.0)
    handlers = Handlers(
        ContentService(answerer, settings.content_dir),
        store or open_store(settings),
        limiter,
        settings.admins,
        button_key=derive(load_secret(settings.secret, settings.db_path), "buttons"),
        inline_limiter=inline_limiter,
        tap_limiter=tap_limiter,
    )
    builder = (
        Application.builder()
        .token(settings.token)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                # If the question was deleted meanwhile, the answer still goes out.
                allow_sending_without_reply=True,
            )
        )
        .rate_limiter(telegram_limits())
        # One user's slow reply must not hold up another's; one person's messages are handled in turn.
        .concurrent_updates(InOrderPerPerson())
        .post_init(functools.partial(_on_start, handlers=handlers))
        .post_stop(functools.partial(_on_stop, handlers=handlers))
    )
    if settings.api_url and settings.file_url:
        builder = builder.base_url(settings.api_url).base_file_url(settings.file_url)
    if not settings.webhook_url:
        builder = builder.updater(None)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = builder.request(StrictRequest(connection_pool_size=IN_FLIGHT)).get_updates_request(
            updates_request or StrictRequest(connection_pool_size=1)
        )
    application = builder.build()
    register_handlers(application, handlers)
    return application


def telegram_limits() -> RetryingRateLimiter:
    """Telegram's flood limits: about 30 messages a second overall and 20 a minute per group.

    aiolimiter is a leaky bucket: a burst of ``max_rate``, then a steady drip. Burst plus one
    window's drip must stay under the limit for any window Telegram may count, with room for
    messages that leave together after the event loop was busy (and arrive closer together than
    they were sent): per group a burst of 5 answers, then one every 5 s (5 + 12 = 17 a minute);
    overall a burst of 3, then 20 a second (3 + 20 = 23). With one message to spare, as before,
    a loaded machine still drew an occasional 429 in tests.
    429s that happen anyway are waited out and retried; 5xx answers too.
    """
    return RetryingRateLimiter(
        overall_max_rate=3,
        overall_time_period=3 / 20,
        group_max_rate=5,
        group_time_period=5 * 60 / 12,
        max_retries=3,
    )


# What the handlers below act on, and all that getUpdates and setWebhook ask Telegram for: edits, channel
# posts, reactions, member changes and the rest would only be fetched to be ignored.
HANDLED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]


def register_handlers(application: Application, handlers: Handlers) -> None:
    # New messages only: edits, channel posts and business messages are not questions.
    new_message = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS

    # 0. Before anything else: an update delivered twice is handled once; then the per-person limits on
    # questions and on inline queries (each stops the update when it applies).
    application.add_handler(TypeHandler(Update, handlers.once), group=-2)
    application.add_handler(TypeHandler(Update, handlers.limit), group=-1)

    # 1. Commands, in any chat. CommandHandler ignores /cmd@OtherBot by itself.
    commands = {
        "start": handlers.start,  # also deep links: t.me/<bot>?start=<entry id>
        "help": handlers.help,
        "ask": handlers.ask,
        "topics": handlers.topics,
        "figures": handlers.figures,
        "source": handlers.source,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, filters=new_message))
    # Admins only, and only in private: the report quotes readers' questions word for word.
    admin_commands = {
        "stats": handlers.stats,
        "reload": handlers.reload,  # re-read content/ (SIGHUP does the same)
    }
    for name, callback in admin_commands.items():
        application.add_handler(CommandHandler(name, callback, filters=new_message & private))

    # 2. In private, any other text is a question; an unknown command gets a pointer to /help.
    application.add_handler(MessageHandler(new_message & private & filters.COMMAND, handlers.unknown_command))
    application.add_handler(MessageHandler(new_message & private & filters.TEXT, handlers.ask))
    # A photo or document with a caption is asked by its caption; other media get a hint that the bot reads text.
    captioned = (filters.PHOTO | filters.Document.ALL) & filters.CAPTION
    application.add_handler(MessageHandler(new_message & private & captioned, handlers.ask))
    media = filters.PHOTO | filters.Sticker.ALL | filters.VOICE | filters.ANIMATION | filters.VIDEO_NOTE
    application.add_handler(MessageHandler(new_message & private & media, handlers.media_hint))

    # 3. In groups, only text that mentions the bot or replies to it; all other chatter is ignored.
    application.add_handler(
        MessageHandler(
            new_message & groups & (filters.TEXT | captioned) & ~filters.COMMAND & AddressedToBot(), handlers.ask
        )
    )

    # 4. Buttons under answers and listings, and inline mode (@bot question, in any chat).
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(InlineQueryHandler(handlers.inline_query))

    application.add_error_handler(handlers.error)


async def _set_profile(application: Application, handlers: Handlers) -> None:
    try:
        await profile.register(application.bot, handlers.content.library, PRIVATE_COMMAND_NAMES, GROUP_COMMAND_NAMES)
    except Exception as exc:  # the bot answers all the same; the menus are set again at the next start
        log.warning("The bot's command menus were not set: %s", one_line(exc))


async def _on_stop(application: Application, handlers: Handlers) -> None:
    """Stopping while the profile is still being set: its calls are given up, not left to fail on a
    closed connection."""
    if handlers.profile is not None and not handlers.profile.done():
        handlers.profile.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await handlers.profile


async def _on_start(application: Application, handlers: Handlers) -> None:
    reload: Callable[[], Coroutine[Any, Any, str]] = handlers.content.reload
    # The menus and descriptions are not needed to answer: set beside the first poll, not before it.
    handlers.profile = asyncio.ensure_future(_set_profile(application, handlers))
    try:
        await handlers.content.ready()  # the model, loading meanwhile: no poll and no webhook before it is there
    except BaseException:
        await _on_stop(application, handlers)
        raise
    # SIGHUP re-reads the content without a restart; invalid content keeps the old one serving.
    with contextlib.suppress(NotImplementedError, RuntimeError):
        asyncio.get_running_loop().add_signal_handler(
            signal.SIGHUP, lambda: application.create_task(reload(), name="reload-content")
        )
    if hangup.take():  # one came while starting: reload now that it can be done safely
        application.create_task(reload(), name="reload-content")
