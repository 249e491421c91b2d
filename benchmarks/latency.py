"""End-to-end latency and idle memory: the bot against a bare python-telegram-bot echo handler.

    python benchmarks/latency.py [questions]

Both run as real processes, long polling the local Bot API double of tests/botapi_server.py.
Latency is from putting an update in the double's queue to the double receiving the reply's
sendMessage: the getUpdates wake-up, parsing, handling, matching and the HTTP call. Questions go
one at a time, 50 ms apart, from different people (the bot's own per-person limit and
Telegram's flood limits are not what is measured).
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.botapi_server import FakeBotAPI  # noqa: E402
from tests.telegram_double import message_update  # noqa: E402

TOKEN = "4242:benchmark-token"
PACE_S = 0.05


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(name: str, command: list[str], questions: list[str], tmp: Path) -> tuple[list[float], float, float]:
    server = FakeBotAPI(token=TOKEN).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ARTICLE_BOT_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": server.url,
        "ARTICLE_BOT_DB": str(tmp / f"{name}.sqlite3"),
        "ARTICLE_BOT_LOG_LEVEL": "WARNING",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        [first_poll] = server.wait_for("getUpdates", timeout=30)
        startup = first_poll.received_at - started
        # Warm up (first calls set up connections), then settle before reading idle memory.
        for i in range(5):
            server.push_update(message_update("who wrote it?", user_id=90_000 + i))
            server.wait_for("sendMessage", count=i + 1, timeout=30)
        time.sleep(1.0)  # let start-up work finish before reading idle memory
        idle = rss_mb(process.pid)
        latencies = []
        for i, question in enumerate(questions):
            chat = 100_000 + i
            pushed = time.monotonic()
            server.push_update(message_update(question, user_id=chat))
            [call] = server.wait_for("sendMessage", timeout=30, predicate=lambda c, chat=chat: c.get("chat_id") == chat)
            latencies.append((call.received_at - pushed) * 1000)
            time.sleep(PACE_S)
        return latencies, idle, startup
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        server.stop()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    data = yaml.safe_load((ROOT / "tests" / "eval" / "questions.yaml").read_text(encoding="utf-8"))
    pool = [item["q"] for item in data["in_scope"]] + list(data["off_topic"])  # the regression set
    questions = (pool * (count // len(pool) + 1))[:count]
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / "article-bot-latency"
    tmp.mkdir(parents=True, exist_ok=True)
    runs = {
        "article-bot": measure("bot", [sys.executable, "-m", "bot"], questions, tmp),
        "echo handler": measure("echo", [sys.executable, "benchmarks/echo_bot.py"], questions, tmp),
    }
    print(f"{count} questions, one at a time, {PACE_S * 1000:.0f} ms apart")
    print()
    print("| process | p50 ms | p95 ms | idle RSS MB | start to first poll s |")
    print("|---|---|---|---|---|")
    for name, (latencies, idle, startup) in runs.items():
        p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
        print(f"| {name} | {p50:.2f} | {p95:.2f} | {idle:.1f} | {startup:.2f} |")
    bot, echo = runs["article-bot"][0], runs["echo handler"][0]
    print()
    print(
        f"ratio bot/echo: p50 {statistics.median(bot) / statistics.median(echo):.2f}, "
        f"p95 {percentile(bot, 0.95) / percentile(echo, 0.95):.2f}"
    )


if __name__ == "__main__":
    main()
