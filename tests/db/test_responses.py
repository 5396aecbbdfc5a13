"""orjson writes every JSON answer: the bytes must be those Starlette's `json.dumps`
wrote before (compact, UTF-8, no ASCII escapes), so no client sees a difference."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.http.responses import JSONResponse

REST = "/api/shop/customer-downloadable-products"


def starlette_bytes(content: Any) -> bytes:
    """What Starlette's own JSONResponse renders."""
    return json.dumps(
        content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


@pytest.mark.parametrize(
    "content",
    [
        {"data": {"name": "Café «deluxe» \u2028 ☕ \U0001f600", "n": -2147483648, "f": 29.99}},
        {"errors": [{"message": 'quote " backslash \\ tab \t nul \x00 del \x7f', "path": [0]}]},
        [1.5, 123456789.125, 0.1, True, None, "", [], {}],
        # Amounts are DECIMAL(12,4) (Magento's (20,4)) sent as floats: never in exponent form.
        [
            float(f"{whole}.{fraction:04d}")
            for whole in (0, 1, 29, 99999999)
            for fraction in (0, 1, 10, 9999)
        ],
        [float("9999999999999999.9999"), 0.0001, 1234567890123.5],
    ],
)
def test_orjson_writes_what_starlette_wrote(content: Any) -> None:
    assert JSONResponse(content).body == starlette_bytes(content)


def test_only_exponents_are_written_differently() -> None:
    """1e-07 is 1e-7 to orjson, 2.5e-05 is 0.000025: the same numbers to any JSON reader, and
    out of reach of the amounts this service sends."""
    content = [1e-07, 1e16, 2.5e-05]

    assert JSONResponse(content).body == b"[1e-7,1e+16,0.000025]"
    assert json.loads(JSONResponse(content).body) == json.loads(starlette_bytes(content))


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
