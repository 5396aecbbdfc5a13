"""The GraphQL explorer as a person uses it: `downloads-api serve` in a process of its own,
GraphiQL opened at /graphql and /api/graphql in headless Chromium (driven by Playwright's
playwright-core from e2e/) with every request off the service's origin refused; the example
query it opens with is run with the credentials put in its Headers tab, and the result is read
back from the page (e2e/explorer.mjs). A screenshot of each run is left in tests/artifacts/.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from app.http.explorer import EXAMPLES, KEY_PLACEHOLDER, STATIC, TITLES, TOKEN_PLACEHOLDER
from app.settings import Settings
from fixtures import demo as store
from tests.node import ROOT, node_modules, run_node, service

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "tests" / "artifacts"

CHROMIUM_HINT = f"""
The explorer test drives Chromium at {CHROMIUM}, and there is none. On Debian, as root:

    apt-get update && apt-get install -y chromium

(`./scripts/test` does this itself.) Playwright's own browser download does not work here.
"""

# Jane's ten newest purchases: the example query's first page.
JANE_NEWEST = sorted(
    (link.id for link in store.LINKS if store.ORDER_BY_ID[link.order_id].customer_id == 1),
    reverse=True,
)[:10]


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
def test_explorer_runs_its_example_query_offline(
    node_packages: Path, chromium: Path, live: str, demo: ModuleType, source: str, path: str
) -> None:
    platform = "magento" if path == "/graphql" else "bagisto"
    key = getattr(demo, "SHOP_KEY", None)  # the Magento source has no storefront keys
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / f"explorer-{source}{path.replace('/', '-')}.png"
    screenshot.unlink(missing_ok=True)

    code, report = run_node(
        "explorer.mjs",
        "--url", f"{live}{path}",
        "--token", demo.JANE_TOKEN,
        *(["--key", key] if key else []),
        "--screenshot", str(screenshot),
    )  # fmt: skip

    assert code == 0, report
    assert report["page"]["status"] == 200
    assert report["page"]["contentType"].startswith("text/html")
    assert report["page"]["title"] == f"{TITLES[platform]} · downloads-api"
    assert report["introspection"] == 200
    assert report["header"] == TITLES[platform]  # GraphiQL's header names the platform
    assert report["favicon"] == 200
    # It opens on the platform's example and a template naming the headers to send.
    assert report["query"] == EXAMPLES[platform]
    template = {"Authorization": TOKEN_PLACEHOLDER}
    if key:
        template["X-STOREFRONT-KEY"] = KEY_PLACEHOLDER
    assert report["headersTemplate"] == template
    # What the Headers tab shows is what went over the wire, with the example query.
    headers = {"Authorization": f"Bearer {demo.JANE_TOKEN}"}
    if key:
        headers["X-STOREFRONT-KEY"] = key
    assert report["headersShown"] == headers
    assert report["sent"] == {
        "query": EXAMPLES[platform],
        "authorization": headers["Authorization"],
        "storefrontKey": key,
    }
    # The page shows exactly what the service answered: Jane's downloads.
    assert report["status"] == 200
    assert report["shown"] == report["answer"]
    assert "errors" not in report["answer"]
    products = report["answer"]["data"]["customerDownloadableProducts"]
    if platform == "bagisto":
        assert [edge["node"]["_id"] for edge in products["edges"]] == JANE_NEWEST
        assert products["edges"][0]["node"]["productName"] == "Jazz Album"
        assert products["totalCount"] == 12
    else:
        assert len(products["items"]) == 12
    # Nothing was asked of any other origin, and the page loaded without an error.
    assert report["offsite"] == []
    assert report["problems"] == []
    assert screenshot.read_bytes().startswith(b"\x89PNG")


def test_shipped_explorer_files_match_their_pinned_hashes() -> None:
    """scripts/vendor-explorer copies them from npm and records their sha256."""
    sums = (STATIC / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == 7  # four files and three licenses
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((STATIC / name).read_bytes()).hexdigest() == digest, name
