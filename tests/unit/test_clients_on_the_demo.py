"""Real storefronts' documents, unchanged, sent as their clients send them (tests/clients/,
docs/platforms.md §3) to the embedded demo (`downloads-api serve` with no DATABASE_URL), on
both sources; and the manifest that lists them."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest
from starlette.testclient import TestClient

import fixtures
from app.sources import SOURCES
from tests.helpers import app_client, data_of
from tests.paths import CLIENTS
from tests.storefronts import BY_NAME, MANIFEST, check_answer, check_page_20_at_50, jump, send


@pytest.fixture(scope="module", params=list(SOURCES))
def embedded_demo(request: pytest.FixtureRequest) -> Iterator[tuple[TestClient, ModuleType, str]]:
    """The embedded demo (`downloads-api serve` with no DATABASE_URL) of a source."""
    source = request.param
    with app_client(source=source) as http:
        yield http, fixtures.platform(source), source


@pytest.mark.parametrize("name", BY_NAME)
def test_each_client_document_runs_on_the_embedded_demo(
    embedded_demo: tuple[TestClient, ModuleType, str], name: str
) -> None:
    http, credentials, source = embedded_demo

    response = send(http, BY_NAME[name], credentials.JANE_TOKEN)

    check_answer(name, data_of(response), source, base="http://testserver")


def test_nextjs_page_jump_on_the_embedded_demo(
    embedded_demo: tuple[TestClient, ModuleType, str],
) -> None:
    http, credentials, _ = embedded_demo

    check_page_20_at_50(*jump(http, credentials.LENA_TOKEN, page=20, limit=50))


def test_the_manifest_names_every_fixture() -> None:
    used = {(CLIENTS / client["document"]).resolve() for client in MANIFEST}

    assert {path.resolve() for path in CLIENTS.glob("*.graphql")} <= used
    assert all(path.exists() for path in used)
    assert {client["path"] for client in MANIFEST} == {"/graphql", "/api/graphql"}
