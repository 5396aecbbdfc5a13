"""DATABASE_REPLICA_URL: purchases are read from the replica, credentials from the primary."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Callable, Iterator

import pymysql
import pytest

import fixtures
from tests.conftest import SERVER_URL
from tests.helpers import Api, data_of

QUERY = "{ customerDownloadableProducts { totalCount } }"
CONNECT_TIMEOUT = 0.5


@pytest.fixture
def replica(source: str) -> Iterator[str]:
    """A copy of the demo that lags: purchase 15 not there yet, and Jane's credentials
    not either (Bagisto: her token; Magento: a revocation only the replica has)."""
    name = f"downloads_api_replica_{uuid.uuid4().hex[:8]}"
    connection = pymysql.connect(host="127.0.0.1", port=3306, user="root", autocommit=True)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}`")
    try:
        fixtures.load(f"{SERVER_URL}/{name}", source)
        with connection.cursor() as cursor:
            if source == "bagisto":
                cursor.execute(f"DELETE FROM `{name}`.downloadable_link_purchased WHERE id = 15")
                cursor.execute(
                    f"DELETE FROM `{name}`.personal_access_tokens WHERE tokenable_id = 1"
                )
            else:
                cursor.execute(
                    f"DELETE FROM `{name}`.downloadable_link_purchased_item WHERE item_id = 15"
                )
                cursor.execute(f"INSERT INTO `{name}`.jwt_auth_revoked VALUES (3, 1, {2**40})")
        yield f"{SERVER_URL}/{name}"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE `{name}`")
        connection.close()


def test_purchases_come_from_the_replica_credentials_from_the_primary(
    make_api: Callable[..., Api], replica: str
) -> None:
    api = make_api(database_replica_url=replica)

    assert data_of(api.bagisto(QUERY)) == {"customerDownloadableProducts": {"totalCount": 11}}
    assert api.bagisto('{ customerDownloadableProduct(id: "15") { _id } }').json()["errors"][0][
        "extensions"
    ] == {"status": 404}
    assert api.client.get("/ready").json() == {"status": "ok", "replica": "ok"}


def replica_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "read replica" in r.getMessage()]


def test_an_unreachable_replica_leaves_reads_to_the_primary(
    own_api: Callable[..., Api], caplog: pytest.LogCaptureFixture
) -> None:
    api = own_api(database_replica_url="mysql://root@127.0.0.1:9/none")

    for _ in range(3):
        assert data_of(api.bagisto(QUERY)) == {"customerDownloadableProducts": {"totalCount": 12}}
        ready = api.client.get("/ready")
        assert (ready.status_code, ready.json()) == (200, {"status": "ok", "replica": "degraded"})
    # One line for the outage, not one per request.
    assert replica_warnings(caplog) == [
        "the read replica is unavailable (MySQL error 2003): reading from the primary"
    ]


def test_a_replica_that_never_answers_costs_one_request_the_connect_timeout(
    own_api: Callable[..., Api],
) -> None:
    with socket.create_server(("127.0.0.1", 0), backlog=16) as listening:
        api = own_api(
            database_replica_url=f"mysql://root@127.0.0.1:{listening.getsockname()[1]}/shop",
            database_connect_timeout=CONNECT_TIMEOUT,
        )
        took = []
        for _ in range(3):
            started = time.monotonic()
            assert data_of(api.bagisto(QUERY)) == {
                "customerDownloadableProducts": {"totalCount": 12}
            }
            took.append(time.monotonic() - started)
        started = time.monotonic()
        assert api.client.get("/ready").json() == {"status": "ok", "replica": "degraded"}
        took.append(time.monotonic() - started)

    assert CONNECT_TIMEOUT <= took[0] < CONNECT_TIMEOUT + 1
    assert max(took[1:]) < 0.5  # the outage is known: nobody waits for the replica
