"""A group whose answers wait behind Telegram's per-group limit sees 'typing…', which the limit does not count."""

from __future__ import annotations

import signal
from collections.abc import Callable

from tests.e2e.conftest import BotProcess, update

GROUP = -1009770


def test_a_group_waiting_for_its_answers_sees_typing_and_gets_no_429(start_bot: Callable[..., BotProcess]) -> None:
    bot = start_bot()
    bot.server.enforce_limits(per_chat_per_minute_groups=20, global_per_second=30)
    for i in range(8):  # five answers go at once, then one every five seconds
        bot.push(update(f"/ask who wrote it? {i}", chat_type="supergroup", chat_id=GROUP, user_id=9770 + i))
    bot.push(update("/ask who wrote it?", chat_type="supergroup", chat_id=GROUP - 1, user_id=9790))

    [action] = bot.server.wait_for("sendChatAction", timeout=15, predicate=lambda c: c.get("chat_id") == GROUP)

    assert action.ok and action["action"] == "typing"
    sent_before = [c for c in bot.server.calls("sendMessage") if c.ok and c.get("chat_id") == GROUP]
    assert len(sent_before) >= 5  # shown while the rest wait, not before anything was sent
    bot.server.wait_for("sendMessage", count=6, timeout=15, predicate=lambda c: c.ok and c.get("chat_id") == GROUP)
    actions = [c for c in bot.server.calls("sendChatAction") if c.get("chat_id") == GROUP]
    assert len(actions) <= 3  # one at a time for the chat, not one per waiting answer
    assert not [c for c in bot.server.calls("sendChatAction") if c.get("chat_id") == GROUP - 1]  # answered at once
    assert bot.server.rejections == 0
    bot.stopping = True
    bot.process.send_signal(signal.SIGKILL)  # two answers are still waiting their turn
