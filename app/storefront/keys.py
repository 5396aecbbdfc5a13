"""Storefront keys (X-STOREFRONT-KEY): looked up in the source, cached briefly in memory,
and counted against each key's hourly rate limit.

Requests are counted in fixed hourly windows, as Bagisto counts them: every request
counts, refused ones too (a batch of N operations N times), and one is allowed while fewer
than the key's `rate_limit` came before it in the same clock hour. Unlike Bagisto, the
count is kept per key *and per caller* (docs/behaviour.md §6): a key ships in every copy of its
storefront, so one count per key would let anyone switch the storefront off for an hour.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Literal, Protocol

from app.domain.once import Once
from app.errors import refuse
from app.models import StorefrontKey
from app.sources import StorefrontKeyStore

_MAX_CACHED = 1024
WINDOW = 3600  # seconds: the rate limit's window


# Whose allowance a request spends: "customer:7", "address:203.0.113.9"
# (app/http/request_context.py).
Caller = Callable[[], Awaitable[str]]


class Counters(Protocol):
    async def increment(self, name: str, expires_in: int, amount: int = 1) -> int:
        """Add `amount` to the named counter, which lives `expires_in` seconds; the new
        count."""


class MemoryCounters:
    """Counters of this process alone (one worker, or a limit per worker). At most
    `capacity` of them: past it, counts whose window has ended go first, then the
    oldest, so callers without number (an IPv6 range, say) cannot grow memory."""

    def __init__(self, clock: Callable[[], float] = time.time, capacity: int = 50_000) -> None:
        self.clock = clock
        self.capacity = capacity
        self._counts: dict[str, tuple[float, int]] = {}

    async def increment(self, name: str, expires_in: int, amount: int = 1) -> int:
        return self.raise_to(name, self.count(name) + amount, expires_in)

    def count(self, name: str) -> int:
        expires, count = self._counts.get(name, (0.0, 0))
        return count if expires > self.clock() else 0

    def raise_to(self, name: str, count: int, expires_in: int) -> int:
        """Make the named count at least `count`; the count it now has."""
        now = self.clock()
        expires, known = self._counts.get(name, (0.0, 0))
        if expires <= now:
            expires, known = now + expires_in, 0
            if name not in self._counts and len(self._counts) >= self.capacity:
                self._make_room(now)
        count = max(known, count)
        self._counts[name] = (expires, count)
        return count

    def _make_room(self, now: float) -> None:
        # Down to nine tenths, so that the next tenth of new names costs nothing.
        self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
        for name in list(self._counts)[: len(self._counts) - self.capacity * 9 // 10]:
            del self._counts[name]


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

    async def hit(self, key_id: int, limit: int, caller: str, cost: int = 1) -> RateLimit:
        """Count `cost` requests of this caller with this key."""
        now = int(self.clock())
        window = now - now % WINDOW
        reset = window + WINDOW - now
        name = f"rate_limit:{key_id}:{caller}:{window}"
        count = await self.counters.increment(name, reset, cost)
        return RateLimit(limit=limit, count=count, reset=reset)


class Allowance:
    """A rate-limited key's count for one request, made once, as soon as the caller is
    known: for a request with a token, when the token is checked (inside the request's
    first read when the source can), rather than before the request is admitted, which
    would take a statement of its own (docs/behaviour.md §6)."""

    __slots__ = ("_cost", "_key_id", "_limit", "_limiter", "_spent")

    def __init__(self, limiter: RateLimiter, key_id: int, limit: int, cost: int) -> None:
        self._limiter = limiter
        self._key_id = key_id
        self._limit = limit
        self._cost = cost
        self._spent: Once[RateLimit] = Once()

    def spend(self, caller: str) -> Awaitable[RateLimit]:
        """Count the request against `caller`'s allowance; later calls, whoever they name,
        get that first count."""
        return self._spent(
            partial(self._limiter.hit, self._key_id, self._limit, caller, self._cost)
        )

    @property
    def rate(self) -> RateLimit | None:
        """The count, once made."""
        return self._spent.settled()


@dataclass(frozen=True)
class KeyCheck:
    """What a request's storefront key allows: `refused` is None, "missing", "invalid" or
    "rate_limited"; `rate` is where the caller's allowance under the key stands, when the
    key has a limit; `allowance`, when that count waits for the customer."""

    refused: Literal["missing", "invalid", "rate_limited"] | None = None
    rate: RateLimit | None = None
    allowance: Allowance | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {} if self.rate is None else self.rate.headers


def counted(rate: RateLimit) -> KeyCheck:
    """The check of a request counted at `rate`: refused past the allowance."""
    if rate.exceeded:
        refuse("key_rate_limited")
        return KeyCheck(refused="rate_limited", rate=rate)
    return KeyCheck(rate=rate)


class KeyCache(Protocol):
    async def get(self, key: str) -> tuple[bool, StorefrontKey | None]:
        """(True, the row or None) when the lookup of `key` is cached, else (False, None)."""

    async def put(self, key: str, found: StorefrontKey | None, seconds: float) -> None: ...


class MemoryKeyCache:
    """Lookups cached in this process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._entries: dict[str, tuple[float, StorefrontKey | None]] = {}

    async def get(self, key: str) -> tuple[bool, StorefrontKey | None]:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self.clock():
            return False, None
        return True, entry[1]

    async def put(self, key: str, found: StorefrontKey | None, seconds: float) -> None:
        if len(self._entries) >= _MAX_CACHED:
            self._entries.clear()  # unknown keys must not grow memory without bound
        self._entries[key] = (self.clock() + seconds, found)


class StorefrontKeys:
    def __init__(
        self,
        store: StorefrontKeyStore,
        *,
        cache: KeyCache,
        cache_seconds: float,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        self.store = store
        self.cache = cache
        self.cache_seconds = cache_seconds
        self.rate_limiter = rate_limiter
        self.hits = self.misses = 0

    async def check(
        self,
        key: str,
        client_ip: str | None,
        caller: Caller,
        cost: int = 1,
        *,
        later: bool = False,
    ) -> KeyCheck:
        """What the request's key (sent from `client_ip`) allows; with a rate limit, `cost`
        requests are counted against the allowance of `caller()` (asked only then) under
        the key, or, `later`, left to count (`KeyCheck.allowance`) once the caller is
        known."""
        if not key:
            refuse("key_missing")
            return KeyCheck(refused="missing")
        found = await self.validate(key, client_ip)
        if found is None:
            return KeyCheck(refused="invalid")
        if self.rate_limiter is None or not found.rate_limit:  # 0 or NULL: unlimited
            return KeyCheck()
        allowance = Allowance(self.rate_limiter, found.id, found.rate_limit, cost)
        if later:
            return KeyCheck(allowance=allowance)
        return counted(await allowance.spend(await caller()))

    async def validate(self, key: str, client_ip: str | None) -> StorefrontKey | None:
        """The key's row when it may be used from this address now, else None."""
        found = await self._lookup(key)
        if found is None:
            refuse("key_unknown")  # no shop key has that value (or it was deleted)
            return None
        if not found.active:
            refuse("key_inactive")
            return None
        if found.expires_at is not None and found.expires_at <= datetime.now(UTC):
            refuse("key_expired")
            return None
        if found.allowed_ips and client_ip not in found.allowed_ips:
            refuse("key_ip_not_allowed")
            return None
        return found

    async def _lookup(self, key: str) -> StorefrontKey | None:
        if self.cache_seconds > 0:
            cached, found = await self.cache.get(key)
            if cached:
                self.hits += 1
                return found
        self.misses += 1
        found = await self.store.find_storefront_key(key)
        if self.cache_seconds > 0:
            await self.cache.put(key, found, self.cache_seconds)
        return found
