"""Requests the service refuses, and how each dialect says so (docs/behaviour.md §7)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
from starlette.testclient import TestClient

from app.sources import SOURCES
from tests.helpers import Api


@pytest.fixture(scope="session")
def headers(demo: ModuleType) -> dict[str, str]:
    """Jane's token, and the storefront key where the source has keys."""
    key = {"X-STOREFRONT-KEY": demo.SHOP_KEY} if hasattr(demo, "SHOP_KEY") else {}
    return {"Authorization": f"Bearer {demo.JANE_TOKEN}", **key}


PATHS = ["/graphql", "/api/graphql"]


@pytest.mark.parametrize("path", PATHS)
def test_unparseable_body_is_a_400_graphql_error(
    client: TestClient, path: str, headers: dict[str, str]
) -> None:
    response = client.post(
        path, content=b"{not json", headers={**headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "Request body is not a valid JSON"}]}


@pytest.mark.parametrize("path", PATHS)
def test_body_nested_past_json_depth_limit_is_a_400_saying_so(
    client: TestClient, path: str, headers: dict[str, str]
) -> None:
    nested = b'{"query": "{ __typename }", "variables": ' + b"[" * 2000 + b"]" * 2000 + b"}"
    response = client.post(
        path, content=nested, headers={**headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "Request body is nested too deeply"}]}


@pytest.mark.parametrize("path", PATHS)
def test_body_that_is_not_json_content_is_a_400_graphql_error(
    client: TestClient, path: str, headers: dict[str, str]
) -> None:
    response = client.post(
        path, content=b"query=1", headers={**headers, "Content-Type": "text/plain"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("Posted content must be of type")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param({"query": "{ customerDownloadableProducts { "}, "Syntax Error: Expected Name, found <EOF>.", id="syntax"),
        pytest.param({"query": 1}, "The query must be a string.", id="query-not-a-string"),
        pytest.param({"query": "{ __typename }", "variables": []}, "Query variables must be a null or an object.", id="variables-not-an-object"),
        pytest.param({"query": "mutation { x }"}, "Schema is not configured to execute mutation operation.", id="mutation"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("path", PATHS)
def test_document_that_fails_validation_is_a_400(
    client: TestClient, path: str, body: dict, message: str, headers: dict[str, str]
) -> None:
    response = client.post(path, json=body, headers=headers)

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == message
    assert response.json().get("data") is None


@pytest.mark.parametrize(
    ("path", "query", "message"),
    [
        pytest.param("/graphql", "{ customerDownloadableProducts { items { nope } } }", "Cannot query field 'nope' on type 'CustomerDownloadableProduct'.", id="magento-unknown-field"),
        pytest.param("/graphql", "{ customerDownloadableProducts(first: 1) { items { status } } }", "Unknown argument 'first' on field 'Query.customerDownloadableProducts'.", id="magento-takes-no-arguments"),
        pytest.param("/api/graphql", "{ customerDownloadableProducts { nope } }", "Cannot query field 'nope' on type 'CustomerDownloadableProductCursorConnection'.", id="bagisto-unknown-field"),
        pytest.param("/api/graphql", '{ customerDownloadableProducts(first: "ten") { totalCount } }', 'Int cannot represent non-integer value: "ten"', id="bagisto-wrong-argument-type"),
        pytest.param("/api/graphql", "{ customerDownloadableProduct { _id } }", "Field 'customerDownloadableProduct' argument 'id' of type 'ID!' is required, but it was not provided.", id="bagisto-missing-argument"),
    ],
)  # fmt: skip
def test_document_the_paths_schema_refuses_is_a_400(
    client: TestClient, path: str, query: str, message: str, headers: dict[str, str]
) -> None:
    response = client.post(path, json={"query": query}, headers=headers)

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == message
    assert response.json().get("data") is None


def test_array_batches_are_refused(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post("/graphql", json=[{"query": "{ __typename }"}], headers=headers)

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Operation data should be a JSON object"


GET = {
    "/graphql": (
        {
            "query": "query Q { customerDownloadableProducts { items { order_increment_id } } }",
            "variables": "{}",
            "operationName": "Q",
        },
        # Jane's purchases, oldest first.
        {
            "customerDownloadableProducts": {
                "items": [
                    {"order_increment_id": order}
                    for order in [
                        "101",
                        "101",
                        "102",
                        "103",
                        "104",
                        "105",
                        "106",
                        "106",
                        "107",
                        "108",
                        "108",
                        "109",
                    ]
                ]
            }
        },
    ),
    "/api/graphql": (
        {
            "query": "query Q($first: Int) { customerDownloadableProducts(first: $first) "
            "{ edges { node { _id } } } }",
            "variables": '{"first": 2}',
            "operationName": "Q",
        },
        {"customerDownloadableProducts": {"edges": [{"node": {"_id": 15}}, {"node": {"_id": 13}}]}},
    ),
}


@pytest.mark.parametrize("path", PATHS)
def test_get_runs_queries(client: TestClient, path: str, headers: dict[str, str]) -> None:
    params, data = GET[path]

    response = client.get(path, params=params, headers=headers)

    assert response.status_code == 200
    assert response.json() == {"data": data}


def test_get_with_unparseable_variables_is_a_400(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.get(
        "/graphql", params={"query": "{ __typename }", "variables": "{nope"}, headers=headers
    )

    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "Variables query arg is not a valid JSON"}]}


# The same fields, merged, counted every time: 1 + 300 on each path.
TOO_COMPLEX = {
    "/graphql": "items { " + " ".join(["status"] * 299) + " }",
    "/api/graphql": " ".join(["totalCount"] * 300),
}


@pytest.mark.parametrize("path", PATHS)
def test_too_complex_query_is_a_400_with_magentos_message(
    client: TestClient, path: str, headers: dict[str, str]
) -> None:
    fields = TOO_COMPLEX[path]
    response = client.post(
        path, json={"query": f"{{ customerDownloadableProducts {{ {fields} }} }}"}, headers=headers
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == (
        "Max query complexity should be 300 but got 301."
    )


def test_query_within_the_limits_runs(client: TestClient, headers: dict[str, str]) -> None:
    fields = " ".join(["totalCount"] * 299)
    response = client.post(
        "/api/graphql",
        json={"query": f"{{ customerDownloadableProducts {{ {fields} }} }}"},
        headers=headers,
    )

    assert response.status_code == 200
    assert response.json()["data"]["customerDownloadableProducts"] == {"totalCount": 12}


def test_too_deep_query_is_a_400_with_magentos_message(
    make_client: Callable[..., TestClient], headers: dict[str, str]
) -> None:
    client = make_client(max_query_depth=2)
    query = "{ customerDownloadableProducts { edges { node { order { _id } } } } }"

    response = client.post("/api/graphql", json={"query": query}, headers=headers)

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Max query depth should be 2 but got 3."


def test_unreachable_database_is_a_503_that_names_no_host(
    make_client: Callable[..., TestClient], demo: ModuleType
) -> None:
    api = Api(make_client(database_url="mysql://reader:s3cret@127.0.0.1:9/shop"), demo)

    bagisto_response = api.bagisto("{ customerDownloadableProducts { totalCount } }")
    magento_response = api.magento(
        "{ customerDownloadableProducts { items { status } } }", token=demo.JANE_TOKEN
    )

    assert bagisto_response.status_code == magento_response.status_code == 503
    message = "The service is temporarily unavailable. Please try again later."
    if hasattr(demo, "SHOP_KEY"):  # the storefront key lookup is what fails first
        assert bagisto_response.json() == {
            "errors": [{"message": message, "extensions": {"status": 503}}]
        }
        assert magento_response.json() == {
            "errors": [{"message": message, "extensions": {"category": "graphql-unavailable"}}]
        }
    else:
        assert bagisto_response.json()["errors"][0]["extensions"] == {"status": 503}
        assert magento_response.json()["errors"][0] == {
            "message": message,
            "locations": [{"line": 1, "column": 3}],
            "path": ["customerDownloadableProducts"],
            "extensions": {"category": "graphql-unavailable"},
        }
        assert magento_response.json()["data"] == {"customerDownloadableProducts": None}
    for response in (bagisto_response, magento_response):
        for secret in (b"127.0.0.1", b"reader", b"s3cret", b"shop", b"9"):
            assert secret not in response.content


def test_health_and_readiness(client: TestClient, make_client: Callable[..., TestClient]) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").json() == {"status": "ok"}

    down = make_client(database_url="mysql://root@127.0.0.1:9/none")
    assert down.get("/health").status_code == 200
    assert down.get("/ready").status_code == 503


def test_unexpected_failure_is_masked_and_logged_with_a_request_id(
    api: Api, source: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fail(*_: object, **__: object) -> list[object]:
        raise RuntimeError("SELECT secret FROM information_schema: error 1146")

    monkeypatch.setattr(SOURCES[source], "purchases", fail)
    demo = api.demo

    response = api.magento(
        "{ customerDownloadableProducts { items { status } } }", token=demo.JANE_TOKEN
    )

    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["message"] == "Internal server error"
    request_id = error["extensions"]["requestId"]
    assert error["extensions"] == {"category": "internal", "requestId": request_id}
    # The body without its random request id, which may hold the digits 1146 by chance.
    body = response.content.replace(request_id.encode(), b"<id>")
    for leak in (b"SELECT", b"information_schema", b"Traceback", b"1146"):
        assert leak not in body
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None


@pytest.mark.parametrize("path", PATHS)
def test_alias_and_root_field_limits_are_400s(
    make_client: Callable[..., TestClient], path: str, headers: dict[str, str]
) -> None:
    client = make_client(max_query_aliases=3, max_root_fields=2, max_list_selections=4)
    field = {
        "/graphql": "customerDownloadableProducts { items { status } }",
        "/api/graphql": "customerDownloadableProduct(id: 1) { _id }",
    }[path]
    aliased = "{ " + " ".join(f"a{n}: {field}" for n in range(4)) + " }"

    response = client.post(path, json={"query": aliased}, headers=headers)

    assert response.status_code == 400
    assert [e["message"] for e in response.json()["errors"]] == [
        "Too many root fields: 4, at most 2.",
        "Too many aliases: 4, at most 3.",
    ]
