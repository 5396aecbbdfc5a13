"""What a database's refusal means, in the words `downloads-api check` and the start-up
check share: one line that says what is wrong and what to change (for a database the
user may not use, after asking the server which ones it may)."""

from __future__ import annotations

import difflib

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.db import MISSING, DatabaseUnavailable, database_at
from app.settings import Settings

# The connection's user as information_schema's GRANTEE columns write it: 'name'@'host'.
GRANTEE = (
    "CONCAT(\"'\", SUBSTRING_INDEX(CURRENT_USER(), '@', 1), \"'@'\","
    " SUBSTRING_INDEX(CURRENT_USER(), '@', -1), \"'\")"
)
# The databases the user has any grant in (it may not see others, nor know they exist).
_GRANTED_DATABASES = sa.text(
    f"SELECT TABLE_SCHEMA AS name FROM information_schema.SCHEMA_PRIVILEGES"
    f" WHERE GRANTEE = {GRANTEE}"
    f" UNION SELECT TABLE_SCHEMA FROM information_schema.TABLE_PRIVILEGES"
    f" WHERE GRANTEE = {GRANTEE}"
    f" UNION SELECT TABLE_SCHEMA FROM information_schema.COLUMN_PRIVILEGES"
    f" WHERE GRANTEE = {GRANTEE}"
)


def database_name(url: str | None) -> str | None:
    if not url or url.startswith("sqlite"):
        return None
    return make_url(url).database


def _address(url: str | None) -> str:
    parsed = make_url(url or "")
    return f"{parsed.host}:{parsed.port or 3306}"


def diagnosis(error: DatabaseUnavailable, url: str | None, table: str | None = None) -> str:
    """`error` in the operator's words; `table` is the one being read, when it was one."""
    name = database_name(url)
    where = f"table {table}" if table else "a table the service reads"
    if error.code == 1045:
        return "the server refused the user name or password: check DATABASE_URL's credentials"
    if error.code == 1049:
        return f"the server has no database {name!r}: check the name at the end of DATABASE_URL"
    if error.code == 1044:
        return (
            f"the user may not use a database {name!r}, or there is none of that name: check"
            " the name at the end of DATABASE_URL, else grant the user SELECT on its tables"
        )
    if error.code == 1142:
        return (
            f"{where} cannot be read: it is not granted to the user, or missing (the user"
            f" cannot tell which): GRANT SELECT ON {table or '…'} to the service's user"
        )
    if error.code == 1143:
        return (
            f"only some columns of {where} are granted to the user: GRANT SELECT ON"
            f" {table or '…'} (the whole table) to the service's user"
        )
    if error.code in MISSING:
        return f"{where}, or a column of it, is missing: is this the shop's database?"
    if error.code is not None and 2000 <= error.code < 3000:
        return (
            f"nothing answers at {_address(url)} ({error}): is the database server running,"
            " and are the host and port in DATABASE_URL right?"
        )
    return f"cannot connect ({error}): is the server up, and the URL right?"


async def database_or_grant(settings: Settings, error: DatabaseUnavailable) -> str:
    """The server may not tell a user of a database it may not use whether there is one:
    the databases the user has grants in tell a misspelled name from a missing grant."""
    url = make_url(str(settings.database_url))
    name = url.database
    database = database_at(
        url.set(database="").render_as_string(hide_password=False),
        connect_timeout=settings.database_connect_timeout,
    )
    try:
        await database.connect()
        granted = sorted(str(row["name"]) for row in await database.fetch_all(_GRANTED_DATABASES))
    except DatabaseUnavailable:
        granted = []
    finally:
        await database.disconnect()
    if not granted:
        return diagnosis(error, settings.database_url)
    close = difflib.get_close_matches(name or "", granted, n=1)
    if close:
        return (
            f"the user has no grant on a database {name!r}, but has on {close[0]!r}: is the"
            " name at the end of DATABASE_URL misspelled?"
        )
    return (
        f"the user has no grant on a database {name!r} (it has on {', '.join(granted)}): check"
        " the name at the end of DATABASE_URL, else grant the user SELECT on its tables"
    )
