"""A customer's purchase list, fetched lazily: a field that is not selected costs no query."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from app.domain.fair_share import take_rows
from app.domain.once import Once
from app.domain.pagination import PageRequest
from app.errors import bad_id
from app.models import Purchase
from app.notation import whole_number
from app.sources import NO_MATCH, Source, StatusFilter

if TYPE_CHECKING:
    from app.domain.current_customer import CurrentCustomer


@dataclass(frozen=True)
class Page:
    start: int  # offset of the first purchase
    purchases: Sequence[Purchase]
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.start > 0


IRI_PREFIX = "/api/shop/customer-downloadable-products/"
# Row ids are BIGINTs: a larger number names no row.
_MAX_ID = 2**63 - 1


def purchase_id(raw: str, *, iri: bool) -> tuple[str, int | None]:
    """A purchase id as a client wrote it: the number without leading zeros (for the
    not-found message) and its value, None when no row can have it. With `iri`, the IRI
    form (`/api/shop/customer-downloadable-products/1`) is accepted too."""
    text = raw.strip() if iri else raw
    if iri and text.startswith(IRI_PREFIX):
        text = text[len(IRI_PREFIX) :]
    if not (text.isascii() and text.isdigit()):
        raise bad_id()
    return text.lstrip("0") or "0", whole_number(text, _MAX_ID)


def parse_status(status: str | None, allowed: Sequence[str]) -> StatusFilter:
    """The status to filter on, in any case (as Bagisto's collation compares it); None for
    no filter; NO_MATCH for a value that is not a status the customer may see, which lists
    nothing, as on Bagisto (and never rows the platform hides, such as Magento's
    `pending_payment`)."""
    if status is None:
        return None
    folded = status.lower()
    return folded if folded in allowed else NO_MATCH


class PurchaseList:
    """`with_total`: the count is asked for beside the page, and a page that needs no count
    to find its window then brings it in the same statement (`Source.counted_page`)."""

    def __init__(
        self,
        source: Source,
        customer: CurrentCustomer,
        *,
        status: StatusFilter,
        request: PageRequest,
        with_total: bool = False,
    ) -> None:
        self.source = source
        self.customer = customer
        self.status = status
        self.request = request
        # The count comes with the page when a page needs no count to find its window.
        self._counted = with_total and not request.needs_total
        self._counted_once: Once[tuple[Page, int]] = Once()
        self._total: Once[int] = Once()
        self._page_once: Once[Page] = Once()
        self._everything_once: Once[Sequence[Purchase]] = Once()

    def total(self) -> Awaitable[int]:
        return self._total(self._count)

    def page(self) -> Awaitable[Page]:
        return self._page_once(self._page)

    def everything(self) -> Awaitable[Sequence[Purchase]]:
        return self._everything_once(self._everything)

    async def _everything(self) -> Sequence[Purchase]:
        """All matching purchases, oldest first: Magento's `items`."""
        read = partial(
            self.source.purchases, status=self.status, offset=0, limit=None, newest_first=False
        )
        purchases = await self.customer.read(read)
        await take_rows(len(purchases))
        return purchases

    async def _count(self) -> int:
        if self._counted:
            return (await self._counted_once(self._counted_page))[1]
        return await self.customer.read(partial(self.source.count_purchases, status=self.status))

    async def _page(self) -> Page:
        if self._counted:
            return (await self._counted_once(self._counted_page))[0]
        total = await self.total() if self.request.needs_total else None
        start, stop = self.request.window(total)
        # One row past the window tells whether a next page exists without a count.
        read = partial(
            self.source.purchases, status=self.status, offset=start, limit=stop - start + 1
        )
        rows = await self.customer.read(read)
        return await _page(start, stop, rows)

    async def _counted_page(self) -> tuple[Page, int]:
        start, stop = self.request.window()
        read = partial(
            self.source.counted_page, status=self.status, offset=start, limit=stop - start + 1
        )
        rows, total = await self.customer.read(read)
        return await _page(start, stop, rows), total


async def _page(start: int, stop: int, rows: Sequence[Purchase]) -> Page:
    await take_rows(len(rows))
    return Page(start=start, purchases=rows[: stop - start], has_next=len(rows) > stop - start)
