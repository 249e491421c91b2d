"""The real bot process (``python -m bot``, polling) against the fake Bot API server in tests/botapi_server.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.botapi_server import FakeBotAPI
from tests.identity import token
from tests.telegram_double import message_update
from tests.test_telegram_native import callback_update

ROOT = Path(__file__).resolve().parents[2]
TOKEN = token("E2E-secret-token-value")
TOKEN_SECRET = TOKEN.split(":", 1)[1]
STARTUP_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is an end-to-end test: ``pytest -m "not e2e"`` runs the fast ones alone."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


# Proxy settings would route the bot's requests to 127.0.0.1 elsewhere: aiohttp honours them (trust_env).
_PROXY_VARS = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


def update(text: str, *, chat_type: str = "private", chat_id: int | None = None, **kwargs: Any) -> dict[str, Any]:
    """A message update as a Telegram client would produce it (entities in UTF-16 units), without update_id:
    the server numbers updates in the order they are pushed."""
    result = message_update(text, chat_type=chat_type, chat_id=chat_id, **kwargs)
    result.pop("update_id")
    return result


def button_press(data: str, user_id: int, press_id: str) -> dict[str, Any]:
    """A tap on a button under one of the bot's messages in a private chat, without update_id (as ``update``)."""
    result = callback_update(data, user_id, query_id=press_id)
    result.pop("update_id")
    return result


class BotProcess:
    """The bot running as a user runs it, plus the fake Telegram it talks to."""

    def __init__(self, server: FakeBotAPI, process: subprocess.Popen, stdout: Path, stderr: Path) -> None:
        self.server = server
        self.process = process
        self.stdout_path = stdout
        self.stderr_path = stderr
        self.returncode: int | None = None
        self.stop_seconds: float | None = None
        self.killed = False
        self.stopping = False
        self._lock = threading.Lock()

    @property
    def output(self) -> str:
        """Everything the process printed so far, stdout then stderr."""
        return self.stdout_path.read_text(errors="replace") + self.stderr_path.read_text(errors="replace")

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        return self.server.push_update(update)

    def replies_to(self, chat_id: int, count: int = 1, timeout: float = 15.0) -> list[dict[str, Any]]:
        """Wait for ``count`` delivered messages in ``chat_id``; return their parameters."""
        calls = self.server.wait_for(
            "sendMessage", count=count, timeout=timeout, predicate=lambda c: c.ok and c.get("chat_id") == chat_id
        )
        return [call.params for call in calls]

    def wait_output(self, text: str, timeout: float = 15.0) -> None:
        """Wait until the process has printed ``text`` (for effects only its log shows, such as a reload)."""
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never printed:\n{self.output[-3000:]}")
            time.sleep(0.05)  # polling a file: there is no event to wait on

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM, as a process manager stops a worker; kill if it is still alive after ``timeout`` seconds."""
        with self._lock:
            if self.returncode is not None:
                return self.returncode
            started = time.monotonic()
            self.stopping = True
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.killed = True
                    self.process.kill()
                    self.process.wait()
            self.stop_seconds = time.monotonic() - started
            self.returncode = self.process.returncode
            return self.returncode


def bot_environment(server: FakeBotAPI, tmp_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TELEGRAM_", "ARTICLE_BOT_")) and name.lower() not in _PROXY_VARS
    }
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=server.url,
        ARTICLE_BOT_DB=str(tmp_path / "questions.sqlite3"),
        PYTHONUNBUFFERED="1",
        NO_PROXY="127.0.0.1,localhost",
        # Set, so that neither the environment's nor a .env file's is used: tests never write to a real database.
        DATABASE_URL="",
    )
    env.update(extra or {})
    return env


def spawn_bot(server: FakeBotAPI, tmp_path: Path, **popen: Any) -> subprocess.Popen:
    """``python -m bot`` against ``server``, without waiting for it: for what happens before it is up."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot"],
        cwd=ROOT,
        env=bot_environment(server, tmp_path),
        stdin=subprocess.DEVNULL,
        **popen,
    )


@pytest.fixture
def api_server() -> Iterator[FakeBotAPI]:
    server = FakeBotAPI(token=TOKEN).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def start_bot(api_server: FakeBotAPI, tmp_path: Path) -> Iterator[Callable[..., BotProcess]]:
    """Start ``python -m bot`` (once per test) and wait for its first getUpdates; stopped on teardown."""
    started: list[BotProcess] = []

    def start(**extra_env: str) -> BotProcess:
        assert all(b.returncode is not None for b in started), "two running bots would steal each other's updates"
        run = len(started) + 1
        stdout, stderr = tmp_path / f"bot{run}.stdout.txt", tmp_path / f"bot{run}.stderr.txt"
        with stdout.open("wb") as out, stderr.open("wb") as err:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot"],
                cwd=ROOT,
                env=bot_environment(api_server, tmp_path, extra_env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        bot = BotProcess(api_server, process, stdout, stderr)
        started.append(bot)

        def watch() -> None:  # a crash makes pending wait_for calls fail at once, with what it printed
            code = process.wait()
            if not bot.stopping:
                api_server.abort_waits(f"the bot process exited with code {code}:\n{bot.output[-3000:]}")

        threading.Thread(target=watch, name="bot-process-watch", daemon=True).start()
        # Ready: polling has begun, or in webhook mode the webhook is set.
        ready = "setWebhook" if extra_env.get("TELEGRAM_WEBHOOK_URL") else "getUpdates"
        polls_before = len(api_server.calls(ready))
        api_server.wait_for(ready, count=polls_before + 1, timeout=STARTUP_TIMEOUT)
        return bot

    yield start
    for bot in started:
        bot.stop()


@pytest.fixture
def bot(start_bot: Callable[..., BotProcess]) -> BotProcess:
    return start_bot()
