"""The GraphQL explorer as a person uses it: `downloads-api serve` in a process of its own,
GraphiQL opened at /graphql and /api/graphql in headless Chromium (driven by Playwright's
playwright-core from e2e/), the seed query and the credentials pasted into its editors, run
with its button, and the result read back from the page (e2e/explorer.mjs).

Ariadne's page loads GraphiQL from esm.sh, which the test machines cannot reach: the browser
gets the same package versions from e2e/node_modules instead (e2e/esm-cdn.mjs). A screenshot
of each run is left in tests/artifacts/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from app.settings import Settings
from fixtures import demo as store
from tests.node import ROOT, SPEC, node_modules, run_node, service

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "tests" / "artifacts"
# Each path's seed query: the reference documents' Magento list and Bagisto list.
SEEDS = {"/graphql": SPEC / "magento-list.graphql", "/api/graphql": SPEC / "bagisto-list.graphql"}

CHROMIUM_HINT = f"""
The explorer test drives Chromium at {CHROMIUM}, and there is none. On Debian, as root:

    apt-get update && apt-get install -y chromium

(`./scripts/test` does this itself.) Playwright's own browser download does not work here.
"""

JANE = sorted(link.id for link in store.LINKS if store.ORDER_BY_ID[link.order_id].customer_id == 1)
# Jane's ten newest purchases: the Bagisto seed query's first page.
JANE_NEWEST = JANE[::-1][:10]


@pytest.fixture(scope="session")
def node_packages() -> Path:
    return node_modules()


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(CHROMIUM_HINT, pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="module")
def live(settings: Settings) -> Iterator[str]:
    with service(settings) as base:
        yield base


@pytest.mark.parametrize("path", ["/graphql", "/api/graphql"])
def test_explorer_runs_the_seed_query_with_the_headers_typed_into_it(
    node_packages: Path, chromium: Path, live: str, demo: ModuleType, source: str, path: str
) -> None:
    key = getattr(demo, "SHOP_KEY", None)  # the Magento source has no storefront keys
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / f"explorer-{source}{path.replace('/', '-')}.png"
    screenshot.unlink(missing_ok=True)

    code, report = run_node(
        "explorer.mjs",
        "--url", f"{live}{path}",
        "--query-file", str(SEEDS[path]),
        "--token", demo.JANE_TOKEN,
        *(["--key", key] if key else []),
        "--screenshot", str(screenshot),
    )  # fmt: skip

    assert code == 0, report
    assert report["page"]["status"] == 200
    assert report["page"]["contentType"].startswith("text/html")
    assert report["introspection"] == 200
    # What the Headers tab shows is what went over the wire, with the query typed in.
    headers = {"Authorization": f"Bearer {demo.JANE_TOKEN}"}
    if key:
        headers["X-STOREFRONT-KEY"] = key
    assert report["headersShown"] == headers
    assert report["sent"] == {
        "sameQuery": True,
        "authorization": headers["Authorization"],
        "storefrontKey": key,
    }
    # The page shows exactly what the service answered: Jane's purchases, as Magento lists
    # them (all, oldest first) or as Bagisto pages them (the first page, newest first).
    assert report["status"] == 200
    assert report["shown"] == report["answer"]
    products = report["shown"]["data"]["customerDownloadableProducts"]
    if path == "/graphql":
        order_of = {link.id: link.order_id for link in store.LINKS}
        orders = [order_of[purchase_id] for purchase_id in JANE]
        assert [int(item["order_increment_id"]) for item in products["items"]] == orders
    else:
        assert [edge["node"]["_id"] for edge in products["edges"]] == JANE_NEWEST
        assert products["edges"][0]["node"]["productName"] == "Jazz Album"
        assert products["pageInfo"]["hasNextPage"] is True
        assert products["totalCount"] == 12
    # Nothing left the machine, and the page loaded without an error.
    assert report["esm"]["refused"] == []
    assert report["offsite"] == []
    assert report["problems"] == []
    assert screenshot.read_bytes().startswith(b"\x89PNG")
