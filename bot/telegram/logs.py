"""Logging that never shows the bot token, and does not repeat one failure thousands of times."""

from __future__ import annotations

import atexit
import functools
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from telegram.error import TelegramError

REDACTED = "<token>"
# The part after the colon is the secret (the bot id before it is public); a real one has 35 characters.
# Shorter ones (in tests) are only scrubbed with the bot id in front, or every "a" would go.
_SECRET_ALONE_CHARS = 16


def token_pattern(token: str) -> re.Pattern[str]:
    """The token as it is and %-encoded (``:`` as ``%3A`` or ``%3a``, or encoded twice: ``%253A``), and its
    secret part on its own, which no encoding changes."""
    bot_id, colon, secret = token.partition(":")
    if not colon:
        return re.compile(_encoded(token))
    prefix = _encoded(bot_id + colon)
    if len(secret) >= _SECRET_ALONE_CHARS:
        return re.compile(f"(?:{prefix})?{_encoded(secret)}")
    return re.compile(prefix + _encoded(secret))


def _encoded(text: str) -> str:
    """A regular expression for ``text`` with any of its characters %-encoded, any number of times."""
    parts = []
    for char in text:
        encoded = quote(char, safe="")
        if encoded == char:
            parts.append(re.escape(char))
            continue
        octets = "".join(
            "%(?:25)*" + "".join(f"[{d.upper()}{d.lower()}]" if d.isalpha() else d for d in octet)
            for octet in encoded.split("%")[1:]
        )
        parts.append(f"(?:{re.escape(char)}|{octets})")
    return "".join(parts)


class RedactToken(logging.Filter):
    """Replaces the token wherever it appears in a record, its arguments or its traceback."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.pattern = token_pattern(token) if token else None

    def filter(self, record: logging.LogRecord) -> bool:
        if self.pattern is None:
            return True
        message = record.getMessage()
        if record.exc_info:
            # Format the traceback now, so the redacted text is what handlers print.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self.pattern.sub(REDACTED, record.exc_text)
        if record.stack_info:
            record.stack_info = self.pattern.sub(REDACTED, record.stack_info)
        record.msg = self.pattern.sub(REDACTED, message)
        record.args = None
        return True


class BriefNetworkErrors(logging.Filter):
    """Telegram being unreachable, refusing the token or answering oddly is an operating condition,
    not a bug: one line says it, without a library traceback (python-telegram-bot logs one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, TelegramError):
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


class BriefWebhookRefusals(logging.Filter):
    """python-telegram-bot logs an update its webhook cannot read as CRITICAL, with the whole update
    (what a reader wrote) and a traceback; it answers 400 and goes on. One line says it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "telegram.ext.Updater" and str(record.msg).startswith("Something went wrong processing"):
            error = record.exc_info[1] if record.exc_info else None
            record.msg = f"Webhook: refused an update that cannot be read (400): {type(error).__name__}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


REPEATS_WINDOW_S = 10.0
_NUMBERS = re.compile(r"\d+")


@dataclass
class _Run:
    """Lines of one kind since the first of them went out."""

    started: float
    count: int = 0  # held back
    last: logging.LogRecord | None = None


def _start_timer(delay: float, callback: Callable[[], None]) -> None:
    timer = threading.Timer(delay, callback)
    timer.daemon = True  # never keeps the process alive; what is pending at exit is flushed then
    timer.start()


class CollapseRepeats(logging.Filter):
    """One failure for many chats at once is printed once, at once, and then once more with a count when
    ``window`` seconds have passed, instead of once each time.

    Lines are alike when they differ only in numbers (chat ids, retry counts, offsets): another message,
    or the same one with another error, goes out at once. DEBUG lines all go out: whoever asks for them
    wants every one. Install it last on a handler, so it sees lines as they will be printed.
    """

    def __init__(
        self,
        handler: logging.Handler,
        window: float = REPEATS_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
        schedule: Callable[[float, Callable[[], None]], None] = _start_timer,
    ) -> None:
        super().__init__()
        self.handler = handler
        self.window = window
        self.clock = clock
        self.schedule = schedule
        self._lock = threading.Lock()
        self._runs: dict[tuple[str, int, str], _Run] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO or hasattr(record, "repeats"):
            return True
        key = (record.name, record.levelno, _NUMBERS.sub("#", _printed(record)))
        now = self.clock()
        with self._lock:
            ended = self._take(lambda run: now - run.started >= self.window)
            run = self._runs.get(key)
            if run is None:
                self._runs[key] = _Run(now)
            else:
                run.count += 1
                run.last = record
                if run.count == 1:
                    self.schedule(run.started + self.window - now, functools.partial(self._end, key, run))
        self._print(ended)  # before this line, which may be the first of a new run of the same kind
        return run is None

    def flush(self) -> None:
        """Print the counts of every run still open (at exit)."""
        with self._lock:
            ended = self._take(lambda run: True)
        self._print(ended)

    def _end(self, key: tuple[str, int, str], run: _Run) -> None:
        with self._lock:
            ended = [self._runs.pop(key)] if self._runs.get(key) is run else []
        self._print(ended)

    def _take(self, done: Callable[[_Run], bool]) -> list[_Run]:
        ended = [key for key, run in self._runs.items() if done(run)]
        return [self._runs.pop(key) for key in ended]

    def _print(self, runs: list[_Run]) -> None:
        for run in runs:
            if run.last is None:
                continue
            last = run.last
            text = f"{last.getMessage()} (and {run.count} more like it within {self.window:g} s; this was the last)"
            # Stamped now, where it appears in the log; without the traceback, which the first line had.
            summary = logging.LogRecord(last.name, last.levelno, last.pathname, last.lineno, text, None, None)
            summary.repeats = run.count
            self.handler.handle(summary)


def _printed(record: logging.LogRecord) -> str:
    if record.exc_info and record.exc_info[1] is not None:
        return f"{record.getMessage()}\n{type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
    return f"{record.getMessage()}\n{record.exc_text or ''}"


def setup_logging(level: str, token: str, *secrets: str) -> None:
    """``secrets``: others to keep out of the log as the token is (the webhook's, a database password)."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.addFilter(BriefNetworkErrors())
        handler.addFilter(BriefWebhookRefusals())
        for secret in (token, *secrets):
            handler.addFilter(RedactToken(secret))
        collapse = CollapseRepeats(handler)
        handler.addFilter(collapse)
        atexit.register(collapse.flush)  # before logging's own shutdown, which atexit runs later
