from __future__ import annotations

import dataclasses
import functools
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.core.answers import Answerer
from bot.core.content import Library, load_library
from bot.core.store import Store
from bot.telegram.app import build_application
from bot.telegram.limits import UserLimiter
from tests.identity import TOKEN
from tests.postgres import PostgresServer, start_server
from tests.telegram_double import RecordingRequest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
# A short made-up article (its plain text beside it) for tests of Telegram behaviour, not of the real answers.
FIXTURE_CONTENT = ROOT / "tests" / "data" / "fixture_content"
TEST_SECRET = "offline-tests-fixed-secret"  # buttons signed with a fixed key; no secret file per test


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server, started once per run, only if a test asks for it. If it cannot be started,
    every test that needs it fails with the reason: they are never skipped."""
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def postgres_url(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database for each test module, as a DATABASE_URL (TCP, with a password)."""
    module = re.sub(r"\W", "_", request.module.__name__.rsplit(".", 1)[-1])[:40]
    name = f"{module}_{secrets.token_hex(3)}"
    url = postgres_server.create_database(name)
    try:
        yield url
    finally:
        postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library(CONTENT)


@pytest.fixture(scope="session")
def answerer(library: Library) -> Answerer:
    return Answerer(library)


# Questions two targets answer: the Goldman forecast is split into its inflows and its rise.
_TWO_WAY = ("Goldman Sachs expectations", "goldman forecast", "what does goldman expect", "Goldman Sachs on China")


@pytest.fixture(scope="session")
def two_way(answerer: Answerer) -> str:
    """A question answered with a "Did you mean" runner-up: which one depends on the fitted decision,
    so the first of a few such questions that gets one."""
    found = [q for q in _TWO_WAY if answerer.answer(q).alternatives]
    assert found, f"none of {_TWO_WAY} gets a runner-up any more: add one that does"
    return found[0]


@pytest.fixture(scope="session")
def fixture_library(library: Library) -> Library:
    """The fixture article, decided as the real content is: it is too small to fit a decision of its own."""
    return dataclasses.replace(load_library(FIXTURE_CONTENT), parameters=library.parameters)


@pytest.fixture(scope="session")
def fixture_answerer(fixture_library: Library) -> Answerer:
    return Answerer(fixture_library)


class OfflineBot:
    """A real Application whose HTTP is the recording double."""

    def __init__(self, application: Application, request: RecordingRequest, store: Store) -> None:
        self.application = application
        self.request = request
        self.store = store

    async def send(self, update: dict) -> list[dict]:
        """Process one update; return the sendMessage calls it caused."""
        before = len(self.request.calls)
        await self.application.process_update(Update.de_json(update, self.application.bot))
        return [c.params for c in self.request.calls[before:] if c.method == "sendMessage"]


@pytest.fixture
async def offline_bot_factory(answerer: Answerer, tmp_path: Path) -> AsyncIterator:
    """Build offline bots with other settings (admins, a broken store); all shut down after the test."""
    started: list[Application] = []
    bots: list[OfflineBot] = []

    async def make(
        admins: frozenset[int] = frozenset(),
        store: Store | None = None,
        limiter: UserLimiter | None = None,
        content_dir: Path = CONTENT,
        served: Answerer | None = None,
        inline_limiter: UserLimiter | None = None,
        tap_limiter: UserLimiter | None = None,
    ) -> OfflineBot:
        request = RecordingRequest()
        settings = Settings(
            token=TOKEN,
            db_path=tmp_path / "questions.sqlite3",
            admins=admins,
            content_dir=content_dir,
            secret=TEST_SECRET,
        )
        store = store or Store(settings.db_path)
        if served is None:
            served = answerer if content_dir == CONTENT else Answerer(load_library(content_dir))
        application = build_application(
            settings,
            served,
            store,
            request=request,
            limiter=limiter,
            inline_limiter=inline_limiter,
            tap_limiter=tap_limiter,
        )
        await application.initialize()
        started.append(application)
        bots.append(OfflineBot(application, request, store))
        return bots[-1]

    yield make
    for application in started:
        await application.shutdown()
    for bot in bots:
        bot.store.close(timeout=0)  # its writer thread; a broken store's rows are given up at once
    # Every reply any handler test produced was valid Telegram HTML.
    assert [error for bot in bots for error in bot.request.html_errors] == []


@pytest.fixture
async def offline_bot(offline_bot_factory) -> OfflineBot:
    return await offline_bot_factory()


@pytest.fixture
def fixture_bot_factory(offline_bot_factory, fixture_answerer: Answerer):
    """offline_bot_factory, serving the fixture article."""
    return functools.partial(offline_bot_factory, content_dir=FIXTURE_CONTENT, served=fixture_answerer)


@pytest.fixture
async def fixture_bot(fixture_bot_factory) -> OfflineBot:
    return await fixture_bot_factory()
