"""aiomysql (PyMySQL's protocol in pure Python): `mysql+aiomysql://`."""

from __future__ import annotations

from typing import Any

import aiomysql
import aiomysql.pool
import pymysql
from pymysql.constants import FIELD_TYPE
from pymysql.converters import convert_datetime

from app.db.drivers import MySQLDriver, connected_in_time, utc_timestamp

_utc_timestamp = utc_timestamp(convert_datetime)

# What every connection decodes columns with (the bench's floor uses the same).
CONVERSIONS = {
    **pymysql.converters.conversions,
    FIELD_TYPE.DATETIME: _utc_timestamp,
    FIELD_TYPE.TIMESTAMP: _utc_timestamp,
}


async def _connect_in_time(**options: Any) -> Any:
    """aiomysql's `connect`, with the whole handshake under `connect_timeout`."""
    connection = aiomysql.Connection(**options)
    return await connected_in_time(connection, connection._connect, connection.connect_timeout)


# The pool opens its connections with the `connect` of its own module.
aiomysql.pool.connect = _connect_in_time

AIOMYSQL = MySQLDriver(
    name="aiomysql",
    pool_scheme="mysql",  # `databases` knows aiomysql as plain mysql://
    conversions=CONVERSIONS,
    error=pymysql.err.MySQLError,
    unavailable=(pymysql.err.OperationalError, pymysql.err.InterfaceError),
)
