"""The bot's profile, set at start-up: the command menus, and the description and short description an
empty chat shows before Start, from the content; each in every catalog's language (Telegram shows the
one of the user's app, English otherwise)."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats
from telegram.error import TelegramError

from bot.core.content import Library
from bot.telegram import i18n, render

log = logging.getLogger(__name__)

# Telegram's limits (setMyDescription, setMyShortDescription).
MAX_DESCRIPTION = 512
MAX_SHORT_DESCRIPTION = 120


def descriptions(library: Library, language: str) -> tuple[str, str]:
    """(description, short description) in ``language``, cut to Telegram's limits."""
    article = library.article
    date = article.date
    shown = f"{date.year}年{date.month}月{date.day}日" if language == "zh" else date.strftime("%-d %B %Y")
    fields = {"title": article.title, "outlet": article.outlet, "date": shown}
    return (
        _cut(i18n.text(language, "description", **fields), MAX_DESCRIPTION),
        _cut(i18n.text(language, "short_description", **fields), MAX_SHORT_DESCRIPTION),
    )


async def register(bot: Bot, library: Library, private: list[str], group: list[str]) -> None:
    """Command menus first (a failure there is raised, once every call has finished), then the
    descriptions, each failure a log line. The calls of each go at once: one after the other they cost a
    round trip to Telegram each. The bot polls meanwhile (bot/telegram/app.py): none is needed to answer."""
    menus = []
    for language in i18n.LANGUAGES:
        code = None if language == "en" else language  # English is the default for every other app
        in_private, in_groups = _commands(private, language), _commands(group, language)
        menus += [
            bot.set_my_commands(in_private, scope=BotCommandScopeAllPrivateChats(), language_code=code),
            bot.set_my_commands(in_groups, scope=BotCommandScopeAllGroupChats(), language_code=code),
            bot.set_my_commands(in_groups, language_code=code),
        ]
    # Every call finishes (none is left running unheard); then the first failure is raised.
    for outcome in await asyncio.gather(*menus, return_exceptions=True):
        if isinstance(outcome, BaseException):
            raise outcome
    await asyncio.gather(*(_describe(bot, library, language) for language in i18n.LANGUAGES))


async def _describe(bot: Bot, library: Library, language: str) -> None:
    code = None if language == "en" else language
    description, short = descriptions(library, language)
    for outcome in await asyncio.gather(
        bot.set_my_description(description, language_code=code),
        bot.set_my_short_description(short, language_code=code),
        return_exceptions=True,
    ):
        if isinstance(outcome, TelegramError):
            log.warning("The bot's description (%s) was not set: %s", language, outcome)
        elif isinstance(outcome, BaseException):
            raise outcome


def _commands(names: list[str], language: str) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in render.command_menu(names, language)]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
