"""Log lines: the token in none of its forms, and one failure for many chats printed once with a count."""

from __future__ import annotations

import logging
from urllib.parse import quote, quote_plus

import pytest

from bot.logs import REDACTED, RedactToken

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
