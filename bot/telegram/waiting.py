"""A group whose answer waits behind Telegram's per-group limit sees "typing…" meanwhile.

Telegram shows a chat action for about 5 seconds, and chat actions post nothing, so they are not what
its flood limits count: they bypass the bot's flood limiter (bot/telegram/limits.py), or each would queue behind
the very answer it announces. One action per chat at a time, however many answers wait there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import TelegramError

log = logging.getLogger(__name__)

T = TypeVar("T")

TYPING_AFTER_S = 2.0  # an answer this late is waiting behind the limit, not being computed
TYPING_EVERY_S = 4.5  # just before Telegram stops showing the last one
_FORGET_AFTER_S = 60.0


class Typing:
    def __init__(
        self, after: float = TYPING_AFTER_S, every: float = TYPING_EVERY_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.after, self.every, self.clock = after, every, clock
        self._last: dict[int, float] = {}  # chat id → when "typing" was last sent

    async def while_waiting(self, chat_id: int, send: Awaitable[T], show: Callable[[], Awaitable[object]]) -> T:
        """``send``'s result; ``show()`` (the chat action) meanwhile if it takes longer than ``after``."""
        task = asyncio.ensure_future(send)
        delay = self.after
        while True:
            done, _ = await asyncio.wait({task}, timeout=delay)
            if done:
                return task.result()
            delay = self.every
            now = self.clock()
            if now - self._last.get(chat_id, -_FORGET_AFTER_S) < self.every:
                continue  # another waiting answer in this chat has just shown it
            self._last[chat_id] = now
            self._forget(now)
            with contextlib.suppress(TelegramError):  # only a courtesy: the answer matters
                await show()

    def _forget(self, now: float) -> None:
        for chat_id in [c for c, t in self._last.items() if now - t > _FORGET_AFTER_S]:
            del self._last[chat_id]
