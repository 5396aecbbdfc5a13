"""The same demo store read through Bagisto's tables and through Magento's gives the same
answers, field by field, except where the platforms themselves differ."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from fixtures import bagisto, demo, magento
from tests import expected
from tests.conftest import settings_for
from tests.helpers import Api, app_client, data_of, store_headers

NODE_FIELDS = """
  id _id productName name url file fileName type downloadBought downloadUsed downloadCanceled
  status remainingDownloads downloadUrl customerId orderId orderItemId createdAt updatedAt
  order { id _id incrementId status grandTotal baseGrandTotal subTotal orderCurrencyCode
          baseCurrencyCode channelName customerEmail customerFirstName customerLastName
          createdAt updatedAt }
"""
QUERY = f"query ($status: String) {{ customerDownloadableProducts(first: 100, status: $status) {{ edges {{ cursor node {{ {NODE_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }} totalCount }} }}"
ITEMS = "{ customerDownloadableProducts { items { order_increment_id date status download_url remaining_downloads title link_title order_id } } }"

# Where the platforms differ by design: their download routes and storage paths, and
# Magento's lack of a cancelled-downloads count (docs/behaviour.md §4).
DIFFERENT_BY_DESIGN = {
    "downloadUrl",
    "download_url",
    "file",
    "downloadCanceled",
    "remainingDownloads",
    "remaining_downloads",
}


@pytest.fixture(scope="module")
def apis(demo_databases: Callable[[str], str]) -> Iterator[dict[str, Api]]:
    clients = {
        source: app_client(
            settings_for(source, demo_databases(source)), headers=store_headers(source)
        )
        for source in ("bagisto", "magento")
    }
    for client in clients.values():
        client.__enter__()
    yield {
        "bagisto": Api(clients["bagisto"], bagisto),
        "magento": Api(clients["magento"], magento),
    }
    for client in clients.values():
        client.__exit__(None, None, None)


@pytest.mark.parametrize("customer", ["JANE_TOKEN", "JOHN_TOKEN", "EMMA_TOKEN"])
@pytest.mark.parametrize("status", [None, "available", "expired", "pending"])
def test_every_field_agrees_across_sources(
    apis: dict[str, Api], customer: str, status: str | None
) -> None:
    read = {
        source: data_of(api.bagisto(QUERY, {"status": status}, token=getattr(api.demo, customer)))[
            "customerDownloadableProducts"
        ]
        for source, api in apis.items()
    }

    bagisto_read, magento_read = read["bagisto"], read["magento"]
    assert bagisto_read["totalCount"] == magento_read["totalCount"]
    assert bagisto_read["pageInfo"] == magento_read["pageInfo"]
    assert len(bagisto_read["edges"]) == len(magento_read["edges"])
    for bagisto_edge, magento_edge in zip(
        bagisto_read["edges"], magento_read["edges"], strict=True
    ):
        assert bagisto_edge["cursor"] == magento_edge["cursor"]
        b, m = bagisto_edge["node"], magento_edge["node"]
        assert {k: v for k, v in b.items() if k not in DIFFERENT_BY_DESIGN} == {
            k: v for k, v in m.items() if k not in DIFFERENT_BY_DESIGN
        }
        for source, node in (("bagisto", b), ("magento", m)):
            assert node["downloadUrl"] == expected.download_url(source, node["_id"])
            assert node["file"] == expected.file(source, node["_id"])
            assert node["downloadCanceled"] == expected.canceled(source, node["_id"])
            assert node["remainingDownloads"] == expected.remaining(source, node["_id"])


@pytest.mark.parametrize("customer", ["JANE_TOKEN", "JOHN_TOKEN", "EMMA_TOKEN", "LENA_TOKEN"])
def test_magentos_items_agree_across_sources(apis: dict[str, Api], customer: str) -> None:
    read = {
        source: data_of(api.magento(ITEMS, token=getattr(api.demo, customer)))[
            "customerDownloadableProducts"
        ]["items"]
        for source, api in apis.items()
    }
    customer_id = {"JANE_TOKEN": 1, "JOHN_TOKEN": 2, "EMMA_TOKEN": 3, "LENA_TOKEN": demo.COLLECTOR}
    ids = sorted(
        link.id
        for link in demo.LINKS
        if demo.ORDER_BY_ID[link.order_id].customer_id == customer_id[customer]
    )

    assert len(read["bagisto"]) == len(read["magento"]) == len(ids)
    for link_id, b, m in zip(ids, read["bagisto"], read["magento"], strict=True):
        assert {k: v for k, v in b.items() if k not in DIFFERENT_BY_DESIGN} == {
            k: v for k, v in m.items() if k not in DIFFERENT_BY_DESIGN
        }
        for source, item in (("bagisto", b), ("magento", m)):
            assert item["download_url"] == expected.download_url(source, link_id)
            assert item["remaining_downloads"] == expected.remaining_text(source, link_id)
