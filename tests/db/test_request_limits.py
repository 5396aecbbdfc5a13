"""Hostile requests: oversized bodies, batches, introspection and the explorer switched off."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from starlette.testclient import TestClient

from tests.helpers import Api, data_of, storefront_headers

PATHS = ["/graphql", "/api/graphql"]
TOTAL = "{ customerDownloadableProducts { totalCount } }"  # Bagisto's
ITEMS = "{ customerDownloadableProducts { items { status } } }"  # Magento's


@pytest.mark.parametrize("path", PATHS)
def test_body_over_the_limit_is_a_413(make_api: Callable[..., Api], path: str) -> None:
    api = make_api(max_body_bytes=2048)
    padding = " " * 4096

    response = api.client.post(
        path,
        content=f'{{"query": "{TOTAL}{padding}"}}'.encode(),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.json() == {
        "errors": [{"message": "Request body is too large: at most 2048 bytes."}]
    }


def test_body_without_a_length_is_counted_as_it_arrives(make_api: Callable[..., Api]) -> None:
    api = make_api(max_body_bytes=2048)

    def chunks() -> Iterator[bytes]:
        yield b'{"query": "'
        for _ in range(100):
            yield b" " * 100
        yield b'"}'

    response = api.client.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413


def test_body_within_the_limit_is_served(make_api: Callable[..., Api]) -> None:
    api = make_api(max_body_bytes=2048)

    assert data_of(api.magento(ITEMS, token=api.demo.JANE_TOKEN))


def test_malformed_content_length_is_a_400(client: TestClient) -> None:
    response = client.post(
        "/graphql",
        content=b"{}",
        headers={"Content-Length": "x", "Content-Type": "application/json"},
    )

    assert response.status_code == 400


@pytest.mark.parametrize("path", PATHS)
def test_batches_are_refused_by_default(api: Api, path: str) -> None:
    key = {"X-STOREFRONT-KEY": api.demo.SHOP_KEY} if hasattr(api.demo, "SHOP_KEY") else {}
    headers = {"Authorization": f"Bearer {api.demo.JANE_TOKEN}", **key}

    response = api.client.post(path, json=[{"query": TOTAL}], headers=headers)

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Operation data should be a JSON object"


def test_enabled_batches_run_each_operation_with_one_customer_lookup(
    make_api: Callable[..., Api],
) -> None:
    api = make_api(batch_size=3)
    database = api.client.app.state.database  # type: ignore[attr-defined]
    headers = storefront_headers(api.demo, api.demo.JANE_TOKEN)
    api.client.post("/api/graphql", json={"query": "{ __typename }"}, headers=headers)  # warm up
    before = database.statements

    response = api.client.post(
        "/api/graphql",
        json=[
            {"query": TOTAL},
            {"query": '{ customerDownloadableProduct(id: "1") { _id } }'},
            {"query": '{ customerDownloadableProduct(id: "x") { _id } }'},
        ],
        headers=headers,
    )

    assert response.status_code == 200
    first, second, third = response.json()
    assert first == {"data": {"customerDownloadableProducts": {"totalCount": 12}}}
    assert second == {"data": {"customerDownloadableProduct": {"_id": 1}}}
    assert third["errors"][0]["extensions"] == {"status": 400}
    assert database.statements - before == 2  # the count with the token check, the item


def test_batches_larger_than_allowed_are_refused(make_api: Callable[..., Api]) -> None:
    api = make_api(batch_size=2)

    response = api.client.post("/graphql", json=[{"query": ITEMS}] * 3)

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "A batch holds 1 to 2 operations, got 3."


def test_a_batch_needs_the_storefront_key_unless_it_is_all_introspection(
    make_api: Callable[..., Api],
) -> None:
    api = make_api(batch_size=2)
    if not hasattr(api.demo, "SHOP_KEY"):
        assert api.client.post("/api/graphql", json=[{"query": TOTAL}]).status_code == 200
        return

    assert (
        api.client.post(
            "/api/graphql", json=[{"query": "{ __schema { queryType { name } } }"}]
        ).status_code
        == 200
    )
    assert (
        api.client.post(
            "/api/graphql",
            json=[{"query": "{ __schema { queryType { name } } }"}, {"query": TOTAL}],
        ).status_code
        == 401
    )


@pytest.mark.parametrize("path", PATHS)
def test_introspection_can_be_switched_off(make_api: Callable[..., Api], path: str) -> None:
    api = make_api(introspection=False)

    response = api.client.post(
        path,
        json={"query": "{ __schema { queryType { name } } }"},
        headers={"X-STOREFRONT-KEY": getattr(api.demo, "SHOP_KEY", "")},
    )

    assert response.status_code == 400
    assert "introspection is disabled" in response.json()["errors"][0]["message"].lower()


def test_field_suggestions_are_hidden_when_introspection_is_off(
    make_api: Callable[..., Api],
) -> None:
    query = "{ customerDownloadableProducts { itms { status } } }"
    on = make_api().magento(query).json()["errors"][0]["message"]
    off = make_api(introspection=False).magento(query).json()["errors"][0]["message"]

    assert "Did you mean 'items'?" in on
    assert off == "Cannot query field 'itms' on type 'CustomerDownloadableProducts'."


@pytest.mark.parametrize(
    ("changes", "explorer_shown"),
    [
        pytest.param({}, True, id="default"),
        pytest.param({"explorer": False}, False, id="explorer-off"),
        pytest.param({"introspection": False}, False, id="introspection-off"),
    ],
)
def test_the_explorer_can_be_switched_off(
    make_api: Callable[..., Api], changes: dict, explorer_shown: bool
) -> None:
    api = make_api(**changes)

    for path in PATHS:
        response = api.client.get(path, headers={"Accept": "text/html"})
        assert (response.status_code == 200) is explorer_shown
        if not explorer_shown:  # GraphQL over HTTP's answer to a GET without a query
            assert response.status_code == 400
            assert response.json()["errors"][0]["message"].startswith("A GET request carries")
