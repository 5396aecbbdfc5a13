"""`GET /ready`: can this process serve requests now?

Yes when every configured database answers and the configured user may read every
column the source reads (docs/behaviour.md §2): a missing grant fails here, not on a customer's
request. A "yes" is kept for a few seconds, so a load balancer polling several times a
second costs the database one statement per table now and then, unless a statement has
found a database unavailable since; a "no" is asked again every time, so that a database
coming back is seen at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

import sqlalchemy as sa

from app.db import Database, DatabaseUnavailable

logger = logging.getLogger("downloads_api")


class Readiness:
    def __init__(
        self,
        databases: Sequence[Database],
        tables: Sequence[sa.TableClause],
        *,
        seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.databases = databases
        # Every column, none of the rows: a statement that fails exactly when a grant is
        # missing, and costs nothing when it is not.
        self.probes = [sa.select(*table.columns).select_from(table).limit(0) for table in tables]
        self.seconds = seconds
        self.clock = clock
        self._ready_until = float("-inf")
        self._failures_then = 0

    async def ready(self) -> bool:
        failures = sum(database.failures for database in self.databases)
        if self.clock() < self._ready_until and failures == self._failures_then:
            return True
        try:
            for database in self.databases:
                await database.ping()
                for probe in self.probes:
                    await database.fetch_all(probe)
        except DatabaseUnavailable as error:
            logger.warning("not ready: %s", error)
            return False
        self._ready_until = self.clock() + self.seconds
        self._failures_then = failures
        return True
