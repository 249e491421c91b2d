"""``python -m bot`` as deployed (long polling), driven with real update JSON through a fake Bot API server."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.e2e.conftest import STOP_TIMEOUT, TOKEN, TOKEN_SECRET, BotProcess, update


def test_private_question_gets_the_figure_in_html(bot: BotProcess) -> None:
    bot.push(update("How much does China spend on basic research?", chat_id=1001, user_id=1001))

    [reply] = bot.replies_to(1001)

    assert "249.7 billion yuan" in reply["text"]
    assert reply["parse_mode"] == "HTML"


def test_ask_command_addressed_to_the_bot_in_a_group(bot: BotProcess) -> None:
    bot.push(update("/ask@ArticleBot who wrote the article?", chat_type="group", chat_id=-1002, user_id=1002))

    [reply] = bot.replies_to(-1002)

    assert "Hu Weijia" in reply["text"]


def test_mention_in_a_group_is_a_question(bot: BotProcess) -> None:
    sent = bot.push(update("@ArticleBot what did Mao Ning say?", chat_type="group", chat_id=-1003, user_id=1003))
    assert sent["message"]["entities"] == [{"type": "mention", "offset": 0, "length": 11}]

    [reply] = bot.replies_to(-1003)

    assert "Mao Ning" in reply["text"]


def test_mention_after_an_emoji_counts_utf16_offsets(bot: BotProcess) -> None:
    # "🙂" is two UTF-16 code units, so the mention starts at offset 3, not 2.
    sent = bot.push(update("🙂 @ArticleBot who wrote the article?", chat_type="group", chat_id=-1004, user_id=1004))
    assert sent["message"]["entities"] == [{"type": "mention", "offset": 3, "length": 11}]

    [reply] = bot.replies_to(-1004)

    assert "Hu Weijia" in reply["text"]


def test_group_chatter_and_other_bots_commands_get_no_reply(bot: BotProcess) -> None:
    bot.push(update("nice weather today", chat_type="group", chat_id=-1005, user_id=1005))
    bot.push(update("/ask@OtherBot who wrote the article?", chat_type="group", chat_id=-1006, user_id=1006))
    bot.push(update("How much does China spend on basic research?", chat_id=1007, user_id=1007))

    [reply] = bot.replies_to(1007)  # the bot has fetched all three updates
    # The bot handles updates concurrently, so the answer above does not prove the two before it are done;
    # a graceful stop waits for every handler still running.
    assert bot.stop() == 0

    assert "249.7 billion yuan" in reply["text"]
    assert [c.params for c in bot.server.calls("sendMessage") if c.get("chat_id") in (-1005, -1006)] == []


def test_command_menus_are_registered_at_start_up(bot: BotProcess) -> None:
    # English and Chinese, three scopes each, sent at once: they arrive in any order.
    calls = [call for call in bot.server.wait_for("setMyCommands", count=6) if not call.get("language_code")]

    menus = {call.get("scope", {"type": "default"})["type"]: [c["command"] for c in call["commands"]] for call in calls}
    assert set(menus) == {"all_private_chats", "all_group_chats", "default"}
    assert "start" in menus["all_private_chats"]
    assert "ask" in menus["all_group_chats"] and "start" not in menus["all_group_chats"]
    assert all(call.ok for call in calls)


@pytest.mark.parametrize("log_level", ["INFO", "DEBUG"])
def test_the_token_is_never_printed_nor_sent_outside_urls(start_bot, log_level: str) -> None:
    bot: BotProcess = start_bot(ARTICLE_BOT_LOG_LEVEL=log_level)
    # A whole conversation, start-up to shutdown, at the operator's log level and at the most verbose one.
    bot.push(update("How much does China spend on basic research?", chat_id=1008, user_id=1008))
    bot.replies_to(1008)
    assert bot.stop() == 0

    output = bot.output
    assert output.strip(), "the bot printed nothing: the check below would prove nothing"
    assert TOKEN not in output
    assert TOKEN_SECRET not in output
    requests = bot.server.requests
    assert requests and all(f"/bot{TOKEN}/" in r.path for r in requests)
    assert not [r.path for r in requests if TOKEN_SECRET.encode() in r.body]


def test_sigterm_stops_cleanly_and_confirms_handled_updates(bot: BotProcess) -> None:
    bot.push(update("How much does China spend on basic research?", chat_id=1009, user_id=1009))
    bot.replies_to(1009)

    code = bot.stop()

    assert code == 0, bot.output
    assert not bot.killed and bot.stop_seconds is not None and bot.stop_seconds < STOP_TIMEOUT
    # The last getUpdates confirmed the answered update, so a restart would not answer it twice.
    assert bot.server.pending_updates() == []
    assert "Traceback" not in bot.output


def test_the_question_log_is_readable_by_its_owner_only(bot: BotProcess, tmp_path: Path) -> None:
    """It holds what readers asked, word for word."""
    bot.push(update("who wrote it?", chat_id=8201, user_id=8201))
    bot.replies_to(8201)
    database = tmp_path / "questions.sqlite3"
    assert database.exists() and stat.S_IMODE(database.stat().st_mode) == 0o600


def test_an_update_delivered_twice_is_answered_once(bot: BotProcess) -> None:
    twice = update("who wrote it?", chat_id=8301, user_id=8301)
    first = bot.server.push_update(twice)
    bot.server.push_update({**twice, "update_id": first["update_id"]})  # Telegram sends it again
    bot.push(update("when was it published?", chat_id=8301, user_id=8301))
    bot.replies_to(8301, count=2)
    assert bot.stop() == 0  # all it had fetched is handled by now
    texts = [c.params["text"] for c in bot.server.calls("sendMessage") if c.ok and c.get("chat_id") == 8301]
    assert len(texts) == 2
    assert sorted(t.split("</b>")[0] for t in texts) == [
        "<b>Hu Weijia, a reporter with the Global Times.",
        "<b>On 21 February 2025.",
    ]


def test_a_follow_up_in_the_same_batch_is_read_after_its_question_and_answered_after_it(bot: BotProcess) -> None:
    """Sent in quick succession, both messages come in one getUpdates: the second used to be read before
    the first was answered (so not as a follow-up: it got the article's date), and replies could swap."""
    for person in (4101, 4102):
        bot.server.push_updates(
            [
                update("Who is Mao Ning?", chat_id=person, user_id=person),
                update("when did she say it?", chat_id=person, user_id=person),
            ]
        )
    for person in (4101, 4102):
        first, then = bot.replies_to(person, count=2)
        assert "Mao Ning" in first["text"]
        assert "October 2024" in then["text"] and "21 February 2025" not in then["text"], then["text"]


def test_it_polls_for_what_it_handles_only(bot: BotProcess) -> None:
    """Edits, channel posts, reactions and member changes would only be fetched to be ignored."""
    [first, *_] = bot.server.calls("getUpdates")
    assert sorted(first["allowed_updates"]) == ["callback_query", "inline_query", "message"]
