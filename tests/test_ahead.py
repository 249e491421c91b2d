"""Questions that arrive together are embedded in one batch (bot/core/ahead.py), and answered as if alone."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np
from telegram import Update

from bot.core.answers import Answerer
from bot.core.content import Library
from tests.conftest import OfflineBot
from tests.telegram_double import message_update

QUESTIONS = [
    "How much does China spend on basic research?",
    "who wrote the article?",
    "what did Mao Ning say?",
    "how many researchers are there, and who wrote it?",
    "Who won the football match yesterday?",
    "什么是基础研究?",
]


async def answer_together(bot: OfflineBot, first_user: int) -> dict[int, str]:
    updates = [message_update(q, user_id=first_user + i) for i, q in enumerate(QUESTIONS)]
    await asyncio.gather(*(bot.application.process_update(Update.de_json(u, bot.application.bot)) for u in updates))
    return {c.params["chat_id"]: c.params["text"] for c in bot.request.calls if c.method == "sendMessage"}


async def test_questions_taken_together_are_embedded_once_and_answered_as_alone(
    offline_bot_factory, library: Library
) -> None:
    served = Answerer(library)
    embed = served.semantic.encode
    batches: list[list[str]] = []

    def counting(texts: Sequence[str]) -> np.ndarray:
        batches.append(list(texts))
        return embed(texts)

    served.semantic.encode = counting
    together = await answer_together(await offline_bot_factory(served=served), 7000)

    alone_bot = await offline_bot_factory(served=Answerer(library))
    alone = {}
    for i, question in enumerate(QUESTIONS):
        [reply] = await alone_bot.send(message_update(question, user_id=7000 + i))
        alone[7000 + i] = reply["text"]

    assert together == alone
    # One batch: what the quick stage does not answer, the two-part question's parts with it.
    assert len(batches) == 1
    assert {QUESTIONS[3], "Who won the football match yesterday?"} < set(batches[0])
    assert QUESTIONS[1] not in batches[0]  # answered without the embedding


async def test_an_embedding_error_ahead_still_answers_each_question_by_itself(
    offline_bot_factory, library: Library
) -> None:
    served = Answerer(library)
    embed = served.semantic.encode
    calls = 0

    def failing_once(texts: Sequence[str]) -> np.ndarray:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise MemoryError("no room for the batch")
        return embed(texts)

    served.semantic.encode = failing_once
    replies = await answer_together(await offline_bot_factory(served=served), 7100)

    assert len(replies) == len(QUESTIONS)
    assert "249.7 billion yuan" in replies[7100] and "Hu Weijia" in replies[7101]
