"""Magento store scope on the demo's store views (fixtures/magento_stores.py, docs/behaviour.md §9):
the `Store` header, `/{store_code}/graphql`, `Content-Currency`, and download URLs built
on each store's own configuration, on every path of a Magento source."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from app.settings import Settings
from fixtures import magento
from tests import expected
from tests.helpers import Api, app_client, data_of
from tests.stores import FR, ITEMS, JANE_IDS, jane, link, listed

pytestmark = pytest.mark.parametrize("source", ["magento"], indirect=True, scope="session")

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


@pytest.fixture(scope="module")
def api(settings: Settings, demo: ModuleType) -> Iterator[Api]:
    """Without TEST_MAGENTO_STORE's `Store` header: each test here says which store."""
    with app_client(settings) as client:
        yield Api(client, demo)


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
    unscoped_api: Callable[..., Api],
) -> None:
    api = unscoped_api(public_base_url=None)

    assert listed(jane(api))[0]["download_url"] == link("http://testserver", 1)
    assert listed(jane(api, {"Store": "fr"}))[0]["download_url"] == link(FR, 1)
