"""asyncmy (the same protocol compiled with Cython): `mysql+asyncmy://`."""

from __future__ import annotations

from typing import Any

import asyncmy
import asyncmy.converters
import asyncmy.errors
import asyncmy.pool
from asyncmy.constants import FIELD_TYPE

from app.db.drivers import MySQLDriver, connected_in_time, utc_timestamp

# What `fromisoformat` refuses goes to asyncmy's own decoder, as on aiomysql to pymysql's.
_utc_timestamp = utc_timestamp(asyncmy.converters.convert_datetime)

CONVERSIONS = {
    **asyncmy.converters.conversions,
    FIELD_TYPE.DATETIME: _utc_timestamp,
    FIELD_TYPE.TIMESTAMP: _utc_timestamp,
}


async def _connect_in_time(**options: Any) -> Any:
    """asyncmy's `connect`, with the whole handshake under `connect_timeout`: asyncmy
    times the TCP connect only, and reads the greeting with no time limit."""
    connection = asyncmy.Connection(**options)  # type: ignore[no-untyped-call]
    return await connected_in_time(
        connection, connection.connect, options.get("connect_timeout", 10)
    )


# asyncmy's pool, too, opens its connections with the `connect` of its own module (a
# global that its compiled code looks up on every call).
asyncmy.pool.connect = _connect_in_time  # type: ignore[attr-defined]  # not in its stubs

ASYNCMY = MySQLDriver(
    name="asyncmy",
    pool_scheme="mysql+asyncmy",
    conversions=CONVERSIONS,
    error=asyncmy.errors.MySQLError,
    unavailable=(asyncmy.errors.OperationalError, asyncmy.errors.InterfaceError),
    # The service's fixed statements (`Prepared`) number a few dozen at most: none is
    # prepared twice on one connection. The server's limit, `max_prepared_stmt_count`,
    # is 16,382 by default: 64 a connection leaves room for hundreds of connections.
    prepared_statements=64,
)
