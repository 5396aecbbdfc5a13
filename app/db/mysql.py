"""MySQL and MariaDB: compiled SQL straight to the driver the URL names (asyncmy or
aiomysql), on connections `databases` pools."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import databases

from app.db.base import Database, DatabaseUnavailable, Prepared, Query, Read, compile_for_mysql
from app.db.drivers import MySQLDriver
from app.db.mysql_errors import STALE_CONNECTION_CODES, unavailable

T = TypeVar("T")

# Rows read and converted between two turns of the event loop.
CHUNK = 500
# A timer that fires this much past its time means the event loop was busy, not idle.
_STALLED = 0.1


def mysql_session_init(statement_timeout: float | None = None) -> str:
    """What every MySQL/MariaDB connection the pool opens runs first.

    The service never writes, and timestamps are read as UTC (docs/behaviour.md §1, §7). MariaDB
    before 11.1 only knows `tx_read_only`, MySQL 8 only `transaction_read_only`; the
    statement time limit is `max_statement_time` (seconds) on MariaDB and
    `max_execution_time` (milliseconds) on MySQL. Executable comments pick the right one:
    MariaDB runs /*M! */ and skips MySQL-only /*!50720 */ comments, MySQL the opposite.
    """
    sql = (
        "SET time_zone = '+00:00' /*M!, tx_read_only = 1 */ /*!50720 , transaction_read_only = 1 */"
    )
    if statement_timeout:
        sql += (
            f" /*M!, max_statement_time = {statement_timeout:g} */"
            f" /*!50708 , max_execution_time = {round(statement_timeout * 1000)} */"
        )
    return sql


MYSQL_SESSION_INIT = mysql_session_init()

# The drivers a URL may name (mysql+aiomysql://, mysql+asyncmy://), and the one plain
# mysql:// means: chosen by measurement (docs/deploy.md).
DRIVERS = ("aiomysql", "asyncmy")
DEFAULT_DRIVER = "asyncmy"


def load_driver(name: str) -> MySQLDriver:
    """A driver by its name, imported on first use: a process imports only the one its
    URLs name (each holds a few MB of a worker's memory)."""
    if name == "asyncmy":
        from app.db.asyncmy_driver import ASYNCMY

        return ASYNCMY
    if name == "aiomysql":
        from app.db.aiomysql_driver import AIOMYSQL

        return AIOMYSQL
    raise ValueError(f"no MySQL driver named {name!r}")


def driver_name(url: str) -> str:
    """The name of the driver a MySQL URL's scheme names: mysql+NAME://, or the default for
    mysql://; nothing is imported."""
    scheme = url.partition("://")[0].lower()
    name = DEFAULT_DRIVER if scheme == "mysql" else scheme.removeprefix("mysql+")
    if name not in DRIVERS:
        schemes = ", ".join(["mysql", *(f"mysql+{known}" for known in DRIVERS)])
        raise ValueError(f"{scheme}:// names no MySQL driver the service has ({schemes})")
    return name


def driver_for(url: str) -> MySQLDriver:
    """The driver a MySQL URL's scheme names: mysql+NAME://, or the default for mysql://."""
    return load_driver(driver_name(url))


# Connections a pool holds at most when the URL does not say (`?max_size=`): both
# drivers' own default.
POOL_SIZE = 10


class MySQLDatabase(Database):
    system = "mysql"
    retry_codes = STALE_CONNECTION_CODES

    def __init__(
        self, url: str, *, connect_timeout: float = 5.0, statement_timeout: float | None = None
    ) -> None:
        self.driver = driver_for(url)
        pool_url = f"{self.driver.pool_scheme}://{url.partition('://')[2]}"
        options: dict[str, Any] = {}
        given = databases.DatabaseURL(pool_url).options
        if "min_size" not in given:
            # Open no connection at start: the service starts while the database
            # is down, answers 503 meanwhile and recovers by itself.
            options["min_size"] = 0
        if "max_size" not in given:
            options["max_size"] = POOL_SIZE
        pool_size = int(given.get("max_size", POOL_SIZE))
        self._prepares = self.driver.prepared_statements > 0
        if self._prepares:  # asyncmy's statement cache
            options["stmt_cache_size"] = self.driver.prepared_statements
        pool = databases.Database(
            pool_url,
            init_command=mysql_session_init(statement_timeout),
            conv=self.driver.conversions,
            charset="utf8mb4",
            connect_timeout=connect_timeout,
            **options,
        )
        super().__init__(
            url,
            pool,
            connect_timeout=connect_timeout,
            statement_timeout=statement_timeout,
            pool_size=pool_size,
        )

    def sql_text(self, query: Query) -> str:
        return query.mysql()[0] if isinstance(query, Prepared) else compile_for_mysql(query)[0]

    def _unavailable(self, error: Exception) -> DatabaseUnavailable | None:
        return unavailable(self.driver, error) or super()._unavailable(error)

    async def _fetch(
        self, connection: databases.core.Connection, read: Read, limit: asyncio.Timeout
    ) -> list[Any]:
        raw = connection.raw_connection
        try:
            return await _Driver(raw, limit, self.client_timeout, self._prepares).run(read)
        except asyncio.CancelledError:
            # Given up on (its time limit, or the request's end) while the server may still
            # be sending half a reply: never hand this connection back.
            raw.close()
            raise


class _Driver:
    """The compiled SQL straight to the driver's cursor (both drivers' cursors speak
    PyMySQL's interface). `databases` would compile the statement again and wrap every
    row, which costs more than the query itself.

    A `Prepared` statement goes with its values in a tuple when the driver prepares
    statements (`MySQLDriver.prepared_statements`): asyncmy then prepares it on the
    connection once and afterwards sends only the values. A one-off statement, whose
    text may differ each time (its IN lists written out), always goes as text.

    The whole result is read as the server sends it (the driver waits on the socket
    between packets, so other requests run meanwhile, and the server is never kept
    waiting on us: its statement time limit measures the statement), then converted a
    chunk at a time with the event loop free in between. The wait for the server has a
    time limit that a busy event loop cannot trip (`server_wait`).
    """

    def __init__(
        self, raw: Any, limit: asyncio.Timeout, seconds: float | None, prepares: bool
    ) -> None:
        self.raw = raw
        self.limit = limit
        self.seconds = seconds
        self.prepares = prepares

    async def run(self, read: Read) -> list[Any]:
        query, values, into = read.query, read.values, read.into
        parameters: dict[str, Any] | tuple[Any, ...] | None
        if isinstance(query, Prepared) and self.prepares:
            sql, order, defaults = query.positional()
            given = {**defaults, **values}
            parameters = tuple([given[name] for name in order])
        else:
            if isinstance(query, Prepared):
                sql, defaults = query.mysql()
            else:  # a one-off statement: its IN lists can be written into the SQL
                sql, defaults = compile_for_mysql(query, render_postcompile=True)
            parameters = {**defaults, **values} if defaults or values else None
        async with self.raw.cursor() as cursor:
            if self.seconds is None:
                await cursor.execute(sql, parameters)
            else:
                await server_wait(self.limit, self.seconds, cursor.execute(sql, parameters))
            names = [column[0] for column in cursor.description or ()]
            rows = await (cursor.fetchmany(1) if read.how == "one" else cursor.fetchall())
        records: list[Any] = []
        for start in range(0, len(rows), CHUNK):
            if start:
                await asyncio.sleep(0)
            chunk = rows[start : start + CHUNK]
            records += [into(dict(zip(names, row, strict=True))) for row in chunk]
        return records


async def server_wait(limit: asyncio.Timeout, seconds: float, awaitable: Awaitable[T]) -> T:
    """`awaitable`, given `seconds` by `limit` (an `asyncio.timeout` the caller is in, with
    no deadline of its own meanwhile), by a deadline a busy event loop cannot trip: if the
    loop was held up past the deadline (its timer fired late), the answer may be sitting
    unread, so the deadline is looked at again a moment later, once the loop has caught up
    (not a whole wait later: a frozen server would then cost twice the time limit under
    load); otherwise the timeout takes effect one loop pass later, after any answer
    already received has been read."""
    deadline = _Deadline(limit, seconds)
    try:
        return await awaitable
    finally:
        deadline.cancel()


class _Deadline:
    """The timer of `server_wait`. A class rather than a closure that reschedules
    itself: such a closure is a reference cycle, which would keep every statement's timeout
    and the task it belongs to until the cyclic collector came round."""

    __slots__ = ("_handle", "_limit", "_loop")

    def __init__(self, limit: asyncio.Timeout, seconds: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._limit = limit
        self._handle: asyncio.TimerHandle | None = None
        self._at(self._loop.time() + seconds)

    def _at(self, due: float) -> None:
        self._handle = self._loop.call_at(due, self._expire, due)

    def _expire(self, due: float) -> None:
        now = self._loop.time()
        if now - due > _STALLED:
            self._at(now + _STALLED)
        else:
            self._limit.reschedule(now)

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None  # the handle holds this object's method: no cycle is left
