"""The layout shows the architecture: the core (bot/core) answers questions without Telegram."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "bot" / "core"


def test_the_core_imports_nothing_of_telegram() -> None:
    modules = sorted(f"bot.core.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__")
    assert len(modules) >= 20
    program = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'telegram' or m.startswith('bot.telegram')))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
