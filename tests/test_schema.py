"""schema.graphql and the resolvers agree: no field of a record type silently resolves to null.

Ariadne already refuses a resolver for a field the SDL lacks; this covers the other way
round (a field whose default resolver or alias reads an attribute that does not exist).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from graphql import GraphQLObjectType, default_field_resolver

from app.application import executable_schema
from app.models import Order, Purchase

AT = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

ORDER = Order(
    id=7,
    increment_id="000000007",
    status="completed",
    grand_total=Decimal("1.5"),
    base_grand_total=Decimal("1.5"),
    sub_total=Decimal("1.5"),
    order_currency_code="EUR",
    base_currency_code="EUR",
    channel_name="Default",
    customer_email="a@example.com",
    customer_first_name="A",
    customer_last_name="B",
    created_at=AT,
    updated_at=AT,
)

PURCHASE = Purchase(
    id=3,
    customer_id=4,
    order_id=7,
    order_item_id=8,
    product_name="Book",
    name="PDF",
    url="https://example.com/book",
    file="downloadable/book.pdf",
    file_name="book.pdf",
    type="file",
    download_bought=5,
    download_used=1,
    download_canceled=1,
    status="available",
    created_at=AT,
    updated_at=AT,
    order_increment_id="000000007",
    download_path="/download/3",
    order=ORDER,
)


@dataclass
class Info:
    field_name: str
    context: Any = field(default_factory=lambda: SimpleNamespace(base_url="https://x.example"))


@pytest.mark.parametrize(
    ("type_name", "record"),
    [("CustomerDownloadableProduct", PURCHASE), ("CustomerOrder", ORDER)],
)
def test_every_field_of_a_record_type_reads_a_value(type_name: str, record: object) -> None:
    type_ = executable_schema().type_map[type_name]
    assert isinstance(type_, GraphQLObjectType)

    nulls = [
        name
        for name, definition in type_.fields.items()
        if (definition.resolve or default_field_resolver)(record, Info(name)) is None
    ]

    assert nulls == []
