"""/graphql as a Magento 2.4 PWA storefront sees it (docs/behaviour.md §4, §7.1 Magento column)."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import ModuleType

import pytest
from starlette.testclient import TestClient

from tests import expected
from tests.helpers import Api, data_of, storefront_headers
from tests.paths import SPEC

MAGENTO_QUERY = (SPEC / "magento-list.graphql").read_text()

UNAUTHORIZED = {
    "errors": [
        {
            "message": "The current customer isn't authorized.",
            "locations": [{"line": 2, "column": 3}],
            "path": ["customerDownloadableProducts"],
            "extensions": {"category": "graphql-authorization"},
        }
    ],
    "data": {"customerDownloadableProducts": None},
}

# Jane's purchases oldest first, as Magento lists them: (id, order, status).
JANE_ITEMS = [
    (1, "101", "available"),
    (2, "101", "available"),
    (3, "102", "available"),
    (5, "103", "expired"),
    (6, "104", "expired"),
    (7, "105", "pending"),
    (9, "106", "available"),
    (10, "106", "available"),
    (11, "107", "pending"),
    (12, "108", "available"),
    (13, "108", "expired"),
    (15, "109", "available"),
]


def items(api: Api, query: str = MAGENTO_QUERY, token: str | None = None, **variables):
    return data_of(api.magento(query, variables or None, token=token or api.demo.JANE_TOKEN))


def test_items_list_every_purchase_oldest_first_with_magentos_formats(
    api: Api, source: str
) -> None:
    listed = items(api)["customerDownloadableProducts"]["items"]

    assert [
        (
            item["download_url"],
            item["order_increment_id"],
            item["remaining_downloads"],
            item["status"],
        )
        for item in listed
    ] == [
        (expected.download_url(source, i), order, expected.remaining_text(source, i), status)
        for i, order, status in JANE_ITEMS
    ]
    assert [item["remaining_downloads"] for item in listed][:3] == ["4", "5", "Unlimited"]
    assert listed[0]["date"] == "2025-06-15 10:30:00"


@pytest.mark.parametrize(
    "arguments", ['(status: "pending")', "(first: 1)", '(status: "pending", first: 1)']
)
def test_the_root_field_takes_no_arguments_as_in_magento(api: Api, arguments: str) -> None:
    query = f"query {{ customerDownloadableProducts{arguments} {{ items {{ status }} }} }}"

    response = api.magento(query, token=api.demo.JANE_TOKEN)

    assert response.status_code == 400
    assert {e["message"].split("'")[1] for e in response.json()["errors"]} <= {"status", "first"}
    assert "data" not in response.json()


def test_customer_without_purchases_gets_an_empty_list_not_null(api: Api) -> None:
    assert items(api, token=api.demo.EMMA_TOKEN) == {"customerDownloadableProducts": {"items": []}}


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("query CustomerDownloadableProducts " + MAGENTO_QUERY, id="named-operation"),
        pytest.param(MAGENTO_QUERY.replace("customerDownloadableProducts", "downloadable: customerDownloadableProducts"), id="alias"),
        pytest.param("query Get($date: Boolean = true) { customerDownloadableProducts { items { date @include(if: $date) download_url order_increment_id remaining_downloads status } } }", id="variables"),
        pytest.param("fragment Item on CustomerDownloadableProduct { date download_url order_increment_id remaining_downloads status } { customerDownloadableProducts { items { ...Item } } }", id="fragment"),
    ],
)  # fmt: skip
def test_common_query_variants(api: Api, source: str, query: str) -> None:
    data = items(api, query)
    listed = next(iter(data.values()))["items"]

    assert len(listed) == 12
    assert listed[2] == {
        "date": "2025-07-01 09:00:00",
        "download_url": expected.download_url(source, 3),
        "order_increment_id": "102",
        "remaining_downloads": "Unlimited",
        "status": "available",
    }


def test_get_request_with_variables_as_a_json_string(client: TestClient, demo: ModuleType) -> None:
    response = client.get(
        "/graphql",
        params={
            "query": "query Get($url: Boolean!) { customerDownloadableProducts "
            "{ items { status download_url @include(if: $url) } } }",
            "variables": json.dumps({"url": False}),
            "operationName": "Get",
        },
        headers=storefront_headers(demo, demo.JANE_TOKEN),
    )

    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "customerDownloadableProducts": {
                "items": [{"status": status} for _, _, status in JANE_ITEMS]
            }
        }
    }


def test_cors_preflight_is_answered(client: TestClient) -> None:
    response = client.options(
        "/graphql",
        headers={
            "Origin": "https://pwa.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, store",
        },
    )

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "authorization" in response.headers["access-control-allow-headers"].lower()


def test_cors_origins_are_configurable(make_client: Callable[..., TestClient]) -> None:
    client = make_client(cors_allow_origins=("https://pwa.example.com",))
    preflight = {"Access-Control-Request-Method": "POST"}

    allowed = client.options("/graphql", headers={"Origin": "https://pwa.example.com", **preflight})
    refused = client.options("/graphql", headers={"Origin": "https://evil.example", **preflight})

    assert allowed.headers["access-control-allow-origin"] == "https://pwa.example.com"
    assert refused.status_code == 400


TOKENS = [
    pytest.param(None, id="no-token"),
    pytest.param("not a token at all", id="malformed"),
    pytest.param("hoyz7k697ubv5hcpq92yrtx39i7x10um", id="unknown"),
    pytest.param("ADMIN_TOKEN", id="admin"),
    pytest.param("JANE_EXPIRED_TOKEN", id="expired"),
]


@pytest.mark.parametrize("token", TOKENS)
def test_unauthorized_customer_reads_exactly_as_magento_answers(
    api: Api, token: str | None
) -> None:
    response = api.magento(MAGENTO_QUERY, token=getattr(api.demo, token or "", token))

    assert response.status_code == 200
    assert response.json() == UNAUTHORIZED
    assert list(response.json()) == ["errors", "data"]  # Magento's order


@pytest.mark.parametrize("token", TOKENS)
def test_unauthorized_status_can_follow_magento_249(
    make_api: Callable[..., Api], token: str | None
) -> None:
    api = make_api(magento_unauthorized_status=403)
    response = api.magento(MAGENTO_QUERY, token=getattr(api.demo, token or "", token))

    assert response.status_code == 403
    assert response.json() == UNAUTHORIZED


def test_403_setting_changes_only_the_authorization_answer(make_api: Callable[..., Api]) -> None:
    api = make_api(magento_unauthorized_status=403)

    assert api.magento(MAGENTO_QUERY, token=api.demo.JANE_TOKEN).status_code == 200
    assert api.magento("{ customerDownloadableProducts { nope } }").status_code == 400


BAGISTO_QUERY = "{ customerDownloadableProducts(first: 2) { edges { node { _id } } totalCount } }"


@pytest.mark.parametrize("token", [None, "JANE_TOKEN"])
def test_a_bagisto_query_fails_validation_on_the_magento_path(api: Api, token: str | None) -> None:
    response = api.magento(BAGISTO_QUERY, token=getattr(api.demo, token or "", None))

    assert response.status_code == 400
    assert [e["message"].split(" Did you mean")[0] for e in response.json()["errors"]] == [
        "Unknown argument 'first' on field 'Query.customerDownloadableProducts'.",
        "Cannot query field 'edges' on type 'CustomerDownloadableProducts'.",
        "Cannot query field 'totalCount' on type 'CustomerDownloadableProducts'.",
    ]


def test_a_magento_query_fails_validation_on_the_bagisto_path(api: Api) -> None:
    response = api.bagisto(MAGENTO_QUERY)

    assert response.status_code == 400
    assert [e["message"] for e in response.json()["errors"]] == [
        "Cannot query field 'items' on type 'CustomerDownloadableProductCursorConnection'."
    ]


@pytest.mark.parametrize("path", ["/graphql", "/api/graphql"])
def test_browser_get_opens_the_explorer(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()
