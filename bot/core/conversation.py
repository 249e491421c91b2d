"""What each reader was just answered, so that "and in US dollars?" or "who reported it?" make sense.

In memory only (a restart forgets, which costs a follow-up nothing worse than being asked again),
bounded (the least recently used readers are forgotten first) and expiring (a question asked ten
minutes later is a new question). Keys are (chat, person): in a group, each person has their own
thread; a reply to one of the bot's answers carries that answer's context, whoever replies.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

TTL_S = 600.0
CAPACITY = 10_000


class _Expiring:
    def __init__(self, ttl: float, capacity: int, clock: Callable[[], float]) -> None:
        self._items: OrderedDict[Hashable, tuple[float, str]] = OrderedDict()
        self.ttl, self.capacity, self.clock = ttl, capacity, clock

    def get(self, key: Hashable) -> str | None:
        found = self._items.get(key)
        if found is None:
            return None
        stamp, value = found
        if self.clock() - stamp > self.ttl:
            del self._items[key]
            return None
        return value

    def put(self, key: Hashable, value: str) -> None:
        self._items[key] = (self.clock(), value)
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class Conversations:
    def __init__(self, ttl: float = TTL_S, capacity: int = CAPACITY, clock: Callable[[], float] = time.monotonic):
        self._readers = _Expiring(ttl, capacity, clock)
        self._messages = _Expiring(ttl, capacity, clock)

    def previous(self, chat_id: int, user_id: int | None, replied_to: int | None = None) -> str | None:
        """The target id this reader was last answered with (or that the replied-to answer gave)."""
        if replied_to is not None:
            found = self._messages.get((chat_id, replied_to))
            if found is not None:
                return found
        return self._readers.get((chat_id, user_id))

    def answered(self, chat_id: int, user_id: int | None, target_id: str, message_id: int | None = None) -> None:
        self._readers.put((chat_id, user_id), target_id)
        if message_id is not None:
            self._messages.put((chat_id, message_id), target_id)

    def __len__(self) -> int:
        return len(self._readers) + len(self._messages)
