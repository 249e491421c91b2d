"""Signals before the bot is up, whose default actions end the process at once: start-up takes a second
or more (loading the embedding model).

From the first line of ``python -m bot`` a hangup is only noted; once the application's own handler is in
place, a noted one becomes a content reload. A SIGTERM or SIGINT is noted too, and the bot stops as soon as
its own handlers are in place: it exits 0 as after any stop (a platform stopping a bot that was still
starting sees the same exit as always), instead of dying by the signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from types import FrameType

_noted: list[int] = []
STOPS = (signal.SIGTERM, signal.SIGINT)
_stop_noted: list[int] = []


def _note(signum: int, frame: FrameType | None) -> None:
    _noted.append(signum)


def _note_stop(signum: int, frame: FrameType | None) -> None:
    _stop_noted.append(signum)


def defer() -> None:
    with contextlib.suppress(AttributeError, ValueError):  # no SIGHUP on Windows; not the main thread
        signal.signal(signal.SIGHUP, _note)
    with contextlib.suppress(ValueError):
        for signum in STOPS:
            signal.signal(signum, _note_stop)


def restore() -> None:
    """A console command ends on these signals as usual."""
    with contextlib.suppress(AttributeError, ValueError):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    _noted.clear()
    _stop_noted.clear()


def take() -> bool:
    """Whether a hangup came before the application's handler; forgets it."""
    noted = bool(_noted)
    _noted.clear()
    return noted


def stop_taken() -> signal.Signals | None:
    """The SIGTERM or SIGINT that came before the bot's own handlers, if one did; forgets it."""
    noted = signal.Signals(_stop_noted[0]) if _stop_noted else None
    _stop_noted.clear()
    return noted


def hold_stops(loop: asyncio.AbstractEventLoop) -> None:
    """Once the bot has stopped answering: while the event loop winds down, the last questions are written
    to the log and the interpreter ends, a second SIGTERM (a platform's, or an impatient Ctrl-C) is ignored
    rather than fatal. The loop's own handlers are taken off first (closing, it would put the default
    action back), and ignored, not handled: Python also puts every handler of its own back to the default
    as it finalises, and a signal then ended the process by it (exit -15). That stage is bounded
    (STORE_FLUSH_S in bot/telegram/run.py); a platform's SIGKILL, about 10 s after its SIGTERM, still ends it."""
    with contextlib.suppress(ValueError, RuntimeError):
        for signum in STOPS:
            loop.remove_signal_handler(signum)
            signal.signal(signum, signal.SIG_IGN)
