"""Questions that arrive together are embedded together, before each is answered.

A burst comes as up to 100 updates in one getUpdates. The embedding model's forward pass is many small
numpy operations, so embedding 50 questions in one batch costs a few times one question's, not 50 times.
Each handler awaits ``ready`` before it answers; the questions that reach it in the same turn of the
event loop are embedded in one batch just after. This only saves time: answering embeds whatever is
still missing itself (a question read differently, an error here), so nothing is answered without it.
"""

from __future__ import annotations

import asyncio
import logging

from bot.core.answers import Answerer

log = logging.getLogger(__name__)


class EmbedAhead:
    def __init__(self) -> None:
        self._waiting: list[tuple[Answerer, list[str], asyncio.Future[None]]] = []

    async def ready(self, answerer: Answerer, question: str, parts: bool = True, alone: bool = False) -> None:
        """Return once ``question`` (and, with ``parts``, its parts) is embedded, or embedding it failed;
        ``alone``: asked with no answer before it (the quick stage may answer it without embedding)."""
        texts = answerer.unembedded(question, parts, alone)
        if not texts:
            return
        loop = asyncio.get_running_loop()
        if not self._waiting:
            loop.call_soon(self._embed)  # after every handler that runs in this turn of the loop
        future: asyncio.Future[None] = loop.create_future()
        self._waiting.append((answerer, texts, future))
        await future

    def _embed(self) -> None:
        waiting, self._waiting = self._waiting, []
        # After a content reload, questions taken before and after it are embedded by their own answerer.
        for answerer in {id(a): a for a, _, _ in waiting}.values():
            try:
                answerer.embed([text for owner, texts, _ in waiting if owner is answerer for text in texts])
            except Exception:  # each answer embeds again on its own, and its handler reports the error
                log.debug("Embedding ahead failed", exc_info=True)
        for _, _, future in waiting:
            if not future.done():
                future.set_result(None)
