"""orjson writes every JSON answer: the bytes must be those Starlette's `json.dumps`
wrote before (compact, UTF-8, no ASCII escapes), so no client sees a difference: every kind
of answer, on the test database (tests/unit/test_json_bytes.py: chosen values)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.helpers import starlette_bytes

REST = "/api/shop/customer-downloadable-products"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", REST, None),
        ("GET", REST + "?per_page=2&page=2", None),
        ("GET", REST + "/1", None),
        ("GET", REST + "/999999", None),
        ("GET", REST + "/abc", None),
        ("GET", "/api/openapi.json", None),
        ("GET", "/health", None),
        ("POST", "/api/graphql", {"query": "{ customerDownloadableProducts { totalCount } }"}),
        ("POST", "/graphql", {"query": "{ customerDownloadableProducts { items { date } } }"}),
        ("POST", "/graphql", {"query": "{ nope }"}),
    ],
)
def test_every_json_answer_has_the_bytes_starlette_wrote(
    client: TestClient, demo: ModuleType, method: str, path: str, body: Any
) -> None:
    headers = {"Authorization": f"Bearer {demo.JANE_TOKEN}"}
    if hasattr(demo, "SHOP_KEY"):
        headers["X-STOREFRONT-KEY"] = demo.SHOP_KEY

    response = client.request(method, path, json=body, headers=headers)

    assert response.headers["content-type"].startswith(
        ("application/json", "application/problem+json")
    ), response.headers
    assert response.content == starlette_bytes(response.json())
