"""Content reload without a restart: validated first; bad content keeps the old one serving."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from bot.core.answers import Answerer
from bot.core.content import load_library
from bot.core.content_service import ContentService
from tests.conftest import CONTENT
from tests.telegram_double import message_update
from tests.test_content import MINIMAL, write

ADMIN = 5


def copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


async def test_admin_reload_serves_new_content(offline_bot_factory, tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    bot = await offline_bot_factory(admins=frozenset({ADMIN}), content_dir=content)
    entries = content / "entries.yaml"
    entries.write_text(
        entries.read_text().replace("answer: In the Global Times.", "answer: In the Global Times newspaper.")
    )
    (report,) = await bot.send(message_update("/reload", user_id=ADMIN))
    assert "Content reloaded: 15 passages" in report["text"]
    (reply,) = await bot.send(message_update("which newspaper published it?"))
    assert "In the Global Times newspaper." in reply["text"]


async def test_invalid_content_keeps_the_old_one_and_says_where(offline_bot_factory, tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    bot = await offline_bot_factory(admins=frozenset({ADMIN}), content_dir=content)
    figures = content / "figures.yaml"
    figures.write_text(figures.read_text().replace("passage: p07", "passage: p77"))
    line = next(i for i, text in enumerate(figures.read_text().splitlines(), 1) if "passage: p77" in text)
    (report,) = await bot.send(message_update("/reload", user_id=ADMIN))
    assert "Reload failed; still serving the previous content." in report["text"]
    assert f"{figures}:{line}: figure genai-users: unknown passage id 'p77'" in report["text"]
    (reply,) = await bot.send(message_update("how many generative AI users in China?"))
    assert "250 million" in reply["text"]


async def test_reload_is_for_admins_only(offline_bot_factory, tmp_path: Path) -> None:
    bot = await offline_bot_factory(admins=frozenset({ADMIN}), content_dir=copy_content(tmp_path))
    (reply,) = await bot.send(message_update("/reload", user_id=ADMIN + 1))
    assert "don't know that command" in reply["text"]


# --- the content service on its own, with a small content folder ------------------------------


async def test_a_failed_reload_keeps_the_content_and_logs_file_and_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = write(tmp_path)
    service = ContentService(Answerer(load_library(folder)), folder)
    before = service.current
    (folder / "entries.yaml").write_text(MINIMAL["entries.yaml"].replace("passages: [p01]", "passages: [p02]"))
    with caplog.at_level(logging.ERROR, logger="bot.core.content_service"):
        report = await service.reload()
    problem = f"{folder / 'entries.yaml'}:7: entry growth: unknown passage id 'p02'"
    assert report == f"Reload failed; still serving the previous content.\n{problem}"
    assert problem in caplog.text.splitlines()
    assert service.current is before
    assert service.current.answer("how fast did spending grow?").target == before.library.target("growth")


async def test_a_good_reload_swaps_the_answerer_whole(tmp_path: Path) -> None:
    folder = write(tmp_path)
    service = ContentService(Answerer(load_library(folder)), folder)
    old = service.current
    new_answer = "Spending grew by 10.5 percent."
    (folder / "entries.yaml").write_text(MINIMAL["entries.yaml"].replace("It rose 10.5 percent.", new_answer))
    assert (await service.reload()).startswith("Content reloaded: 1 passages, 1 entries, 1 figures")
    assert service.current is not old and service.current.library is not old.library
    growth = service.current.library.target("growth")
    assert growth is not None and growth.answer == new_answer
    assert old.library.target("growth") != growth  # an update under way keeps the content it started with


async def test_an_unexpected_failure_keeps_the_content_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write(tmp_path)
    service = ContentService(Answerer(load_library(folder)), folder)
    before = service.current

    def broken(_: Path) -> None:
        raise PermissionError("content/entries.yaml: permission denied")

    monkeypatch.setattr("bot.core.content_service.load_library", broken)
    report = await service.reload()
    assert report.endswith("PermissionError: content/entries.yaml: permission denied")
    assert service.current is before


async def test_without_a_content_folder_nothing_is_reloaded(answerer: Answerer) -> None:
    service = ContentService(answerer)
    assert await service.reload() == "No content folder configured; nothing reloaded."
    assert service.current is answerer
