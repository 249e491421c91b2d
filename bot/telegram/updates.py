"""One update from Telegram's JSON, parsed on its own so that one malformed update spoils nothing else."""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import Bot, Update

log = logging.getLogger(__name__)

# JSON may carry half of a UTF-16 pair ("\ud800"): Python holds it, but cannot encode it to send a reply,
# store it or log it. Replaced by U+FFFD, which is one UTF-16 unit too, so entity offsets still fit.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def update_id(raw: object) -> int | None:
    value = raw.get("update_id") if isinstance(raw, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_update(raw: dict[str, Any], bot: Bot) -> Update | None:
    """The update, or None (logged in one line) if python-telegram-bot cannot read it."""
    try:
        return Update.de_json(_clean(raw), bot)
    except Exception as exc:  # any shape Telegram should never send: skip it, keep the rest
        kinds = ", ".join(key for key in raw if key != "update_id") or "nothing"
        reason = f"{type(exc).__name__}: {exc}"
        log.warning("Skipped update %s (%s) that cannot be read: %s", update_id(raw), kinds, reason)
        return None


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value
