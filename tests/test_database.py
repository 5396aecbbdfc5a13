"""The service's own connection: read-only, in UTC."""

from __future__ import annotations

import pymysql
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from app.db import Database


def run(client: TestClient, coroutine_function, *args):
    """Run a coroutine on the app's own event loop (its connections live there)."""
    assert client.portal is not None
    return client.portal.call(coroutine_function, *args)


def database(client: TestClient) -> Database:
    return client.app.state.database  # type: ignore[attr-defined]


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
    with pytest.raises(pymysql.err.OperationalError) as error:
        run(client, database(client).execute, sa.text(statement))

    assert error.value.args[0] == 1792  # Cannot execute statement in a READ ONLY transaction


def test_the_session_reads_timestamps_in_utc(client: TestClient) -> None:
    zone = run(client, database(client).fetch_value, sa.text("SELECT @@session.time_zone"))

    assert zone == "+00:00"


def test_the_session_is_read_only(client: TestClient) -> None:
    flag = run(client, database(client).fetch_value, sa.text("SELECT @@session.tx_read_only"))

    assert flag == 1
