"""The two Telegram doubles judge HTML alike and present the same bot: what one accepts, the other does."""

from __future__ import annotations

import pytest

from tests.botapi_server import ApiError, FakeBotAPI, plain_text
from tests.html_check import telegram_html_problems
from tests.identity import BOT_USER
from tests.telegram_double import RecordingRequest

REFUSED = ["<p>para</p>", "<b>open", "<i>x</b>", "a < b", "fish & chips", "&nbsp;", "<b><i>x</b></i>"]


@pytest.mark.parametrize("text", REFUSED)
def test_html_telegram_refuses_is_refused_by_both(text: str) -> None:
    assert telegram_html_problems(text) != []
    with pytest.raises(ApiError, match="can't parse entities"):
        plain_text(text, "HTML")


def test_html_telegram_accepts_is_shown_as_the_reader_sees_it() -> None:
    text = (
        '<b>Bold</b> &amp; <a href="https://example.com">link</a> &lt;3 &#8212; <blockquote expandable>q</blockquote>'
    )
    assert telegram_html_problems(text) == []
    assert plain_text(text, "HTML") == "Bold & link <3 — q"


def test_both_doubles_are_the_same_bot() -> None:
    assert FakeBotAPI().bot_user == BOT_USER
    assert RecordingRequest()._result("getMe", {}) == BOT_USER
