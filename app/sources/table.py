"""What every source over a platform's tables shares: a customer's purchases paged, counted
and fetched one at a time, the orders they came from, and which database each read goes to.
A platform supplies its tables (`PurchaseTables`), its row mapping and its token checks.
The statements are built in app/sources/statements.py."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import sqlalchemy as sa

from app.db import Database, Prepared, Reads, Row
from app.models import Order, Purchase
from app.sources.base import NoMatch, SourceSettings, StatusFilter, StorefrontKeyStore
from app.sources.common import count_rows, read_order
from app.sources.statements import (
    TOTAL,
    PurchaseTables,
    count_statement,
    counted_page_statement,
    order_statement,
    page_statement,
    purchase_statement,
)
from app.sources.tokens import Customer, SignIn, TokenCheck

if TYPE_CHECKING:
    from app.sources.magento_stores import StoreScope

T = TypeVar("T")


def _total(row: Row) -> int:
    return int(row[TOTAL])


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
    def token_check(self, token: str) -> TokenCheck | None:
        """The token's check; None when it is refused before any statement (the reason
        logged)."""

    @abstractmethod
    def counted(self) -> dict[str, sa.FromClause]:
        """What `census` counts, by the operator's name for it."""

    @property
    def reads_sign_in(self) -> bool:
        """Whether a read may check the token too (`SignIn`): not when the rows come from a
        replica, which may lag behind the credentials."""
        return self.reads is self.database

    async def customer_for_token(self, token: str) -> int | None:
        check = self.token_check(token)
        return None if check is None else await self._judged_alone(check)

    async def _judged_alone(self, check: TokenCheck) -> int | None:
        """The token's verdict on its facts, read by their own statement (on the primary)."""
        return check.verdict(await self.database.fetch_one(check.statement.alone, **check.values))

    async def purchases(
        self,
        customer: Customer,
        *,
        status: StatusFilter,
        offset: int,
        limit: int | None,
        newest_first: bool = True,
    ) -> Sequence[Purchase]:
        if isinstance(status, NoMatch):
            await self._sign_in_alone(customer)
            return ()
        tables = self.purchase_tables
        statement = partial(
            page_statement,
            tables,
            newest_first=newest_first,
            with_status=status is not None,
            limited=limit is not None,
        )
        return await self._read(
            customer,
            statement,
            tables.to_purchase,
            tables.key.name,
            status=status,
            offset=offset,
            limit=limit,
        )

    async def counted_page(
        self, customer: Customer, *, status: StatusFilter, offset: int, limit: int
    ) -> tuple[Sequence[Purchase], int]:
        if isinstance(status, NoMatch):
            await self._sign_in_alone(customer)
            return (), 0
        tables = self.purchase_tables
        key, to_purchase = tables.key.name, tables.to_purchase

        def read(row: Row) -> tuple[int, Purchase | None]:
            return row[TOTAL], None if row[key] is None else to_purchase(row)

        statement = partial(counted_page_statement, tables, with_status=status is not None)
        rows = await self._read(
            customer, statement, read, TOTAL, status=status, offset=offset, limit=limit
        )
        if not rows:  # the token was refused
            return (), 0
        return [purchase for _, purchase in rows if purchase is not None], int(rows[0][0])

    async def count_purchases(self, customer: Customer, *, status: StatusFilter) -> int:
        if isinstance(status, NoMatch):
            await self._sign_in_alone(customer)
            return 0
        statement = partial(count_statement, self.purchase_tables, with_status=status is not None)
        counts = await self._read(customer, statement, _total, TOTAL, status=status)
        return counts[0] if counts else 0

    async def purchase(self, customer: Customer, purchase_id: int) -> Purchase | None:
        if purchase_id > self.max_id:
            await self._sign_in_alone(customer)
            return None
        tables = self.purchase_tables
        statement = partial(purchase_statement, tables)
        found = await self._read(
            customer, statement, tables.to_purchase, tables.key.name, purchase_id=purchase_id
        )
        return found[0] if found else None

    async def order(self, customer_id: int, order_id: int) -> Order | None:
        if order_id > self.max_id:
            return None
        tables = self.purchase_tables
        row = await self.reads.fetch_one(
            order_statement(tables), order_id=order_id, customer_id=customer_id
        )
        return None if row is None else read_order(row, tables.order_keys)

    async def _read(
        self,
        customer: Customer,
        statement: Callable[..., Prepared],
        into: Callable[[Row], T],
        present: str,
        **values: Any,
    ) -> list[T]:
        """The records of `statement(token=...)`'s rows for the customer, each made by
        `into`. With a `SignIn`, the token is checked in the same statement: its verdict is
        set on the SignIn, and no record comes unless it names the customer. `present`: a
        column of the read's own that is never NULL in a row it found."""
        if not isinstance(customer, SignIn):
            return await self.reads.fetch_into(
                into, statement(token=None), customer_id=customer, **values
            )
        check = customer.check
        facts: list[Row | None] = []

        def read(row: Row) -> T | None:
            if not facts:
                facts.append(check.facts(row))
            return None if row[present] is None else into(row)

        records = await self.database.fetch_into(
            read, statement(token=check.statement), **check.values, **values
        )
        customer.customer_id = check.verdict(facts[0] if facts else None)
        if customer.customer_id is None:
            return []
        return [record for record in records if record is not None]

    async def _sign_in_alone(self, customer: Customer) -> None:
        """A SignIn's verdict where the read needs no statement of its own."""
        if isinstance(customer, SignIn):
            customer.customer_id = await self._judged_alone(customer.check)

    async def census(self) -> dict[str, int]:
        return await count_rows(self.reads, self.counted())
