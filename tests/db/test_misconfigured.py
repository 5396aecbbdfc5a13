"""A database this user cannot serve from (wrong password, unknown database, a table
not granted) is "unavailable" on every path, on /ready and in `check`: never a 500, and
never a word of why to the client (docs/behaviour.md §7)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest
from starlette.testclient import TestClient

from app.settings import Settings
from app.sources import SOURCES
from tests.conftest import on_driver, root
from tests.db.test_check import run_check
from tests.helpers import app_client, storefront_headers

USER, PASSWORD = f"dlapi_partial_{uuid.uuid4().hex[:8]}", "partial-password"
# The table each source reads on every purchase list, left ungranted.
UNGRANTED = {"bagisto": "orders", "magento": "sales_order"}
MAGENTO_LIST = "{ customerDownloadableProducts { items { status } } }"
BAGISTO_LIST = "{ customerDownloadableProducts { edges { node { _id } } } }"
UNAVAILABLE = "The service is temporarily unavailable. Please try again later."


@pytest.fixture(scope="module")
def partial_url(database_url: str, source: str) -> Iterator[str]:
    """A user granted every table the source reads but one."""
    database = database_url.rsplit("/", 1)[1]
    with root().cursor() as cursor:
        cursor.execute(f"CREATE USER '{USER}'@'%' IDENTIFIED BY '{PASSWORD}'")
        for table in SOURCES[source].tables:
            if table.name != UNGRANTED[source]:
                cursor.execute(f"GRANT SELECT ON `{database}`.`{table.name}` TO '{USER}'@'%'")
    try:
        yield database_url.replace("root@", f"{USER}:{PASSWORD}@", 1)
    finally:
        with root().cursor() as cursor:
            cursor.execute(f"DROP USER '{USER}'@'%'")


def misconfigured(kind: str, database_url: str, partial_url: str) -> str:
    return {
        "wrong-password": database_url.replace("root@", "root:not-the-password@", 1),
        "unknown-database": database_url.rsplit("/", 1)[0] + "/no_such_database_here",
        "missing-grant": partial_url,
    }[kind]


KINDS = ["wrong-password", "unknown-database", "missing-grant"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_path_answers_503_and_says_nothing_of_why(
    kind: str,
    make_client: Callable[..., TestClient],
    database_url: str,
    partial_url: str,
    demo: ModuleType,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = make_client(database_url=misconfigured(kind, database_url, partial_url))
    headers = storefront_headers(demo, demo.JANE_TOKEN)

    magento = client.post("/graphql", json={"query": MAGENTO_LIST}, headers=headers)
    bagisto = client.post("/api/graphql", json={"query": BAGISTO_LIST}, headers=headers)
    rest = client.get("/api/shop/customer-downloadable-products", headers=headers)

    assert (magento.status_code, bagisto.status_code, rest.status_code) == (503, 503, 503)
    assert magento.json()["errors"][0]["message"] == UNAVAILABLE
    assert magento.json()["errors"][0]["extensions"] == {"category": "graphql-unavailable"}
    assert bagisto.json()["errors"][0]["extensions"] == {"status": 503}
    assert rest.json() == {
        "type": "/errors/503",
        "title": "Service Unavailable",
        "status": 503,
        "detail": UNAVAILABLE,
    }
    for response in (magento, bagisto, rest):
        for secret in (b"1045", b"1049", b"1142", b"not-the-password", b"no_such", b"orders"):
            assert secret not in response.content
    assert any("MySQL error 1" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("kind", KINDS)
def test_ready_says_503(
    kind: str, make_client: Callable[..., TestClient], database_url: str, partial_url: str
) -> None:
    client = make_client(database_url=misconfigured(kind, database_url, partial_url))

    assert client.get("/health").status_code == 200
    assert client.get("/ready").status_code == 503


def test_ready_proves_every_table_can_be_read(
    make_client: Callable[..., TestClient], partial_url: str, database_url: str
) -> None:
    assert make_client(database_url=database_url).get("/ready").status_code == 200
    # The partial user connects and answers `SELECT 1`: only reading the tables shows it.
    assert make_client(database_url=partial_url).get("/ready").status_code == 503


@pytest.mark.parametrize(
    ("kind", "line"),
    [
        ("wrong-password", "the server refused the user name or password: check DATABASE_URL's credentials"),
        ("unknown-database", "the server has no database 'no_such_database_here': check the name at the end of DATABASE_URL"),
    ],
)  # fmt: skip
def test_check_says_in_one_line_why_it_cannot_connect(
    kind: str, line: str, database_url: str, partial_url: str, settings: Settings
) -> None:
    result = run_check(misconfigured(kind, database_url, partial_url), settings)

    assert result.returncode == 1
    assert result.stdout.splitlines()[1:] == [f"  FAIL  {line}", "1 problem(s) found"]
    assert "Traceback" not in result.stdout + result.stderr
    assert "not-the-password" not in result.stdout


def test_check_tells_a_table_not_granted_from_a_missing_one(
    partial_url: str, settings: Settings, source: str
) -> None:
    result = run_check(partial_url, settings)

    table = UNGRANTED[source]
    assert result.returncode == 1
    assert (
        f"  FAIL  table {table} cannot be read: it is not granted to the user, or missing (the"
        f" user cannot tell which): GRANT SELECT ON {table} to the service's user"
    ) == result.stdout.splitlines()[1]
    assert "is missing" not in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert " sees " in result.stdout  # it still counts what it can


def test_check_suggests_the_other_source(database_url: str, settings: Settings) -> None:
    other = "magento" if settings.source == "bagisto" else "bagisto"
    wrong = Settings(database_url=database_url, source=other)

    result = run_check(database_url, wrong)

    assert result.returncode == 1
    assert (
        f"  FAIL  this looks like a {settings.source} database: set SOURCE={settings.source}"
        in result.stdout.splitlines()
    )


@pytest.mark.parametrize(
    ("kind", "line"),
    [
        ("wrong-password", "the server refused the user name or password: check DATABASE_URL's credentials"),
        ("unknown-database", "the server has no database 'no_such_database_here': check the name at the end of DATABASE_URL"),
        ("missing-grant", "table {table} cannot be read: it is not granted to the user, or missing (the user cannot tell which): GRANT SELECT ON {table} to the service's user"),
        ("stopped", "nothing answers at 127.0.0.1:9 (MySQL error 2003): is the database server running, and are the host and port in DATABASE_URL right?"),
    ],
)  # fmt: skip
def test_start_up_says_once_what_is_wrong_in_checks_words(
    kind: str,
    line: str,
    settings: Settings,
    database_url: str,
    partial_url: str,
    source: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = (
        on_driver("mysql://root@127.0.0.1:9/shop")
        if kind == "stopped"
        else misconfigured(kind, database_url, partial_url)
    )
    with app_client(settings, database_url=url) as client:
        client.get("/health")

    said = [r.getMessage() for r in caplog.records if "cannot be served" in r.getMessage()]
    assert len(said) == 1
    assert said[0].endswith(": " + line.format(table=UNGRANTED[source]))


def test_a_grant_refused_on_a_request_is_logged_with_its_table(
    make_client: Callable[..., TestClient],
    partial_url: str,
    demo: ModuleType,
    source: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = make_client(database_url=partial_url)
    client.post(
        "/graphql",
        json={"query": MAGENTO_LIST},
        headers=storefront_headers(demo, demo.JANE_TOKEN),
    )

    assert any(
        r.getMessage().endswith(f"not granted to the user: table {UNGRANTED[source]}")
        for r in caplog.records
    ), [r.getMessage() for r in caplog.records]
