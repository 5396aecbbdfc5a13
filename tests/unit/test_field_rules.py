"""The field rules of docs/behaviour.md §4 on both GraphQL paths and REST, with the expected values
written out rather than computed the way the code computes them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests import fake
from tests.helpers import app_client

HEADERS = {"X-STOREFRONT-KEY": fake.SHOP_KEY, "Authorization": f"Bearer {fake.JANE_TOKEN}"}
# (bought, used, canceled) -> Bagisto's remainingDownloads, Magento's remaining_downloads
DOWNLOADS = {
    (3, 1, 0): (2, "2"),
    (3, 3, 0): (0, "0"),
    (3, 2, 2): (0, "0"),  # more used and cancelled than bought: never below zero
    (1, 5, 0): (0, "0"),
    (0, 7, 0): (None, "Unlimited"),  # 0 bought: unlimited
}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    rows = [
        fake.purchase(n, download_bought=b, download_used=u, download_canceled=c)
        for n, (b, u, c) in enumerate(DOWNLOADS, start=1)
    ]
    rows_of = fake.FakeSource(rows=rows)
    with app_client(fake=rows_of, public_base_url="https://shop.example.com") as client:
        yield client


def test_remaining_downloads_are_clamped_at_zero_and_null_when_unlimited(
    client: TestClient,
) -> None:
    bagisto = client.post(
        "/api/graphql",
        json={
            "query": "{ customerDownloadableProducts(last: 5) { edges { node { remainingDownloads } } } }"
        },
        headers=HEADERS,
    ).json()
    magento = client.post(
        "/graphql",
        json={"query": "{ customerDownloadableProducts { items { remaining_downloads } } }"},
        headers=HEADERS,
    ).json()
    rest = client.get("/api/shop/customer-downloadable-products?per_page=5", headers=HEADERS).json()

    edges = bagisto["data"]["customerDownloadableProducts"]["edges"]
    items = magento["data"]["customerDownloadableProducts"]["items"]
    expected = list(DOWNLOADS.values())  # oldest first, as `last` and `items` list them
    assert [edge["node"]["remainingDownloads"] for edge in edges] == [b for b, _ in expected][::-1]
    assert [item["remaining_downloads"] for item in items] == [m for _, m in expected]
    assert [row["remainingDownloads"] for row in rest] == [b for b, _ in expected][::-1]
