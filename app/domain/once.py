"""Awaiting a coroutine function's one result from several places."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

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

    def settled(self) -> T | None:
        """The value, when something asked for it and it came; None otherwise."""
        task = self._task
        if task is None or not task.done() or task.cancelled() or task.exception():
            return None
        return task.result()
