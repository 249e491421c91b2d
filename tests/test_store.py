"""The question log keys readers' hashes with a key kept outside the file."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from pathlib import Path

import pytest

from bot.keys import derive
from bot.store import Store

KEY = derive(b"a-secret-kept-outside-the-log", "readers")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "questions.sqlite3"


@pytest.fixture
def store(path: Path) -> Store:
    return Store(path, key=KEY)


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
    Store(path)  # the schema
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO meta VALUES ('salt', ?)", (salt,))
        for user_id in voters:
            user_hash = hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()[:32]
            db.execute("INSERT INTO votes VALUES ('q1', 'author', ?, 1, '2025-01-01T00:00:00+00:00')", (user_hash,))


def test_the_database_alone_does_not_reveal_who_voted(store: Store, path: Path, tmp_path: Path) -> None:
    voters = [7, 4242, 99_999]
    for user_id in voters:
        store.vote("q1", "author", user_id=user_id, value=1)
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
    assert reveals(old, range(1, 1001)) == set()  # nothing left in the file to try


def test_hashes_are_stable_for_one_key_and_differ_between_keys(path: Path) -> None:
    first, again, other = Store(path, key=KEY), Store(path, key=KEY), Store(path, key=derive(b"x" * 32, "readers"))
    assert first.user_hash(1) == again.user_hash(1) != first.user_hash(2)
    assert other.user_hash(1) != first.user_hash(1)
    assert len(first.user_hash(1)) == 32
