"""The content being served, and its reload: one place that owns both.

Handlers ask for ``current`` once per update and use that answerer (and its library) throughout, so a
reload that lands meanwhile never mixes two contents in one reply. A reload builds the new answerer
aside and swaps it in whole; one that fails keeps the old content serving.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.answers import Answerer
from bot.content import ContentError, load_library

log = logging.getLogger(__name__)


class ContentService:
    def __init__(self, answerer: Answerer, folder: Path | None = None) -> None:
        self._current = answerer
        self.folder = folder
        self._reloading = asyncio.Lock()  # SIGHUP and /reload together build one index at a time

    @property
    def current(self) -> Answerer:
        return self._current

    async def reload(self) -> str:
        """Load, validate and index the content again: a report for the admin who asked.
        On any error the previous content keeps serving and the log has its ``file:line`` lines."""
        if self.folder is None:
            return "No content folder configured; nothing reloaded."
        folder, override = self.folder, self._current.override
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
