"""Limits: Telegram's on what the bot sends, and the bot's own on what one person may ask."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, ChatMigrated, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

from bot.telegram.transport import undelivered

log = logging.getLogger(__name__)

SERVER_ERROR_RETRIES = 2
UNTHROTTLED = frozenset({"sendChatAction"})
_BACKOFF_S = 0.5


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter (flood limits, 429 retry-after) that also retries Telegram's 5xx answers.

    Only what cannot have been delivered is retried: Telegram's own 5xx answers and failed
    connections. A 400 would fail again, and a timeout or a dropped connection may come after
    Telegram took the message, so repeating those could post the same answer twice.
    A group that became a supergroup meanwhile (ChatMigrated) gets the message at its new id, once.
    """

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if endpoint in UNTHROTTLED:  # posts nothing: not what the flood limits count (see bot/telegram/waiting.py)
            return await callback(*args, **kwargs)
        retries = 0
        migrated = False
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except ChatMigrated as exc:
                if migrated or data.get("chat_id") is None:
                    raise
                migrated = True
                log.info("Chat %s became supergroup %s; %s sent there", data["chat_id"], exc.new_chat_id, endpoint)
                # In place: ``args`` holds this same dict, and it is what the callback sends.
                data["chat_id"] = exc.new_chat_id
            except (BadRequest, TimedOut):
                raise
            except NetworkError as exc:
                if retries == SERVER_ERROR_RETRIES or not undelivered(exc):
                    raise
                retries += 1
                log.info(
                    "%s%s failed (%s); retry %d of %d", endpoint, _to_chat(data), exc, retries, SERVER_ERROR_RETRIES
                )
                await asyncio.sleep(_BACKOFF_S * 2 ** (retries - 1))


def _to_chat(data: dict[str, Any]) -> str:
    """Which chat a request was for, so an owner can tell which one failed."""
    return f" to chat {data['chat_id']}" if data.get("chat_id") is not None else ""


class UserLimiter:
    """At most ``limit`` questions per person per ``window`` seconds (a sliding window).

    ``check`` says whether to answer; when a person first goes over, it says so once
    (``"notice"``), then ``"silent"`` until the window has room again.
    """

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: dict[int, deque[float]] = {}
        self._noticed: set[int] = set()
        self._checks = 0

    def check(self, user_id: int) -> str:
        now = self.clock()
        self._checks += 1
        if self._checks % 1000 == 0:
            self.forget_idle()
        times = self._seen.setdefault(user_id, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self._noticed.discard(user_id)
            return "ok"
        if user_id in self._noticed:
            return "silent"
        self._noticed.add(user_id)
        return "notice"

    def forget_idle(self) -> None:
        """Drop people whose window is empty, so memory does not grow with every user ever seen."""
        now = self.clock()
        for user_id in [u for u, t in self._seen.items() if not t or now - t[-1] >= self.window]:
            del self._seen[user_id]
            self._noticed.discard(user_id)
