"""With no DATABASE_URL the service serves the embedded demo, as the README promises."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from starlette.testclient import TestClient

from app.application import create_app
from app.settings import Settings
from fixtures import bagisto
from tests.helpers import Api, data_of

ROOT = Path(__file__).resolve().parent.parent
SEED = (ROOT / "tests" / "spec" / "bagisto-list.graphql").read_text()


def test_embedded_demo_answers_the_seed_query() -> None:
    with TestClient(create_app(Settings())) as client:
        products = data_of(Api(client).bagisto(SEED))["customerDownloadableProducts"]

    assert products["totalCount"] == 12
    assert products["edges"][0]["node"]["productName"] == "Jazz Album"


def test_embedded_demo_is_read_only() -> None:
    import sqlite3

    import sqlalchemy as sa

    with TestClient(create_app(Settings())) as client:
        database = client.app.state.database  # type: ignore[attr-defined]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            client.portal.call(database.execute, sa.text("DELETE FROM storefront_keys"))


def test_readme_hands_out_the_demo_credentials() -> None:
    readme = (ROOT / "README.md").read_text().replace("\\|", "|")  # unescape table cells

    for credential in (bagisto.JANE_TOKEN, bagisto.SHOP_KEY, bagisto.EMMA_TOKEN):
        assert credential in readme


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served() -> Iterator[str]:
    """`downloads-api serve` in a process of its own, with nothing configured."""
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    # The console script the README tells people to run, from this environment.
    command = [str(Path(sys.executable).parent / "downloads-api"), "serve", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=environment)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx2.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx2.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("downloads-api serve did not answer within 30 s")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


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
