"""The question log in the real process: it never slows or loses a reply, survives a lock or a deleted file,
is flushed at shutdown, and reveals nobody on its own."""

from __future__ import annotations

import hashlib
import hmac
import signal
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.e2e.conftest import STOP_TIMEOUT, BotProcess, button_press, update

QUESTIONS = [
    "How much does China spend on basic research?",
    "who wrote the article?",
    "how many people use generative AI in China?",
    "what did Mao Ning say?",
]
# A reply goes out within this long of the question even while the log is locked (40 replies pass the
# rate limiter in about two seconds); writing the log with a lock wait per row took far longer.
REPLY_BOUND_S = 10.0
ROWS_DEADLINE_S = 20.0


def database(tmp_path: Path) -> Path:
    return tmp_path / "questions.sqlite3"  # where tests/e2e/conftest.py points ARTICLE_BOT_DB


def read_only(path: Path) -> sqlite3.Connection:
    """Read the log without creating it (a plain connect would create an empty file where none is)."""
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=1.0)


def rows(path: Path, sql: str = "SELECT question FROM questions") -> list[tuple[Any, ...]]:
    db = read_only(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def wait_rows(
    path: Path, count: int, timeout: float = ROWS_DEADLINE_S, sql: str = "SELECT question FROM questions"
) -> list[tuple[Any, ...]]:
    """Poll the database file until it holds ``count`` rows: the writer gives no other sign."""
    deadline = time.monotonic() + timeout
    found: list[tuple[Any, ...]] = []
    while time.monotonic() < deadline:
        try:
            found = rows(path, sql)
        except sqlite3.Error:
            found = []  # not there yet, or being written
        if len(found) >= count:
            return found
        time.sleep(0.05)  # polling a file: there is no event to wait on
    raise AssertionError(f"{len(found)} of {count} rows in {path} after {timeout} s")


@contextmanager
def locked(path: Path) -> Iterator[sqlite3.Connection]:
    """Hold an exclusive lock on the log, as another process writing a long transaction (or a backup) does."""
    db = sqlite3.connect(path, timeout=5.0, isolation_level=None)
    db.execute("BEGIN EXCLUSIVE")
    try:
        yield db
    finally:
        db.execute("ROLLBACK")
        db.close()


def ask(bot: BotProcess, chat_id: int, question: str = QUESTIONS[0]) -> dict[str, Any]:
    bot.push(update(question, chat_id=chat_id, user_id=chat_id))
    [reply] = bot.replies_to(chat_id)
    return reply


def log_lines(bot: BotProcess) -> list[str]:
    return [line for line in bot.output.splitlines() if "Question log" in line or "sqlite" in line.lower()]


def test_a_locked_log_delays_no_reply_and_loses_no_row(start_bot, api_server, tmp_path: Path) -> None:
    """Against api.telegram.org, each new connection resolves the host name in the event loop's default thread
    pool, and Telegram closes connections: log writes that waited in that pool held the replies back."""
    api_server.close_every_connection()
    bot: BotProcess = start_bot(TELEGRAM_BASE_URL=api_server.url.replace("127.0.0.1", "localhost"))
    chats = range(9100, 9140)
    with locked(database(tmp_path)) as db:
        pushed_at = time.monotonic()
        for i, chat_id in enumerate(chats):
            bot.push(update(QUESTIONS[i % len(QUESTIONS)], chat_id=chat_id, user_id=chat_id))
        replies = bot.server.wait_for(
            "sendMessage",
            count=len(chats),
            timeout=REPLY_BOUND_S,
            predicate=lambda c: c.ok and c.get("chat_id") in chats,
        )
        # Every reply went out while the log was still locked: none waited for it.
        assert time.monotonic() - pushed_at < REPLY_BOUND_S
        assert {c["chat_id"] for c in replies} == set(chats)
        assert db.execute("SELECT COUNT(*) FROM questions").fetchone() == (0,)  # all still waiting to be written
    logged = wait_rows(database(tmp_path), len(chats))
    assert sorted(q for (q,) in logged) == sorted(QUESTIONS[i % len(QUESTIONS)] for i in range(len(chats)))
    assert bot.stop() == 0
    assert "Traceback" not in bot.output


def test_a_deleted_log_is_recreated_with_its_schema(bot: BotProcess, tmp_path: Path) -> None:
    path = database(tmp_path)
    ask(bot, 9201)
    wait_rows(path, 1)
    path.unlink()  # an operator clearing the statistics, or a cleanup job, while the bot runs

    for chat_id, question in zip(range(9202, 9205), QUESTIONS[1:], strict=True):
        ask(bot, chat_id, question)
    logged = wait_rows(path, 3)
    assert sorted(q for (q,) in logged) == sorted(QUESTIONS[1:])
    tables = {name for (name,) in rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"questions", "votes"} <= tables
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert bot.stop() == 0
    assert "no such table" not in bot.output
    assert 1 <= len(log_lines(bot)) <= 2, log_lines(bot)
    assert "Traceback" not in bot.output


def test_questions_still_waiting_at_sigterm_are_written_before_exit(bot: BotProcess, tmp_path: Path) -> None:
    chats = range(9301, 9304)
    with locked(database(tmp_path)):
        for chat_id, question in zip(chats, QUESTIONS, strict=False):
            ask(bot, chat_id, question)
        bot.stopping = True
        bot.process.send_signal(signal.SIGTERM)
        # Release the lock only once the bot is shutting down with the rows still queued: then only the
        # flush at shutdown can write them.
        bot.wait_output("3 rows still to write")
    assert bot.process.wait(timeout=STOP_TIMEOUT) == 0
    assert sorted(q for (q,) in rows(database(tmp_path))) == sorted(QUESTIONS[:3])
    assert "Traceback" not in bot.output


def vote(bot: BotProcess, reply: dict[str, Any], user_id: int, emoji: str, callback_id: str) -> None:
    data = next(
        b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"] for b in row if b["text"] == emoji
    )
    before = len(bot.server.calls("answerCallbackQuery"))
    bot.server.push_update(button_press(data, user_id, callback_id))
    bot.server.wait_for("answerCallbackQuery", count=before + 1)


def test_the_log_alone_does_not_reveal_who_voted(start_bot, tmp_path: Path) -> None:
    reader = 31337
    bot: BotProcess = start_bot()
    reply = ask(bot, reader)
    vote(bot, reply, reader, "👍", "cb-up")
    assert bot.stop() == 0
    again: BotProcess = start_bot()
    vote(again, reply, reader, "👎", "cb-down")  # after a restart, the same person changing their vote
    assert again.stop() == 0

    path = database(tmp_path)
    assert rows(path, "SELECT SUM(value = 1), SUM(value = -1) FROM votes") == [(0, 1)]  # one person, one vote
    [(stored,)] = rows(path, "SELECT user_hash FROM votes")
    secret = path.with_name(path.name + ".key").read_text().strip()  # beside the log, never inside it
    assert secret.encode() not in path.read_bytes()
    # Everything an attacker holding only the file could try as a salt or a key.
    candidates = [str(value).encode() for row in rows(path, "SELECT * FROM meta") for value in row]
    for user_id in range(1, 100_001):
        text = str(user_id).encode()
        guesses = [hashlib.sha256(text).hexdigest()]
        for candidate in candidates:
            guesses.append(hashlib.sha256(candidate + b":" + text).hexdigest())
            guesses.append(hmac.new(candidate, text, hashlib.sha256).hexdigest())
        assert all(guess[:32] != stored for guess in guesses), f"user {user_id} found from the database file alone"
