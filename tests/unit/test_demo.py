"""With no DATABASE_URL the service serves the embedded demo, as the README promises."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from app.ops.demo import FOLDER_PREFIX
from app.settings import VARIABLES
from fixtures import bagisto, magento
from tests.helpers import Api, app_client, data_of
from tests.paths import ROOT, SPEC
from tests.served import serving

SEED = (SPEC / "bagisto-list.graphql").read_text()


def test_embedded_demo_answers_the_seed_query() -> None:
    with app_client() as client:
        products = data_of(Api(client).bagisto(SEED))["customerDownloadableProducts"]

    assert products["totalCount"] == 12
    assert products["edges"][0]["node"]["productName"] == "Jazz Album"


def test_embedded_magento_demo_answers_with_its_built_in_deployment_key() -> None:
    query = "{ customerDownloadableProducts { items { order_increment_id remaining_downloads } } }"

    with app_client(source="magento") as client:
        listed = data_of(Api(client, magento).magento(query, token=magento.JANE_TOKEN))

    assert len(listed["customerDownloadableProducts"]["items"]) == 12


def test_embedded_demo_is_read_only() -> None:
    import sqlite3

    import sqlalchemy as sa

    with app_client() as client:
        database = client.app.state.database  # type: ignore[attr-defined]
        # fetch_all sends the statement as it is: a writable file would delete the keys.
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            client.portal.call(database.fetch_all, sa.text("DELETE FROM storefront_keys"))


def test_readme_hands_out_the_demo_credentials() -> None:
    readme = (ROOT / "README.md").read_text().replace("\\|", "|")  # unescape table cells

    for credential in (
        bagisto.JANE_TOKEN,
        bagisto.SHOP_KEY,
        bagisto.EMMA_TOKEN,
        magento.JANE_TOKEN,
        magento.JOHN_TOKEN,
        magento.EMMA_TOKEN,
        magento.LENA_TOKEN,
        magento.JANE_OPAQUE_TOKEN,
    ):
        assert credential in readme


@pytest.fixture
def served() -> Iterator[str]:
    """`downloads-api serve` with nothing configured."""
    with serving({}) as base:
        yield base


@pytest.mark.live
def test_serve_command_answers_the_seed_query_on_the_demo(served: str) -> None:
    response = httpx2.post(
        f"{served}/api/graphql",
        json={"query": SEED},
        headers={
            "Authorization": f"Bearer {bagisto.JANE_TOKEN}",
            "X-STOREFRONT-KEY": bagisto.SHOP_KEY,
        },
        timeout=10,
    )

    assert data_of(response)["customerDownloadableProducts"]["totalCount"] == 12


def test_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()

    assert [name for name in VARIABLES if f"| `{name}` |" not in readme] == []


@pytest.mark.live
@pytest.mark.parametrize("workers", ["1", "2"])
def test_serving_the_demo_warns_once_and_leaves_no_folder_behind(
    tmp_path: Path, workers: str
) -> None:
    log = tmp_path / "service.log"
    with serving({"TMPDIR": str(tmp_path)}, "--workers", workers, log=log):
        # One demo file per worker; the first to answer /health need not be the last up.
        deadline = time.monotonic() + 15
        while len(demo_folders(tmp_path)) < int(workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(demo_folders(tmp_path)) == int(workers)

    warnings = [line for line in log.read_text().splitlines() if "EMBEDDED DEMO" in line]
    assert len(warnings) == 1, log.read_text()
    assert demo_folders(tmp_path) == []


def demo_folders(directory: Path) -> list[Path]:
    return [f for f in directory.iterdir() if f.name.startswith(FOLDER_PREFIX)]


def test_readmes_magento_curl_answers_on_the_magento_demo() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("A Magento PWA's query on it:") :]
    body = section[section.index("-d '") + 4 : section.index("}'\n") + 1]

    with app_client(source="magento") as client:
        response = client.post(
            "/graphql",
            content=body,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {magento.JANE_TOKEN}",
            },
        )

    assert len(data_of(response)["customerDownloadableProducts"]["items"]) == 12
