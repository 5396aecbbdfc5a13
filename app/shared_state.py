"""State shared by every worker and replica through Redis (REDIS_URL): storefront key
lookups and rate-limit counts, so that N processes behind a load balancer enforce one
limit. Without Redis each process keeps its own (app/storefront.py).

If Redis fails, the service keeps serving: lookups go to the database and each process
counts on its own until Redis answers again; each failure is logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict
from datetime import datetime

import redis.asyncio as redis
from redis.exceptions import RedisError

from app.models import StorefrontKey
from app.storefront import MemoryCounters, MemoryKeyCache

logger = logging.getLogger("downloads_api")

PREFIX = "downloads-api:"


def connect(url: str) -> redis.Redis:
    return redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)


class RedisCounters:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.fallback = MemoryCounters()

    async def increment(self, name: str, expires_in: int, amount: int = 1) -> int:
        key = PREFIX + name
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                # The window's end does not move, so setting it again each time is harmless.
                pipe.incrby(key, amount)
                pipe.expire(key, expires_in)
                count, _ = await pipe.execute()
            return int(count)
        except (RedisError, OSError) as error:
            logger.warning("redis unavailable, counting in this process: %s", error)
            return await self.fallback.increment(name, expires_in, amount)


class RedisKeyCache:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.fallback = MemoryKeyCache()

    async def get(self, key: str) -> tuple[bool, StorefrontKey | None]:
        try:
            raw = await self.client.get(_name(key))
        except (RedisError, OSError) as error:
            logger.warning("redis unavailable, caching in this process: %s", error)
            return await self.fallback.get(key)
        if raw is None:
            return False, None
        return True, _decode(raw.encode() if isinstance(raw, str) else raw, key)

    async def put(self, key: str, found: StorefrontKey | None, seconds: float) -> None:
        try:
            await self.client.set(_name(key), _encode(found), px=max(1, int(seconds * 1000)))
        except (RedisError, OSError) as error:
            logger.warning("redis unavailable, caching in this process: %s", error)
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
