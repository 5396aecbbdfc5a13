"""Storefront keys (X-STOREFRONT-KEY): looked up in the source, cached briefly in memory,
and counted against each key's hourly rate limit."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

from starlette.requests import Request

from app.auth import client_ip
from app.dialects import STOREFRONT_KEY_HEADER
from app.models import StorefrontKey
from app.ratelimit import RateLimit, RateLimiter
from app.reasons import refuse
from app.sources import StorefrontKeyStore

_MAX_CACHED = 1024


@dataclass(frozen=True)
class KeyCheck:
    """What a request's storefront key allows: `refused` is None, "missing", "invalid" or
    "rate_limited"; `rate` is the key's rate limit state, when it has a limit."""

    refused: Literal["missing", "invalid", "rate_limited"] | None = None
    rate: RateLimit | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {} if self.rate is None else self.rate.headers


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

    async def check(self, request: Request) -> KeyCheck:
        key = request.headers.get(STOREFRONT_KEY_HEADER, "").strip()
        if not key:
            refuse("key_missing")
            return KeyCheck(refused="missing")
        found = await self.validate(key, client_ip(request))
        if found is None:
            return KeyCheck(refused="invalid")
        if self.rate_limiter is None:
            return KeyCheck()
        rate = await self.rate_limiter.hit(found.id, found.rate_limit)
        if rate and rate.exceeded:
            refuse("key_rate_limited")
            return KeyCheck(refused="rate_limited", rate=rate)
        return KeyCheck(rate=rate)

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
