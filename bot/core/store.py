"""What readers ask: questions, matches and votes, with no names and no raw user ids.

One interface, two databases: a local SQLite file (bot/core/store_sqlite.py) by default, PostgreSQL
(bot/core/store_postgres.py) with ``DATABASE_URL``, which replicas share. Writes go through one background
writer (bot/core/writer.py) and never make a reply wait: a locked, deleted, unreachable or failing database
is waited out, recreated or logged, while the bot carries on. Readers are told apart only by a keyed
hash whose key is not in the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bot.core.store_sqlite import SQLiteLog
from bot.core.writer import Sink, Writer

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

# How long a report waits for the rows still queued, so that it counts the question just asked.
_READ_AFTER_WRITES_S = 2.0
QUEUE_ROWS = 10_000
DROPS_REPORTED_EVERY_S = 60.0
_QUESTION_CHARS = 1000


class Backend(Sink, Protocol):
    """A database the log can live in: the writer's sink, plus what starting and reporting need."""

    placeholder: str  # how its queries mark a parameter
    errors: tuple[type[Exception], ...]  # what reading it may raise when it is unavailable

    def prepare(self) -> None:
        """At start: reach it, create its schema, tidy what an older release left."""

    def read(self, queries: Sequence[tuple[str, tuple[Any, ...]]]) -> list[list[tuple[Any, ...]]]:
        """Run the queries in one connection and return each one's rows."""
        ...


class StoreError(Exception):
    """The log cannot be read; the message is one line, without a password."""


@dataclass(frozen=True)
class Stats:
    questions: int
    answered: int
    top_entries: list[tuple[str, int]]
    unanswered: list[tuple[str, int]]
    votes: list[tuple[str, int, int]]  # entry id, 👍, 👎
    disliked: list[tuple[str, str, int]] = field(default_factory=list)  # question, entry id, 👎

    @property
    def answered_share(self) -> float:
        return self.answered / self.questions if self.questions else 0.0


class Store:
    def __init__(
        self,
        location: Path | str | Backend,
        key: bytes | None = None,
        queue_rows: int = QUEUE_ROWS,
        report_every: float = DROPS_REPORTED_EVERY_S,
        prepare: bool = True,
    ) -> None:
        """``location``: a SQLite file, or a backend (see ``open_store``). ``key`` keys the readers' hashes
        (bot.keys.derive(secret, "readers")); without one, a key for this run only: votes are then counted
        afresh after a restart. ``prepare``: reach the database and create its schema now (a report
        leaves that to its first read, which says what is wrong)."""
        self.backend: Backend = SQLiteLog(Path(location)) if isinstance(location, Path | str) else location
        self.path = self.backend.path if isinstance(self.backend, SQLiteLog) else None
        self.where = self.backend.where
        self._key = key or secrets.token_bytes(32)
        self._writer = Writer(self.backend, capacity=queue_rows, report_every=report_every)
        if prepare:
            # Without a usable database the bot still answers; the writer keeps trying.
            try:
                self.backend.prepare()
            except self.backend.errors as exc:
                log.error(
                    "Question log unavailable (%s): %s; questions are queued (at most %d) and written when it is back",
                    self.where,
                    self.backend.describe(exc),
                    queue_rows,
                )

    def user_hash(self, user_id: int) -> str:
        """A keyed hash: votes are counted once per person, and the database alone cannot tell who voted
        (a salt kept in the same file would let anyone try every user id)."""
        return hmac.new(self._key, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]

    def question_id(self, delivery: str) -> str:
        """The id of the question one update asks (``delivery`` names the update): the same however often and
        to whichever replica Telegram delivers it, so it is logged once. Short: it rides in callback data
        (64 bytes at most) with the entry id. Keyed, so the log alone cannot be matched against chats."""
        digest = hmac.new(self._key, b"question:" + delivery.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:6]).decode()

    def log_question(
        self,
        question_id: str,
        chat_type: str,
        question: str,
        entry_id: str | None,
        score: float,
    ) -> bool:
        """Queued, never waited for; who asked is not kept. False if the queue was full and the row dropped."""
        return self._writer.put(
            "question",
            (question_id, _now(), chat_type, _storable(question[:_QUESTION_CHARS]), entry_id, score),
        )

    def vote(self, question_id: str, entry_id: str, user_id: int, value: int) -> bool:
        """One vote per person per answer; voting again replaces the earlier vote. Queued, as questions are."""
        return self._writer.put("vote", (question_id, entry_id, self.user_hash(user_id), value, _now()))

    def unvote(self, question_id: str, user_id: int) -> bool:
        """The person took their vote on this answer back. Queued, as votes are."""
        return self._writer.put("unvote", (question_id, self.user_hash(user_id)))

    def flush(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for what is queued to be written; False if some is still waiting."""
        return self._writer.flush(timeout)

    def close(self, timeout: float) -> bool:
        """At exit: write what is queued within ``timeout`` seconds. Safe to call twice."""
        return self._writer.close(timeout)

    def stats(self, top: int = 10) -> Stats:
        """Raises StoreError if the log cannot be read."""
        self._writer.flush(_READ_AFTER_WRITES_S)
        queries = [(sql.replace("?", self.backend.placeholder), params) for sql, params in _report_queries(top)]
        try:
            totals, top_entries, unanswered, votes, disliked = self.backend.read(queries)
        except self.backend.errors as exc:
            raise StoreError(f"{self.where}: {self.backend.describe(exc)}") from exc
        [(questions, answered)] = totals
        return Stats(questions, answered, top_entries, unanswered, votes, disliked)


def open_store(settings: Settings, key: bytes | None = None, prepare: bool = True) -> Store:
    """PostgreSQL if ``DATABASE_URL`` is set, else the SQLite file ``ARTICLE_BOT_DB``."""
    if settings.database_url:
        from bot.core.store_postgres import PostgresLog  # psycopg is imported only when it is used

        return Store(PostgresLog(settings.database_url), key=key, prepare=prepare)
    return Store(settings.db_path, key=key, prepare=prepare)


def _report_queries(top: int) -> list[tuple[str, tuple[Any, ...]]]:
    """The report, in SQL both databases read alike (``?`` stands for the backend's placeholder)."""
    unanswered_text = "lower(trim(question))"
    return [
        ("SELECT COUNT(*), COUNT(entry_id) FROM questions", ()),
        (
            "SELECT entry_id, COUNT(*) AS n FROM questions WHERE entry_id IS NOT NULL "
            "GROUP BY entry_id ORDER BY n DESC, entry_id LIMIT ?",
            (top,),
        ),
        (
            f"SELECT {unanswered_text} AS q, COUNT(*) AS n FROM questions "
            f"WHERE entry_id IS NULL AND {unanswered_text} <> '' GROUP BY {unanswered_text} ORDER BY n DESC, q LIMIT ?",
            (top,),
        ),
        (
            "SELECT entry_id, COUNT(CASE WHEN value = 1 THEN 1 END), COUNT(CASE WHEN value = -1 THEN 1 END) "
            "FROM votes GROUP BY entry_id ORDER BY entry_id",
            (),
        ),
        (
            "SELECT lower(trim(q.question)) AS text, v.entry_id, COUNT(*) AS n FROM votes v "
            "JOIN questions q ON q.id = v.question_id WHERE v.value = -1 "
            "GROUP BY lower(trim(q.question)), v.entry_id ORDER BY n DESC, text LIMIT ?",
            (top,),
        ),
    ]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def format_stats(stats: Stats) -> str:
    """Plain text for the terminal and for /stats."""
    lines = [
        f"Questions asked: {stats.questions}",
        f"Answered: {stats.answered} ({stats.answered_share:.0%})",
        "",
        "Top entries:",
        *(f"  {count:>5}  {entry}" for entry, count in stats.top_entries),
        "",
        "Most frequent unanswered questions (the content editor's to-do list):",
        *(f"  {count:>5}  {question}" for question, count in stats.unanswered),
        "",
        "Votes per entry (👍 / 👎):",
        *(f"  {entry}: {up} / {down}" for entry, up, down in stats.votes),
        "",
        "Answers voted 👎 (a phrasing for the right entry, or a question for unanswered.yaml):",
        *(f"  {count:>5}  {question} → {entry}" for question, entry, count in stats.disliked),
    ]
    return "\n".join(lines)


def _storable(text: str) -> str:
    """Text both databases can store: lone surrogates (valid in JSON, not in UTF-8) and NUL characters
    (valid in Telegram's JSON and in SQLite, not in PostgreSQL) would cost the row; each becomes U+FFFD."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")
