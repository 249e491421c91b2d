"""Telegram's own errors: a group that became a supergroup, and error lines an owner can act on."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import OfflineBot
from tests.telegram_double import message_update
from tests.test_telegram_native import inline_update

MIGRATED = {
    "ok": False,
    "error_code": 400,
    "description": "Bad Request: group chat was upgraded to a supergroup chat",
    "parameters": {"migrate_to_chat_id": -1001234567890},
}


async def test_an_answer_for_a_migrated_group_goes_to_the_supergroup(
    offline_bot: OfflineBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    offline_bot.request.fail_next("sendMessage", 400, MIGRATED)
    sent = await offline_bot.send(message_update("/ask who wrote it?", chat_type="group", chat_id=-4321))
    assert [s["chat_id"] for s in sent] == [-4321, -1001234567890]
    assert "Hu Weijia" in sent[1]["text"]
    assert "Chat -4321 became supergroup -1001234567890; sendMessage sent there" in caplog.text
    assert "ERROR" not in caplog.text


async def test_it_is_resent_once_only(offline_bot: OfflineBot, caplog: pytest.LogCaptureFixture) -> None:
    offline_bot.request.fail_next("sendMessage", 400, MIGRATED)
    offline_bot.request.fail_next("sendMessage", 400, {**MIGRATED, "parameters": {"migrate_to_chat_id": -100999}})
    sent = await offline_bot.send(message_update("/ask who wrote it?", chat_type="group", chat_id=-4321))
    assert [s["chat_id"] for s in sent] == [-4321, -1001234567890]
    assert "Telegram refused a call (chat -4321): Group migrated to supergroup" in caplog.text


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
