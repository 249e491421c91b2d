"""The bot's profile: at start-up the real process sets what an empty chat shows, in English and Chinese."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.content import load_library
from tests.botapi_server import FakeBotAPI
from tests.conftest import CONTENT
from tests.e2e.conftest import BotProcess


def by_language(calls: list) -> dict[str, dict]:
    return {call.get("language_code") or "": call.params for call in calls}


def test_start_up_sets_the_description_short_description_and_menus_in_english_and_chinese(bot: BotProcess) -> None:
    title = load_library(CONTENT).article.title
    descriptions = by_language(bot.server.wait_for("setMyDescription", count=2))
    shorts = by_language(bot.server.wait_for("setMyShortDescription", count=2))
    menus = bot.server.wait_for("setMyCommands", count=6)

    assert set(descriptions) == set(shorts) == {"", "zh"}
    assert descriptions[""]["description"].startswith("I answer questions about one article: " + title)
    assert descriptions["zh"]["description"].startswith("我回答关于一篇文章的问题：" + title)
    assert title in shorts[""]["short_description"] and title in shorts["zh"]["short_description"]
    assert all(len(d["description"]) <= 512 for d in descriptions.values())
    assert all(len(s["short_description"]) <= 120 for s in shorts.values())

    chinese = [call.params for call in menus if call.get("language_code") == "zh"]
    scopes = sorted(menu.get("scope", {"type": "default"})["type"] for menu in chinese)
    assert scopes == ["all_group_chats", "all_private_chats", "default"]
    private = next(m for m in chinese if m.get("scope", {}).get("type") == "all_private_chats")
    assert {"command": "topics", "description": "文章回答的问题"} in private["commands"]
    assert all(call.ok for call in bot.server.calls() if call.method.startswith("setMy"))


def test_stopping_while_the_profile_is_being_set_exits_at_once_and_quietly(
    api_server: FakeBotAPI, start_bot: Callable[..., BotProcess]
) -> None:
    """Telegram slow to answer setMyDescription at start-up: SIGTERM gives its calls up, with no
    traceback, no error line and no wait for them."""
    for method in ("setMyDescription", "setMyShortDescription"):
        api_server.delay_next(method, 60, times=2)
    bot = start_bot()
    api_server.wait_for("setMyDescription", count=2)  # in flight, held by the double
    assert bot.stop() == 0
    assert not bot.killed and bot.stop_seconds is not None and bot.stop_seconds < 10
    assert "Traceback" not in bot.output and " ERROR " not in bot.output
    assert "was not set" not in bot.output  # given up on, not reported as Telegram's failure
