"""What readers ask, in SQLite: questions, matches and votes, with no names and no raw user ids.

Writes go through one background writer (bot/writer.py) and never make a reply wait: a locked,
deleted or failing database is waited out, recreated or logged, while the bot carries on. Readers
are told apart only by a keyed hash whose key is not in the database.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.writer import Writer

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS questions (
    id TEXT PRIMARY KEY,
    asked_at TEXT NOT NULL,
    chat_type TEXT NOT NULL,
    question TEXT NOT NULL,
    entry_id TEXT,
    score REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_entry ON questions (entry_id);
CREATE TABLE IF NOT EXISTS votes (
    question_id TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    user_hash TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value IN (-1, 1)),
    voted_at TEXT NOT NULL,
    PRIMARY KEY (question_id, user_hash)
);
"""
# Long enough to wait out a brief lock, short enough that nobody notices.
_BUSY_TIMEOUT_S = 0.5
# The writer retries on its own, with backoff: each attempt need not wait long.
_WRITE_BUSY_TIMEOUT_S = 0.25
# How long a report waits for the rows still queued, so that it counts the question just asked.
_READ_AFTER_WRITES_S = 2.0
QUEUE_ROWS = 10_000
DROPS_REPORTED_EVERY_S = 60.0
_QUESTION_CHARS = 1000


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


def new_question_id() -> str:
    """A short random id: it rides in callback data (64 bytes at most) with the entry id."""
    return secrets.token_urlsafe(6)


class Store:
    def __init__(
        self,
        path: Path | str,
        key: bytes | None = None,
        queue_rows: int = QUEUE_ROWS,
        report_every: float = DROPS_REPORTED_EVERY_S,
    ) -> None:
        """``key`` keys the readers' hashes (bot.keys.derive(secret, "readers")); without one, a key for
        this run only: votes are then counted afresh after a restart."""
        self.path = Path(path)
        self._key = key or secrets.token_bytes(32)
        self._writer = Writer(
            self.path,
            functools.partial(_open, timeout=_WRITE_BUSY_TIMEOUT_S),
            _SCHEMA,
            capacity=queue_rows,
            report_every=report_every,
        )
        # Without a usable database the bot still answers; the writer keeps trying.
        try:
            with closing(_open(self.path, _BUSY_TIMEOUT_S)) as db:
                _forget_salt(db, self.path)
        except (OSError, sqlite3.Error) as exc:
            log.error("Question log unavailable (%s): %s", self.path, exc)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = _open(self.path, _BUSY_TIMEOUT_S)
        try:
            with db:
                yield db
        finally:
            db.close()

    def user_hash(self, user_id: int) -> str:
        """A keyed hash: votes are counted once per person, and the database alone cannot tell who voted
        (a salt kept in the same file would let anyone try every user id)."""
        return hmac.new(self._key, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]

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
            "INSERT OR REPLACE INTO questions VALUES (?, ?, ?, ?, ?, ?)",
            (question_id, _now(), chat_type, _storable(question[:_QUESTION_CHARS]), entry_id, score),
        )

    def vote(self, question_id: str, entry_id: str, user_id: int, value: int) -> bool:
        """One vote per person per answer; voting again replaces the earlier vote. Queued, as questions are."""
        return self._writer.put(
            "INSERT INTO votes VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (question_id, user_hash) DO UPDATE SET value = excluded.value, voted_at = excluded.voted_at",
            (question_id, entry_id, self.user_hash(user_id), value, _now()),
        )

    def flush(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for what is queued to be written; False if some is still waiting."""
        return self._writer.flush(timeout)

    def close(self, timeout: float) -> bool:
        """At exit: write what is queued within ``timeout`` seconds. Safe to call twice."""
        return self._writer.close(timeout)

    def stats(self, top: int = 10) -> Stats:
        self._writer.flush(_READ_AFTER_WRITES_S)
        with self._connect() as db:
            questions, answered = db.execute("SELECT COUNT(*), COUNT(entry_id) FROM questions").fetchone()
            top_entries = db.execute(
                "SELECT entry_id, COUNT(*) AS n FROM questions WHERE entry_id IS NOT NULL "
                "GROUP BY entry_id ORDER BY n DESC, entry_id LIMIT ?",
                (top,),
            ).fetchall()
            unanswered = db.execute(
                "SELECT lower(trim(question)) AS q, COUNT(*) AS n FROM questions WHERE entry_id IS NULL "
                "AND q != '' GROUP BY q ORDER BY n DESC, q LIMIT ?",
                (top,),
            ).fetchall()
            votes = db.execute(
                "SELECT entry_id, SUM(value = 1), SUM(value = -1) FROM votes GROUP BY entry_id ORDER BY entry_id"
            ).fetchall()
            disliked = db.execute(
                "SELECT lower(trim(q.question)) AS text, v.entry_id, COUNT(*) AS n FROM votes v "
                "JOIN questions q ON q.id = v.question_id WHERE v.value = -1 "
                "GROUP BY text, v.entry_id ORDER BY n DESC, text LIMIT ?",
                (top,),
            ).fetchall()
        return Stats(questions, answered, top_entries, unanswered, votes, disliked)


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
    """Text SQLite can store: lone surrogates (valid in JSON, not in UTF-8) would fail the whole batch."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _open(path: Path, timeout: float) -> sqlite3.Connection:
    """A connection to the log, created (0600, with its schema) if it is missing: also after it was deleted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _create_private(path)
    db = sqlite3.connect(path, timeout=timeout)
    try:
        db.executescript(_SCHEMA)
    except sqlite3.Error:
        db.close()
        raise
    return db


def _forget_salt(db: sqlite3.Connection, path: Path) -> None:
    """Databases from before the keyed hash kept their salt beside the hashes, which let anyone with the
    file try every user id. Old votes keep their hashes, still counted; the salt is overwritten."""
    if db.execute("SELECT 1 FROM meta WHERE key = 'salt'").fetchone() is None:
        return  # only a read at each start
    db.execute("PRAGMA secure_delete = ON")
    with db:
        db.execute("DELETE FROM meta WHERE key = 'salt'")
    log.info("Question log %s: the salt of the old reader hashes removed (old votes still count)", path)


def _create_private(path: Path) -> None:
    """Create the log readable by its owner only (0600): it holds what readers asked, word for word.
    SQLite gives its journal files the database file's mode. An existing file is left as it is."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
