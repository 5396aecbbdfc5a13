"""What browsers are told: which answer headers a storefront on another origin may read
(CORS), and how the explorer pages protect themselves. Unit tier: the in-memory source."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests import fake
from tests.helpers import app_client

ORIGIN = {"Origin": "https://pwa.example.com"}
SIGNED_IN = {**ORIGIN, "X-STOREFRONT-KEY": fake.LIMITED_KEY, "Authorization": "Bearer jane-token"}
REST = "/api/shop/customer-downloadable-products"


@pytest.fixture
def client() -> Iterator[TestClient]:
    with app_client(fake=fake.FakeSource()) as client:
        yield client


def exposed(response: object) -> set[str]:
    header = response.headers.get("access-control-expose-headers", "")  # type: ignore[attr-defined]
    return {name.strip().lower() for name in header.split(",") if name.strip()}


def test_a_storefront_on_another_origin_may_read_every_header_it_pages_and_backs_off_by(
    client: TestClient,
) -> None:
    listed = client.get(REST, headers=SIGNED_IN)
    client.get(REST, headers=SIGNED_IN)
    refused = client.get(REST, headers=SIGNED_IN)  # the key allows 2 an hour

    assert listed.status_code == 200 and refused.status_code == 429
    for response in (listed, refused):
        readable = exposed(response)
        sent = {name for name in response.headers if name.startswith(("x-", "retry-"))}
        assert sent <= readable, sent - readable
    assert {"x-total-count", "x-page", "x-per-page", "x-total-pages"} <= exposed(listed)
    assert {"retry-after", "x-ratelimit-reset", "x-request-id"} <= exposed(refused)


@pytest.mark.parametrize("path", ["/graphql", "/api/graphql"])
def test_the_explorer_cannot_be_framed_and_loads_nothing_from_elsewhere(
    client: TestClient, path: str
) -> None:
    page = client.get(path, headers={"Accept": "text/html"})

    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "http-equiv" not in page.text  # one policy, in the header


def test_graphql_answers_do_not_carry_the_explorers_headers(client: TestClient) -> None:
    answer = client.post("/api/graphql", json={"query": "{ __schema { queryType { name } } }"})

    assert answer.status_code == 200
    assert "content-security-policy" not in answer.headers
