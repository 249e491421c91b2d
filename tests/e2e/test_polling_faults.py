"""Polling that nothing wedges, and no question lost at shutdown: the real process against the fake Bot API."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.botapi_server import FakeBotAPI, error_body, too_many_requests
from tests.e2e.conftest import ROOT, STARTUP_TIMEOUT, STOP_TIMEOUT, BotProcess, bot_environment, spawn_bot, update

QUESTION = "How much does China spend on basic research?"
FIGURE = "249.7 billion yuan"
CONFLICT = error_body(
    409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)


def texts_to(server: FakeBotAPI, chat_id: int) -> list[str]:
    return [p["text"] for p in server.sent() if p.get("chat_id") == chat_id]


def log_lines(bot: BotProcess, text: str) -> list[str]:
    return [line for line in bot.output.splitlines() if text in line]


def assert_quiet(bot: BotProcess) -> None:
    """Operating conditions are lines, not tracebacks."""
    assert "Traceback" not in bot.output and "CRITICAL" not in bot.output, bot.output[-3000:]


# --- one bad update ---------------------------------------------------------------


def malformed_updates() -> list[dict[str, Any]]:
    no_date = update("who wrote it?", chat_id=9101, user_id=9101)
    del no_date["message"]["date"]
    no_chat_type = update("who wrote it?", chat_id=9102, user_id=9102)
    del no_chat_type["message"]["chat"]["type"]
    no_offset = update("/ask who wrote it?", chat_id=9103, user_id=9103)
    del no_offset["message"]["entities"][0]["offset"]
    return [no_date, no_chat_type, no_offset]


def test_malformed_updates_are_skipped_and_the_good_one_beside_them_answered(bot: BotProcess) -> None:
    polls_before = len(bot.server.calls("getUpdates"))
    bad = malformed_updates()
    for raw in bad[:2]:
        bot.push(raw)
    bot.push(update(QUESTION, chat_id=9104, user_id=9104))
    bot.push(bad[2])

    [reply] = bot.replies_to(9104)

    assert FIGURE in reply["text"]
    assert bot.stop() == 0
    assert bot.server.pending_updates() == []  # the offset moved past the bad ones too
    skipped = log_lines(bot, "Skipped update")
    assert len(skipped) == 3, skipped  # one line each
    assert len(bot.server.calls("getUpdates")) - polls_before < 10  # not fetched again and again
    assert not any(texts_to(bot.server, chat) for chat in (9101, 9102, 9103))
    assert_quiet(bot)


def test_a_lone_surrogate_gets_an_answer_and_in_a_button_a_toast(bot: BotProcess) -> None:
    bot.push(update("who wrote it?\ud800", chat_id=9201, user_id=9201))
    [reply] = bot.replies_to(9201)
    assert "Hu Weijia" in reply["text"]

    bot.server.push_update(
        {
            "callback_query": {
                "id": "cb-surrogate",
                "from": {"id": 9201, "is_bot": False, "first_name": "Ada"},
                "chat_instance": "ci",
                "data": "a:author\udc00",
                "message": {"message_id": 1, "date": 1700000000, "chat": {"id": 9201, "type": "private"}, "text": "x"},
            }
        }
    )
    [toast] = bot.server.wait_for(
        "answerCallbackQuery", predicate=lambda c: c.get("callback_query_id") == "cb-surrogate"
    )
    assert toast.ok and toast.get("text")
    assert bot.stop() == 0
    assert_quiet(bot)


# --- odd answers from getUpdates ----------------------------------------------------


def failed_polls(server: FakeBotAPI, count: int) -> list[Any]:
    """Wait until ``count`` polls got an injected failure."""
    return server.wait_for(
        "getUpdates",
        count=count,
        timeout=30,
        predicate=lambda c: (
            c.status is not None and not (isinstance(c.response, dict) and c.response.get("ok") is True)
        ),
    )


def test_get_updates_answering_ok_false_with_200_is_backed_off_in_one_line_each(
    start_bot: Callable[..., BotProcess],
) -> None:
    bot = start_bot(ARTICLE_BOT_POLL_TIMEOUT="1")  # so that the poll under way ends soon and the failures come
    bot.server.fail_next("getUpdates", 200, {"ok": False, "description": "Internal"}, times=2)
    first, _ = failed_polls(bot.server, 2)
    bot.push(update(QUESTION, chat_id=9301, user_id=9301))

    [reply] = bot.replies_to(9301, timeout=20)

    assert FIGURE in reply["text"]
    assert bot.stop() == 0
    assert len(log_lines(bot, "getUpdates failed")) == 2
    assert len([c for c in bot.server.calls("getUpdates") if c.received_at >= first.received_at]) < 8  # backed off
    assert_quiet(bot)


def test_get_updates_answering_a_page_that_is_not_json_is_backed_off_in_one_line_each(
    start_bot: Callable[..., BotProcess],
) -> None:
    bot = start_bot(ARTICLE_BOT_POLL_TIMEOUT="1")
    bot.server.fail_next("getUpdates", 200, b"<html><body>upstream hiccup</body></html>", times=1)
    bot.server.fail_next("getUpdates", 502, b"<html><body>upstream hiccup</body></html>", times=1)
    first, _ = failed_polls(bot.server, 2)
    bot.push(update(QUESTION, chat_id=9302, user_id=9302))

    [reply] = bot.replies_to(9302, timeout=20)

    assert FIGURE in reply["text"]
    assert bot.stop() == 0
    failures = log_lines(bot, "getUpdates failed")
    assert len(failures) == 2, failures
    assert "upstream hiccup" not in bot.output  # the page itself is not logged
    assert len([c for c in bot.server.calls("getUpdates") if c.received_at >= first.received_at]) < 8
    assert_quiet(bot)


# --- two processes, one token --------------------------------------------------------


def test_repeated_409_conflicts_end_the_process_with_one_clear_line(start_bot: Callable[..., BotProcess]) -> None:
    bot = start_bot(ARTICLE_BOT_POLL_TIMEOUT="1")  # the poll under way ends soon; the conflicts follow
    bot.server.fail_next("getUpdates", 409, CONFLICT, times=5)
    code = bot.process.wait(timeout=30)
    assert code != 0
    assert len(log_lines(bot, "Another process is polling with this bot's token")) == 1
    assert_quiet(bot)


def test_of_two_processes_with_one_token_the_newer_one_keeps_polling(
    start_bot: Callable[..., BotProcess], api_server: FakeBotAPI, tmp_path: Path
) -> None:
    first = start_bot()
    newer = tmp_path / "newer"
    newer.mkdir()
    with (newer / "out.txt").open("wb") as out:
        second = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            cwd=ROOT,
            env=bot_environment(api_server, newer),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    first.stopping = True  # its exit is expected: it must not fail the waits below
    try:
        assert first.process.wait(timeout=STARTUP_TIMEOUT + 30) != 0  # the older one gives way
        assert len(log_lines(first, "Another process is polling with this bot's token")) == 1
        assert second.poll() is None
        api_server.push_update(update(QUESTION, chat_id=9401, user_id=9401))
        [reply] = api_server.wait_for("sendMessage", predicate=lambda c: c.ok and c.get("chat_id") == 9401)
        assert FIGURE in reply["text"]
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=15) == 0
    assert "Traceback" not in (newer / "out.txt").read_text()


# --- shutdown ------------------------------------------------------------------------


def replied_to(server: FakeBotAPI, chat_id: int) -> list[int]:
    """The message ids of the questions in ``chat_id`` that got an answer, one entry per answer."""
    return [p["reply_parameters"]["message_id"] for p in server.sent() if p.get("chat_id") == chat_id]


def test_sigterm_during_a_long_429_exits_in_time_and_the_questions_are_answered_at_the_next_start(
    start_bot: Callable[..., BotProcess],
) -> None:
    bot = start_bot()
    bot.server.fail_next("sendMessage", 429, too_many_requests(retry_after=30))
    stuck = bot.push(update(QUESTION, chat_id=9501, user_id=9501))
    bot.server.wait_for("sendMessage", predicate=lambda c: c.status == 429)
    behind = bot.push(update("who wrote it?", chat_id=9502, user_id=9502))  # all sending waits out a 429

    assert bot.stop() == 0
    assert not bot.killed and bot.stop_seconds is not None and bot.stop_seconds < 10
    assert texts_to(bot.server, 9501) == texts_to(bot.server, 9502) == []
    pending = [u["update_id"] for u in bot.server.pending_updates()]
    assert stuck["update_id"] in pending and behind["update_id"] in pending  # not confirmed: Telegram keeps them

    restarted = start_bot()
    [answer] = restarted.replies_to(9501)
    assert FIGURE in answer["text"]
    restarted.replies_to(9502)
    assert restarted.stop() == 0
    assert len(texts_to(bot.server, 9501)) == len(texts_to(bot.server, 9502)) == 1
    assert_quiet(bot)


GROUP = -1009550


def flood_the_group(bot: BotProcess, questions: int) -> list[int]:
    """Questions in one group: five are answered at once, then one every five seconds (Telegram's limit)."""
    asked = [
        bot.push(update(f"/ask who wrote it? {i}", chat_type="supergroup", chat_id=GROUP, user_id=9900 + i))
        for i in range(questions)
    ]
    bot.server.wait_for("sendMessage", count=5, predicate=lambda c: c.ok and c.get("chat_id") == GROUP)
    return sorted(u["message"]["message_id"] for u in asked)


def test_what_was_answered_while_an_older_answer_waited_is_not_answered_again(
    start_bot: Callable[..., BotProcess],
) -> None:
    bot = start_bot()
    asked = flood_the_group(bot, 9)
    bot.push(update(QUESTION, chat_id=9560, user_id=9560))  # after the group's waiting ones
    bot.replies_to(9560)

    assert bot.stop() == 0 and bot.stop_seconds is not None and bot.stop_seconds < 10
    assert len(replied_to(bot.server, GROUP)) < len(asked)  # some group answers were still waiting

    restarted = start_bot()
    restarted.server.wait_for(
        "sendMessage", count=len(asked), timeout=30, predicate=lambda c: c.ok and c.get("chat_id") == GROUP
    )
    assert restarted.stop() == 0
    assert sorted(replied_to(bot.server, GROUP)) == asked  # each once: none lost, none twice
    assert len(texts_to(bot.server, 9560)) == 1
    assert_quiet(bot)


def test_an_answer_waiting_beyond_the_held_window_is_kept_and_answered_at_the_next_start(
    start_bot: Callable[..., BotProcess], tmp_path: Path
) -> None:
    bot = start_bot()
    asked = flood_the_group(bot, 12)
    others = range(9610, 9670)  # more than the 50 updates the offset may lag behind
    for chat in others:
        bot.push(update("who wrote it?", chat_id=chat, user_id=chat))
    bot.server.wait_for("sendMessage", count=len(others), timeout=30, predicate=lambda c: c.ok and c.get("chat_id") > 0)

    assert bot.stop() == 0 and bot.stop_seconds is not None and bot.stop_seconds < 10
    state = json.loads((tmp_path / "questions.sqlite3.polling.json").read_text())
    kept = sorted(raw["message"]["message_id"] for raw in state["kept"])
    assert kept and set(kept) == set(asked) - set(replied_to(bot.server, GROUP))

    restarted = start_bot()
    restarted.server.wait_for(
        "sendMessage", count=len(asked), timeout=30, predicate=lambda c: c.ok and c.get("chat_id") == GROUP
    )
    assert restarted.stop() == 0
    assert sorted(replied_to(bot.server, GROUP)) == asked
    assert all(len(texts_to(bot.server, chat)) == 1 for chat in others)
    assert not (tmp_path / "questions.sqlite3.polling.json").exists()
    assert_quiet(bot)


def test_a_second_sigterm_does_not_cut_short_an_answer_under_way(bot: BotProcess) -> None:
    bot.server.fail_next("sendMessage", 429, too_many_requests(retry_after=3))
    bot.push(update(QUESTION, chat_id=9701, user_id=9701))
    bot.server.wait_for("sendMessage", predicate=lambda c: c.status == 429)

    bot.process.send_signal(signal.SIGTERM)
    bot.wait_output("SIGTERM: stopping")
    bot.process.send_signal(signal.SIGTERM)
    bot.wait_output("SIGTERM again")

    assert bot.stop() == 0
    [answer] = texts_to(bot.server, 9701)
    assert FIGURE in answer
    assert bot.server.pending_updates() == []
    assert "Task was destroyed" not in bot.output
    assert_quiet(bot)


def test_polls_while_an_answer_is_held_come_about_once_a_second(bot: BotProcess) -> None:
    """The cost of holding the offset: no busy loop of getUpdates while a reply waits out a 429."""
    bot.server.fail_next("sendMessage", 429, too_many_requests(retry_after=4))
    bot.push(update(QUESTION, chat_id=9801, user_id=9801))
    [limited] = bot.server.wait_for("sendMessage", predicate=lambda c: c.status == 429)
    [delivered] = bot.server.wait_for("sendMessage", predicate=lambda c: c.ok and c.get("chat_id") == 9801)
    polls = [c for c in bot.server.calls("getUpdates") if limited.received_at <= c.received_at <= delivered.received_at]
    seconds = delivered.received_at - limited.received_at
    assert len(polls) <= seconds / 0.5 + 2, (len(polls), seconds)
    assert bot.stop() == 0


def test_sigterms_all_through_the_stop_never_kill_it_and_the_question_is_logged(
    bot: BotProcess, tmp_path: Path
) -> None:
    """A platform (or an impatient Ctrl-C) may signal again at any moment of the stop, also after the event
    loop, while the last questions are written to the log: every one of them is noted, none is fatal."""
    bot.push(update(QUESTION, chat_id=9801, user_id=9801))
    bot.replies_to(9801)
    bot.stopping = True
    signals = 0
    while bot.process.poll() is None and signals < 2000:
        bot.process.send_signal(signal.SIGTERM)
        signals += 1
        time.sleep(0.005)  # a signal every few milliseconds, through every phase of the stop
    assert bot.process.wait(timeout=STOP_TIMEOUT) == 0, bot.output
    assert signals > 1 and "Traceback" not in bot.output
    report = subprocess.run(
        [sys.executable, "-m", "bot", "stats"],
        cwd=ROOT,
        env=bot_environment(bot.server, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "Questions asked: 1\n" in report, report


def test_sigterm_while_starting_stops_it_cleanly_once_it_is_up(api_server, tmp_path: Path) -> None:
    process = spawn_bot(api_server, tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(0.3)  # the interpreter itself is up by then; what follows is the bot's own start-up
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
        assert process.returncode == 0, output  # it used to die by the signal (-15)
        assert "SIGTERM: stopping" in output and "Traceback" not in output
    finally:
        if process.poll() is None:
            process.kill()
