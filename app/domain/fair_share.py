"""A fair share of a worker for customers with few purchases.

A page of a thousand purchases costs a worker some 40 ms of CPU to complete and write,
and every other request on the worker waits through it. So a request that has read a
large page (over `small` rows; counted once read, so that a customer with three purchases
who asks for a thousand is not taken for a large one) takes its rows from a budget per
worker, held until the answer is sent, and waits its turn, first come first served, while
the budget is spent; small pages never wait. Large pages then take turns rather than
sharing the worker all at once, which costs them little (the worker is one thread either
way) and spares everyone else. A turn is awaited at most `timeout` seconds, then the
answer is 503, as when no database connection comes free.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial

from app.db import DatabaseUnavailable
from app.domain.once import Once


@dataclass
class _Request:
    budget: RowBudget
    turn: Once[None] | None = None  # its turn, once asked for
    held: int = 0  # rows to give back when the request ends


_current: ContextVar[_Request | None] = ContextVar("fair_share_request", default=None)


class RowBudget:
    def __init__(self, rows: int, *, small: int = 100, timeout: float = 5.0) -> None:
        self.rows = rows
        self.small = small
        self.timeout = timeout
        self.free = rows
        self._waiting: deque[tuple[int, asyncio.Future[None]]] = deque()

    @asynccontextmanager
    async def request(self) -> AsyncIterator[None]:
        """One request's scope: what it takes is given back when it ends."""
        request = _Request(self)
        token = _current.set(request)
        try:
            yield
        finally:
            _current.reset(token)
            self._give_back(request.held)

    async def take(self, request: _Request, rows: int) -> None:
        rows = min(rows, self.rows)
        if not self._waiting and self.free >= rows:
            self.free -= rows
        else:
            turn = asyncio.get_running_loop().create_future()
            self._waiting.append((rows, turn))
            try:
                async with asyncio.timeout(self.timeout):
                    await turn
            except BaseException as error:
                if turn.done() and not turn.cancelled():
                    self._give_back(rows)  # its turn came as it gave up
                else:
                    self._waiting.remove((rows, turn))
                    self._next()
                if isinstance(error, TimeoutError):
                    raise DatabaseUnavailable("busy: no turn for a large page") from error
                raise
        request.held = rows

    def _give_back(self, rows: int) -> None:
        self.free += rows
        self._next()

    def _next(self) -> None:
        while self._waiting and self._waiting[0][0] <= self.free:
            rows, turn = self._waiting.popleft()
            self.free -= rows
            turn.set_result(None)


async def take_rows(rows: int) -> None:
    """Wait for a turn to produce `rows` rows, when they make a large page. A request
    takes one turn, whatever its lists (the document's limits bound how many): a second
    large list waits for the same turn rather than on itself, and an answer worked out
    again (app/executor.py) meets the same outcome, a refusal included."""
    request = _current.get()
    if request is None or rows <= request.budget.small:
        return
    if request.turn is None:
        request.turn = Once()
    await request.turn(partial(request.budget.take, request, rows))
