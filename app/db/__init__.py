"""The one package that talks to `databases` and its drivers.

`databases` is barely maintained; keeping every call to it here means it can be
replaced by SQLAlchemy's async engine without touching the sources.
"""

from __future__ import annotations

from typing import Any

from app.db.base import Database, DatabaseUnavailable, Prepared, Query, Reads, Row, probe
from app.db.mysql import MYSQL_SESSION_INIT, MySQLDatabase, driver_name, mysql_session_init
from app.db.mysql_errors import MISCONFIGURED, MISSING, NOT_GRANTED
from app.db.replica import ReplicaReads
from app.db.sqlite import SQLiteDatabase

__all__ = [
    "MISCONFIGURED",
    "MISSING",
    "MYSQL_SESSION_INIT",
    "NOT_GRANTED",
    "Database",
    "DatabaseUnavailable",
    "Prepared",
    "Query",
    "Reads",
    "ReplicaReads",
    "Row",
    "database_at",
    "driver_name",
    "mysql_session_init",
    "probe",
]


def database_at(
    url: str, *, connect_timeout: float = 5.0, statement_timeout: float | None = None
) -> Database:
    """The database at `url`: SQLite (`sqlite://`, the embedded demo) or MySQL/MariaDB
    on the driver the scheme names (`mysql+asyncmy://`, `mysql+aiomysql://`; `mysql://`
    the default, `app.db.mysql.DEFAULT_DRIVER`). Nothing is opened until `connect()`."""
    if url.startswith("sqlite"):
        return SQLiteDatabase(
            url, connect_timeout=connect_timeout, statement_timeout=statement_timeout
        )
    return MySQLDatabase(url, connect_timeout=connect_timeout, statement_timeout=statement_timeout)


def __getattr__(name: str) -> Any:
    """`CONVERSIONS`: aiomysql's decoders, which the bench's floor opens its pool with;
    imported only when asked for, as the drivers are (`app.db.mysql.load_driver`)."""
    if name == "CONVERSIONS":
        from app.db.aiomysql_driver import CONVERSIONS

        return CONVERSIONS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
