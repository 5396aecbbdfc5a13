"""Every API test runs against a real MariaDB: a database of its own, loaded from fixtures/.

The server is `TEST_MARIADB_URL` (default mysql://root@127.0.0.1:3306). When it does
not answer, the run stops with a message saying how to start it: no test skips.

`TEST_DATABASE_DRIVER` (aiomysql or asyncmy) names the driver in every URL the tests give
the service (mysql+NAME://); unset, they say plain mysql://, the default driver.
./scripts/test runs the whole suite on the default, then the db and live tiers on the other.
"""

from __future__ import annotations

import inspect
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pymysql
import pytest
from starlette.testclient import TestClient

import fixtures
from app.db.mysql import DRIVERS
from app.settings import Settings
from app.sources import SOURCES as REGISTERED
from tests.helpers import AccessLog, Api, app_client, store_headers

DRIVER = os.environ.get("TEST_DATABASE_DRIVER", "")
if DRIVER and DRIVER not in DRIVERS:
    raise pytest.UsageError(f"TEST_DATABASE_DRIVER must be one of {', '.join(DRIVERS)}")


def on_driver(url: str) -> str:
    """A MySQL URL naming the driver under test (TEST_DATABASE_DRIVER), if one is named."""
    scheme, _, rest = url.partition("://")
    return f"mysql+{DRIVER}://{rest}" if DRIVER and scheme.startswith("mysql") else url


SERVER_URL = on_driver(
    os.environ.get("TEST_MARIADB_URL", "mysql://root@127.0.0.1:3306").rstrip("/")
)

START_HINT = f"""
The tests need a MariaDB (or MySQL) server at {SERVER_URL}, and none answered.
Start one, for example on Debian:

    apt-get install -y mariadb-server
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd

or point TEST_MARIADB_URL at a server where the user may create databases.
"""


def root(*, autocommit: bool = True) -> pymysql.Connection:
    """A connection to the test server (TEST_MARIADB_URL) as the user that may create
    databases and users."""
    from sqlalchemy.engine import make_url

    url = make_url(SERVER_URL)
    return pymysql.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        connect_timeout=5,
        autocommit=autocommit,
    )


def _connect_to_server() -> pymysql.Connection:
    try:
        return root(autocommit=False)
    except pymysql.err.OperationalError as error:
        pytest.exit(f"{error}\n{START_HINT}", returncode=3)


# The tiers (pyproject.toml describes them): a test's tier is the directory it sits in,
# tests/<tier>/, which gives it the tier's marker (`pytest tests/unit` and `-m unit` select
# the same tests). Collection fails when the declaration could lie: a test outside those
# directories, one marking a tier itself, or a unit test asking for a fixture that needs
# the database, Redis, a served process or a browser.
TIERS = ("unit", "db", "live", "e2e")
TESTS = Path(__file__).resolve().parent
# The fixtures of this file a unit test may ask for: none of them opens anything.
UNIT_FIXTURES = {"source", "demo", "access"}


def tier_of(path: Path) -> str | None:
    """The tier whose directory holds `path`, if any."""
    path = path.resolve()
    top = path.relative_to(TESTS).parts[0] if path.is_relative_to(TESTS) else None
    return top if top in TIERS else None


def _out_of_tier(item: pytest.Item, tier: str) -> list[str]:
    """The fixtures `item` asks for (its whole closure) that its tier may not use: for a
    unit test, those defined in another tier's directory or in this file, bar UNIT_FIXTURES."""
    if tier != "unit" or not isinstance(item, pytest.Function):
        return []
    found = []
    for name, definitions in item._fixtureinfo.name2fixturedefs.items():
        where = Path(inspect.getfile(definitions[-1].func)).resolve()
        allowed = name in UNIT_FIXTURES and where == TESTS / "conftest.py"
        if where.is_relative_to(TESTS) and tier_of(where) != "unit" and not allowed:
            found.append(f"{name} ({where.relative_to(TESTS.parent)})")
    return sorted(found)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    problems = []
    for item in items:
        tier = tier_of(item.path)
        if tier is None:
            problems.append(
                f"{item.nodeid}: outside the tiers' directories, tests/{{{','.join(TIERS)}}}/"
            )
            continue
        if marked := sorted({m.name for m in item.iter_markers() if m.name in TIERS}):
            problems.append(f"{item.nodeid}: marked {marked}; its directory declares its tier")
        if fixtures := _out_of_tier(item, tier):
            problems.append(f"{item.nodeid}: a {tier} test asks for {', '.join(fixtures)}")
        item.add_marker(tier)
    if problems:
        raise pytest.UsageError("Tests in the wrong tier:\n  " + "\n  ".join(problems))


# Every test that uses the database runs once per source, unless it pins one with
# `pytest.mark.parametrize("source", [...], indirect=True, scope="session")`.
# TEST_SOURCES=bagisto runs only one of them.
SOURCES = os.environ.get("TEST_SOURCES", ",".join(REGISTERED)).split(",")
DEMOS: dict[str, ModuleType] = {source: fixtures.platform(source) for source in REGISTERED}


@pytest.fixture(scope="session", params=SOURCES)
def source(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def demo(source: str) -> ModuleType:
    """The demo data's credentials for this source (JANE_TOKEN, JOHN_TOKEN, ...)."""
    return DEMOS[source]


@pytest.fixture(scope="session")
def demo_databases() -> Iterator[Callable[[str], str]]:
    """The URL of a fresh database with a source's demo data, made on first use (one per
    source and run) and dropped when the run ends."""
    server = _connect_to_server()
    made: dict[str, str] = {}

    def database_for(source: str) -> str:
        if source not in made:
            name = f"downloads_api_test_{source}_{uuid.uuid4().hex[:12]}"
            with server.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
            made[source] = f"{SERVER_URL}/{name}"
            fixtures.load(made[source], source)
        return made[source]

    try:
        yield database_for
    finally:
        with server.cursor() as cursor:
            for url in made.values():
                cursor.execute(f"DROP DATABASE IF EXISTS `{url.rsplit('/', 1)[1]}`")
        server.close()


@pytest.fixture(scope="session")
def database_url(source: str, demo_databases: Callable[[str], str]) -> str:
    return demo_databases(source)


def settings_for(source: str, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        source=source,
        public_base_url="https://shop.example.com",
        source_settings=fixtures.platform(source).demo_settings(REGISTERED[source].own_settings()),
    )


@pytest.fixture(scope="session")
def settings(database_url: str, source: str) -> Settings:
    return settings_for(source, database_url)


@contextmanager
def started_apps(settings: Settings, *, store: bool = True) -> Iterator[Callable[..., TestClient]]:
    """Start apps on the test database (tests/helpers.py's `app_client`, from `client_ip`,
    with `changes` to `settings`); they stop when the block ends. `store=False`
    leaves out TEST_MAGENTO_STORE's `Store` header."""
    started: list[TestClient] = []

    def start(client_ip: str = "127.0.0.1", **changes: Any) -> TestClient:
        headers = store_headers(settings.source) if store else {}
        client = app_client(settings, client_ip=client_ip, headers=headers, **changes)
        started.append(client.__enter__())
        return client

    try:
        yield start
    finally:
        for client in started:
            client.__exit__(None, None, None)


@pytest.fixture(scope="session")
def make_client(settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """Start an app with some settings changed; it stops at the end of the run."""
    with started_apps(settings) as start:
        yield start


@pytest.fixture(scope="session")
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@pytest.fixture(scope="session")
def api(client: TestClient, demo: ModuleType) -> Api:
    return Api(client, demo)


def apis_on(start: Callable[..., TestClient], demo: ModuleType) -> Callable[..., Api]:
    """`start`'s apps, each as an `Api`."""
    return lambda client_ip="127.0.0.1", **changes: Api(start(client_ip, **changes), demo)


@pytest.fixture(scope="session")
def make_api(make_client: Callable[..., TestClient], demo: ModuleType) -> Callable[..., Api]:
    """An `Api` on an app with some settings changed."""
    return apis_on(make_client, demo)


@pytest.fixture
def own_api(settings: Settings, demo: ModuleType) -> Iterator[Callable[..., Api]]:
    """Like `make_api`, but each app stops when the test ends, closing its database
    connections (the session's apps keep theirs, and the test server's are limited)."""
    with started_apps(settings) as start:
        yield apis_on(start, demo)


@pytest.fixture
def unscoped_api(settings: Settings, demo: ModuleType) -> Iterator[Callable[..., Api]]:
    """Like `own_api`, without TEST_MAGENTO_STORE's `Store` header: for tests that say
    which store they ask for."""
    with started_apps(settings, store=False) as start:
        yield apis_on(start, demo)


@pytest.fixture
def access() -> Iterator[AccessLog]:
    """The access lines logged during the test."""
    handler = AccessLog()
    logger = logging.getLogger("downloads_api.access")
    logger.addHandler(handler)
    # Another test's logging.config.dictConfig (uvicorn's, in-process) may have disabled it.
    level, disabled = logger.level, logger.disabled
    logger.setLevel(logging.INFO)  # (setLevel, unlike assigning, clears the level cache)
    logger.disabled = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.disabled = disabled
