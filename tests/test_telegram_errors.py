"""Telegram's own errors: a group that became a supergroup, and error lines an owner can act on (on the
fixture article)."""

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
    fixture_bot: OfflineBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fixture_bot.request.fail_next("sendMessage", 400, MIGRATED)
    sent = await fixture_bot.send(message_update("/ask who wrote it?", chat_type="group", chat_id=-4321))
    assert [s["chat_id"] for s in sent] == [-4321, -1001234567890]
    assert "Ada Lovell" in sent[1]["text"]
    assert "Chat -4321 became supergroup -1001234567890; sendMessage sent there" in caplog.text
    assert "ERROR" not in caplog.text


async def test_it_is_resent_once_only(fixture_bot: OfflineBot, caplog: pytest.LogCaptureFixture) -> None:
    fixture_bot.request.fail_next("sendMessage", 400, MIGRATED)
    fixture_bot.request.fail_next("sendMessage", 400, {**MIGRATED, "parameters": {"migrate_to_chat_id": -100999}})
    sent = await fixture_bot.send(message_update("/ask who wrote it?", chat_type="group", chat_id=-4321))
    assert [s["chat_id"] for s in sent] == [-4321, -1001234567890]
    assert "Telegram refused a call (chat -4321): Group migrated to supergroup" in caplog.text


async def test_error_lines_name_the_chat_not_the_person(
    fixture_bot: OfflineBot, caplog: pytest.LogCaptureFixture
) -> None:
    fixture_bot.request.fail_next(
        "sendMessage", 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
    )
    update = message_update("who wrote the article about Zanzibar?", user_id=9876)
    update["message"]["from"].update(first_name="Zebulon", last_name="Quux", username="zebq")
    await fixture_bot.send(update)
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert line == "Telegram refused a call (chat 9876): Forbidden: bot was blocked by the user"


async def test_an_inline_query_error_says_so(fixture_bot: OfflineBot, caplog: pytest.LogCaptureFixture) -> None:
    fixture_bot.request.fail_next(
        "answerInlineQuery", 400, {"ok": False, "error_code": 400, "description": "Bad Request: query is too old"}
    )
    await fixture_bot.send(inline_update("who wrote it"))
    assert "Telegram refused a call (an inline query): Query is too old" in caplog.text
