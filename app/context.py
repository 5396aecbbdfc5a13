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
    # Scheme and host download URLs are built on: PUBLIC_BASE_URL, else the request's own.
    base_url: str
    # The bearer token that came with the request, if any.
    token: str | None
    # The id of the signed-in customer; raises ApiError(UNAUTHORIZED) when there is none.
    customer_id: Once[int] = field(init=False)
    # Single rows looked up in this request, by kind and id (`purchase`, `order`).
    _rows: dict[tuple[str, int], Once[Purchase | Order | None]] = field(
        init=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self.customer_id = Once(self._customer)

    async def purchase(self, purchase_id: int) -> Purchase | None:
        """One of the customer's purchases, None when they have none with that id. Looked
        up once a request: an answer with an error is worked out twice (app/executor.py),
        and `node(id:)` and `customerDownloadableProduct(id:)` may ask for the same one."""
        found = await self._row("purchase", purchase_id)
        assert found is None or isinstance(found, Purchase)
        return found

    async def order(self, order_id: int) -> Order | None:
        """One of the customer's orders, looked up once a request."""
        found = await self._row("order", order_id)
        assert found is None or isinstance(found, Order)
        return found

    def _row(self, kind: str, row_id: int) -> Awaitable[Purchase | Order | None]:
        async def read() -> Purchase | Order | None:
            customer_id = await self.customer_id()
            if kind == "order":
                return await self.source.order(customer_id, row_id)
            return await self.source.purchase(customer_id, row_id)

        return self._rows.setdefault((kind, row_id), Once(read))()

    async def _customer(self) -> int:
        if self.token is None:
            refuse("token_missing")
            raise ApiError(ErrorKind.UNAUTHORIZED)
        customer_id = await self.source.customer_for_token(self.token)
        if customer_id is None:
            raise ApiError(ErrorKind.UNAUTHORIZED)
        return customer_id
