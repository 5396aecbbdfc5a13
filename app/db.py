"""The one module that talks to `databases`.

`databases` is barely maintained; keeping every call to it here means it can be
replaced by SQLAlchemy's async engine without touching the sources.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any, TypeVar

import databases
import pymysql
import sqlalchemy as sa
from sqlalchemy.dialects.mysql import pymysql as pymysql_dialect
from sqlalchemy.sql import ClauseElement

from app.tracing import statement_span

Row = Mapping[str, Any]
T = TypeVar("T")

# Rows read and converted between two turns of the event loop.
CHUNK = 500
# A timer that fires this much past its time means the event loop was busy, not idle.
_STALLED = 0.1


def mysql_session_init(statement_timeout: float | None = None) -> str:
    """What every MySQL/MariaDB connection the pool opens runs first.

    The service never writes, and timestamps are read as UTC (contract §1, §7). MariaDB
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

# Server error codes that mean "the database is not there right now" rather than
# "this query is wrong": client-side connection errors (2000-2999), too many
# connections, server shutdown, connection killed, statement time limit reached
# (MariaDB 1969, MySQL 3024).
_UNAVAILABLE_CODES = frozenset({1040, 1053, 1927, 1969, 3024})
# Codes that mean "this user cannot serve this source from this database": a
# misconfiguration, which clients see as the database being unavailable (contract §7)
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
# A pooled connection the server dropped (restart, wait_timeout): worth one retry.
_STALE_CONNECTION_CODES = frozenset({0, 2006, 2013})


_WRITE_PRIVILEGES = frozenset(
    {"INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "INDEX", "TRIGGER", "REFERENCES"}
)


class DatabaseUnavailable(Exception):
    """The database cannot be reached, did not answer in time, or refuses what this
    service needs from it; the request may succeed later. `code` is the server's error
    code, when there was one."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


_MYSQL = pymysql_dialect.dialect(paramstyle="pyformat")  # %(name)s, for a dict of values


class Prepared:
    """A statement compiled once and run many times with new values for its bind
    parameters: compiling a SELECT costs more than the database takes to answer it.

    Build it from a SQLAlchemy Core statement whose varying values are `sa.bindparam`s,
    and give their values when running it. (No `in_()`: SQLAlchemy expands IN lists when
    it executes, which a statement compiled once cannot do.)
    """

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._mysql: tuple[str, dict[str, Any]] | None = None

    def mysql(self) -> tuple[str, dict[str, Any]]:
        """The SQL for PyMySQL (`%(name)s` placeholders) and the parameters' defaults."""
        if self._mysql is None:
            self._mysql = _compile(self.statement)
        return self._mysql


Query = Prepared | ClauseElement


class Database:
    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float = 5.0,
        statement_timeout: float | None = None,
    ) -> None:
        self.url = url
        self.statements = 0  # statements sent since start; tests count them per request
        self.failures = 0  # statements that found the database unavailable, since start
        # The server cancels a statement at statement_timeout; this client gives up a
        # little later, for a server that does not answer at all.
        self.client_timeout = None if statement_timeout is None else statement_timeout + 1.0
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
                init_command=mysql_session_init(statement_timeout),
                charset="utf8mb4",
                connect_timeout=connect_timeout,
                **options,
            )

    async def connect(self) -> None:
        with _translate_errors():
            await self._database.connect()

    async def disconnect(self) -> None:
        await self._database.disconnect()

    def connections_in_use(self) -> int:
        pool = getattr(self._database._backend, "_pool", None)  # aiomysql's; SQLite has none
        if pool is None or not hasattr(pool, "freesize"):
            return 0
        return pool.size - pool.freesize

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    async def server_version(self) -> str:
        if self.is_sqlite:
            return "SQLite " + str(await self.fetch_value(sa.text("SELECT sqlite_version()")))
        return str(await self.fetch_value(sa.text("SELECT VERSION()")))

    async def columns(self, table: str) -> dict[str, str]:
        """The table's columns and their types as the server names them (lower case);
        empty when there is no such table."""
        if self.is_sqlite:
            query = sa.text("SELECT name, type FROM pragma_table_info(:table)")
        else:
            query = sa.text(
                "SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS"
                " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :table"
            )
        rows = await self.fetch_all(query.bindparams(table=table))
        return {str(row["name"]): str(row["type"]).lower() for row in rows}

    async def write_privileges(self) -> set[str]:
        """What the connection's user may do beyond reading this database, by its grants.
        (The session is read-only whatever they are; the grant is what holds against a bug.)"""
        if self.is_sqlite:
            return set()  # the demo file is opened read-only
        grantee = (
            "CONCAT(\"'\", SUBSTRING_INDEX(CURRENT_USER(), '@', 1), \"'@'\","
            " SUBSTRING_INDEX(CURRENT_USER(), '@', -1), \"'\")"
        )
        query = sa.text(
            f"SELECT PRIVILEGE_TYPE AS privilege FROM information_schema.USER_PRIVILEGES"
            f" WHERE GRANTEE = {grantee}"
            f" UNION SELECT PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES"
            f" WHERE GRANTEE = {grantee} AND TABLE_SCHEMA = DATABASE()"
            f" UNION SELECT PRIVILEGE_TYPE FROM information_schema.TABLE_PRIVILEGES"
            f" WHERE GRANTEE = {grantee} AND TABLE_SCHEMA = DATABASE()"
        )
        granted = {str(row["privilege"]).upper() for row in await self.fetch_all(query)}
        return granted & _WRITE_PRIVILEGES

    async def ping(self) -> None:
        await self.fetch_value(sa.select(1))

    async def fetch_all(self, query: Query, **values: Any) -> Sequence[Row]:
        return await self._run("all", query, values)

    async def fetch_into(self, into: Callable[[Row], T], query: Query, **values: Any) -> list[T]:
        """Every row, each turned into a record by `into` as it arrives: a long result is
        read and converted a chunk at a time, letting other requests run in between."""
        return await self._run("all", query, values, into)

    async def fetch_one(self, query: Query, **values: Any) -> Row | None:
        rows = await self._run("one", query, values)
        return rows[0] if rows else None

    async def fetch_value(self, query: Query, **values: Any) -> Any:
        rows = await self._run("one", query, values)
        return next(iter(rows[0].values())) if rows else None

    async def execute(self, query: Query) -> Any:
        """Run a statement as is. The service itself never calls this: it exists so the
        tests can prove the session refuses writes."""
        return await self._run("execute", query, {})

    async def _run(
        self, how: str, query: Query, values: dict[str, Any], into: Callable[[Row], Any] = dict
    ) -> Any:
        self.statements += 1
        for attempt in (1, 2):
            try:
                with _translate_errors(), statement_span(self, query):  # a span per attempt
                    return await self._on_connection(how, query, values, into)
            except DatabaseUnavailable as error:
                # Reads are safe to repeat: a connection the server dropped while it sat
                # in the pool gets one retry on a fresh one.
                if attempt == 2 or _code(error.__cause__) not in _STALE_CONNECTION_CODES:
                    self.failures += 1
                    raise
        raise AssertionError("unreachable")

    @property
    def system(self) -> str:
        return "sqlite" if self.is_sqlite else "mysql"

    def sql_text(self, query: Query) -> str:
        """The statement's text with placeholders, for a trace (never its values)."""
        if self.is_sqlite:
            return str(query.statement if isinstance(query, Prepared) else query)
        return query.mysql()[0] if isinstance(query, Prepared) else _compile(query)[0]

    async def _on_connection(
        self, how: str, query: Query, values: dict[str, Any], into: Callable[[Row], Any]
    ) -> Any:
        async with self._database.connection() as connection:
            try:
                if self.is_sqlite:
                    async with asyncio.timeout(self.client_timeout):
                        rows = await _through_databases(connection, how, query, values)
                    return rows if rows is None else [into(row) for row in rows]
                driver = _Driver(connection.raw_connection, self.client_timeout)
                return await driver.run(how, query, values, into)
            except TimeoutError:
                # Half a reply may still be on its way: never hand this one back.
                raw = connection.raw_connection
                if raw is not None and hasattr(raw, "close"):
                    raw.close()
                raise


def _compile(statement: ClauseElement, **options: bool) -> tuple[str, dict[str, Any]]:
    compiled = statement.compile(dialect=_MYSQL, compile_kwargs=options)
    return compiled.string, dict(compiled.params)


class _Driver:
    """MySQL/MariaDB: the compiled SQL straight to aiomysql. `databases` would compile the
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

    async def run(
        self, how: str, query: Query, values: dict[str, Any], into: Callable[[Row], Any]
    ) -> list[Any] | None:
        if isinstance(query, Prepared):
            sql, defaults = query.mysql()
        else:  # a one-off statement: its IN lists can be written into the SQL
            sql, defaults = _compile(query, render_postcompile=True)
        parameters = {**defaults, **values} if defaults or values else None
        async with self.raw.cursor() as cursor:
            await self._wait(cursor.execute(sql, parameters))
            if how == "execute":
                return None
            names = [column[0] for column in cursor.description or ()]
            rows = await (cursor.fetchmany(1) if how == "one" else cursor.fetchall())
        records: list[Any] = []
        for start in range(0, len(rows), CHUNK):
            if start:
                await asyncio.sleep(0)
            records += [
                into(dict(zip(names, row, strict=True))) for row in rows[start : start + CHUNK]
            ]
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
    answer may be sitting unread, so the wait starts over; otherwise the timeout takes
    effect one loop pass later, after any answer already received has been read."""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(None) as limit:

        def expire(due: float) -> None:
            nonlocal handle
            now = loop.time()
            if now - due > _STALLED:
                handle = loop.call_at(now + seconds, expire, now + seconds)
            else:
                limit.reschedule(now)

        due = loop.time() + seconds
        handle = loop.call_at(due, expire, due)
        try:
            yield
        finally:
            handle.cancel()


async def _through_databases(
    connection: databases.core.Connection, how: str, query: Query, values: dict[str, Any]
) -> list[Row] | None:
    """SQLite (the embedded demo): `databases` compiles and converts its text values."""
    statement = query.statement if isinstance(query, Prepared) else query
    if values:
        statement = statement.params(values)
    if how == "execute":
        await connection.execute(statement)
        return None
    if how == "one":
        row = await connection.fetch_one(statement)
        return [] if row is None else [dict(row._mapping)]
    return [dict(row._mapping) for row in await connection.fetch_all(statement)]


def _code(error: BaseException | None) -> int | None:
    if isinstance(error, pymysql.err.MySQLError) and error.args and isinstance(error.args[0], int):
        return error.args[0]
    return None


@contextmanager
def _translate_errors() -> Iterator[None]:
    try:
        yield
    except (TimeoutError, OSError) as exc:
        raise DatabaseUnavailable(type(exc).__name__) from exc
    except pymysql.err.MySQLError as exc:
        code = _code(exc)
        if code in MISCONFIGURED:
            raise DatabaseUnavailable(f"MySQL error {code}: {MISCONFIGURED[code]}", code) from exc
        if not isinstance(exc, pymysql.err.OperationalError | pymysql.err.InterfaceError):
            raise
        if code is None or code >= 2000 or code in _UNAVAILABLE_CODES or code == 0:
            raise DatabaseUnavailable(f"MySQL error {code}", code) from exc
        raise
