"""How the hourly rate limit counts, on the in-memory source and counters: a signed-in
customer's allowance follows them, an address counts as its subscriber has it (an IPv6 /64),
the count starts again each clock hour and stays within its capacity. On the test
database, REST and GraphQL together: tests/db/test_rate_limit.py."""

from __future__ import annotations

import asyncio

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from app.http.request_context import client_network
from app.storefront.keys import MemoryCounters, RateLimiter
from tests import fake
from tests.helpers import app_client

REST = "/api/shop/customer-downloadable-products"


def test_a_customers_allowance_follows_them_from_address_to_address() -> None:
    home = app_client(fake=fake.FakeSource(), client_ip="192.0.2.10")  # a key of 2 an hour
    phone = TestClient(home.app, client=("2001:db8::1", 50000))  # the same app, elsewhere
    jane = {"X-STOREFRONT-KEY": fake.LIMITED_KEY, "Authorization": f"Bearer {fake.JANE_TOKEN}"}
    anonymous = {"X-STOREFRONT-KEY": fake.LIMITED_KEY}

    answers = [client.get(REST, headers=jane) for client in (home, phone, home)]
    others = [client.get(REST, headers=anonymous) for client in (home, phone)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [a.headers["X-RateLimit-Remaining"] for a in others] == ["1", "1"]


def test_the_count_starts_again_each_clock_hour() -> None:
    now = [7200.0 + 3599]  # one second before 03:00
    limiter = RateLimiter(MemoryCounters(clock=lambda: now[0]), clock=lambda: now[0])

    async def hits(count: int) -> list[tuple[int, int, bool]]:
        results = []
        for _ in range(count):
            rate = await limiter.hit(key_id=8, limit=2, caller="customer:1")
            results.append((rate.count, rate.reset, rate.exceeded))
        return results

    assert asyncio.run(hits(3)) == [(1, 1, False), (2, 1, False), (3, 1, True)]
    now[0] += 1  # 03:00:00
    assert asyncio.run(hits(1)) == [(1, 3600, False)]


def test_counts_in_memory_stay_within_their_capacity() -> None:
    now = [0.0]
    counters = MemoryCounters(clock=lambda: now[0], capacity=100)

    async def count_many() -> None:
        await counters.increment("early", 3600)
        for n in range(1000):  # one caller hopping through addresses
            await counters.increment(f"address:{n}", 3600)
        await counters.increment("late", 3600, amount=2)

    asyncio.run(count_many())

    assert len(counters._counts) <= 100
    assert counters.count("late") == 2
    assert counters.count("early") == 0  # the oldest went first


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        pytest.param("203.0.113.9", "203.0.113.9", id="ipv4"),
        pytest.param("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64", id="ipv6-by-its-64"),
        pytest.param("::ffff:203.0.113.9", "203.0.113.9", id="ipv4-mapped"),
        pytest.param("testclient", "testclient", id="not-an-address"),
    ],
)
def test_an_address_is_counted_as_its_subscriber_has_it(address: str, counted_as: str) -> None:
    request = Request({"type": "http", "client": (address, 1234), "headers": []})

    assert client_network(request) == counted_as
