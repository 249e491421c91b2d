"""The bot's secret: kept once beside the log, never in it, and one key per purpose."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.core.keys import derive, load_secret, secret_file


def test_a_generated_secret_is_kept_private_and_reused(tmp_path: Path) -> None:
    db = tmp_path / "data" / "questions.sqlite3"
    first = load_secret(None, db)
    assert load_secret(None, db) == first  # the same after a restart
    assert stat.S_IMODE(secret_file(db).stat().st_mode) == 0o600
    assert not db.exists()  # not in the question log


def test_a_configured_secret_wins_and_nothing_is_written(tmp_path: Path) -> None:
    db = tmp_path / "questions.sqlite3"
    assert load_secret("a-configured-secret-value", db) == b"a-configured-secret-value"
    assert not secret_file(db).exists()


def test_an_unwritable_place_still_gives_a_secret_for_this_run(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert len(load_secret(None, blocker / "questions.sqlite3")) >= 32


def test_each_purpose_gets_its_own_key() -> None:
    assert derive(b"s" * 32, "buttons") != derive(b"s" * 32, "readers")
    assert derive(b"s" * 32, "buttons") != derive(b"t" * 32, "buttons")


def test_a_short_secret_is_refused_in_one_line() -> None:
    with pytest.raises(ConfigError, match="ARTICLE_BOT_SECRET must be at least 16"):
        load_settings({"TELEGRAM_BOT_TOKEN": "1:a", "ARTICLE_BOT_SECRET": "short"})
    assert load_settings({"TELEGRAM_BOT_TOKEN": "1:a", "ARTICLE_BOT_SECRET": "x" * 16}).secret == "x" * 16
