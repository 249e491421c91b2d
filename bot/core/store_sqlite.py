"""The question log in a local SQLite file (the default: no ``DATABASE_URL``).

The file is created readable by its owner only, with its schema, whenever it is missing: also after it
was deleted while the bot runs. It is kept in write-ahead-log mode, written through one long-lived
connection on the writer's thread. A lock held by another process is waited out by the writer, on the
same connection.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Sequence
from contextlib import closing, suppress
from itertools import groupby
from pathlib import Path
from typing import Any

from bot.core.writer import Row, one_line

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1  # the schema below; a log without a version (from before it was kept) is version 1
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
STATEMENTS = {
    # A question delivered twice (the same id) is logged once.
    "question": "INSERT INTO questions VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    # One vote per person per answer; voting again replaces the earlier vote.
    "vote": "INSERT INTO votes VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (question_id, user_hash) DO UPDATE SET value = excluded.value, voted_at = excluded.voted_at",
    # A vote taken back.
    "unvote": "DELETE FROM votes WHERE question_id = ? AND user_hash = ?",
}
# Long enough to wait out a brief lock, short enough that nobody notices.
_BUSY_TIMEOUT_S = 0.5
# The writer retries on its own, with backoff: each attempt need not wait long.
_WRITE_BUSY_TIMEOUT_S = 0.25


class SQLiteLog:
    placeholder: str = "?"
    bad_rows: tuple[type[Exception], ...] = (
        sqlite3.IntegrityError,
        sqlite3.DataError,
        sqlite3.ProgrammingError,
        sqlite3.InterfaceError,
        ValueError,
    )
    failures: tuple[type[Exception], ...] = (sqlite3.Error, OSError)
    errors: tuple[type[Exception], ...] = failures

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
        self._db: sqlite3.Connection | None = None  # the writer thread's
        self._identity: tuple[int, int] | None = None

    def prepare(self) -> None:
        """At start: the file and its schema, and no salt left from the old reader hashes."""
        with closing(_open(self.path, _BUSY_TIMEOUT_S)) as db:
            _check_version(db, self.path)
            _forget_salt(db, self.path)

    def read(self, queries: Sequence[tuple[str, tuple[Any, ...]]]) -> list[list[tuple[Any, ...]]]:
        with closing(_open(self.path, _BUSY_TIMEOUT_S)) as db, db:
            return [db.execute(sql, params).fetchall() for sql, params in queries]

    # --- the writer's side (bot/core/writer.py), on its thread ---------------------------------

    def write(self, batch: list[Row]) -> None:
        """A file deleted or replaced meanwhile is noticed before and after the write, and the batch written to
        a new one; lost tables are created again."""
        self._moved()
        db = self._connection()
        try:
            _insert(db, batch)
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                log.warning("Question log %s had lost its tables; created them again", self.path)
                db.executescript(_SCHEMA)
            elif not self._moved():  # SQLite refuses to write to a file deleted under it ("readonly database")
                raise
            _insert(self._connection(), batch)
            return
        if self._moved():  # deleted just as it was written: the rows went to a file nobody can open
            _insert(self._connection(), batch)

    def failed(self, error: Exception) -> None:
        if not _busy(error):
            self.close()  # reopened next time: the file may have gone, or be back

    def describe(self, error: Exception) -> str:
        return one_line(error)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db, self._identity = None, None

    def _moved(self) -> bool:
        """Whether the file was deleted or replaced since it was opened; if so, the next write goes to a new one."""
        if self._db is None or self._identity == _identity(self.path):
            return False
        log.warning("Question log %s was deleted or replaced; writing to a new one", self.path)
        self.close()
        return True

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = _open(self.path, _WRITE_BUSY_TIMEOUT_S)
            self._identity = _identity(self.path)
        return self._db


def _insert(db: sqlite3.Connection, batch: list[Row]) -> None:
    with db:  # one transaction; executemany for each run of rows with the same statement
        for name, rows in groupby(batch, key=lambda row: row[0]):
            db.executemany(STATEMENTS[name], [params for _, params in rows])


def _open(path: Path, timeout: float) -> sqlite3.Connection:
    """A connection to the log, created (0600, with its schema) if it is missing: also after it was deleted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _create_private(path)
    db = sqlite3.connect(path, timeout=timeout)
    try:
        # Write-ahead logging, synced at checkpoints: a write appends to the -wal file instead of
        # rewriting a rollback journal and syncing twice (0.04 ms a write on the writer's connection,
        # not ~19 ms), and readers (stats) do not block it. A crash may lose the last writes; the
        # file stays sound.
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.executescript(_SCHEMA)
    except sqlite3.Error:
        db.close()
        raise
    return db


def _check_version(db: sqlite3.Connection, path: Path) -> None:
    """Record the schema's version, so that a later one can be migrated to; read only, once it is there."""
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        with db:
            db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    elif str(row[0]).isdigit() and int(row[0]) > SCHEMA_VERSION:
        log.warning(
            "Question log %s has schema version %s, newer than this bot's (%d): written by a newer release",
            path,
            row[0],
            SCHEMA_VERSION,
        )


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


def _busy(error: Exception) -> bool:
    """Locked by another connection: the connection itself is fine and is kept."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino
