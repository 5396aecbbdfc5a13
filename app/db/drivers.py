"""What the service needs of a MySQL driver, and the pieces both drivers share.

Each driver module (`aiomysql_driver`, `asyncmy_driver`) fills in a `MySQLDriver`: how
it decodes columns, which of its exceptions mean what, and a pool whose connections
finish their whole handshake within the connect timeout. `app.db.mysql` picks one by
the URL's scheme; everything past the pool (the cursor, the statement's time limit, the
error translation) is the same code for both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar


class Closable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=Closable)


@dataclass(frozen=True)
class MySQLDriver:
    # As in the URL's scheme: mysql+NAME://.
    name: str
    # The scheme `databases` knows the driver by.
    pool_scheme: str
    # What every connection decodes columns with, and encodes parameters with.
    conversions: Mapping[Any, Any]
    # The driver's base exception: any of them carries the server's (or the client's)
    # error code as its first argument.
    error: type[Exception]
    # Those of its exceptions that may mean "the database is not there right now".
    unavailable: tuple[type[Exception], ...]
    # How many statements each connection keeps prepared on the server (0: none, every
    # statement goes as text). A prepared statement's values travel in binary, and its
    # result comes without the column definitions the text protocol repeats each time;
    # its DATETIME columns come as naive datetimes (UTC, as app/notation.py writes them),
    # a zero date as None (as the text protocol's decoders read it, `utc_timestamp`).
    prepared_statements: int = 0


def utc_timestamp(fallback: Callable[[str], Any]) -> Callable[[str], datetime | None]:
    """A DATETIME or TIMESTAMP decoder: the value as an aware UTC datetime (the session's
    time zone is UTC). `fromisoformat` reads one in C, some 15 times faster than pymysql's
    regular expression, and a page reads four a row. What it refuses goes to the driver's
    own decoder, `fallback`; what that cannot read either (MySQL's zero dates, such as
    `0000-00-00 00:00:00`, which it gives back as text) is no date: None, as the binary
    protocol reads it."""

    def decode(text: str) -> datetime | None:
        try:
            return datetime.fromisoformat(text + "+00:00")
        except ValueError:
            value = fallback(text)
            return value.replace(tzinfo=UTC) if isinstance(value, datetime) else None

    return decode


async def connected_in_time(
    connection: C, handshake: Callable[[], Awaitable[object]], timeout: float
) -> C:
    """`connection` once `handshake` (greeting, login, the session's first statement) has
    finished within `timeout`: neither driver times more than the TCP connect, so a server
    that accepts and never greets would hold the pool's lock, and every caller, for ever.
    One given up on, by this deadline or its caller's, is closed (aiomysql leaves the
    socket open when cancelled)."""
    try:
        async with asyncio.timeout(timeout):
            await handshake()
    except BaseException:
        connection.close()
        raise
    return connection
