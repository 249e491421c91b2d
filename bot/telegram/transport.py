"""HTTP to the Bot API: python-telegram-bot's BaseRequest on aiohttp, made strict about what comes back.

Why aiohttp and not python-telegram-bot's own HTTPXRequest: in the live process httpx spent ~1.3 ms of
Python on each request (client, httpcore's pool, h11) where aiohttp, with its parser and writer in C,
spends ~0.5 ms; that was a third of what an answer cost the bot, and it is paid twice per answer (the
poll that brings the question, the reply). Measured by benchmarks/latency.py: p50 1.40x -> 1.27x the
echo handler, a burst 357 -> 534 answers/s, 7.0 -> 5.8 ms of CPU an answer.

Telegram, or a proxy in front of it, sometimes answers oddly: HTTP 200 with ``{"ok": false}``, an HTML
error page, an empty body. python-telegram-bot then raises a KeyError or logs a traceback for every
such answer. Here every odd answer becomes one ordinary Telegram error, which the poller backs off
from and the error handler logs in one line.

Requests without files go as a JSON body (the Bot API takes application/json): python-telegram-bot's
form-encoding of an answer's 1.4 KB with its keyboard cost ten times as much CPU. Proxies are taken
from HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY, as httpx did; a SOCKS proxy is refused in one
line rather than gone around.
"""

from __future__ import annotations

import asyncio
import functools
import json
import urllib.parse
import urllib.request
from http import HTTPStatus
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.telegram import tls

_JSON = "application/json"
_DefaultValue = type(BaseRequest.DEFAULT_NONE)  # a timeout not given: this request's own


class MalformedAnswer(NetworkError):
    """A 2xx answer that is not a Bot API result. What was asked may have been done: not retried."""


class StrictRequest(BaseRequest):
    """One aiohttp session with ``connection_pool_size`` keep-alive connections. Timeouts as
    HTTPXRequest's defaults; aiohttp has no write timeout of its own, so a request with files gets
    ``media_write_timeout`` plus the read timeout as its deadline in all (the rest are small enough for
    the socket's buffer)."""

    def __init__(
        self,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        # Requests beyond the pool's size wait here, in order and never timing out, rather than in the
        # connector, whose connect timeout would count the wait for a free connection.
        self._in_flight = asyncio.Semaphore(connection_pool_size)

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ssl=tls.context())
            # Proxies are read here (_proxy), not by aiohttp's trust_env, which skips ALL_PROXY and https:// proxies.
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

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
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This StrictRequest is not initialized!")
        read = self._read_timeout if isinstance(read_timeout, _DefaultValue) else read_timeout
        connect = self._connect_timeout if isinstance(connect_timeout, _DefaultValue) else connect_timeout
        files = request_data is not None and request_data.contains_files
        if files:
            # aiohttp starts the read timer once the body is buffered, not sent: an upload gets one
            # deadline for writing and reading both instead.
            write = self._media_write_timeout if isinstance(write_timeout, _DefaultValue) else write_timeout
            total = None if write is None or read is None else write + read
            timeout = aiohttp.ClientTimeout(total=total, connect=connect, sock_connect=connect)
        else:
            # ``connect`` also bounds the name lookup and a proxy's answer, as httpx's connect timeout does.
            timeout = aiohttp.ClientTimeout(connect=connect, sock_connect=connect, sock_read=read)
        headers = {"User-Agent": self.USER_AGENT}
        body: bytes | aiohttp.FormData | None = None
        if request_data is not None and files:
            body = _form(request_data)
        elif request_data is not None:
            headers["Content-Type"] = _JSON
            body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
        try:
            async with (
                self._in_flight,
                # No redirects, as python-telegram-bot's client: a POST would be sent again as a GET without
                # its body, and a mistyped TELEGRAM_BASE_URL look like the bot's own error.
                session.request(
                    method, url, data=body, headers=headers, timeout=timeout, proxy=_proxy(url), allow_redirects=False
                ) as response,
            ):
                code, payload = response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's ServerTimeoutError is one too
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            # The class names what failed; aiohttp's messages name the host, never the URL with the token.
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
        return _checked(code, payload)


def undelivered(error: NetworkError) -> bool:
    """Whether a failed request surely did not take effect: an error answer from the Bot API, or no
    connection at all. Any other failure on the way (reset, disconnect) and an odd 2xx answer may come
    after Telegram acted on it."""
    if isinstance(error, MalformedAnswer | UnsupportedProxy):
        return False
    cause = error.__cause__
    if isinstance(cause, RuntimeError):  # the session is closed: the bot is stopping, trying again cannot help
        return False
    return isinstance(cause, aiohttp.ClientConnectorError) or not isinstance(cause, aiohttp.ClientError)


class UnsupportedProxy(NetworkError):
    """The environment names a proxy aiohttp cannot use (SOCKS): said in one line, never bypassed."""


@functools.lru_cache(maxsize=8)
def _proxy_for(scheme: str, host: str) -> str | None:
    proxies = urllib.request.getproxies()  # HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, any case
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(host):  # NO_PROXY
        return None
    if urllib.parse.urlsplit(proxy).scheme not in ("http", "https"):
        name = f"{scheme.upper()}_PROXY" if proxies.get(scheme) else "ALL_PROXY"
        kind = urllib.parse.urlsplit(proxy).scheme
        raise UnsupportedProxy(
            f"{name} names a {kind} proxy, which the bot cannot use: give an http:// one, or unset it"
        )
    return proxy


def _proxy(url: str) -> str | None:
    """The proxy the environment names for ``url``, as curl, pip and httpx read it; None to go direct."""
    split = urllib.parse.urlsplit(url)
    return _proxy_for(split.scheme, split.hostname or "")


def _form(request_data: RequestData) -> aiohttp.FormData:
    """A request with files, as python-telegram-bot would send it: multipart, the other parameters as fields."""
    form = aiohttp.FormData(quote_fields=False)  # file names in UTF-8 as they are, as httpx sends them
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


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
