"""Several replicas: two real webhook processes behind one URL, sharing one PostgreSQL (a real server the
tests start) through DATABASE_URL. Each answers what it receives; the log holds every question once and
one vote per person, and the report is the same from either replica and from ``python -m bot stats``."""

from __future__ import annotations

import html
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.botapi_server import FakeBotAPI
from tests.e2e.conftest import ROOT, STARTUP_TIMEOUT, TOKEN_SECRET, BotProcess, bot_environment, update
from tests.e2e.test_webhook import SECRET, Webhook, free_port
from tests.postgres import PASSWORD, PostgresServer

SHARED_SECRET = "replicas-share-this-secret-0123456789"  # ARTICLE_BOT_SECRET: signed buttons, keyed hashes
ADMIN = 9000
RESEARCH = "How much does China spend on basic research?"
GENAI = "how many people use generative AI in China?"
ROWS_DEADLINE_S = 20.0


def database(url: str) -> str:
    return url.rsplit("/", 1)[1]


def rows(server: PostgresServer, url: str, sql: str) -> list[tuple[Any, ...]]:
    with server.admin(database(url)) as db:
        return db.execute(sql).fetchall()


def wait_rows(
    server: PostgresServer, url: str, sql: str, done: Callable[[list[tuple[Any, ...]]], bool]
) -> list[tuple[Any, ...]]:
    """Poll the database until ``done`` holds: the writers give no other sign."""
    deadline = time.monotonic() + ROWS_DEADLINE_S
    found: list[tuple[Any, ...]] = []
    while time.monotonic() < deadline:
        try:
            found = rows(server, url, sql)
        except Exception:  # the tables are not there yet
            found = []
        if done(found):
            return found
        time.sleep(0.05)  # polling a database: there is no event to wait on
    raise AssertionError(f"{sql!r} still gives {found} after {ROWS_DEADLINE_S} s")


def numbered(text: str, update_id: int, chat_id: int, user_id: int | None = None) -> dict[str, Any]:
    return {**update(text, chat_id=chat_id, user_id=user_id or chat_id), "update_id": update_id}


def button(reply: dict[str, Any], text: str) -> str:
    return str(
        next(b["callback_data"] for row in reply["reply_markup"]["inline_keyboard"] for b in row if b["text"] == text)
    )


def press(replica: Webhook, reply: dict[str, Any], emoji: str, user_id: int, update_id: int) -> None:
    """A reader pressing 👍 or 👎 under ``reply``; Telegram posts it to whichever replica the URL leads to."""
    before = len(replica.bot.server.calls("answerCallbackQuery"))
    press_update = {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb-{update_id}",
            "from": {"id": user_id, "is_bot": False, "first_name": "Ada"},
            "chat_instance": "x",
            "data": button(reply, emoji),
            "message": {
                "message_id": 1,
                "date": 1740000000,
                "chat": {"id": reply["chat_id"], "type": "private"},
                "text": "t",
            },
        },
    }
    assert replica.post(press_update) == 200
    replica.bot.server.wait_for("answerCallbackQuery", count=before + 1)


def ask(replica: Webhook, text: str | dict[str, Any], update_id: int = 0, chat_id: int = 0) -> dict[str, Any]:
    """Post a question (or an update as it is) to one replica; its reply."""
    posted = numbered(text, update_id, chat_id) if isinstance(text, str) else text
    chat_id = posted["message"]["chat"]["id"]
    before = len([c for c in replica.bot.server.calls("sendMessage") if c.ok and c.get("chat_id") == chat_id])
    assert replica.post(posted) == 200
    return replica.bot.replies_to(chat_id, count=before + 1)[-1]


def report(replica: Webhook, update_id: int) -> str:
    """/stats from an admin, as the admin reads it."""
    reply = ask(replica, "/stats", update_id, ADMIN)
    text = str(reply["text"])
    assert text.startswith("<pre>") and text.endswith("</pre>")
    return html.unescape(text[len("<pre>") : -len("</pre>")])


def stats_command(database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``python -m bot stats`` as an operator runs it, with the replicas' DATABASE_URL."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": database_url,
        "ARTICLE_BOT_DB": str(tmp_path / "cli.sqlite3"),  # if DATABASE_URL were ignored: never the project's data/
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "stats"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def start_replicas(api_server: FakeBotAPI, tmp_path: Path) -> Iterator[Callable[..., list[Webhook]]]:
    """Start ``count`` webhook processes at once, each on its own port and with its own disk, as a platform
    scales a web process; stopped on teardown."""
    started: list[BotProcess] = []

    def start(database_url: str, count: int = 2) -> list[Webhook]:
        replicas: list[tuple[BotProcess, int]] = []
        webhooks_before = len(api_server.calls("setWebhook"))
        for _ in range(count):
            n, port = len(started) + 1, free_port()
            disk = tmp_path / f"replica{n}"
            disk.mkdir()
            env = bot_environment(
                api_server,
                disk,
                {
                    "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hook/article",
                    "TELEGRAM_WEBHOOK_SECRET": SECRET,
                    "PORT": str(port),
                    "ARTICLE_BOT_LISTEN": "127.0.0.1",
                    "ARTICLE_BOT_SECRET": SHARED_SECRET,
                    "ARTICLE_BOT_ADMINS": str(ADMIN),
                    "DATABASE_URL": database_url,
                },
            )
            stdout, stderr = disk / "stdout.txt", disk / "stderr.txt"
            with stdout.open("wb") as out, stderr.open("wb") as err:
                process = subprocess.Popen(
                    [sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
                )
            bot = BotProcess(api_server, process, stdout, stderr)
            started.append(bot)
            replicas.append((bot, port))
            threading.Thread(target=_watch, args=(bot, api_server), name="replica-watch", daemon=True).start()
        api_server.wait_for("setWebhook", count=webhooks_before + count, timeout=STARTUP_TIMEOUT * count)
        for bot, port in replicas:
            bot.wait_output(f"listening on 127.0.0.1:{port}")
        return [Webhook(bot, port) for bot, port in replicas]

    yield start
    for bot in started:
        bot.stop()


def _watch(bot: BotProcess, server: FakeBotAPI) -> None:
    """A crash makes pending waits fail at once, with what the replica printed."""
    code = bot.process.wait()
    if not bot.stopping:
        server.abort_waits(f"a replica exited with code {code}:\n{bot.output[-3000:]}")


def no_secrets(output: str) -> None:
    for secret in (PASSWORD, quote(PASSWORD, safe=""), SHARED_SECRET, SECRET, TOKEN_SECRET):
        assert secret not in output


def test_two_replicas_log_every_question_once_count_each_persons_vote_once_and_report_alike(
    start_replicas: Callable[..., list[Webhook]], postgres_server: PostgresServer, postgres_url: str, tmp_path: Path
) -> None:
    with postgres_server.admin(database(postgres_url)) as db:
        db.execute("DROP TABLE IF EXISTS meta, questions, votes")  # this test's own, however the module began
    first, second = start_replicas(postgres_url)

    # Each replica answers what it receives.
    research = ask(first, RESEARCH, 81001, 6101)
    assert "249.7 billion yuan" in research["text"]
    assert "Hu Weijia" in ask(second, "who wrote the article?", 81002, 6102)["text"]
    ask(second, "what's the weather in Paris?", 81003, 6103)
    # Telegram delivering one update again, to the other replica: both answer, the log has it once.
    delivered = numbered(GENAI, 81004, 6104)
    again = [ask(replica, delivered) for replica in (first, second)]
    assert button(again[0], "👍") == button(again[1], "👍")

    # One person votes through one replica, then changes their mind through the other; another person votes too.
    press(first, research, "👍", user_id=6101, update_id=81101)
    wait_rows(postgres_server, postgres_url, "SELECT value FROM votes", lambda found: found == [(1,)])
    press(second, research, "👎", user_id=6101, update_id=81102)
    press(second, research, "👍", user_id=6105, update_id=81103)

    logged = wait_rows(
        postgres_server,
        postgres_url,
        "SELECT question, COUNT(*) FROM questions GROUP BY question ORDER BY question",
        lambda found: len(found) == 4,
    )
    assert sorted(logged) == sorted(
        [(RESEARCH, 1), ("who wrote the article?", 1), ("what's the weather in Paris?", 1), (GENAI, 1)]
    )
    votes = wait_rows(
        postgres_server,
        postgres_url,
        "SELECT value FROM votes ORDER BY value",
        lambda found: found == [(-1,), (1,)],
    )
    assert votes == [(-1,), (1,)]  # two people, one vote each: 6101's 👎 replaced their 👍

    # The same report from either replica, and from the command line with the same DATABASE_URL.
    from_first, from_second = report(first, 81201), report(second, 81202)
    assert from_first == from_second
    assert "Questions asked: 4" in from_first and "Answered: 3 (75%)" in from_first
    assert ": 1 / 1" in from_first  # the research answer: 6105's 👍 and 6101's 👎
    command = stats_command(postgres_url, tmp_path)
    assert command.returncode == 0, command.stderr
    assert command.stdout.strip() == from_first.strip()

    for replica in (first, second):
        assert replica.bot.stop() == 0
        assert "Traceback" not in replica.bot.output
        no_secrets(replica.bot.output)
    no_secrets(command.stdout + command.stderr)


def test_a_database_not_there_at_start_costs_no_answer_and_gets_the_questions_once_it_is(
    start_replicas: Callable[..., list[Webhook]], postgres_server: PostgresServer
) -> None:
    name = f"late_{free_port()}"
    url = postgres_server.url(name)
    [replica] = start_replicas(url, count=1)
    assert "249.7 billion yuan" in ask(replica, RESEARCH, 82001, 6201)["text"]  # answered all the same
    assert "Hu Weijia" in ask(replica, "who wrote the article?", 82002, 6202)["text"]
    output = replica.bot.output
    [outage] = [line for line in output.splitlines() if "Question log unavailable" in line]
    assert f'database "{name}" does not exist' in outage and "queued" in outage

    postgres_server.create_database(name)  # the database is back
    try:
        logged = wait_rows(postgres_server, url, "SELECT question FROM questions", lambda found: len(found) == 2)
        assert sorted(q for (q,) in logged) == sorted([RESEARCH, "who wrote the article?"])
        assert replica.bot.stop() == 0
    finally:
        postgres_server.drop_database(name)
    output = replica.bot.output
    assert "Question log written again" in output
    assert "Traceback" not in output
    no_secrets(output)


def test_stats_with_an_unreachable_or_wrong_database_url_is_one_line_and_exit_1(
    postgres_server: PostgresServer, postgres_url: str, tmp_path: Path
) -> None:
    unreachable = postgres_server.url("questions", port=free_port())
    wrong_password = postgres_server.url(database(postgres_url), password="Not-The/Password")
    cases = [
        (unreachable, "error: cannot read the question log postgresql://article_bot:***@127.0.0.1:"),
        (wrong_password, "password authentication failed"),
        ("mysql://bot:Sekret-Value@db/questions", "error: DATABASE_URL must be a PostgreSQL URL"),
    ]
    for url, expected in cases:
        command = stats_command(url, tmp_path)
        assert command.returncode == 1, command
        assert command.stdout == ""
        [line] = command.stderr.splitlines()
        assert expected in line
        assert "Traceback" not in command.stderr
        for secret in (PASSWORD, quote(PASSWORD, safe=""), "Not-The/Password", "Not-The%2FPassword", "Sekret-Value"):
            assert secret not in command.stderr
