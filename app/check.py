"""`downloads-api check`: is the configured database one this service can serve?

The first thing to run against a real database. It says, in plain words, whether every
table and column the source reads is there with a type it can read, whether the
connection can only read, and how much it sees; it exits non-zero on any problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.db import Database, DatabaseUnavailable
from app.settings import Settings
from app.sources import create_source

# What a column read as this SQLAlchemy type may be declared as (MySQL's DATA_TYPE, or
# the start of SQLite's declared type).
_COMPATIBLE: list[tuple[type[sa.types.TypeEngine], tuple[str, ...]]] = [
    (sa.Boolean, ("tinyint", "smallint", "int", "bool")),
    (sa.Integer, ("tinyint", "smallint", "mediumint", "int", "bigint")),
    (sa.Numeric, ("decimal", "numeric", "double", "float", "real")),
    (sa.DateTime, ("timestamp", "datetime")),
    (sa.String, ("char", "varchar", "tinytext", "text", "mediumtext", "longtext", "json", "enum")),
]


@dataclass(frozen=True)
class Finding:
    ok: bool
    text: str

    def __str__(self) -> str:
        return f"  {'ok  ' if self.ok else 'FAIL'}  {self.text}"


def _compatible(read_as: sa.types.TypeEngine, declared: str) -> bool:
    for python_type, names in _COMPATIBLE:
        if isinstance(read_as, python_type):
            return declared.startswith(names)
    return True


def where_is(settings: Settings) -> str:
    """The database the settings name, without its password."""
    if settings.database_url is None:
        return "the embedded demo database"
    url = make_url(settings.database_url.replace("mysql://", "mysql+pymysql://", 1))
    return url.render_as_string(hide_password=True).replace("mysql+pymysql://", "mysql://")


async def check(settings: Settings, database: Database) -> list[Finding]:
    findings: list[Finding] = []
    source = create_source(settings, database)
    try:
        await database.connect()
        findings.append(Finding(True, f"connected: {await database.server_version()}"))
    except DatabaseUnavailable as error:
        return [Finding(False, f"cannot connect ({error}); is the server up, and the URL right?")]
    try:
        for table in source.tables:
            findings += await _check_table(database, table)
        writes = await database.write_privileges()
        if writes:
            findings.append(
                Finding(
                    False,
                    f"the database user may also {', '.join(sorted(writes))}: grant it SELECT"
                    " on the tables above and nothing else (the README shows the GRANTs)",
                )
            )
        else:
            findings.append(Finding(True, "the user can only read, and the session is read-only"))
        if all(finding.ok for finding in findings):
            census = await source.census()
            seen = ", ".join(f"{count} {what}" for what, count in census.items())
            findings.append(Finding(True, f"sees {seen}"))
    finally:
        await database.disconnect()
    return findings


async def _check_table(database: Database, table: sa.TableClause) -> list[Finding]:
    declared = await database.columns(table.name)
    if not declared:
        return [Finding(False, f"table {table.name} is missing")]
    problems = []
    for column in table.columns:
        if column.name not in declared:
            problems.append(Finding(False, f"{table.name}.{column.name} is missing"))
        elif not _compatible(column.type, declared[column.name]):
            problems.append(
                Finding(
                    False,
                    f"{table.name}.{column.name} is {declared[column.name]}, which cannot be"
                    f" read as {column.type.__class__.__name__.lower()}",
                )
            )
    if problems:
        return problems
    return [Finding(True, f"{table.name}: the {len(table.columns)} columns read are there")]


def report(source: str, where: str, findings: list[Finding]) -> str:
    lines = [f"downloads-api check: {source} tables in {where}"]
    lines += [str(finding) for finding in findings]
    problems = sum(not finding.ok for finding in findings)
    lines.append("no problems found" if not problems else f"{problems} problem(s) found")
    return "\n".join(lines)
