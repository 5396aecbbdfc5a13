"""The access line of a refused request: why, in the fixed vocabulary of app/errors.py,
and the operation it asked for; GraphQL over HTTP's rule for a GET without a query. On the
in-memory source: the `unit` tier."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from starlette.testclient import TestClient

from tests import fake
from tests.helpers import AccessLog, app_client

KEY = {"X-STOREFRONT-KEY": fake.SHOP_KEY}
DEEP = "query Deep { customerDownloadableProducts { edges { node { order { _id } } } } }"
LIST = "query Mine { customerDownloadableProducts { totalCount } }"


def client(**changes: Any) -> TestClient:
    return app_client(fake=fake.FakeSource(), public_base_url="https://shop.example.com", **changes)


def post(query: str, **body: Any) -> Callable[[TestClient], httpx2.Response]:
    return lambda c: c.post("/api/graphql", json={"query": query, **body}, headers=KEY)


LIMITS = {"max_query_depth": 2, "max_query_complexity": 5, "max_query_aliases": 2}


@pytest.mark.parametrize(
    ("send", "status", "reason", "operation"),
    [
        (post(DEEP), 400, "max_query_depth", "Deep"),
        (post(LIST + " " * 8192, operationName="Mine"), 400, "max_query_length", "Mine"),
        (post("{" + " a" * 600 + "}"), 400, "max_query_tokens", None),
        (post("query Broken {"), 400, "query_syntax", None),
        (post("query Odd { nope }"), 400, "query_invalid", "Odd"),
        (
            post("query Wide { a: __typename b: __typename c: __typename }"),
            400,
            "max_query_aliases",
            "Wide",
        ),
        (
            post(
                "query Many { customerDownloadableProducts { totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor } edges { cursor } } }"
            ),
            400,
            "max_query_complexity",
            "Many",
        ),
        (
            lambda c: c.post("/api/graphql", content=b"x", headers={"Content-Type": "text/plain"}),
            400,
            "body_not_json",
            None,
        ),
        (
            lambda c: c.post(
                "/api/graphql", content=b"{", headers={"Content-Type": "application/json"}
            ),
            400,
            "request_invalid",
            None,
        ),
        (
            lambda c: c.post(
                "/api/graphql", content=b"x" * 70_000, headers={"Content-Type": "application/json"}
            ),
            413,
            "max_body_bytes",
            None,
        ),
        (lambda c: c.post("/api/graphql", json={"query": LIST}), 401, "key_missing", "Mine"),
        (lambda c: c.get("/api/graphql"), 400, "query_missing", None),
        (post(LIST), 200, "token_missing", "Mine"),
    ],
)
def test_a_refusal_is_logged_with_its_reason_and_the_operation_asked_for(
    access: AccessLog,
    send: Callable[[TestClient], httpx2.Response],
    status: int,
    reason: str,
    operation: str | None,
) -> None:
    with client(**LIMITS) as c:
        response = send(c)

    assert response.status_code == status, response.text
    [entry] = access.entries
    assert (entry["reason"], entry["operation"]) == (reason, operation)


def test_a_made_up_operation_name_is_not_logged(access: AccessLog) -> None:
    with client() as c:
        c.post("/api/graphql", json={"query": LIST, "operationName": "Op\r\nforged"}, headers=KEY)

    assert access.entries[0]["operation"] is None


@pytest.mark.parametrize("explorer", [True, False])
@pytest.mark.parametrize("path", ["/graphql", "/api/graphql"])
def test_a_get_without_a_query_is_a_json_400(path: str, explorer: bool) -> None:
    with client(explorer=explorer) as c:
        for accept in ("application/json", "*/*", None):
            response = c.get(path, headers={"Accept": accept} if accept else {})

            assert response.status_code == 400
            assert response.headers["content-type"] == "application/json"
            assert "query parameter" in response.json()["errors"][0]["message"]


def test_a_browser_gets_the_explorer_only_while_it_is_on() -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    with client() as on, client(explorer=False) as off:
        page = on.get("/graphql", headers=browser)
        refused = off.get("/graphql", headers=browser)

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert refused.status_code == 400 and refused.json()["errors"]
