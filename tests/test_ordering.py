"""One person's updates in a chat are handled in turn; other people's meanwhile (bot/telegram/ordering.py)."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.telegram.ordering import InOrderPerPerson
from tests.telegram_double import message_update


def update(text: str, user_id: int, update_id: int) -> Update:
    return Update.de_json({**message_update(text, user_id=user_id), "update_id": update_id}, None)


async def test_a_persons_second_message_waits_for_the_first_and_another_person_does_not() -> None:
    processor = InOrderPerPerson()
    await processor.initialize()
    order: list[str] = []
    first_may_finish = asyncio.Event()

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        order.append(f"{name} starts")
        if wait is not None:
            await wait.wait()
        order.append(f"{name} ends")

    tasks = [
        asyncio.create_task(processor.process_update(update("Who is Mao Ning?", 1, 1), handle("a1", first_may_finish))),
        asyncio.create_task(processor.process_update(update("when did she say it?", 1, 2), handle("a2"))),
        asyncio.create_task(processor.process_update(update("who wrote it?", 2, 3), handle("b1"))),
    ]
    for _ in range(5):  # turns of the event loop: every task runs to where it waits
        await asyncio.sleep(0)
    assert "a2 starts" not in order and "b1 ends" in order  # the other person was not held up
    first_may_finish.set()
    await asyncio.gather(*tasks)
    assert order.index("a1 ends") < order.index("a2 starts")
    assert processor._turns == {}  # nothing kept once nobody is waiting
