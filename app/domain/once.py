"""Awaiting a lookup's one result from several places."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Once(Generic[T]):
    """The one outcome of a lookup, however many resolvers await it at a time.

    `once(lookup)`: the first caller to *start* awaiting runs `lookup()` itself, inside its
    own task: no task of its own, which would cost a scheduling round and a context copy per
    lookup. Callers that come while it runs wait for its outcome, and later ones get it at
    once (the `lookup` they pass is not called). A caller that never awaits what it was given
    (a plan abandoned before it reached the field) starts nothing, so nobody is left waiting.

    The lookup comes with each call rather than with the constructor: a `Once` kept on the
    object whose method it runs would tie that object into a reference cycle, and a
    request's objects would then wait for the cyclic collector (and pile up by the megabyte
    under load) instead of going when the request does."""

    __slots__ = ("_outcome",)

    def __init__(self) -> None:
        self._outcome: asyncio.Future[T] | None = None

    def __call__(self, lookup: Callable[[], Awaitable[T]]) -> Awaitable[T]:
        return self._get(lookup)

    async def _get(self, lookup: Callable[[], Awaitable[T]]) -> T:
        outcome = self._outcome
        if outcome is not None:
            return await outcome
        self._outcome = outcome = asyncio.get_running_loop().create_future()
        try:
            value = await lookup()
        except asyncio.CancelledError:
            outcome.cancel()
            raise
        except BaseException as error:
            outcome.set_exception(error)
            outcome.exception()  # retrieved here: the caller raises it
            raise
        outcome.set_result(value)
        return value

    @property
    def started(self) -> bool:
        """Whether a caller has started the lookup (it may still be running)."""
        return self._outcome is not None

    def settled(self) -> T | None:
        """The value, when something asked for it and it came; None otherwise."""
        outcome = self._outcome
        if outcome is None or not outcome.done() or outcome.cancelled() or outcome.exception():
            return None
        return outcome.result()
