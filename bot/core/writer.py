"""The question log's one writer: a thread with its own connection, fed by a bounded queue.

Callers never wait: ``put`` only appends to the queue. The thread writes what has queued up in one
transaction, and waits out a locked or unavailable database by retrying with backoff, so a lock or an
outage of any length loses nothing unless the queue fills (then rows are dropped and their number
logged, once per interval). ``close`` writes what is still queued, within a deadline.

Which database it is does not matter here: a ``Sink`` (bot/core/store_sqlite.py, bot/core/store_postgres.py)
holds the connection, the schema and the statements, and says which of its errors are the rows' own.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Protocol

log = logging.getLogger(__name__)

Row = tuple[str, tuple[object, ...]]  # the name of one of the sink's statements, and its parameters

BATCH_ROWS = 500
FIRST_RETRY_S = 0.05
MAX_RETRY_S = 2.0


class Sink(Protocol):
    """One database, as the writer sees it."""

    where: str  # for log lines: the file, or the URL without its password
    # Errors in the rows themselves: retrying cannot help, so such a batch is written row by row without them.
    bad_rows: tuple[type[Exception], ...]
    # The database locked, gone or unreachable: waited out, retrying with backoff.
    failures: tuple[type[Exception], ...]

    def write(self, batch: list[Row]) -> None:
        """Write the rows in one transaction, connecting (and creating the schema) if need be."""

    def failed(self, error: Exception) -> None:
        """After a failure: drop the connection unless it is still good (a lock is waited out on it)."""

    def describe(self, error: Exception) -> str:
        """The error as one line for the log, without a password."""
        ...

    def close(self) -> None: ...


class Writer:
    def __init__(self, sink: Sink, capacity: int, report_every: float) -> None:
        self.sink = sink
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

    def put(self, statement: str, params: tuple[object, ...]) -> bool:
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
            self._rows.append((statement, params))
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
        self.sink.close()

    def _store(self, batch: list[Row]) -> None:
        """Write one batch, retrying while the database is locked or unavailable; give up only at the deadline."""
        delay, failing_since = FIRST_RETRY_S, None
        while True:
            try:
                try:
                    self.sink.write(batch)
                except self.sink.bad_rows as exc:
                    self._write_each(batch, exc)
            except self.sink.failures as exc:
                self.sink.failed(exc)
                now = time.monotonic()
                if failing_since is None:
                    failing_since = now
                    log.warning(
                        "Question log not written yet (%s): %s; retrying", self.sink.where, self.sink.describe(exc)
                    )
                with self._changed:
                    self._report_drops()
                    if self._closing and now >= self._deadline:
                        self._unwritten = len(batch) + len(self._rows)
                        self._rows.clear()
                        log.error(
                            "Question log: %d rows not written at exit (%s): %s",
                            self._unwritten,
                            self.sink.where,
                            self.sink.describe(exc),
                        )
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

    def _write_each(self, batch: list[Row], error: Exception) -> None:
        lost = 0
        for row in batch:
            try:
                self.sink.write([row])
            except self.sink.bad_rows:
                lost += 1
        if lost:
            log.error("Question log: %d rows could not be written (%s)", lost, self.sink.describe(error))

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


def one_line(error: BaseException) -> str:
    """A database error as one log line (libpq's messages run over several)."""
    return " ".join(str(error).split())
