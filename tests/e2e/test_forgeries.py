"""The real process against forged buttons, floods of inline queries, Telegram's own errors, and its log."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.botapi_server import FakeBotAPI, error_body
from tests.e2e.conftest import ROOT, TOKEN, TOKEN_SECRET, BotProcess, bot_environment, button_press, update

QUESTION = "How much does China spend on basic research?"
EXPIRED = "That button has expired. Ask again, or see /topics."


def press(bot: BotProcess, data: str, user_id: int, press_id: str) -> dict[str, Any]:
    """A tap on a button under one of the bot's messages in a private chat, as Telegram delivers it."""
    return bot.server.push_update(button_press(data, user_id, press_id))


def toast(bot: BotProcess, press_id: str) -> str | None:
    [call] = bot.server.wait_for("answerCallbackQuery", predicate=lambda c: c.get("callback_query_id") == press_id)
    return call.get("text")


def vote_buttons(reply: dict[str, Any]) -> tuple[str, str]:
    row = reply["reply_markup"]["inline_keyboard"][-1]
    up, down = (b["callback_data"] for b in row if b["text"] in ("👍", "👎"))
    return up, down


def votes_in_stats(server: FakeBotAPI, tmp_path: Path) -> list[str]:
    """The "Votes per entry" lines of ``python -m bot stats``, as the owner reads them."""
    report = subprocess.run(
        [sys.executable, "-m", "bot", "stats"],
        cwd=ROOT,
        env=bot_environment(server, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    section = report.split("Votes per entry (👍 / 👎):\n", 1)[1].split("\n\n", 1)[0]
    return [line.strip() for line in section.splitlines() if line.strip()]


# --- 4. Forgeries and floods -------------------------------------------------------------


def test_made_up_and_altered_votes_get_the_expired_toast_and_are_not_counted(start_bot, tmp_path: Path) -> None:
    # Room for all the taps below: the per-person limit is not what is tested here.
    bot: BotProcess = start_bot(ARTICLE_BOT_USER_RATE="100")
    bot.push(update("who wrote the article?", chat_id=9101, user_id=9101))
    [reply] = bot.replies_to(9101)
    up, _ = vote_buttons(reply)
    question_id = up.split(":")[1]
    assert "author" in up

    forged = [f"v:made{i:04}:author:u" for i in range(20)]  # 20 made-up question ids, in the old format
    forged += [f"u:made{i:04}:author:{'A' * 12}" for i in range(5)]  # and looking like signed ones
    forged += [up.replace(":author:", ":follower:")]  # a real question id, voted for another entry
    forged += [up.replace(question_id, "x" * len(question_id))]  # a real tag on another question
    for i, data in enumerate(forged):
        press(bot, data, 9101, f"forged-{i}")
    assert [toast(bot, f"forged-{i}") for i in range(len(forged))] == [EXPIRED] * len(forged)

    press(bot, up, 9101, "real")
    assert toast(bot, "real") == "Thanks for the 👍"
    assert bot.stop() == 0
    assert votes_in_stats(bot.server, tmp_path) == ["author: 1 / 0"]


def test_a_vote_button_still_counts_after_a_restart(start_bot, tmp_path: Path) -> None:
    """The signing key is kept beside the question log, so yesterday's buttons are not expired today."""
    first: BotProcess = start_bot()
    first.push(update("who wrote the article?", chat_id=9111, user_id=9111))
    [reply] = first.replies_to(9111)
    _, down = vote_buttons(reply)
    assert first.stop() == 0

    second: BotProcess = start_bot()
    press(second, down, 9111, "after-restart")
    assert toast(second, "after-restart") == "Thanks, noted 👎"
    assert second.stop() == 0
    assert votes_in_stats(second.server, tmp_path) == ["author: 0 / 1"]


def inline_query(query_id: str, user_id: int, text: str) -> dict[str, Any]:
    return {
        "inline_query": {
            "id": query_id,
            "from": {"id": user_id, "is_bot": False, "first_name": "Ada"},
            "query": text,
            "offset": "",
        }
    }


def test_an_inline_flood_gets_empty_answers_and_others_are_unaffected(bot: BotProcess) -> None:
    for i in range(300):  # 300 inline queries from one person in a moment
        bot.server.push_update(inline_query(f"flood-{i}", 9201, QUESTION))
    bot.server.push_update(inline_query("other", 9202, "who wrote it"))

    answers = {c["inline_query_id"]: c for c in bot.server.wait_for("answerInlineQuery", count=301, timeout=30)}
    flood = [answers[f"flood-{i}"] for i in range(300)]
    assert all(call.ok for call in answers.values())
    assert sum(1 for call in flood if call["results"]) == 60  # a minute's worth of typing
    assert all(call.get("is_personal") is True for call in flood if not call["results"])
    assert answers["other"]["results"][0]["id"] == "author"


def test_the_token_is_scrubbed_when_percent_encoded(bot: BotProcess) -> None:
    """A proxy or a local Bot API server may echo the request's URL, with the token %-encoded, in its error."""
    encoded = quote(TOKEN, safe="")
    assert encoded != TOKEN and TOKEN_SECRET in encoded
    description = (
        f"Bad Gateway: upstream timed out for /bot{encoded}/getUpdates "
        f"(was /bot{encoded.replace('%3A', '%3a')}/getUpdates)"
    )
    bot.server.fail_next("getUpdates", 502, error_body(502, description))  # the poll after the one waiting now
    bot.push(update(QUESTION, chat_id=9301, user_id=9301))  # ends the waiting one
    bot.replies_to(9301)
    bot.server.wait_for("getUpdates", predicate=lambda c: c.status == 502)
    bot.push(update(QUESTION, chat_id=9302, user_id=9302))
    bot.replies_to(9302)  # the bot carried on polling
    assert bot.stop() == 0

    output = bot.output
    [line] = [line for line in output.splitlines() if "upstream timed out" in line]
    assert "/bot<token>/getUpdates" in line
    assert TOKEN_SECRET not in output and encoded not in output and encoded.lower() not in output.lower()


# --- 5. Telegram's own errors ------------------------------------------------------------


def test_an_answer_for_a_group_that_became_a_supergroup_goes_to_the_new_chat(bot: BotProcess) -> None:
    bot.server.migrate_chat(-9401, -1009401)
    bot.push(update("/ask who wrote it?", chat_type="group", chat_id=-9401, user_id=9401))

    [reply] = bot.replies_to(-1009401)

    assert "Hu Weijia" in reply["text"]
    assert [c.status for c in bot.server.calls("sendMessage") if c.get("chat_id") == -9401] == [400]
    bot.wait_output("Chat -9401 became supergroup -1009401; sendMessage sent there")
    assert bot.stop() == 0
    assert " ERROR " not in bot.output


def test_error_lines_name_the_chat_never_the_person_or_the_question(bot: BotProcess) -> None:
    blocked = error_body(403, "Forbidden: bot was blocked by the user")
    bot.server.fail_next("sendMessage", 403, blocked)
    question = update("who wrote the piece about Zanzibar?", chat_id=9501, user_id=9501)
    question["message"]["from"].update(first_name="Zebulon", last_name="Quux", username="zebulonq")
    bot.push(question)
    bot.server.wait_for("sendMessage", predicate=lambda c: c.get("chat_id") == 9501)

    bot.server.fail_next("sendMessage", 502, error_body(502, "Bad Gateway"))  # retried: its line too
    bot.push(update(f"/ask {QUESTION}", chat_type="group", chat_id=-9502, user_id=9502))
    bot.replies_to(-9502)
    assert bot.stop() == 0

    output = bot.output
    assert "Telegram refused a call (chat 9501): Forbidden: bot was blocked by the user" in output
    assert "sendMessage to chat -9502 failed (Bad Gateway); retry 1 of 2" in output
    for private in ("Zebulon", "Quux", "zebulonq", "Zanzibar"):
        assert private not in output


def test_one_failure_for_many_chats_is_logged_once_with_a_count(bot: BotProcess) -> None:
    chats = 100
    bot.server.fail_next("sendMessage", 403, error_body(403, "Forbidden: bot was blocked by the user"), times=chats)
    for i in range(chats):
        bot.push(update(QUESTION, chat_id=9600 + i, user_id=9600 + i))
    bot.server.wait_for("sendMessage", count=chats, timeout=60, predicate=lambda c: c.status == 403)
    # The first line at once; the count when its window (10 s) ends, while the bot runs on.
    bot.wait_output("more like it within 10 s", timeout=30)
    assert bot.stop() == 0

    lines = [line for line in bot.output.splitlines() if "Telegram refused a call" in line]
    assert 2 <= len(lines) <= 4, lines
    assert all(re.search(r"\(chat 96\d\d\): Forbidden: bot was blocked by the user", line) for line in lines)
    counted = [int(m.group(1)) if (m := re.search(r"and (\d+) more like it", line)) else 0 for line in lines]
    assert sum(counted) + sum(1 for n in counted if n == 0) == chats  # every failure accounted for
