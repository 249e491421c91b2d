"""The per-person question limit and the retrying rate limiter."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.telegram.handlers import SLOW_DOWN
from bot.telegram.limits import SERVER_ERROR_RETRIES, RetryingRateLimiter, UserLimiter
from tests.telegram_double import STICKER, message_update


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_over_the_limit_one_notice_then_silence(offline_bot_factory) -> None:
    clock = Clock()
    bot = await offline_bot_factory(limiter=UserLimiter(3, 60.0, clock))
    for _ in range(3):
        (reply,) = await bot.send(message_update("who wrote it?"))
        assert "Hu Weijia" in reply["text"]
    (notice,) = await bot.send(message_update("who wrote it?"))
    assert notice["text"] == SLOW_DOWN
    assert await bot.send(message_update("who wrote it?")) == []
    assert await bot.send(message_update("/topics")) == []

    (other,) = await bot.send(message_update("who wrote it?", user_id=222))
    assert "Hu Weijia" in other["text"]

    clock.now += 60
    (again,) = await bot.send(message_update("who wrote it?"))
    assert "Hu Weijia" in again["text"]


async def test_group_chatter_does_not_count(offline_bot_factory) -> None:
    bot = await offline_bot_factory(limiter=UserLimiter(2, 60.0, Clock()))
    for _ in range(10):
        assert await bot.send(message_update("just chatting", chat_type="group")) == []
        assert await bot.send(message_update("/ask@OtherBot hi", chat_type="group")) == []
    (reply,) = await bot.send(message_update("/ask who wrote it?", chat_type="group"))
    assert "Hu Weijia" in reply["text"]


async def test_what_the_bot_ignores_does_not_count(offline_bot_factory) -> None:
    bot = await offline_bot_factory(limiter=UserLimiter(2, 60.0, Clock()))
    sticker = STICKER
    for _ in range(5):
        assert await bot.send(message_update("/weather", chat_type="supergroup")) == []
        assert await bot.send(message_update(None, chat_type="supergroup", extra=sticker)) == []
    (reply,) = await bot.send(message_update("who wrote it?"))
    assert "Hu Weijia" in reply["text"]


def test_limiter_forgets_idle_people_as_it_goes() -> None:
    """Memory does not grow with every person ever seen: idle ones are dropped along the way."""
    clock = Clock()
    limiter = UserLimiter(1, 60.0, clock)
    for user in range(5000):
        assert limiter.check(user) == "ok"
        clock.now += 1
    assert len(limiter._seen) <= 1000 + 60


class Flaky:
    def __init__(self, errors: list[Exception]) -> None:
        self.errors = errors
        self.calls = 0

    async def __call__(self, *args: object, **kwargs: object) -> bool:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return True


async def test_server_errors_are_retried_a_bounded_number_of_times(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.telegram.limits._BACKOFF_S", 0.0)
    limiter = RetryingRateLimiter()
    await limiter.initialize()
    flaky = Flaky([NetworkError("Bad Gateway")])
    assert await limiter.process_request(flaky, (), {}, "sendMessage", {"chat_id": 1}, None) is True
    assert flaky.calls == 2

    always = Flaky([NetworkError("Bad Gateway")] * 10)
    with pytest.raises(NetworkError):
        await limiter.process_request(always, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert always.calls == SERVER_ERROR_RETRIES + 1


@pytest.mark.parametrize("error", [BadRequest("Bad Request: can't parse entities"), TimedOut()])
async def test_client_errors_and_timeouts_are_not_repeated(error: Exception) -> None:
    limiter = RetryingRateLimiter()
    await limiter.initialize()
    flaky = Flaky([error])
    with pytest.raises(type(error)):
        await limiter.process_request(flaky, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert flaky.calls == 1


class _VirtualLoop:
    """Just enough of an event loop for aiolimiter's bookkeeping: a clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def time(self) -> float:
        return self.now

    def is_closed(self) -> bool:
        return False


def _greedy_sends(max_rate: float, period: float, seconds: float) -> list[float]:
    """When a sender that always has something to send gets through this leaky bucket."""
    from aiolimiter import AsyncLimiter

    bucket = AsyncLimiter(max_rate, period)
    loop = _VirtualLoop()
    bucket._event_loop = loop  # type: ignore[assignment]
    sent: list[float] = []
    while loop.now < seconds:
        while bucket.has_capacity():
            bucket._level += 1  # what acquire() does when there is capacity
            sent.append(loop.now)
        loop.now = round(loop.now + 0.01, 2)
    return sent


def _most_in_any_window(times: list[float], window: float) -> int:
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


def test_flood_limits_hold_for_any_window_telegram_may_count() -> None:
    from bot.telegram.app import telegram_limits

    limits = telegram_limits()
    group = _greedy_sends(limits._group_max_rate, limits._group_time_period, 300)
    assert _most_in_any_window(group, 60.0) <= 20  # per group, in any minute
    assert _most_in_any_window(group, 1.0) >= 5  # yet a few answers go out at once
    base = limits._base_limiter
    assert base is not None
    overall = _greedy_sends(base.max_rate, base.time_period, 5)
    assert _most_in_any_window(overall, 1.0) <= 30  # overall, in any second
