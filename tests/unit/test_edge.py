"""What a browser or a stranger meets first: `/`, the favicon, CORS refusals, /metrics
kept to the addresses METRICS_ALLOW names, and what the edge (app/http/edge.py) adds to
every answer, in order. On the in-memory source: `unit`."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from app.application import EXPOSED_HEADERS, create_app
from app.settings import Settings, SettingsError, load_settings
from tests import fake
from tests.helpers import app_client

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def client(client_ip: str = "127.0.0.1", **changes: Any) -> TestClient:
    return app_client(fake=fake.FakeSource(), client_ip=client_ip, **changes)


def test_the_root_lists_the_paths_a_client_can_use() -> None:
    with client() as c:
        answer = c.get("/")

        paths = answer.json()["paths"]
        served = {path: c.get(path).status_code for path in paths}

    assert answer.status_code == 200
    assert {"/graphql", "/api/graphql", "/api/shop/customer-downloadable-products"} <= set(paths)
    assert 404 not in served.values(), served  # every path listed is there


def test_a_browser_at_the_root_gets_links_to_the_explorers() -> None:
    with client() as c:
        page = c.get("/", headers=BROWSER)

    assert page.headers["content-type"].startswith("text/html")
    assert '<a href="/graphql">' in page.text and '<a href="/api/graphql">' in page.text
    assert "GraphiQL" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_the_favicon_is_an_icon() -> None:
    with client() as c:
        icon = c.get("/favicon.ico")

    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"
    assert icon.content.startswith(b"\x00\x00\x01\x00")


def test_a_refused_cors_preflight_is_json() -> None:
    with client(cors_allow_origins=("https://shop.example.com",)) as c:
        refused = c.options(
            "/api/graphql",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        allowed = c.options(
            "/api/graphql",
            headers={"Origin": "https://shop.example.com", "Access-Control-Request-Method": "POST"},
        )

    assert refused.status_code == 400
    assert refused.json() == {"errors": [{"message": "Disallowed CORS origin"}]}
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://shop.example.com"


@pytest.mark.parametrize(
    "origins",
    [
        "https://shop.example.com/",
        "https://Shop.example.com",
        "shop.example.com",
        "https://shop.example.com/pwa",
        "*, https://shop.example.com",
    ],
)
def test_an_origin_that_can_never_match_is_refused_at_start_up(origins: str) -> None:
    with pytest.raises(SettingsError, match="CORS_ALLOW_ORIGINS"):
        load_settings({"CORS_ALLOW_ORIGINS": origins})


def test_metrics_answer_only_the_addresses_allowed() -> None:
    allowed = (ipaddress.ip_network("10.0.0.0/8"),)

    with client("10.1.2.3", metrics_allow=allowed) as inside:
        assert inside.get("/metrics").status_code == 200
    with client("203.0.113.9", metrics_allow=allowed) as outside:
        refused = outside.get("/metrics")
    with client("203.0.113.9") as anyone:
        assert anyone.get("/metrics").status_code == 200

    assert refused.status_code == 403
    assert "METRICS_ALLOW" in refused.json()["errors"][0]["message"]


def test_metrics_allow_is_read_as_networks() -> None:
    settings = load_settings({"METRICS_ALLOW": "10.0.0.0/8, 127.0.0.1, ::1"})

    assert [str(n) for n in settings.metrics_allow] == ["10.0.0.0/8", "127.0.0.1/32", "::1/128"]
    with pytest.raises(SettingsError, match="METRICS_ALLOW"):
        load_settings({"METRICS_ALLOW": "10.0.0.0/33"})


def edge_client(**changes: Any) -> TestClient:
    """An app with a few routes of the test's own, to meet the edge's rarer paths."""

    async def boom(_: Request) -> Response:
        raise RuntimeError("nobody planned for this")

    async def sets_its_own(_: Request) -> Response:
        return Response(b"x", headers={"Vary": "Accept", "Cache-Control": "max-age=3"})

    async def reads(request: Request) -> Response:
        return PlainTextResponse(str(len(await request.body())))

    app = create_app(Settings(**changes), source=fake.FakeSource())
    app.router.routes[0:0] = [
        Route("/boom", boom),
        Route("/api/graphql/own", sets_its_own),
        Route("/api/graphql/reads", reads, methods=["POST"]),
    ]
    return TestClient(app, raise_server_exceptions=False)


SHOP = {"Origin": "https://shop.example.com", "X-Request-ID": "edge-1"}
EXPOSED = ("access-control-expose-headers", ", ".join(EXPOSED_HEADERS))
ALLOWED = ("access-control-allow-origin", "https://shop.example.com")


def test_the_edge_adds_cors_no_store_and_the_request_id_in_order() -> None:
    with edge_client(cors_allow_origins=("https://shop.example.com",)) as c:
        plain = c.get("/api/graphql/own", headers={"X-Request-ID": "edge-0"})
        shop = c.get("/api/graphql/own", headers=SHOP)
        health = c.get("/health", headers=SHOP)

    # An answer's own Vary and Cache-Control are merged as Starlette's layers did.
    assert plain.headers.multi_items() == [
        ("vary", "Accept, Origin"),
        ("cache-control", "no-store"),
        ("content-length", "1"),
        ("x-request-id", "edge-0"),
    ]
    assert shop.headers.multi_items() == [
        ("vary", "Accept, Origin"),
        ("cache-control", "no-store"),
        ("content-length", "1"),
        EXPOSED,
        ALLOWED,
        ("x-request-id", "edge-1"),
    ]
    assert health.headers.multi_items() == [
        ("content-length", "15"),
        ("content-type", "application/json"),
        EXPOSED,
        ALLOWED,
        ("vary", "Origin"),
        ("x-request-id", "edge-1"),
    ]


def test_the_routers_404_and_405_are_starlettes_plain_text_with_the_edges_headers() -> None:
    with edge_client() as c:
        missing = c.get("/nowhere", headers=SHOP)
        wrong = c.put("/graphql", headers=SHOP)

    assert (missing.status_code, missing.text) == (404, "Not Found")
    assert missing.headers.multi_items() == [
        ("content-length", "9"),
        ("content-type", "text/plain; charset=utf-8"),
        ("access-control-allow-origin", "*"),
        EXPOSED,
        ("vary", "Origin"),
        ("x-request-id", "edge-1"),
    ]
    assert (wrong.status_code, wrong.text) == (405, "Method Not Allowed")
    assert sorted(wrong.headers["allow"].split(", ")) == ["GET", "HEAD", "OPTIONS", "POST"]
    assert wrong.headers["cache-control"] == "no-store"
    assert wrong.headers["x-request-id"] == "edge-1"


def test_an_unexpected_failure_is_a_500_with_only_the_request_id_added() -> None:
    with edge_client() as c:
        failed = c.get("/boom", headers=SHOP)

    assert failed.status_code == 500
    assert failed.json() == {
        "errors": [{"message": "Internal server error", "requestId": "edge-1"}]
    }
    assert [name for name, _ in failed.headers.multi_items()] == [
        "content-length",
        "content-type",
        "x-request-id",
    ]


def test_a_body_counted_over_the_limit_is_a_413_with_the_edges_headers() -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(30):
            yield b" " * 100

    with edge_client(max_body_bytes=2048) as c:
        refused = c.post("/api/graphql/reads", content=chunks(), headers=SHOP)
        within = c.post("/api/graphql/reads", content=b"abc", headers=SHOP)

    assert refused.status_code == 413
    assert refused.headers.multi_items()[2:] == [
        ("access-control-allow-origin", "*"),
        EXPOSED,
        ("vary", "Origin"),
        ("cache-control", "no-store"),
        ("x-request-id", "edge-1"),
    ]
    assert (within.status_code, within.text) == (200, "3")
