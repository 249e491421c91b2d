"""SIGHUP before the bot is up: its default action ends the process, and start-up takes a second or
more (loading the embedding model). From the first line of ``python -m bot`` a hangup is only noted;
once the application's own handler is in place, a noted one becomes a content reload."""

from __future__ import annotations

import contextlib
import signal
from types import FrameType

_noted: list[int] = []


def _note(signum: int, frame: FrameType | None) -> None:
    _noted.append(signum)


def defer() -> None:
    with contextlib.suppress(AttributeError, ValueError):  # no SIGHUP on Windows; not the main thread
        signal.signal(signal.SIGHUP, _note)


def restore() -> None:
    with contextlib.suppress(AttributeError, ValueError):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    _noted.clear()


def take() -> bool:
    """Whether a hangup came before the application's handler; forgets it."""
    noted = bool(_noted)
    _noted.clear()
    return noted
