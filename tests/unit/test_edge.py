"""What a browser or a stranger meets first: `/`, the favicon, CORS refusals, and
/metrics kept to the addresses METRICS_ALLOW names. On the in-memory source: `unit`."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.settings import SettingsError, load_settings
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
