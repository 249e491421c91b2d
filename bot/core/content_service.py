"""The content being served, and its reload: one place that owns both.

Handlers ask for ``current`` once per update and use that answerer (and its library) throughout, so a
reload that lands meanwhile never mixes two contents in one reply. A reload builds the new answerer
aside and swaps it in whole; one that fails keeps the old content serving. At start-up the first
answerer may still be loading (bot/core/loading.py): ``ready`` waits for it, and the bot neither polls nor
sets its webhook before.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.core.answers import Answerer
from bot.core.content import ContentError, Library, load_library
from bot.core.loading import Loading

log = logging.getLogger(__name__)


class ContentService:
    def __init__(self, answerer: Answerer | Loading, folder: Path | None = None) -> None:
        self._loading = answerer if isinstance(answerer, Loading) else None
        self._current = answerer if isinstance(answerer, Answerer) else None
        self.folder = folder
        self._reloading = asyncio.Lock()  # SIGHUP and /reload together build one index at a time

    @property
    def current(self) -> Answerer:
        if self._current is None:
            assert self._loading is not None
            self._current = self._loading.result()  # already there once ``ready`` has returned
        return self._current

    @property
    def library(self) -> Library:
        """The content, readable while the model still loads (the profile is sent meanwhile)."""
        if self._current is None and self._loading is not None:
            return self._loading.library
        return self.current.library

    async def ready(self) -> None:
        """Wait for the answerer if it is still being built; raise what building it raised."""
        if self._current is None and self._loading is not None:
            self._current = await self._loading.wait()

    async def reload(self) -> str:
        """Load, validate and index the content again: a report for the admin who asked.
        On any error the previous content keeps serving and the log has its ``file:line`` lines."""
        if self.folder is None:
            return "No content folder configured; nothing reloaded."
        folder, override = self.folder, self.current.override
        async with self._reloading:
            try:
                answerer = await asyncio.to_thread(lambda: Answerer(load_library(folder), override))
            except ContentError as exc:
                log.error("Content reload failed; still serving the previous content:\n%s", exc)
                return "Reload failed; still serving the previous content.\n" + str(exc)
            except Exception as exc:  # whatever went wrong, the old content keeps serving
                log.exception("Content reload failed unexpectedly; still serving the previous content")
                return f"Reload failed; still serving the previous content.\n{type(exc).__name__}: {exc}"
            self._current = answerer
        log.info("Content reloaded: %s", answerer.library.summary())
        return f"Content reloaded: {answerer.library.summary()}"
