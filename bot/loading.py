"""The answerer (its matcher and the embedding model) built in a thread while the bot connects to Telegram.

Start-up does two slow things that do not depend on each other: loading the model and the content's
vectors, and importing python-telegram-bot and calling the Bot API (getMe, deleteWebhook, the command
menus and the profile). Side by side, the first poll comes after the slower of the two, not after both.
Nothing is answered before the model is there: the bot waits for it before it polls or sets its webhook.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future, ThreadPoolExecutor

from bot.answers import Answerer
from bot.content import Library


class Loading:
    def __init__(self, library: Library, answer_at: float | None) -> None:
        self.library = library
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="load-model")
        self._future: Future[Answerer] = executor.submit(Answerer, library, answer_at)
        executor.shutdown(wait=False)  # its one job still runs; the thread ends with it

    async def wait(self) -> Answerer:
        """The answerer, once built; what building it raised, if it failed."""
        return await asyncio.wrap_future(self._future)

    def result(self) -> Answerer:
        return self._future.result()
