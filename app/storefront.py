"""Storefront keys (X-STOREFRONT-KEY): looked up in the source, cached briefly in memory."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from app.models import StorefrontKey
from app.sources import StorefrontKeyStore

_MAX_CACHED = 1024


class StorefrontKeys:
    def __init__(
        self,
        store: StorefrontKeyStore,
        *,
        cache_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.cache_seconds = cache_seconds
        self.clock = clock
        self._cache: dict[str, tuple[float, StorefrontKey | None]] = {}

    async def validate(self, key: str, client_ip: str | None) -> StorefrontKey | None:
        """The key's row when it may be used from this address now, else None."""
        found = await self._lookup(key)
        if found is None:
            return None
        if found.expires_at is not None and found.expires_at <= datetime.now(UTC):
            return None
        if found.allowed_ips and client_ip not in found.allowed_ips:
            return None
        return found

    async def _lookup(self, key: str) -> StorefrontKey | None:
        now = self.clock()
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        found = await self.store.find_storefront_key(key)
        if self.cache_seconds > 0:
            if len(self._cache) >= _MAX_CACHED:
                self._cache.clear()  # unknown keys must not grow memory without bound
            self._cache[key] = (now + self.cache_seconds, found)
        return found
