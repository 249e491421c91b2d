"""Webhook mode: the real process, python-telegram-bot's webhook server, posts as Telegram makes them."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from tests.botapi_server import too_many_requests
from tests.e2e.conftest import TOKEN_SECRET, BotProcess, update

SECRET = "webhook-secret-value_42"
QUESTION = "How much does China spend on basic research?"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Webhook:
    """The bot in webhook mode, and a way to post to it as Telegram (or anyone else) would."""

    def __init__(self, bot: BotProcess, port: int) -> None:
        self.bot = bot
        self.port = port

    def post(
        self, body: bytes | dict[str, Any], path: str = "/hook/article", secret: str | None = SECRET, **headers: str
    ) -> int:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method="POST")
        request.add_header("Content-Type", "application/json")
        if secret is not None:
            request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
        for name, value in headers.items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code


@pytest.fixture
def webhook(start_bot: Callable[..., BotProcess]) -> Webhook:
    port = free_port()
    bot = start_bot(
        TELEGRAM_WEBHOOK_URL="https://bot.example.org/hook/article",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        PORT=str(port),
        ARTICLE_BOT_LISTEN="127.0.0.1",
    )
    bot.wait_output(f"listening on 127.0.0.1:{port}")  # setWebhook may come before the server listens
    return Webhook(bot, port)


def numbered(text: str, update_id: int, chat_id: int) -> dict[str, Any]:
    return {**update(text, chat_id=chat_id, user_id=chat_id), "update_id": update_id}


def test_the_webhook_is_set_with_its_secret_and_a_question_posted_to_it_is_answered(webhook: Webhook) -> None:
    [set_webhook] = webhook.bot.server.calls("setWebhook")
    assert set_webhook["url"] == "https://bot.example.org/hook/article"
    assert set_webhook["secret_token"] == SECRET
    assert sorted(set_webhook["allowed_updates"]) == ["callback_query", "inline_query", "message"]

    assert webhook.post(numbered(QUESTION, 70001, 7101)) == 200
    [reply] = webhook.bot.replies_to(7101)
    assert "249.7 billion yuan" in reply["text"]
    assert webhook.bot.server.calls("getUpdates") == []  # no long polling beside the webhook


def test_posts_without_the_secret_or_elsewhere_or_with_junk_are_refused_and_the_bot_goes_on(webhook: Webhook) -> None:
    assert webhook.post(numbered(QUESTION, 70011, 7111), secret=None) == 403
    assert webhook.post(numbered(QUESTION, 70012, 7112), secret="guessed-secret") == 403
    assert webhook.post(numbered(QUESTION, 70013, 7113), path="/other") == 404
    assert webhook.post(b"\x00not json at all{") >= 400
    assert webhook.post(b"[1, 2, 3]") >= 400
    malformed = numbered("who wrote it?", 70014, 7114)
    del malformed["message"]["chat"]["type"]
    assert webhook.post(malformed) == 400

    assert webhook.post(numbered(QUESTION, 70015, 7115)) == 200
    [reply] = webhook.bot.replies_to(7115)
    assert "249.7 billion yuan" in reply["text"]
    assert not [p for p in webhook.bot.server.sent() if p.get("chat_id") in (7111, 7112, 7113, 7114)]
    assert webhook.bot.stop() == 0
    output = webhook.bot.output
    assert "Traceback" not in output and "CRITICAL" not in output
    assert "refused an update that cannot be read" in output


def test_sigterm_exits_0_in_time_and_neither_token_nor_secret_is_logged(webhook: Webhook) -> None:
    assert webhook.post(numbered(QUESTION, 70021, 7121)) == 200
    webhook.bot.replies_to(7121)
    assert webhook.bot.stop() == 0
    assert webhook.bot.stop_seconds is not None and webhook.bot.stop_seconds < 10
    assert TOKEN_SECRET not in webhook.bot.output and SECRET not in webhook.bot.output


def test_sigterm_while_an_answer_waits_out_a_long_429_still_exits_0_in_time(webhook: Webhook) -> None:
    webhook.bot.server.fail_next("sendMessage", 429, too_many_requests(retry_after=30))
    assert webhook.post(numbered(QUESTION, 70031, 7131)) == 200
    webhook.bot.server.wait_for("sendMessage", predicate=lambda c: c.status == 429)
    assert webhook.bot.stop() == 0
    assert not webhook.bot.killed and webhook.bot.stop_seconds is not None and webhook.bot.stop_seconds < 10
    assert "Traceback" not in webhook.bot.output and "Task was destroyed" not in webhook.bot.output
