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

    def __post_init__(self) -> None:
        self.customer_id = Once(self._customer)

    async def _customer(self) -> int:
        if self.token is None:
            refuse("token_missing")
            raise ApiError(ErrorKind.UNAUTHORIZED)
        customer_id = await self.source.customer_for_token(self.token)
        if customer_id is None:
            raise ApiError(ErrorKind.UNAUTHORIZED)
        return customer_id
