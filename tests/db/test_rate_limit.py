"""Each storefront key's hourly rate limit, on REST and GraphQL alike, per key and per
caller: a signed-in customer's allowance, else the address's (docs/behaviour.md §6)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from app.http.request_context import client_network
from app.storefront.keys import MemoryCounters, RateLimiter
from fixtures import bagisto
from tests import fake
from tests.helpers import Api, app_client, data_of

bagisto_only = pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")

REST = "/api/shop/customer-downloadable-products"
TOTAL = "{ customerDownloadableProducts { totalCount } }"
HEADERS = {"Authorization": f"Bearer {bagisto.JANE_TOKEN}", "X-STOREFRONT-KEY": bagisto.LIMITED_KEY}


@bagisto_only
def test_rest_requests_count_down_then_get_429(make_api: Callable[..., Api]) -> None:
    api = make_api()  # counters of its own

    remaining = []
    for _ in range(3):
        response = api.client.get(REST, headers=HEADERS)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
        remaining.append(response.headers["X-RateLimit-Remaining"])
    refused = api.client.get(REST, headers=HEADERS)

    assert remaining == ["2", "1", "0"]
    assert refused.status_code == 429
    reset = int(refused.headers["X-RateLimit-Reset"])
    assert 1 <= reset <= 3600
    assert refused.headers["Retry-After"] == str(reset)
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.json() == {
        "message": "Rate limit exceeded",
        "error": "rate_limit_exceeded",
        "retry_after": reset,
    }


@bagisto_only
def test_graphql_and_rest_share_one_count_and_graphql_is_refused_too(
    make_api: Callable[..., Api],
) -> None:
    api = make_api()

    assert api.client.get(REST, headers=HEADERS).status_code == 200
    ok = api.bagisto(TOTAL, key=bagisto.LIMITED_KEY)
    assert ok.headers["X-RateLimit-Remaining"] == "1"
    assert data_of(ok)
    assert api.client.get(f"{REST}/1", headers=HEADERS).status_code == 200
    refused = api.bagisto(TOTAL, key=bagisto.LIMITED_KEY)

    assert refused.status_code == 429
    assert refused.json() == {
        "message": "Rate limit exceeded",
        "error": "rate_limit_exceeded",
        "retry_after": int(refused.headers["Retry-After"]),
        "errors": [{"message": "Rate limit exceeded", "extensions": {"code": "RATE_LIMITED"}}],
    }


@bagisto_only
def test_every_answer_carries_the_count_errors_too(make_api: Callable[..., Api]) -> None:
    api = make_api()

    not_found = api.client.get(f"{REST}/99", headers=HEADERS)
    again = api.client.get(f"{REST}/x", headers=HEADERS)
    no_customer = api.client.get(REST, headers={"X-STOREFRONT-KEY": bagisto.LIMITED_KEY})

    assert not_found.status_code == 404
    assert not_found.headers["X-RateLimit-Remaining"] == "2"
    assert again.status_code == 400
    assert again.headers["X-RateLimit-Remaining"] == "1"
    assert no_customer.status_code == 403
    assert no_customer.headers["X-RateLimit-Remaining"] == "2"  # the address's own count


@bagisto_only
def test_anonymous_requests_cannot_spend_a_signed_in_customers_allowance(
    make_api: Callable[..., Api],
) -> None:
    api = make_api()  # every request from one address, as a shop's proxy would send them
    key_only = {"X-STOREFRONT-KEY": bagisto.LIMITED_KEY}
    bad_token = {**key_only, "Authorization": "Bearer 1|not-janes-secret"}

    anonymous = [api.bagisto("{ __typename }", token=None, key=bagisto.LIMITED_KEY)]
    anonymous += [api.client.get(REST, headers=headers) for headers in (key_only, bad_token)]
    locked_out = api.client.get(REST, headers=bad_token)
    jane = api.client.get(REST, headers=HEADERS)
    john = api.bagisto(TOTAL, token=bagisto.JOHN_TOKEN, key=bagisto.LIMITED_KEY)

    assert [a.headers["X-RateLimit-Remaining"] for a in anonymous] == ["2", "1", "0"]
    assert locked_out.status_code == 429
    assert (jane.status_code, jane.headers["X-RateLimit-Remaining"]) == (200, "2")
    assert (john.status_code, john.headers["X-RateLimit-Remaining"]) == (200, "2")


def test_a_customers_allowance_follows_them_from_address_to_address() -> None:
    home = app_client(fake=fake.FakeSource(), client_ip="192.0.2.10")  # a key of 2 an hour
    phone = TestClient(home.app, client=("2001:db8::1", 50000))  # the same app, elsewhere
    jane = {"X-STOREFRONT-KEY": fake.LIMITED_KEY, "Authorization": f"Bearer {fake.JANE_TOKEN}"}
    anonymous = {"X-STOREFRONT-KEY": fake.LIMITED_KEY}

    answers = [client.get(REST, headers=jane) for client in (home, phone, home)]
    others = [client.get(REST, headers=anonymous) for client in (home, phone)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [a.headers["X-RateLimit-Remaining"] for a in others] == ["1", "1"]


@bagisto_only
def test_a_batch_of_n_operations_counts_n(make_api: Callable[..., Api]) -> None:
    api = make_api(batch_size=3)
    headers = {**HEADERS, "Content-Type": "application/json"}
    batch = [{"query": TOTAL}, {"query": "{ __typename }"}]

    first = api.client.post("/api/graphql", json=batch, headers=headers)
    second = api.client.post("/api/graphql", json=batch, headers=headers)

    assert (first.status_code, first.headers["X-RateLimit-Remaining"]) == (200, "1")
    assert second.status_code == 429  # 4 operations past a limit of 3


@bagisto_only
def test_keys_without_a_limit_are_not_counted(api: Api) -> None:
    for _ in range(5):
        response = api.client.get(REST, headers={**HEADERS, "X-STOREFRONT-KEY": bagisto.SHOP_KEY})
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers


@bagisto_only
def test_introspection_without_a_key_is_not_counted(make_api: Callable[..., Api]) -> None:
    api = make_api()
    for _ in range(5):
        assert (
            api.bagisto("{ __schema { queryType { name } } }", key=None, token=None).status_code
            == 200
        )

    assert api.client.get(REST, headers=HEADERS).headers["X-RateLimit-Remaining"] == "2"


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
