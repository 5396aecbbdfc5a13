"""An in-memory source, for tests of the request pipeline that need no database (the
`unit` tier). It speaks the same records as the real sources (app/models.py) and fails
on demand the way a database does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from app.db import DatabaseUnavailable
from app.models import Order, Purchase, StorefrontKey
from app.sources.magento_stores import StoreScope
from app.sources.tokens import Customer, TokenCheck

SHOP_KEY = "pk_fake_shop"
LIMITED_KEY = "pk_fake_limited"  # 2 requests an hour
JANE_TOKEN = "jane-token"
JANE = 1


WHEN = datetime(2025, 6, 15, 10, 30, tzinfo=UTC)


def order(id: int = 101, *, when: datetime = WHEN, **changes: Any) -> Order:
    """An order as the sources read one: `changes` set any field (grand_total, ...)."""
    fields: dict[str, Any] = dict(
        id=id, increment_id=str(id), status="completed",
        grand_total=None, base_grand_total=None, sub_total=None,
        order_currency_code="USD", base_currency_code="USD", channel_name="Default",
        customer_email=None, customer_first_name=None, customer_last_name=None,
        created_at=when, updated_at=when,
    )  # fmt: skip
    return Order(**(fields | changes))


_order = order  # (purchase's own `order` argument hides it)


def purchase(
    id: int,
    customer_id: int = JANE,
    status: str = "available",
    *,
    order: Order | None = None,
    **changes: Any,
) -> Purchase:
    """Purchase `id` of a book, in `order` (order 100 + id, at WHEN + id seconds, when not
    given): `changes` set any other field."""
    when = WHEN.replace(second=id % 60)
    if order is None:
        order = _order(100 + id, when=when)
    fields: dict[str, Any] = dict(
        id=id, customer_id=customer_id, order_id=order.id, order_item_id=1000 + id,
        product_name=f"Book {id}", name="PDF", url=None, file=f"books/{id}.pdf",
        file_name=f"{id}.pdf", type="file", download_bought=3, download_used=1,
        download_canceled=0, status=status, created_at=when, updated_at=when,
        order_increment_id=order.increment_id,
        download_path=f"/api/shop/customer-downloadable-products/{id}/download",
        order_reader=lambda: order,
    )  # fmt: skip
    return Purchase(**(fields | changes))


@dataclass
class FakeSource:
    rows: list[Purchase] = field(default_factory=lambda: [purchase(n) for n in range(1, 6)])
    tokens: dict[str, int] = field(default_factory=lambda: {JANE_TOKEN: JANE})
    keys: dict[str, StorefrontKey] = field(
        default_factory=lambda: {
            SHOP_KEY: StorefrontKey(1, SHOP_KEY, None, (), None),
            LIMITED_KEY: StorefrontKey(2, LIMITED_KEY, 2, (), None),
        }
    )
    with_keys: bool = True
    # What the next calls raise, as a database would: None, or an exception to raise.
    failure: Exception | None = None
    statuses: tuple[str, ...] = ("pending", "available", "expired")
    tables: tuple[sa.TableClause, ...] = ()
    stores: StoreScope | None = None
    # Its tokens are checked on their own (customer_for_token), never within a read.
    reads_sign_in: bool = False

    @property
    def storefront_keys(self) -> FakeSource | None:
        return self if self.with_keys else None

    def _fail(self) -> None:
        if self.failure is not None:
            raise self.failure

    def token_check(self, token: str) -> TokenCheck | None:
        raise AssertionError("the fake checks tokens with customer_for_token alone")

    async def customer_for_token(self, token: str) -> int | None:
        self._fail()
        return self.tokens.get(token)

    async def find_storefront_key(self, key: str) -> StorefrontKey | None:
        self._fail()
        return self.keys.get(key)

    def _mine(self, customer: Customer, status: object) -> list[Purchase]:
        assert isinstance(customer, int), "reads_sign_in is off: reads get the id"
        customer_id = customer
        return [
            row
            for row in self.rows
            if row.customer_id == customer_id and (status is None or row.status == status)
        ]

    async def purchases(
        self,
        customer_id: Customer,
        *,
        status: str | None,
        offset: int,
        limit: int | None,
        newest_first: bool = True,
    ) -> Sequence[Purchase]:
        self._fail()
        rows = sorted(self._mine(customer_id, status), key=lambda r: r.id, reverse=newest_first)
        return rows[offset:] if limit is None else rows[offset : offset + limit]

    async def count_purchases(self, customer_id: Customer, *, status: str | None) -> int:
        self._fail()
        return len(self._mine(customer_id, status))

    async def counted_page(
        self, customer_id: Customer, *, status: str | None, offset: int, limit: int
    ) -> tuple[Sequence[Purchase], int]:
        page = await self.purchases(customer_id, status=status, offset=offset, limit=limit)
        return page, await self.count_purchases(customer_id, status=status)

    async def purchase(self, customer_id: Customer, purchase_id: int) -> Purchase | None:
        self._fail()
        mine = self._mine(customer_id, None)
        return next((row for row in mine if row.id == purchase_id), None)

    async def order(self, customer_id: int, order_id: int) -> Order | None:
        self._fail()
        mine = self._mine(customer_id, None)
        return next((row.order for row in mine if row.order_id == order_id), None)

    async def census(self) -> dict[str, int]:
        return {"purchases": len(self.rows)}


UNAVAILABLE = DatabaseUnavailable("MySQL error 2003")
