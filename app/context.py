"""What resolvers and REST handlers work with: one request's context, free of HTTP.

`RequestContext` is built fresh for every request (app/http/request_context.py reads it off
the request) and holds what answering needs: the source, the settings, the base of download
URLs and the customer, looked up at most once, only when something asks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from app.db import DatabaseUnavailable
from app.domain.current_customer import CurrentCustomer
from app.domain.once import Once
from app.domain.pagination import PageRequest
from app.domain.purchases import PurchaseList, purchase_id
from app.errors import ApiError, not_found
from app.models import Order, Purchase
from app.settings import Settings
from app.sources import Source, StatusFilter

T = TypeVar("T")


@dataclass
class RequestContext:
    source: Source
    settings: Settings
    # What download paths are appended to: the store's link base on a source with store
    # views (app/http/request_context.py), else PUBLIC_BASE_URL or the request's own base URL.
    base_url: str
    # The bearer token that came with the request, if any.
    token: str | None
    # Why the customer cannot be looked up at all: the database was found down already.
    unavailable: DatabaseUnavailable | None = None
    # Who signed in: looked up once, only when something asks.
    customer: CurrentCustomer = field(init=False)
    # Single purchases and orders looked up in this request, by id.
    _purchases: dict[int, Once[Purchase | None]] = field(init=False, default_factory=dict)
    _orders: dict[int, Once[Order | None]] = field(init=False, default_factory=dict)
    # The customer's purchase lists asked for in this request, by filter and page.
    _lists: dict[tuple[StatusFilter, PageRequest], PurchaseList] = field(
        init=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self.customer = CurrentCustomer(self.source, self.token, self.unavailable)

    def customer_id(self) -> Awaitable[int]:
        """The id of the signed-in customer; raises ApiError(UNAUTHORIZED) when there is
        none."""
        return self.customer.id()

    async def customer_first(self, parse: Callable[[], T]) -> T:
        """What `parse()` makes of the client's input. When it refuses the input, the
        customer is looked up first, so that a bad token is what the client hears rather
        than the bad input, in the platforms' order."""
        try:
            return parse()
        except ApiError:
            await self.customer_id()
            raise

    async def purchase_named(self, raw: str, *, iri: bool) -> Purchase:
        """The customer's purchase with the id as the client wrote it (`purchase_id`);
        raises ApiError: unauthorized first, then a malformed id, then not found, whether it
        is missing or another customer's."""
        number, value = await self.customer_first(partial(purchase_id, raw, iri=iri))
        if value is None:  # no row can have it
            await self.customer_id()
            raise not_found(number)
        found = await self.purchase(value)  # the token may be checked in its statement
        if found is None:
            raise not_found(number)
        return found

    def purchase(self, purchase_id: int) -> Awaitable[Purchase | None]:
        """One of the customer's purchases, None when they have none with that id. Looked
        up once a request: an answer with an error is worked out twice
        (app/graphql/execution/runner.py), and `node(id:)` and `customerDownloadableProduct(id:)`
        may ask for the same one. The token may be checked in the same statement."""
        once = self._purchases.get(purchase_id)
        if once is None:
            once = self._purchases[purchase_id] = Once()
        read = partial(self.source.purchase, purchase_id=purchase_id)
        return once(partial(self.customer.read, read))

    def purchase_list(
        self, status: StatusFilter, request: PageRequest, *, with_total: bool = False
    ) -> PurchaseList:
        """The customer's purchases under a filter, each query run at most once a request
        (an answer with an error is worked out twice, app/graphql/execution/runner.py);
        `with_total`: the count will be asked for too (`PurchaseList`). Its first read may
        check the token in the same statement."""
        key = (status, request)
        found = self._lists.get(key)
        if found is None:
            found = PurchaseList(
                self.source, self.customer, status=status, request=request, with_total=with_total
            )
            self._lists[key] = found
        return found

    def order(self, order_id: int) -> Awaitable[Order | None]:
        """One of the customer's orders, looked up once a request."""
        once = self._orders.get(order_id)
        if once is None:
            once = self._orders[order_id] = Once()
        return once(partial(self._order, order_id))

    async def _order(self, order_id: int) -> Order | None:
        return await self.source.order(await self.customer_id(), order_id)
