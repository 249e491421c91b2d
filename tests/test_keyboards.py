"""Vote buttons are signed: a vote counts only for the answer and question the bot issued it for."""

from __future__ import annotations

import dataclasses

import pytest

from bot.core.content import Library
from bot.core.keys import derive
from bot.telegram import keyboards
from bot.telegram.handlers import STALE_BUTTON
from tests.conftest import OfflineBot
from tests.telegram_double import message_update
from tests.test_telegram_native import buttons, callback_update

KEY = derive(b"k" * 32, "buttons")
QUESTION_ID = "Qx-_12ab"  # as long as Store.question_id makes them: 6 bytes in base64


def test_a_vote_for_the_longest_id_content_allows_fits_in_64_bytes(library: Library) -> None:
    longest = dataclasses.replace(library.entries[0], id="x" * 40)  # the most ID_PATTERN allows
    for value in (1, -1):
        data = keyboards.vote_data(KEY, QUESTION_ID, longest, value)
        assert len(data.encode()) <= keyboards.MAX_CALLBACK_BYTES
        assert keyboards.parse(data, KEY) == keyboards.Vote(data.split(":")[1], longest.id, value)


def test_what_the_bot_issued_reads_back(library: Library) -> None:
    target = library.targets[0]
    assert keyboards.parse(keyboards.vote_data(KEY, "q1", target, 1), KEY) == keyboards.Vote("q1", target.id, 1)
    assert keyboards.parse(keyboards.vote_data(KEY, "q1", target, -1), KEY) == keyboards.Vote("q1", target.id, -1)


def _altered(data: str) -> list[str]:
    kind, question_id, entry_id, tag = data.split(":")
    return [
        f"{kind}:{question_id}:follower:{tag}",  # the same tag for another entry
        f"{kind}:made-up1:{entry_id}:{tag}",  # for a question the bot never answered
        f"{'d' if kind == 'u' else 'u'}:{question_id}:{entry_id}:{tag}",  # the other way
        f"{kind}:{question_id}:{entry_id}:{tag[:-1]}",
        f"{kind}:{question_id}:{entry_id}:{tag[:-1]}é",  # not ASCII: refused, not an error
        f"{kind}:{question_id}:{entry_id}",  # unsigned, as votes were before
        f"{kind}:{question_id}:{entry_id}:{tag}:{tag}",
        f"v:{question_id}:{entry_id}:u",  # the old format
    ]


def test_altered_or_unsigned_votes_are_refused(library: Library) -> None:
    data = keyboards.vote_data(KEY, "q1", library.target("author"), 1)  # type: ignore[arg-type]
    for forged in _altered(data):
        assert keyboards.parse(forged, KEY) is None, forged
    assert keyboards.parse(data, derive(b"another secret", "buttons")) is None


async def test_a_forged_vote_gets_the_expired_toast_and_is_not_counted(offline_bot: OfflineBot) -> None:
    (reply,) = await offline_bot.send(message_update("who wrote it?"))
    up = next(b["callback_data"] for b in buttons(reply) if b["text"] == "👍")
    forged = _altered(up)
    for data in forged:
        assert await offline_bot.send(callback_update(data)) == []
    toasts = [c["text"] for c in offline_bot.request.sent("answerCallbackQuery")]
    assert toasts == [STALE_BUTTON] * len(forged)
    assert offline_bot.store.stats().votes == []

    await offline_bot.send(callback_update(up))
    assert offline_bot.request.sent("answerCallbackQuery")[-1]["text"].startswith("Thanks")
    assert offline_bot.store.stats().votes == [("author", 1, 0)]


@pytest.mark.parametrize("data", ["a:author", "a:intergovernmental-agreements"])
def test_show_answer_buttons_are_not_signed(data: str) -> None:
    """They show what anyone may ask for or open with a deep link; old /topics keyboards keep working."""
    assert keyboards.parse(data, KEY) == keyboards.ShowAnswer(data[2:])
