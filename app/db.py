"""The one module that talks to `databases`.

`databases` is barely maintained; keeping every call to it here means it can be
replaced by SQLAlchemy's async engine without touching the sources.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import databases
import pymysql
import sqlalchemy as sa
from sqlalchemy.sql import ClauseElement

Row = Mapping[str, Any]

# Set on every MySQL/MariaDB connection the pool opens. The service never writes,
# and timestamps are read as UTC (contract §1, §7). MariaDB before 11.1 only knows
# `tx_read_only`, MySQL 8 only `transaction_read_only`: the executable comments pick
# the right one (MariaDB runs /*M! */ and skips MySQL-only /*!50720 */ comments;
# MySQL does the opposite).
MYSQL_SESSION_INIT = (
    "SET time_zone = '+00:00' /*M!, tx_read_only = 1 */ /*!50720 , transaction_read_only = 1 */"
)

# Server error codes that mean "the database is not there right now" rather than
# "this query is wrong": client-side connection errors (2000-2999), too many
# connections, server shutdown, connection killed.
_UNAVAILABLE_CODES = frozenset({1040, 1053, 1927})


class DatabaseUnavailable(Exception):
    """The database cannot be reached; the request may succeed later."""


class Database:
    def __init__(self, url: str, *, connect_timeout: float = 5.0) -> None:
        self.url = url
        self.statements = 0  # statements sent since start; tests count them per request
        if url.startswith("sqlite"):
            self._database = databases.Database(url, uri=True)
        else:
            url = url.replace("mysql+aiomysql://", "mysql://", 1)
            options: dict[str, Any] = {}
            if "min_size" not in databases.DatabaseURL(url).options:
                # Open no connection at start: the service starts while the database
                # is down, answers 503 meanwhile and recovers by itself.
                options["min_size"] = 0
            self._database = databases.Database(
                url,
                init_command=MYSQL_SESSION_INIT,
                charset="utf8mb4",
                connect_timeout=connect_timeout,
                **options,
            )

    async def connect(self) -> None:
        with _translate_errors():
            await self._database.connect()

    async def disconnect(self) -> None:
        await self._database.disconnect()

    async def ping(self) -> None:
        await self.fetch_value(sa.select(1))

    async def fetch_all(self, query: ClauseElement) -> Sequence[Row]:
        self.statements += 1
        with _translate_errors():
            rows = await self._database.fetch_all(query)
        return [row._mapping for row in rows]

    async def fetch_one(self, query: ClauseElement) -> Row | None:
        self.statements += 1
        with _translate_errors():
            row = await self._database.fetch_one(query)
        return None if row is None else row._mapping

    async def fetch_value(self, query: ClauseElement) -> Any:
        self.statements += 1
        with _translate_errors():
            return await self._database.fetch_val(query)

    async def execute(self, query: ClauseElement | str) -> Any:
        """Run a statement as is. The service itself never calls this: it exists so the
        tests can prove the session refuses writes."""
        self.statements += 1
        with _translate_errors():
            return await self._database.execute(query)


@contextmanager
def _translate_errors() -> Iterator[None]:
    try:
        yield
    except (TimeoutError, OSError) as exc:
        raise DatabaseUnavailable(type(exc).__name__) from exc
    except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as exc:
        code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else 2000
        if code >= 2000 or code in _UNAVAILABLE_CODES:
            raise DatabaseUnavailable(f"MySQL error {code}") from exc
        raise
