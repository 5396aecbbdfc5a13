"""What a source must provide. Implementations: one module per platform."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import Field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import sqlalchemy as sa

from app.models import Order, Purchase, StorefrontKey

if TYPE_CHECKING:
    from app.sources.magento_stores import StoreScope
    from app.sources.tokens import Customer, TokenCheck


class NoMatch:
    """A `status` filter no purchase matches: the value asked for is not a status."""

    def __repr__(self) -> str:
        return "NO_MATCH"


NO_MATCH = NoMatch()
# A status to filter on, None for every listed purchase, or NO_MATCH for none.
StatusFilter = str | None | NoMatch


class SourceSettings(Protocol):
    """A platform's own settings: a frozen dataclass in the source's module, each field
    declared with `setting()` from a `Variable` declared there too (its defaults are the
    platform's). app.settings reads them, the README's table and `check` describe them."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    def warnings(self) -> list[str]:
        """What an operator should hear about these values, at start and from `check`."""


class SourceChoice(Protocol):
    """Which source the settings name, and its own settings (app.settings.Settings)."""

    @property
    def source(self) -> str: ...

    @property
    def source_settings(self) -> SourceSettings: ...


class StorefrontKeyStore(Protocol):
    async def find_storefront_key(self, key: str) -> StorefrontKey | None:
        """The not deleted shop key with that value, whatever its status, expiry and IPs."""


class Source(Protocol):
    @property
    def statuses(self) -> tuple[str, ...]:
        """The statuses a customer may filter on."""

    @property
    def storefront_keys(self) -> StorefrontKeyStore | None:
        """None when the platform has no storefront keys: the Bagisto paths then need none."""

    @property
    def stores(self) -> StoreScope | None:
        """The platform's store views, which pick the base of download URLs per request
        (Magento, docs/behaviour.md §9); None when requests have no store."""

    @property
    def tables(self) -> tuple[sa.TableClause, ...]:
        """Every table and column the source reads, with the types it reads them as
        (`downloads-api check` compares them with the database)."""

    @property
    def reads_sign_in(self) -> bool:
        """Whether the reads below take a `SignIn` as their customer, checking the token in
        their own statement."""

    def token_check(self, token: str) -> TokenCheck | None:
        """A bearer token's check; None when it is refused before any statement (the reason
        logged)."""

    async def customer_for_token(self, token: str) -> int | None:
        """The id of the customer a bearer token belongs to, or None (the reason logged)."""

    async def purchases(
        self,
        customer: Customer,
        *,
        status: StatusFilter,
        offset: int,
        limit: int | None,
        newest_first: bool = True,
    ) -> Sequence[Purchase]: ...

    async def count_purchases(self, customer: Customer, *, status: StatusFilter) -> int: ...

    async def counted_page(
        self, customer: Customer, *, status: StatusFilter, offset: int, limit: int
    ) -> tuple[Sequence[Purchase], int]:
        """A newest-first page, as `purchases` reads it, and `count_purchases`, in one
        round trip."""

    async def purchase(self, customer: Customer, purchase_id: int) -> Purchase | None: ...

    async def order(self, customer_id: int, order_id: int) -> Order | None:
        """An order one of the customer's purchases came from (`node(id:)` refetches it)."""

    async def census(self) -> dict[str, int]:
        """What the database holds, in the operator's words: {"purchases": 17, ...}."""
