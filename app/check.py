"""`downloads-api check`: is the configured database one this service can serve?

The first thing to run against a real database. It says, in plain words and one line
each, whether the server answers and takes the credentials, whether every table and
column the source reads is there, granted, and of a type it can read, whether the
connection can only read, which settings the source still needs, and what it sees. It
exits non-zero on any problem, and never prints a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.db import Database, DatabaseUnavailable
from app.settings import Settings
from app.sources import SOURCES, create_source
from app.sources.magento_stores import Stores

# What a column read as this SQLAlchemy type may be declared as (MySQL's DATA_TYPE, or
# the start of SQLite's declared type).
_COMPATIBLE: list[tuple[type[sa.types.TypeEngine[Any]], tuple[str, ...]]] = [
    (sa.Boolean, ("tinyint", "smallint", "int", "bool")),
    (sa.Integer, ("tinyint", "smallint", "mediumint", "int", "bigint")),
    (sa.Numeric, ("decimal", "numeric", "double", "float", "real")),
    (sa.DateTime, ("timestamp", "datetime")),
    (sa.String, ("char", "varchar", "tinytext", "text", "mediumtext", "longtext", "json", "enum")),
]

# Server error codes, in the operator's words (app/db/mysql.py names them for the log).
_NOT_GRANTED = {1142, 1143}
_MISSING = {1146, 1054}

# What check asks the server, per `Database.system`; the service itself never does.
_SERVER_VERSION = {
    "mysql": sa.text("SELECT VERSION()"),
    "sqlite": sa.text("SELECT 'SQLite ' || sqlite_version()"),
}
# A table's columns and their declared types; no rows when there is no such table.
_COLUMNS = {
    "mysql": sa.text(
        "SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS"
        " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :table"
    ),
    "sqlite": sa.text("SELECT name, type FROM pragma_table_info(:table)"),
}
_GRANTEE = (
    "CONCAT(\"'\", SUBSTRING_INDEX(CURRENT_USER(), '@', 1), \"'@'\","
    " SUBSTRING_INDEX(CURRENT_USER(), '@', -1), \"'\")"
)
# What the connection's user may do in this database, by its grants. (The session is
# read-only whatever they are; the grant is what holds against a bug.) The demo's SQLite
# file is opened read-only, and has no grants.
_PRIVILEGES = {
    "mysql": sa.text(
        f"SELECT PRIVILEGE_TYPE AS privilege FROM information_schema.USER_PRIVILEGES"
        f" WHERE GRANTEE = {_GRANTEE}"
        f" UNION SELECT PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES"
        f" WHERE GRANTEE = {_GRANTEE} AND TABLE_SCHEMA = DATABASE()"
        f" UNION SELECT PRIVILEGE_TYPE FROM information_schema.TABLE_PRIVILEGES"
        f" WHERE GRANTEE = {_GRANTEE} AND TABLE_SCHEMA = DATABASE()"
    ),
}
_WRITE_PRIVILEGES = frozenset(
    {"INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "INDEX", "TRIGGER", "REFERENCES"}
)


@dataclass(frozen=True)
class Finding:
    level: Literal["ok", "note", "FAIL"]
    text: str

    @property
    def ok(self) -> bool:
        return self.level != "FAIL"

    def __str__(self) -> str:
        return f"  {self.level:<4}  {self.text}"


def where_is(settings: Settings) -> str:
    """The database the settings name, without its password."""
    if settings.database_url is None:
        return "the embedded demo database"
    url = make_url(settings.database_url.replace("mysql://", "mysql+pymysql://", 1))
    return url.render_as_string(hide_password=True).replace("mysql+pymysql://", "mysql://")


async def check(settings: Settings, database: Database, *, demo: bool = False) -> list[Finding]:
    try:
        await database.connect()
        version = str(await database.fetch_value(_SERVER_VERSION[database.system]))
    except DatabaseUnavailable as error:
        await database.disconnect()
        return [Finding("FAIL", _cannot_connect(error, settings))]
    findings = [Finding("ok", f"connected: {version}")]
    try:
        findings += await _check_database(settings, database, demo=demo)
    finally:
        await database.disconnect()
    return findings


async def _check_database(settings: Settings, database: Database, *, demo: bool) -> list[Finding]:
    source = create_source(settings, database)
    findings: list[Finding] = []
    for table in source.tables:
        findings += await _check_table(database, table)
    if not all(finding.ok for finding in findings):
        findings += await _other_source(settings, database)
    findings.append(await _write_privileges(database))
    findings += _settings(settings, demo=demo, store_views=source.stores is not None)
    census = await source.census()
    if census:
        seen = ", ".join(f"{count} {what}" for what, count in census.items())
        findings.append(Finding("ok", f"sees {seen}"))
    if source.stores is not None and all(finding.ok for finding in findings):
        try:
            findings += _store_views(await source.stores.stores(), settings)
        except DatabaseUnavailable as error:
            findings.append(Finding("FAIL", f"cannot read the store views: {error}"))
    return findings


def _store_views(stores: Stores, settings: Settings) -> list[Finding]:
    """Each store view and the base its download links are built on (contract §9)."""
    base = settings.public_base_url or "<the request's base URL>"
    findings = []
    for view in stores.views.values():
        state = "default" if view is stores.default else "active" if view.active else "inactive"
        links = view.links_on(base) + "/"
        findings.append(Finding("ok", f"store view {view.code} ({state}): links on {links}"))
        if view.unresolved:
            findings.append(
                Finding(
                    "note",
                    f"store view {view.code}: web/secure/base_link_url resolves to nothing;"
                    " its links are built on PUBLIC_BASE_URL (or the request's own base URL)",
                )
            )
    return findings


def _cannot_connect(error: DatabaseUnavailable, settings: Settings) -> str:
    name = make_url(
        (settings.database_url or "sqlite://").replace("mysql://", "mysql+pymysql://", 1)
    ).database
    if error.code == 1045:
        return "the server refused the user name or password: check DATABASE_URL's credentials"
    if error.code == 1049:
        return f"the server has no database {name!r}: check the name at the end of DATABASE_URL"
    if error.code == 1044:
        return f"the user may not use the database {name!r}: grant it SELECT on its tables"
    return f"cannot connect ({error}); is the server up, and the URL right?"


async def _check_table(database: Database, table: sa.TableClause) -> list[Finding]:
    declared = await _columns(database, table.name)
    try:
        # Every column the service reads, no rows: fails exactly as the service would.
        await database.fetch_all(sa.select(*table.columns).select_from(table).limit(0))
    except DatabaseUnavailable as error:
        if error.code in _NOT_GRANTED:
            return [
                Finding(
                    "FAIL",
                    f"table {table.name} is there but not granted: GRANT SELECT ON"
                    f" {table.name} to the service's user",
                )
            ]
        if error.code not in _MISSING:
            raise
    if not declared:
        return [Finding("FAIL", f"table {table.name} is missing")]
    problems = []
    for column in table.columns:
        if column.name not in declared:
            problems.append(Finding("FAIL", f"{table.name}.{column.name} is missing"))
        elif not _compatible(column.type, declared[column.name]):
            problems.append(
                Finding(
                    "FAIL",
                    f"{table.name}.{column.name} is {declared[column.name]}, which cannot be"
                    f" read as {column.type.__class__.__name__.lower()}",
                )
            )
    if problems:
        return problems
    return [Finding("ok", f"{table.name}: the {len(table.columns)} columns read are there")]


def _compatible(read_as: sa.types.TypeEngine[Any], declared: str) -> bool:
    for python_type, names in _COMPATIBLE:
        if isinstance(read_as, python_type):
            return declared.startswith(names)
    return True


async def _other_source(settings: Settings, database: Database) -> list[Finding]:
    """Tables or columns missing: is it another platform's database?"""
    for name, source in SOURCES.items():
        if name == settings.source:
            continue
        if all([await _columns(database, table.name) for table in source.tables]):
            return [Finding("FAIL", f"this looks like a {name} database: set SOURCE={name}")]
    return []


async def _columns(database: Database, table: str) -> dict[str, str]:
    """The table's columns and their types as the server names them (lower case)."""
    rows = await database.fetch_all(_COLUMNS[database.system].bindparams(table=table))
    return {str(row["name"]): str(row["type"]).lower() for row in rows}


async def _write_privileges(database: Database) -> Finding:
    writes: set[str] = set()
    if database.system in _PRIVILEGES:
        rows = await database.fetch_all(_PRIVILEGES[database.system])
        writes = {str(row["privilege"]).upper() for row in rows} & _WRITE_PRIVILEGES
    if writes:
        return Finding(
            "FAIL",
            f"the database user may also {', '.join(sorted(writes))}: grant it SELECT"
            " on the tables above and nothing else (the README shows the GRANTs)",
        )
    return Finding("ok", "the user can only read, and the session is read-only")


def _settings(settings: Settings, *, demo: bool, store_views: bool) -> list[Finding]:
    notes = []
    if settings.public_base_url is None and not demo:
        which = (
            "the download links of store views whose configuration sets no base URL"
            if store_views
            else "download links"
        )
        notes.append(
            Finding(
                "note",
                f"PUBLIC_BASE_URL is not set: {which} will point at this service, not at the shop",
            )
        )
    notes += [Finding("note", warning) for warning in settings.source_settings.warnings()]
    return notes


def report(source: str, where: str, findings: list[Finding]) -> str:
    lines = [f"downloads-api check: {source} tables in {where}"]
    lines += [str(finding) for finding in findings]
    problems = sum(not finding.ok for finding in findings)
    lines.append("no problems found" if not problems else f"{problems} problem(s) found")
    return "\n".join(lines)
