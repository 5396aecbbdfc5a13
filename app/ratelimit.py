"""Requests per storefront key per hour (contract §6), counted in fixed hourly windows as
Bagisto counts them: every request counts, refused ones too, and one is allowed while
fewer than `rate_limit` came before it in the same clock hour."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

WINDOW = 3600


class Counters(Protocol):
    async def increment(self, name: str, expires_in: int) -> int:
        """Add one to the named counter, which lives `expires_in` seconds; the new count."""


class MemoryCounters:
    """Counters of this process alone (one worker, or a limit per worker)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._counts: dict[str, tuple[float, int]] = {}

    async def increment(self, name: str, expires_in: int) -> int:
        now = self.clock()
        expires, count = self._counts.get(name, (now + expires_in, 0))
        if expires <= now:
            expires, count = now + expires_in, 0
        self._counts[name] = (expires, count + 1)
        if len(self._counts) > 10_000:  # windows of keys no longer used
            self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
        return count + 1


@dataclass(frozen=True)
class RateLimit:
    limit: int
    count: int  # requests in this window, this one included
    reset: int  # seconds to the next window

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    @property
    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.limit - self.count)),
            "X-RateLimit-Reset": str(self.reset),
        }


class RateLimiter:
    def __init__(self, counters: Counters, clock: Callable[[], float] = time.time) -> None:
        self.counters = counters
        self.clock = clock

    async def hit(self, key_id: int, limit: int | None) -> RateLimit | None:
        """Count one request with this key; None when the key has no limit (0 or NULL)."""
        if not limit:
            return None
        now = int(self.clock())
        window = now - now % WINDOW
        reset = window + WINDOW - now
        count = await self.counters.increment(f"rate_limit:{key_id}:{window}", reset)
        return RateLimit(limit=limit, count=count, reset=reset)
