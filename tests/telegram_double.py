"""An offline Bot API: a BaseRequest that records every call and answers like Telegram."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

from tests.html_check import telegram_html_problems
from tests.identity import BOT_USER


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class RecordingRequest(BaseRequest):
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    html_errors: list[tuple[Any, list[str]]] = field(default_factory=list)
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def fail_next(self, method: str, status: int, body: dict[str, Any]) -> None:
        """Answer the next call of ``method`` with an error, as Telegram would."""
        self.failures.setdefault(method, []).append((status, body))

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append(Call(api_method, params))
        problems = self._html_problems(params)
        if problems:
            # What Telegram does with bad HTML; recorded so the fixture fails the test.
            self.html_errors.append((params.get("text") or params.get("results"), problems))
            return 400, json.dumps(
                {"ok": False, "error_code": 400, "description": "Bad Request: can't parse entities"}
            ).encode()
        if self.failures.get(api_method):
            status, body = self.failures[api_method].pop(0)
            return status, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(api_method, params)}).encode()

    @staticmethod
    def _html_problems(params: dict[str, Any]) -> list[str]:
        texts = []
        # PTB's Defaults put parse_mode on editMessageReplyMarkup as well, which has no text to check.
        if params.get("parse_mode") == "HTML" and ("text" in params or "reply_markup" not in params):
            texts.append(str(params.get("text", "")))
        for result in params.get("results") or []:
            content = result.get("input_message_content") or {}
            if content.get("parse_mode") == "HTML":
                texts.append(str(content.get("message_text", "")))
        return [problem for text in texts for problem in telegram_html_problems(text)]

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "editMessageText"):
            return {
                "message_id": params.get("message_id") or next(self._message_ids),
                "date": 1740000000,
                "chat": {"id": params.get("chat_id", 1), "type": "private"},
                "from": BOT_USER,
                "text": re.sub(r"<[^>]+>", "", str(params.get("text", ""))),
            }
        if method == "getUpdates":
            return []
        return True

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [call.params for call in self.calls if call.method == method]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_update_ids = itertools.count(1)

# A sticker, as a message's field: the non-text update several tests send.
STICKER = {
    "sticker": {
        "file_id": "s",
        "file_unique_id": "s",
        "type": "regular",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
    }
}


def message_update(
    text: str | None = "hello",
    *,
    chat_type: str = "private",
    chat_id: int | None = None,
    user_id: int = 111,
    reply_to_bot: bool = False,
    extra: dict[str, Any] | None = None,
    kind: str = "message",
) -> dict[str, Any]:
    """A Telegram update as JSON, with command and mention entities as the client would add them."""
    chat_id = chat_id if chat_id is not None else (user_id if chat_type == "private" else -100500)
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type != "private":
        chat["title"] = "Readers"
    message: dict[str, Any] = {
        "message_id": next(_update_ids) + 10,
        "date": 1740000000,
        "chat": chat,
        "from": {"id": user_id, "is_bot": False, "first_name": "Ada"},
    }
    if text is not None:
        message["text"] = text
        entities = []
        for match in re.finditer(r"(?<!\S)/[A-Za-z_]+(?:@\w+)?|@\w+", text):
            kind_ = "bot_command" if match.group().startswith("/") else "mention"
            if kind_ == "bot_command" and match.start() != 0:
                continue
            offset = utf16_len(text[: match.start()])
            entities.append({"type": kind_, "offset": offset, "length": utf16_len(match.group())})
        if entities:
            message["entities"] = entities
    if reply_to_bot:
        message["reply_to_message"] = {
            "message_id": 7,
            "date": 1740000000,
            "chat": chat,
            "from": BOT_USER,
            "text": "an earlier answer",
        }
    message.update(extra or {})
    return {"update_id": next(_update_ids), kind: message}
