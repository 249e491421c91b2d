"""The question log: a background writer that never blocks its caller, waits out locks, recreates a deleted file,
flushes at exit, counts what it must drop, and keys readers' hashes with a key kept outside the file."""

from __future__ import annotations

import hashlib
import hmac
import logging
import sqlite3
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.keys import derive
from bot.store import Store

KEY = derive(b"a-secret-kept-outside-the-log", "readers")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "questions.sqlite3"


@pytest.fixture
def store(path: Path) -> Iterator[Store]:
    opened = Store(path, key=KEY)
    yield opened
    opened.close(timeout=5)


@contextmanager
def locked(path: Path) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN EXCLUSIVE")
    try:
        yield db
    finally:
        db.execute("ROLLBACK")
        db.close()


def count(path: Path, table: str = "questions") -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def lines(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


def ask(store: Store, i: int, question: str = "who wrote it?") -> bool:
    return store.log_question(f"q{i}", "private", question, "author", 0.9)


def test_writes_return_at_once_while_locked_and_land_once_the_lock_goes(store: Store, path: Path) -> None:
    with locked(path):
        started = time.monotonic()
        assert all(ask(store, i) for i in range(200))
        assert all(store.vote(f"q{i}", "author", user_id=i, value=1) for i in range(200))
        # The old store waited up to half a second per row for the lock; this one only queues.
        assert time.monotonic() - started < 1.0
        assert not store.flush(timeout=0.3)  # still waiting on the lock, and nothing lost
    assert store.flush(timeout=10)
    assert count(path) == 200 and count(path, "votes") == 200
    assert store.stats().votes == [("author", 200, 0)]


def test_a_full_queue_drops_rows_and_says_how_many_once(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = Store(path, key=KEY, queue_rows=2)
    with locked(path):
        queued = [ask(store, i) for i in range(10)]
    assert store.close(timeout=10)
    dropped = queued.count(False)
    assert dropped >= 5  # at most one batch in hand and two queued while the lock was held
    [report] = lines(caplog, "dropped")
    assert f"{dropped} rows dropped" in report
    assert count(path) == 10 - dropped


def test_close_writes_what_is_queued_and_can_be_called_twice(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = Store(path, key=KEY)
    with locked(path):
        for i in range(3):
            ask(store, i)
    assert store.close(timeout=5)
    assert store.close(timeout=5)
    assert count(path) == 3
    assert not ask(store, 99)  # too late: refused, and said so
    assert lines(caplog, "too late")


def test_close_gives_up_at_its_deadline_with_one_line(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = Store(path, key=KEY)
    with locked(path):
        for i in range(3):
            ask(store, i)
        assert not store.close(timeout=0.5)
        [given_up] = lines(caplog, "not written at exit")
        assert given_up.startswith("Question log: 3 rows not written at exit")
    assert count(path) == 0


def test_a_deleted_file_is_recreated_private_with_its_schema(
    store: Store, path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ask(store, 1)
    assert store.flush(timeout=5)
    path.unlink()
    for i in range(2, 5):
        ask(store, i)
        assert store.flush(timeout=5)
    assert count(path) == 3
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(lines(caplog, "deleted or replaced")) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_lost_tables_are_created_again(store: Store, path: Path, caplog: pytest.LogCaptureFixture) -> None:
    ask(store, 1)
    assert store.flush(timeout=5)
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE questions")
    for i in range(2, 5):
        ask(store, i)
    assert store.flush(timeout=5)
    assert count(path) == 3
    assert len(lines(caplog, "lost its tables")) == 1
    assert not lines(caplog, "no such table")


def test_a_bad_row_costs_only_itself(store: Store, path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with locked(path):  # all in one batch
        ask(store, 1)
        store.vote("q1", "author", user_id=1, value=5)  # not a vote: the table refuses it
        ask(store, 2, "lone \ud800 surrogate")  # valid in Telegram's JSON, not in UTF-8
    assert store.flush(timeout=10)
    assert count(path) == 2 and count(path, "votes") == 0
    [error] = lines(caplog, "could not be written")
    assert error.startswith("Question log: 1 rows")


def test_an_unusable_path_costs_one_line_and_no_exception(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = Store(tmp_path, key=KEY)  # a directory
    assert len(lines(caplog, "Question log unavailable")) == 1
    assert ask(store, 1)  # queued; the writer keeps trying
    assert not store.close(timeout=0.2)
    assert len(lines(caplog, "not written yet")) == 1


# --- who voted ------------------------------------------------------------------------


def reveals(path: Path, ids: range) -> set[int]:
    """Every user id among ``ids`` whose hash can be found from the database file alone: every value in
    ``meta`` tried as a salt (as the old store used it) and as an HMAC key, and no salt at all."""
    with sqlite3.connect(path) as db:
        hashes = {h for (h,) in db.execute("SELECT user_hash FROM votes")}
        candidates = [str(v).encode() for row in db.execute("SELECT * FROM meta") for v in row]
    found = set()
    for user_id in ids:
        text = str(user_id).encode()
        guesses = {hashlib.sha256(text).hexdigest()[:32]}
        for candidate in candidates:
            guesses.add(hashlib.sha256(candidate + b":" + text).hexdigest()[:32])
            guesses.add(hmac.new(candidate, text, hashlib.sha256).hexdigest()[:32])
        if guesses & hashes:
            found.add(user_id)
    return found


def old_database(path: Path, voters: list[int]) -> None:
    """A question log as the store before the keyed hash wrote it: the salt in meta, beside the hashes."""
    salt = "0123456789abcdef0123456789abcdef"
    Store(path).close(timeout=1)  # the schema
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO meta VALUES ('salt', ?)", (salt,))
        for user_id in voters:
            user_hash = hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()[:32]
            db.execute("INSERT INTO votes VALUES ('q1', 'author', ?, 1, '2025-01-01T00:00:00+00:00')", (user_hash,))


def test_the_database_alone_does_not_reveal_who_voted(store: Store, path: Path, tmp_path: Path) -> None:
    voters = [7, 4242, 99_999]
    for user_id in voters:
        store.vote("q1", "author", user_id=user_id, value=1)
    assert store.flush(timeout=5)
    assert reveals(path, range(1, 100_001)) == set()
    # The same search against the old scheme's file finds every one of them.
    old = tmp_path / "old.sqlite3"
    old_database(old, voters)
    assert reveals(old, range(1, 100_001)) == set(voters)


def test_an_old_database_keeps_its_votes_and_loses_its_salt(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    old_database(old, [7, 8])
    store = Store(old, key=KEY)
    store.vote("q1", "author", user_id=9, value=-1)  # a new vote, with the keyed hash
    assert store.stats().votes == [("author", 2, 1)]  # the old ones still count
    store.close(timeout=5)
    assert reveals(old, range(1, 1001)) == set()  # nothing left in the file to try


def test_hashes_are_stable_for_one_key_and_differ_between_keys(path: Path) -> None:
    first, again, other = Store(path, key=KEY), Store(path, key=KEY), Store(path, key=derive(b"x" * 32, "readers"))
    assert first.user_hash(1) == again.user_hash(1) != first.user_hash(2)
    assert other.user_hash(1) != first.user_hash(1)
    assert len(first.user_hash(1)) == 32
