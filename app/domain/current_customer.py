"""The request's customer: the bearer token checked at most once a request, on its own or
in the statement of the first read of the customer's rows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from app.db import DatabaseUnavailable
from app.domain.once import Once
from app.errors import ApiError, ErrorKind, refuse
from app.sources import Customer, SignIn, Source

T = TypeVar("T")


class CurrentCustomer:
    def __init__(
        self, source: Source, token: str | None, unavailable: DatabaseUnavailable | None
    ) -> None:
        self.source = source
        self.token = token
        # Why the customer cannot be looked up at all: the database was found down already.
        self.unavailable = unavailable
        # Run as soon as the token is judged (the customer's id, or None), before any other
        # read; it may refuse the request by raising (a rate-limited key's count,
        # app/http/guard.py).
        self.after_sign_in: Callable[[int | None], Awaitable[None]] | None = None
        self._id: Once[int] = Once()

    def id(self) -> Awaitable[int]:
        """The customer's id; raises ApiError(UNAUTHORIZED) when there is none."""
        return self._id(self._check)

    def settled_id(self) -> int | None:
        """The customer's id when it was looked up already and found; None otherwise."""
        return self._id.settled()

    async def read(self, read: Callable[[Customer], Awaitable[T]]) -> T:
        """What `read` finds of the customer's; raises ApiError(UNAUTHORIZED) when there is
        no customer. When nothing has checked the token yet and the source can, the token is
        checked in the read's own statement (`SignIn`): one round trip, not two."""
        token = self.token
        if (
            self._id.started
            or token is None
            or self.unavailable is not None
            or not self.source.reads_sign_in
        ):
            return await read(await self.id())
        found: list[T] = []

        async def sign_in() -> int:
            check = self.source.token_check(token)
            if check is None:  # refused as it stands: no statement needed
                return await self._signed_in(None)
            signing_in = SignIn(check)
            found.append(await read(signing_in))
            return await self._signed_in(signing_in.customer_id)

        await self._id(sign_in)  # not started before: sign_in runs
        return found[0]

    async def _check(self) -> int:
        if self.unavailable is not None:
            raise self.unavailable
        if self.token is None:
            refuse("token_missing")
            raise ApiError(ErrorKind.UNAUTHORIZED)
        return await self._signed_in(await self.source.customer_for_token(self.token))

    async def _signed_in(self, customer_id: int | None) -> int:
        if self.after_sign_in is not None:
            await self.after_sign_in(customer_id)
        if customer_id is None:
            raise ApiError(ErrorKind.UNAUTHORIZED)
        return customer_id
