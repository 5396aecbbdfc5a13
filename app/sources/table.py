"""What every source over a platform's tables shares: a customer's purchases paged, counted
and fetched one at a time, the orders they came from, and which database each read goes to.
A platform supplies its tables (`PurchaseTables`), its row mapping and its credentials."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa

from app.db import Database, Prepared, Reads, Row
from app.models import Order, Purchase
from app.sources.base import NoMatch, SourceSettings, StatusFilter, StorefrontKeyStore
from app.sources.common import count_rows, read_order

if TYPE_CHECKING:
    from app.sources.magento_stores import StoreScope

# The column `counted_page_statement` brings the count in.
TOTAL = "total_purchases"


# eq=False: statements are cached per platform, by identity (SQL columns do not compare).
@dataclass(frozen=True, eq=False)
class PurchaseTables:
    # A customer's purchases, one row each, as the platform lists them.
    listed: sa.FromClause
    # The purchase id: pages are ordered by it.
    key: sa.ColumnElement[int]
    customer_id: sa.ColumnElement[int]
    status: sa.ColumnElement[str]
    # The purchase's order id, and the orders table's own.
    order_id: sa.ColumnElement[int]
    orders: sa.TableClause
    orders_key: sa.ColumnElement[int]
    # A purchase row: the purchase's columns and its order's, labelled `o_<column>`.
    columns: Sequence[sa.ColumnElement[Any]]
    # The page's ids (a subquery with the `key` column) joined back to the purchases' tables.
    rejoin: Callable[[sa.Subquery], sa.FromClause]
    to_purchase: Callable[[Row], Purchase]
    # Where an order row's fields are (`common.order_keys`).
    order_keys: Mapping[str, str]
    # The statuses listed when the customer asks for none; None lists every row.
    shown: tuple[str, ...] | None = None

    def filters(self, *, with_status: bool) -> list[sa.ColumnElement[bool]]:
        filters = [self.customer_id == sa.bindparam("customer_id")]
        if with_status:
            filters.append(self.status == sa.bindparam("status"))
        elif self.shown is not None:
            # OR, not IN: a statement compiled once cannot expand an IN list (`Prepared`).
            filters.append(sa.or_(*(self.status == status for status in self.shown)))
        return filters


def order_columns(orders: sa.TableClause) -> list[sa.Label[Any]]:
    """The order's columns as a purchase row holds them, beside the purchase's own."""
    return [column.label(f"o_{column.name}") for column in orders.columns]


def _page_rows(
    tables: PurchaseTables,
    filters: list[sa.ColumnElement[bool]],
    order: sa.UnaryExpression[int],
    *,
    limited: bool,
) -> sa.FromClause:
    """A page's purchase rows with their orders. The page's ids are picked from the
    customer_id index first and joined after: MariaDB otherwise plans the orders join
    first and filesorts a large customer's rows."""
    page = (
        sa.select(tables.key)
        .select_from(tables.listed)
        .where(*filters)
        .order_by(order)
        .offset(sa.bindparam("offset", type_=sa.Integer))
    )
    if limited:
        page = page.limit(sa.bindparam("limit", type_=sa.Integer))
    rows = tables.rejoin(page.subquery("page"))
    return rows.outerjoin(tables.orders, tables.orders_key == tables.order_id)


@cache
def page_statement(
    tables: PurchaseTables, *, newest_first: bool, with_status: bool, limited: bool
) -> Prepared:
    order = tables.key.desc() if newest_first else tables.key.asc()
    filters = tables.filters(with_status=with_status)
    rows = _page_rows(tables, filters, order, limited=limited)
    return Prepared(sa.select(*tables.columns).select_from(rows).order_by(order))


@cache
def counted_page_statement(tables: PurchaseTables, *, with_status: bool) -> Prepared:
    """A newest-first page and the count of every purchase it pages through, in one round
    trip: the count's one row outer-joined to the page's rows, so that a page past the end
    still brings the count (as one row whose purchase columns are NULL). The count reads the
    customer_id index alone, as `count_statement` does; `EXPLAIN` shows both parts planned
    as they are on their own."""
    filters = tables.filters(with_status=with_status)
    counted = (
        sa.select(sa.func.count().label(TOTAL)).select_from(tables.listed).where(*filters)
    ).subquery("counted")
    order = tables.key.desc()
    rows = _page_rows(tables, filters, order, limited=True)
    return Prepared(
        sa.select(counted.c[TOTAL], *tables.columns)
        .select_from(counted.outerjoin(rows, sa.text("1 = 1")))
        .order_by(order)
    )


@cache
def count_statement(tables: PurchaseTables, *, with_status: bool) -> Prepared:
    return Prepared(
        sa.select(sa.func.count())
        .select_from(tables.listed)
        .where(*tables.filters(with_status=with_status))
    )


@cache
def purchase_statement(tables: PurchaseTables) -> Prepared:
    return Prepared(
        sa.select(*tables.columns)
        .select_from(tables.listed.outerjoin(tables.orders, tables.orders_key == tables.order_id))
        .where(tables.key == sa.bindparam("purchase_id"), *tables.filters(with_status=False))
    )


@cache
def order_statement(tables: PurchaseTables) -> Prepared:
    # An order is the customer's to see when one of their listed purchases came from it.
    return Prepared(
        sa.select(*order_columns(tables.orders))
        .select_from(tables.listed.join(tables.orders, tables.orders_key == tables.order_id))
        .where(tables.order_id == sa.bindparam("order_id"), *tables.filters(with_status=False))
        .limit(1)
    )


class TableSource(ABC):
    statuses: ClassVar[tuple[str, ...]]
    tables: ClassVar[tuple[sa.TableClause, ...]]
    purchase_tables: ClassVar[PurchaseTables]
    # Larger purchase and order ids cannot exist, and some drivers cannot even bind them.
    max_id: ClassVar[int]
    # The platform's own settings (`Settings.source_settings`), and what they are.
    own: SourceSettings
    own_settings: ClassVar[type[SourceSettings]]

    def __init__(
        self, database: Database, own: SourceSettings, replica: Reads | None = None
    ) -> None:
        # Credentials are read from the primary, so that a token issued (or revoked) a
        # moment ago counts at once; purchases from the replica, when there is one.
        self.database = database
        self.reads: Reads = replica or database
        self.own = own

    @property
    def storefront_keys(self) -> StorefrontKeyStore | None:
        return None

    @property
    def stores(self) -> StoreScope | None:
        return None

    @abstractmethod
    async def customer_for_token(self, token: str) -> int | None: ...

    @abstractmethod
    def counted(self) -> dict[str, sa.FromClause]:
        """What `census` counts, by the operator's name for it."""

    async def purchases(
        self,
        customer_id: int,
        *,
        status: StatusFilter,
        offset: int,
        limit: int | None,
        newest_first: bool = True,
    ) -> Sequence[Purchase]:
        if isinstance(status, NoMatch):
            return ()
        tables = self.purchase_tables
        query = page_statement(
            tables,
            newest_first=newest_first,
            with_status=status is not None,
            limited=limit is not None,
        )
        return await self.reads.fetch_into(
            tables.to_purchase,
            query,
            customer_id=customer_id,
            status=status,
            offset=offset,
            limit=limit,
        )

    async def counted_page(
        self, customer_id: int, *, status: StatusFilter, offset: int, limit: int
    ) -> tuple[Sequence[Purchase], int]:
        if isinstance(status, NoMatch):
            return (), 0
        tables = self.purchase_tables
        key, to_purchase = tables.key.name, tables.to_purchase

        def read(row: Row) -> tuple[int, Purchase | None]:
            return row[TOTAL], None if row[key] is None else to_purchase(row)

        rows = await self.reads.fetch_into(
            read,
            counted_page_statement(tables, with_status=status is not None),
            customer_id=customer_id,
            status=status,
            offset=offset,
            limit=limit,
        )
        return [purchase for _, purchase in rows if purchase is not None], int(rows[0][0])

    async def count_purchases(self, customer_id: int, *, status: StatusFilter) -> int:
        if isinstance(status, NoMatch):
            return 0
        query = count_statement(self.purchase_tables, with_status=status is not None)
        return int(await self.reads.fetch_value(query, customer_id=customer_id, status=status))

    async def purchase(self, customer_id: int, purchase_id: int) -> Purchase | None:
        if purchase_id > self.max_id:
            return None
        tables = self.purchase_tables
        row = await self.reads.fetch_one(
            purchase_statement(tables), purchase_id=purchase_id, customer_id=customer_id
        )
        return None if row is None else tables.to_purchase(row)

    async def order(self, customer_id: int, order_id: int) -> Order | None:
        if order_id > self.max_id:
            return None
        tables = self.purchase_tables
        row = await self.reads.fetch_one(
            order_statement(tables), order_id=order_id, customer_id=customer_id
        )
        return None if row is None else read_order(row, tables.order_keys)

    async def census(self) -> dict[str, int]:
        return await count_rows(self.reads, self.counted())
