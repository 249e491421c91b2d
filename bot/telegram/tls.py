"""The TLS context every connection to the Bot API uses, made in a thread from the start.

Reading certifi's CA bundle takes tens of milliseconds, without Python's lock: in a thread of its own
it costs the start-up nothing, where in line it came before the first call to Telegram.
"""

from __future__ import annotations

import ssl
import threading
from concurrent.futures import Future

_context: Future[ssl.SSLContext] | None = None
_lock = threading.Lock()


def start() -> None:
    """Begin making the context (once)."""
    global _context
    with _lock:
        if _context is not None:
            return
        _context = Future()
    threading.Thread(target=_make, args=(_context,), name="tls-context", daemon=True).start()


def context() -> ssl.SSLContext:
    """The context (httpx's default: certifi's bundle), once made."""
    start()
    assert _context is not None
    return _context.result()


def _make(future: Future[ssl.SSLContext]) -> None:
    try:
        import httpx

        future.set_result(httpx.create_ssl_context())
    except BaseException as exc:  # raised again where the context is needed
        future.set_exception(exc)
