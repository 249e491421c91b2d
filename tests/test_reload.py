"""Content reload without a restart: validated first; bad content keeps the old one serving."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import CONTENT
from tests.telegram_double import message_update

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
