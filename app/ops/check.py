"""`downloads-api check`: is the configured database one this service can serve?

The first thing to run against a real database. It says, in plain words and one line
each, whether the server answers and takes the credentials, whether every table and
column the source reads is there, granted, and of a type it can read, whether the
connection can only read, which settings differ from their defaults (secrets hidden) and
which the source still needs, and what it sees. It exits non-zero on any problem, and never
prints a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.db import MISSING, NOT_GRANTED, Database, DatabaseUnavailable, probe
from app.ops.diagnosis import (
    GRANTEE,
    database_name,
    database_or_grant,
    diagnosis,
)
from app.ops.startup import settings_warnings
from app.settings import Settings
from app.settings.described import changed
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
# What the connection's user may do in this database, by its grants. (The session is
# read-only whatever they are; the grant is what holds against a bug.) The demo's SQLite
# file is opened read-only, and has no grants.
_PRIVILEGES = {
    "mysql": sa.text(
        f"SELECT PRIVILEGE_TYPE AS privilege FROM information_schema.USER_PRIVILEGES"
        f" WHERE GRANTEE = {GRANTEE}"
        f" UNION SELECT PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES"
        f" WHERE GRANTEE = {GRANTEE} AND TABLE_SCHEMA = DATABASE()"
        f" UNION SELECT PRIVILEGE_TYPE FROM information_schema.TABLE_PRIVILEGES"
        f" WHERE GRANTEE = {GRANTEE} AND TABLE_SCHEMA = DATABASE()"
    ),
}
# The columns of a table granted one by one to the connection's user.
_GRANTED_COLUMNS = sa.text(
    f"SELECT COLUMN_NAME AS name FROM information_schema.COLUMN_PRIVILEGES"
    f" WHERE GRANTEE = {GRANTEE} AND TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :table"
    f" AND PRIVILEGE_TYPE = 'SELECT'"
)
_WRITE_PRIVILEGES = frozenset(
    {"INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "INDEX", "TRIGGER", "REFERENCES"}
)


@dataclass(frozen=True)
class Finding:
    level: Literal["ok", "note", "FAIL"]
    text: str
    # Among problems, how likely this one is the cause of the others: 0 first.
    rank: int = 5

    @property
    def ok(self) -> bool:
        return self.level != "FAIL"

    def __str__(self) -> str:
        return f"  {self.level:<4}  {self.text}"


def where_is(settings: Settings) -> str:
    """The database the settings name, without its password."""
    if settings.database_url is None:
        return "the embedded demo database"
    return make_url(settings.database_url).render_as_string(hide_password=True)


async def check(settings: Settings, database: Database, *, demo: bool = False) -> list[Finding]:
    try:
        await database.connect()
        version = str(await database.fetch_value(_SERVER_VERSION[database.system]))
    except DatabaseUnavailable as error:
        await database.disconnect()
        if error.code == 1044:  # a misspelled name reads the same as a missing grant
            return [Finding("FAIL", await database_or_grant(settings, error))]
        return [Finding("FAIL", diagnosis(error, settings.database_url))]
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
    if not any(finding.ok for finding in findings):
        name = database_name(settings.database_url)
        findings.append(
            Finding(
                "FAIL",
                f"none of the {settings.source} tables can be read in {name!r}: is it the"
                " shop's database, and SOURCE right?",
                rank=1,
            )
        )
    if not all(finding.ok for finding in findings):
        findings += await _other_source(settings, database)
    findings.append(await _write_privileges(database))
    findings += settings_findings(settings, demo=demo, store_views=source.stores is not None)
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
    """Each store view and the base its download links are built on (docs/behaviour.md §9)."""
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


async def _check_table(database: Database, table: sa.TableClause) -> list[Finding]:
    declared = await _columns(database, table.name)
    try:
        await database.fetch_all(probe(table))
    except DatabaseUnavailable as error:
        if error.code == 1143:
            return [await _partly_granted(database, table)]
        if error.code in NOT_GRANTED:
            return [Finding("FAIL", diagnosis(error, None, table.name), rank=2)]
        if error.code not in MISSING:
            raise
    if not declared:
        return [Finding("FAIL", f"table {table.name} is missing", rank=2)]
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


async def _partly_granted(database: Database, table: sa.TableClause) -> Finding:
    rows = await database.fetch_all(_GRANTED_COLUMNS.bindparams(table=table.name))
    granted = {str(row["name"]) for row in rows}
    ungranted = [column.name for column in table.columns if column.name not in granted]
    return Finding(
        "FAIL",
        f"table {table.name} is granted column by column, without {', '.join(ungranted)}:"
        f" GRANT SELECT ON {table.name} (the whole table) to the service's user",
        rank=2,
    )


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
            return [
                Finding("FAIL", f"this looks like a {name} database: set SOURCE={name}", rank=0)
            ]
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


def settings_findings(settings: Settings, *, demo: bool, store_views: bool) -> list[Finding]:
    """The settings that differ from their defaults (but DATABASE_URL, which the report's
    first line names), passwords and keys hidden; then what the operator most likely means
    to set and has not."""
    values = [
        f"{name}={value}" for name, value in changed(settings).items() if name != "DATABASE_URL"
    ]
    described = (
        f"{', '.join(values)} (the rest at their defaults)" if values else "all at their defaults"
    )
    warnings = settings_warnings(settings, demo=demo, store_views=store_views)
    return [
        Finding("ok", f"settings other than DATABASE_URL: {described}"),
        *(Finding("note", warning) for warning in warnings),
    ]


def report(source: str, where: str, findings: list[Finding]) -> str:
    lines = [f"downloads-api check: {source} tables in {where}"]
    # Problems first, the likeliest cause on the first line; then the rest as found.
    failed = sorted((f for f in findings if not f.ok), key=lambda f: f.rank)
    lines += [str(f) for f in (*failed, *(f for f in findings if f.ok))]
    lines.append(f"{len(failed)} problem(s) found" if failed else "no problems found")
    return "\n".join(lines)
