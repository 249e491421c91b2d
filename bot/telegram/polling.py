"""Long polling that nothing wedges and that loses no question at shutdown.

In place of python-telegram-bot's Updater, for what it cannot be configured to do:
- Each update is parsed on its own: one malformed update is skipped in a log line, the offset still
  moves past it, and the rest of the batch is answered (the Updater refetched the whole batch forever).
- Telegram forgets every update below the offset a getUpdates sends. The offset sent here stays at the
  oldest update whose answer is still on its way, so one not delivered when the process stops (a reply
  waiting out a 429, say) is fetched again on the next start. While one is held, polls cannot wait on
  Telegram's side (they would return at once, with it, forever): they come once a second instead.
  Updates answered after it are noted in a small file beside the question log, so the next start
  does not answer them twice. Telegram returns at most 100 updates from the offset, so it is held at
  most HELD_WINDOW updates back; an answer older than that, still under way at the stop, is kept in
  that file and answered at the next start.
- Failures back off with one line each, and a second process polling with the same token (409
  Conflict, again and again) ends this one with a clear line instead of splitting the traffic.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, TelegramError, TimedOut
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

# RequestData's parts are not exported; python-telegram-bot is pinned to 22.x, and the e2e tests poll through it.
from telegram.request._requestparameter import RequestParameter

from bot.telegram.updates import parse_update, update_id

log = logging.getLogger(__name__)

CONFLICTS_TO_EXIT = 3
BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 30.0
HELD_POLL_S = 1.0  # how often to poll while the offset is held
HELD_WINDOW = 50  # updates the offset may lag: each poll still has room for 50 new ones
MAX_PENDING = 256  # answers under way before polling waits for one to finish
CONFIRM_TIMEOUT_S = 2.0
_READ_ALLOWANCE_S = 5.0  # beyond the long-poll timeout, before a poll counts as stalled


class PollingConflict(Exception):
    """Another process is polling with this token."""


class Poller:
    def __init__(
        self,
        application: Application,
        request: BaseRequest,
        timeout: int,
        allowed_updates: list[str],
        state_file: Path | None = None,
    ) -> None:
        self.application = application
        self.request = request
        self.timeout = timeout
        self.allowed_updates = allowed_updates
        self.state_file = state_file
        self._pending: dict[int, asyncio.Task[None]] = {}
        self._raw: dict[int, dict[str, Any]] = {}  # of the pending ones, to keep them if they must wait
        # Ids at or above the last offset sent that were taken on (answered, pending or unreadable).
        self._seen, self._carried = _read_state(state_file)
        self._next_offset = 0
        self._finished = asyncio.Event()

    @property
    def offset(self) -> int:
        """Everything below it is answered, unreadable or (beyond the window) kept: Telegram may forget it."""
        return max(min(self._pending, default=self._next_offset), self._next_offset - HELD_WINDOW)

    async def run(self, stopping: asyncio.Event) -> None:
        """Poll and dispatch until ``stopping`` is set; PollingConflict if another process polls."""
        failures = conflicts = 0
        if self._carried:
            log.info("Answering %d update(s) kept from the last stop", len(self._carried))
            self._take(self._carried)
            self._carried = []
        while not stopping.is_set():
            held = any(number >= self.offset for number in self._pending)
            try:
                batch = await _unless(stopping, self._get_updates(self.offset, 0 if held else self.timeout))
            except InvalidToken:
                raise
            except Conflict as exc:
                conflicts += 1
                if conflicts >= CONFLICTS_TO_EXIT:
                    raise PollingConflict(str(exc)) from None
                log.warning("getUpdates: %s (%d of %d before stopping)", exc, conflicts, CONFLICTS_TO_EXIT)
                await _wait(stopping, BACKOFF_FIRST_S)
                continue
            except TimedOut as exc:  # a stalled long poll: the wait is already behind us
                log.warning("getUpdates timed out (%s); polling again", exc)
                continue
            except TelegramError as exc:
                failures += 1
                delay = min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** (failures - 1))
                log.warning("getUpdates failed (%s: %s); trying again in %.0f s", type(exc).__name__, exc, delay)
                await _wait(stopping, delay)
                continue
            if batch is None:  # stopping
                break
            failures = conflicts = 0
            self._take(batch)
            await _unless(stopping, self._settle())

    async def _settle(self) -> None:
        """Before the next poll: the answers just taken on are done (usually in milliseconds), or a
        second has passed; and fewer than MAX_PENDING are under way."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + HELD_POLL_S
        while self._pending and (loop.time() < deadline or len(self._pending) >= MAX_PENDING):
            self._finished.clear()
            timeout = max(0.0, deadline - loop.time()) if len(self._pending) < MAX_PENDING else None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._finished.wait(), timeout)

    async def finish(self, grace: float) -> None:
        """Give pending answers ``grace`` seconds, then confirm to Telegram what was answered."""
        if self._pending:
            log.info("Stopping: waiting up to %.0f s for %d answer(s) under way", grace, len(self._pending))
            await asyncio.wait(list(self._pending.values()), timeout=grace)
        undelivered = sorted(self._pending)
        offset = self.offset
        kept = [self._raw[number] for number in undelivered if number < offset]
        for task in list(self._pending.values()):
            task.cancel()
        await asyncio.gather(*self._pending.values(), return_exceptions=True)
        if undelivered:
            log.warning(
                "Stopped before answering update(s) %s; they are answered at the next start",
                ", ".join(map(str, undelivered)),
            )
            answered = [n for n in sorted(self._seen) if n >= offset and n not in undelivered]
            _write_state(self.state_file, answered, kept)
        if offset > 0:
            try:
                await asyncio.wait_for(self._get_updates(offset, 0, limit=1), CONFIRM_TIMEOUT_S)
            except (TelegramError, TimeoutError) as exc:
                log.warning("Could not confirm the answered updates (%s); some may be answered again", exc)

    def _take(self, batch: list[Any]) -> None:
        for raw in batch:
            number = update_id(raw)
            if number is None:
                log.warning("Skipped an update without an update_id")
                continue
            self._next_offset = max(self._next_offset, number + 1)
            if number in self._seen:  # still pending, or fetched again while another was
                continue
            self._seen.add(number)
            update = parse_update(raw, self.application.bot)
            if update is not None:
                self._raw[number] = raw
                self._pending[number] = asyncio.create_task(self._process(update), name=f"update-{number}")
        offset = self.offset
        self._seen = {number for number in self._seen if number >= offset}

    async def _process(self, update: Update) -> None:
        try:
            # Through the application's update processor, as the webhook's updates go: one person's in turn.
            await self.application.update_processor.process_update(update, self.application.process_update(update))
        except Exception:  # handler errors go to the error handler; this is the dispatcher itself failing
            log.exception("Update %s could not be processed", update.update_id)
        finally:
            self._pending.pop(update.update_id, None)
            self._raw.pop(update.update_id, None)
            self._finished.set()

    async def _get_updates(self, offset: int, timeout: int, limit: int = 100) -> list[Any]:
        parameters = {"offset": offset, "timeout": timeout, "limit": limit, "allowed_updates": self.allowed_updates}
        result = await self.request.post(
            url=f"{self.application.bot.base_url}/getUpdates",
            request_data=RequestData([RequestParameter.from_input(k, v) for k, v in parameters.items()]),
            read_timeout=timeout + _READ_ALLOWANCE_S,
        )
        if not isinstance(result, list):
            raise TelegramError(f"getUpdates answered {type(result).__name__}, not a list of updates")
        return result


def _read_state(path: Path | None) -> tuple[set[int], list[dict[str, Any]]]:
    """What the last run left: ids it answered above the offset it confirmed, and updates it confirmed
    but did not answer. Read once; then the file goes."""
    if path is None or not path.exists():
        return set(), []
    try:
        state = json.loads(path.read_text())
        path.unlink()
        answered = {n for n in state.get("answered", []) if isinstance(n, int)}
        kept = [raw for raw in state.get("kept", []) if update_id(raw) is not None]
    except (OSError, ValueError, AttributeError) as exc:
        log.warning("Ignored %s (%s): what was under way at the last stop may be answered twice or not", path, exc)
        return set(), []
    return answered, kept


def _write_state(path: Path | None, answered: list[int], kept: list[dict[str, Any]]) -> None:
    if path is None:
        return
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)  # it may hold questions
        with os.fdopen(descriptor, "w") as out:
            json.dump({"answered": answered, "kept": kept}, out)
    except (OSError, ValueError) as exc:
        log.warning("Could not keep what was under way in %s (%s): it may be answered twice or not", path, exc)


async def _unless(stopping: asyncio.Event, work: Coroutine[Any, Any, Any]) -> Any:
    """``work``'s result, or None if ``stopping`` is set first (``work`` is then cancelled)."""
    task = asyncio.ensure_future(work)
    stop = asyncio.ensure_future(stopping.wait())
    try:
        await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return None
    return task.result()


async def _wait(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)
