"""Every API test runs against a real MariaDB: a database of its own, loaded from fixtures/.

The server is `TEST_MARIADB_URL` (default mysql://root@127.0.0.1:3306). When it does
not answer, the run stops with a message saying how to start it: no test skips.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pymysql
import pytest
from starlette.testclient import TestClient

import fixtures
from app.application import create_app
from app.settings import Settings
from tests.helpers import Api

SERVER_URL = os.environ.get("TEST_MARIADB_URL", "mysql://root@127.0.0.1:3306").rstrip("/")

START_HINT = f"""
The tests need a MariaDB (or MySQL) server at {SERVER_URL}, and none answered.
Start one, for example on Debian:

    apt-get install -y mariadb-server
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd

or point TEST_MARIADB_URL at a server where the user may create databases.
"""


def _connect_to_server() -> pymysql.Connection:
    from sqlalchemy.engine import make_url

    url = make_url(SERVER_URL.replace("mysql://", "mysql+pymysql://", 1))
    try:
        return pymysql.connect(
            host=url.host or "127.0.0.1",
            port=url.port or 3306,
            user=url.username or "root",
            password=url.password or "",
            connect_timeout=5,
        )
    except pymysql.err.OperationalError as error:
        pytest.exit(f"{error}\n{START_HINT}", returncode=3)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh database with the Bagisto demo data; dropped when the run ends."""
    name = f"downloads_api_test_{uuid.uuid4().hex[:12]}"
    server = _connect_to_server()
    with server.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        url = f"{SERVER_URL}/{name}"
        fixtures.load(url, "bagisto")
        yield url
    finally:
        with server.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        server.close()


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, public_base_url="https://shop.example.com")


@pytest.fixture(scope="session")
def make_client(settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """Start an app with some settings changed; it stops at the end of the run."""
    started: list[TestClient] = []

    def start(client_ip: str = "127.0.0.1", **changes: Any) -> TestClient:
        client = TestClient(create_app(replace(settings, **changes)), client=(client_ip, 50000))
        client.__enter__()
        started.append(client)
        return client

    yield start
    for client in started:
        client.__exit__(None, None, None)


@pytest.fixture(scope="session")
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@pytest.fixture(scope="session")
def api(client: TestClient) -> Api:
    return Api(client)
