"""The driver is the URL's scheme's, and both drivers' errors read the same to the rest of
the service: the same `DatabaseUnavailable` messages and codes, the same pass-through."""

from __future__ import annotations

import asyncio
import socket

import asyncmy.errors
import pymysql
import pytest
import sqlalchemy as sa

from app.db import DatabaseUnavailable, database_at
from app.db.mysql import DEFAULT_DRIVER, DRIVERS, MySQLDatabase, load_driver
from app.db.mysql_errors import unavailable
from app.settings import SettingsError, load_settings

URL = "root:secret@db.internal:3306/shop?max_size=4"


@pytest.mark.parametrize(
    ("scheme", "driver"),
    [("mysql", DEFAULT_DRIVER), ("mysql+aiomysql", "aiomysql"), ("mysql+asyncmy", "asyncmy")],
)
def test_the_scheme_picks_the_driver(scheme: str, driver: str) -> None:
    database = database_at(f"{scheme}://{URL}")

    assert isinstance(database, MySQLDatabase)
    assert database.driver.name == driver
    assert load_settings({"DATABASE_URL": f"{scheme}://{URL}"}).database_url == f"{scheme}://{URL}"


def test_a_driver_the_service_does_not_have_is_refused() -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL must look like mysql://"):
        load_settings({"DATABASE_URL": f"mysql+pymysql://{URL}"})
    with pytest.raises(ValueError, match=r"mysql\+mysqldb:// names no MySQL driver"):
        database_at(f"mysql+mysqldb://{URL}")


# The same refusal from each driver: its own class for the code, as each raises it.
MODULES = {"aiomysql": pymysql.err, "asyncmy": asyncmy.errors}
CASES = [
    # (class, code, the server's message, DatabaseUnavailable's message, or None: passes through)
    ("OperationalError", 1045, "Access denied for user 'x'@'y'", "MySQL error 1045: the server refused the user name or password"),
    ("OperationalError", 1044, "Access denied for user 'x'@'%' to database 'shop'", "MySQL error 1044: the user may not use this database"),
    ("OperationalError", 1049, "Unknown database 'shop'", "MySQL error 1049: the database does not exist"),
    ("OperationalError", 1142, "SELECT command denied to user 'x'@'y' for table `shop`.`orders`", "MySQL error 1142: a table the service reads is not granted to the user: table orders"),
    ("ProgrammingError", 1146, "Table 'shop.orders' doesn't exist", "MySQL error 1146: a table the service reads is missing: table orders"),
    ("OperationalError", 1054, "Unknown column 'status' in 'field list'", "MySQL error 1054: a column the service reads is missing: column status"),
    ("OperationalError", 2003, "Can't connect to MySQL server on '127.0.0.1'", "MySQL error 2003"),
    ("OperationalError", 2013, "Lost connection to MySQL server during query", "MySQL error 2013"),
    ("InterfaceError", 0, "", "MySQL error 0"),
    ("OperationalError", 1969, "Query execution was interrupted (max_statement_time exceeded)", "MySQL error 1969"),
    ("OperationalError", 1040, "Too many connections", "MySQL error 1040"),
    ("OperationalError", 1792, "Cannot execute statement in a READ ONLY transaction", None),
    ("ProgrammingError", 1064, "You have an error in your SQL syntax", None),
]  # fmt: skip


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize(("kind", "code", "message", "said"), CASES)
def test_both_drivers_errors_read_the_same(
    driver: str, kind: str, code: int, message: str, said: str | None
) -> None:
    error = getattr(MODULES[driver], kind)(code, message)

    translated = unavailable(load_driver(driver), error)

    if said:
        assert translated is not None
        assert (str(translated), translated.code) == (said, code)
    else:
        assert translated is None


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_statement_refused_by_the_driver_is_unavailable_with_the_drivers_error_as_cause(
    driver: str,
) -> None:
    with socket.socket() as closed:  # a port nothing listens on: the connect is refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    database = database_at(f"mysql+{driver}://root@127.0.0.1:{port}/shop", connect_timeout=2)

    async def scenario() -> DatabaseUnavailable:
        await database.connect()  # opens no connection (min_size=0)
        try:
            with pytest.raises(DatabaseUnavailable) as raised:
                await database.fetch_value(sa.select(1))
            return raised.value
        finally:
            await database.disconnect()

    error = asyncio.run(scenario())

    assert (str(error), error.code) == ("MySQL error 2003", 2003)
    assert isinstance(error.__cause__, load_driver(driver).error)
