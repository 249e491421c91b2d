"""One person's updates in one chat are handled in the order they came; everyone else's meanwhile.

Questions are answered concurrently (one slow reply must not hold up another person's). But two messages
a reader sends in quick succession ("Who is Mao Ning?", "when did she say it?") often come in one
getUpdates, or as two webhook posts at once: handled side by side, the second was read before the first
was answered, so not as a follow-up, and the two replies could arrive swapped. python-telegram-bot's
update processor is the place for this: both the webhook (python-telegram-bot's Updater) and the poller
(bot/telegram/polling.py) hand it every update.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT_UPDATES = 256


def _key(update: object) -> tuple[int, int] | None:
    """Whose turn an update waits for: a person in a chat (messages and button taps); None for the rest
    (inline queries come one per keystroke, and each is answered for itself)."""
    if not isinstance(update, Update) or update.effective_chat is None or update.effective_user is None:
        return None
    return update.effective_chat.id, update.effective_user.id


class InOrderPerPerson(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        # Per person in a chat: the lock their next update waits on, and how many hold or await it.
        self._turns: dict[tuple[int, int], tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        if key is None:
            await coroutine
            return
        lock, waiting = self._turns.get(key, (None, 0))
        lock = lock or asyncio.Lock()  # its waiters are served first come, first served
        self._turns[key] = (lock, waiting + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, waiting = self._turns[key]
            if waiting == 1:
                del self._turns[key]  # nothing kept for people who are not asking
            else:
                self._turns[key] = (lock, waiting - 1)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
