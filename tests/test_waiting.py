"""'typing…' in a group while its answer waits behind Telegram's per-group limit."""

from __future__ import annotations

import asyncio

from bot.telegram.waiting import Typing


async def test_a_prompt_answer_shows_nothing() -> None:
    shown: list[int] = []

    async def show() -> None:
        shown.append(1)

    async def send() -> str:
        return "sent"

    assert await Typing(after=0.5).while_waiting(-100, send(), show) == "sent"
    assert shown == []


async def test_a_waiting_answer_shows_typing_once_per_chat_however_many_wait() -> None:
    shown: list[int] = []
    answers: list[asyncio.Future[str]] = [asyncio.get_running_loop().create_future() for _ in range(3)]
    first_shown = asyncio.Event()

    async def show() -> None:
        shown.append(1)
        first_shown.set()

    typing = Typing(after=0.01, every=60)  # one action, then none for a minute
    waits = [asyncio.ensure_future(typing.while_waiting(-100, answer, show)) for answer in answers]
    await asyncio.wait_for(first_shown.wait(), 5)
    for i, answer in enumerate(answers):
        answer.set_result(f"answer {i}")
    assert await asyncio.gather(*waits) == ["answer 0", "answer 1", "answer 2"]
    assert shown == [1]  # three answers waiting in one chat: one "typing…"
