"""``python -m bot ask`` without a question: a conversation in the terminal (issue 11)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

from tests.conftest import ROOT
from tests.test_cli import run


def test_the_console_understands_the_bots_commands_and_keeps_the_conversation() -> None:
    lines = ["/topics", "/figures", "/source", "/help", "What did Goldman Sachs forecast?", "who reported it?"]
    result = run("ask", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    blocks = dict(block.split("\n", 1) for block in result.stdout.strip().split("\n\n") if block.startswith("» "))
    assert blocks["» /topics"].startswith("Questions the article answers:\n• What is the article about?")
    assert "• 249.7 billion yuan ($34.4 billion) spent on basic research in 2024" in blocks["» /figures"]
    assert "By Hu Weijia, Global Times, 21 February 2025" in blocks["» /source"]
    assert "Ctrl-D to quit" in blocks["» /help"]
    assert "South China Morning Post" in blocks["» who reported it?"]  # read with the answer before it


def test_at_a_terminal_there_is_a_prompt_and_ctrl_d_quits() -> None:
    primary, secondary = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ARTICLE_BOT_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask"],
        stdin=secondary,
        stdout=secondary,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=environment,
    )
    os.close(secondary)
    seen = b""

    def read_until(expected: bytes, timeout: float = 60.0) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while expected not in seen:
            assert time.monotonic() < deadline, seen
            ready, _, _ = select.select([primary], [], [], 0.5)
            if ready:
                seen += os.read(primary, 4096)

    try:
        read_until(b"Ctrl-D to quit.")
        read_until("» ".encode())
        os.write(primary, b"/source\n")
        read_until("21 February 2025\r\n\r\n» ".encode())
        os.write(primary, b"\x04")  # Ctrl-D at the next, empty prompt
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(primary)
    assert b"Traceback" not in (process.stderr.read() if process.stderr else b"")
