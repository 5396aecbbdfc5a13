"""Real storefronts' documents, unchanged, sent as their clients send them (tests/clients/,
docs/platforms.md §3): on the test database and on the embedded demo, on both
sources. Each runs on its own path with no `errors`, and fails validation on the other."""

from __future__ import annotations

import json
from base64 import b64encode
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx2
import pytest
from starlette.testclient import TestClient

import fixtures
from app.sources import SOURCES
from fixtures import bagisto, demo
from tests import expected
from tests.helpers import app_client, data_of
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


@pytest.mark.parametrize("name", BY_NAME)
def test_each_client_document_runs_unchanged_on_its_path(
    client: TestClient, demo: ModuleType, source: str, name: str
) -> None:
    response = send(client, BY_NAME[name], demo.JANE_TOKEN)

    check_answer(name, data_of(response), source)


@pytest.mark.parametrize("name", BY_NAME)
def test_each_client_document_fails_validation_on_the_other_path(
    client: TestClient, demo: ModuleType, name: str
) -> None:
    own = BY_NAME[name]
    # With the storefront key /api/graphql asks for, so that validation is what refuses it.
    headers = {**own["headers"], "X-STOREFRONT-KEY": "{storefrontKey}"}

    response = send(
        client, dict(own, headers=headers), demo.JANE_TOKEN, path=OTHER_PATH[own["path"]]
    )

    assert response.status_code == 400
    assert response.json()["errors"]
    assert response.json().get("data") is None


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


def test_nextjs_page_jump_reaches_page_20_at_50_a_page(
    client: TestClient, demo: ModuleType
) -> None:
    check_page_20_at_50(*jump(client, demo.LENA_TOKEN, page=20, limit=50))


def test_mobile_app_pages_on_with_after(client: TestClient, demo: ModuleType) -> None:
    mobile = BY_NAME["mobile-app"]
    first = data_of(send(client, mobile, demo.JANE_TOKEN))
    cursor = first["customerDownloadableProducts"]["pageInfo"]["endCursor"]

    second = data_of(
        send(client, mobile, demo.JANE_TOKEN, variables={"first": 10, "after": cursor})
    )

    assert edges_ids(first) + edges_ids(second) == JANE[::-1]


@pytest.mark.parametrize("name", ["scandipwa", "pwa-studio"])
def test_signed_out_magento_clients_get_magentos_authorization_error(
    client: TestClient, name: str
) -> None:
    # Both send `Authorization: ''` when nobody is signed in.
    own = dict(BY_NAME[name], headers={**BY_NAME[name]["headers"], "Authorization": ""})

    response = send(client, own, "")

    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"] == {"category": "graphql-authorization"}
    assert response.json()["data"] == {"customerDownloadableProducts": None}


@pytest.fixture(scope="module", params=list(SOURCES))
def embedded_demo(request: pytest.FixtureRequest) -> Iterator[tuple[TestClient, ModuleType, str]]:
    """The embedded demo (`downloads-api serve` with no DATABASE_URL) of a source."""
    source = request.param
    with app_client(source=source) as http:
        yield http, fixtures.platform(source), source


@pytest.mark.parametrize("name", BY_NAME)
def test_each_client_document_runs_on_the_embedded_demo(
    embedded_demo: tuple[TestClient, ModuleType, str], name: str
) -> None:
    http, credentials, source = embedded_demo

    response = send(http, BY_NAME[name], credentials.JANE_TOKEN)

    check_answer(name, data_of(response), source, base="http://testserver")


def test_nextjs_page_jump_on_the_embedded_demo(
    embedded_demo: tuple[TestClient, ModuleType, str],
) -> None:
    http, credentials, _ = embedded_demo

    check_page_20_at_50(*jump(http, credentials.LENA_TOKEN, page=20, limit=50))


def test_the_manifest_names_every_fixture() -> None:
    used = {(CLIENTS / client["document"]).resolve() for client in MANIFEST}

    assert {path.resolve() for path in CLIENTS.glob("*.graphql")} <= used
    assert all(path.exists() for path in used)
    assert {client["path"] for client in MANIFEST} == {"/graphql", "/api/graphql"}
