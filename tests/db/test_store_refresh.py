"""Magento store views on a database of its own, changed while the service runs: store
codes in URLs everywhere, the first request reading what start-up could not, and the
snapshot refreshed within its interval, or kept while a refresh fails (docs/behaviour.md §9)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

import fixtures
from app.settings import Settings
from tests import expected
from tests.conftest import SERVER_URL, root
from tests.helpers import Api
from tests.stores import FR, ITEMS, jane, link, listed

pytestmark = pytest.mark.parametrize("source", ["magento"], indirect=True, scope="session")


@pytest.fixture
def shop() -> Iterator[tuple[str, Callable[[str], None]]]:
    """A fresh Magento demo database, and a way to run SQL on it."""
    name = f"downloads_api_stores_{uuid.uuid4().hex[:8]}"
    connection = root()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")

    def execute(sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"USE `{name}`")
            cursor.execute(sql)

    try:
        fixtures.load(f"{SERVER_URL}/{name}", "magento")
        yield f"{SERVER_URL}/{name}", execute
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE `{name}`")
        connection.close()


def test_store_views_are_read_by_the_first_request_when_start_up_could_not(
    unscoped_api: Callable[..., Api],
) -> None:
    name = f"downloads_api_stores_{uuid.uuid4().hex[:8]}"
    api = unscoped_api(database_url=f"{SERVER_URL}/{name}")  # no such database yet
    down = jane(api, {"Store": "fr"})
    with root().cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        fixtures.load(f"{SERVER_URL}/{name}", "magento")
        up = jane(api, {"Store": "fr"})
    finally:
        with root().cursor() as cursor:
            cursor.execute(f"DROP DATABASE `{name}`")

    assert down.status_code == 503
    assert down.json()["errors"][0]["path"] == ["customerDownloadableProducts"]
    assert listed(up)[0]["download_url"] == link(FR, 1)


def test_store_codes_in_urls_everywhere(
    unscoped_api: Callable[..., Api], shop: tuple[str, Callable[[str], None]]
) -> None:
    url, execute = shop
    execute(
        "UPDATE core_config_data SET value = '1'"
        " WHERE path = 'web/url/use_store' AND scope = 'default'"
    )
    api = unscoped_api(database_url=url)

    assert listed(jane(api))[0]["download_url"] == link(f"{expected.BASE}/default", 1)
    assert listed(jane(api, path="/default/graphql")) == listed(jane(api))
    assert listed(jane(api, {"Store": "fr"}, "/default/graphql"))[0]["download_url"] == link(FR, 1)
    assert api.client.post("/archive/graphql", json={"query": ITEMS}).status_code == 404


def poll_fr_link(api: Api, until: str, seconds: float = 10) -> str:
    """The first of Jane's links in `fr`, asked until it reads `until` or time is up."""
    deadline = time.monotonic() + seconds
    while True:
        first: str = listed(jane(api, {"Store": "fr"}))[0]["download_url"]
        if first == until or time.monotonic() > deadline:
            return first
        time.sleep(0.05)


@pytest.fixture
def refreshing(
    unscoped_api: Callable[..., Api], shop: tuple[str, Callable[[str], None]], settings: Settings
) -> tuple[Api, Callable[[str], None]]:
    """The service on `shop`, reading its store views again every 0.2 s, fr's links read."""
    url, execute = shop
    own = replace(settings.source_settings, store_refresh_seconds=0.2)
    api = unscoped_api(database_url=url, source_settings=own)
    assert listed(jane(api, {"Store": "fr"}))[0]["download_url"] == link(FR, 1)
    return api, execute


def test_a_changed_base_url_shows_within_the_refresh_interval_without_a_restart(
    refreshing: tuple[Api, Callable[[str], None]],
) -> None:
    api, execute = refreshing
    execute(
        "UPDATE core_config_data SET value = 'https://boutique.example.fr/'"
        " WHERE path = 'web/secure/base_url' AND scope = 'websites' AND scope_id = 2"
    )
    execute("UPDATE store SET is_active = 1 WHERE code = 'archive'")

    changed = link("https://boutique.example.fr/index.php/fr", 1)
    assert poll_fr_link(api, until=changed) == changed
    assert len(listed(jane(api, {"Store": "archive"}))) == 12


def test_a_refresh_that_fails_keeps_the_last_store_views_until_one_succeeds(
    refreshing: tuple[Api, Callable[[str], None]],
) -> None:
    api, execute = refreshing
    execute("RENAME TABLE core_config_data TO core_config_data_gone")
    time.sleep(0.6)  # a few refreshes fail meanwhile
    assert listed(jane(api, {"Store": "fr"}))[0]["download_url"] == link(FR, 1)

    execute("UPDATE core_config_data_gone SET value = '1' WHERE path = 'web/seo/use_rewrites'")
    execute("RENAME TABLE core_config_data_gone TO core_config_data")
    changed = link("https://fr.shop.example.com/fr", 1)
    assert poll_fr_link(api, until=changed) == changed
