"""A read replica as an optional accelerator: reads go to it while it serves them, and to
the primary while it is down or stalled (docs/behaviour.md §7).

The first read that finds the replica unavailable starts an outage: one warning in the
log, every read after it on the primary at once, and a probe in the background (never
on a customer's request) that sends the replica reads again, with one line in the log,
as soon as it answers. A read the replica has not answered within the connect timeout is
read from the primary (the replica's answer, if it comes, is dropped).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Any

import sqlalchemy as sa

from app.db.base import Database, DatabaseUnavailable, Read, Reads

logger = logging.getLogger("downloads_api")


# Seconds between two looks at a replica that is out.
PROBE_EVERY = 1.0


class ReplicaReads(Reads):
    def __init__(self, replica: Database, primary: Database) -> None:
        self.replica = replica
        self.primary = primary
        # A read the replica leaves unanswered goes to the primary within the deadline of
        # a stalled database (the connect timeout plus a second): the replica has the
        # connect timeout to answer, not the statement's time limit plus a second.
        replica.client_timeout = min(replica.client_timeout or math.inf, replica.connect_timeout)
        self._out_since: float | None = None
        self._probe: asyncio.Task[None] | None = None

    @property
    def serving(self) -> bool:
        """False during an outage: reads go to the primary."""
        return self._out_since is None

    async def run(self, read: Read) -> list[Any]:
        if self.serving:
            rows = await self._ask(read)
            if rows is not None:
                return rows
        return await self.primary.run(read)

    async def check(self, probes: list[sa.Select[Any]]) -> bool:
        """Whether the replica answers every probe, each within the connect timeout as a
        read would; during an outage, no without asking (the background probe asks)."""
        for probe in probes:
            if not self.serving or await self._ask(Read("all", probe, {})) is None:
                return False
        return True

    async def _ask(self, read: Read) -> list[Any] | None:
        """The replica's rows, within the connect timeout; None, an outage begun, when it
        gives none."""
        # Waited for, never cancelled: a read cancelled half-way could hand its connection
        # back to the pool half-read, and handing one back can itself wait (on the pool's
        # lock, which a connection being opened to a frozen replica holds). One left
        # behind finishes by its own deadlines.
        attempt = asyncio.ensure_future(self.replica.run(read))
        attempt.add_done_callback(_retrieve)
        await asyncio.wait((attempt,), timeout=self.replica.connect_timeout)
        if not attempt.done():
            self.out(DatabaseUnavailable("no answer within the connect timeout"))
            return None
        error = attempt.exception()
        if error is None:
            rows: list[Any] = attempt.result()
            return rows
        if isinstance(error, DatabaseUnavailable):
            self.out(error)
            return None
        raise error

    def out(self, error: DatabaseUnavailable) -> None:
        """The replica failed a read: start an outage, unless one has started already."""
        if not self.serving:
            return
        self._out_since = time.monotonic()
        logger.warning("the read replica is unavailable (%s): reading from the primary", error)
        self._probe = asyncio.create_task(self._probe_until_back())

    async def close(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            await asyncio.gather(self._probe, return_exceptions=True)

    async def _probe_until_back(self) -> None:
        while True:
            await asyncio.sleep(PROBE_EVERY)
            try:
                await self.replica.ping()
            except DatabaseUnavailable:
                continue
            assert self._out_since is not None
            seconds = time.monotonic() - self._out_since
            self._out_since = None
            logger.info("the read replica serves again, after %.0f s", seconds)
            return


def _retrieve(attempt: asyncio.Future[list[Any]]) -> None:
    """Marks the outcome seen: a read given up on is no error of anyone's."""
    if not attempt.cancelled():
        attempt.exception()
