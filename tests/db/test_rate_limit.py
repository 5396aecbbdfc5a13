"""Each storefront key's hourly rate limit, on REST and GraphQL alike, per key and per
caller: a signed-in customer's allowance, else the address's (docs/behaviour.md §6)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

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


@bagisto_only
def test_a_request_over_the_allowance_stops_at_its_first_read_and_sends_nothing_of_it(
    make_api: Callable[..., Api],
) -> None:
    # The count is made once the token is judged, inside the request's first read: past
    # the allowance, no other read runs and the answer is the 429 alone.
    api = make_api()
    database = api.client.app.state.database  # type: ignore[attr-defined]
    two_reads = (
        '{ a: customerDownloadableProduct(id: "1") { productName }'
        ' b: customerDownloadableProduct(id: "2") { productName } }'
    )
    for _ in range(3):
        assert data_of(api.bagisto(two_reads, key=bagisto.LIMITED_KEY))["a"]["productName"]

    before = database.statements
    refused = api.bagisto(two_reads, key=bagisto.LIMITED_KEY)

    assert refused.status_code == 429
    assert "productName" not in refused.text and "data" not in refused.json()
    assert database.statements - before == 1  # the token with the first item, no second


@bagisto_only
def test_a_request_that_reads_nothing_is_counted_against_its_customer(
    make_api: Callable[..., Api],
) -> None:
    api = make_api()

    nothing = api.bagisto("{ __typename }", key=bagisto.LIMITED_KEY)
    something = api.client.get(REST, headers=HEADERS)

    assert (nothing.status_code, nothing.headers["X-RateLimit-Remaining"]) == (200, "2")
    assert something.headers["X-RateLimit-Remaining"] == "1"  # Jane's, both times
