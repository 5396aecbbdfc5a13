"""`downloads-api check` against a correct database, one missing a column, and a
connection that could write."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import fixtures
from app.settings import VARIABLES, Settings
from tests.conftest import SERVER_URL, on_driver, root
from tests.served import DOWNLOADS_API, ROOT

READER, PASSWORD = f"dlapi_reader_{uuid.uuid4().hex[:8]}", "reader-password"


@contextmanager
def database_user(name: str) -> Iterator[str]:
    """A user with no grant yet, dropped afterwards."""
    with root().cursor() as cursor:
        cursor.execute(f"CREATE USER '{name}'@'%' IDENTIFIED BY '{PASSWORD}'")
    try:
        yield name
    finally:
        with root().cursor() as cursor:
            cursor.execute(f"DROP USER '{name}'@'%'")


@pytest.fixture(scope="module")
def reader() -> Iterator[str]:
    """A user that may only read, as the README tells operators to create."""
    with database_user(READER) as name:
        yield name


def grant_read(database: str) -> None:
    with root().cursor() as cursor:
        cursor.execute(f"GRANT SELECT ON `{database}`.* TO '{READER}'@'%'")


def run_check(url: str, settings: Settings) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    environment |= {"DATABASE_URL": url, "SOURCE": settings.source}
    return subprocess.run(
        [DOWNLOADS_API, "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def as_user(user: str, database_url: str) -> str:
    return database_url.replace("root@", f"{user}:{PASSWORD}@", 1)


def as_reader(database_url: str) -> str:
    return as_user(READER, database_url)


def test_correct_database_read_only_user(
    reader: str, database_url: str, settings: Settings
) -> None:
    grant_read(database_url.rsplit("/", 1)[1])

    result = run_check(as_reader(database_url), settings)

    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "no problems found"
    assert "FAIL" not in result.stdout
    assert "the user can only read" in result.stdout
    expected = (
        "sees 1017 purchases, 5 customers"
        if settings.source == "bagisto"
        else "sees 1017 purchases, 4 customers with purchases"
    )
    assert expected in result.stdout
    assert PASSWORD not in result.stdout
    assert (
        "  ok    settings other than DATABASE_URL: all at their defaults"
        if settings.source == "bagisto"
        else "  ok    settings other than DATABASE_URL: SOURCE=magento (the rest at their defaults)"
    ) in result.stdout.splitlines()


def test_a_missing_column_is_named(reader: str, settings: Settings) -> None:
    name = f"downloads_api_check_{uuid.uuid4().hex[:8]}"
    table, column = {
        "bagisto": ("downloadable_link_purchased", "download_canceled"),
        "magento": ("downloadable_link_purchased_item", "link_hash"),
    }[settings.source]
    with root().cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}`")
    try:
        fixtures.load(f"{SERVER_URL}/{name}", settings.source)
        with root().cursor() as cursor:
            cursor.execute(f"ALTER TABLE `{name}`.`{table}` DROP COLUMN `{column}`")
        grant_read(name)

        result = run_check(as_reader(f"{SERVER_URL}/{name}"), settings)
    finally:
        with root().cursor() as cursor:
            cursor.execute(f"DROP DATABASE `{name}`")

    assert result.returncode == 1
    assert f"  FAIL  {table}.{column} is missing" in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1] == "1 problem(s) found"


def test_a_connection_that_could_write_is_a_problem(database_url: str, settings: Settings) -> None:
    result = run_check(database_url, settings)  # as root

    assert result.returncode == 1
    assert "FAIL  the database user may also" in result.stdout
    assert "DELETE" in result.stdout and "INSERT" in result.stdout and "UPDATE" in result.stdout


def test_an_unreachable_database_is_a_problem(settings: Settings) -> None:
    result = run_check(on_driver("mysql://someone:hunter2@127.0.0.1:9/shop"), settings)

    assert result.returncode == 1
    assert (
        "  FAIL  nothing answers at 127.0.0.1:9 (MySQL error 2003): is the database server running"
        in result.stdout
    )
    assert "hunter2" not in result.stdout


def test_the_embedded_demo_passes(settings: Settings) -> None:
    environment = {k: v for k, v in os.environ.items() if k not in VARIABLES} | {
        "SOURCE": settings.source
    }

    result = subprocess.run(
        [DOWNLOADS_API, "check", "--demo"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout
    assert (
        result.stdout.splitlines()[0]
        == f"downloads-api check: {settings.source} tables in the embedded demo database"
    )


@pytest.fixture
def stranger() -> Iterator[str]:
    """A user of its own for one test, with no grant yet."""
    with database_user(f"dlapi_stranger_{uuid.uuid4().hex[:8]}") as name:
        yield name


def test_a_misspelled_database_is_told_from_a_missing_grant(
    stranger: str, database_url: str, settings: Settings
) -> None:
    name = database_url.rsplit("/", 1)[1]
    misspelled = database_url[:-1] + ("x" if not database_url.endswith("x") else "y")

    ungranted = run_check(as_user(stranger, misspelled), settings)
    with root().cursor() as cursor:
        cursor.execute(f"GRANT SELECT ON `{name}`.* TO '{stranger}'@'%'")
    granted = run_check(as_user(stranger, misspelled), settings)

    assert ungranted.returncode == granted.returncode == 1
    assert "or there is none of that name" in ungranted.stdout.splitlines()[1]
    assert granted.stdout.splitlines()[1] == (
        f"  FAIL  the user has no grant on a database {misspelled.rsplit('/', 1)[1]!r}, but has"
        f" on {name!r}: is the name at the end of DATABASE_URL misspelled?"
    )


def test_a_partial_column_grant_is_called_what_it_is(
    stranger: str, database_url: str, settings: Settings
) -> None:
    from app.sources import SOURCES

    name = database_url.rsplit("/", 1)[1]
    first, *others = SOURCES[settings.source].tables
    with root().cursor() as cursor:
        for table in others:
            cursor.execute(f"GRANT SELECT ON `{name}`.`{table.name}` TO '{stranger}'@'%'")
        column = next(iter(first.columns)).name
        cursor.execute(f"GRANT SELECT (`{column}`) ON `{name}`.`{first.name}` TO '{stranger}'@'%'")

    result = run_check(as_user(stranger, database_url), settings)

    ungranted = ", ".join(c.name for c in first.columns if c.name != column)
    assert result.stdout.splitlines()[1] == (
        f"  FAIL  table {first.name} is granted column by column, without {ungranted}:"
        f" GRANT SELECT ON {first.name} (the whole table) to the service's user"
    )


def test_the_likeliest_cause_comes_first(database_url: str, settings: Settings) -> None:
    other = "magento" if settings.source == "bagisto" else "bagisto"

    result = run_check(database_url, Settings(database_url=database_url, source=other))

    lines = result.stdout.splitlines()
    assert (
        lines[1]
        == f"  FAIL  this looks like a {settings.source} database: set SOURCE={settings.source}"
    )
    assert lines[2].startswith(f"  FAIL  none of the {other} tables can be read")


@pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")
def test_the_key_count_agrees_with_the_table(database_url: str, settings: Settings) -> None:
    with root().cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM `{database_url.rsplit('/', 1)[1]}`.storefront_keys")
        (keys,) = cursor.fetchone()

    result = run_check(database_url, settings)

    assert f", {keys} storefront keys" in result.stdout


@pytest.mark.parametrize("source", ["magento"], indirect=True, scope="session")
def test_store_views_are_listed_with_the_base_their_links_use(
    reader: str, settings: Settings
) -> None:
    name = f"downloads_api_check_{uuid.uuid4().hex[:8]}"
    with root().cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}`")
    try:
        fixtures.load(f"{SERVER_URL}/{name}", "magento")
        with root().cursor() as cursor:
            cursor.execute(
                f"INSERT INTO `{name}`.core_config_data (scope, scope_id, path, value)"
                " VALUES ('stores', 3, 'web/secure/base_link_url', '')"
            )
        grant_read(name)

        result = run_check(as_reader(f"{SERVER_URL}/{name}"), settings)
    finally:
        with root().cursor() as cursor:
            cursor.execute(f"DROP DATABASE `{name}`")

    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert [line for line in lines if "store view" in line] == [
        "  note  PUBLIC_BASE_URL is not set: the download links of store views whose"
        " configuration sets no base URL will point at this service, not at the shop",
        "  ok    store view default (default): links on <the request's base URL>/",
        "  ok    store view fr (active): links on https://fr.shop.example.com/index.php/fr/",
        "  ok    store view archive (inactive): links on <the request's base URL>/",
        "  note  store view archive: web/secure/base_link_url resolves to nothing; its links"
        " are built on PUBLIC_BASE_URL (or the request's own base URL)",
    ]
