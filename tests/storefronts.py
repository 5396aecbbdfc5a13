"""Real storefronts' documents (tests/clients/, docs/platforms.md §3) sent unchanged, the
way their clients send them, and what each answers for Jane on the demo data."""

from __future__ import annotations

import json
from base64 import b64encode
from typing import Any

import httpx2
from starlette.testclient import TestClient

from fixtures import bagisto, demo
from tests import expected
from tests.helpers import data_of
from tests.paths import CLIENTS

MANIFEST = json.loads((CLIENTS / "clients.json").read_text())["clients"]
BY_NAME = {client["name"]: client for client in MANIFEST}
OTHER_PATH = {"/graphql": "/api/graphql", "/api/graphql": "/graphql"}

JANE = sorted(link.id for link in demo.LINKS if demo.ORDER_BY_ID[link.order_id].customer_id == 1)
LENA = sorted(
    link.id for link in demo.LINKS if demo.ORDER_BY_ID[link.order_id].customer_id == demo.COLLECTOR
)
LINK = {link.id: link for link in demo.LINKS}


def document(client: dict[str, Any]) -> str:
    return (CLIENTS / client["document"]).read_text()


def send(
    http: TestClient,
    client: dict[str, Any],
    token: str,
    *,
    path: str | None = None,
    variables: dict[str, Any] | None = None,
) -> httpx2.Response:
    """The request `client` sends: its method, headers, body or URL, and variables."""
    headers = {
        name: value.replace("{token}", token).replace("{storefrontKey}", bagisto.SHOP_KEY)
        for name, value in client["headers"].items()
    }
    # Deployed in front of a Bagisto database, a Magento storefront sends the key too: every
    # path asks for it there (docs/behaviour.md §6). A source without keys ignores it.
    headers.setdefault("X-STOREFRONT-KEY", bagisto.SHOP_KEY)
    path = path or client["path"]
    variables = client["variables"] if variables is None else variables
    if client["method"] == "GET":
        params = {"query": document(client).strip(), "variables": json.dumps(variables)}
        return http.get(path, params=params, headers=headers)
    body: dict[str, Any] = {"query": document(client)}
    if variables is not None:
        body["variables"] = variables
    return http.post(path, content=json.dumps(body), headers=headers)


def edges_ids(data: dict[str, Any]) -> list[int]:
    return [edge["node"]["_id"] for edge in data["customerDownloadableProducts"]["edges"]]


def check_answer(name: str, data: dict[str, Any], source: str, base: str = expected.BASE) -> None:
    """What each client's document answers for Jane."""
    if name in ("nextjs-commerce", "mobile-app"):
        products = data["customerDownloadableProducts"]
        assert edges_ids(data) == JANE[::-1][:10]
        assert products["totalCount"] == 12
        assert products["pageInfo"]["hasNextPage"] is True
        assert products["edges"][0]["node"]["order"] == {
            "_id": 109,
            "incrementId": "109",
            "status": "closed",
        }
        assert products["edges"][0]["node"]["downloadUrl"] == expected.download_url(
            source, 15, base
        )
    elif name == "bagisto-api-tests-list":
        assert edges_ids(data) == [i for i in JANE[::-1] if LINK[i].status == "available"]
        assert data["customerDownloadableProducts"]["totalCount"] == 7
    elif name == "bagisto-api-tests-item":
        item = data["customerDownloadableProduct"]
        assert (item["_id"], item["order"]["grandTotal"]) == (1, 29.99)
    else:  # Magento's `items`, every purchase, oldest first
        listed = data["customerDownloadableProducts"]["items"]
        assert [item["order_increment_id"] for item in listed] == [
            str(LINK[i].order_id) for i in JANE
        ]
        if name == "scandipwa":
            assert listed[0] == {
                "order_id": 101,
                "order_increment_id": "101",
                "date": "2025-06-15 10:30:00",
                "status": "available",
                "download_url": expected.download_url(source, 1, base),
                "link_title": "PDF Download",
                "remaining_downloads": "4",
                "title": "Laravel E-Book",
            }
        if name == "pwa-studio":
            assert data["customerDownloadableProducts"]["__typename"] == (
                "CustomerDownloadableProducts"
            )
            assert {item["__typename"] for item in listed} == {"CustomerDownloadableProduct"}


def jump(
    http: TestClient, token: str, page: int, limit: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Bagisto's Next.js storefront reaching page `page`: it asks for the `(page - 1) * limit`
    purchases before it to learn the end cursor, then for the page after that cursor
    (src/app/(public)/account/downloadable-products/page.tsx)."""
    nextjs = BY_NAME["nextjs-commerce"]
    before = data_of(send(http, nextjs, token, variables={"first": (page - 1) * limit}))
    cursor = before["customerDownloadableProducts"]["pageInfo"]["endCursor"]
    wanted = data_of(send(http, nextjs, token, variables={"first": limit, "after": cursor}))
    return before, wanted


def check_page_20_at_50(before: dict[str, Any], wanted: dict[str, Any]) -> None:
    assert len(before["customerDownloadableProducts"]["edges"]) == 950
    assert before["customerDownloadableProducts"]["pageInfo"]["endCursor"] == (
        b64encode(b"949").decode()
    )
    products = wanted["customerDownloadableProducts"]
    assert edges_ids(wanted) == LENA[::-1][950:1000]
    assert [edge["cursor"] for edge in products["edges"]] == [
        b64encode(str(offset).encode()).decode() for offset in range(950, 1000)
    ]
    assert products["pageInfo"]["hasNextPage"] is False
    assert products["pageInfo"]["hasPreviousPage"] is True
    assert products["totalCount"] == demo.COLLECTOR_PURCHASES == 1000
