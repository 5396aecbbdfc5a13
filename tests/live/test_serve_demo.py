"""`downloads-api serve` with nothing configured serves the embedded demo, as the README
promises: it answers the seed query, warns once, and leaves no folder behind."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from app.ops.demo import FOLDER_PREFIX
from fixtures import bagisto
from tests.helpers import data_of
from tests.paths import SPEC
from tests.served import serving

SEED = (SPEC / "bagisto-list.graphql").read_text()


@pytest.fixture
def served() -> Iterator[str]:
    """`downloads-api serve` with nothing configured."""
    with serving({}) as base:
        yield base


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
