"""The service's own connection: read-only, in UTC, counted while lent out."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncmy.errors
import pymysql
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from app.db import Database, Prepared, database_at
from app.db.mysql import DEFAULT_DRIVER, MySQLDatabase
from app.sources.common import as_utc
from tests.conftest import DRIVER, SERVER_URL, root

# A statement the server refuses for itself (not for want of the database) passes through
# as the driver's own error.
OPERATIONAL_ERROR = {
    "aiomysql": pymysql.err.OperationalError,
    "asyncmy": asyncmy.errors.OperationalError,
}


def run(client: TestClient, coroutine_function, *args):
    """Run a coroutine on the app's own event loop (its connections live there)."""
    assert client.portal is not None
    return client.portal.call(coroutine_function, *args)


def database(client: TestClient) -> Database:
    return client.app.state.database  # type: ignore[attr-defined]


def driver_of(client: TestClient) -> str:
    db = database(client)
    assert isinstance(db, MySQLDatabase)
    return db.driver.name


def test_the_service_runs_on_the_driver_under_test(client: TestClient) -> None:
    assert driver_of(client) == (DRIVER or DEFAULT_DRIVER)


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO downloadable_link_purchased (customer_id) VALUES (1)",
        "UPDATE downloadable_link_purchased SET customer_id = customer_id",
        "DELETE FROM downloadable_link_purchased",
        "CREATE TABLE downloads_api_probe (id INT)",
        "DROP TABLE downloadable_link_purchased",
    ],
)
def test_the_services_connection_cannot_write(client: TestClient, statement: str) -> None:
    # fetch_all sends the statement as it is: a session that allowed writes would run it.
    with pytest.raises(OPERATIONAL_ERROR[driver_of(client)]) as error:
        run(client, database(client).fetch_all, sa.text(statement))

    assert error.value.args[0] == 1792  # Cannot execute statement in a READ ONLY transaction


def test_the_session_reads_timestamps_in_utc(client: TestClient) -> None:
    zone = run(client, database(client).fetch_value, sa.text("SELECT @@session.time_zone"))

    assert zone == "+00:00"


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("CAST('2025-06-15 10:30:00' AS DATETIME)", datetime(2025, 6, 15, 10, 30, tzinfo=UTC)),
        (
            "CAST('2025-06-15 10:30:00.25' AS DATETIME(2))",
            datetime(2025, 6, 15, 10, 30, 0, 250000, tzinfo=UTC),
        ),
        ("FROM_UNIXTIME(0)", datetime(1970, 1, 1, tzinfo=UTC)),  # a TIMESTAMP
    ],
)
# One source is enough: both read through the same pool.
@pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")
def test_timestamps_are_read_as_aware_utc_datetimes(
    client: TestClient, literal: str, expected: datetime
) -> None:
    value = run(client, database(client).fetch_value, sa.text(f"SELECT {literal}"))

    assert value == expected
    assert value.tzinfo is UTC


@pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")
def test_a_zero_date_is_read_as_no_date(client: TestClient) -> None:
    """No datetime has year 0: as text (pymysql's reading) it would reach the date formats,
    which write datetimes. The binary protocol reads it as None too."""
    value = run(
        client,
        database(client).fetch_value,
        sa.text("SELECT CAST('0000-00-00 00:00:00' AS DATETIME)"),
    )

    assert value is None


def test_the_session_is_read_only(client: TestClient) -> None:
    flag = run(client, database(client).fetch_value, sa.text("SELECT @@session.tx_read_only"))

    assert flag == 1


def test_a_connection_is_counted_while_its_statement_runs(client: TestClient) -> None:
    async def in_use_during_and_after() -> tuple[int, int]:
        db = database(client)
        statement = asyncio.create_task(db.fetch_value(sa.text("SELECT SLEEP(1)")))
        while not statement.done() and db.connections_in_use() == 0:
            await asyncio.sleep(0.01)
        during = db.connections_in_use()
        await statement
        return during, db.connections_in_use()

    assert run(client, in_use_during_and_after) == (1, 0)


@pytest.fixture
def empty_database() -> Iterator[str]:
    """The URL of an empty database of this test's own: the connections to it are its."""
    name = f"downloads_api_pool_{uuid.uuid4().hex[:8]}"
    with root().cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}`")
    try:
        yield f"{SERVER_URL}/{name}"
    finally:
        with root().cursor() as cursor:
            cursor.execute(f"DROP DATABASE `{name}`")


def connections_to(url: str) -> int:
    """Connections the server holds open to the database at `url`."""
    with root().cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = %s",
            (url.rsplit("/", 1)[1],),
        )
        (count,) = cursor.fetchone()
    return int(count)


def test_the_pool_opens_none_at_start_and_at_most_max_size(empty_database: str) -> None:
    async def scenario() -> tuple[int, float, int]:
        lazy = database_at(empty_database)
        eager = database_at(f"{empty_database}?min_size=2&max_size=2")
        await lazy.connect()
        await eager.connect()
        try:
            at_start = connections_to(empty_database)  # the eager pool's two
            started = time.monotonic()
            await asyncio.gather(
                *(eager.fetch_value(sa.text("SELECT SLEEP(0.4)")) for _ in range(4))
            )
            return at_start, time.monotonic() - started, connections_to(empty_database)
        finally:
            await lazy.disconnect()
            await eager.disconnect()

    at_start, elapsed, after = asyncio.run(scenario())

    assert at_start == 2  # none of the lazy pool's (min_size=0 by default)
    assert elapsed >= 0.8  # four statements on two connections take two turns
    assert after == 2


def session_status(database: Database, name: str) -> Awaitable[Any]:
    """A counter of the session the statement runs on (sent as text: never prepared)."""
    return database.fetch_value(
        sa.text(
            "SELECT variable_value FROM information_schema.session_status WHERE variable_name = :name"
        ),
        name=name,
    )


def test_a_prepared_statement_is_prepared_once_a_connection_on_asyncmy(empty_database: str) -> None:
    """asyncmy keeps the service's fixed statements prepared on each connection and sends
    only their values (binary protocol); aiomysql sends every statement as text. Both read
    the same values, a timestamp as UTC once a source has read it."""
    statement = Prepared(
        sa.select(
            sa.bindparam("number", type_=sa.Integer).label("number"),
            sa.bindparam("word", type_=sa.String).label("word"),
            sa.cast(sa.literal_column("'2025-06-15 10:30:05'"), sa.DateTime).label("at"),
            sa.cast(sa.literal_column("'12.5'"), sa.Numeric(12, 4)).label("total"),
        )
    )

    async def scenario() -> tuple[list[Any], int, int]:
        one_connection = database_at(f"{empty_database}?max_size=1")
        await one_connection.connect()
        try:
            rows = [
                await one_connection.fetch_one(statement, number=n, word=f"w{n}") for n in range(3)
            ]
            prepared = await session_status(one_connection, "COM_STMT_PREPARE")
            executed = await session_status(one_connection, "COM_STMT_EXECUTE")
            return rows, int(prepared), int(executed)
        finally:
            await one_connection.disconnect()

    rows, prepared, executed = asyncio.run(scenario())

    assert [(row["number"], row["word"]) for row in rows] == [(0, "w0"), (1, "w1"), (2, "w2")]
    assert {as_utc(row["at"]) for row in rows} == {datetime(2025, 6, 15, 10, 30, 5, tzinfo=UTC)}
    assert {row["total"] for row in rows} == {Decimal("12.5000")}
    on_asyncmy = (DRIVER or DEFAULT_DRIVER) == "asyncmy"
    assert (prepared, executed) == ((1, 3) if on_asyncmy else (0, 0))
