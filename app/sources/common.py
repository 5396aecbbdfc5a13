"""Helpers every source needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, overload

import sqlalchemy as sa

from app.db import DatabaseUnavailable, Row
from app.models import Order, Purchase

if TYPE_CHECKING:
    from app.db import Reads


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: datetime | None) -> datetime | None:
    # For comparing: a timestamp read is UTC, naive or aware (app/notation.py writes them).
    if value is None or value.tzinfo is UTC:
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def count_rows(database: Reads, counted: dict[str, sa.FromClause]) -> dict[str, int]:
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


# The Purchase and Order fields every platform has a column for.
_PURCHASE_FIELDS = (
    *("id", "customer_id", "order_id", "order_item_id", "product_name", "name", "url"),
    *("file", "type", "download_bought", "download_used", "status", "created_at"),
    *("updated_at", "order_increment_id"),
)
_ORDER_FIELDS = tuple(field.name for field in fields(Order))


def purchase_keys(**renamed: str) -> dict[str, str]:
    """The row key of each shared Purchase field: its own name unless renamed."""
    return {field: renamed.get(field, field) for field in _PURCHASE_FIELDS}


def order_keys(**renamed: str) -> dict[str, str]:
    """The row key of each Order field: `o_` and the column's name, its own unless renamed."""
    return {field: f"o_{renamed.get(field, field)}" for field in _ORDER_FIELDS}


def read_purchase(
    row: Row,
    keys: Mapping[str, str],
    *,
    file_name: str | None,
    download_canceled: int,
    download_path: str,
    order_keys: Mapping[str, str],
) -> Purchase:
    """A purchase from a row: the shared fields from their `keys` (`purchase_keys`), the
    rest as the platform gives them, its order read from the row's `order_keys` when it is
    first asked for (`read_order`). Runs per row while a long list streams in, inside the
    statement's time limit: hence no helper call per field."""
    c = keys
    return Purchase(
        id=int(row[c["id"]]),
        customer_id=int(row[c["customer_id"]]),
        order_id=row[c["order_id"]],
        order_item_id=row[c["order_item_id"]],
        product_name=row[c["product_name"]],
        name=row[c["name"]],
        url=row[c["url"]],
        file=row[c["file"]],
        file_name=file_name,
        type=row[c["type"]],
        download_bought=int(row[c["download_bought"]] or 0),
        download_used=int(row[c["download_used"]] or 0),
        download_canceled=download_canceled,
        status=row[c["status"]],
        created_at=row[c["created_at"]],
        updated_at=row[c["updated_at"]],
        order_increment_id=row[c["order_increment_id"]],
        download_path=download_path,
        order_reader=partial(read_order, row, order_keys),
    )


def read_order(row: Row, keys: Mapping[str, str]) -> Order | None:
    """The order in a row's `keys` (`order_keys`), None when the outer join found
    no order row."""
    c = keys
    if row[c["id"]] is None:
        return None
    return Order(
        id=int(row[c["id"]]),
        increment_id=row[c["increment_id"]],
        status=row[c["status"]],
        grand_total=row[c["grand_total"]],
        base_grand_total=row[c["base_grand_total"]],
        sub_total=row[c["sub_total"]],
        order_currency_code=row[c["order_currency_code"]],
        base_currency_code=row[c["base_currency_code"]],
        channel_name=row[c["channel_name"]],
        customer_email=row[c["customer_email"]],
        customer_first_name=row[c["customer_first_name"]],
        customer_last_name=row[c["customer_last_name"]],
        created_at=row[c["created_at"]],
        updated_at=row[c["updated_at"]],
    )
