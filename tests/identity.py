"""The bot as every double presents it: one user (getMe, the sender of its messages) and its tokens."""

from __future__ import annotations

from typing import Any

BOT_USER: dict[str, Any] = {"id": 4242, "is_bot": True, "first_name": "Article Bot", "username": "ArticleBot"}


def token(secret: str) -> str:
    """A token of this bot: Telegram's tokens start with the bot's id."""
    return f"{BOT_USER['id']}:{secret}"


TOKEN = token("TEST-token-not-real")  # the offline tests'; the end-to-end tests use one they scan output for
