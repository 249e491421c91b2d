"""The real process through Telegram's hiccups, abuse and hostile input."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.botapi_server import too_many_requests
from tests.conftest import CONTENT
from tests.e2e.conftest import ROOT, TOKEN_SECRET, BotProcess, bot_environment, spawn_bot, update
from tests.html_check import telegram_html_problems
from tests.postgres import free_port
from tests.telegram_double import STICKER

QUESTION = "How much does China spend on basic research?"


def assert_alive(bot: BotProcess, chat_id: int) -> None:
    """A later question is still answered: nothing above broke the bot."""
    bot.push(update(QUESTION, chat_id=chat_id, user_id=chat_id))
    [reply] = bot.replies_to(chat_id)
    assert "249.7 billion yuan" in reply["text"]


# --- Telegram's faults --------------------------------------------------------------


def test_429_is_waited_out_and_the_reply_delivered(bot: BotProcess) -> None:
    bot.server.fail_next("sendMessage", 429, too_many_requests(retry_after=1))
    bot.push(update(QUESTION, chat_id=2001, user_id=2001))

    [reply] = bot.replies_to(2001, timeout=20)

    assert "249.7 billion yuan" in reply["text"]
    statuses = [c.status for c in bot.server.calls("sendMessage") if c.get("chat_id") == 2001]
    assert statuses == [429, 200]


def test_polling_recovers_from_5xx_on_get_updates(bot: BotProcess) -> None:
    bot.server.fail_next("getUpdates", 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}, times=2)
    bot.server.fail_next("getUpdates", 500, {"ok": False, "error_code": 500, "description": "Internal"}, times=1)
    bot.push(update(QUESTION, chat_id=2002, user_id=2002))
    assert_alive(bot, 2003)
    [reply] = bot.replies_to(2002)
    assert "249.7 billion yuan" in reply["text"]
    assert "Traceback" not in bot.output


def test_polling_recovers_from_a_timed_out_get_updates(start_bot) -> None:
    # A one-second long poll times out (after python-telegram-bot's 5 s read allowance) within the test's patience.
    bot: BotProcess = start_bot(ARTICLE_BOT_POLL_TIMEOUT="1")
    bot.server.delay_next("getUpdates", 8)
    [*_, delayed] = bot.server.wait_for("getUpdates", count=len(bot.server.calls("getUpdates")) + 1)
    bot.push(update(QUESTION, chat_id=2004, user_id=2004))
    [call] = bot.server.wait_for("sendMessage", timeout=25, predicate=lambda c: c.get("chat_id") == 2004)
    assert "249.7 billion yuan" in call["text"]
    # Answered through a new poll after the bot gave up on the stalled one, not by waiting it out.
    assert call.received_at - delayed.received_at < 8


def test_5xx_on_send_is_retried_then_delivered(bot: BotProcess) -> None:
    bot.server.fail_next("sendMessage", 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
    bot.push(update(QUESTION, chat_id=2005, user_id=2005))
    [reply] = bot.replies_to(2005)
    assert "249.7 billion yuan" in reply["text"]


def test_persistent_5xx_on_send_gives_up_logs_once_and_goes_on(bot: BotProcess) -> None:
    body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
    bot.server.fail_next("sendMessage", 500, body, times=3)
    bot.push(update(QUESTION, chat_id=2006, user_id=2006))
    attempts = bot.server.wait_for("sendMessage", count=3, predicate=lambda c: c.get("chat_id") == 2006)
    assert [c.status for c in attempts] == [500, 500, 500]  # one try and two retries, then it gives up
    assert_alive(bot, 2007)
    assert len([c for c in bot.server.calls("sendMessage") if c.get("chat_id") == 2006]) == 3
    assert bot.stop() == 0
    errors = [line for line in bot.output.splitlines() if " ERROR " in line]
    assert len(errors) == 1 and "Internal Server Error" in errors[0], bot.output


def test_a_dropped_connection_does_not_send_the_answer_twice(bot: BotProcess) -> None:
    bot.server.drop_next("sendMessage")
    bot.push(update(QUESTION, chat_id=2008, user_id=2008))
    bot.server.wait_for("sendMessage", predicate=lambda c: c.get("chat_id") == 2008)
    assert_alive(bot, 2009)
    assert bot.stop() == 0  # a graceful stop waits for any retry still pending
    assert len([c for c in bot.server.calls("sendMessage") if c.get("chat_id") == 2008]) == 1


def test_sigterm_right_after_a_question_never_drops_it(start_bot) -> None:
    bot: BotProcess = start_bot()
    bot.push(update(QUESTION, chat_id=2010, user_id=2010))
    assert bot.stop() == 0
    assert bot.stop_seconds is not None and bot.stop_seconds < 10
    if not bot.server.sent() or all(p.get("chat_id") != 2010 for p in bot.server.sent()):
        restarted: BotProcess = start_bot()  # delivered again on the next start
        restarted.replies_to(2010)
        restarted.stop()
    answers = [p for p in bot.server.sent() if p.get("chat_id") == 2010]
    assert len(answers) == 1 and "249.7 billion yuan" in answers[0]["text"]


def test_a_bot_api_that_cannot_be_reached_at_start_is_one_line_and_exit_1(api_server, tmp_path: Path) -> None:
    where = f"http://127.0.0.1:{free_port()}"  # nothing listens there: every connection is refused
    env = bot_environment(api_server, tmp_path, {"TELEGRAM_BASE_URL": where})
    done = subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    errors = [line for line in output.splitlines() if " ERROR " in line]
    assert len(errors) == 1 and f"Could not reach the Bot API at {where}" in errors[0], output
    assert "retry 1 of 2" in output  # a refused connection cannot have delivered anything: tried again
    assert "Traceback" not in output and TOKEN_SECRET not in output


def test_the_bot_reaches_telegram_through_the_proxy_the_environment_names(start_bot, api_server) -> None:
    """Where only a proxy reaches the internet (HTTPS_PROXY / HTTP_PROXY, as curl and pip read them). The
    double stands in for the proxy: a request for the unknown host can only reach it through the proxy."""
    proxy = start_bot(HTTP_PROXY=api_server.url, NO_PROXY="", TELEGRAM_BASE_URL="http://telegram.invalid")
    proxy.push(update(QUESTION, chat_id=2011, user_id=2011))
    [reply] = proxy.replies_to(2011)
    assert "249.7 billion yuan" in reply["text"]
    assert any(r.path.startswith("http://telegram.invalid/bot") for r in proxy.server.requests)  # as a proxy sees it
    assert proxy.stop() == 0


# --- what users send ----------------------------------------------------------------


def test_inline_query_and_button_press(bot: BotProcess) -> None:
    bot.server.push_update(
        {
            "inline_query": {
                "id": "q1",
                "from": {"id": 2011, "is_bot": False, "first_name": "Ada"},
                "query": "who wrote it",
                "offset": "",
            }
        }
    )
    [inline] = bot.server.wait_for("answerInlineQuery")
    assert inline.ok and inline["results"][0]["id"] == "author"

    bot.push(update("/topics", chat_id=2012, user_id=2012))
    [topics] = bot.replies_to(2012)
    bot.server.push_update(
        {
            "callback_query": {
                "id": "cb1",
                "from": {"id": 2012, "is_bot": False, "first_name": "Ada"},
                "chat_instance": "x",
                "data": topics["reply_markup"]["inline_keyboard"][1][0]["callback_data"],
                "message": {"message_id": 1, "date": 1740000000, "chat": {"id": 2012, "type": "private"}, "text": "t"},
            }
        }
    )
    [pressed] = bot.server.wait_for("answerCallbackQuery")
    assert pressed.ok
    answers = bot.replies_to(2012, count=2)
    assert "original innovation" in answers[1]["text"]


HOSTILE_TEXTS = [
    "<b>unclosed <i>tags & ampersands</b>",
    "<script>alert('x')</script> who wrote it?",
    "*bold* _italic_ [link](http://example.com) `code` who wrote it",
    "\u202eالكاتب من هو\u202c ?",
    "who\u200b wrote\u200d it\ufeff?",
    "🤖🔥💯 " * 30,
    "basic research " * 700,  # 10,500 characters
    "   \t  ",
    "&lt;&amp;&#x27;",
    "/ask      ",
    "@ArticleBot",
]


def test_hostile_text_gets_a_valid_reply_or_silence(bot: BotProcess) -> None:
    for i, text in enumerate(HOSTILE_TEXTS):
        bot.push(update(text, chat_id=3000 + i, user_id=3000 + i))
    bot.push(update("/ask@OtherBot who wrote it", chat_type="group", chat_id=-3100, user_id=3100))
    bot.push(update("/ask     ", chat_type="group", chat_id=-3101, user_id=3101))
    assert_alive(bot, 3999)
    assert bot.stop() == 0

    sends = bot.server.calls("sendMessage")
    assert all(call.ok for call in sends), [(c.status, c.params) for c in sends if not c.ok]
    for call in sends:
        assert telegram_html_problems(call["text"]) == [], call["text"]
    assert not [c for c in sends if c.get("chat_id") == -3100]
    assert "Traceback" not in bot.output


NON_TEXT = [
    STICKER,
    {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
    {
        "poll": {
            "id": "p",
            "question": "?",
            "options": [{"text": "a", "voter_count": 0, "persistent_id": "o1"}],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
    },
]


def test_non_text_updates_get_a_hint_or_nothing(bot: BotProcess) -> None:
    for i, extra in enumerate(NON_TEXT):
        bot.push(update(None, chat_id=4000 + i, user_id=4000 + i, extra=extra))
    bot.push(update("who wrote it?", chat_id=4010, user_id=4010, kind="edited_message"))
    bot.push(update("/ask who wrote it?", chat_type="channel", chat_id=-4011, kind="channel_post"))
    without_from = update("who wrote it?", chat_type="group", chat_id=-4012)
    del without_from["message"]["from"]
    bot.push(without_from)
    assert_alive(bot, 4999)
    assert bot.stop() == 0
    # A sticker or photo in private gets the one-line hint (issue 11); everything else, nothing.
    sent = {c.get("chat_id"): c.get("text") for c in bot.server.calls("sendMessage")}
    assert set(sent) == {4000, 4001, 4999}
    assert sent[4000] == sent[4001] == "I read text: ask me about the article."
    assert "Traceback" not in bot.output


# --- floods -------------------------------------------------------------------------


def test_one_person_flooding_gets_one_notice_others_are_unaffected(start_bot) -> None:
    bot: BotProcess = start_bot(ARTICLE_BOT_USER_RATE="5")
    for _ in range(12):
        bot.push(update("who wrote it?", chat_id=5001, user_id=5001))
    assert_alive(bot, 5002)
    assert bot.stop() == 0
    texts = [p["text"] for p in bot.server.sent() if p.get("chat_id") == 5001]
    assert len(texts) == 6
    assert sum("faster than I can read" in t for t in texts) == 1


def test_a_flooded_group_gets_no_429(start_bot) -> None:
    bot: BotProcess = start_bot()
    bot.server.enforce_limits(per_chat_per_minute_groups=20, global_per_second=30)
    for i in range(200):
        bot.push(update(f"/ask who wrote it? {i}", chat_type="supergroup", chat_id=-5100, user_id=6000 + i))
    for i in range(40):  # private chats at the same time, against the overall limit
        bot.push(update(QUESTION, chat_id=7000 + i, user_id=7000 + i))
    # Replies keep coming at the pace Telegram allows; watch them for a few seconds.
    bot.server.wait_for("sendMessage", count=3, timeout=15, predicate=lambda c: c.get("chat_id") == -5100)
    bot.server.wait_for("sendMessage", count=40, timeout=15, predicate=lambda c: c.get("chat_id", 0) > 0)
    assert bot.server.rejections == 0
    bot.process.send_signal(signal.SIGKILL)  # 190-odd group replies are still queued at 12 a minute


# --- content reload -----------------------------------------------------------------


def test_sighup_while_starting_does_not_end_the_bot(api_server, tmp_path: Path) -> None:
    """Loading the embedding model takes a second or more; a SIGHUP then (a deploy tool's reload, a
    closed terminal) used to end the process with the signal's default action."""
    process = spawn_bot(api_server, tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(0.3)  # the interpreter itself is up by then; what follows is the bot's own start-up
        hangups = 0
        while not api_server.calls("getUpdates") and process.poll() is None and hangups < 200:
            process.send_signal(signal.SIGHUP)
            hangups += 1
            time.sleep(0.05)
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        assert hangups > 0  # some came before the first poll
        api_server.push_update(update("who wrote it?", chat_id=8101, user_id=8101))
        [reply] = api_server.wait_for("sendMessage", timeout=30, predicate=lambda c: c.get("chat_id") == 8101)
        assert "Hu Weijia" in reply.params["text"]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()


def test_sighup_reloads_content_and_keeps_the_old_one_when_invalid(start_bot, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    bot: BotProcess = start_bot(ARTICLE_BOT_CONTENT_DIR=str(content))
    entries = content / "entries.yaml"
    entries.write_text(
        entries.read_text().replace("answer: In the Global Times.", "answer: In the Global Times daily.")
    )
    bot.process.send_signal(signal.SIGHUP)
    bot.wait_output("Content reloaded")
    bot.push(update("which newspaper published it?", chat_id=8001, user_id=8001))
    [reply] = bot.replies_to(8001)
    assert "In the Global Times daily." in reply["text"]

    figures = content / "figures.yaml"
    figures.write_text(figures.read_text().replace("passage: p07", "passage: p77"))
    bot.process.send_signal(signal.SIGHUP)
    bot.wait_output("still serving the previous content")
    bot.push(update("how many generative AI users are there in China?", chat_id=8002, user_id=8002))
    [still] = bot.replies_to(8002)
    assert "250 million" in still["text"]
    assert bot.stop() == 0
    line = next(i for i, text in enumerate(figures.read_text().splitlines(), 1) if "passage: p77" in text)
    assert f"{figures}:{line}: figure genai-users: unknown passage id 'p77'" in bot.output
