"""The Bagisto REST paths (docs/behaviour.md §2, §5, §7): lists, items, who may see what, errors,
statements per request, agreement with GraphQL, and the OpenAPI document."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from starlette.testclient import TestClient

from app.errors import UNAVAILABLE_MESSAGE
from app.rest.items import ITEM_FIELDS, ORDER_FIELDS
from app.sources.bagisto import BagistoSource
from fixtures import bagisto
from tests.helpers import Api, data_of
from tests.paths import ROOT

# The demo ids and credentials below are Bagisto's (usefixtures: the parametrization needs
# every test to ask for `source`, even those that need no database).
pytestmark = [
    pytest.mark.usefixtures("source"),
    pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session"),
]

LIST = "/api/shop/customer-downloadable-products"
JANE = [15, 13, 12, 11, 10, 9, 7, 6, 5, 3, 2, 1]
JOHN = [16, 14, 8, 4]

BAD_ID = (
    'Invalid ID format. Expected IRI format like "/api/shop/customer-downloadable-products/1"'
    " or numeric ID"
)
UNAUTHENTICATED = {
    "type": "/errors/403",
    "title": "Forbidden",
    "status": 403,
    "detail": "Unauthenticated. Please login to perform this action",
}
MISSING_KEY = {
    "message": "X-STOREFRONT-KEY header is required",
    "error": "missing_key",
    "header_name": "X-STOREFRONT-KEY",
    "key_type": "shop",
}
INVALID_KEY = {"message": "Invalid or inactive shop API key", "error": "invalid_key"}


def get(
    client: TestClient,
    path: str = LIST,
    *,
    token: str | None = bagisto.JANE_TOKEN,
    key: str | None = bagisto.SHOP_KEY,
    **params: Any,
) -> httpx2.Response:
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if key is not None:
        headers["X-STOREFRONT-KEY"] = key
    return client.get(path, params=params, headers=headers)


def ids(response: httpx2.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()]


def pages(response: httpx2.Response) -> tuple[int, int, int, int]:
    """X-Total-Count, X-Page, X-Per-Page and X-Total-Pages."""
    names = ("X-Total-Count", "X-Page", "X-Per-Page", "X-Total-Pages")
    return tuple(int(response.headers[name]) for name in names)  # type: ignore[return-value]


def problem(status: int, title: str, detail: str) -> dict[str, Any]:
    return {"type": f"/errors/{status}", "title": title, "status": status, "detail": detail}


def not_found(number: str) -> dict[str, Any]:
    return problem(404, "Not Found", f'Customer downloadable product with ID "{number}" not found')


# --- the list ------------------------------------------------------------------------


def test_list_is_the_customers_first_ten_purchases_newest_first(client: TestClient) -> None:
    response = get(client)

    assert ids(response) == JANE[:10]
    assert response.headers["content-type"] == "application/json"
    assert pages(response) == (12, 1, 10, 2)


@pytest.mark.parametrize(
    ("params", "expected", "headers"),
    [
        pytest.param({"page": 2}, JANE[10:], (12, 2, 10, 2), id="second-page"),
        pytest.param({"per_page": 5}, JANE[:5], (12, 1, 5, 3), id="per-page"),
        pytest.param({"per_page": 5, "page": 2}, JANE[5:10], (12, 2, 5, 3), id="per-page-and-page"),
        pytest.param({"per_page": 5, "page": 3}, JANE[10:], (12, 3, 5, 3), id="short-last-page"),
        pytest.param({"per_page": 12}, JANE, (12, 1, 12, 1), id="exactly-one-page"),
        pytest.param({"per_page": 100}, JANE, (12, 1, 100, 1), id="largest-page"),
        pytest.param({"per_page": 1, "page": 12}, [1], (12, 12, 1, 12), id="oldest-alone"),
        pytest.param({"page": "01", "per_page": "05"}, JANE[:5], (12, 1, 5, 3), id="leading-zeros"),
        pytest.param({"page": 3}, [], (12, 3, 10, 2), id="page-past-the-end"),
        pytest.param({"page": 2**63 - 1}, [], (12, 2**63 - 1, 10, 2), id="largest-page-number"),
        pytest.param({"status": "available"}, [15, 12, 10, 9, 3, 2, 1], (7, 1, 10, 1), id="available"),
        pytest.param({"status": "expired"}, [13, 6, 5], (3, 1, 10, 1), id="expired"),
        pytest.param({"status": "pending"}, [11, 7], (2, 1, 10, 1), id="pending"),
        pytest.param({"status": "available", "per_page": 3, "page": 2}, [9, 3, 2], (7, 2, 3, 3), id="status-per-page-and-page"),
        pytest.param({"status": "pending", "page": 2}, [], (2, 2, 10, 1), id="status-past-the-end"),
        pytest.param({"status": "available", "per_page": 3}, [15, 12, 10], (7, 1, 3, 3), id="status-and-per-page"),
        pytest.param({"status": "expired", "page": 1}, [13, 6, 5], (3, 1, 10, 1), id="status-and-page"),
        pytest.param({"status": "AVAILABLE"}, [15, 12, 10, 9, 3, 2, 1], (7, 1, 10, 1), id="status-in-capitals"),
        pytest.param({"status": "Expired"}, [13, 6, 5], (3, 1, 10, 1), id="status-in-mixed-case"),
        pytest.param({"status": "unknown"}, [], (0, 1, 10, 1), id="unknown-status-lists-nothing"),
        pytest.param({"status": ""}, [], (0, 1, 10, 1), id="empty-status-lists-nothing"),
        pytest.param({"status": "pending_payment"}, [], (0, 1, 10, 1), id="status-never-listed-lists-nothing"),
        pytest.param({"status": "x", "page": 3, "per_page": 5}, [], (0, 3, 5, 1), id="unknown-status-past-the-end"),
        pytest.param({"unknown": "x", "itemsPerPage": 1}, JANE[:10], (12, 1, 10, 2), id="unknown-parameters-are-ignored"),
    ],
)  # fmt: skip
def test_list_honours_status_page_and_per_page(
    client: TestClient, params: dict, expected: list[int], headers: tuple[int, ...]
) -> None:
    response = get(client, **params)

    assert ids(response) == expected
    assert pages(response) == headers


def test_customer_without_purchases_gets_an_empty_array_and_one_page(client: TestClient) -> None:
    response = get(client, token=bagisto.EMMA_TOKEN)

    assert response.status_code == 200
    assert response.content == b"[]"
    assert pages(response) == (0, 1, 10, 1)


def test_each_customer_lists_only_their_own_purchases(client: TestClient) -> None:
    assert ids(get(client, token=bagisto.JOHN_TOKEN)) == JOHN
    assert ids(get(client, per_page=100)) == JANE
    assert ids(get(client, token=bagisto.JANE_DATED_TOKEN, per_page=100)) == JANE


def test_page_sizes_follow_the_settings(make_client: Callable[..., TestClient]) -> None:
    client = make_client(default_page_size=3, max_page_size=5)

    assert ids(get(client)) == JANE[:3]
    assert pages(get(client)) == (12, 1, 3, 4)
    assert ids(get(client, per_page=5)) == JANE[:5]
    assert get(client, per_page=6).json() == problem(
        400, "Bad Request", 'Invalid per_page "6". Expected a whole number from 1 to 5.'
    )


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        pytest.param({"page": "0"}, 'Invalid page "0". Expected a whole number from 1 to 9223372036854775807.', id="page-zero"),
        pytest.param({"page": "-1"}, 'Invalid page "-1". Expected a whole number from 1 to 9223372036854775807.', id="negative-page"),
        pytest.param({"page": "two"}, 'Invalid page "two". Expected a whole number from 1 to 9223372036854775807.', id="page-not-a-number"),
        pytest.param({"page": "1.5"}, 'Invalid page "1.5". Expected a whole number from 1 to 9223372036854775807.', id="fractional-page"),
        pytest.param({"page": ""}, 'Invalid page "". Expected a whole number from 1 to 9223372036854775807.', id="empty-page"),
        pytest.param({"page": " 1"}, 'Invalid page " 1". Expected a whole number from 1 to 9223372036854775807.', id="page-with-a-space"),
        pytest.param({"page": "\u0661"}, 'Invalid page "\u0661". Expected a whole number from 1 to 9223372036854775807.', id="page-in-arabic-digits"),
        pytest.param({"page": str(2**63)}, f'Invalid page "{2**63}". Expected a whole number from 1 to 9223372036854775807.', id="page-beyond-bigint"),
        pytest.param({"per_page": "0"}, 'Invalid per_page "0". Expected a whole number from 1 to 1000.', id="per-page-zero"),
        pytest.param({"per_page": "1001"}, 'Invalid per_page "1001". Expected a whole number from 1 to 1000.', id="per-page-too-large"),
        pytest.param({"per_page": "ten"}, 'Invalid per_page "ten". Expected a whole number from 1 to 1000.', id="per-page-not-a-number"),
        pytest.param({"per_page": "9" * 5000}, f'Invalid per_page "{"9" * 5000}". Expected a whole number from 1 to 1000.', id="per-page-with-5000-digits"),
        pytest.param({"page": "0", "per_page": "0"}, 'Invalid page "0". Expected a whole number from 1 to 9223372036854775807.', id="page-is-checked-first"),
        pytest.param({"status": "x", "page": "0"}, 'Invalid page "0". Expected a whole number from 1 to 9223372036854775807.', id="whatever-the-status"),
    ],
)  # fmt: skip
def test_bad_query_parameter_is_a_400_problem_that_says_what_is_allowed(
    client: TestClient, params: dict, detail: str
) -> None:
    response = get(client, **params)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json() == problem(400, "Bad Request", detail)
    assert "X-Total-Count" not in response.headers


# --- one purchase ----------------------------------------------------------------------


def test_item_has_every_field_in_order(client: TestClient) -> None:
    response = get(client, f"{LIST}/1")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert list(response.json().items()) == list(
        {
            "id": 1,
            "productName": "Laravel E-Book",
            "name": "PDF Download",
            "url": None,
            "file": "downloadable/laravel-ebook.pdf",
            "fileName": "laravel-ebook.pdf",
            "type": "file",
            "downloadBought": 5,
            "downloadUsed": 1,
            "downloadCanceled": 0,
            "status": "available",
            "remainingDownloads": 4,
            "downloadUrl": "https://shop.example.com/api/shop/customer-downloadable-products/1/download",
            "customerId": 1,
            "orderId": 101,
            "orderItemId": 201,
            "order": {"id": 101, "incrementId": "101", "status": "completed", "grandTotal": 29.99},
            "createdAt": "2025-06-15T10:30:00+00:00",
            "updatedAt": "2025-06-15T10:30:00+00:00",
        }.items()
    )


def test_list_items_are_the_same_objects_as_the_items(client: TestClient) -> None:
    for item in get(client, per_page=100).json():
        assert get(client, f"{LIST}/{item['id']}").json() == item


def test_unlimited_purchase_has_null_remaining_downloads(client: TestClient) -> None:
    item = get(client, f"{LIST}/3").json()

    assert (item["downloadBought"], item["remainingDownloads"]) == (0, None)
    assert (item["type"], item["url"]) == ("url", "https://cdn.example.com/vue")


def test_leading_zeros_name_the_same_purchase(client: TestClient) -> None:
    assert get(client, f"{LIST}/0015").json() == get(client, f"{LIST}/15").json()


def test_download_url_is_built_on_the_request_without_a_public_base_url(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(public_base_url=None)

    item = get(client, f"{LIST}/1").json()

    assert item["downloadUrl"] == (
        "http://testserver/api/shop/customer-downloadable-products/1/download"
    )


@pytest.mark.parametrize(
    ("path_id", "number"),
    [
        pytest.param("99", "99", id="missing"),
        pytest.param("0", "0", id="zero"),
        pytest.param("000", "0", id="zeros"),
        pytest.param("0099", "99", id="leading-zeros-are-dropped"),
        pytest.param(str(2**63), str(2**63), id="beyond-bigint"),
        pytest.param("9" * 5000, "9" * 5000, id="5000-digits"),
    ],
)
def test_missing_purchase_is_a_404_problem(client: TestClient, path_id: str, number: str) -> None:
    response = get(client, f"{LIST}/{path_id}")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == not_found(number)


def test_another_customers_purchase_reads_exactly_as_a_missing_one(client: TestClient) -> None:
    theirs = get(client, f"{LIST}/14")  # John's
    missing = get(client, f"{LIST}/99")

    assert theirs.status_code == missing.status_code == 404
    assert theirs.content.replace(b"14", b"99") == missing.content
    # Every answer has a request id of its own; nothing else may differ.
    assert [h for h in theirs.headers.multi_items() if h[0] != "x-request-id"] == [
        h for h in missing.headers.multi_items() if h[0] != "x-request-id"
    ]


def test_no_customer_can_read_another_customers_purchase(client: TestClient) -> None:
    for purchase_id in JOHN:
        assert get(client, f"{LIST}/{purchase_id}").json() == not_found(str(purchase_id))
    for purchase_id in JANE:
        response = get(client, f"{LIST}/{purchase_id}", token=bagisto.JOHN_TOKEN)
        assert response.json() == not_found(str(purchase_id))
    assert get(client, f"{LIST}/17", token=bagisto.JOHN_TOKEN).status_code == 404  # Sam's


@pytest.mark.parametrize(
    "path_id",
    [
        pytest.param("abc", id="letters"),
        pytest.param("-1", id="negative"),
        pytest.param("+1", id="plus-sign"),
        pytest.param("1.0", id="decimal"),
        pytest.param("1e3", id="exponent"),
        pytest.param("0x1", id="hexadecimal"),
        pytest.param("%201", id="leading-space"),
        pytest.param("1%20", id="trailing-space"),
        pytest.param("%EF%BC%91", id="fullwidth-digit"),
        pytest.param("%D9%A3", id="arabic-indic-digit"),
        pytest.param("%2E%2E", id="dot-dot"),
        pytest.param("null", id="null"),
    ],
)
def test_malformed_id_is_a_400_problem(client: TestClient, path_id: str) -> None:
    response = get(client, f"{LIST}/{path_id}")

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json() == problem(400, "Bad Request", BAD_ID)


@pytest.mark.parametrize("path", ["/1/download", "/a%2Fb", "/1/"])
def test_deeper_paths_are_404_problems(client: TestClient, path: str) -> None:
    response = get(client, LIST + path)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["type"] == "/errors/404"


# --- who may ask -----------------------------------------------------------------------


@pytest.mark.parametrize("path", [LIST, f"{LIST}/1", f"{LIST}/abc", f"{LIST}?page=0"])
@pytest.mark.parametrize("key", [None, "", "   "], ids=["no-key", "empty-key", "blank-key"])
def test_missing_storefront_key_is_a_401_before_anything_else(
    client: TestClient, path: str, key: str | None
) -> None:
    for token in (bagisto.JANE_TOKEN, None):
        response = get(client, path, key=key, token=token)

        assert response.status_code == 401
        assert response.headers["content-type"] == "application/json"
        assert response.content == json.dumps(MISSING_KEY, separators=(",", ":")).encode()


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(bagisto.INACTIVE_KEY, id="inactive"),
        pytest.param(bagisto.EXPIRED_KEY, id="expired"),
        pytest.param(bagisto.DELETED_KEY, id="deleted"),
        pytest.param(bagisto.ADMIN_KEY, id="admin-key"),
        pytest.param(bagisto.OFFICE_KEY, id="ip-not-allowed"),
        pytest.param(bagisto.SHOP_KEY.upper(), id="wrong-case"),
        pytest.param("pk_storefront_unknown", id="unknown"),
    ],
)
@pytest.mark.parametrize("path", [LIST, f"{LIST}/1", f"{LIST}/abc"])
def test_refused_storefront_key_is_a_403_before_the_token(
    client: TestClient, key: str, path: str
) -> None:
    for token in (bagisto.JANE_TOKEN, None):
        response = get(client, path, key=key, token=token)

        assert response.status_code == 403
        assert response.headers["content-type"] == "application/json"
        assert response.json() == INVALID_KEY


def test_ip_restricted_key_works_from_its_address(make_client: Callable[..., TestClient]) -> None:
    office = make_client(client_ip="10.0.0.5")

    assert ids(get(office, key=bagisto.OFFICE_KEY)) == JANE[:10]
    assert get(office, key=bagisto.LEGACY_IP_KEY).json() == INVALID_KEY


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="no-token"),
        pytest.param("", id="empty-token"),
        pytest.param(bagisto.JANE_EXPIRED_TOKEN, id="expired"),
        pytest.param(bagisto.ADMIN_TOKEN, id="admin-token-for-the-same-number"),
        pytest.param(bagisto.SAM_TOKEN, id="suspended-customer"),
        pytest.param("1|" + "x" * 48, id="right-id-wrong-secret"),
        pytest.param("99999999999999999999999|secret", id="id-beyond-bigint"),
        pytest.param("no-such-token", id="unknown-token-without-id"),
    ],
)
@pytest.mark.parametrize("path", [LIST, f"{LIST}/1", f"{LIST}/abc", f"{LIST}?page=x"])
def test_refused_customer_token_is_a_403_problem_before_any_parameter(
    client: TestClient, token: str | None, path: str
) -> None:
    response = get(client, path, token=token)

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/json"
    assert response.json() == UNAUTHENTICATED


def test_authorization_scheme_must_be_bearer(client: TestClient) -> None:
    response = client.get(
        LIST,
        headers={
            "Authorization": f"Basic {bagisto.JANE_TOKEN}",
            "X-STOREFRONT-KEY": bagisto.SHOP_KEY,
        },
    )

    assert response.json() == UNAUTHENTICATED


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])
@pytest.mark.parametrize("path", [LIST, f"{LIST}/1", f"{LIST}/abc"])
def test_methods_other_than_get_are_405_problems(
    client: TestClient, method: str, path: str
) -> None:
    # Before the key and the token: routing answers first, as Laravel's does.
    response = client.request(method, path)

    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.headers["content-type"] == "application/json"
    assert response.json() == problem(
        405,
        "Method Not Allowed",
        f"The {method} method is not supported for this route. Supported methods: GET.",
    )


def test_head_is_refused_as_well(client: TestClient) -> None:
    response = client.head(LIST)

    assert (response.status_code, response.headers["allow"]) == (405, "GET")


# --- the database ----------------------------------------------------------------------


@pytest.mark.parametrize("path", [LIST, f"{LIST}/1"])
def test_unreachable_database_is_a_503_problem_that_names_no_host(
    make_client: Callable[..., TestClient], path: str
) -> None:
    client = make_client(database_url="mysql://reader:s3cret@127.0.0.1:9/shop")

    response = get(client, path)

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    assert response.json() == problem(503, "Service Unavailable", UNAVAILABLE_MESSAGE)
    for secret in (b"127.0.0.1", b"reader", b"s3cret", b"shop", b"9"):
        assert secret not in response.content


@pytest.mark.parametrize(
    ("path", "params", "token", "statements"),
    [
        pytest.param(LIST, {}, bagisto.JANE_TOKEN, 2, id="list-token-with-count-then-page"),
        pytest.param(LIST, {"per_page": 100, "status": "available"}, bagisto.JANE_TOKEN, 2, id="large-filtered-page"),
        pytest.param(LIST, {"page": 3}, bagisto.JANE_TOKEN, 1, id="past-the-end-needs-no-page-query"),
        pytest.param(LIST, {}, bagisto.EMMA_TOKEN, 1, id="no-purchases-needs-no-page-query"),
        pytest.param(f"{LIST}/1", {}, bagisto.JANE_TOKEN, 1, id="item-token-with-row"),
        pytest.param(f"{LIST}/14", {}, bagisto.JANE_TOKEN, 1, id="not-theirs"),
        pytest.param(f"{LIST}/{'9' * 30}", {}, bagisto.JANE_TOKEN, 1, id="too-long-for-any-row"),
        pytest.param(f"{LIST}/abc", {}, bagisto.JANE_TOKEN, 1, id="malformed-id"),
        pytest.param(LIST, {"page": "x"}, bagisto.JANE_TOKEN, 1, id="bad-parameter"),
        pytest.param(LIST, {"status": "x"}, bagisto.JANE_TOKEN, 1, id="unknown-status-needs-no-query"),
    ],
)  # fmt: skip
def test_statements_per_request(
    make_client: Callable[..., TestClient],
    path: str,
    params: dict,
    token: str,
    statements: int,
) -> None:
    client = make_client()
    database = client.app.state.database  # type: ignore[attr-defined]
    get(client, f"{LIST}/1")  # warm the storefront key cache

    before = database.statements
    get(client, path, token=token, **params)

    assert database.statements - before == statements


def test_storefront_key_cache_is_shared_with_graphql(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client()
    database = client.app.state.database  # type: ignore[attr-defined]
    Api(client).bagisto("{ __typename }", token=None, key=bagisto.SHOP_KEY)

    before = database.statements
    response = get(client, token=None)

    assert response.json() == UNAUTHENTICATED
    assert database.statements == before  # the key came from the cache, and no token


def test_no_storefront_key_is_needed_when_the_source_has_none(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(BagistoSource, "storefront_keys", None)
    client = make_client()

    assert ids(get(client, key=None)) == JANE[:10]
    assert get(client, f"{LIST}/1", key=bagisto.INACTIVE_KEY).json()["id"] == 1
    assert get(client, key=None, token=None).json() == UNAUTHENTICATED
    document = client.get("/api/openapi.json").json()
    assert document["security"] == [{"customerToken": []}]
    assert "401" not in document["paths"][LIST]["get"]["responses"]


# --- the same purchases as GraphQL -----------------------------------------------------

# The GraphQL node of each REST item: the same camelCase names, `_id` for the number.
ORDER_SELECTION = " ".join("_id" if f.key == "id" else f.key for f in ORDER_FIELDS)
NODE_SELECTION = " ".join(
    "_id" if f.key == "id" else f"order {{ {ORDER_SELECTION} }}" if f.key == "order" else f.key
    for f in ITEM_FIELDS
)


def as_rest(node: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL node with REST's names: `_id` becomes `id`, in the order and the order."""
    renamed = {("id" if key == "_id" else key): value for key, value in node.items()}
    if renamed.get("order") is not None:
        renamed["order"] = as_rest(renamed["order"])
    return renamed


@pytest.mark.parametrize(
    ("token", "purchases"),
    [
        pytest.param(bagisto.JANE_TOKEN, JANE, id="jane"),
        pytest.param(bagisto.JOHN_TOKEN, JOHN, id="john"),
        pytest.param(bagisto.EMMA_TOKEN, [], id="emma"),
    ],
)
def test_rest_agrees_with_graphql_field_by_field(
    api: Api, token: str, purchases: list[int]
) -> None:
    query = f"{{ customerDownloadableProducts(first: 100) {{ edges {{ node {{ {NODE_SELECTION} }} }} totalCount }} }}"
    connection = data_of(api.bagisto(query, token=token, key=bagisto.SHOP_KEY))[
        "customerDownloadableProducts"
    ]
    nodes = [as_rest(edge["node"]) for edge in connection["edges"]]
    assert [node["id"] for node in nodes] == purchases  # every demo purchase is compared

    listed = get(api.client, token=token, per_page=100)

    assert listed.json() == nodes
    assert int(listed.headers["X-Total-Count"]) == connection["totalCount"]
    for node in nodes:
        item_query = f'{{ customerDownloadableProduct(id: "{node["id"]}") {{ {NODE_SELECTION} }} }}'
        graphql_item = data_of(api.bagisto(item_query, token=token, key=bagisto.SHOP_KEY))
        rest_item = get(api.client, f"{LIST}/{node['id']}", token=token).json()
        assert rest_item == as_rest(graphql_item["customerDownloadableProduct"]) == node
        assert list(rest_item) == [f.key for f in ITEM_FIELDS]


# --- the OpenAPI document --------------------------------------------------------------


def test_served_openapi_document_is_the_committed_one_for_default_settings(
    client: TestClient,
) -> None:
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    assert response.json() == json.loads((ROOT / "docs" / "openapi.json").read_text())


def test_served_openapi_document_follows_the_page_size_settings(
    make_client: Callable[..., TestClient],
) -> None:
    document = make_client(default_page_size=3, max_page_size=5).get("/api/openapi.json").json()

    parameters = document["paths"][LIST]["get"]["parameters"]
    per_page = next(p for p in parameters if p["name"] == "per_page")
    assert per_page["schema"] == {"type": "integer", "minimum": 1, "maximum": 5, "default": 3}


def test_openapi_item_schema_lists_the_keys_an_item_has(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    schema = document["components"]["schemas"]["CustomerDownloadableProduct"]

    assert list(schema["properties"]) == list(get(client, f"{LIST}/1").json())
    assert schema["required"] == list(schema["properties"])
