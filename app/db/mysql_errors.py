"""A MySQL driver's errors in the service's words: which mean "the database is not there
right now" or "this user cannot serve this source from this database" (both
`DatabaseUnavailable`, docs/behaviour.md §7), and which are the query's own fault. Both
drivers raise PyMySQL's classes under their own names, with the same codes."""

from __future__ import annotations

import re

from app.db.base import DatabaseUnavailable
from app.db.drivers import MySQLDriver

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

# A pooled connection the server dropped (restart, wait_timeout): worth one retry.
STALE_CONNECTION_CODES = frozenset({0, 2006, 2013})


def _named(message: str) -> str:
    """What the message names, as "table orders" or "column status, table orders"."""
    return ", ".join(
        f"{kind.lower()} {(second or first).rpartition('.')[2]}"
        for kind, first, second in _NAMED.findall(message)
    )


def _code(error: BaseException) -> int | None:
    if error.args and isinstance(error.args[0], int):
        return error.args[0]
    return None


def unavailable(driver: MySQLDriver, error: Exception) -> DatabaseUnavailable | None:
    """The driver's `error` as `DatabaseUnavailable` when it means "unavailable", with the
    same message and code whichever driver raised it; None for any other error."""
    if not isinstance(error, driver.error):
        return None
    code = _code(error)
    if code in MISCONFIGURED:
        named = (
            _named(str(error.args[1]))
            if len(error.args) > 1 and code in NOT_GRANTED | MISSING
            else ""
        )
        detail = f"{MISCONFIGURED[code]}: {named}" if named else MISCONFIGURED[code]
        return DatabaseUnavailable(f"MySQL error {code}: {detail}", code)
    if not isinstance(error, driver.unavailable):
        return None
    if code is None or code >= 2000 or code in _UNAVAILABLE_CODES or code == 0:
        return DatabaseUnavailable(f"MySQL error {code}", code)
    return None
