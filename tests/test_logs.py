"""Log lines: the token in none of its forms, and one failure for many chats printed once with a count."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import quote, quote_plus

import pytest

from bot.telegram.logs import REDACTED, CollapseRepeats, RedactToken

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = TOKEN.split(":", 1)[1]


def _redacted(message: str, *args: object, token: str = TOKEN) -> str:
    record = logging.LogRecord("bot", logging.ERROR, __file__, 1, message, args or None, None)
    RedactToken(token).filter(record)
    return record.getMessage()


@pytest.mark.parametrize(
    "form",
    [
        TOKEN,
        quote(TOKEN),
        quote(TOKEN, safe=""),
        quote_plus(TOKEN),
        TOKEN.replace(":", "%3a"),
        quote(quote(TOKEN)),  # encoded twice: %253A
        SECRET,  # the secret part on its own is the whole secret: the bot id is public
    ],
)
def test_the_token_is_scrubbed_in_every_form(form: str) -> None:
    line = _redacted("GET https://api.telegram.org/bot%s/getUpdates failed", form)
    assert line == f"GET https://api.telegram.org/bot{REDACTED}/getUpdates failed"
    assert SECRET not in line


def test_a_short_test_token_is_scrubbed_only_whole() -> None:
    """Its secret part ("a") on its own would take every "a" out of every line."""
    assert _redacted("a bad bot1%3Aa and 1:a", token="1:a") == f"a bad bot{REDACTED} and {REDACTED}"


def test_tracebacks_are_scrubbed_too() -> None:
    try:
        raise RuntimeError(f"no route to /bot{quote(TOKEN)}/sendMessage")
    except RuntimeError as exc:
        record = logging.LogRecord("bot", logging.ERROR, __file__, 1, "failed", None, (type(exc), exc, None))
    RedactToken(TOKEN).filter(record)
    assert record.exc_text is not None and REDACTED in record.exc_text and SECRET not in record.exc_text


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Collected(logging.Handler):
    """A handler that keeps what it prints, with the filter under test installed as setup_logging does."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.clock = Clock()
        self.timers: list[tuple[float, Callable[[], None]]] = []
        self.collapse = CollapseRepeats(self, 10.0, self.clock, lambda delay, fire: self.timers.append((delay, fire)))
        self.addFilter(self.collapse)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()}")

    def log(self, message: str, *args: object, level: int = logging.ERROR, name: str = "bot.telegram.handlers") -> None:
        self.handle(logging.LogRecord(name, level, __file__, 1, message, args or None, None))


def test_the_first_line_goes_out_at_once_and_the_repeats_as_one_count() -> None:
    out = Collected()
    for chat in range(200):
        out.log("Telegram refused a call (chat %s): %s", 7000 + chat, "Forbidden: bot was blocked by the user")
    assert out.lines == ["ERROR Telegram refused a call (chat 7000): Forbidden: bot was blocked by the user"]

    [(delay, fire)] = out.timers  # one timer for the run, at the end of its window
    assert delay == 10.0
    out.clock.now += delay
    fire()
    assert out.lines[1:] == [
        "ERROR Telegram refused a call (chat 7199): Forbidden: bot was blocked by the user "
        "(and 199 more like it within 10 s; this was the last)"
    ]
    fire()  # a timer that fires late, after the run was printed otherwise, adds nothing
    assert len(out.lines) == 2


def test_different_messages_are_never_held_back() -> None:
    out = Collected()
    out.log("Telegram refused a call (chat %s): %s", 1, "Forbidden: bot was blocked by the user")
    out.log("Telegram refused a call (chat %s): %s", 2, "Bad Request: can't parse entities")  # another error
    out.log("Telegram refused a call (chat %s): %s", 3, "Forbidden: bot was blocked by the user", level=logging.INFO)
    out.log(
        "Telegram refused a call (chat %s): %s", 4, "Forbidden: bot was blocked by the user", name="bot.telegram.limits"
    )
    out.log("Content reloaded: %s", "5 entries")
    assert len(out.lines) == 5 and out.timers == []


def test_debug_lines_all_go_out() -> None:
    out = Collected()
    for i in range(5):
        out.log("Calling Bot API endpoint `%s` with parameters `%s`", "sendMessage", i, level=logging.DEBUG)
    assert len(out.lines) == 5


def test_a_repeat_after_the_window_prints_the_count_before_itself() -> None:
    out = Collected()
    out.log("sendMessage to chat %s failed (%s); retry %d of %d", 1, "Bad Gateway", 1, 2, level=logging.INFO)
    out.clock.now += 1
    out.log("sendMessage to chat %s failed (%s); retry %d of %d", 1, "Bad Gateway", 2, 2, level=logging.INFO)
    out.clock.now += 10  # the window has passed; its timer has not fired yet
    out.log("sendMessage to chat %s failed (%s); retry %d of %d", 9, "Bad Gateway", 1, 2, level=logging.INFO)
    assert out.lines == [
        "INFO sendMessage to chat 1 failed (Bad Gateway); retry 1 of 2",
        "INFO sendMessage to chat 1 failed (Bad Gateway); retry 2 of 2 (and 1 more like it within 10 s; this was the last)",
        "INFO sendMessage to chat 9 failed (Bad Gateway); retry 1 of 2",
    ]


def test_a_line_alone_in_its_window_is_printed_once() -> None:
    out = Collected()
    out.log("Telegram refused a call (chat %s): %s", 1, "Forbidden")
    out.clock.now += 11
    out.log("Telegram refused a call (chat %s): %s", 2, "Forbidden")
    out.collapse.flush()
    assert out.lines == [
        "ERROR Telegram refused a call (chat 1): Forbidden",
        "ERROR Telegram refused a call (chat 2): Forbidden",
    ]


def test_counts_still_held_at_exit_are_printed() -> None:
    out = Collected()
    for chat in range(3):
        out.log("Telegram refused a call (chat %s): %s", chat, "Forbidden")
    out.collapse.flush()  # setup_logging registers this to run at exit
    assert (
        out.lines[-1]
        == "ERROR Telegram refused a call (chat 2): Forbidden (and 2 more like it within 10 s; this was the last)"
    )
