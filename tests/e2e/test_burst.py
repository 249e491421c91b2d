"""Many people at once, and the first question at start-up: every one answered, once, as it should be."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import BotProcess, update

ASKED = {"who wrote it": "author", "How much does China spend on basic research?": "basic-research-2024"}


def inline_query(query_id: str, user_id: int, text: str) -> dict[str, Any]:
    person = {"id": user_id, "is_bot": False, "first_name": "Ada"}
    return {"inline_query": {"id": query_id, "from": person, "query": text, "offset": ""}}


def test_a_burst_of_inline_queries_is_answered_in_full(bot: BotProcess) -> None:
    texts = list(ASKED)
    for i in range(150):  # more than one getUpdates returns, and far more than the requests sent at once
        bot.server.push_update(inline_query(f"burst-{i}", 9300 + i, texts[i % 2]))

    answers = bot.server.wait_for("answerInlineQuery", count=150, timeout=60)

    assert sorted(c["inline_query_id"] for c in answers) == sorted(f"burst-{i}" for i in range(150))
    assert all(call.ok for call in answers)
    for call in answers:
        asked = texts[int(call["inline_query_id"].removeprefix("burst-")) % 2]
        assert call["results"][0]["id"] == ASKED[asked]


def test_answers_go_as_json_with_their_keyboard(bot: BotProcess) -> None:
    bot.push(update("How much does China spend on basic research?", chat_id=9501, user_id=9501))
    bot.replies_to(9501)

    [call] = bot.server.wait_for("sendMessage", predicate=lambda c: c.get("chat_id") == 9501)
    assert call.content_type.split(";")[0] == "application/json"
    assert call["reply_markup"]["inline_keyboard"]


def test_a_question_waiting_at_start_up_is_answered_with_the_model(api_server, start_bot) -> None:
    # Queued before the process starts, so it comes with the first poll: the model (loaded while the bot
    # connects) must be there by then, as only the model reads a question in Chinese.
    api_server.push_update(update("这篇文章是谁写的?", chat_id=9601, user_id=9601))

    bot = start_bot()

    [reply] = bot.replies_to(9601)
    assert "Hu Weijia" in reply["text"]
