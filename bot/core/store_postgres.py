"""The question log in PostgreSQL (``DATABASE_URL``), through psycopg 3: what several replicas share.

Only the background writer (bot/core/writer.py) writes, on its own connection, so no reply waits for the
database; reports open a short-lived connection of their own. The schema is created at start, and again
by whichever connection finds it missing; replicas starting together take turns (an advisory lock), as
concurrent ``CREATE TABLE IF NOT EXISTS`` can otherwise fail. A vote is keyed on (question, reader's
keyed hash), so a person voting through two replicas is counted once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from itertools import groupby
from typing import Any

import psycopg
from psycopg import errors

from bot.core.redact import redact_url, url_secrets
from bot.core.writer import Row, one_line

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
# Any constant of our own: it names the lock under which the schema is created.
_SCHEMA_LOCK = 0x41525449434C45
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS questions (
    id TEXT PRIMARY KEY,
    asked_at TIMESTAMPTZ NOT NULL,
    chat_type TEXT NOT NULL,
    question TEXT NOT NULL,
    entry_id TEXT,
    score DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_entry ON questions (entry_id);
CREATE TABLE IF NOT EXISTS votes (
    question_id TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    user_hash TEXT NOT NULL,
    value SMALLINT NOT NULL CHECK (value IN (-1, 1)),
    voted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (question_id, user_hash)
);
"""
STATEMENTS = {
    # A question delivered twice (the same id, whichever replica got it) is logged once.
    "question": "INSERT INTO questions VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
    # One vote per person per answer, across replicas; voting again replaces the earlier vote.
    "vote": "INSERT INTO votes VALUES (%s, %s, %s, %s, %s) "
    "ON CONFLICT (question_id, user_hash) DO UPDATE SET value = excluded.value, voted_at = excluded.voted_at",
    # A vote taken back.
    "unvote": "DELETE FROM votes WHERE question_id = %s AND user_hash = %s",
}
# libpq's minimum is 2 s. The writer retries on its own; a report waits a little longer.
_WRITE_CONNECT_S = 2
_READ_CONNECT_S = 5
# As SQLite's busy timeout: a lock is waited out by retrying, not by one long wait.
_LOCK_TIMEOUT = "250ms"
_STATEMENT_TIMEOUT = "2s"
_READ_STATEMENT_TIMEOUT = "10s"


class PostgresLog:
    placeholder: str = "%s"
    # Rows PostgreSQL refuses (a text with NUL, a vote that is not ±1): retrying cannot help.
    bad_rows: tuple[type[Exception], ...] = (psycopg.DataError, psycopg.IntegrityError, ValueError)
    failures: tuple[type[Exception], ...] = (psycopg.Error, OSError)
    errors: tuple[type[Exception], ...] = failures

    def __init__(self, url: str) -> None:
        self._url = url
        self.where = redact_url(url)
        self._secrets = url_secrets(url)
        self._db: psycopg.Connection[Any] | None = None  # the writer thread's

    def prepare(self) -> None:
        """At start: reachable, with its schema."""
        _open(self._url, _READ_CONNECT_S, _STATEMENT_TIMEOUT, self.where).close()

    def read(self, queries: Sequence[tuple[str, tuple[Any, ...]]]) -> list[list[tuple[Any, ...]]]:
        with _open(self._url, _READ_CONNECT_S, _READ_STATEMENT_TIMEOUT, self.where) as db, db.transaction():
            return [db.execute(sql, params).fetchall() for sql, params in queries]

    # --- the writer's side (bot/core/writer.py), on its thread ---------------------------------

    def write(self, batch: list[Row]) -> None:
        db = self._connection()
        try:
            _insert(db, batch)
        except errors.UndefinedTable:
            log.warning("Question log %s had lost its tables; created them again", self.where)
            _create_schema(db, self.where)
            _insert(db, batch)

    def failed(self, error: Exception) -> None:
        """A lock waited out keeps the connection; anything else (the server gone, restarted) drops it."""
        if self._db is not None and (
            self._db.broken or not isinstance(error, errors.LockNotAvailable | errors.QueryCanceled)
        ):
            self.close()

    def describe(self, error: Exception) -> str:
        """The server's primary message only: its DETAIL would quote the failing row (a reader's question)
        and its LINE the statement. libpq's own messages run over several lines, and some quote the URL."""
        diagnostic = getattr(error, "diag", None)
        primary = diagnostic.message_primary if diagnostic is not None else None
        text = " ".join(primary.split()) if primary else one_line(error)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _connection(self) -> psycopg.Connection[Any]:
        if self._db is None or self._db.closed:
            self._db = _open(self._url, _WRITE_CONNECT_S, _STATEMENT_TIMEOUT, self.where)
        return self._db


def _insert(db: psycopg.Connection[Any], batch: list[Row]) -> None:
    with db.transaction(), db.cursor() as cursor:  # one transaction; executemany for each run of one statement
        for name, rows in groupby(batch, key=lambda row: row[0]):
            cursor.executemany(STATEMENTS[name], [params for _, params in rows])


def _open(url: str, connect_timeout: int, statement_timeout: str, where: str) -> psycopg.Connection[Any]:
    db = psycopg.connect(url, autocommit=True, connect_timeout=connect_timeout, application_name="article-bot")
    try:
        db.execute(f"SET lock_timeout = '{_LOCK_TIMEOUT}'")
        db.execute(f"SET statement_timeout = '{statement_timeout}'")
        _create_schema(db, where)
    except BaseException:
        db.close()
        raise
    return db


def _create_schema(db: psycopg.Connection[Any], where: str) -> None:
    """Create what is missing, and record the schema's version so that a later one can be migrated to.
    Once it is all there, only a read: no DDL (which waits for locks on the tables) at every connection."""
    row = db.execute(
        "SELECT to_regclass('meta') IS NOT NULL AND to_regclass('questions') IS NOT NULL "
        "AND to_regclass('votes') IS NOT NULL"
    ).fetchone()
    if not (row and row[0]):
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            db.execute(_SCHEMA)
            db.execute(
                "INSERT INTO meta VALUES ('schema_version', %s) ON CONFLICT (key) DO NOTHING", (str(SCHEMA_VERSION),)
            )
    version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if version is not None and version[0].isdigit() and int(version[0]) > SCHEMA_VERSION:
        log.warning(
            "Question log %s has schema version %s, newer than this bot's (%d): written by a newer release",
            where,
            version[0],
            SCHEMA_VERSION,
        )
