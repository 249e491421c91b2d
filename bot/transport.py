"""HTTP to the Bot API: python-telegram-bot's httpx request, made strict about what comes back.

Telegram, or a proxy in front of it, sometimes answers oddly: HTTP 200 with ``{"ok": false}``, an HTML
error page, an empty body. python-telegram-bot then raises a KeyError or logs a traceback for every
such answer. Here every odd answer becomes one ordinary Telegram error, which the poller backs off
from and the error handler logs in one line.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from telegram.error import NetworkError
from telegram.request import HTTPXRequest


class MalformedAnswer(NetworkError):
    """A 2xx answer that is not a Bot API result. What was asked may have been done: not retried."""


class StrictRequest(HTTPXRequest):
    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, payload = await super().do_request(*args, **kwargs)
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
