"""Magento store scope on the demo's store views (fixtures/magento_stores.py, contract §9):
the `Store` header, `/{store_code}/graphql`, `Content-Currency`, and download URLs built
on each store's own configuration, on every path of a Magento source."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from types import ModuleType
from typing import Any
from urllib.parse import quote

import httpx2
import pymysql
import pytest
from starlette.testclient import TestClient

import fixtures
from app.application import create_app
from app.settings import Settings
from fixtures import magento
from tests import expected
from tests.conftest import SERVER_URL
from tests.helpers import Api, data_of

pytestmark = pytest.mark.parametrize("source", ["magento"], indirect=True, scope="session")

ITEMS = "{ customerDownloadableProducts { items { order_increment_id date status download_url remaining_downloads title link_title order_id } } }"
FR = "https://fr.shop.example.com/index.php/fr"  # the demo's `fr`: its domain, no rewrites
STORE_NOT_FOUND = {
    "errors": [
        {"message": "Requested store is not found", "extensions": {"category": "graphql-input"}}
    ]
}
BAD_CURRENCY = {
    "errors": [
        {
            "message": "Please correct the target currency",
            "extensions": {"category": "graphql-input"},
        }
    ]
}


JANE_IDS = [1, 2, 3, 5, 6, 7, 9, 10, 11, 12, 13, 15]  # her purchases, oldest first


@pytest.fixture
def own_api(settings: Settings, demo: ModuleType) -> Iterator[Callable[..., Api]]:
    """Apps without TEST_MAGENTO_STORE's `Store` header (tests/conftest.py): each test
    here says which store it asks for."""
    started: list[TestClient] = []

    def start(**changes: Any) -> Api:
        client = TestClient(create_app(replace(settings, **changes)))
        client.__enter__()
        started.append(client)
        return Api(client, demo)

    yield start
    for client in started:
        client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def api(settings: Settings, demo: ModuleType) -> Iterator[Api]:
    with TestClient(create_app(settings)) as client:
        yield Api(client, demo)


def jane(
    api: Api, headers: dict[str, str] | None = None, path: str = "/graphql"
) -> httpx2.Response:
    headers = {"Authorization": f"Bearer {magento.JANE_TOKEN}", **(headers or {})}
    return api.client.post(path, json={"query": ITEMS}, headers=headers)


def listed(response: httpx2.Response) -> list[dict[str, Any]]:
    return data_of(response)["customerDownloadableProducts"]["items"]  # type: ignore[no-any-return]


def link(base: str, link_id: int) -> str:
    hashed = magento.link_hash(link_id, expected.ORDER_ITEMS[link_id])
    return f"{base}/downloadable/download/link/id/{quote(hashed, safe='')}/"


def without_links(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in item.items() if k != "download_url"} for item in items]


def test_no_header_gives_the_default_views_links(api: Api) -> None:
    items = listed(jane(api))

    assert items[0]["download_url"] == link(expected.BASE, 1)
    assert listed(jane(api, {"Store": "default"})) == items


def test_the_store_header_and_the_store_path_give_fr_links_and_the_same_rows(api: Api) -> None:
    default = listed(jane(api))
    by_header = listed(jane(api, {"Store": "fr"}))
    by_path = listed(jane(api, path="/fr/graphql"))

    assert by_header == by_path
    assert [item["download_url"] for item in by_header] == [link(FR, i) for i in JANE_IDS]
    assert without_links(by_header) == without_links(default)


def test_the_header_wins_over_the_path(api: Api) -> None:
    items = listed(jane(api, {"Store": " default "}, path="/fr/graphql"))

    assert items[0]["download_url"] == link(expected.BASE, 1)


@pytest.mark.parametrize("store", ["archive", "nope", "admin", "fr/../default"])
def test_unknown_inactive_and_admin_stores_are_refused_before_any_customer_data(
    api: Api, store: str
) -> None:
    database = api.client.app.state.database  # type: ignore[attr-defined]
    before = database.statements

    response = jane(api, {"Store": store})

    assert (response.status_code, response.json()) == (200, STORE_NOT_FOUND)
    assert database.statements == before  # no token looked up, no row read


def test_a_refused_store_comes_before_the_missing_token(api: Api) -> None:
    response = api.client.post("/graphql", json={"query": ITEMS}, headers={"Store": "nope"})

    assert response.json() == STORE_NOT_FOUND


@pytest.mark.parametrize(
    ("headers", "path"),
    [
        ({"Content-Currency": "eur"}, "/fr/graphql"),
        ({"Content-Currency": " usd"}, "/graphql"),
        ({"Content-Currency": "USD", "Store": "fr"}, "/graphql"),
        ({"Content-Currency": ""}, "/fr/graphql"),
    ],
)
def test_an_allowed_currency_in_any_case_is_accepted(
    api: Api, headers: dict[str, str], path: str
) -> None:
    assert len(listed(jane(api, headers, path))) == 12


@pytest.mark.parametrize(
    ("headers", "path"),
    [
        ({"Content-Currency": "EUR"}, "/graphql"),
        ({"Content-Currency": "EUR", "Store": "default"}, "/fr/graphql"),
        ({"Content-Currency": "GBP"}, "/fr/graphql"),
    ],
)
def test_a_currency_the_store_does_not_allow_is_refused(
    api: Api, headers: dict[str, str], path: str
) -> None:
    response = jane(api, headers, path)

    assert (response.status_code, response.json()) == (200, BAD_CURRENCY)


def test_bagisto_paths_on_a_magento_source_follow_the_store_in_bagistos_words(api: Api) -> None:
    item = '{ customerDownloadableProduct(id: "1") { downloadUrl } }'
    fr = api.client.post(
        "/api/graphql",
        json={"query": item},
        headers={"Authorization": f"Bearer {magento.JANE_TOKEN}", "Store": "fr"},
    )
    refused = api.client.post("/api/graphql", json={"query": item}, headers={"Store": "nope"})
    rest = api.client.get(
        "/api/shop/customer-downloadable-products/1",
        headers={"Authorization": f"Bearer {magento.JANE_TOKEN}", "Store": "fr"},
    )
    rest_refused = api.client.get(
        "/api/shop/customer-downloadable-products/1", headers={"Content-Currency": "XYZ"}
    )

    assert data_of(fr) == {"customerDownloadableProduct": {"downloadUrl": link(FR, 1)}}
    assert (refused.status_code, refused.json()) == (
        200,
        {"errors": [{"message": "Requested store is not found", "extensions": {"status": 400}}]},
    )
    assert rest.json()["downloadUrl"] == link(FR, 1)
    assert (rest_refused.status_code, rest_refused.json()) == (
        400,
        {
            "type": "/errors/400",
            "title": "Bad Request",
            "status": 400,
            "detail": "Please correct the target currency",
        },
    )


@pytest.mark.parametrize("path", ["/default/graphql", "/archive/graphql", "/nope/graphql"])
def test_only_active_stores_with_codes_in_urls_have_a_path(api: Api, path: str) -> None:
    assert api.client.post(path, json={"query": ITEMS}).status_code == 404
    assert api.client.get(path).status_code == 404


def test_the_store_path_serves_get_the_explorer_and_no_store(api: Api) -> None:
    got = api.client.get(
        "/fr/graphql",
        params={"query": ITEMS},
        headers={"Authorization": f"Bearer {magento.JANE_TOKEN}"},
    )
    explorer = api.client.get("/fr/graphql", headers={"Accept": "text/html"})

    assert listed(got)[0]["download_url"] == link(FR, 1)
    assert got.headers["Cache-Control"] == "no-store"
    assert explorer.status_code == 200 and "<html" in explorer.text


def test_without_public_base_url_only_the_unconfigured_store_follows_the_request(
    own_api: Callable[..., Api],
) -> None:
    api = own_api(public_base_url=None)

    assert listed(jane(api))[0]["download_url"] == link("http://testserver", 1)
    assert listed(jane(api, {"Store": "fr"}))[0]["download_url"] == link(FR, 1)


# --- on a database of its own, changed by the test ---------------------------------


def root() -> pymysql.Connection:
    return pymysql.connect(host="127.0.0.1", port=3306, user="root", autocommit=True)


@pytest.fixture
def shop() -> Iterator[tuple[str, Callable[[str], None]]]:
    """A fresh Magento demo database, and a way to run SQL on it."""
    name = f"downloads_api_stores_{uuid.uuid4().hex[:8]}"
    connection = root()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")

    def execute(sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"USE `{name}`")
            cursor.execute(sql)

    try:
        fixtures.load(f"{SERVER_URL}/{name}", "magento")
        yield f"{SERVER_URL}/{name}", execute
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE `{name}`")
        connection.close()


def test_store_views_are_read_by_the_first_request_when_start_up_could_not(
    own_api: Callable[..., Api],
) -> None:
    name = f"downloads_api_stores_{uuid.uuid4().hex[:8]}"
    api = own_api(database_url=f"{SERVER_URL}/{name}")  # no such database yet
    down = jane(api, {"Store": "fr"})
    with root().cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        fixtures.load(f"{SERVER_URL}/{name}", "magento")
        up = jane(api, {"Store": "fr"})
    finally:
        with root().cursor() as cursor:
            cursor.execute(f"DROP DATABASE `{name}`")

    assert down.status_code == 503
    assert down.json()["errors"][0]["path"] == ["customerDownloadableProducts"]
    assert listed(up)[0]["download_url"] == link(FR, 1)


def test_store_codes_in_urls_everywhere(
    own_api: Callable[..., Api], shop: tuple[str, Callable[[str], None]]
) -> None:
    url, execute = shop
    execute(
        "UPDATE core_config_data SET value = '1'"
        " WHERE path = 'web/url/use_store' AND scope = 'default'"
    )
    api = own_api(database_url=url)

    assert listed(jane(api))[0]["download_url"] == link(f"{expected.BASE}/default", 1)
    assert listed(jane(api, path="/default/graphql")) == listed(jane(api))
    assert listed(jane(api, {"Store": "fr"}, "/default/graphql"))[0]["download_url"] == link(FR, 1)
    assert api.client.post("/archive/graphql", json={"query": ITEMS}).status_code == 404


def poll_fr_link(api: Api, until: str, seconds: float = 10) -> str:
    """The first of Jane's links in `fr`, asked until it reads `until` or time is up."""
    deadline = time.monotonic() + seconds
    while True:
        first: str = listed(jane(api, {"Store": "fr"}))[0]["download_url"]
        if first == until or time.monotonic() > deadline:
            return first
        time.sleep(0.05)


def test_a_changed_base_url_shows_within_the_refresh_interval_without_a_restart(
    own_api: Callable[..., Api], shop: tuple[str, Callable[[str], None]], settings: Settings
) -> None:
    url, execute = shop
    own = replace(settings.source_settings, store_refresh_seconds=0.2)
    api = own_api(database_url=url, source_settings=own)
    assert listed(jane(api, {"Store": "fr"}))[0]["download_url"] == link(FR, 1)

    execute(
        "UPDATE core_config_data SET value = 'https://boutique.example.fr/'"
        " WHERE path = 'web/secure/base_url' AND scope = 'websites' AND scope_id = 2"
    )
    execute("UPDATE store SET is_active = 1 WHERE code = 'archive'")

    changed = link("https://boutique.example.fr/index.php/fr", 1)
    assert poll_fr_link(api, until=changed) == changed
    assert len(listed(jane(api, {"Store": "archive"}))) == 12


def test_a_refresh_that_fails_keeps_the_last_store_views_until_one_succeeds(
    own_api: Callable[..., Api], shop: tuple[str, Callable[[str], None]], settings: Settings
) -> None:
    url, execute = shop
    own = replace(settings.source_settings, store_refresh_seconds=0.2)
    api = own_api(database_url=url, source_settings=own)
    assert listed(jane(api, {"Store": "fr"}))[0]["download_url"] == link(FR, 1)

    execute("RENAME TABLE core_config_data TO core_config_data_gone")
    time.sleep(0.6)  # a few refreshes fail meanwhile
    assert listed(jane(api, {"Store": "fr"}))[0]["download_url"] == link(FR, 1)

    execute("UPDATE core_config_data_gone SET value = '1' WHERE path = 'web/seo/use_rewrites'")
    execute("RENAME TABLE core_config_data_gone TO core_config_data")
    changed = link("https://fr.shop.example.com/fr", 1)
    assert poll_fr_link(api, until=changed) == changed
