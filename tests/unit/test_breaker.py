"""The circuit breaker in front of Redis (app/storefront/redis_backing.py), on a clock of the test's
own: no Redis needed."""

from __future__ import annotations

import asyncio
import logging

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from app.storefront.redis_backing import Breaker, Unavailable


class Redis:
    """Stands in for one Redis call: answers, fails at once, or never answers."""

    def __init__(self) -> None:
        self.state = "up"
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.state == "down":
            raise RedisConnectionError("Connection refused")
        if self.state == "frozen":
            await asyncio.sleep(60)
        return "PONG"


async def ask(breaker: Breaker, redis: Redis) -> str:
    """Redis's answer, or "memory" when the process answers on its own."""
    try:
        return await breaker.call(redis)
    except Unavailable:
        return "memory"


def test_after_a_failure_redis_is_left_alone_for_a_growing_back_off(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    breaker = Breaker(lambda: now[0], timeout=0.01, backoff=1.0, max_backoff=4.0)
    redis = Redis()

    async def scenario() -> list[tuple[float, str, int]]:
        seen = []
        for when, state in [
            (0.0, "up"), (1.0, "frozen"), (1.5, "frozen"), (2.0, "frozen"), (2.9, "frozen"),
            (4.1, "frozen"), (5.0, "up"), (8.1, "up"), (8.2, "up"),
        ]:  # fmt: skip
            now[0], redis.state = when, state
            seen.append((when, await ask(breaker, redis), redis.calls))
        return seen

    with caplog.at_level(logging.WARNING, logger="downloads_api"):
        seen = asyncio.run(scenario())

    assert seen == [
        (0.0, "PONG", 1),
        (1.0, "memory", 2),  # frozen: waited for TIMEOUT once, then the breaker opens
        (1.5, "memory", 2),  # left alone
        (2.0, "memory", 3),  # a second after: tried, still frozen; now two seconds
        (2.9, "memory", 3),
        (4.1, "memory", 4),  # tried, frozen; now four seconds (the most)
        (5.0, "memory", 4),  # up again, but not yet tried
        (8.1, "PONG", 5),
        (8.2, "PONG", 6),
    ]
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "redis unavailable, caching and counting in this process until it answers",
        "redis answers again",
    ]


def test_one_request_at_a_time_tries_redis_again() -> None:
    now = [0.0]
    breaker = Breaker(lambda: now[0], timeout=0.05, backoff=1.0)
    redis = Redis()
    redis.state = "down"

    async def scenario() -> list[str]:
        with pytest.raises(Unavailable):
            await breaker.call(redis)
        now[0] = 2.0
        redis.state = "frozen"
        return list(await asyncio.gather(*(ask(breaker, redis) for _ in range(10))))

    assert asyncio.run(scenario()) == ["memory"] * 10
    assert redis.calls == 2  # the first failure, then one probe for all ten


def test_calls_that_fail_together_open_the_breaker_once() -> None:
    now = [0.0]
    breaker = Breaker(lambda: now[0], timeout=0.05, backoff=1.0)
    redis = Redis()
    redis.state = "frozen"

    async def scenario() -> list[str]:
        await asyncio.gather(*(ask(breaker, redis) for _ in range(10)))  # all before it froze
        now[0], redis.state = 1.0, "up"
        return [await ask(breaker, redis)]

    assert asyncio.run(scenario()) == ["PONG"]  # after the first back-off, not a longer one
