"""What resolvers and REST handlers work with: one request's context, free of HTTP.

`RequestContext` is built fresh for every request (app/auth.py reads it off the request)
and holds what answering needs: the source, the settings, the base of download URLs and
the customer, looked up at most once, only when something asks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from app.db import DatabaseUnavailable
from app.errors import ApiError, ErrorKind, refuse
from app.models import Order, Purchase
from app.settings import Settings
from app.sources import Source

T = TypeVar("T")


class Once(Generic[T]):
    """Runs a coroutine function at most once, however many resolvers await it at a time."""

    def __init__(self, function: Callable[[], Awaitable[T]]) -> None:
        self._function = function
        self._task: asyncio.Future[T] | None = None

    def __call__(self) -> Awaitable[T]:
        if self._task is None:
            self._task = asyncio.ensure_future(self._function())
        return self._task


@dataclass
class RequestContext:
    source: Source
    settings: Settings
    # What download paths are appended to: the store's link base on a source with store
    # views (app/auth.py), else PUBLIC_BASE_URL or the request's own base URL.
    base_url: str
    # The bearer token that came with the request, if any.
    token: str | None
    # Why the customer cannot be looked up at all: the database was found down already.
    unavailable: DatabaseUnavailable | None = None
    # The id of the signed-in customer; raises ApiError(UNAUTHORIZED) when there is none.
    customer_id: Once[int] = field(init=False)
    # Single purchases and orders looked up in this request, by id.
    _purchases: dict[int, Once[Purchase | None]] = field(init=False, default_factory=dict)
    _orders: dict[int, Once[Order | None]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.customer_id = Once(self._customer)

    def purchase(self, purchase_id: int) -> Awaitable[Purchase | None]:
        """One of the customer's purchases, None when they have none with that id. Looked
        up once a request: an answer with an error is worked out twice (app/executor.py),
        and `node(id:)` and `customerDownloadableProduct(id:)` may ask for the same one."""
        return self._once(self._purchases, self.source.purchase, purchase_id)

    def order(self, order_id: int) -> Awaitable[Order | None]:
        """One of the customer's orders, looked up once a request."""
        return self._once(self._orders, self.source.order, order_id)

    def _once(
        self,
        found: dict[int, Once[T]],
        read: Callable[[int, int], Awaitable[T]],
        row_id: int,
    ) -> Awaitable[T]:
        if row_id not in found:

            async def lookup() -> T:
                return await read(await self.customer_id(), row_id)

            found[row_id] = Once(lookup)
        return found[row_id]()

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
