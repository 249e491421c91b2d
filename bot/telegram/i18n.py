"""The reader's language and the bot's words in it (bot/telegram/catalog.py). The article's text is always
quoted as it stands, in English."""

from __future__ import annotations

from bot.telegram.catalog import CATALOGS

LANGUAGES = tuple(CATALOGS)


def text(language: str, key: str, **fields: str) -> str:
    template = CATALOGS.get(language, CATALOGS["en"])[key]
    return template.format(**fields) if fields else template


def language_of(language_code: str | None, asked_in: str = "en") -> str:
    """``zh`` for a Telegram user whose app is in Chinese or who asks in Chinese; otherwise English."""
    if asked_in in CATALOGS and asked_in != "en":
        return asked_in
    return "zh" if (language_code or "").casefold().startswith("zh") else "en"
