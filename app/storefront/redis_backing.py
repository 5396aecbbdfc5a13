"""State shared by every worker and replica through Redis (REDIS_URL): storefront key
lookups and rate-limit counts, so that N processes behind a load balancer enforce one
limit. Without Redis each process keeps its own (app/storefront/keys.py).

Redis speeds things up and is never needed for an answer (docs/behaviour.md §7). Each call has a
deadline (TIMEOUT), so a frozen Redis costs a request at most that once; after a failure
a circuit breaker leaves Redis alone for a back-off while this process caches and counts
on its own, and one request at a time tries it again. An outage is logged when it begins
and when it ends, not once per request. Counts carry on across it: this process tallies
every count beside Redis, hands Redis what it counted while Redis was away, and raises a
count Redis lost (a restart with nothing saved) back to its own tally.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any, TypeVar

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from app.models import StorefrontKey
from app.storefront.keys import MemoryCounters, MemoryKeyCache

logger = logging.getLogger("downloads_api")

T = TypeVar("T")

PREFIX = "downloads-api:"
# A healthy Redis answers in a millisecond or two; docs/behaviour.md §7.5 allows a stalled one
# 100 ms of a request in all, and a request makes at most one call that can wait this long.
TIMEOUT = 0.05
BACKOFF = 0.5  # seconds Redis is left alone after a failure, doubled while it keeps failing
MAX_BACKOFF = 5.0
# Counts of names (callers and windows) this process made while Redis was away, at most.
_MAX_UNSENT = 50_000

# Adds ARGV[1] to the counter KEYS[1], raises it to at least ARGV[2] (the count this
# process knows of), and has it expire in ARGV[3] seconds: one round trip.
_ADD = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count < tonumber(ARGV[2]) then
  count = tonumber(ARGV[2])
  redis.call('SET', KEYS[1], count)
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
return count
"""


def connect(url: str) -> redis.Redis:
    # No retries of its own: the breaker decides when Redis is asked again.
    return redis.from_url(
        url,
        socket_timeout=TIMEOUT,
        socket_connect_timeout=TIMEOUT,
        retry=Retry(NoBackoff(), 0),
    )


class Unavailable(Exception):
    """Redis was not asked (the breaker is open), or did not answer in time."""


class Breaker:
    """Whether Redis is asked, shared by everything that asks it in this process."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        timeout: float = TIMEOUT,
        backoff: float = BACKOFF,
        max_backoff: float = MAX_BACKOFF,
    ) -> None:
        self.clock = clock
        self.timeout = timeout
        self.first_backoff = self.backoff = backoff
        self.max_backoff = max_backoff
        self.down = False
        self._retry_at = 0.0
        self._probing = False

    async def call(self, operation: Callable[[], Awaitable[T]]) -> T:
        """What `operation()` returns, within the deadline; Unavailable instead when the
        breaker is open or Redis fails."""
        probe = self.down
        if probe:
            if self._probing or self.clock() < self._retry_at:
                raise Unavailable
            self._probing = True
        try:
            async with asyncio.timeout(self.timeout):
                result = await operation()
        except (RedisError, OSError, TimeoutError) as error:
            self._failed(error, probe)
            raise Unavailable from error
        finally:
            if probe:
                self._probing = False
        self._answered()
        return result

    def _failed(self, error: Exception, probe: bool) -> None:
        if not self.down:
            self.down = True
            self.backoff = self.first_backoff
            logger.warning(
                "redis unavailable, caching and counting in this process until it answers: %s",
                str(error) or type(error).__name__,
            )
        elif probe:
            self.backoff = min(self.backoff * 2, self.max_backoff)
        else:  # a call begun before the outage was noticed: it changes nothing
            return
        self._retry_at = self.clock() + self.backoff

    def _answered(self) -> None:
        if self.down:
            self.down = False
            logger.warning("redis answers again: caching and counting there")


class RedisCounters:
    def __init__(self, client: redis.Redis, breaker: Breaker) -> None:
        self.breaker = breaker
        self.tally = MemoryCounters()  # every count as this process knows it
        self.unsent: dict[str, int] = {}  # what it counted while Redis was away
        self._add = client.register_script(_ADD)

    async def increment(self, name: str, expires_in: int, amount: int = 1) -> int:
        known = await self.tally.increment(name, expires_in, amount)
        adding = self.unsent.pop(name, 0) + amount
        try:
            count: Any = await self.breaker.call(
                lambda: self._add(keys=[PREFIX + name], args=[adding, known, expires_in])
            )
        except Unavailable:
            if len(self.unsent) >= _MAX_UNSENT:
                self.unsent.clear()  # a long outage's oldest counts are the least missed
            self.unsent[name] = adding
            return known
        return self.tally.raise_to(name, int(count), expires_in)


class RedisKeyCache:
    def __init__(self, client: redis.Redis, breaker: Breaker) -> None:
        self.client = client
        self.breaker = breaker
        self.fallback = MemoryKeyCache()

    async def get(self, key: str) -> tuple[bool, StorefrontKey | None]:
        try:
            raw: Any = await self.breaker.call(lambda: self.client.get(_name(key)))
        except Unavailable:
            return await self.fallback.get(key)
        if raw is None:
            return False, None
        return True, _decode(raw.encode() if isinstance(raw, str) else raw, key)

    async def put(self, key: str, found: StorefrontKey | None, seconds: float) -> None:
        try:
            await self.breaker.call(
                lambda: self.client.set(_name(key), _encode(found), px=max(1, int(seconds * 1000)))
            )
        except Unavailable:
            await self.fallback.put(key, found, seconds)


def _name(key: str) -> str:
    # The key itself is a credential: Redis only ever sees its hash.
    return PREFIX + "storefront_key:" + hashlib.sha256(key.encode()).hexdigest()


def _encode(found: StorefrontKey | None) -> str:
    if found is None:
        return "null"
    row = asdict(found)
    del row["key"]  # only its hash is stored, in the entry's name
    row["expires_at"] = None if found.expires_at is None else found.expires_at.isoformat()
    return json.dumps(row)


def _decode(raw: bytes, key: str) -> StorefrontKey | None:
    row = json.loads(raw)
    if row is None:
        return None
    row["key"] = key
    row["allowed_ips"] = tuple(row["allowed_ips"])
    if row["expires_at"] is not None:
        row["expires_at"] = datetime.fromisoformat(row["expires_at"])
    return StorefrontKey(**row)
