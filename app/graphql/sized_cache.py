"""A least-recently-used cache bounded in bytes, not entries.

What it keeps per GraphQL document (the parsed text, its validation, its plans, the answer
to an introspection query) ranges from a few kilobytes to a few hundred: a bound on the
number of entries is no bound on memory. Each entry carries the size its owner
estimated when it stored it (tests/unit/test_cache_budget.py and tests/unit/test_documents.py
check those estimates against tracemalloc), and the oldest entries go when the total
passes the budget. An entry may grow after it is stored (a plan added to its document).

Not thread-safe: one event loop uses it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


class SizedCache:
    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        """The value, marked as just used; None when there is none."""
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return entry[0]

    def peek(self, key: Hashable) -> Any:
        """The value, without counting a lookup or changing the order."""
        entry = self._entries.get(key)
        return None if entry is None else entry[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        """Keeps `value`, unless it alone is larger than the budget."""
        self.discard(key)
        if size > self.budget:
            return
        self._entries[key] = (value, size)
        self.bytes += size
        self._evict()

    def grow(self, key: Hashable, value: Any, size: int) -> bool:
        """Counts `size` more bytes for the entry holding `value` (its owner attached
        something to it). False when that entry is gone, or the growth would leave it
        alone over the budget: then the owner should not keep what it attached."""
        entry = self._entries.get(key)
        if entry is None or entry[0] is not value or entry[1] + size > self.budget:
            return False
        self._entries[key] = (value, entry[1] + size)
        self._entries.move_to_end(key)
        self.bytes += size
        self._evict()
        return True

    def discard(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.bytes -= entry[1]

    def _evict(self) -> None:
        # The entry just stored or grown is the newest and fits alone: it is never reached.
        while self.bytes > self.budget:
            self.discard(next(iter(self._entries)))

    def __len__(self) -> int:
        return len(self._entries)
