"""The question log in the real process: it reveals nobody on its own."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from pathlib import Path
from typing import Any

from tests.e2e.conftest import BotProcess, update

QUESTIONS = [
    "How much does China spend on basic research?",
    "who wrote the article?",
    "how many people use generative AI in China?",
    "what did Mao Ning say?",
]


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


def ask(bot: BotProcess, chat_id: int, question: str = QUESTIONS[0]) -> dict[str, Any]:
    bot.push(update(question, chat_id=chat_id, user_id=chat_id))
    [reply] = bot.replies_to(chat_id)
    return reply


def vote(bot: BotProcess, reply: dict[str, Any], user_id: int, emoji: str, callback_id: str) -> None:
    data = next(
        b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"] for b in row if b["text"] == emoji
    )
    before = len(bot.server.calls("answerCallbackQuery"))
    bot.server.push_update(
        {
            "callback_query": {
                "id": callback_id,
                "from": {"id": user_id, "is_bot": False, "first_name": "Ada"},
                "chat_instance": "x",
                "data": data,
                "message": {
                    "message_id": 1,
                    "date": 1740000000,
                    "chat": {"id": user_id, "type": "private"},
                    "text": "t",
                },
            }
        }
    )
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
    # Everything an attacker holding only the file could try as a salt or a key.
    candidates = [str(value).encode() for row in rows(path, "SELECT * FROM meta") for value in row]
    for user_id in range(1, 100_001):
        text = str(user_id).encode()
        guesses = [hashlib.sha256(text).hexdigest()]
        for candidate in candidates:
            guesses.append(hashlib.sha256(candidate + b":" + text).hexdigest())
            guesses.append(hmac.new(candidate, text, hashlib.sha256).hexdigest())
        assert all(guess[:32] != stored for guess in guesses), f"user {user_id} found from the database file alone"
