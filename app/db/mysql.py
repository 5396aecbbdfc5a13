"""MySQL and MariaDB: compiled SQL straight to aiomysql, on connections `databases` pools."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager
from datetime import datetime
from typing import Any, TypeVar

import aiomysql
import aiomysql.pool
import databases
import pymysql
from pymysql.constants import FIELD_TYPE
from pymysql.converters import convert_datetime

from app.db.base import Database, DatabaseUnavailable, Prepared, Query, Read, compile_for_mysql

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


def _utc_timestamp(text: str) -> datetime | str:
    """A DATETIME or TIMESTAMP value, as an aware UTC datetime: the session's time zone is
    UTC. `fromisoformat` reads one in C, some 15 times faster than pymysql's regular
    expression, and a page reads four a row. What it refuses (MySQL's zero dates) is read
    as pymysql reads it."""
    try:
        return datetime.fromisoformat(text + "+00:00")
    except ValueError:
        return convert_datetime(text)  # type: ignore[no-any-return]


# What every connection decodes columns with (the bench's floor uses the same).
CONVERSIONS = {
    **pymysql.converters.conversions,
    FIELD_TYPE.DATETIME: _utc_timestamp,
    FIELD_TYPE.TIMESTAMP: _utc_timestamp,
}

# Server error codes that mean "the database is not there right now" rather than
# "this query is wrong": client-side connection errors (2000-2999), too many
# connections, server shutdown, connection killed, statement time limit reached
# (MariaDB 1969, MySQL 3024).
_UNAVAILABLE_CODES = frozenset({1040, 1053, 1927, 1969, 3024})
# Codes that mean "this user cannot serve this source from this database": a
# misconfiguration, which clients see as the database being unavailable (docs/behaviour.md §7)
# and the log and `downloads-api check` name.
MISCONFIGURED = {
    1044: "the user may not use this database",
    1045: "the server refused the user name or password",
    1049: "the database does not exist",
    1142: "a table the service reads is not granted to the user",
    1143: "a column the service reads is not granted to the user",
    1146: "a table the service reads is missing",
    1054: "a column the service reads is missing",
}
# Of those, the refusals whose message names a table or column.
NOT_GRANTED = frozenset({1142, 1143})
MISSING = frozenset({1146, 1054})
# The table or column a server's message names: "for table `shop`.`orders`" (MariaDB),
# "for table 'orders'" (MySQL), "for column 'status' in table 'orders'", "Table 'shop.orders'
# doesn't exist", "Unknown column 'status' in 'field list'".
_NAMED = re.compile(r"(column|[Tt]able) [`']([^`']+)[`'](?:\.[`']([^`']+)[`'])?")


def _named(message: str) -> str:
    """What the message names, as "table orders" or "column status, table orders"."""
    return ", ".join(
        f"{kind.lower()} {(second or first).rpartition('.')[2]}"
        for kind, first, second in _NAMED.findall(message)
    )


# A pooled connection the server dropped (restart, wait_timeout): worth one retry.
_STALE_CONNECTION_CODES = frozenset({0, 2006, 2013})


class MySQLDatabase(Database):
    system = "mysql"
    retry_codes = _STALE_CONNECTION_CODES

    def __init__(
        self, url: str, *, connect_timeout: float = 5.0, statement_timeout: float | None = None
    ) -> None:
        pool_url = url.replace("mysql+aiomysql://", "mysql://", 1)
        options: dict[str, Any] = {}
        if "min_size" not in databases.DatabaseURL(pool_url).options:
            # Open no connection at start: the service starts while the database
            # is down, answers 503 meanwhile and recovers by itself.
            options["min_size"] = 0
        pool = databases.Database(
            pool_url,
            init_command=mysql_session_init(statement_timeout),
            conv=CONVERSIONS,
            charset="utf8mb4",
            connect_timeout=connect_timeout,
            **options,
        )
        super().__init__(
            url, pool, connect_timeout=connect_timeout, statement_timeout=statement_timeout
        )

    def sql_text(self, query: Query) -> str:
        return query.mysql()[0] if isinstance(query, Prepared) else compile_for_mysql(query)[0]

    def _driver_errors(self) -> AbstractContextManager[None]:
        return _translate_errors()

    async def _fetch(self, connection: databases.core.Connection, read: Read) -> list[Any]:
        raw = connection.raw_connection
        try:
            return await _Driver(raw, self.client_timeout).run(read)
        except TimeoutError:
            # Half a reply may still be on its way: never hand this one back.
            raw.close()
            raise


async def _connect_in_time(**options: Any) -> Any:
    """aiomysql's `connect` with the whole handshake (greeting, login, the session's first
    statement) under `connect_timeout`: aiomysql times only the TCP connect, so a server
    that accepts and never greets held the pool's lock, and every caller, for ever. One
    given up on, by this deadline or its caller's, is closed: aiomysql leaves the socket
    open when cancelled."""
    connection = aiomysql.Connection(**options)
    try:
        async with asyncio.timeout(connection.connect_timeout):
            await connection._connect()
    except BaseException:
        connection.close()
        raise
    return connection


# The pool opens its connections with the `connect` of its own module.
aiomysql.pool.connect = _connect_in_time


class _Driver:
    """The compiled SQL straight to aiomysql. `databases` would compile the
    statement again and wrap every row, which costs more than the query itself.

    The whole result is read as the server sends it (the driver waits on the socket
    between packets, so other requests run meanwhile, and the server is never kept
    waiting on us: its statement time limit measures the statement), then converted a
    chunk at a time with the event loop free in between. The wait for the server has a
    time limit that a busy event loop cannot trip (`_server_time_limit`).
    """

    def __init__(self, raw: Any, timeout: float | None) -> None:
        self.raw = raw
        self.timeout = timeout

    async def run(self, read: Read) -> list[Any]:
        query, values, into = read.query, read.values, read.into
        if isinstance(query, Prepared):
            sql, defaults = query.mysql()
        else:  # a one-off statement: its IN lists can be written into the SQL
            sql, defaults = compile_for_mysql(query, render_postcompile=True)
        parameters = {**defaults, **values} if defaults or values else None
        async with self.raw.cursor() as cursor:
            await self._wait(cursor.execute(sql, parameters))
            names = [column[0] for column in cursor.description or ()]
            rows = await (cursor.fetchmany(1) if read.how == "one" else cursor.fetchall())
        records: list[Any] = []
        for start in range(0, len(rows), CHUNK):
            if start:
                await asyncio.sleep(0)
            chunk = rows[start : start + CHUNK]
            records += [into(dict(zip(names, row, strict=True))) for row in chunk]
        return records

    async def _wait(self, awaitable: Awaitable[T]) -> T:
        if self.timeout is None:
            return await awaitable
        async with _server_time_limit(self.timeout):
            return await awaitable


@asynccontextmanager
async def _server_time_limit(seconds: float) -> AsyncIterator[None]:
    """`asyncio.timeout(seconds)` for a wait on the server, which a busy event loop
    cannot trip: if the loop was held up past the deadline (its timer fired late), the
    answer may be sitting unread, so the deadline is looked at again a moment later,
    once the loop has caught up (not a whole wait later: a frozen server would then cost
    twice the time limit under load); otherwise the timeout takes effect one loop pass
    later, after any answer already received has been read."""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(None) as limit:
        handle: asyncio.TimerHandle

        def expire(due: float) -> None:
            nonlocal handle
            now = loop.time()
            if now - due > _STALLED:
                handle = loop.call_at(now + _STALLED, expire, now + _STALLED)
            else:
                limit.reschedule(now)

        due = loop.time() + seconds
        handle = loop.call_at(due, expire, due)
        try:
            yield
        finally:
            handle.cancel()


def _code(error: BaseException | None) -> int | None:
    if isinstance(error, pymysql.err.MySQLError) and error.args and isinstance(error.args[0], int):
        return error.args[0]
    return None


@contextmanager
def _translate_errors() -> Iterator[None]:
    try:
        yield
    except pymysql.err.MySQLError as exc:
        code = _code(exc)
        if code in MISCONFIGURED:
            named = (
                _named(str(exc.args[1]))
                if len(exc.args) > 1 and code in NOT_GRANTED | MISSING
                else ""
            )
            detail = f"{MISCONFIGURED[code]}: {named}" if named else MISCONFIGURED[code]
            raise DatabaseUnavailable(f"MySQL error {code}: {detail}", code) from exc
        if not isinstance(exc, pymysql.err.OperationalError | pymysql.err.InterfaceError):
            raise
        if code is None or code >= 2000 or code in _UNAVAILABLE_CODES or code == 0:
            raise DatabaseUnavailable(f"MySQL error {code}", code) from exc
        raise
