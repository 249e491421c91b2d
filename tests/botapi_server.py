"""A fake Telegram Bot API server for end-to-end tests, on the standard library only.

It listens on 127.0.0.1 (an ephemeral port), answers ``/bot<token>/<method>`` like Telegram does, keeps a
queue of updates for real long polling, records every call, and can inject faults (error answers, delays,
dropped connections, flood limits). Like Telegram it refuses what Telegram refuses: HTML outside its subset,
inline buttons without an action or with callback data over 64 bytes, texts over 4,096 characters, an edit
that changes nothing. A long poll still waiting when a newer getUpdates arrives is answered 409 Conflict,
as Telegram does (this also ends the poll python-telegram-bot abandons when it stops).

Every public method is thread-safe: tests call it from the pytest thread while the HTTP server answers the
bot process from its own threads.

    server = FakeBotAPI(token="4242:secret").start()
    server.push_update({"message": {...}})
    [reply] = server.wait_for("sendMessage", predicate=lambda call: call["chat_id"] == 111)
    server.stop()
"""

from __future__ import annotations

import contextlib
import copy
import email.parser
import email.policy
import itertools
import json
import math
import re
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests import html_check
from tests.identity import BOT_USER

# python-telegram-bot sends string parameters as they are and everything else JSON-encoded, so a value is
# decoded with json.loads unless the parameter is one Telegram types as a string (a text "42" stays "42").
STRING_PARAMS = frozenset(
    {
        "action", "address", "business_connection_id", "callback_query_id", "caption", "currency", "custom_title",
        "description", "emoji", "explanation", "file_id", "first_name", "foursquare_id", "foursquare_type",
        "game_short_name", "google_place_id", "google_place_type", "inline_message_id", "inline_query_id",
        "language_code", "last_name", "message_effect_id", "name", "next_offset", "parse_mode", "payload",
        "phone_number", "pre_checkout_query_id", "provider_token", "question", "secret_token",
        "shipping_query_id", "short_description", "start_parameter", "switch_pm_parameter", "switch_pm_text",
        "text", "title", "url", "vcard",
    }
)  # fmt: skip

# Methods that post a message into a chat, to which Telegram's flood limits apply.
SENDING_METHODS = frozenset(
    {
        "sendMessage", "sendPhoto", "sendAudio", "sendDocument", "sendVideo", "sendAnimation", "sendVoice",
        "sendVideoNote", "sendMediaGroup", "sendLocation", "sendVenue", "sendContact", "sendPoll", "sendDice",
        "sendSticker", "sendInvoice", "sendGame", "copyMessage", "forwardMessage",
    }
)  # fmt: skip


def error_body(status: int, description: str, **parameters: Any) -> dict[str, Any]:
    """Telegram's error answer: ``{"ok": false, "error_code": ..., "description": ...}``."""
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


def too_many_requests(retry_after: int = 1) -> dict[str, Any]:
    return error_body(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


class ApiError(Exception):
    """Raised inside a method's implementation to answer with Telegram's error shape."""

    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status = status
        self.body = error_body(status, description, **parameters)


@dataclass(frozen=True)
class RawRequest:
    """One HTTP request exactly as it arrived (the path carries the token; the body must not)."""

    http_method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content_type: str
    content: bytes


@dataclass
class Call:
    """One Bot API call: its decoded parameters and, once decided, the status and body it was answered with."""

    method: str
    params: dict[str, Any]
    path: str
    content_type: str
    received_at: float
    status: int | None = None
    response: dict[str, Any] | bytes | None = None  # bytes: a body that is not JSON (see fail_next)
    dropped: bool = False  # carried out, but the connection was closed before the answer (see drop_next)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return self.response.get("result") if isinstance(self.response, dict) else None

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)


class WaitTimeout(AssertionError):
    """``wait_for`` gave up: the calls did not arrive (or the bot process died)."""


def decode_params(content_type: str, body: bytes, query: str = "") -> dict[str, Any]:
    """The parameters of a request, whether sent in the query string, as JSON, form-encoded or multipart."""
    params: dict[str, Any] = {name: _decode_value(name, value) for name, value in parse_qsl(query)}
    mime = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return params
    if mime == "application/json":
        decoded = json.loads(body)
        if not isinstance(decoded, dict):
            raise ApiError(400, "Bad Request: the JSON body must be an object")
        params.update(decoded)
    elif mime == "multipart/form-data":
        params.update(_decode_multipart(content_type, body))
    else:  # application/x-www-form-urlencoded, or no content type at all
        text = body.decode("utf-8")
        params.update({name: _decode_value(name, value) for name, value in parse_qsl(text, keep_blank_values=True)})
    return params


def _decode_value(name: str, value: str) -> Any:
    if name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # a plain string such as "@channelusername"


def _decode_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            params[name] = UploadedFile(filename, part.get_content_type(), payload)
        else:
            charset = part.get_content_charset() or "utf-8"
            params[name] = _decode_value(name, payload.decode(charset))
    return params


BUTTON_ACTIONS = frozenset(
    {"url", "callback_data", "switch_inline_query", "switch_inline_query_current_chat",
     "switch_inline_query_chosen_chat", "login_url", "web_app", "callback_game", "pay", "copy_text"}
)  # fmt: skip


def plain_text(text: str, parse_mode: str | None) -> str:
    """What the recipient reads: Telegram strips the markup from ``text`` (or refuses it, as Telegram does)."""
    if (parse_mode or "").upper() != "HTML":
        return text
    shown, problems = html_check.parse(text)
    if problems:
        raise ApiError(400, f"Bad Request: can't parse entities: {problems[0]}")
    return shown


def check_reply_markup(markup: Any) -> None:
    """Refuse inline keyboards Telegram would refuse: empty buttons, no action, callback data over 64 bytes."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return
    for row in markup["inline_keyboard"]:
        for button in row:
            if not str(button.get("text", "")).strip():
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            if sum(1 for action in BUTTON_ACTIONS if action in button) != 1:
                raise ApiError(400, "Bad Request: exactly one of the optional button fields must be used")
            if "callback_data" in button and not 1 <= len(str(button["callback_data"]).encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


_PATH = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)/?")


class FakeBotAPI:
    def __init__(self, token: str | None = None, bot_user: dict[str, Any] | None = None) -> None:
        """``token``: if given, requests with another token are answered 401 like Telegram does."""
        self.token = token
        self.bot_user = dict(bot_user or BOT_USER)
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._stopped = threading.Event()
        self._abort_reason: str | None = None
        self._requests: list[RawRequest] = []
        self._calls: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._poll_generation = 0
        self._failures: dict[str, deque[tuple[int, dict[str, Any] | bytes]]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._drops: dict[str, int] = {}
        self._message_ids = itertools.count(5001)
        self._chats: dict[Any, dict[str, Any]] = {}
        self._messages: dict[tuple[Any, int], dict[str, Any]] = {}
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._limits: tuple[int, int] | None = None
        self._migrated: dict[int, int] = {}
        self._sent_global: deque[float] = deque()
        self._sent_per_chat: dict[Any, deque[float]] = {}
        self._rejections = 0
        self.keep_alive = True
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------------------------

    def start(self) -> FakeBotAPI:
        httpd = _Server(("127.0.0.1", 0), _Handler)
        httpd.daemon_threads = True
        httpd.api = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-bot-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; pending long polls answer at once and pending ``wait_for`` calls give up."""
        self._stopped.set()
        with self._changed:
            self._abort_reason = self._abort_reason or "the fake Bot API server was stopped"
            self._changed.notify_all()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeBotAPI:
        return self if self._httpd else self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start() the server first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def abort_waits(self, reason: str) -> None:
        """Make every ``wait_for`` that cannot be satisfied yet fail at once (e.g. the bot process died)."""
        with self._changed:
            self._abort_reason = reason
            self._changed.notify_all()

    # -- what tests feed in -----------------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates; assigns ``update_id`` if missing. Returns the queued copy."""
        update = copy.deepcopy(update)
        with self._changed:
            if "update_id" not in update:
                update["update_id"] = self._next_update_id
            self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
            self._remember(update)
            self._updates.append(update)
            self._updates.sort(key=lambda u: u["update_id"])
            self._changed.notify_all()
        return update

    def push_updates(self, updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Queue several updates at once: a getUpdates waiting meanwhile returns them all, in one batch."""
        with self._changed:  # re-entrant: each push_update takes it again
            return [self.push_update(update) for update in updates]

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by the bot (a getUpdates with a higher offset)."""
        with self._lock:
            return copy.deepcopy(self._updates)

    def fail_next(self, method: str, status: int, body: dict[str, Any] | bytes | None = None, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with ``status`` and ``body``: Telegram's error shape,
        any other JSON object (``{"ok": false}`` with status 200, say), or bytes sent as they are (an HTML
        page from a proxy)."""
        body = body if body is not None else error_body(status, f"Error {status}")
        with self._lock:
            queue = self._failures.setdefault(method, deque())
            queue.extend((status, copy.deepcopy(body)) for _ in range(times))

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Hold the next ``times`` answers to ``method`` for ``seconds`` (the client may time out first)."""
        with self._lock:
            self._delays.setdefault(method, deque()).extend([seconds] * times)

    def drop_next(self, method: str, times: int = 1) -> None:
        """Carry out the next ``times`` calls of ``method`` but close the connection instead of answering:
        the message is delivered, the client cannot know it."""
        with self._lock:
            self._drops[method] = self._drops.get(method, 0) + times

    def close_every_connection(self) -> None:
        """Answer with ``Connection: close`` from now on, so that every request opens a new connection (as
        after Telegram closes idle ones): with a host name to resolve, each one goes through a name lookup."""
        self.keep_alive = False

    def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """The group ``old_chat_id`` became the supergroup ``new_chat_id``: from now on every call for the old
        id is answered as Telegram does, 400 with ``parameters.migrate_to_chat_id``."""
        with self._lock:
            self._migrated[old_chat_id] = new_chat_id

    def enforce_limits(self, per_chat_per_minute_groups: int = 20, global_per_second: int = 30) -> None:
        """From now on, answer message sending beyond Telegram's flood limits with 429 and ``retry_after``."""
        with self._lock:
            self._limits = (per_chat_per_minute_groups, global_per_second)
            self._sent_global.clear()
            self._sent_per_chat.clear()

    @property
    def rejections(self) -> int:
        """How many 429s ``enforce_limits`` has given."""
        with self._lock:
            return self._rejections

    # -- what tests read --------------------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Every recorded call of ``method`` (or of all methods), failed ones included (see ``Call.ok``)."""
        with self._lock:
            return [call for call in self._calls if method is None or call.method == method]

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        """The parameters of the calls of ``method`` that succeeded: what users actually received."""
        return [call.params for call in self.calls(method) if call.ok]

    @property
    def requests(self) -> list[RawRequest]:
        """Every HTTP request as it arrived, raw path and body included."""
        with self._lock:
            return list(self._requests)

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 15.0,
        predicate: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Block until ``count`` calls of ``method`` (matching ``predicate``) were recorded; return them all."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                matched = [c for c in self._calls if c.method == method and (predicate is None or predicate(c))]
                if len(matched) >= count:
                    return matched
                remaining = deadline - time.monotonic()
                if self._abort_reason is not None or remaining <= 0:
                    seen = ", ".join(f"{c.method}:{c.status}" for c in self._calls[-20:]) or "nothing"
                    why = self._abort_reason or f"timed out after {timeout:g} s"
                    raise WaitTimeout(
                        f"expected {count} {method} call(s), got {len(matched)} ({why}); last calls: {seen}"
                    )
                self._changed.wait(remaining)

    # -- the HTTP side ----------------------------------------------------------------------------------------

    def handle(
        self, http_method: str, raw_path: str, headers: dict[str, str], body: bytes, arrived: float | None = None
    ) -> tuple[int, dict[str, Any] | bytes | None]:
        """Answer one HTTP request: (status, JSON body or raw bytes), or a None body to close the connection
        unanswered."""
        with self._changed:
            self._requests.append(RawRequest(http_method, raw_path, headers, body))
        split = urlsplit(raw_path)
        match = _PATH.fullmatch(split.path)
        if match is None:
            return 404, error_body(404, "Not Found")
        if self.token is not None and match["token"] != self.token:
            return 401, error_body(401, "Unauthorized")
        method = match["method"]
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        try:
            params = decode_params(content_type, body, split.query)
        except (ApiError, ValueError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            return 400, error_body(400, f"Bad Request: can't parse the request: {exc}")

        call = Call(method, params, raw_path, content_type, time.monotonic())
        with self._changed:
            fault = self._pop(self._failures, method)
            delay = self._pop(self._delays, method)
            if self._drops.get(method):
                self._drops[method] -= 1
                call.dropped = True
            if fault is not None:
                call.status, call.response = fault[0], fault[1]
            elif method == "getUpdates":
                self._poll_generation += 1  # a newer getUpdates ends any older one still waiting
            else:
                call.status, call.response = self._answer(method, params, arrived)
            self._calls.append(call)
            self._changed.notify_all()
            generation = self._poll_generation

        if delay:
            self._stopped.wait(delay)
        if call.status is None:  # getUpdates, answered after the long poll
            status, response = self._get_updates(params, generation)
            with self._changed:
                call.status, call.response = status, response
                self._changed.notify_all()
        assert call.status is not None and call.response is not None
        return call.status, None if call.dropped else call.response

    @staticmethod
    def _pop(queues: dict[str, deque], method: str) -> Any:
        queue = queues.get(method)
        return queue.popleft() if queue else None

    def _answer(self, method: str, params: dict[str, Any], arrived: float | None = None) -> tuple[int, dict[str, Any]]:
        """Called with the lock held, for every method but getUpdates."""
        try:
            self._check_migrated(params.get("chat_id"))
            if method in SENDING_METHODS and self._limits is not None:
                self._check_flood(params.get("chat_id"), arrived)
            result = self._result(method, params)
        except ApiError as exc:
            return exc.status, exc.body
        return 200, {"ok": True, "result": result}

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return dict(self.bot_user)
        if method == "deleteWebhook":
            if params.get("drop_pending_updates"):
                self._updates.clear()
            return True
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._updates)}
        if method == "sendMessage":
            return self._send_message(params)
        if method == "editMessageText":
            return self._edit_message_text(params)
        if method == "answerCallbackQuery":
            _require(params, "callback_query_id")
            return True
        if method == "answerInlineQuery":
            return self._answer_inline_query(params)
        if method in ("setMyCommands", "getMyCommands", "deleteMyCommands"):
            return self._my_commands(method, params)
        return True

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _require(params, "chat_id")
        text = str(params.get("text") or "")
        shown = plain_text(text, params.get("parse_mode"))
        check_reply_markup(params.get("reply_markup"))
        if not shown.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(shown.encode("utf-16-le")) // 2 > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": dict(self.bot_user),
            "text": shown,
        }
        reply_to = (params.get("reply_parameters") or {}).get("message_id") or params.get("reply_to_message_id")
        if reply_to is not None and (message["chat"]["id"], int(reply_to)) in self._messages:
            original = dict(self._messages[(message["chat"]["id"], int(reply_to))])
            original.pop("reply_to_message", None)
            message["reply_to_message"] = original
        if isinstance(params.get("reply_markup"), dict) and "inline_keyboard" in params["reply_markup"]:
            message["reply_markup"] = params["reply_markup"]
        self._messages[(message["chat"]["id"], message["message_id"])] = message
        return copy.deepcopy(message)

    def _edit_message_text(self, params: dict[str, Any]) -> Any:
        text = plain_text(str(_require(params, "text")), params.get("parse_mode"))
        check_reply_markup(params.get("reply_markup"))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if params.get("inline_message_id"):
            return True
        chat = self._chat(_require(params, "chat_id"))
        key = (chat["id"], int(_require(params, "message_id")))
        message = self._messages.get(key)
        if message is None:  # a message this server did not send: accept it, as a lenient double
            message = {"message_id": key[1], "date": int(time.time()), "chat": chat, "from": dict(self.bot_user)}
        elif message.get("text") == text and message.get("reply_markup") == params.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message",
            )
        message = {**message, "text": text, "edit_date": int(time.time())}
        if isinstance(params.get("reply_markup"), dict):
            message["reply_markup"] = params["reply_markup"]
        self._messages[key] = message
        return copy.deepcopy(message)

    @staticmethod
    def _answer_inline_query(params: dict[str, Any]) -> bool:
        _require(params, "inline_query_id")
        results = params.get("results")
        if not isinstance(results, list):
            raise ApiError(400, "Bad Request: results must be an array")
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        for result in results:
            content = result.get("input_message_content") or {}
            if "message_text" in content:
                plain_text(str(content["message_text"]), content.get("parse_mode"))
            check_reply_markup(result.get("reply_markup"))
        ids = [str(result.get("id")) for result in results]
        if len(set(ids)) != len(ids):
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        return True

    def _my_commands(self, method: str, params: dict[str, Any]) -> Any:
        key = (json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True), params.get("language_code", ""))
        if method == "setMyCommands":
            commands = params.get("commands")
            if not isinstance(commands, list):
                raise ApiError(400, "Bad Request: commands must be an array")
            self._commands[key] = commands
            return True
        if method == "deleteMyCommands":
            self._commands.pop(key, None)
            return True
        return copy.deepcopy(self._commands.get(key, []))

    def _check_migrated(self, chat_id: Any) -> None:
        try:
            new_chat_id = self._migrated.get(int(chat_id))
        except (TypeError, ValueError):
            return
        if new_chat_id is not None:
            raise ApiError(
                400, "Bad Request: group chat was upgraded to a supergroup chat", migrate_to_chat_id=new_chat_id
            )

    def _check_flood(self, chat_id: Any, arrived: float | None = None) -> None:
        assert self._limits is not None
        per_group_minute, global_second = self._limits
        # The kernel's arrival time where there is one (see _arrival), else now; both as wall-clock time.
        now = arrived if arrived is not None else time.time()
        _forget_before(self._sent_global, now - 1.0)
        if len(self._sent_global) >= global_second:
            self._reject(self._sent_global[0] + 1.0 - now)
        chat = self._sent_per_chat.setdefault(chat_id, deque())
        _forget_before(chat, now - 60.0)
        if _is_group(chat_id) and len(chat) >= per_group_minute:
            self._reject(chat[0] + 60.0 - now)
        self._sent_global.append(now)
        chat.append(now)

    def _reject(self, wait: float) -> None:
        self._rejections += 1
        retry_after = max(1, math.ceil(wait))
        raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)

    def _get_updates(self, params: dict[str, Any], generation: int) -> tuple[int, dict[str, Any]]:
        """Long polling: wait until an update with ``update_id >= offset`` exists or ``timeout`` passes."""
        try:
            offset = int(params.get("offset") or 0)
            limit = min(max(int(params.get("limit") or 100), 1), 100)
            timeout = max(float(params.get("timeout") or 0), 0.0)
        except (TypeError, ValueError) as exc:
            return 400, error_body(400, f"Bad Request: {exc}")
        deadline = time.monotonic() + timeout
        with self._changed:
            if offset > 0:  # confirms (forgets) every update before offset
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:  # the last -offset updates; all earlier ones are forgotten
                self._updates = self._updates[offset:]
            while True:
                if generation != self._poll_generation:
                    return 409, error_body(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only one bot "
                        "instance is running",
                    )
                if self._updates or self._stopped.is_set():
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            return 200, {"ok": True, "result": copy.deepcopy(self._updates[:limit])}

    # -- bookkeeping ------------------------------------------------------------------------------------------

    def _remember(self, update: dict[str, Any]) -> None:
        """Keep the chats and messages of pushed updates, so answers can refer to them like Telegram's do."""
        for value in update.values():
            if not isinstance(value, dict):
                continue
            # a message itself, or an object carrying one (callback_query) or a chat (my_chat_member)
            message = value if "chat" in value else value.get("message")
            if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
                continue
            chat = message["chat"]
            if "id" in chat:
                self._chats[chat["id"]] = dict(chat)
                if "message_id" in message:
                    self._messages[(chat["id"], int(message["message_id"]))] = copy.deepcopy(message)

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            return {"id": -1001000000001, "type": "channel", "username": chat_id[1:], "title": chat_id[1:]}
        try:
            chat_id = int(chat_id)
        except (TypeError, ValueError) as exc:
            raise ApiError(400, "Bad Request: chat not found") from exc
        if chat_id in self._chats:
            return dict(self._chats[chat_id])
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": "Chat"}


def _require(params: dict[str, Any], name: str) -> Any:
    if params.get(name) in (None, ""):
        raise ApiError(400, f"Bad Request: {name} is required")
    return params[name]


def _forget_before(times: deque[float], cutoff: float) -> None:
    while times and times[0] <= cutoff:
        times.popleft()


def _is_group(chat_id: Any) -> bool:
    try:
        return int(chat_id) < 0
    except (TypeError, ValueError):
        return isinstance(chat_id, str)  # "@channelusername"


# Linux's SO_TIMESTAMPNS: the kernel stamps each arriving packet. Flood limits are counted by when a
# request reached this machine, not by when this process (busy with other threads) got to it: a
# stall here would otherwise bunch requests that were sent at an even pace.
_SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)


def _arrival(connection: socket.socket) -> float | None:
    """The kernel's receive time (CLOCK_REALTIME) of the next request's first bytes; None if unknown."""
    try:
        _, ancillary, _, _ = connection.recvmsg(1, socket.CMSG_LEN(16), socket.MSG_PEEK)
    except OSError:
        return None
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == _SO_TIMESTAMPNS and len(data) >= 16:
            seconds, nanoseconds = struct.unpack("qq", data[:16])
            return seconds + nanoseconds / 1e9
    return None


class _Server(ThreadingHTTPServer):
    # Like Telegram, take a burst of new connections (a client opens one per request it sends at once):
    # with socketserver's backlog of 5, some of 300 inline answers sent together were reset.
    request_queue_size = 1024


class _Handler(BaseHTTPRequestHandler):
    arrived: float | None = None

    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)

    def handle_one_request(self) -> None:
        self.arrived = _arrival(self.connection)
        super().handle_one_request()

    protocol_version = "HTTP/1.1"  # keep-alive, like Telegram; every answer has a Content-Length
    server_version = "FakeBotAPI/1.0"
    # Headers and body go out as separate writes; without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK add about 40 ms to every answer, which would swamp latency figures.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        api: FakeBotAPI = self.server.api  # type: ignore[attr-defined]
        status, payload = api.handle(self.command, self.path, dict(self.headers.items()), body, self.arrived)
        if payload is None:  # drop_next: no answer at all
            self.close_connection = True
            return
        raw = isinstance(payload, bytes)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/html" if raw else "application/json")
            self.send_header("Content-Length", str(len(data)))
            if not api.keep_alive:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timeout, cancelled long poll)
            self.close_connection = True

    do_GET = do_POST

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log would be noise in test output (and its paths carry the token)
