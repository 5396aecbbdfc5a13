"""`downloads-api check` against a correct database, one missing a column, and a
connection that could write."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator

import pymysql
import pytest

import fixtures
from app.settings import VARIABLES, Settings
from fixtures import bagisto, magento
from tests.conftest import SERVER_URL
from tests.live import DOWNLOADS_API, ROOT

READER, PASSWORD = f"dlapi_reader_{uuid.uuid4().hex[:8]}", "reader-password"


def root() -> pymysql.Connection:
    return pymysql.connect(host="127.0.0.1", port=3306, user="root", autocommit=True)


@pytest.fixture(scope="module")
def reader() -> Iterator[str]:
    """A user that may only read, as the README tells operators to create."""
    with root().cursor() as cursor:
        cursor.execute(f"CREATE USER '{READER}'@'%' IDENTIFIED BY '{PASSWORD}'")
    try:
        yield READER
    finally:
        with root().cursor() as cursor:
            cursor.execute(f"DROP USER '{READER}'@'%'")


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


def as_reader(database_url: str) -> str:
    return database_url.replace("root@", f"{READER}:{PASSWORD}@", 1)


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
    result = run_check("mysql://someone:hunter2@127.0.0.1:9/shop", settings)

    assert result.returncode == 1
    assert "cannot connect" in result.stdout
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


def test_demo_modules_agree_with_the_sources_tables() -> None:
    # The check reads `source.tables`; the fixtures must create every one of those columns.
    from app.sources.bagisto import BagistoSource
    from app.sources.magento import MagentoSource

    for source, module in ((BagistoSource, bagisto), (MagentoSource, magento)):
        for table in source.tables:
            created = module.metadata.tables[table.name]
            assert {c.name for c in table.columns} <= {c.name for c in created.columns}
