"""(Re)create the bench database, load the dataset in bulk, create the bench users."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pymysql

import fixtures
from bench.config import BENCH_PASSWORD, DATABASE, USERS, server_url
from bench.dataset import Dataset, Row
from fixtures.bagisto import metadata

# What the README's least-privilege grant gives the service; the floor and the peer get the same.
READ_TABLES = (
    "downloadable_link_purchased",
    "orders",
    "customers",
    "personal_access_tokens",
    "storefront_keys",
)
ROWS_PER_STATEMENT = 2_000


def connect(database: str | None = None) -> pymysql.Connection:
    """A root (or BENCH_MARIADB_URL user) connection to the server, autocommit on."""
    url = server_url()
    return pymysql.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        database=database,
        charset="utf8mb4",
        autocommit=True,
        init_command="SET time_zone = '+00:00'",
        connect_timeout=5,
    )


@dataclass(frozen=True)
class SeedReport:
    seconds: float
    rows: dict[str, int]


def database_exists() -> bool:
    with connect() as connection, connection.cursor() as cursor:
        cursor.execute("SHOW DATABASES LIKE %s", (DATABASE,))
        return cursor.fetchone() is not None


def seed(data: Dataset) -> SeedReport:
    started = time.perf_counter()
    with connect() as connection, connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{DATABASE}`")
        cursor.execute(f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4")
    engine = fixtures.engine_for(_sqlalchemy_url())
    try:
        metadata.create_all(engine)  # the tables exactly as fixtures/bagisto.py defines them
    finally:
        engine.dispose()

    with connect(DATABASE) as connection, connection.cursor() as cursor:
        cursor.execute("SET foreign_key_checks = 0, unique_checks = 0")
        connection.begin()
        for table in (t.name for t in metadata.sorted_tables):
            if table in data.rows:
                _insert(cursor, table, data.columns[table], data.rows[table])
        connection.commit()
        cursor.execute("SET foreign_key_checks = 1, unique_checks = 1")
        cursor.execute("ANALYZE TABLE " + ", ".join(f"`{t}`" for t in data.rows))
        cursor.fetchall()
    create_users()
    return SeedReport(
        seconds=time.perf_counter() - started,
        rows={table: len(rows) for table, rows in data.rows.items()},
    )


def create_users() -> None:
    """The service's, the floor's and the peer's users: SELECT on the tables the README
    grants."""
    with connect() as connection, connection.cursor() as cursor:
        for user in USERS.values():
            cursor.execute(f"DROP USER IF EXISTS '{user}'@'%'")
            cursor.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{BENCH_PASSWORD}'")
            for table in READ_TABLES:
                cursor.execute(f"GRANT SELECT ON `{DATABASE}`.`{table}` TO '{user}'@'%'")


def _insert(
    cursor: pymysql.cursors.Cursor, table: str, columns: tuple[str, ...], rows: list[Row]
) -> None:
    # PyMySQL turns an executemany of INSERT ... VALUES into multi-row INSERTs.
    names = ", ".join(f"`{c}`" for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    statement = f"INSERT INTO `{table}` ({names}) VALUES ({marks})"
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        cursor.executemany(statement, rows[start : start + ROWS_PER_STATEMENT])


def _sqlalchemy_url() -> str:
    url = server_url().set(database=DATABASE)
    return url.render_as_string(hide_password=False).replace("mysql+pymysql://", "mysql://", 1)


__all__ = ["SeedReport", "connect", "create_users", "database_exists", "seed"]
