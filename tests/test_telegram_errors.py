"""Telegram's own errors: a group that became a supergroup, and error lines an owner can act on."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import OfflineBot
from tests.telegram_double import message_update
from tests.test_telegram_native import inline_update


async def test_error_lines_name_the_chat_not_the_person(
    offline_bot: OfflineBot, caplog: pytest.LogCaptureFixture
) -> None:
    offline_bot.request.fail_next(
        "sendMessage", 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
    )
    update = message_update("who wrote the article about Zanzibar?", user_id=9876)
    update["message"]["from"].update(first_name="Zebulon", last_name="Quux", username="zebq")
    await offline_bot.send(update)
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert line == "Telegram refused a call (chat 9876): Forbidden: bot was blocked by the user"


async def test_an_inline_query_error_says_so(offline_bot: OfflineBot, caplog: pytest.LogCaptureFixture) -> None:
    offline_bot.request.fail_next(
        "answerInlineQuery", 400, {"ok": False, "error_code": 400, "description": "Bad Request: query is too old"}
    )
    await offline_bot.send(inline_update("who wrote it"))
    assert "Telegram refused a call (an inline query): Query is too old" in caplog.text
