"""The records every source maps its tables to; nothing above the sources sees a table.

`Order` and `Purchase` are built for every row of every page, so they are not frozen: a
frozen dataclass sets each field through `object.__setattr__`, which makes building one
about twice as slow (4.5 against 2.6 µs for a `Purchase`). Nothing changes them once a
source has built them. Their timestamps are as the database gave them, all UTC: naive, or
aware (app/notation.py writes both)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(slots=True)
class Order:
    id: int
    increment_id: str | None
    status: str | None
    grand_total: Decimal | None
    base_grand_total: Decimal | None
    sub_total: Decimal | None
    order_currency_code: str | None
    base_currency_code: str | None
    channel_name: str | None
    customer_email: str | None
    customer_first_name: str | None
    customer_last_name: str | None
    created_at: datetime | None
    updated_at: datetime | None


_UNREAD = object()


@dataclass(slots=True)
class Purchase:
    """One purchased downloadable link."""

    id: int
    customer_id: int
    order_id: int | None
    order_item_id: int | None
    product_name: str | None
    name: str | None
    url: str | None
    file: str | None
    file_name: str | None
    type: str | None
    download_bought: int
    download_used: int
    download_canceled: int
    status: str | None
    created_at: datetime | None
    updated_at: datetime | None
    order_increment_id: str | None
    # Path of the platform's own download route, relative to the public base URL (encoded).
    download_path: str
    # Reads the order it was bought with (None: gone) from the purchase's row, the first
    # time `order` is asked for: most views show none (Magento's never), and building one
    # costs more than the rest of the row.
    order_reader: Callable[[], Order | None] = field(repr=False, compare=False)
    _order: Any = field(default=_UNREAD, init=False, repr=False, compare=False)

    @property
    def order(self) -> Order | None:
        order = self._order
        if order is _UNREAD:
            order = self._order = self.order_reader()
        return order  # type: ignore[no-any-return]

    @property
    def is_unlimited(self) -> bool:
        return self.download_bought == 0

    @property
    def remaining_downloads(self) -> int | None:
        if self.is_unlimited:
            return None
        return max(0, self.download_bought - self.download_used - self.download_canceled)


@dataclass(frozen=True, slots=True)
class StorefrontKey:
    id: int
    key: str
    rate_limit: int | None
    allowed_ips: tuple[str, ...]
    expires_at: datetime | None
    # Found so that its refusal can be logged as "inactive"; never accepted.
    active: bool = True
