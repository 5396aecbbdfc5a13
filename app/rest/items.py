"""The REST items' wire format: one table of fields, which the handlers (app/rest/routes.py)
write and app/rest/openapi.py documents, so that the document cannot drift from the answers."""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from app.models import Order, Purchase
from app.notation import iso8601


@dataclass(frozen=True)
class Field:
    key: str
    # The Python type of the value before it is written; app/rest/openapi_schemas.py turns it into a
    # schema.
    type: Any
    value: Callable[[Any, str], Any]  # (record, base URL) -> the value as Python has it
    description: str


def _wire(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso8601(value)
    if isinstance(value, Decimal):  # DECIMAL(12,4): clients expect 29.99, as on GraphQL
        return float(value)
    return value


@cache
def _types(record: type) -> dict[str, Any]:
    """The declared types of a record's attributes and properties."""
    types = typing.get_type_hints(record)
    for name, member in vars(record).items():
        if isinstance(member, property) and member.fget is not None:
            types[name] = typing.get_type_hints(member.fget)["return"]
    return types


def _attribute(key: str, name: str, description: str, record: type = Purchase) -> Field:
    # The type comes from the record itself: nullability is what the service sends.
    return Field(key, _types(record)[name], lambda obj, _: _wire(getattr(obj, name)), description)


ORDER_FIELDS: tuple[Field, ...] = (
    _attribute("id", "id", "Order number (the order's database id).", Order),
    _attribute("incrementId", "increment_id", "Order number as the customer sees it.", Order),
    _attribute("status", "status", "Order status, e.g. `completed` or `pending`.", Order),
    _attribute("grandTotal", "grand_total", "Order total in the order's currency.", Order),
)


def _order(purchase: Purchase, _: str) -> dict[str, Any] | None:
    return None if purchase.order is None else _object(ORDER_FIELDS, purchase.order, "")


ITEM_FIELDS: tuple[Field, ...] = (
    _attribute("id", "id", "Purchase number."),
    _attribute("productName", "product_name", "Name of the product bought."),
    _attribute("name", "name", "Title of the download link."),
    _attribute("url", "url", "Where a link of type `url` points."),
    _attribute("file", "file", "Storage path of a link of type `file`."),
    _attribute("fileName", "file_name", "File name shown to the customer."),
    _attribute("type", "type", "How the download is delivered: `file` or `url`."),
    _attribute("downloadBought", "download_bought", "Downloads bought; 0 means unlimited."),
    _attribute("downloadUsed", "download_used", "Downloads used so far."),
    _attribute("downloadCanceled", "download_canceled", "Downloads cancelled (refunded)."),
    _attribute("status", "status", "Purchase status: a value the `status` parameter takes."),
    _attribute(
        "remainingDownloads",
        "remaining_downloads",
        "max(0, bought - used - cancelled); null when downloads are unlimited.",
    ),
    # The same value as the GraphQL field: the base URL and the source's (encoded) path.
    Field(
        "downloadUrl",
        str,
        lambda purchase, base_url: base_url + purchase.download_path,
        "Absolute URL of the platform's download route for this purchase.",
    ),
    _attribute("customerId", "customer_id", "The customer who bought it."),
    _attribute("orderId", "order_id", "Number of the order it was bought with."),
    _attribute("orderItemId", "order_item_id", "Number of the order line it was bought with."),
    Field("order", Order | None, _order, "The order it was bought with; null if it is gone."),
    _attribute("createdAt", "created_at", "When it was bought (UTC, ISO 8601)."),
    _attribute("updatedAt", "updated_at", "When it last changed (UTC, ISO 8601)."),
)


def _object(fields: tuple[Field, ...], record: Any, base_url: str) -> dict[str, Any]:
    return {field.key: field.value(record, base_url) for field in fields}


def item_json(purchase: Purchase, base_url: str) -> dict[str, Any]:
    return _object(ITEM_FIELDS, purchase, base_url)
