"""The database stopped, restarted, frozen or slow: the service answers 503 in bounded time,
never hangs or fails with a 500, and serves again by itself when the database is back.

These tests start a MariaDB server of their own (tests/mariadb_instance.py) and really
stop it; the shared test server is never touched.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

import fixtures
from app.db import DatabaseUnavailable, database_at
from fixtures import bagisto
from tests.helpers import Api, app_client, data_of
from tests.mariadb_instance import MariaDBInstance

QUERY = "{ customerDownloadableProducts { totalCount } }"  # Bagisto's
ITEMS = "{ customerDownloadableProducts { items { status } } }"  # Magento's
STATEMENT_TIMEOUT = 1.0
CONNECT_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def instance() -> Iterator[MariaDBInstance]:
    server = MariaDBInstance()
    try:
        yield server
    finally:
        server.remove()


def load_demo(server: MariaDBInstance) -> None:
    server.execute("CREATE DATABASE IF NOT EXISTS shop")
    fixtures.load(server.url("shop"), "bagisto")


@pytest.fixture(scope="module")
def api(instance: MariaDBInstance) -> Iterator[Api]:
    # The app starts while its database is not running at all.
    with app_client(
        database_url=instance.url("shop"),
        database_connect_timeout=CONNECT_TIMEOUT,
        database_statement_timeout=STATEMENT_TIMEOUT,
        storefront_key_cache_seconds=0,
    ) as client:
        yield Api(client, bagisto)


def timed(api: Api) -> tuple[int, float]:
    started = time.monotonic()
    response = api.magento(ITEMS, token=bagisto.JANE_TOKEN)
    return response.status_code, time.monotonic() - started


def test_starts_without_its_database_and_answers_503(api: Api) -> None:
    assert api.client.get("/health").status_code == 200
    assert api.client.get("/ready").status_code == 503
    status, elapsed = timed(api)
    assert status == 503
    assert elapsed < CONNECT_TIMEOUT + 5
    assert api.bagisto(QUERY).status_code == 503
    assert (
        api.client.get(
            "/api/shop/customer-downloadable-products",
            headers={
                "Authorization": f"Bearer {bagisto.JANE_TOKEN}",
                "X-STOREFRONT-KEY": bagisto.SHOP_KEY,
            },
        ).status_code
        == 503
    )


def test_serves_once_the_database_comes_up_without_a_restart(
    api: Api, instance: MariaDBInstance
) -> None:
    instance.start()
    load_demo(instance)

    assert api.client.get("/ready").status_code == 200
    assert data_of(api.bagisto(QUERY)) == {"customerDownloadableProducts": {"totalCount": 12}}


def test_database_stopped_and_restarted(api: Api, instance: MariaDBInstance) -> None:
    assert timed(api)[0] == 200  # the pool holds a connection now
    instance.stop()

    status, elapsed = timed(api)
    assert status == 503
    assert elapsed < CONNECT_TIMEOUT + 5
    assert api.client.get("/ready").status_code == 503

    instance.start()
    # The pooled connection died with the old server: it is replaced, not reported.
    assert timed(api)[0] == 200
    assert api.client.get("/ready").status_code == 200


def test_frozen_database_is_given_up_on_in_bounded_time(
    api: Api, instance: MariaDBInstance
) -> None:
    assert timed(api)[0] == 200
    instance.freeze()
    try:
        status, elapsed = timed(api)
        assert status == 503
        assert elapsed < STATEMENT_TIMEOUT + 1 + 5
    finally:
        instance.thaw()
    assert timed(api)[0] == 200


def test_statement_over_the_time_limit_is_cancelled_by_the_server(
    instance: MariaDBInstance,
) -> None:
    database = database_at(instance.url("shop"), statement_timeout=STATEMENT_TIMEOUT)

    async def scenario() -> tuple[float, int]:
        await database.connect()
        try:
            started = time.monotonic()
            with pytest.raises(DatabaseUnavailable, match="1969"):
                await database.fetch_value(sa.text("SELECT SLEEP(5)"))
            elapsed = time.monotonic() - started
            # The connection is fine afterwards: the server cancelled the statement.
            return elapsed, await database.fetch_value(sa.text("SELECT 1"))
        finally:
            await database.disconnect()

    import asyncio

    elapsed, after = asyncio.run(scenario())
    assert elapsed < STATEMENT_TIMEOUT + 1
    assert after == 1
