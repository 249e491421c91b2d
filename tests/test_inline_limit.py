"""Inline queries have a per-person limit of their own: past it, an empty answer for that person alone.
On the fixture article: this is about Telegram, not about the real article's answers."""

from __future__ import annotations

from bot.telegram.handlers import INLINE_RATE_PER_MINUTE
from bot.telegram.limits import UserLimiter
from tests.telegram_double import message_update
from tests.test_limits import Clock
from tests.test_telegram_native import inline_update


async def test_past_the_limit_a_flooder_gets_nothing_and_others_are_unaffected(fixture_bot_factory) -> None:
    clock = Clock()
    bot = await fixture_bot_factory(inline_limiter=UserLimiter(3, 60.0, clock))
    for _ in range(6):
        await bot.send(inline_update("who wrote it", user_id=111))
    await bot.send(inline_update("who wrote it", user_id=222))
    answers = bot.request.sent("answerInlineQuery")

    assert [len(a["results"]) > 0 for a in answers] == [True] * 3 + [False] * 3 + [True]
    for flooded in answers[3:6]:
        # Personal, so Telegram does not serve this empty answer to anyone else typing the same words,
        # and brief, so it lifts soon after the limit does.
        assert flooded["is_personal"] is True and flooded["cache_time"] <= 10
    clock.now += 60
    await bot.send(inline_update("who wrote it", user_id=111))
    assert bot.request.sent("answerInlineQuery")[-1]["results"]


async def test_a_failed_empty_answer_still_stops_the_query(fixture_bot_factory) -> None:
    """Whether or not the flooder gets the empty answer, the query is not answered in full after all."""
    bot = await fixture_bot_factory(inline_limiter=UserLimiter(1, 60.0, Clock()))
    await bot.send(inline_update("who wrote it"))
    bot.request.fail_next("answerInlineQuery", 400, {"ok": False, "error_code": 400, "description": "Bad Request"})
    await bot.send(inline_update("who wrote it"))
    answers = bot.request.sent("answerInlineQuery")
    assert [bool(a["results"]) for a in answers] == [True, False]


async def test_inline_queries_do_not_use_up_the_question_limit(fixture_bot_factory) -> None:
    bot = await fixture_bot_factory(limiter=UserLimiter(2, 60.0, Clock()))
    for _ in range(10):
        await bot.send(inline_update("who wrote it"))
    (reply,) = await bot.send(message_update("who wrote it?"))
    assert "Ada Lovell" in reply["text"]


def test_the_default_leaves_room_for_typing() -> None:
    """One query a keystroke: a minute of typing several questions stays under it."""
    assert INLINE_RATE_PER_MINUTE >= 60
