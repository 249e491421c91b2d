"""Inline keyboards and the callback data behind them (at most 64 bytes, parsed defensively).

Votes are signed: anyone can send any callback data, so a vote counts only if the bot issued it, for
that answer to that question. Showing an answer is not signed: it shows what anyone may ask for or
open with a deep link (``?start=<entry id>``), and unsigned data keeps /topics buttons in old chats
working when the secret changes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.answers import Answer, Kind
from bot.core.content import MAX_LABEL_CHARS, Library, Target
from bot.telegram import i18n

MAX_CALLBACK_BYTES = 64
_BUTTON_CHARS = MAX_LABEL_CHARS
# 9 bytes (72 bits) are 12 base64 characters without padding: with an 8-character question id and the
# longest id content allows (40), "u:<question>:<entry>:<tag>" is 64 bytes. Guessing a tag through
# Telegram, a few taps a second, is hopeless at that length.
_TAG_BYTES = 9


@dataclass(frozen=True)
class ShowAnswer:
    target_id: str


@dataclass(frozen=True)
class Vote:
    question_id: str
    target_id: str
    value: int  # +1 or -1, or 0 to take one's vote back


UP, DOWN = "👍", "👎"
# The vote a message shows as given: its button says so, and pressing it again takes it back.
MARK = " ✓"
_VOTE_KINDS = {"u": 1, "d": -1, "c": 0}
_VOTE_PREFIXES = tuple(f"{kind}:" for kind in _VOTE_KINDS)


def show_data(target: Target) -> str:
    return _checked(f"a:{target.id}")


def vote_data(key: bytes, question_id: str, target: Target | str, value: int) -> str:
    """``u:<question id>:<entry id>:<tag>`` (``d:`` for 👎, ``c:`` to clear), the tag signing everything
    before it."""
    kind = next(k for k, v in _VOTE_KINDS.items() if v == value)
    signed = f"{kind}:{question_id}:{target if isinstance(target, str) else target.id}"
    return _checked(f"{signed}:{_tag(key, signed)}")


def vote_buttons(key: bytes, question_id: str, target_id: str, given: int = 0) -> list[InlineKeyboardButton]:
    """👍 and 👎; the one ``given`` is marked and clears the vote when pressed again."""
    return [
        InlineKeyboardButton(
            emoji + (MARK if given == value else ""),
            callback_data=vote_data(key, question_id, target_id, 0 if given == value else value),
        )
        for emoji, value in ((UP, 1), (DOWN, -1))
    ]


def given_vote(markup: InlineKeyboardMarkup | None) -> int:
    """The vote a message's buttons show as given: +1, -1, or 0 for none."""
    for row in markup.inline_keyboard if markup is not None else ():
        for button in row:
            if button.text == UP + MARK:
                return 1
            if button.text == DOWN + MARK:
                return -1
    return 0


def with_vote(markup: InlineKeyboardMarkup, key: bytes, vote: Vote) -> InlineKeyboardMarkup:
    """The same buttons, the vote ones showing ``vote`` as given (or none, after a clear)."""
    fresh = iter(vote_buttons(key, vote.question_id, vote.target_id, vote.value))
    rows = [
        [next(fresh) if isinstance(b.callback_data, str) and b.callback_data[:2] in _VOTE_PREFIXES else b for b in row]
        for row in markup.inline_keyboard
    ]
    return InlineKeyboardMarkup(rows)


def parse(data: str | None, key: bytes) -> ShowAnswer | Vote | None:
    """The action behind a button, or None for anything malformed, forged or signed with another key."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    kind, _, rest = data.partition(":")
    if kind == "a" and rest:
        return ShowAnswer(rest)
    if kind in _VOTE_KINDS:
        signed, _, tag = data.rpartition(":")
        parts = rest.split(":")
        if len(parts) == 3 and all(parts) and hmac.compare_digest(tag.encode(), _tag(key, signed).encode()):
            return Vote(parts[0], parts[1], _VOTE_KINDS[kind])
    return None


def for_answer(
    answer: Answer, question_id: str | None, key: bytes, topics: list[Target] | None = None, language: str = "en"
) -> InlineKeyboardMarkup | None:
    """Did-you-mean buttons for close runners-up, then feedback and share; a decline with nothing
    close offers the article's ``topics`` instead."""
    rows = [[InlineKeyboardButton(f"↪ {_short(t.button)}", callback_data=show_data(t))] for t in answer.alternatives]
    if answer.kind not in (Kind.ANSWER, Kind.CAVEAT) or answer.target is None:
        if not rows and answer.kind is Kind.NO_ANSWER and topics:
            return for_topics(topics)
        return InlineKeyboardMarkup(rows) if rows else None  # suggestions when not sure enough to answer
    actions = [InlineKeyboardButton(i18n.text(language, "share"), switch_inline_query=answer.target.question)]
    if question_id is not None:
        actions[:0] = vote_buttons(key, question_id, answer.target.id)
    rows.append(actions)
    return InlineKeyboardMarkup(rows)


def for_topics(targets: list[Target]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(_short(t.button), callback_data=show_data(t))] for t in targets])


def for_welcome(example: Target | None, topics: list[Target], language: str = "en") -> InlineKeyboardMarkup:
    """/start: the example question to tap first, then the article's other questions."""
    rows = [[InlineKeyboardButton(_short(t.button), callback_data=show_data(t))] for t in topics if t != example]
    if example is not None:
        label = i18n.text(language, "try_example", label=example.button)
        rows.insert(0, [InlineKeyboardButton(_short(label), callback_data=show_data(example))])
    return InlineKeyboardMarkup(rows)


def for_figures(library: Library) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_short(f.button), callback_data=show_data(f))] for f in library.figures]
    )


def deep_link(bot_username: str, target: Target) -> str:
    return f"https://t.me/{bot_username}?start={target.id}"


def open_in_bot(bot_username: str, target: Target, language: str = "en") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(i18n.text(language, "read_passage"), url=deep_link(bot_username, target))]]
    )


def _short(text: str) -> str:
    return text if len(text) <= _BUTTON_CHARS else text[: _BUTTON_CHARS - 1].rstrip() + "…"


def _tag(key: bytes, signed: str) -> str:
    digest = hmac.new(key, signed.encode(), hashlib.sha256).digest()[:_TAG_BYTES]
    return base64.urlsafe_b64encode(digest).decode()


def _checked(data: str) -> str:
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data
