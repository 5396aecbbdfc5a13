"""Awaiting a coroutine function's one result from several places."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Once(Generic[T]):
    """Runs a coroutine function at most once, however many resolvers await it at a time.

    The first caller to *start* awaiting runs the function itself, inside its own task: no
    task of its own, which would cost a scheduling round and a context copy per lookup.
    Callers that come while it runs wait for its outcome, and later ones get it at once. A
    caller that never awaits what it was given (a plan abandoned before it reached the
    field) starts nothing, so nobody is left waiting on it."""

    __slots__ = ("_function", "_outcome")

    def __init__(self, function: Callable[[], Awaitable[T]]) -> None:
        self._function = function
        self._outcome: asyncio.Future[T] | None = None

    def __call__(self) -> Awaitable[T]:
        return self._get()

    async def _get(self) -> T:
        outcome = self._outcome
        if outcome is not None:
            return await outcome
        self._outcome = outcome = asyncio.get_running_loop().create_future()
        try:
            value = await self._function()
        except asyncio.CancelledError:
            outcome.cancel()
            raise
        except BaseException as error:
            outcome.set_exception(error)
            outcome.exception()  # retrieved here: the caller raises it
            raise
        outcome.set_result(value)
        return value

    def settled(self) -> T | None:
        """The value, when something asked for it and it came; None otherwise."""
        outcome = self._outcome
        if outcome is None or not outcome.done() or outcome.cancelled() or outcome.exception():
            return None
        return outcome.result()
