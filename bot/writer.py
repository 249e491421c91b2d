"""The question log's one writer: a thread with its own connection, fed by a bounded queue.

Callers never wait: ``put`` only appends to the queue. The thread writes what has queued up in one
transaction, and waits out a locked or unavailable database by retrying with backoff, so a lock of any
length loses nothing unless the queue fills (then rows are dropped and their number logged, once per
interval). A database file deleted or replaced meanwhile is noticed at each write (before and after it),
and the batch written to a new one. ``close`` writes what is still queued, within a deadline.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from itertools import groupby
from pathlib import Path

log = logging.getLogger(__name__)

Row = tuple[str, tuple[object, ...]]  # SQL and its parameters

BATCH_ROWS = 500
FIRST_RETRY_S = 0.05
MAX_RETRY_S = 2.0
# Errors in the rows themselves: retrying cannot help, so such a batch is written row by row without them.
_BAD_ROWS = (sqlite3.IntegrityError, sqlite3.DataError, sqlite3.ProgrammingError, sqlite3.InterfaceError, ValueError)


class Writer:
    def __init__(
        self,
        path: Path,
        connect: Callable[[Path], sqlite3.Connection],
        schema: str,
        capacity: int,
        report_every: float,
    ) -> None:
        self.path = path
        self._connect = connect  # opens the file, creating it (0600) and its schema if need be
        self._schema = schema
        self._capacity = capacity
        self._report_every = report_every
        self._rows: deque[Row] = deque()
        self._in_hand = 0  # taken from the queue, not yet written or given up
        self._changed = threading.Condition()
        self._closed = threading.Event()  # wakes a writer pausing between retries, to write before the deadline
        self._thread: threading.Thread | None = None
        self._closing = False
        self._deadline = float("inf")  # for writing once closing
        self._unwritten = 0  # given up at the deadline
        self._dropped = 0
        self._dropping_since: float | None = None
        self._db: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None

    def put(self, sql: str, params: tuple[object, ...]) -> bool:
        """Queue one row; False if it was dropped (the queue is full, or the writer closed)."""
        with self._changed:
            if self._closing:
                log.warning("Question log closed; a row came too late to be written")
                return False
            if len(self._rows) >= self._capacity:
                self._dropped += 1
                if self._dropping_since is None:
                    self._dropping_since = time.monotonic()
                return False
            self._rows.append((sql, params))
            if self._thread is None:  # started on the first row: a reader alone needs no thread
                self._thread = threading.Thread(target=self._run, name="question-log-writer", daemon=True)
                self._thread.start()
            self._changed.notify_all()
            return True

    def flush(self, timeout: float) -> bool:
        """Wait until everything queued so far is written (or given up); False if that took too long."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._rows and not self._in_hand, timeout)

    def close(self, timeout: float) -> bool:
        """Write what is queued within ``timeout`` seconds, then stop; True if nothing was left unwritten.
        Safe to call more than once."""
        with self._changed:
            if self._closing:
                return self._all_written()
            self._closing = True
            self._deadline = time.monotonic() + timeout
            waiting = len(self._rows) + self._in_hand
            self._changed.notify_all()
            self._closed.set()
            thread = self._thread
        if waiting:
            log.info("Question log: %d rows still to write before exit", waiting)
        if thread is not None:
            # The last attempt may start just before the deadline and wait out one busy timeout.
            thread.join(timeout + 1.0)
        with self._changed:
            self._report_drops(force=True)
            return self._all_written()

    def _all_written(self) -> bool:
        return not self._rows and not self._in_hand and not self._unwritten

    # --- the writer thread ------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._rows or self._closing, self._until_report())
                self._report_drops()
                if not self._rows:
                    if self._closing:
                        break
                    continue
                batch = [self._rows.popleft() for _ in range(min(BATCH_ROWS, len(self._rows)))]
                self._in_hand = len(batch)
            try:
                self._store(batch)
            except Exception:  # a bug, not an operating condition: say so in full, and keep the writer alive
                log.exception("Question log: %d rows lost to an unexpected error", len(batch))
            with self._changed:
                self._in_hand = 0
                self._changed.notify_all()
        self._disconnect()

    def _store(self, batch: list[Row]) -> None:
        """Write one batch, retrying while the database is locked or unavailable; give up only at the deadline."""
        delay, failing_since = FIRST_RETRY_S, None
        while True:
            try:
                try:
                    self._write(batch)
                except _BAD_ROWS as exc:
                    self._write_each(batch, exc)
            except (sqlite3.Error, OSError) as exc:
                if not _busy(exc):
                    self._disconnect()  # reopened next time: the file may have gone, or be back
                now = time.monotonic()
                if failing_since is None:
                    failing_since = now
                    log.warning("Question log not written yet (%s): %s; retrying", self.path, exc)
                with self._changed:
                    self._report_drops()
                    if self._closing and now >= self._deadline:
                        self._unwritten = len(batch) + len(self._rows)
                        self._rows.clear()
                        log.error("Question log: %d rows not written at exit (%s): %s", self._unwritten, self.path, exc)
                        return
                    pause = min(delay, max(0.0, self._deadline - now))
                # Woken early only by close, once: new rows arriving do not cut the backoff short.
                if self._closed.wait(pause):
                    self._closed.clear()
                delay = min(delay * 2, MAX_RETRY_S)
                continue
            if failing_since is not None:
                log.info("Question log written again after %.1f s", time.monotonic() - failing_since)
            return

    def _write(self, batch: list[Row]) -> None:
        self._moved()
        db = self._connection()
        try:
            self._insert(db, batch)
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                log.warning("Question log %s had lost its tables; created them again", self.path)
                db.executescript(self._schema)
            elif not self._moved():  # SQLite refuses to write to a file deleted under it ("readonly database")
                raise
            self._insert(self._connection(), batch)
            return
        if self._moved():  # deleted just as it was written: the rows went to a file nobody can open
            self._insert(self._connection(), batch)

    def _moved(self) -> bool:
        """Whether the file was deleted or replaced since it was opened; if so, the next write goes to a new one."""
        if self._db is None or self._identity == _identity(self.path):
            return False
        log.warning("Question log %s was deleted or replaced; writing to a new one", self.path)
        self._disconnect()
        return True

    def _write_each(self, batch: list[Row], error: Exception) -> None:
        lost = 0
        for row in batch:
            try:
                self._insert(self._connection(), [row])
            except _BAD_ROWS:
                lost += 1
        if lost:
            log.error("Question log: %d rows could not be written (%s)", lost, error)

    @staticmethod
    def _insert(db: sqlite3.Connection, batch: list[Row]) -> None:
        with db:  # one transaction; executemany for each run of rows with the same statement
            for sql, rows in groupby(batch, key=lambda row: row[0]):
                db.executemany(sql, [params for _, params in rows])

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = self._connect(self.path)
            self._identity = _identity(self.path)
        return self._db

    def _disconnect(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db, self._identity = None, None

    # --- dropped rows, reported once per interval ------------------------------------------

    def _until_report(self) -> float | None:
        if self._dropping_since is None:
            return None
        return max(0.0, self._dropping_since + self._report_every - time.monotonic())

    def _report_drops(self, force: bool = False) -> None:
        """Called with the condition held."""
        if self._dropping_since is None:
            return
        elapsed = time.monotonic() - self._dropping_since
        if force or elapsed >= self._report_every:
            log.error(
                "Question log queue full (%d rows): %d rows dropped in the last %.0f s",
                self._capacity,
                self._dropped,
                elapsed,
            )
            self._dropped, self._dropping_since = 0, None


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
