"""The statements every source over a platform's tables runs, built once per platform from
its `PurchaseTables`: a customer's page of purchases (with or without their count), the
count alone, one purchase, one order; each also with a token checked in the same statement
(app/sources/tokens.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa

from app.db import Prepared, Row
from app.models import Purchase
from app.sources.tokens import TokenStatement

# The column `counted_page_statement` and `count_statement` bring the count in.
TOTAL = "total_purchases"
# Whose purchases a statement reads, when the token was checked already.
CUSTOMER_ID: sa.BindParameter[Any] = sa.bindparam("customer_id")


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

    def filters(
        self, *, with_status: bool, token: TokenStatement | None = None
    ) -> list[sa.ColumnElement[bool]]:
        """The customer's listed purchases: the customer's id bound, or the one `token` may
        open."""
        filters = [self.customer_id == (CUSTOMER_ID if token is None else token.customer)]
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


def _checked(
    statement: sa.Select[Any],
    token: TokenStatement | None,
    key: str | None = None,
    *,
    newest_first: bool = True,
) -> Prepared:
    """`statement`, and with a token the token's facts beside each of its rows: one row of
    facts alone (the statement's columns NULL) when the statement finds nothing or the
    token has no row. `key`: the column the rows are ordered by."""
    if token is None:
        return Prepared(statement)
    read = statement.subquery("read")
    facts = token.facts.subquery("token")
    one = sa.select(sa.literal_column("1").label("one")).subquery("one")
    joined = one.outerjoin(facts, sa.text("1 = 1")).outerjoin(read, sa.text("1 = 1"))
    checked = sa.select(*facts.c, *read.c).select_from(joined)
    if key is not None:
        checked = checked.order_by(read.c[key].desc() if newest_first else read.c[key].asc())
    return Prepared(checked)


@cache
def page_statement(
    tables: PurchaseTables,
    *,
    newest_first: bool,
    with_status: bool,
    limited: bool,
    token: TokenStatement | None = None,
) -> Prepared:
    order = tables.key.desc() if newest_first else tables.key.asc()
    filters = tables.filters(with_status=with_status, token=token)
    rows = _page_rows(tables, filters, order, limited=limited)
    page = sa.select(*tables.columns).select_from(rows).order_by(order)
    return _checked(page, token, tables.key.name, newest_first=newest_first)


@cache
def counted_page_statement(
    tables: PurchaseTables, *, with_status: bool, token: TokenStatement | None = None
) -> Prepared:
    """A newest-first page and the count of every purchase it pages through, in one round
    trip: the count's one row outer-joined to the page's rows, so that a page past the end
    still brings the count (as one row whose purchase columns are NULL). The count reads the
    customer_id index alone, as `count_statement` does; `EXPLAIN` shows both parts planned
    as they are on their own."""
    filters = tables.filters(with_status=with_status, token=token)
    counted = (
        sa.select(sa.func.count().label(TOTAL)).select_from(tables.listed).where(*filters)
    ).subquery("counted")
    order = tables.key.desc()
    rows = _page_rows(tables, filters, order, limited=True)
    statement = (
        sa.select(counted.c[TOTAL], *tables.columns)
        .select_from(counted.outerjoin(rows, sa.text("1 = 1")))
        .order_by(order)
    )
    return _checked(statement, token, tables.key.name)


@cache
def count_statement(
    tables: PurchaseTables, *, with_status: bool, token: TokenStatement | None = None
) -> Prepared:
    statement = (
        sa.select(sa.func.count().label(TOTAL))
        .select_from(tables.listed)
        .where(*tables.filters(with_status=with_status, token=token))
    )
    return _checked(statement, token)


@cache
def purchase_statement(tables: PurchaseTables, token: TokenStatement | None = None) -> Prepared:
    statement = (
        sa.select(*tables.columns)
        .select_from(tables.listed.outerjoin(tables.orders, tables.orders_key == tables.order_id))
        .where(
            tables.key == sa.bindparam("purchase_id"),
            *tables.filters(with_status=False, token=token),
        )
    )
    return _checked(statement, token)


@cache
def order_statement(tables: PurchaseTables) -> Prepared:
    # An order is the customer's to see when one of their listed purchases came from it.
    return Prepared(
        sa.select(*order_columns(tables.orders))
        .select_from(tables.listed.join(tables.orders, tables.orders_key == tables.order_id))
        .where(tables.order_id == sa.bindparam("order_id"), *tables.filters(with_status=False))
        .limit(1)
    )
