"""Helpers every source needs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, overload

import sqlalchemy as sa

from app.db import DatabaseUnavailable

if TYPE_CHECKING:
    from app.db import Database


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: datetime | None) -> datetime | None:
    # The session time zone is UTC, so naive timestamps are UTC.
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def count_rows(database: Database, counted: dict[str, sa.FromClause]) -> dict[str, int]:
    """How many rows each of these holds, one statement each, leaving out what cannot be
    counted (`downloads-api check` only: it says why elsewhere)."""
    counts = {}
    for name, rows in counted.items():
        try:
            value = await database.fetch_value(sa.select(sa.func.count()).select_from(rows))
        except DatabaseUnavailable:
            continue
        counts[name] = int(value)
    return counts
