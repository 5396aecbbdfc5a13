"""A database address that accepts connections and never answers (a frozen host, a
half-open path, a proxy with nothing behind it): every wait gives up within
DATABASE_CONNECT_TIMEOUT, the pool's lock included, and nothing is left open.

The "database" is a socket of this test's own: no server, no mock of the driver. A served
process meeting such a database: tests/live/test_silent_database.py.
"""

from __future__ import annotations

import asyncio
import time

import pytest
import sqlalchemy as sa

from app.db import DatabaseUnavailable, database_at
from app.db.mysql import DRIVERS, server_wait

CONNECT_TIMEOUT = 0.5
CALLERS = 8


class Silent:
    """A TCP server that accepts every connection and never sends a byte; it counts the
    connections the client closed."""

    def __init__(self) -> None:
        self.accepted = 0
        self.closed_by_client = 0

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        await reader.read()  # b"" once the client closes its end
        self.closed_by_client += 1
        writer.close()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()


# Each driver's pool opens its connections its own way: both are held to the deadline.
@pytest.mark.parametrize("driver", DRIVERS)
def test_every_caller_gives_up_within_the_connect_timeout_and_closes_its_socket(
    driver: str,
) -> None:
    silent = Silent()

    async def scenario() -> list[tuple[type[BaseException] | None, float]]:
        port = await silent.start()
        database = database_at(
            f"mysql+{driver}://root@127.0.0.1:{port}/shop", connect_timeout=CONNECT_TIMEOUT
        )
        await database.connect()

        async def read() -> tuple[type[BaseException] | None, float]:
            started = time.monotonic()
            try:
                await database.fetch_value(sa.select(1))
            except DatabaseUnavailable as error:
                return type(error), time.monotonic() - started
            return None, time.monotonic() - started

        # Every caller queues behind the one opening a connection, which holds the lock.
        outcomes = await asyncio.gather(*(read() for _ in range(CALLERS)))
        await asyncio.sleep(0.1)  # the server's side sees the client's close
        await database.disconnect()
        await silent.stop()
        return outcomes

    outcomes = asyncio.run(asyncio.wait_for(scenario(), 10))

    assert [error for error, _ in outcomes] == [DatabaseUnavailable] * CALLERS
    assert max(elapsed for _, elapsed in outcomes) < CONNECT_TIMEOUT + 0.3
    assert silent.accepted >= 1
    assert silent.closed_by_client == silent.accepted  # no socket left behind


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_pool_that_opens_connections_at_start_gives_up_within_the_connect_timeout(
    driver: str,
) -> None:
    """`?min_size=1`: the pool connects in `connect()`, with no caller's deadline around
    it; the handshake's own (app/db/drivers.py) ends the wait, and closes the socket."""
    silent = Silent()

    async def scenario() -> tuple[type[BaseException], float]:
        port = await silent.start()
        url = f"mysql+{driver}://root@127.0.0.1:{port}/shop?min_size=1"
        database = database_at(url, connect_timeout=CONNECT_TIMEOUT)
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailable) as error:
            await database.connect()
        elapsed = time.monotonic() - started
        await asyncio.sleep(0.1)  # the server's side sees the client's close
        await silent.stop()
        return type(error.value.__cause__), elapsed

    cause, elapsed = asyncio.run(asyncio.wait_for(scenario(), 10))

    assert cause is TimeoutError
    assert elapsed < CONNECT_TIMEOUT + 0.3
    assert silent.accepted == 1
    assert silent.closed_by_client == 1


def test_a_loop_held_up_past_the_deadline_reads_the_answer_that_came_meanwhile() -> None:
    async def scenario() -> str:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[str] = loop.create_future()

        def held_up() -> None:
            time.sleep(0.3)  # past the deadline: the answer arrives meanwhile
            answer.set_result("answered")

        loop.call_later(0.05, held_up)
        async with asyncio.timeout(None) as limit:
            return await server_wait(limit, 0.1, answer)

    assert asyncio.run(scenario()) == "answered"


def test_a_loop_held_up_once_gives_up_a_moment_later_not_a_whole_wait_later() -> None:
    async def scenario() -> float:
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        loop.call_later(0.05, time.sleep, 0.8)  # the loop is held up past the deadline
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(None) as limit:
                await server_wait(limit, 0.5, loop.create_future())  # a server that never answers
        return time.monotonic() - started

    # Caught up at 0.85 s, it gives up a moment later, not a whole 0.5 s later.
    assert asyncio.run(scenario()) < 1.2
