"""Each storefront key's hourly rate limit, on REST and GraphQL alike (contract §6)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from app.storefront import MemoryCounters, RateLimiter
from fixtures import bagisto
from tests.helpers import Api, data_of

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
    no_customer = api.client.get(REST, headers={"X-STOREFRONT-KEY": bagisto.LIMITED_KEY})

    assert not_found.status_code == 404
    assert not_found.headers["X-RateLimit-Remaining"] == "2"
    assert no_customer.status_code == 403
    assert no_customer.headers["X-RateLimit-Remaining"] == "1"


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
            rate = await limiter.hit(key_id=8, limit=2)
            assert rate is not None
            results.append((rate.count, rate.reset, rate.exceeded))
        return results

    assert asyncio.run(hits(3)) == [(1, 1, False), (2, 1, False), (3, 1, True)]
    now[0] += 1  # 03:00:00
    assert asyncio.run(hits(1)) == [(1, 3600, False)]
    assert asyncio.run(limiter.hit(key_id=8, limit=0)) is None
    assert asyncio.run(limiter.hit(key_id=8, limit=None)) is None
