"""What both backends share: the fetch methods, one retry, the counters, the trace hook."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import databases
import sqlalchemy as sa
from sqlalchemy.dialects.mysql import pymysql as pymysql_dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from app.observability.tracing import statement_span

Row = Mapping[str, Any]
T = TypeVar("T")
# "one": the first row only; "all": every row.
How = Literal["one", "all"]

_MYSQL = pymysql_dialect.dialect(paramstyle="pyformat")  # %(name)s, for a dict of values
_MYSQL_POSITIONAL = pymysql_dialect.dialect(paramstyle="format")  # %s, for a tuple


class DatabaseUnavailable(Exception):
    """The database cannot be reached, did not answer in time, or refuses what this
    service needs from it; the request may succeed later. `code` is the server's error
    code, when there was one."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


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
        self._positional: tuple[str, tuple[str, ...], dict[str, Any]] | None = None

    def mysql(self) -> tuple[str, dict[str, Any]]:
        """The SQL for PyMySQL (`%(name)s` placeholders) and the parameters' defaults."""
        if self._mysql is None:
            self._mysql = compile_for_mysql(self.statement)
        return self._mysql

    def positional(self) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        """The SQL with `%s` placeholders, the name of the value each takes (in order; a
        name used twice is there twice) and the defaults: what a driver that prepares a
        statement on the server takes (asyncmy's statement cache, app/db/mysql.py)."""
        if self._positional is None:
            compiled = self.statement.compile(dialect=_MYSQL_POSITIONAL)
            assert isinstance(compiled, SQLCompiler)
            names = tuple(compiled.positiontup or ())
            self._positional = compiled.string, names, dict(compiled.params)
        return self._positional


Query = Prepared | ClauseElement


@dataclass(frozen=True, slots=True)
class Read:
    """One statement to run: its values, how many rows to keep, and what each row becomes."""

    how: How
    query: Query
    values: dict[str, Any]
    into: Callable[[Row], Any] = dict


def compile_for_mysql(statement: ClauseElement, **options: bool) -> tuple[str, dict[str, Any]]:
    compiled = statement.compile(dialect=_MYSQL, compile_kwargs=options)
    return compiled.string, dict(compiled.params)


class Reads(ABC):
    """What a source reads rows with: a database, or a replica that falls back to its
    primary (`app.db.replica`). Every statement goes through `run`."""

    @abstractmethod
    async def run(self, read: Read) -> list[Any]: ...

    async def fetch_all(self, query: Query, **values: Any) -> Sequence[Row]:
        rows: list[Row] = await self.run(Read("all", query, values))
        return rows

    async def fetch_into(self, into: Callable[[Row], T], query: Query, **values: Any) -> list[T]:
        """Every row, each turned into a record by `into` as it arrives: a long result is
        read and converted a chunk at a time, letting other requests run in between."""
        records: list[T] = await self.run(Read("all", query, values, into))
        return records

    async def fetch_one(self, query: Query, **values: Any) -> Row | None:
        rows: list[Row] = await self.run(Read("one", query, values))
        return rows[0] if rows else None

    async def fetch_value(self, query: Query, **values: Any) -> Any:
        rows: list[Row] = await self.run(Read("one", query, values))
        return next(iter(rows[0].values())) if rows else None


class Database(Reads):
    """One database the service reads, pooled by `databases`. Build it with
    `app.db.database_at(url)`, which picks the backend from the URL."""

    # Error codes that mean a pooled connection went stale: worth one retry.
    retry_codes: frozenset[int] = frozenset()

    def __init__(
        self,
        url: str,
        database: databases.Database,
        *,
        connect_timeout: float,
        statement_timeout: float | None,
        pool_size: int | None = None,
    ) -> None:
        self.url = url
        self.statements = 0  # statements sent since start; tests count them per request
        self.failures = 0  # statements that found the database unavailable, since start
        # The server cancels a statement at statement_timeout; this client gives up half a
        # second later, for a server that does not answer at all: with the defaults (5 s
        # each), inside the deadline of a stalled database, the connect timeout plus a
        # second (docs/behaviour.md §7).
        self.client_timeout = None if statement_timeout is None else statement_timeout + 0.5
        # The longest wait for a connection: a free one, or a new one connected and greeted.
        self.connect_timeout = connect_timeout
        self._database = database
        self._in_use = 0
        # Turns at the pool's connections, first come first served. asyncmy's pool hands
        # a connection just given back to whoever asks next, ahead of those already
        # waiting for one, which left some requests waiting many times the median at
        # load; with no more callers at the pool than it has connections, none waits
        # there, and the wait is here, in order.
        self._turns = None if pool_size is None else asyncio.Semaphore(pool_size)

    @property
    @abstractmethod
    def system(self) -> str:
        """The database system's name, as OpenTelemetry spells it."""

    @abstractmethod
    def sql_text(self, query: Query) -> str:
        """The statement's text with placeholders, for a trace (never its values)."""

    @abstractmethod
    async def _fetch(
        self, connection: databases.core.Connection, read: Read, limit: asyncio.Timeout
    ) -> list[Any]:
        """The statement's rows, each turned into its record. `limit` is the timeout the
        statement runs in, with no deadline set: the backend sets the statement's own."""

    async def connect(self) -> None:
        try:
            await self._database.connect()
        except Exception as error:
            unavailable = self._unavailable(error)
            if unavailable is None:
                raise
            raise unavailable from error

    async def disconnect(self) -> None:
        await self._database.disconnect()

    def connections_in_use(self) -> int:
        return self._in_use

    async def ping(self) -> None:
        await self.fetch_value(sa.select(1))

    async def run(self, read: Read) -> list[Any]:
        self.statements += 1
        for attempt in (1, 2):
            try:
                with statement_span(self, read.query):  # a span per attempt
                    return await self._attempt(read)
            except DatabaseUnavailable as error:
                # Reads are safe to repeat: a connection the server dropped while it sat
                # in the pool gets one retry on a fresh one.
                if attempt == 2 or error.code not in self.retry_codes:
                    self.failures += 1
                    raise
        raise AssertionError("unreachable")

    async def _attempt(self, read: Read) -> list[Any]:
        """The statement on a connection from the pool, which it waits for within
        `connect_timeout`; the connection is counted while it is lent out (for the
        metrics). The wait covers queueing behind the pool's lock, which a connection
        being opened holds: a server that accepts and never answers would otherwise keep
        every caller waiting."""
        try:
            async with asyncio.timeout(self.connect_timeout) as deadline:
                async with self._turns or nullcontext(), self._database.connection() as connection:
                    deadline.reschedule(None)  # the statement sets its own time limit
                    self._in_use += 1
                    try:
                        return await self._fetch(connection, read, deadline)
                    finally:
                        self._in_use -= 1
        except Exception as error:
            unavailable = self._unavailable(error)
            if unavailable is None:
                raise
            raise unavailable from error

    def _unavailable(self, error: Exception) -> DatabaseUnavailable | None:
        """`error` as `DatabaseUnavailable` when it means the database is not there (or
        will not serve this service), else None: the query's own fault."""
        if isinstance(error, (TimeoutError, OSError)):
            return DatabaseUnavailable(type(error).__name__)
        return None


def probe(table: sa.TableClause) -> sa.Select[Any]:
    """Every column the service reads, no rows: a statement that fails exactly when a grant
    or a column is missing, and costs nothing when none is."""
    return sa.select(*table.columns).select_from(table).limit(0)
