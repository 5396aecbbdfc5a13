"""Clients nobody here wrote, in Node.js, against a live service (e2e/apollo.mjs and
e2e/validate.mjs): Apollo Client, what Magento PWA Studio is built on, and graphql-js checking
the reference documents' queries against the schema our introspection describes."""

from __future__ import annotations

from base64 import b64encode
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from app.settings import Settings
from fixtures import demo as store
from tests import expected
from tests.node import SPEC, node_modules, run_node, service

pytestmark = pytest.mark.e2e

JANE = 1
# Jane's purchases oldest first, as Magento's `items` lists them.
JANE_LINKS = [link for link in store.LINKS if store.ORDER_BY_ID[link.order_id].customer_id == JANE]


@pytest.fixture(scope="session")
def node_packages() -> Path:
    return node_modules()


@pytest.fixture(scope="module")
def live(settings: Settings) -> Iterator[str]:
    with service(settings) as base:
        yield base


def test_apollo_client_reads_magento_items_and_pages_the_bagisto_connection(
    node_packages: Path, live: str, demo: ModuleType, source: str
) -> None:
    key = getattr(demo, "SHOP_KEY", None)  # the Magento source has no storefront keys
    credentials = ["--token", demo.JANE_TOKEN, *(["--key", key] if key else [])]

    code, report = run_node(
        "apollo.mjs",
        "--base", live,
        "--magento-query", str(SPEC / "magento-list.graphql"),
        "--page-size", "5",
        *credentials,
    )  # fmt: skip

    assert code == 0, report
    assert [
        {k: v for k, v in item.items() if k != "__typename"} for item in report["magento"]["items"]
    ] == [
        {
            "date": store.ORDER_BY_ID[link.order_id].placed_at.strftime("%Y-%m-%d %H:%M:%S"),
            "download_url": expected.download_url(source, link.id),
            "order_increment_id": str(link.order_id),
            "remaining_downloads": expected.remaining_text(source, link.id),
            "status": link.status,
        }
        for link in JANE_LINKS
    ]
    pages = report["bagisto"]
    assert pages["pages"] == [5, 5, 2]
    assert pages["ids"] == [link.id for link in reversed(JANE_LINKS)]  # newest first, once each
    assert pages["cursors"] == [b64encode(str(offset).encode()).decode() for offset in range(12)]
    assert pages["hasNextPage"] is False
    assert pages["totalCount"] == 12
    assert pages["first"]["id"] == "/api/shop/customer-downloadable-products/15"
    assert report["checks"] == {
        "everyPurchase": True,
        "eachOnce": True,
        "newestFirst": True,
        "lastPageSaysSo": True,
    }
    sent = report["requests"]
    assert [(r["path"], r["variables"].get("after")) for r in sent] == [
        ("/graphql", None),
        ("/api/graphql", None),
        ("/api/graphql", "NA=="),
        ("/api/graphql", "OQ=="),
    ]
    assert {r["authorization"] for r in sent} == {f"Bearer {demo.JANE_TOKEN}"}
    assert [r["storefrontKey"] for r in sent] == [key, key, key, key]


@pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")
def test_apollo_client_sees_the_refusal_without_a_storefront_key(
    node_packages: Path, live: str, demo: ModuleType
) -> None:
    code, report = run_node(
        "apollo.mjs",
        "--base", live,
        "--magento-query", str(SPEC / "magento-list.graphql"),
        "--token", demo.JANE_TOKEN,
    )  # fmt: skip

    assert code == 1
    assert "Received status code 401" in report["error"]
    # The first request goes to /graphql, which asks for the key too on this source.
    assert report["networkError"]["errors"] == [
        {
            "message": "X-STOREFRONT-KEY header is required for this operation",
            "extensions": {"category": "graphql-authentication"},
        }
    ]


def test_graphql_js_validates_every_spec_query_against_our_introspection(
    node_packages: Path, live: str
) -> None:
    code, report = run_node("validate.mjs", "--base", live, "--spec-dir", str(SPEC))

    assert code == 0, report
    assert report["schema"] == {
        "valid": True,
        "samePrintOnBothPaths": True,
        "queryFields": ["customerDownloadableProducts", "customerDownloadableProduct"],
    }
    spec_files = sorted(path.name for path in SPEC.glob("*.graphql"))
    assert len(spec_files) == 6
    assert report["documents"] == {name: [] for name in spec_files}
    assert report["wrong"]["errors"] == [
        'Int cannot represent non-integer value: "ten"',
        'Cannot query field "title" on type "CustomerDownloadableProduct". Did you mean "file", "date", or "type"?',
    ]
