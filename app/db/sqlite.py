"""SQLite, for the embedded demo: `databases` compiles the statements and converts values."""

from __future__ import annotations

import asyncio
from typing import Any

import databases

from app.db.base import Database, Prepared, Query, Read


class SQLiteDatabase(Database):
    system = "sqlite"

    def __init__(
        self, url: str, *, connect_timeout: float = 5.0, statement_timeout: float | None = None
    ) -> None:
        super().__init__(
            url,
            databases.Database(url, uri=True),
            connect_timeout=connect_timeout,
            statement_timeout=statement_timeout,
        )

    def sql_text(self, query: Query) -> str:
        return str(query.statement if isinstance(query, Prepared) else query)

    async def _fetch(
        self, connection: databases.core.Connection, read: Read, limit: asyncio.Timeout
    ) -> list[Any]:
        query = read.query
        statement = query.statement if isinstance(query, Prepared) else query
        if read.values:
            statement = statement.params(read.values)
        # The pool closes each connection it gets back, so one given up on is not reused.
        if self.client_timeout is not None:
            limit.reschedule(asyncio.get_running_loop().time() + self.client_timeout)
        if read.how == "one":
            row = await connection.fetch_one(statement)
            rows = [] if row is None else [row]
        else:
            rows = await connection.fetch_all(statement)
        limit.reschedule(None)
        return [read.into(dict(row._mapping)) for row in rows]
