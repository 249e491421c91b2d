"""The answerer (its matcher and the embedding model) built in a thread while the bot connects to Telegram.

Start-up does two slow things that do not depend on each other: loading the model (the tokenizer, the
weights, the content's cached vectors), and reading the content, importing python-telegram-bot and
calling the Bot API (getMe, deleteWebhook, the command menus and the profile). Side by side, the first
poll comes after the slower of the two, not after both. The model needs no content, so it starts first.
Nothing is answered before it is there: the bot waits for it before it polls or sets its webhook.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported by the thread: this module is imported before numpy, to start it early
    from bot.core.answers import Answerer
    from bot.core.content import Library


class Loading:
    def __init__(self) -> None:
        self._content: Future[tuple[Library, float | None]] = Future()
        self._answerer: Future[Answerer] = Future()
        from bot.core import tokenizer

        tokenizer.start()  # outside Python's lock, beside the imports of both threads
        # A daemon: if the content turns out invalid, the process exits without waiting for the model.
        threading.Thread(target=self._load, name="load-model", daemon=True).start()

    def content(self, library: Library, answer_at: float | None) -> None:
        """The content to answer from, once read: the answerer is built as soon as the model is there."""
        self.library = library
        self._content.set_result((library, answer_at))

    async def wait(self) -> Answerer:
        """The answerer, once built; what building it raised, if it failed."""
        import asyncio  # here, not above: this module is imported first thing, to start the thread early

        return await asyncio.wrap_future(self._answerer)

    def result(self) -> Answerer:
        return self._answerer.result()

    def _load(self) -> None:
        try:
            from bot.core.embedding import shared_embedder

            shared_embedder()
            from bot.core.answers import Answerer

            library, answer_at = self._content.result()
            self._answerer.set_result(Answerer(library, answer_at))
        except BaseException as exc:  # raised again where the answerer is awaited
            self._answerer.set_exception(exc)
