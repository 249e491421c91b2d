"""The question log: a background writer that never blocks its caller, waits out locks, recreates a deleted file
or lost tables, flushes at exit, counts what it must drop, and keys readers' hashes with a key kept outside the
database. The same tests run against both backends: a SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from bot.core.keys import derive
from bot.core.store import Store
from bot.core.store_postgres import PostgresLog
from tests.postgres import PASSWORD, PostgresServer, free_port

KEY = derive(b"a-secret-kept-outside-the-log", "readers")


class SQLiteTarget:
    """A SQLite file, and what a test does to it from outside the bot."""

    name = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path

    def store(self, **options: Any) -> Store:
        return Store(self.path, **{"key": KEY, **options})

    def unusable(self) -> Store:
        return Store(self.path.parent, key=KEY)  # a directory

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Another process writing a long transaction."""
        db = sqlite3.connect(self.path, isolation_level=None)
        db.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            db.execute("ROLLBACK")
            db.close()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.path) as db:
            return db.execute(sql).fetchall()

    def execute(self, sql: str) -> None:
        with sqlite3.connect(self.path) as db:
            db.execute(sql)


class PostgresTarget:
    """A database on the test run's PostgreSQL server, emptied for each test."""

    name = "postgresql"

    def __init__(self, url: str, server: PostgresServer) -> None:
        self.url = url
        self.server = server
        self.database = url.rsplit("/", 1)[1]
        self.execute("DROP TABLE IF EXISTS meta, questions, votes")

    def store(self, **options: Any) -> Store:
        return Store(PostgresLog(self.url), **{"key": KEY, **options})

    def unusable(self) -> Store:
        return Store(PostgresLog(self.server.url("questions", port=free_port())), key=KEY)  # nothing listens there

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Another client holding both tables in a long transaction (a migration, a dump with locks)."""
        with self.server.admin(self.database) as db:
            db.execute("BEGIN")
            db.execute("LOCK TABLE questions, votes IN ACCESS EXCLUSIVE MODE")
            try:
                yield
            finally:
                db.execute("ROLLBACK")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with self.server.admin(self.database) as db:
            return db.execute(sql).fetchall()

    def execute(self, sql: str) -> None:
        with self.server.admin(self.database) as db:
            db.execute(sql)


Target = SQLiteTarget | PostgresTarget


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    if request.param == "sqlite":
        return SQLiteTarget(tmp_path / "questions.sqlite3")
    return PostgresTarget(request.getfixturevalue("postgres_url"), request.getfixturevalue("postgres_server"))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """For what only a file has: its mode, its deletion, an old release's salt."""
    return tmp_path / "questions.sqlite3"


@pytest.fixture
def store(target: Target) -> Iterator[Store]:
    opened = target.store()
    yield opened
    opened.close(timeout=5)


def locked(target: Target) -> AbstractContextManager[None]:
    return target.locked()


def count(target: Target, table: str = "questions") -> int:
    return int(target.rows(f"SELECT COUNT(*) FROM {table}")[0][0])


def lines(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


def ask(store: Store, i: int, question: str = "who wrote it?") -> bool:
    return store.log_question(f"q{i}", "private", question, "author", 0.9)


def test_writes_return_at_once_while_locked_and_land_once_the_lock_goes(store: Store, target: Target) -> None:
    with locked(target):
        started = time.monotonic()
        assert all(ask(store, i) for i in range(200))
        assert all(store.vote(f"q{i}", "author", user_id=i, value=1) for i in range(200))
        # The old store waited up to half a second per row for the lock; this one only queues.
        assert time.monotonic() - started < 1.0
        assert not store.flush(timeout=0.3)  # still waiting on the lock, and nothing lost
    assert store.flush(timeout=10)
    assert count(target) == 200 and count(target, "votes") == 200
    assert store.stats().votes == [("author", 200, 0)]


def test_a_full_queue_drops_rows_and_says_how_many_once(target: Target, caplog: pytest.LogCaptureFixture) -> None:
    store = target.store(queue_rows=2)
    with locked(target):
        queued = [ask(store, i) for i in range(10)]
    assert store.close(timeout=10)
    dropped = queued.count(False)
    assert dropped >= 5  # at most one batch in hand and two queued while the lock was held
    [report] = lines(caplog, "dropped")
    assert f"{dropped} rows dropped" in report
    assert count(target) == 10 - dropped


def test_close_writes_what_is_queued_and_can_be_called_twice(target: Target, caplog: pytest.LogCaptureFixture) -> None:
    store = target.store()
    with locked(target):
        for i in range(3):
            ask(store, i)
    assert store.close(timeout=5)
    assert store.close(timeout=5)
    assert count(target) == 3
    assert not ask(store, 99)  # too late: refused, and said so
    assert lines(caplog, "too late")


def test_close_gives_up_at_its_deadline_with_one_line(target: Target, caplog: pytest.LogCaptureFixture) -> None:
    store = target.store()
    with locked(target):
        for i in range(3):
            ask(store, i)
        assert not store.close(timeout=0.5)
        [given_up] = lines(caplog, "not written at exit")
        assert given_up.startswith("Question log: 3 rows not written at exit")
    assert count(target) == 0


def test_a_deleted_file_is_recreated_private_with_its_schema(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = Store(path, key=KEY)
    ask(store, 1)
    assert store.flush(timeout=5)
    path.unlink()
    for i in range(2, 5):
        ask(store, i)
        assert store.flush(timeout=5)
    assert count(SQLiteTarget(path)) == 3
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(lines(caplog, "deleted or replaced")) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    store.close(timeout=5)


def test_while_the_bot_runs_its_log_files_are_private_and_stats_reads_what_it_wrote(path: Path) -> None:
    """Write-ahead logging keeps recent rows in a -wal file beside the log until a checkpoint: that file
    holds questions word for word too, and a reader must see its rows."""
    store = Store(path, key=KEY)
    for i in range(3):
        ask(store, i)
    assert store.flush(timeout=5)
    beside = sorted(path.parent.glob(f"{path.name}*"))
    assert {p.name for p in beside} >= {path.name, f"{path.name}-wal"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in beside)
    assert count(SQLiteTarget(path)) == 3
    store.close(timeout=5)
    assert count(SQLiteTarget(path)) == 3


def test_lost_tables_are_created_again(store: Store, target: Target, caplog: pytest.LogCaptureFixture) -> None:
    ask(store, 1)
    assert store.flush(timeout=5)
    target.execute("DROP TABLE questions")
    for i in range(2, 5):
        ask(store, i)
    assert store.flush(timeout=5)
    assert count(target) == 3
    assert len(lines(caplog, "lost its tables")) == 1
    assert not lines(caplog, "no such table") and not lines(caplog, "does not exist")


def test_a_bad_row_costs_only_itself(store: Store, target: Target, caplog: pytest.LogCaptureFixture) -> None:
    with locked(target):  # all in one batch
        ask(store, 1)
        store.vote("q1", "author", user_id=1, value=5)  # not a vote: the table refuses it
        ask(store, 2, "lone \ud800 surrogate")  # valid in Telegram's JSON, not in UTF-8
        ask(store, 3, "a NUL \x00 character")  # valid in Telegram's JSON and SQLite, not in PostgreSQL
    assert store.flush(timeout=10)
    assert count(target) == 3 and count(target, "votes") == 0
    assert ("a NUL \ufffd character",) in target.rows("SELECT question FROM questions")
    [error] = lines(caplog, "could not be written")
    assert error.startswith("Question log: 1 rows")


def test_an_unusable_database_costs_one_line_and_no_exception(target: Target, caplog: pytest.LogCaptureFixture) -> None:
    store = target.unusable()  # a directory; a port nothing listens on
    assert len(lines(caplog, "Question log unavailable")) == 1
    assert ask(store, 1)  # queued; the writer keeps trying
    assert not store.close(timeout=0.2)
    assert len(lines(caplog, "not written yet")) == 1
    assert all("\n" not in line for line in lines(caplog, "Question log"))


# --- who voted ------------------------------------------------------------------------


def reveals(target: Target | Path, ids: range) -> set[int]:
    """Every user id among ``ids`` whose hash can be found from the database alone: every value in
    ``meta`` tried as a salt (as the old store used it) and as an HMAC key, and no salt at all."""
    target = SQLiteTarget(target) if isinstance(target, Path) else target
    hashes = {h for (h,) in target.rows("SELECT user_hash FROM votes")}
    candidates = [str(v).encode() for row in target.rows("SELECT * FROM meta") for v in row]
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


def test_the_database_alone_does_not_reveal_who_voted(store: Store, target: Target, tmp_path: Path) -> None:
    voters = [7, 4242, 99_999]
    for user_id in voters:
        store.vote("q1", "author", user_id=user_id, value=1)
    assert store.flush(timeout=5)
    assert reveals(target, range(1, 100_001)) == set()
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


def test_hashes_are_stable_for_one_key_and_differ_between_keys(target: Target) -> None:
    first, again, other = target.store(), target.store(), target.store(key=derive(b"x" * 32, "readers"))
    assert first.user_hash(1) == again.user_hash(1) != first.user_hash(2)
    assert other.user_hash(1) != first.user_hash(1)
    assert len(first.user_hash(1)) == 32


# --- what both backends report alike ---------------------------------------------------------


def test_the_report_is_the_same_from_either_backend(store: Store) -> None:
    for i, (question, entry) in enumerate(
        [
            ("who wrote it?", "author"),
            ("Who wrote it? ", "author"),
            ("how much on basic research?", "basic-research-2024"),
            ("What's the weather in Rome?", None),
            ("  what's the weather in rome?", None),
            ("who founded deepseek", None),
        ]
    ):
        store.log_question(f"q{i}", "private", question, entry, 0.5)
    store.vote("q0", "author", user_id=1, value=1)
    store.vote("q0", "author", user_id=2, value=-1)
    store.vote("q2", "basic-research-2024", user_id=1, value=-1)
    stats = store.stats()
    assert (stats.questions, stats.answered) == (6, 3)
    assert stats.top_entries == [("author", 2), ("basic-research-2024", 1)]
    assert stats.unanswered == [("what's the weather in rome?", 2), ("who founded deepseek", 1)]
    assert stats.votes == [("author", 1, 1), ("basic-research-2024", 0, 1)]
    assert stats.disliked == [("how much on basic research?", "basic-research-2024", 1), ("who wrote it?", "author", 1)]


def test_a_question_logged_twice_under_one_id_counts_once(store: Store) -> None:
    """As when an update is delivered again, to this replica or another."""
    assert ask(store, 1) and ask(store, 1)
    assert store.stats().questions == 1


def test_a_vote_taken_back_is_no_longer_counted_and_others_stay(store: Store) -> None:
    ask(store, 1)
    store.vote("q1", "author", user_id=42, value=1)
    store.vote("q1", "author", user_id=43, value=-1)
    store.unvote("q1", user_id=42)
    store.unvote("q1", user_id=44)  # never voted: nothing to take back
    assert store.stats().votes == [("author", 0, 1)]


def test_two_replicas_on_one_database_count_a_persons_vote_once(target: Target) -> None:
    """Replicas share the secret, so the same reader has the same keyed hash whichever replica they reach."""
    first, second = target.store(), target.store()
    ask(first, 1)
    first.vote("q1", "author", user_id=42, value=1)
    assert first.flush(timeout=5)
    second.vote("q1", "author", user_id=42, value=-1)  # the same person changing their mind, via the other one
    second.vote("q1", "author", user_id=43, value=-1)
    assert second.flush(timeout=5)
    assert first.stats() == second.stats()
    assert first.stats().votes == [("author", 0, 2)]
    assert count(target, "votes") == 2
    first.close(timeout=5)
    second.close(timeout=5)


def test_the_schema_version_is_recorded(store: Store, target: Target) -> None:
    assert target.rows("SELECT value FROM meta WHERE key = 'schema_version'") == [("1",)]


def test_an_unreadable_log_is_one_clear_error(target: Target) -> None:
    from bot.core.store import StoreError

    store = target.unusable()
    with pytest.raises(StoreError) as raised:
        store.stats()
    assert store.where in str(raised.value) and "\n" not in str(raised.value)
    store.close(timeout=0)


# --- PostgreSQL only: an outage, a password, replicas starting together -------------------------


def test_a_database_missing_at_start_gets_the_questions_once_it_is_there(
    postgres_server: PostgresServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    name = f"late_{secrets.token_hex(3)}"
    store = Store(PostgresLog(postgres_server.url(name)), key=KEY)  # not created yet: an outage at start
    [unavailable] = lines(caplog, "Question log unavailable")
    assert f'database "{name}" does not exist' in unavailable and "queued" in unavailable
    assert all(ask(store, i) for i in range(3))  # queued at once, as in a reply
    assert not store.flush(timeout=0.5)
    postgres_server.create_database(name)  # the database is back
    try:
        assert store.flush(timeout=15)
        assert store.stats().questions == 3
        assert len(lines(caplog, "not written yet")) == 1 and len(lines(caplog, "written again")) == 1
        assert store.close(timeout=5)
    finally:
        postgres_server.drop_database(name)
    assert PASSWORD not in caplog.text and quote(PASSWORD, safe="") not in caplog.text


def test_a_wrong_password_is_one_line_that_shows_no_password(
    postgres_url: str, postgres_server: PostgresServer, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.core.store import StoreError

    wrong = "Wrong-Pass/" + secrets.token_hex(4)
    store = Store(PostgresLog(postgres_server.url(postgres_url.rsplit("/", 1)[1], password=wrong)), key=KEY)
    with pytest.raises(StoreError) as raised:
        store.stats()
    assert "password authentication failed" in str(raised.value)
    assert ":***@" in str(raised.value)
    for text in (str(raised.value), caplog.text):
        assert wrong not in text and quote(wrong, safe="") not in text and PASSWORD not in text
    store.close(timeout=0)


def test_replicas_starting_together_create_the_schema_once_without_error(
    postgres_url: str, postgres_server: PostgresServer
) -> None:
    target = PostgresTarget(postgres_url, postgres_server)  # no tables yet
    start = threading.Barrier(6)
    failures: list[BaseException] = []

    def replica() -> None:
        start.wait()
        try:
            PostgresLog(postgres_url).prepare()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=replica) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert target.rows("SELECT value FROM meta") == [("1",)]
