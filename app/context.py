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
from app.domain.once import Once
from app.domain.pagination import PageRequest
from app.domain.purchases import PurchaseList
from app.errors import ApiError, ErrorKind, refuse
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
    # The signed-in customer's id, looked up once (`customer_id`).
    _customer_id: Once[int] = field(init=False, default_factory=Once)
    # Single purchases and orders looked up in this request, by id.
    _purchases: dict[int, Once[Purchase | None]] = field(init=False, default_factory=dict)
    _orders: dict[int, Once[Order | None]] = field(init=False, default_factory=dict)
    # The customer's purchase lists asked for in this request, by filter and page.
    _lists: dict[tuple[StatusFilter, PageRequest], PurchaseList] = field(
        init=False, default_factory=dict
    )

    def customer_id(self) -> Awaitable[int]:
        """The id of the signed-in customer; raises ApiError(UNAUTHORIZED) when there is
        none."""
        return self._customer_id(self._customer)

    def settled_customer_id(self) -> int | None:
        """The customer's id when it was looked up already and found; None otherwise."""
        return self._customer_id.settled()

    def purchase(self, purchase_id: int) -> Awaitable[Purchase | None]:
        """One of the customer's purchases, None when they have none with that id. Looked
        up once a request: an answer with an error is worked out twice
        (app/graphql/execution/runner.py), and `node(id:)` and `customerDownloadableProduct(id:)`
        may ask for the same one."""
        return self._once(self._purchases, self.source.purchase, purchase_id)

    async def purchase_list(
        self, status: StatusFilter, request: PageRequest, *, with_total: bool = False
    ) -> PurchaseList:
        """The customer's purchases under a filter, each query run at most once a request
        (an answer with an error is worked out twice, app/graphql/execution/runner.py);
        `with_total`: the count will be asked for too (`PurchaseList`)."""
        customer_id = await self.customer_id()
        key = (status, request)
        found = self._lists.get(key)
        if found is None:
            found = PurchaseList(
                self.source, customer_id, status=status, request=request, with_total=with_total
            )
            self._lists[key] = found
        return found

    def order(self, order_id: int) -> Awaitable[Order | None]:
        """One of the customer's orders, looked up once a request."""
        return self._once(self._orders, self.source.order, order_id)

    def _once(
        self,
        found: dict[int, Once[T]],
        read: Callable[[int, int], Awaitable[T]],
        row_id: int,
    ) -> Awaitable[T]:
        once = found.get(row_id)
        if once is None:
            once = found[row_id] = Once()
        return once(partial(self._read, read, row_id))

    async def _read(self, read: Callable[[int, int], Awaitable[T]], row_id: int) -> T:
        return await read(await self.customer_id(), row_id)

    async def _customer(self) -> int:
        if self.unavailable is not None:
            raise self.unavailable
        if self.token is None:
            refuse("token_missing")
            raise ApiError(ErrorKind.UNAUTHORIZED)
        customer_id = await self.source.customer_for_token(self.token)
        if customer_id is None:
            raise ApiError(ErrorKind.UNAUTHORIZED)
        return customer_id
