"""End-to-end latency, burst throughput, idle memory and start-up: the bot beside a bare python-telegram-bot
echo handler (on python-telegram-bot's own HTTP, and on the bot's), in one run.

    python benchmarks/latency.py [questions] [--burst N] [--runs K]

Both run as real processes, long polling the local Bot API double of tests/botapi_server.py, and are
measured in turn (bot, echo, echo on the bot's HTTP, bot … for ``--runs`` rounds: the machine's speed drifts, so each
figure is given as the median of the rounds with their range).

- Latency is from putting an update in the double's queue to the double receiving the reply's
  sendMessage: the getUpdates wake-up, parsing, handling, matching and the HTTP call. Questions go one
  at a time, 60 ms apart, from different people (the bot's per-person limit and Telegram's flood limits
  are not what is measured).
- Burst: N inline queries from N people put in the queue at once; answers/s is N over the time until
  the double has received the last answerInlineQuery. Inline answers post nothing to a chat, so
  Telegram's flood limits (and the bot's limiter of them) do not apply: what is measured is the bot.
- Start-up is from starting the process to its first getUpdates, with the model's cache filled (by
  ``python -m bot check`` beforehand) and the bytecode compiled; idle memory is read after warm-up.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.botapi_server import FakeBotAPI  # noqa: E402
from tests.telegram_double import message_update  # noqa: E402

TOKEN = "4242:benchmark-token"
PACE_S = 0.06
PROCESSES = {
    "article-bot": [sys.executable, "-m", "bot"],
    "echo handler": [sys.executable, "benchmarks/echo_bot.py"],
    # The same echo handler on the bot's HTTP (aiohttp, bot/telegram/transport.py): the targets are
    # against the one above; against this one, what is left is the bot's own work.
    "echo, bot's HTTP": [sys.executable, "benchmarks/echo_bot.py", "--bot-transport"],
}


@dataclass
class Run:
    latencies: list[float]
    cpu_ms: float  # the process's CPU time per paced answer: steadier than the clock on a busy machine
    per_second: float
    burst_cpu_ms: float
    idle_mb: float
    startup_s: float


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """User and system time of the process so far (fields 14 and 15 of /proc/PID/stat, in clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def inline_update(text: str, user_id: int) -> dict[str, Any]:
    person = {"id": user_id, "is_bot": False, "first_name": "Ada"}
    return {"inline_query": {"id": f"burst-{user_id}", "from": person, "query": text, "offset": ""}}


def measure(name: str, command: list[str], questions: list[str], burst: int, tmp: Path) -> Run:
    server = FakeBotAPI(token=TOKEN).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ARTICLE_BOT_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": server.url,
        "ARTICLE_BOT_DB": str(tmp / f"{name}.sqlite3"),
        "ARTICLE_BOT_CACHE_DIR": str(tmp / "cache"),
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
            server.push_update(inline_update("who wrote it?", user_id=91_000 + i))
            server.wait_for("answerInlineQuery", count=i + 1, timeout=30)
        time.sleep(1.0)  # let start-up work finish before reading idle memory
        idle = rss_mb(process.pid)
        latencies = []
        cpu_before = cpu_s(process.pid)
        for i, question in enumerate(questions):
            chat = 100_000 + i
            pushed = time.monotonic()
            server.push_update(message_update(question, user_id=chat))
            [call] = server.wait_for("sendMessage", timeout=30, predicate=lambda c, chat=chat: c.get("chat_id") == chat)
            latencies.append((call.received_at - pushed) * 1000)
            time.sleep(PACE_S)
        cpu_ms = (cpu_s(process.pid) - cpu_before) * 1000 / len(questions)
        cpu_before = cpu_s(process.pid)
        per_second = burst_rate(server, questions, burst)
        burst_cpu_ms = (cpu_s(process.pid) - cpu_before) * 1000 / burst if burst > 0 else float("nan")
        return Run(latencies, cpu_ms, per_second, burst_cpu_ms, idle, startup)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        server.stop()


def burst_rate(server: FakeBotAPI, questions: list[str], burst: int) -> float:
    """Answers a second to ``burst`` inline queries put in the queue at once, from as many people."""
    if burst <= 0:
        return float("nan")
    texts = (questions * (burst // len(questions) + 1))[:burst]
    pushed = time.monotonic()
    for i, text in enumerate(texts):
        server.push_update(inline_update(text, user_id=200_000 + i))
    answers = server.wait_for("answerInlineQuery", count=5 + burst, timeout=120)  # 5 from the warm-up
    return burst / (max(call.received_at for call in answers) - pushed)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def figure(values: list[float], digits: int) -> str:
    """The median of the rounds, with their range when there are several."""
    middle = f"{statistics.median(values):.{digits}f}"
    return middle if len(values) == 1 else f"{middle} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions", nargs="?", type=int, default=200, help="paced questions per process")
    parser.add_argument("--burst", type=int, default=300, help="inline queries sent at once (0: no burst)")
    parser.add_argument("--runs", type=int, default=1, help="rounds of bot then echo handler")
    args = parser.parse_args()
    data = yaml.safe_load((ROOT / "tests" / "eval" / "questions.yaml").read_text(encoding="utf-8"))
    pool = [item["q"] for item in data["in_scope"]] + list(data["off_topic"])  # the regression set
    questions = (pool * (args.questions // len(pool) + 1))[: args.questions]
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / "article-bot-latency"
    tmp.mkdir(parents=True, exist_ok=True)
    # Start-up is measured as it is once deployed: the token table and the content's vectors cached (in a
    # folder of its own: a shared one is churned by every content the tests try).
    cache = {**os.environ, "ARTICLE_BOT_CACHE_DIR": str(tmp / "cache")}
    subprocess.run([sys.executable, "-m", "bot", "check"], cwd=ROOT, env=cache, check=True, capture_output=True)
    # And the bot's modules compiled, as Python leaves them after a first run. Where PYTHONDONTWRITEBYTECODE
    # is set (as on the machines this is measured on, and in many container images) nothing is written, and
    # every start would compile the bot's sources again (~0.1 s): the README's deployment notes say to
    # compile them at build time.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "bot", "benchmarks"], cwd=ROOT, check=True)
    runs: dict[str, list[Run]] = {name: [] for name in PROCESSES}
    for _ in range(args.runs):
        for name, command in PROCESSES.items():
            runs[name].append(measure(name.split()[0], command, questions, args.burst, tmp))
    print(
        f"{args.questions} questions one at a time, {PACE_S * 1000:.0f} ms apart; a burst of {args.burst} inline "
        f"queries; {args.runs} round(s), median (range); load average {os.getloadavg()[0]:.1f}"
    )
    print()
    print(
        "| process | p50 ms | p95 ms | CPU ms/answer | burst answers/s | burst CPU ms/answer | idle RSS MB "
        "| start to first poll s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, rounds in runs.items():
        p50 = [statistics.median(r.latencies) for r in rounds]
        p95 = [percentile(r.latencies, 0.95) for r in rounds]
        print(
            f"| {name} | {figure(p50, 2)} | {figure(p95, 2)} | {figure([r.cpu_ms for r in rounds], 2)} "
            f"| {figure([r.per_second for r in rounds], 0)} | {figure([r.burst_cpu_ms for r in rounds], 2)} "
            f"| {figure([r.idle_mb for r in rounds], 1)} | {figure([r.startup_s for r in rounds], 2)} |"
        )
    print()
    for baseline in ("echo handler", "echo, bot's HTTP"):
        # Round by round: the processes of one round ran closest in time.
        pairs = list(zip(runs["article-bot"], runs[baseline], strict=True))
        p50_ratio = [statistics.median(b.latencies) / statistics.median(e.latencies) for b, e in pairs]
        p95_ratio = [percentile(b.latencies, 0.95) / percentile(e.latencies, 0.95) for b, e in pairs]
        print(f"ratio bot / {baseline}: p50 {figure(p50_ratio, 2)}, p95 {figure(p95_ratio, 2)}")


if __name__ == "__main__":
    main()
