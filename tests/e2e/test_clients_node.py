"""Clients nobody here wrote, in Node.js, against a live service: Apollo Client, what Magento
PWA Studio is built on (e2e/apollo.mjs); graphql-js checking the real clients' documents against
the schema each path's introspection describes (e2e/validate.mjs); GraphQL Inspector's diff of
each path against its platform's own schema (e2e/inspector.mjs); GraphQL Code Generator and the
TypeScript compiler on each client's document (e2e/codegen.mjs)."""

from __future__ import annotations

import json
import subprocess
from base64 import b64encode
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import fixtures
from app.settings import Settings
from fixtures import demo as store
from tests import expected
from tests.node import ROOT, SPEC, node_modules, run_node, service
from tests.stores import FR

CLIENTS = ROOT / "tests" / "clients"
MANIFEST = CLIENTS / "clients.json"
PLATFORMS = ROOT / "tests" / "platforms"

JANE = 1
# Jane's purchases oldest first, as Magento's `items` lists them.
JANE_LINKS = [link for link in store.LINKS if store.ORDER_BY_ID[link.order_id].customer_id == JANE]


@pytest.fixture(scope="session")
def node_packages() -> Path:
    return node_modules()


@pytest.fixture(scope="module")
def live(settings: Settings) -> Iterator[str]:
    with service(settings) as base:
        yield base


def test_apollo_client_reads_magento_items_and_pages_the_bagisto_connection(
    node_packages: Path, live: str, demo: ModuleType, source: str
) -> None:
    key = getattr(demo, "SHOP_KEY", None)  # the Magento source has no storefront keys
    credentials = ["--token", demo.JANE_TOKEN, *(["--key", key] if key else [])]

    code, report = run_node(
        "apollo.mjs",
        "--base", live,
        "--magento-query", str(SPEC / "magento-list.graphql"),
        "--page-size", "5",
        *credentials,
    )  # fmt: skip

    assert code == 0, report
    assert [
        {k: v for k, v in item.items() if k != "__typename"} for item in report["magento"]["items"]
    ] == [
        {
            "date": store.ORDER_BY_ID[link.order_id].placed_at.strftime("%Y-%m-%d %H:%M:%S"),
            "download_url": expected.download_url(source, link.id),
            "order_increment_id": str(link.order_id),
            "remaining_downloads": expected.remaining_text(source, link.id),
            "status": link.status,
        }
        for link in JANE_LINKS
    ]
    pages = report["bagisto"]
    assert pages["pages"] == [5, 5, 2]
    assert pages["ids"] == [link.id for link in reversed(JANE_LINKS)]  # newest first, once each
    assert pages["cursors"] == [b64encode(str(offset).encode()).decode() for offset in range(12)]
    assert pages["hasNextPage"] is False
    assert pages["totalCount"] == 12
    assert pages["first"]["id"] == "/api/shop/customer-downloadable-products/15"
    assert report["checks"] == {
        "everyPurchase": True,
        "eachOnce": True,
        "newestFirst": True,
        "lastPageSaysSo": True,
    }
    sent = report["requests"]
    assert [(r["method"], r["path"], r["variables"].get("after")) for r in sent] == [
        ("GET", "/graphql", None),
        ("POST", "/api/graphql", None),
        ("POST", "/api/graphql", "NA=="),
        ("POST", "/api/graphql", "OQ=="),
    ]
    assert {r["authorization"] for r in sent} == {f"Bearer {demo.JANE_TOKEN}"}
    assert [r["storefrontKey"] for r in sent] == [key, key, key, key]
    # PWA Studio's GET: exactly the text tests/test_clients.py sends as its fixture.
    assert sent[0]["query"] == (CLIENTS / "pwa-studio-get.graphql").read_text().strip()
    assert sent[0]["parameters"] == ["query", "variables"]
    assert sent[0]["store"] == "default"


@pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")
def test_apollo_client_sees_the_refusal_without_a_storefront_key(
    node_packages: Path, live: str, demo: ModuleType
) -> None:
    code, report = run_node(
        "apollo.mjs",
        "--base", live,
        "--magento-query", str(SPEC / "magento-list.graphql"),
        "--token", demo.JANE_TOKEN,
    )  # fmt: skip

    assert code == 1
    assert "Received status code 401" in report["error"]
    # The first request goes to /graphql, which asks for the key too on this source.
    assert report["networkError"]["errors"] == [
        {
            "message": "X-STOREFRONT-KEY header is required for this operation",
            "extensions": {"category": "graphql-authentication"},
        }
    ]


@pytest.mark.parametrize("source", ["magento"], indirect=True, scope="session")
def test_scandipwa_reads_a_store_view_at_its_store_code_path(
    node_packages: Path, live: str
) -> None:
    scandipwa = ["--base", live, "--document", str(CLIENTS / "scandipwa.graphql")]
    signed_in = [*scandipwa, "--token", fixtures.magento.JANE_TOKEN]

    code, report = run_node("scandipwa.mjs", *signed_in, "--store", "fr", "--currency", "EUR")
    refused_code, refused = run_node(
        "scandipwa.mjs", *signed_in, "--store", "fr", "--currency", "GBP"
    )
    missing_code, missing = run_node(
        "scandipwa.mjs", *scandipwa, "--store", "fr", "--currency", "EUR"
    )

    assert code == 0, report
    assert report["request"] == {
        "path": "/fr/graphql",
        "query": "query{customerDownloadableProducts{items{order_id,order_increment_id,date,status,"
        "download_url,link_title,remaining_downloads,title}}}",
        "headers": ["Content-Type", "Content-Currency", "Accept", "Authorization"],
    }
    assert (report["status"], report["cacheControl"]) == (200, "no-store")
    assert report["items"] == [
        {
            "order_id": link.order_id,
            "order_increment_id": str(link.order_id),
            "date": store.ORDER_BY_ID[link.order_id].placed_at.strftime("%Y-%m-%d %H:%M:%S"),
            "status": link.status,
            "download_url": expected.download_url("magento", link.id, FR),
            "link_title": link.title,
            "remaining_downloads": expected.remaining_text("magento", link.id),
            "title": link.product,
        }
        for link in JANE_LINKS
    ]
    # A currency `fr` does not take: the page shows Magento's message.
    assert (refused_code, refused["status"], refused["message"]) == (
        1,
        200,
        "Please correct the target currency",
    )
    assert "data" not in refused["body"]
    assert (missing_code, missing["message"]) == (1, "The current customer isn't authorized.")


def test_graphql_js_validates_each_clients_document_against_its_paths_introspection(
    node_packages: Path, live: str
) -> None:
    code, report = run_node(
        "validate.mjs", "--base", live, "--clients", str(MANIFEST), "--spec-dir", str(SPEC)
    )

    assert code == 0, report
    assert report["schemas"] == {
        "/graphql": {"valid": True, "queryFields": ["customerDownloadableProducts"]},
        "/api/graphql": {
            "valid": True,
            "queryFields": ["customerDownloadableProducts", "customerDownloadableProduct", "node"],
        },
    }
    clients = json.loads(MANIFEST.read_text())["clients"]
    spec_files = sorted(path.name for path in SPEC.glob("*.graphql"))
    assert set(report["documents"]) == {c["name"] for c in clients} | {
        f"spec/{name}" for name in spec_files
    }
    for name, result in report["documents"].items():
        assert result["own"] == [], name  # valid where its client sends it
        assert result["other"] != [], name  # and not on the other platform's path
    assert report["wrong"] == {
        "/graphql": ['Cannot query field "productName" on type "CustomerDownloadableProduct".'],
        "/api/graphql": ['Int cannot represent non-integer value: "ten"'],
    }


# What the platforms' clients may meet in our views and not in the platform's own schema:
# descriptions (ours), and on /graphql the three fields ScandiPWA's backend module adds.
DESCRIPTIONS = {
    "TYPE_DESCRIPTION_ADDED",
    "FIELD_DESCRIPTION_ADDED",
    "FIELD_ARGUMENT_DESCRIPTION_CHANGED",
}


def test_graphql_inspector_finds_nothing_breaking_or_dangerous_against_each_platform(
    node_packages: Path, live: str
) -> None:
    code, report = run_node(
        "inspector.mjs",
        "--base", live,
        "--magento", str(PLATFORMS / "magento-2.4.graphql"),
        "--bagisto", str(PLATFORMS / "bagisto-api.graphql"),
    )  # fmt: skip

    assert code == 0, report
    for path in ("/graphql", "/api/graphql"):
        assert report[path]["breaking"] == [], path
        assert report[path]["dangerous"] == [], path
    magento_additions = [
        c["path"] for c in report["/graphql"]["safe"] if c["type"] == "FIELD_ADDED"
    ]
    assert magento_additions == [
        "CustomerDownloadableProduct.title",
        "CustomerDownloadableProduct.link_title",
        "CustomerDownloadableProduct.order_id",
    ]
    assert {c["type"] for c in report["/graphql"]["safe"]} == DESCRIPTIONS - {
        "FIELD_ARGUMENT_DESCRIPTION_CHANGED"
    } | {"FIELD_ADDED"}
    assert {c["type"] for c in report["/api/graphql"]["safe"]} <= DESCRIPTIONS
    assert report["crossCheck"] > 0  # Magento's schema against /api/graphql: all breaking


def test_graphql_code_generator_types_compile_for_each_client(
    node_packages: Path, live: str, demo: ModuleType, tmp_path: Path
) -> None:
    key = getattr(demo, "SHOP_KEY", "")

    code, report = run_node(
        "codegen.mjs",
        "--base", live,
        "--clients", str(MANIFEST),
        "--out", str(tmp_path),
        "--token", demo.JANE_TOKEN,
        "--key", key,
        timeout=300,
    )  # fmt: skip

    assert code == 0, report
    assert report["tsc"] == {"exit": 0, "output": ""}
    clients = json.loads(MANIFEST.read_text())["clients"]
    assert set(report["clients"]) == {client["name"] for client in clients}
    for name, generated in report["clients"].items():
        # Each path's types, and none of the other platform's.
        if generated["path"] == "/graphql":
            assert "CustomerDownloadableProducts" in generated["types"], name
            assert "CustomerDownloadableProductCursorConnection" not in generated["types"], name
        else:
            assert "CustomerDownloadableProductCursorConnection" in generated["types"], name
            assert "CustomerDownloadableProducts" not in generated["types"], name
        assert generated["operationType"], name


def test_the_pinned_packages_suit_the_node_the_readme_names(node_packages: Path) -> None:
    """No EBADENGINE: every package in the lock accepts this Node, which the README's
    version (e2e/package.json's `engines`) allows."""
    engines = json.loads((ROOT / "e2e" / "package.json").read_text())["engines"]["node"]
    assert engines == "^20.19.0 || >=22.12.0"
    assert "Node.js 20.19 or later, or 22.12 or later" in (ROOT / "README.md").read_text()

    dry_run = subprocess.run(
        ["npm", "ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"],
        cwd=ROOT / "e2e",
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert dry_run.returncode == 0, dry_run.stderr
    assert "EBADENGINE" not in dry_run.stdout + dry_run.stderr
