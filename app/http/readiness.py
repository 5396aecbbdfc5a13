"""`GET /ready`: can this process serve requests now?

Yes when the primary answers and the configured user may read every column the source
reads (docs/behaviour.md §2): a missing grant fails here, not on a customer's request. A "yes" is
kept for a few seconds, so a load balancer polling several times a second costs the
database one statement per table now and then, unless a statement has found the primary
unavailable since; a "no" is asked again every time, so that a database coming back is
seen at once.

A read replica does not decide it: the primary serves its reads while it is out (docs/behaviour.md
§7), and the body says "degraded". Were it to decide, one replica's outage would take
every instance out of the load balancer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

import sqlalchemy as sa

from app.db import Database, DatabaseUnavailable, ReplicaReads, probe

logger = logging.getLogger("downloads_api")


class Readiness:
    def __init__(
        self,
        primary: Database,
        tables: Sequence[sa.TableClause],
        *,
        replica: ReplicaReads | None = None,
        seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.replica = replica
        self.probes = [probe(table) for table in tables]
        self.seconds = seconds
        self.clock = clock
        self._ready_until = float("-inf")
        self._failures_then = 0

    async def report(self) -> dict[str, str]:
        """The body of `/ready`: "status" is "ok" or "unavailable", and "replica" ("ok"
        or "degraded") is there when one is configured."""
        if self._still_ready():
            ready, replica = True, self.replica is None or self.replica.serving
        else:
            ready, replica = await asyncio.gather(self._primary_ready(), self._replica_ready())
        body = {"status": "ok" if ready else "unavailable"}
        if self.replica is not None:
            body["replica"] = "ok" if replica else "degraded"
        return body

    def _still_ready(self) -> bool:
        return self.clock() < self._ready_until and self.primary.failures == self._failures_then

    async def _primary_ready(self) -> bool:
        failures = self.primary.failures
        try:
            await self.primary.ping()
            for probe in self.probes:
                await self.primary.fetch_all(probe)
        except DatabaseUnavailable as error:
            logger.warning("not ready: %s", error)
            return False
        self._ready_until = self.clock() + self.seconds
        self._failures_then = failures
        return True

    async def _replica_ready(self) -> bool:
        return self.replica is None or await self.replica.check(self.probes)
