"""Inline mode, buttons, deep links, feedback, /stats and the question log."""

from __future__ import annotations

import dataclasses
import sqlite3
from html import escape
from pathlib import Path

import pytest

from bot.core.answers import Answerer
from bot.core.content import Library
from bot.core.store import Store, format_stats
from bot.telegram import keyboards
from tests.conftest import OfflineBot
from tests.html_check import telegram_html_problems
from tests.identity import BOT_USER
from tests.telegram_double import _update_ids, message_update

ADMIN = 777


def inline_update(query: str, user_id: int = 111) -> dict:
    return {
        "update_id": next(_update_ids),
        "inline_query": {
            "id": "iq1",
            "from": {"id": user_id, "is_bot": False, "first_name": "Ada"},
            "query": query,
            "offset": "",
        },
    }


def callback_update(data: str, user_id: int = 111, with_message: bool = True, query_id: str | None = None) -> dict:
    query: dict = {
        "id": query_id or f"cb-{user_id}-{data}",
        "from": {"id": user_id, "is_bot": False, "first_name": "Ada"},
        "chat_instance": "ci",
        "data": data,
    }
    if with_message:
        query["message"] = {
            "message_id": 55,
            "date": 1740000000,
            "chat": {"id": user_id, "type": "private"},
            "from": BOT_USER,
            "text": "an earlier answer",
        }
    else:
        query["inline_message_id"] = "inline-1"
    return {"update_id": next(_update_ids), "callback_query": query}  # every update has its own id


def buttons(reply: dict) -> list[dict]:
    markup = reply.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


# --- inline mode --------------------------------------------------------------------


async def test_inline_query_returns_best_matches_first(offline_bot: OfflineBot) -> None:
    await offline_bot.send(inline_update("how much did China spend on basic research"))
    (answer,) = offline_bot.request.sent("answerInlineQuery")
    results = answer["results"]
    assert 1 <= len(results) <= 5
    assert results[0]["id"] == "basic-research-2024"
    content = results[0]["input_message_content"]
    assert "249.7 billion yuan" in content["message_text"] and "Global Times · Hu Weijia" in content["message_text"]
    assert content["parse_mode"] == "HTML"
    assert all(telegram_html_problems(r["input_message_content"]["message_text"]) == [] for r in results)
    assert answer["cache_time"] == 300


async def test_empty_inline_query_lists_the_articles_questions(offline_bot: OfflineBot, library: Library) -> None:
    await offline_bot.send(inline_update(""))
    (answer,) = offline_bot.request.sent("answerInlineQuery")
    assert [r["id"] for r in answer["results"]] == list(library.topics)[:5]


async def test_inline_query_without_match_offers_private_chat(offline_bot: OfflineBot) -> None:
    await offline_bot.send(inline_update("best pizza in naples"))
    (answer,) = offline_bot.request.sent("answerInlineQuery")
    assert answer["results"] == []
    assert answer["button"]["start_parameter"] == "help"


@pytest.mark.parametrize("query", ["<b>&amp;", "' OR 1=1 --", "\u202e\u200b", "🤖" * 50, "a" * 256])
async def test_inline_query_survives_any_text(offline_bot: OfflineBot, query: str) -> None:
    await offline_bot.send(inline_update(query))
    assert len(offline_bot.request.sent("answerInlineQuery")) == 1


# --- buttons ------------------------------------------------------------------------


async def test_answer_has_feedback_and_share_buttons(offline_bot: OfflineBot) -> None:
    (reply,) = await offline_bot.send(message_update("how many generative AI users are there in China?"))
    texts = [b["text"] for b in buttons(reply)]
    assert texts[-3:] == ["👍", "👎", "↗ Share"]
    share = buttons(reply)[-1]
    assert share["switch_inline_query"]
    assert all(len(b.get("callback_data", "").encode()) <= 64 for b in buttons(reply))


async def test_did_you_mean_buttons_answer_the_runner_up(
    offline_bot: OfflineBot, library: Library, two_way: str
) -> None:
    (reply,) = await offline_bot.send(message_update(two_way))
    suggestions = [b for b in buttons(reply) if b["text"].startswith("↪")]
    assert suggestions, reply
    sent = await offline_bot.send(callback_update(suggestions[0]["callback_data"]))
    assert len(sent) == 1
    assert offline_bot.request.sent("answerCallbackQuery")  # no spinner left behind
    offered = library.target(suggestions[0]["callback_data"].removeprefix("a:"))
    assert offered is not None and offered.id.startswith("goldman-")  # the other Goldman figure
    assert offered.answer not in reply["text"]  # not the one answered already
    assert escape(offered.answer) in sent[0]["text"]


async def test_topics_is_a_keyboard_of_the_articles_questions(offline_bot: OfflineBot, library: Library) -> None:
    (reply,) = await offline_bot.send(message_update("/topics"))
    data = [b["callback_data"] for b in buttons(reply)]
    assert data == [f"a:{topic}" for topic in library.topics]
    (answer,) = await offline_bot.send(callback_update("a:follower"))
    assert "original innovation" in answer["text"]


async def test_figures_have_buttons(offline_bot: OfflineBot, library: Library) -> None:
    (reply,) = await offline_bot.send(message_update("/figures"))
    assert len(buttons(reply)) == len(library.figures)
    (answer,) = await offline_bot.send(callback_update("a:intergovernmental-agreements"))
    assert "118 intergovernmental agreements" in answer["text"]


async def test_a_vote_is_acknowledged_and_counted_once_per_user(offline_bot: OfflineBot) -> None:
    (reply,) = await offline_bot.send(message_update("what did mao ning say?"))
    up, down = (b["callback_data"] for b in buttons(reply) if b["text"] in ("👍", "👎"))
    await offline_bot.send(callback_update(up))
    await offline_bot.send(callback_update(up))
    await offline_bot.send(callback_update(down, user_id=222))
    toasts = [c["text"] for c in offline_bot.request.sent("answerCallbackQuery")]
    assert toasts[0].startswith("Thanks")
    assert offline_bot.store.stats().votes == [("mao-ning", 1, 1)]
    await offline_bot.send(callback_update(down))  # changing one's mind replaces the vote
    assert offline_bot.store.stats().votes == [("mao-ning", 0, 2)]


@pytest.mark.parametrize(
    "data", ["a:no-such-entry", "v:abc:no-such-entry:u", "v:abc:follower:x", "zzz", "a:", "v::follower:u"]
)
async def test_stale_or_forged_buttons_get_a_polite_toast(offline_bot: OfflineBot, data: str) -> None:
    assert await offline_bot.send(callback_update(data)) == []
    (toast,) = offline_bot.request.sent("answerCallbackQuery")
    assert "expired" in toast["text"]


async def test_button_on_an_inline_message_is_answered_quietly(offline_bot: OfflineBot) -> None:
    assert await offline_bot.send(callback_update("a:follower", with_message=False)) == []
    assert len(offline_bot.request.sent("answerCallbackQuery")) == 1


def test_callback_data_stays_within_64_bytes(library: Library) -> None:
    for target in library.targets:
        assert len(keyboards.show_data(target).encode()) <= 64
        assert len(keyboards.vote_data(b"k" * 32, "x" * 8, target, -1).encode()) <= 64


# --- deep links ---------------------------------------------------------------------


async def test_deep_link_opens_that_answer(offline_bot: OfflineBot) -> None:
    (reply,) = await offline_bot.send(message_update("/start genai-users"))
    assert "250 million" in reply["text"] and "<blockquote expandable>" in reply["text"]


async def test_unknown_deep_link_falls_back_to_welcome(offline_bot: OfflineBot) -> None:
    (reply,) = await offline_bot.send(message_update("/start nonsense"))
    assert "Just send me a question" in reply["text"]


async def test_inline_results_link_back_to_the_bot(offline_bot: OfflineBot) -> None:
    await offline_bot.send(inline_update("who wrote it"))
    (answer,) = offline_bot.request.sent("answerInlineQuery")
    url = answer["results"][0]["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert url == "https://t.me/ArticleBot?start=author"


# --- the question log and /stats ----------------------------------------------------


async def test_taps_and_deep_links_are_not_counted_as_questions(offline_bot: OfflineBot) -> None:
    (reply,) = await offline_bot.send(message_update("/start genai-users"))
    await offline_bot.send(callback_update("a:follower"))
    assert offline_bot.store.stats().questions == 0
    assert any(b["text"] == "👍" for b in buttons(reply))  # still votable


async def test_questions_are_logged_without_names(offline_bot: OfflineBot) -> None:
    await offline_bot.send(message_update("how much is spent on basic research?", user_id=31337))
    await offline_bot.send(message_update("what's the weather in Rome?"))
    await offline_bot.send(message_update("what's the weather in Rome?"))
    stats = offline_bot.store.stats()
    assert stats.questions == 3 and stats.answered == 1
    assert stats.top_entries == [("basic-research-2024", 1)]
    assert stats.unanswered == [("what's the weather in rome?", 2)]
    with sqlite3.connect(offline_bot.store.path) as db:
        dump = "\n".join(db.iterdump())
    assert "31337" not in dump and "Ada" not in dump


async def test_stats_for_admins_only(offline_bot_factory) -> None:
    bot = await offline_bot_factory(admins=frozenset({ADMIN}))
    await bot.send(message_update("who wrote it?"))
    (report,) = await bot.send(message_update("/stats", user_id=ADMIN))
    assert "Questions asked: 1" in report["text"] and "author" in report["text"]
    assert telegram_html_problems(report["text"]) == []
    (refused,) = await bot.send(message_update("/stats", user_id=ADMIN + 1))
    assert refused["text"] == "I don't know that command. /help lists the ones I do."
    assert await bot.send(message_update("/stats", user_id=ADMIN + 1, chat_type="group")) == []


async def test_a_broken_database_never_costs_a_reply(offline_bot_factory, tmp_path: Path) -> None:
    bot = await offline_bot_factory(store=Store(tmp_path))  # a directory: every write fails
    (reply,) = await bot.send(message_update("who wrote the article?"))
    assert "Hu Weijia" in reply["text"]
    (toast_reply,) = await bot.send(message_update("how many AI users?"))
    up = next(b["callback_data"] for b in buttons(toast_reply) if b["text"] == "👍")
    await bot.send(callback_update(up))
    assert bot.request.sent("answerCallbackQuery")[0]["text"].startswith("Thanks")


async def test_stats_with_an_unreadable_log_says_so(offline_bot_factory, tmp_path: Path) -> None:
    bot = await offline_bot_factory(admins=frozenset({ADMIN}), store=Store(tmp_path))  # a directory
    (report,) = await bot.send(message_update("/stats", user_id=ADMIN))
    assert "cannot be read" in report["text"]


def test_store_counts_votes_and_formats_a_report(tmp_path: Path) -> None:
    store = Store(tmp_path / "q.sqlite3", key=b"k" * 32)
    assert store.log_question("q1", "private", "Who wrote it?", "author", 90.0)
    assert store.log_question("q2", "group", "weather?", None, 10.0)
    assert store.vote("q1", "author", 1, 1) and store.vote("q1", "author", 2, -1)
    report = format_stats(store.stats())
    assert "Questions asked: 2" in report and "Answered: 1 (50%)" in report
    assert "author: 1 / 1" in report and "weather?" in report
    assert "1  who wrote it? → author" in report  # the question behind the 👎, for the content editor
    assert store.user_hash(1) != store.user_hash(2) and store.user_hash(1) != "1"
    assert Store(tmp_path / "q.sqlite3", key=b"k" * 32).user_hash(1) == store.user_hash(1)  # stable across restarts


async def test_unsure_reply_offers_the_nearest_questions_as_buttons(offline_bot_factory, library: Library) -> None:
    # A bot that is never sure enough to answer, and always offers what came nearest.
    unsure = dataclasses.replace(library.parameters, answer_at=1.0, caveat_at=1.0, suggest_at=0.0)
    bot = await offline_bot_factory(served=Answerer(dataclasses.replace(library, parameters=unsure)))
    (reply,) = await bot.send(message_update("patent office"))
    assert "couldn't find that" in reply["text"] and "Did you mean" in reply["text"]
    suggestions = buttons(reply)
    assert suggestions and all(b["text"].startswith("↪") for b in suggestions)
    target = library.target(suggestions[0]["callback_data"].removeprefix("a:"))
    assert target is not None and target.id == "wipo-patents"  # the nearest, first
    (answer,) = await bot.send(callback_update(suggestions[0]["callback_data"]))
    assert answer["text"].startswith(f"<b>{escape(target.answer[:40])}")


async def test_a_greeting_before_the_question_is_not_part_of_it(offline_bot: OfflineBot) -> None:
    (reply,) = await offline_bot.send(message_update("Good morning! Is China just copying the West?"))
    assert "original innovation" in reply["text"]


# --- conversation -------------------------------------------------------------------


async def test_a_follow_up_in_private_is_read_with_the_previous_answer(offline_bot: OfflineBot) -> None:
    await offline_bot.send(message_update("Who is Mao Ning?", user_id=4100))
    (reply,) = await offline_bot.send(message_update("when did she say it?", user_id=4100))
    assert "October 2024" in reply["text"]
    (alone,) = await offline_bot.send(message_update("when did she say it?", user_id=4101))
    assert "October 2024" not in alone["text"]  # someone else, with no answer before: a new question


async def test_in_a_group_a_reply_to_an_answer_carries_its_context(offline_bot: OfflineBot) -> None:
    group = {"chat_type": "supergroup", "chat_id": -4200}
    await offline_bot.send(message_update("/ask Who is Mao Ning?", user_id=4201, **group))
    answer_id = 1000 + len(offline_bot.request.sent()) - 1  # the double numbers sent messages from 1000
    reply_to_answer = {
        "reply_to_message": {
            "message_id": answer_id,
            "date": 1740000000,
            "chat": {"id": -4200, "type": "supergroup", "title": "Readers"},
            "from": BOT_USER,
            "text": "the answer",
        }
    }
    (reply,) = await offline_bot.send(
        message_update("when did she say it?", user_id=4202, extra=reply_to_answer, **group)
    )
    assert "October 2024" in reply["text"]
    (other,) = await offline_bot.send(message_update("/ask when did she say it?", user_id=4203, **group))
    assert "October 2024" not in other["text"]  # in a group each person's thread is their own


async def test_a_chinese_question_gets_the_english_text_in_a_chinese_frame(offline_bot: OfflineBot) -> None:
    (reply,) = await offline_bot.send(message_update("中国在基础研究上投入了多少？"))
    assert reply["text"].startswith("文章（英文）中写道：\n<b>In 2024, China's expenditure on basic research")
    assert telegram_html_problems(reply["text"]) == []
