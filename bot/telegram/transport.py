"""HTTP to the Bot API: python-telegram-bot's httpx request, made strict about what comes back.

Telegram, or a proxy in front of it, sometimes answers oddly: HTTP 200 with ``{"ok": false}``, an HTML
error page, an empty body. python-telegram-bot then raises a KeyError or logs a traceback for every
such answer. Here every odd answer becomes one ordinary Telegram error, which the poller backs off
from and the error handler logs in one line.

Requests without files go as a JSON body (the Bot API takes application/json): python-telegram-bot
form-encodes them, which for an answer's 1.4 KB with its keyboard cost ten times as much CPU.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from http import HTTPStatus
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.telegram import tls

_JSON = "application/json"
_DefaultValue = type(BaseRequest.DEFAULT_NONE)  # a timeout not given: the client's own


class MalformedAnswer(NetworkError):
    """A 2xx answer that is not a Bot API result. What was asked may have been done: not retried."""


class StrictRequest(HTTPXRequest):
    def __init__(self, connection_pool_size: int = 1, **kwargs: Any) -> None:
        # One TLS context for every client: each would otherwise read the CA bundle again (tens of ms at start).
        kwargs["httpx_kwargs"] = {"verify": _tls(), **kwargs.get("httpx_kwargs", {})}
        super().__init__(connection_pool_size=connection_pool_size, **kwargs)
        # httpcore's pool, given more requests than connections, rescans every waiting request and
        # connection at each turn (a poll of each socket among it): in a burst that cost more than the
        # answers. Requests beyond the pool's size wait here instead, in order, never timing out.
        self._in_flight = asyncio.Semaphore(connection_pool_size)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        async with self._in_flight:
            if request_data is None or request_data.contains_files:
                code, payload = await super().do_request(url, method, request_data, *timeouts)
            else:
                code, payload = await self._send_json(url, method, request_data, *timeouts)
        return _checked(code, payload)

    async def _send_json(
        self, url: str, method: str, request_data: RequestData, read: Any, write: Any, connect: Any, pool: Any
    ) -> tuple[int, bytes]:
        """As HTTPXRequest.do_request sends a request without files, and fails the same ways, but in JSON."""
        client: httpx.AsyncClient = self._client
        default = client.timeout
        timeout = httpx.Timeout(
            connect=default.connect if isinstance(connect, _DefaultValue) else connect,
            read=default.read if isinstance(read, _DefaultValue) else read,
            write=default.write if isinstance(write, _DefaultValue) else write,
            pool=default.pool if isinstance(pool, _DefaultValue) else pool,
        )
        if client.is_closed:
            raise RuntimeError("This HTTPXRequest is not initialized!")
        try:
            response = await client.request(
                method=method,
                url=url,
                headers={"User-Agent": self.USER_AGENT, "Content-Type": _JSON},
                content=json.dumps(request_data.parameters, ensure_ascii=False).encode(),
                timeout=timeout,
            )
        except httpx.PoolTimeout as exc:
            raise TimedOut("Pool timeout: all connections are busy; the request was not sent") from exc
        except httpx.TimeoutException as exc:
            raise TimedOut from exc
        except httpx.HTTPError as exc:
            raise NetworkError(f"httpx.{type(exc).__name__}: {exc}") from exc
        return response.status_code, response.content


def _tls() -> ssl.SSLContext:
    """httpx's default: certifi's CA bundle (made in a thread since the start, bot/telegram/tls.py)."""
    return tls.context()


def _checked(code: int, payload: bytes) -> tuple[int, bytes]:
    """The answer as it came, if it is a Bot API result or error; an odd one as an ordinary Telegram error."""
    try:
        body = json.loads(payload.decode("utf-8", "replace"))
    except ValueError:
        body = None
    success = HTTPStatus.OK <= code <= 299
    if not isinstance(body, dict):
        what = f"HTTP {code} with {len(payload)} bytes that are not a JSON object"
        if success:
            raise MalformedAnswer(f"the Bot API answered {what}")
        # An error status speaks for itself; python-telegram-bot would log the body with a traceback.
        return code, json.dumps({"ok": False, "description": f"{_phrase(code)}: {what}"}).encode()
    if success and (body.get("ok") is not True or "result" not in body):
        reason = body.get("description") or "no result"
        raise MalformedAnswer(f"the Bot API answered HTTP {code} with ok: {body.get('ok')} ({reason})")
    return code, payload


def _phrase(code: int) -> str:
    try:
        return f"{HTTPStatus(code).phrase} ({code})"
    except ValueError:
        return f"HTTP {code}"
